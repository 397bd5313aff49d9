terraform {
  # 1.9: variable validations may refer to other variables and locals.
  required_version = ">= 1.9"

  required_providers {
    coder = {
      source = "coder/coder"
      # data "coder_task" (the task id) needs 2.13; tested with 2.20.0.
      version = ">= 2.13"
    }
  }
}

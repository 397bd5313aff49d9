# The template of the real-Coder tier (test/coder): one agent started on this machine by a local-exec,
# running this repository's module (copied into ./modules/codex-boot when the template is pushed).
# This run's values are variables declared with their defaults in run.tf.json (written at push):
#   coder_bin   the coder binary the agent runs          run_dir    the run's directory (workspaces/<id>/)
#   run_marker  CODEX_BOOT_CODER_RUN of every process     mirror_url the loopback release mirror
#   stub_url    the loopback Responses stub (no /v1)      ai_task    declare coder_ai_task (Tasks)
terraform {
  required_providers {
    coder = {
      source = "coder/coder"
    }
  }
}

provider "coder" {}

data "coder_provisioner" "me" {}
data "coder_workspace" "me" {}
data "coder_workspace_owner" "me" {}
data "coder_task" "me" {}

data "coder_parameter" "prompt" {
  name        = "prompt"
  type        = "string"
  description = "The module's ai_prompt for a workspace that is not a task."
  default     = ""
  mutable     = true
}

locals {
  workspace_dir = "${var.run_dir}/workspaces/${data.coder_workspace.me.id}"
  home          = "${local.workspace_dir}/home"
  # A template author's long prompt kept in a file (the size cases write prompt.txt).
  prompt_file = "${path.module}/prompt.txt"
  system_file = "${path.module}/system_prompt.txt"
  # Workspaces share this host: each gets its own AgentAPI port (a real workspace has its own).
  agentapi_port = 20000 + parseint(substr(md5(data.coder_workspace.me.id), 0, 4), 16) % 10000
  ai_prompt     = data.coder_task.me.enabled ? data.coder_task.me.prompt : fileexists(local.prompt_file) ? file(local.prompt_file) : data.coder_parameter.prompt.value
}

resource "coder_agent" "main" {
  arch = data.coder_provisioner.me.arch
  os   = "linux"
  dir  = local.home
}

# The "machine": `coder agent` started on this host as the provisioner's (non-root) user, and
# stopped gracefully on workspace stop so that the agent runs the stop scripts.
resource "terraform_data" "agent" {
  count = data.coder_workspace.me.start_count
  input = { dir = local.workspace_dir }

  provisioner "local-exec" {
    command = "sh '${path.module}/start-agent.sh'"
    environment = {
      CODER_AGENT_TOKEN    = coder_agent.main.token
      CODER_AGENT_URL      = data.coder_workspace.me.access_url
      CODER_BIN            = var.coder_bin
      WORKSPACE_DIR        = local.workspace_dir
      CODEX_BOOT_CODER_RUN = var.run_marker
    }
  }

  provisioner "local-exec" {
    when    = destroy
    command = "sh '${path.module}/stop-agent.sh' '${self.input.dir}'"
  }
}

module "codex" {
  source              = "./modules/codex-boot"
  agent_id            = coder_agent.main.id
  workdir             = "${local.home}/project"
  openai_api_key      = "sk-test-coder-tier-0123456789"
  ai_prompt           = local.ai_prompt
  codex_system_prompt = fileexists(local.system_file) ? file(local.system_file) : "A tier-5 test workspace. Start every response with `Codex says:`"
  agentapi_port       = local.agentapi_port
  github_url          = var.mirror_url
  # Codex's model requests go to the loopback stub; no update check leaves the machine.
  base_config_toml = <<-TOML
    sandbox_mode = "workspace-write"
    approval_policy = "never"
    check_for_update_on_startup = false
    model_provider = "stub"
    [model_providers.stub]
    name = "loopback Responses stub"
    base_url = "${var.stub_url}/v1"
    env_key = "OPENAI_API_KEY"
    wire_api = "responses"
  TOML
}

resource "coder_ai_task" "task" {
  count  = var.ai_task ? data.coder_workspace.me.start_count : 0
  app_id = module.codex.task_app_id
}

output "task_app_id" {
  description = "ID of the Codex web app: set it as coder_ai_task's app_id to run Codex as a Coder Task."
  value       = coder_app.web.id
}

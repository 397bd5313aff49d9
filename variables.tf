# Every variable of coder-labs/codex 4.1.0 keeps its name, type and meaning, so switching
# modules is a change of `source`. New inputs follow the seed ones.

variable "agent_id" {
  type        = string
  description = "The ID of the Coder agent to run Codex on (coder_agent.<name>.id)."
}

variable "order" {
  type        = number
  description = "Position of the Codex app in the dashboard: lowest first, ties sorted by name."
  default     = null
}

variable "group" {
  type        = string
  description = "Name of the dashboard app group the Codex app belongs to."
  default     = null
}

variable "icon" {
  type        = string
  description = "Icon of the Codex apps and scripts."
  default     = "/icon/openai.svg"
}

variable "workdir" {
  type        = string
  description = "Absolute path of the folder Codex works in (created if missing). A trailing slash is ignored."
  validation {
    condition     = startswith(var.workdir, "/")
    error_message = "workdir must be an absolute path (start with /), e.g. \"/home/coder/project\"."
  }
}

variable "report_tasks" {
  type        = bool
  description = "Let Codex report task progress to the Coder dashboard (through the Coder MCP server)."
  default     = true
}

variable "subdomain" {
  type        = bool
  description = "Serve the Codex web app on a subdomain. Needs a wildcard access URL on the deployment; when false the app is served under a path."
  default     = false
}

variable "cli_app" {
  type        = bool
  description = "Also add a terminal app that attaches to the running Codex session (`agentapi attach`)."
  default     = false
}

variable "web_app_display_name" {
  type        = string
  description = "Display name of the Codex web (chat) app."
  default     = "Codex"
}

variable "cli_app_display_name" {
  type        = string
  description = "Display name of the Codex terminal app (with cli_app = true)."
  default     = "Codex CLI"
}

variable "enable_aibridge" {
  type        = bool
  description = "Send Codex's model requests through Coder AI Bridge, authenticated with the workspace owner's Coder session. https://coder.com/docs/ai-coder/ai-bridge"
  default     = false
  validation {
    condition     = !(var.enable_aibridge && length(var.openai_api_key) > 0)
    error_message = "openai_api_key must be empty when enable_aibridge is true: AI Bridge authenticates with the workspace owner's Coder session."
  }
}

variable "model_reasoning_effort" {
  type        = string
  description = "How hard the model thinks before answering: none, minimal, low, medium, high or xhigh."
  default     = "medium"
  nullable    = false
  validation {
    condition     = contains(["none", "minimal", "low", "medium", "high", "xhigh"], var.model_reasoning_effort)
    error_message = "model_reasoning_effort must be one of: none, minimal, low, medium, high, xhigh."
  }
}

variable "install_codex" {
  type        = bool
  description = "Install the Codex CLI. Set false when the image already has `codex` on PATH."
  default     = true
}

variable "codex_version" {
  type        = string
  description = "Codex CLI version to install, e.g. \"0.169.0\"; empty or \"latest\" for the newest release. With codex_install_source = \"npm\" also what npm resolves: a dist-tag (\"next\") or a range (\"0.46\", \"^0.46.0\")."
  default     = ""
  nullable    = false
  validation {
    condition = can(regex(
      var.codex_install_source == "npm" ? "^[0-9A-Za-z.^~<>=|*+ -]*$" : "^(|latest|v?[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?)$",
      var.codex_version,
    ))
    error_message = "codex_version must be empty, \"latest\" or an exact version like \"0.169.0\" (GitHub release tags are exact). Dist-tags (\"next\") and ranges (\"0.46\", \"^0.46.0\") need codex_install_source = \"npm\"."
  }
}

variable "base_config_toml" {
  type        = string
  description = "Codex settings (TOML) for ~/.codex/config.toml in place of the module's defaults (workspace-write sandbox, no approval prompts); the model, the Coder MCP server and AI Bridge are added by the module. Keys you or Codex add to the file later are kept across restarts."
  default     = ""
}

variable "additional_mcp_servers" {
  type        = string
  description = "Extra MCP servers as TOML [mcp_servers.<name>] tables, added beside the Coder MCP server."
  default     = ""
}

variable "openai_api_key" {
  type        = string
  description = "OpenAI API key. Reaches the workspace only as the OPENAI_API_KEY environment variable (coder_env); never written into a script. Leave empty with enable_aibridge."
  default     = ""
  nullable    = false
  sensitive   = true
}

variable "install_agentapi" {
  type        = bool
  description = "Install AgentAPI. Set false when the image already has `agentapi` on PATH."
  default     = true
}

variable "agentapi_version" {
  type        = string
  description = "AgentAPI version to install, e.g. \"v0.12.2\"; empty or \"latest\" for the newest release."
  default     = "v0.12.2"
  nullable    = false
  validation {
    condition     = can(regex("^(|latest|v?[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?)$", var.agentapi_version))
    error_message = "agentapi_version must be empty, \"latest\" or a version like \"v0.12.2\"."
  }
}

variable "codex_model" {
  type        = string
  description = "The model Codex uses."
  default     = "gpt-5.2-codex"
}

variable "pre_install_script" {
  type        = string
  description = "Shell script run before Codex is installed (its output is logged under ~/.codex-module/)."
  default     = null
}

variable "post_install_script" {
  type        = string
  description = "Shell script run after Codex is installed (its output is logged under ~/.codex-module/)."
  default     = null
}

variable "ai_prompt" {
  type        = string
  description = "First prompt Codex works on when the workspace starts, e.g. a Coder Tasks prompt. Sent as one argument, never through a shell: at most 64 KiB (65536 bytes)."
  default     = ""
  # Its size limit is a precondition in main.tf, not a validation here: a failed validation quotes
  # the value, and Coder v2.36's provisioner stops reading at a 64 KiB log line (the build hangs).
}

variable "continue" {
  type        = bool
  description = "On restart, resume the Codex session the module started last time; when false, always start a new session."
  default     = true
}

variable "codex_system_prompt" {
  type        = string
  description = "Instructions kept in a managed block of ~/.codex/AGENTS.md (your own text in that file is kept)."
  default     = "You are a helpful coding assistant. Start every response with `Codex says:`"
  # Checked by a precondition in main.tf (a validation would quote a possibly huge value).
}

# New inputs (not in coder-labs/codex 4.x).

variable "agentapi_port" {
  type        = number
  description = "Local port AgentAPI listens on."
  default     = 3284
  nullable    = false
  validation {
    condition     = var.agentapi_port >= 1 && var.agentapi_port <= 65535 && floor(var.agentapi_port) == var.agentapi_port
    error_message = "agentapi_port must be an integer between 1 and 65535."
  }
}

variable "enable_state_persistence" {
  type        = bool
  description = "Keep the chat history of AgentAPI across workspace restarts (~/.codex-module/agentapi-state.json)."
  default     = true
}

variable "task_log_snapshot" {
  type        = bool
  description = "When the workspace stops, send the last chat messages to Coder so a paused task still shows them."
  default     = true
}

variable "codex_install_source" {
  type        = string
  description = "Where Codex is downloaded from: \"github\" (release archives under github_url) or \"npm\" (the @openai/codex package from npm_registry_url or the workspace's npm configuration)."
  default     = "github"
  nullable    = false
  validation {
    condition     = contains(["github", "npm"], var.codex_install_source)
    error_message = "codex_install_source must be \"github\" or \"npm\"."
  }
}

variable "github_url" {
  type        = string
  description = "Base URL for GitHub release downloads (Codex, AgentAPI and Bun). Any mirror with GitHub's <owner>/<repo>/releases/download/<tag>/<file> layout works."
  default     = "https://github.com"
  nullable    = false
  validation {
    condition     = can(regex("^https?://[^\\s'\"\\\\]+$", var.github_url))
    error_message = "github_url must be an http:// or https:// URL without spaces or quotes."
  }
}

variable "npm_registry_url" {
  type        = string
  description = "npm registry for codex_install_source = \"npm\" and for installing Bun. Empty: NPM_CONFIG_REGISTRY or `registry=` in ~/.npmrc in the workspace; without either, Bun comes from github_url."
  default     = ""
  nullable    = false
  validation {
    condition     = can(regex("^(https?://[^\\s'\"\\\\]+)?$", var.npm_registry_url))
    error_message = "npm_registry_url must be empty or an http:// or https:// URL without spaces or quotes."
  }
}

variable "codex_sha256" {
  type        = string
  description = "Optional SHA-256 of the Codex download for codex_version; the install fails when it differs."
  default     = ""
  nullable    = false
  validation {
    condition     = can(regex("^([0-9a-fA-F]{64})?$", var.codex_sha256))
    error_message = "codex_sha256 must be empty or 64 hex characters."
  }
}

variable "agentapi_sha256" {
  type        = string
  description = "Optional SHA-256 of the AgentAPI binary for agentapi_version; the install fails when it differs."
  default     = ""
  nullable    = false
  validation {
    condition     = can(regex("^([0-9a-fA-F]{64})?$", var.agentapi_sha256))
    error_message = "agentapi_sha256 must be empty or 64 hex characters."
  }
}

variable "js_runtime" {
  type        = string
  description = "JavaScript runtime for the module's program: \"auto\" (bun, deno >= 2 or node >= 20 from PATH, else Bun installed into ~/.codex-module/runtime), or force \"bun\", \"deno\" or \"node\"."
  default     = "auto"
  nullable    = false
  validation {
    condition     = contains(["auto", "bun", "deno", "node"], var.js_runtime)
    error_message = "js_runtime must be one of: auto, bun, deno, node."
  }
}

variable "bun_version" {
  type        = string
  description = "Bun version installed when no runtime is found. Only versions whose digests this module pins are accepted."
  default     = "1.4.4"
  nullable    = false
  validation {
    condition     = contains(keys(local.bun_sha256), var.bun_version)
    error_message = "bun_version must be a version this module pins digests for: ${join(", ", keys(local.bun_sha256))}."
  }
}

data "coder_workspace" "me" {}

data "coder_workspace_owner" "me" {}

# The provider gives a random id outside a task: only `enabled` tells the two apart.
data "coder_task" "me" {}

locals {
  app_slug = "codex"
  workdir  = length(var.workdir) > 1 ? trimsuffix(var.workdir, "/") : var.workdir
  # Bytes, not characters (Linux counts bytes): the length of the base64 text less its padding.
  ai_prompt_bytes       = length(base64encode(var.ai_prompt)) * 3 / 4 - length(regexall("=", base64encode(var.ai_prompt)))
  system_prompt_markers = length(regexall("<!-- (BEGIN|END) codex-boot managed", var.codex_system_prompt))

  # SHA-256 of the official `bun` binaries per version. Bun's npm packages carry the very binary
  # of the release zips, so these verify either download (checked after unpacking, before use).
  bun_sha256 = {
    "1.4.4" = [
      "10702245766b225e70bbf6235fd6b47214fd94b4760d00ffaed8ab0df57ac235", # linux-x64, linux-x64-baseline
      "29a31375a72f97c7e3fc25dd57d7dde88da5907aa8970808f57f91e0711bdad2", # linux-x64-musl(-baseline)
      "354c2b049c716aca07b2e5cddb887928ac58950675d1258bb6312083917793b6", # linux-aarch64
      "a6a3d99a48600b59597070d2d2ff8d37b65975b8aab247ee3479b1eb33d000a6", # linux-aarch64-musl
    ]
  }

  # Keys are exactly those of src/inputs.ts SCHEMA; the program rejects any other key.
  # No secret goes in here: the key and tokens reach the workspace through coder_env.
  inputs = {
    workdir                  = local.workdir
    install_codex            = var.install_codex
    codex_version            = var.codex_version
    install_agentapi         = var.install_agentapi
    agentapi_version         = var.agentapi_version
    codex_model              = var.codex_model
    model_reasoning_effort   = var.model_reasoning_effort
    base_config_toml         = var.base_config_toml
    additional_mcp_servers   = var.additional_mcp_servers
    codex_system_prompt      = var.codex_system_prompt
    ai_prompt                = var.ai_prompt
    report_tasks             = var.report_tasks
    continue                 = var.continue
    enable_aibridge          = var.enable_aibridge
    pre_install_script       = var.pre_install_script
    post_install_script      = var.post_install_script
    app_slug                 = local.app_slug
    agentapi_port            = var.agentapi_port
    chat_base_path           = var.subdomain ? "" : "/@${data.coder_workspace_owner.me.name}/${data.coder_workspace.me.name}.${var.agent_id}/apps/${local.app_slug}/chat"
    aibridge_base_url        = "${data.coder_workspace.me.access_url}/api/v2/aibridge/openai/v1"
    task_id                  = data.coder_task.me.enabled ? data.coder_task.me.id : ""
    task_log_snapshot        = var.task_log_snapshot
    enable_state_persistence = var.enable_state_persistence
    codex_install_source     = var.codex_install_source
    github_url               = var.github_url
    npm_registry_url         = var.npm_registry_url
    codex_sha256             = var.codex_sha256
    agentapi_sha256          = var.agentapi_sha256
  }

  bundle = "${path.module}/dist/codex-boot.js"
  # The stub without comment lines and indentation (the bundle takes most of the start script's
  # 40 KiB budget); the shebang stays. The rendered stub is shellcheck-clean (test/e2e/stub.test.ts).
  stub = replace(replace(file("${path.module}/scripts/boot.sh"), "/(?m)^[ \\t]*(#([^!\\n].*)?)?\\n/", ""), "/(?m)^[ \\t]+/", "")
  boot = { for command in ["start", "stop"] : command => templatestring(local.stub, {
    command       = command
    config        = base64gzip(jsonencode(local.inputs))
    bundle        = base64gzip(file(local.bundle))
    bundle_sha256 = filesha256(local.bundle)
    js_runtime    = var.js_runtime
    bun_version   = var.bun_version
    bun_sha256    = join(" ", local.bun_sha256[var.bun_version])
    github_url    = var.github_url
    npm_registry  = var.npm_registry_url
  }) }
  # Budget: 40 KiB with a typical configuration (test/module.tftest.hcl, bench/script-size.ts).
  # In bytes, which the kernel's limit counts (length() counts characters): from its base64.
  start_script_base64 = base64encode(local.boot.start)
  start_script_bytes  = length(local.start_script_base64) / 4 * 3 - length(regex("=*$", local.start_script_base64))
}

resource "coder_env" "openai_api_key" {
  count    = var.openai_api_key != "" ? 1 : 0
  agent_id = var.agent_id
  name     = "OPENAI_API_KEY"
  value    = var.openai_api_key
}

resource "coder_env" "coder_aibridge_session_token" {
  count    = var.enable_aibridge ? 1 : 0
  agent_id = var.agent_id
  name     = "CODER_AIBRIDGE_SESSION_TOKEN"
  value    = data.coder_workspace_owner.me.session_token
}

resource "coder_script" "start" {
  agent_id     = var.agent_id
  display_name = "Codex"
  icon         = var.icon
  run_on_start = true
  script       = local.boot.start
  lifecycle {
    # Checks of free-text inputs live here rather than in variable validations: a failed validation
    # quotes the whole value in its diagnostic, and Coder v2.36's provisioner stops reading terraform's
    # output at a 64 KiB line, so a 200 KB prompt hung the build. These print numbers only.
    precondition {
      condition     = local.ai_prompt_bytes <= 65536
      error_message = "ai_prompt is ${local.ai_prompt_bytes} bytes; it must be at most 64 KiB (65536 bytes): Linux passes it to Codex as one argument. Put longer task text in a file in the repository and point the prompt at it."
    }
    precondition {
      condition     = local.system_prompt_markers == 0
      error_message = "codex_system_prompt must not contain codex-boot's AGENTS.md markers (<!-- BEGIN/END codex-boot managed …): they would end the managed block early."
    }
    precondition {
      # The agent runs the script as one argument (sh -c SCRIPT): Linux refuses one of 128 KiB or more.
      condition     = local.start_script_bytes < 131072
      error_message = "The start script would be ${local.start_script_bytes} bytes; Linux runs one of at most 131071 (128 KiB - 1). Shorten the inputs it carries: ai_prompt, codex_system_prompt, base_config_toml, additional_mcp_servers, pre_install_script, post_install_script."
    }
    precondition {
      # Unpacked, the inputs are one environment string (CODEX_BOOT_CONFIG=…) for every command the
      # stub runs: the same 128 KiB cap, however well they compress in the script.
      condition     = length(base64encode(jsonencode(local.inputs))) <= 131053
      error_message = "The inputs would be ${length(base64encode(jsonencode(local.inputs)))} bytes as CODEX_BOOT_CONFIG; Linux caps one environment string at 128 KiB (131053 bytes for this value). Shorten ai_prompt, codex_system_prompt, base_config_toml, additional_mcp_servers, pre_install_script or post_install_script."
    }
  }
}

resource "coder_script" "stop" {
  agent_id     = var.agent_id
  display_name = "Codex (stop)"
  icon         = var.icon
  run_on_stop  = true
  script       = local.boot.stop
}

resource "coder_app" "web" {
  agent_id     = var.agent_id
  slug         = local.app_slug
  display_name = var.web_app_display_name
  url          = "http://localhost:${var.agentapi_port}/"
  icon         = var.icon
  order        = var.order
  group        = var.group
  subdomain    = var.subdomain
  healthcheck {
    url       = "http://localhost:${var.agentapi_port}/status"
    interval  = 3
    threshold = 20
  }
}

resource "coder_app" "cli" {
  count        = var.cli_app ? 1 : 0
  agent_id     = var.agent_id
  slug         = "${local.app_slug}-cli"
  display_name = var.cli_app_display_name
  icon         = var.icon
  order        = var.order
  group        = var.group
  command      = "LANG=C.UTF-8 LC_ALL=C.UTF-8 agentapi attach --url localhost:${var.agentapi_port}"
}

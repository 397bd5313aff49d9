# What the module renders, with the real coder provider (plan mode unless an id is needed).
# Run: terraform test -test-directory=test

variables {
  agent_id = "agent-1"
  workdir  = "/home/coder/project/"
}

run "defaults_render_start_and_stop_scripts_apps_and_inputs" {
  command = plan

  assert {
    condition     = coder_script.start.run_on_start && !coder_script.start.run_on_stop
    error_message = "the start script must run on start only"
  }
  assert {
    condition     = coder_script.stop.run_on_stop && !coder_script.stop.run_on_start
    error_message = "the stop script must run on stop only"
  }
  assert {
    condition     = startswith(coder_script.start.script, "#!/bin/sh\n") && strcontains(coder_script.start.script, "\ncmd='start' ")
    error_message = "the start script must be the sh stub running start"
  }
  assert {
    condition     = strcontains(coder_script.stop.script, "\ncmd='stop' ")
    error_message = "the stop script must run stop"
  }
  assert {
    condition     = strcontains(coder_script.start.script, "\n${base64gzip(file("${path.module}/dist/codex-boot.js"))}\n") && strcontains(coder_script.stop.script, filesha256("${path.module}/dist/codex-boot.js"))
    error_message = "both scripts must embed dist/codex-boot.js and its digest"
  }
  assert {
    condition     = local.inputs.workdir == "/home/coder/project" && local.inputs.app_slug == "codex" && local.inputs.agentapi_port == 3284
    error_message = "workdir loses its trailing slash; app_slug and agentapi_port are passed on"
  }
  assert {
    condition     = local.inputs.chat_base_path == "/@default/default.agent-1/apps/codex/chat"
    error_message = "chat_base_path is /@<owner>/<workspace>.<agent id>/apps/<slug>/chat when not on a subdomain, got ${local.inputs.chat_base_path}"
  }
  assert {
    condition     = local.inputs.aibridge_base_url == "https://mydeployment.coder.com/api/v2/aibridge/openai/v1"
    error_message = "aibridge_base_url is <access_url>/api/v2/aibridge/openai/v1, got ${local.inputs.aibridge_base_url}"
  }
  assert {
    condition     = local.inputs.task_id == ""
    error_message = "outside a Coder Task the task id is empty (the provider invents a random one)"
  }
  assert {
    condition     = coder_app.web.slug == "codex" && coder_app.web.display_name == "Codex" && coder_app.web.url == "http://localhost:3284/" && !coder_app.web.subdomain
    error_message = "the web app serves AgentAPI on localhost:3284 under a path"
  }
  assert {
    condition     = one(coder_app.web.healthcheck).url == "http://localhost:3284/status"
    error_message = "the web app is healthy when AgentAPI answers /status"
  }
  assert {
    condition     = length(coder_app.cli) == 0
    error_message = "no CLI app unless cli_app"
  }
  assert {
    condition     = length(coder_env.openai_api_key) == 0 && length(coder_env.coder_aibridge_session_token) == 0
    error_message = "no environment variables without an API key or AI Bridge"
  }
}

run "every_coder_labs_codex_4_1_variable_is_accepted_with_its_meaning" {
  command = plan

  variables {
    order                  = 3
    group                  = "AI"
    icon                   = "/icon/custom.svg"
    report_tasks           = false
    subdomain              = true
    cli_app                = false
    web_app_display_name   = "My Codex"
    cli_app_display_name   = "My Codex CLI"
    enable_aibridge        = false
    model_reasoning_effort = "high"
    install_codex          = false
    codex_version          = "0.169.0"
    base_config_toml       = "approval_policy = \"never\"\n"
    additional_mcp_servers = "[mcp_servers.x]\ncommand = \"x\"\n"
    openai_api_key         = ""
    install_agentapi       = false
    agentapi_version       = "v0.12.2"
    codex_model            = "gpt-5"
    pre_install_script     = "echo pre"
    post_install_script    = "echo post"
    ai_prompt              = "do it"
    continue               = false
    codex_system_prompt    = "Be brief."
  }

  assert {
    condition     = coder_app.web.order == 3 && coder_app.web.group == "AI" && coder_app.web.icon == "/icon/custom.svg" && coder_app.web.display_name == "My Codex" && coder_app.web.subdomain
    error_message = "order, group, icon, web_app_display_name and subdomain go to the web app"
  }
  assert {
    condition     = local.inputs.chat_base_path == ""
    error_message = "on a subdomain AgentAPI needs no chat base path"
  }
  assert {
    condition = (
      !local.inputs.report_tasks && local.inputs.model_reasoning_effort == "high" && !local.inputs.install_codex &&
      local.inputs.codex_version == "0.169.0" && local.inputs.base_config_toml == "approval_policy = \"never\"\n" &&
      local.inputs.additional_mcp_servers == "[mcp_servers.x]\ncommand = \"x\"\n" && !local.inputs.install_agentapi &&
      local.inputs.agentapi_version == "v0.12.2" && local.inputs.codex_model == "gpt-5" &&
      local.inputs.pre_install_script == "echo pre" && local.inputs.post_install_script == "echo post" &&
      local.inputs.ai_prompt == "do it" && !local.inputs.continue && local.inputs.codex_system_prompt == "Be brief."
    )
    error_message = "every seed input reaches the program unchanged"
  }
}

run "task_app_id_is_the_web_app" {
  command = apply

  assert {
    condition     = output.task_app_id == coder_app.web.id && output.task_app_id != ""
    error_message = "task_app_id must be the web app's id (for coder_ai_task)"
  }
}

run "cli_app_only_with_cli_app" {
  command = plan

  variables {
    cli_app              = true
    cli_app_display_name = "Codex Terminal"
    agentapi_port        = 4000
  }

  assert {
    condition     = length(coder_app.cli) == 1 && coder_app.cli[0].slug == "codex-cli" && coder_app.cli[0].display_name == "Codex Terminal"
    error_message = "cli_app adds the codex-cli app"
  }
  assert {
    condition     = strcontains(coder_app.cli[0].command, "agentapi attach --url localhost:4000")
    error_message = "the CLI app attaches to AgentAPI on agentapi_port"
  }
  assert {
    condition     = coder_app.web.url == "http://localhost:4000/" && one(coder_app.web.healthcheck).url == "http://localhost:4000/status" && local.inputs.agentapi_port == 4000
    error_message = "agentapi_port moves the web app and the program together"
  }
}

run "api_key_env_only_when_given_and_never_in_a_script" {
  command = plan

  variables {
    openai_api_key = "sk-test-'$(touch /tmp/pwned)'-0123456789"
  }

  assert {
    condition     = length(coder_env.openai_api_key) == 1 && coder_env.openai_api_key[0].name == "OPENAI_API_KEY" && coder_env.openai_api_key[0].value == var.openai_api_key
    error_message = "the API key reaches the workspace as OPENAI_API_KEY"
  }
  assert {
    condition     = !strcontains(coder_script.start.script, var.openai_api_key) && !strcontains(coder_script.stop.script, var.openai_api_key)
    error_message = "no coder_script may contain the API key"
  }
  assert {
    condition     = !strcontains(jsonencode(local.inputs), var.openai_api_key) && !strcontains(jsonencode(local.inputs), "sk-test")
    error_message = "the inputs JSON may not contain the API key"
  }
  assert {
    condition     = length(coder_env.coder_aibridge_session_token) == 0
    error_message = "no session token without AI Bridge"
  }
}

run "ai_bridge_passes_the_session_token_as_env_only" {
  command = plan

  variables {
    enable_aibridge = true
  }

  assert {
    condition     = length(coder_env.coder_aibridge_session_token) == 1 && coder_env.coder_aibridge_session_token[0].name == "CODER_AIBRIDGE_SESSION_TOKEN"
    error_message = "AI Bridge gets the owner's session token as CODER_AIBRIDGE_SESSION_TOKEN"
  }
  assert {
    condition     = length(coder_env.openai_api_key) == 0 && local.inputs.enable_aibridge
    error_message = "AI Bridge needs no API key env"
  }
}

run "workdir_root_stays_root" {
  command = plan

  variables {
    workdir = "/"
  }

  assert {
    condition     = local.inputs.workdir == "/"
    error_message = "trimming the slash of / would make it empty (= HOME)"
  }
}

# Last, so that a bundle over budget does not hide the other results. The budget is for a full,
# typical configuration (the same file bench/script-size.ts renders); the hard limit is 128 KiB.
run "start_script_fits_40_kib_with_a_typical_configuration" {
  command = plan

  variables {
    agent_id                 = jsondecode(file("test/fixtures/typical-config.json")).agent_id
    order                    = jsondecode(file("test/fixtures/typical-config.json")).order
    group                    = jsondecode(file("test/fixtures/typical-config.json")).group
    icon                     = jsondecode(file("test/fixtures/typical-config.json")).icon
    workdir                  = jsondecode(file("test/fixtures/typical-config.json")).workdir
    report_tasks             = jsondecode(file("test/fixtures/typical-config.json")).report_tasks
    subdomain                = jsondecode(file("test/fixtures/typical-config.json")).subdomain
    cli_app                  = jsondecode(file("test/fixtures/typical-config.json")).cli_app
    web_app_display_name     = jsondecode(file("test/fixtures/typical-config.json")).web_app_display_name
    cli_app_display_name     = jsondecode(file("test/fixtures/typical-config.json")).cli_app_display_name
    enable_aibridge          = jsondecode(file("test/fixtures/typical-config.json")).enable_aibridge
    model_reasoning_effort   = jsondecode(file("test/fixtures/typical-config.json")).model_reasoning_effort
    install_codex            = jsondecode(file("test/fixtures/typical-config.json")).install_codex
    codex_version            = jsondecode(file("test/fixtures/typical-config.json")).codex_version
    base_config_toml         = jsondecode(file("test/fixtures/typical-config.json")).base_config_toml
    additional_mcp_servers   = jsondecode(file("test/fixtures/typical-config.json")).additional_mcp_servers
    openai_api_key           = jsondecode(file("test/fixtures/typical-config.json")).openai_api_key
    install_agentapi         = jsondecode(file("test/fixtures/typical-config.json")).install_agentapi
    agentapi_version         = jsondecode(file("test/fixtures/typical-config.json")).agentapi_version
    codex_model              = jsondecode(file("test/fixtures/typical-config.json")).codex_model
    pre_install_script       = jsondecode(file("test/fixtures/typical-config.json")).pre_install_script
    post_install_script      = jsondecode(file("test/fixtures/typical-config.json")).post_install_script
    ai_prompt                = jsondecode(file("test/fixtures/typical-config.json")).ai_prompt
    continue                 = jsondecode(file("test/fixtures/typical-config.json")).continue
    codex_system_prompt      = jsondecode(file("test/fixtures/typical-config.json")).codex_system_prompt
    agentapi_port            = jsondecode(file("test/fixtures/typical-config.json")).agentapi_port
    enable_state_persistence = jsondecode(file("test/fixtures/typical-config.json")).enable_state_persistence
    task_log_snapshot        = jsondecode(file("test/fixtures/typical-config.json")).task_log_snapshot
    codex_install_source     = jsondecode(file("test/fixtures/typical-config.json")).codex_install_source
    github_url               = jsondecode(file("test/fixtures/typical-config.json")).github_url
    npm_registry_url         = jsondecode(file("test/fixtures/typical-config.json")).npm_registry_url
    codex_sha256             = jsondecode(file("test/fixtures/typical-config.json")).codex_sha256
    agentapi_sha256          = jsondecode(file("test/fixtures/typical-config.json")).agentapi_sha256
    js_runtime               = jsondecode(file("test/fixtures/typical-config.json")).js_runtime
    bun_version              = jsondecode(file("test/fixtures/typical-config.json")).bun_version
  }

  assert {
    condition     = length(var.codex_system_prompt) >= 2000 && var.base_config_toml != "" && var.additional_mcp_servers != "" && var.pre_install_script != "" && var.ai_prompt != ""
    error_message = "the typical configuration sets every variable, with a 2 KB system prompt"
  }
  assert {
    condition     = local.start_script_bytes <= 40960
    error_message = "the start script is ${local.start_script_bytes} bytes with a typical configuration; the budget is 40 KiB (40960)"
  }
}

run "start_script_size_is_counted_in_bytes" {
  command = plan

  variables {
    github_url = "https://mirrör.example/github" # the inputs are base64: only the stub's own values can be non-ASCII
  }

  assert {
    condition     = local.start_script_bytes > length(coder_script.start.script)
    error_message = "multi-byte characters count as bytes (the kernel's limit), not characters"
  }
}

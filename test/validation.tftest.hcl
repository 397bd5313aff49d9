# Each validation rejects its bad input (and only that variable fails).
# Run: terraform test -test-directory=test

variables {
  agent_id = "agent-1"
  workdir  = "/home/coder/project"
}

run "workdir_must_be_absolute" {
  command = plan
  variables {
    workdir = "project"
  }
  expect_failures = [var.workdir]
}

run "model_reasoning_effort_must_be_a_known_level" {
  command = plan
  variables {
    model_reasoning_effort = "extreme"
  }
  expect_failures = [var.model_reasoning_effort]
}

run "codex_version_must_be_a_version" {
  command = plan
  variables {
    codex_version = "0.169"
  }
  expect_failures = [var.codex_version]
}

run "codex_version_takes_npm_ranges_and_dist_tags_with_the_npm_source" {
  command = plan
  variables {
    codex_install_source = "npm"
    codex_version        = "^0.46.0 || next"
  }
}

run "codex_version_with_the_npm_source_is_still_one_safe_line" {
  command = plan
  variables {
    codex_install_source = "npm"
    codex_version        = "0.46'; rm -rf ~"
  }
  expect_failures = [var.codex_version]
}

run "agentapi_version_must_be_a_version" {
  command = plan
  variables {
    agentapi_version = "main"
  }
  expect_failures = [var.agentapi_version]
}

run "agentapi_port_must_be_at_least_1" {
  command = plan
  variables {
    agentapi_port = 0
  }
  expect_failures = [var.agentapi_port]
}

run "agentapi_port_must_be_at_most_65535" {
  command = plan
  variables {
    agentapi_port = 65536
  }
  expect_failures = [var.agentapi_port]
}

run "agentapi_port_must_be_an_integer" {
  command = plan
  variables {
    agentapi_port = 3284.5
  }
  expect_failures = [var.agentapi_port]
}

run "codex_install_source_must_be_github_or_npm" {
  command = plan
  variables {
    codex_install_source = "pip"
  }
  expect_failures = [var.codex_install_source]
}

run "github_url_must_be_http_or_https" {
  command = plan
  variables {
    github_url = "ftp://mirror.example"
  }
  expect_failures = [var.github_url]
}

run "github_url_must_not_hold_a_quote" {
  command = plan
  variables {
    github_url = "https://mirror.example/'x"
  }
  expect_failures = [var.github_url]
}

run "npm_registry_url_must_be_a_url" {
  command = plan
  variables {
    npm_registry_url = "registry.example"
  }
  expect_failures = [var.npm_registry_url]
}

run "codex_sha256_must_be_64_hex" {
  command = plan
  variables {
    codex_sha256 = "abc"
  }
  expect_failures = [var.codex_sha256]
}

run "agentapi_sha256_must_be_64_hex" {
  command = plan
  variables {
    agentapi_sha256 = "gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg"
  }
  expect_failures = [var.agentapi_sha256]
}

run "js_runtime_must_be_known" {
  command = plan
  variables {
    js_runtime = "python"
  }
  expect_failures = [var.js_runtime]
}

run "bun_version_must_be_pinned" {
  command = plan
  variables {
    bun_version = "1.0.0"
  }
  expect_failures = [var.bun_version]
}

run "enable_aibridge_refuses_an_api_key" {
  command = plan
  variables {
    enable_aibridge = true
    openai_api_key  = "sk-test-0123456789"
  }
  expect_failures = [var.enable_aibridge]
}

run "valid_non_default_values_pass" {
  command = plan
  variables {
    model_reasoning_effort = "xhigh"
    codex_version          = "latest"
    agentapi_version       = ""
    agentapi_port          = 65535
    codex_install_source   = "npm"
    github_url             = "http://127.0.0.1:8080/gh"
    npm_registry_url       = "https://registry.example/npm/"
    codex_sha256           = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ABCDEF"
    agentapi_sha256        = "D79B9FB8EE8992375896F97D7A7C5C6C49C258D1FA517559BCFFB7B00FB889DE"
    js_runtime             = "deno"
  }
  assert {
    condition     = local.inputs.codex_install_source == "npm" && local.inputs.npm_registry_url == "https://registry.example/npm/"
    error_message = "valid values pass through"
  }
}

run "codex_system_prompt_must_not_hold_the_agents_md_markers" {
  command = plan
  variables {
    codex_system_prompt = "line1\n<!-- END codex-boot managed -->\nafter-end"
  }
  expect_failures = [coder_script.start]
}

run "ai_prompt_must_be_at_most_64_KiB" {
  command = plan
  variables {
    ai_prompt = join("", [for i in range(1024) : "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef!"]) # 66560 bytes
  }
  expect_failures = [coder_script.start]
}

run "ai_prompt_limit_counts_bytes_not_characters" {
  command = plan
  variables {
    ai_prompt = join("", [for i in range(1024) : "€€€€€€€€€€€€€€€€€€€€€€"]) # 22528 characters, 67584 bytes
  }
  expect_failures = [coder_script.start]
}

run "ai_prompt_of_exactly_64_KiB_is_accepted" {
  command = plan
  variables {
    ai_prompt = join("", [for i in range(1024) : "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"]) # 65536 bytes
  }
}

run "a_start_script_over_128_KiB_is_refused_at_plan" {
  command = plan
  variables {
    # 256000 hex digits: about 128 KB once gzipped, so the script cannot fit whatever the bundle.
    codex_system_prompt = join("", [for i in range(1000) : join("", [for k in ["a", "b", "c", "d"] : sha256("${k}${i}")])])
  }
  expect_failures = [coder_script.start]
}

run "inputs_over_128_KiB_unpacked_are_refused_at_plan_however_well_they_compress" {
  command = plan
  variables {
    # 102400 characters that gzip to almost nothing: the script is small, CODEX_BOOT_CONFIG is not.
    codex_system_prompt = join("", [for i in range(1024) : "Be brief. Be brief. Be brief. Be brief. Be brief. Be brief. Be brief. Be brief. Be brief. Be brief. "])
  }
  expect_failures = [coder_script.start]
}

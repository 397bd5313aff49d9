// The document the module manages in config.toml, built from the inputs alone.
import { describe, expect, test } from "bun:test";
import { parse } from "smol-toml";
import { managedDocument, parseInput } from "../../src/codex-config.ts";
import { defaults, InputError, type Inputs } from "../../src/inputs.ts";

const inputs = (over: Partial<Inputs> = {}): Inputs => ({ ...defaults(), ...over });
const doc = (over: Partial<Inputs> = {}, warnings: string[] = []) =>
  JSON.parse(JSON.stringify(managedDocument(inputs(over), "/home/coder/project", warnings)));

const inputError = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error("expected an InputError");
};

describe("managed document", () => {
  test("without base_config_toml it holds the seed's secure defaults, the model and the trusted workdir", () => {
    expect(doc()).toEqual({
      sandbox_mode: "workspace-write",
      approval_policy: "never",
      sandbox_workspace_write: { network_access: true },
      model: "gpt-5.2-codex",
      model_reasoning_effort: "medium",
      features: { shell_snapshot: false },
      projects: { "/home/coder/project": { trust_level: "trusted" } },
      mcp_servers: {
        Coder: {
          command: "coder",
          args: ["exp", "mcp", "server"],
          env: {
            CODER_MCP_APP_STATUS_SLUG: "codex",
            CODER_MCP_AI_AGENTAPI_URL: "http://localhost:3284",
            CODER_MCP_ALLOWED_TOOLS: "coder_report_task",
          },
          env_vars: ["CODER_AGENT_URL", "CODER_AGENT_TOKEN", "CODER_AGENT_SOCKET_PATH"],
          default_tools_approval_mode: "approve",
        },
      },
    });
  });

  test("the Coder MCP server follows app_slug and agentapi_port, and report_tasks = false empties the slug", () => {
    expect(doc({ app_slug: "my-codex", agentapi_port: 4000 }).mcp_servers.Coder.env).toEqual({
      CODER_MCP_APP_STATUS_SLUG: "my-codex",
      CODER_MCP_AI_AGENTAPI_URL: "http://localhost:4000",
      CODER_MCP_ALLOWED_TOOLS: "coder_report_task",
    });
    expect(doc({ report_tasks: false }).mcp_servers.Coder.env).toEqual({
      CODER_MCP_APP_STATUS_SLUG: "",
      CODER_MCP_ALLOWED_TOOLS: "coder_report_task",
    });
  });

  test("Codex's shell snapshot (a 0644 dump of the environment, secrets included) is off even with base_config_toml", () => {
    expect(doc().features).toEqual({ shell_snapshot: false });
    expect(doc({ base_config_toml: "[features]\nshell_snapshot = true\nweb_search = true\n" }).features).toEqual({
      shell_snapshot: false,
      web_search: true,
    });
  });

  test("base_config_toml's model_reasoning_effort wins over the variable's default (as in coder-labs/codex)", () => {
    expect(doc({ base_config_toml: 'model_reasoning_effort = "high"\n' }).model_reasoning_effort).toBe("high");
    expect(doc({ base_config_toml: 'model_reasoning_effort = "high"\n', model_reasoning_effort: "low" }).model_reasoning_effort).toBe("high");
    expect(doc({ base_config_toml: 'approval_policy = "never"\n' }).model_reasoning_effort).toBe("medium");
  });

  test("base_config_toml replaces the defaults; model and the module's tables still apply", () => {
    const d = doc({ base_config_toml: 'approval_policy = "on-request"\nmodel = "overridden"\n[tui]\nanimations = false\n' });
    expect(d.approval_policy).toBe("on-request");
    expect(d).not.toHaveProperty("sandbox_mode");
    expect(d.tui).toEqual({ animations: false });
    expect(d.model).toBe("gpt-5.2-codex");
    expect(Object.keys(d.mcp_servers)).toEqual(["Coder"]);
  });

  test("additional_mcp_servers as [tables] and as inline tables give the same servers", () => {
    const tables = doc({ additional_mcp_servers: '[mcp_servers.github]\ncommand = "gh-mcp"\nargs = ["--stdio"]\n[mcp_servers.github.env]\nX = "1"\n' });
    const inline = doc({ additional_mcp_servers: 'mcp_servers = { github = { command = "gh-mcp", args = ["--stdio"], env = { X = "1" } } }' });
    expect(inline).toEqual(tables);
    expect(tables.mcp_servers.github).toEqual({ command: "gh-mcp", args: ["--stdio"], env: { X: "1" } });
    expect(tables.mcp_servers.Coder.command).toBe("coder");
  });

  test("an additional server named Coder replaces the built-in one, with a warning", () => {
    const warnings: string[] = [];
    const d = doc({ additional_mcp_servers: '[mcp_servers.Coder]\nurl = "http://127.0.0.1:9/mcp"\n' }, warnings);
    expect(d.mcp_servers.Coder).toEqual({ url: "http://127.0.0.1:9/mcp" });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toBe("additional_mcp_servers replaces codex-boot's [mcp_servers.Coder]");
  });

  test("additional_mcp_servers that sets anything but MCP servers is refused with the fix", () => {
    const msg = inputError(() => doc({ additional_mcp_servers: 'model = "x"\n[mcp_servers.a]\ncommand = "a"\n' }));
    expect(msg).toContain('input "additional_mcp_servers" may only define [mcp_servers.NAME] tables');
    expect(msg).toContain('"model"');
    expect(msg).toContain("Put other settings in base_config_toml");
    expect(inputError(() => doc({ additional_mcp_servers: 'mcp_servers.a = "not a table"' }))).toContain('"mcp_servers.a"');
    expect(inputError(() => doc({ additional_mcp_servers: "mcp_servers = 3" }))).toContain('"mcp_servers"');
    expect(Object.keys(doc({ additional_mcp_servers: "mcp_servers = {}" }).mcp_servers)).toEqual(["Coder"]);
  });

  test("invalid TOML in either input names the variable, the line and the column", () => {
    const base = inputError(() => doc({ base_config_toml: 'model = "a"\nsandbox_mode = = 1\n' }));
    expect(base).toMatch(/^input "base_config_toml" is not valid TOML \(line 2, column \d+: .+\)\. Fix the TOML in base_config_toml$/);
    const extra = inputError(() => doc({ additional_mcp_servers: '[mcp_servers.a]\ncommand = "a"\n[mcp_servers.a\n' }));
    expect(extra).toMatch(/^input "additional_mcp_servers" is not valid TOML \(line 3, column \d+: /);
  });

  test("enable_aibridge selects the aibridge provider at top level, not through [profiles]", () => {
    const d = doc({ enable_aibridge: true, aibridge_base_url: "https://coder.example/api/v2/aibridge/openai/v1" });
    expect(d.model_provider).toBe("aibridge");
    expect(d.model_providers.aibridge).toEqual({
      name: "AI Bridge",
      base_url: "https://coder.example/api/v2/aibridge/openai/v1",
      env_key: "CODER_AIBRIDGE_SESSION_TOKEN",
      wire_api: "responses",
    });
    expect(d).not.toHaveProperty("profiles");
    expect(doc()).not.toHaveProperty("model_provider");
  });

  test("enable_aibridge without aibridge_base_url is a bad input naming aibridge_base_url", () => {
    expect(inputError(() => doc({ enable_aibridge: true }))).toContain('input "aibridge_base_url" is empty but enable_aibridge is true');
  });

  test("parseInput keeps unicode and CRLF input intact", () => {
    expect(parseInput('name = "Ünïcødé ✓"\r\n[t]\r\nk = 1\r\n', "base_config_toml")).toEqual(
      parse('name = "Ünïcødé ✓"\n[t]\nk = 1\n'),
    );
  });
});

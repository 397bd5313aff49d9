// config.toml: the document the module manages, merged key by key into what is on disk, plus the
// commands that belong to Codex's configuration (workdir, API-key login).
import { join } from "node:path";
import { parse, stringify, type TomlError } from "smol-toml";
import { InputError, type Inputs, type Secrets } from "./inputs.ts";
import type { CommandStep, Facts, FileStep } from "./plan.ts";
import { dotted, isTable, leaves, mergeOwned, table, type Table } from "./toml-merge.ts";

const tomlWhy = (e: unknown) => {
  const t = e as TomlError;
  return `line ${t.line}, column ${t.column}: ${t.message.split("\n")[0]!.replace(/^Invalid TOML document: /, "")}`;
};

/** Parses TOML given as an input; an error names the variable, line and column. */
export function parseInput(text: string, key: string): Table {
  try {
    return parse(text);
  } catch (e) {
    throw new InputError(`input "${key}" is not valid TOML (${tomlWhy(e)}). Fix the TOML in ${key}`);
  }
}

export function managedDocument(inputs: Inputs, workdir: string, warnings: string[] = []): Table {
  const doc: Table = inputs.base_config_toml.trim()
    ? parseInput(inputs.base_config_toml, "base_config_toml")
    : {
      sandbox_mode: "workspace-write",
      approval_policy: "never",
      preferred_auth_method: "apikey",
      sandbox_workspace_write: { network_access: true },
    };
  if (inputs.codex_model) doc.model = inputs.codex_model;
  if (inputs.model_reasoning_effort) doc.model_reasoning_effort = inputs.model_reasoning_effort;
  // Codex's shell snapshot writes the whole environment (API key, agent token) to a 0644 file.
  table(doc, "features").shell_snapshot = false;
  // An unattended task must never stop at Codex's "do you trust this folder" prompt.
  table(table(doc, "projects"), workdir).trust_level = "trusted";

  const servers = table(doc, "mcp_servers");
  servers.Coder = {
    command: "coder",
    args: ["exp", "mcp", "server"],
    env: {
      CODER_MCP_APP_STATUS_SLUG: inputs.report_tasks ? inputs.app_slug : "",
      ...(inputs.report_tasks ? { CODER_MCP_AI_AGENTAPI_URL: `http://localhost:${inputs.agentapi_port}` } : {}),
      CODER_MCP_ALLOWED_TOOLS: "coder_report_task",
    },
    // Secrets are forwarded from Codex's environment, never written to disk.
    env_vars: ["CODER_AGENT_URL", "CODER_AGENT_TOKEN"],
    // With approval_policy = "never" Codex refuses MCP calls that need approval: report_task must not.
    default_tools_approval_mode: "approve",
  };
  if (inputs.additional_mcp_servers.trim()) {
    const extra = parseInput(inputs.additional_mcp_servers, "additional_mcp_servers");
    const bad = Object.entries(extra).flatMap(([k, v]) =>
      k !== "mcp_servers" || !isTable(v) ? [k] : Object.keys(v).filter((n) => !isTable(v[n])).map((n) => `mcp_servers.${n}`));
    if (bad.length) {
      throw new InputError(
        `input "additional_mcp_servers" may only define MCP servers as [mcp_servers.NAME] tables, but it sets ${bad.map((k) => `"${k}"`).join(", ")}. Put other settings in base_config_toml`,
      );
    }
    for (const [name, server] of Object.entries((extra.mcp_servers ?? {}) as Table)) {
      if (servers[name]) warnings.push(`additional_mcp_servers: [mcp_servers.${dotted([name])}] replaces the "${name}" MCP server codex-boot would configure`);
      servers[name] = server;
    }
  }
  if (inputs.enable_aibridge) {
    if (!inputs.aibridge_base_url) {
      throw new InputError('input "aibridge_base_url" is empty but enable_aibridge is true. Set aibridge_base_url to the AI Bridge OpenAI URL of the deployment');
    }
    // Top-level selection: current Codex reads --profile NAME as a file, not [profiles.NAME].
    doc.model_provider = "aibridge";
    table(doc, "model_providers").aibridge = {
      name: "AI Bridge",
      base_url: inputs.aibridge_base_url,
      env_key: "CODER_AIBRIDGE_SESSION_TOKEN",
      wire_api: "responses",
    };
  }
  return doc;
}

/** Like Codex's `login status`: the first 8 and last 5 characters; keys of 13 or fewer show none. */
export const maskKey = (key: string) => (key.length > 13 ? `${key.slice(0, 8)}***${key.slice(-5)}` : null);

export function planConfigFiles(inputs: Inputs, secrets: Secrets, facts: Facts) {
  const warnings: string[] = [];
  const workdir = inputs.workdir || facts.paths.home;
  const managed = managedDocument(inputs, workdir, warnings);
  if (inputs.enable_aibridge && !secrets.CODER_AIBRIDGE_SESSION_TOKEN) {
    warnings.push("enable_aibridge is true but CODER_AIBRIDGE_SESSION_TOKEN is not set: Codex cannot authenticate to AI Bridge");
  }

  const text = facts.files.configToml;
  let disk: Table = {};
  if (text !== null) {
    try {
      disk = parse(text);
    } catch (e) {
      warnings.push(
        `${facts.paths.configToml} is not valid TOML (${tomlWhy(e)}): it will be moved to config.toml.invalid-<time> and a fresh file written`,
      );
    }
  }
  const before = text === null ? null : stringify(disk);
  const last = facts.state.config?.owned; // state.json is hand-editable: take only what looks like paths
  const merge = mergeOwned(disk, Array.isArray(last) ? last.filter(Array.isArray) : [], managed);
  const after = stringify(disk);
  const owned = new Set(merge.owned.map((p) => JSON.stringify(p)));
  const kept = leaves(disk).map(([p]) => p).filter((p) => !owned.has(JSON.stringify(p))).map(dotted);
  const notes = [
    ...merge.replaced.map((k) => `${k}: the file had another value; set to the managed one`),
    ...merge.removed.map((k) => `${k}: removed (codex-boot no longer manages it)`),
    ...(kept.length ? [`kept your keys: ${kept.join(", ")}`] : []),
  ];
  // Same meaning as on disk: keep the user's bytes (formatting, comments) untouched.
  const unchanged = before === after;
  const file: FileStep = {
    path: facts.paths.configToml,
    mode: 0o600,
    action: text === null ? "create" : unchanged ? "unchanged" : "update",
    content: unchanged ? text! : after,
    notes,
  };

  const codex = inputs.install_codex || !facts.onPath.codex ? join(facts.paths.binDir, "codex") : facts.onPath.codex;
  const useKey = !!secrets.OPENAI_API_KEY && !inputs.enable_aibridge;
  const commands: CommandStep[] = [
    {
      name: "workdir", argv: ["mkdir", "-p", "-m", "0755", workdir],
      action: facts.workdirExists ? "skip" : "run", reason: facts.workdirExists ? "workdir exists" : "workdir does not exist yet",
    },
    {
      name: "login", argv: [codex, "login", "--with-api-key"], stdinSecret: useKey ? "OPENAI_API_KEY" : undefined,
      action: useKey ? "run" : "skip",
      reason: useKey
        ? "unless `codex login status` already shows this key"
        : inputs.enable_aibridge ? "AI Bridge authenticates with CODER_AIBRIDGE_SESSION_TOKEN" : "OPENAI_API_KEY is not set",
    },
  ];
  return { files: [file], commands, warnings, owned: merge.owned };
}

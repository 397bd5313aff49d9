// config.toml: the document the module manages, merged key by key into what is on disk, plus the
// commands that belong to Codex's configuration (workdir, API-key login).
import { parse, stringify, type TomlError } from "smol-toml";
import { InputError, type Inputs, type Secrets } from "./inputs.ts";
import type { CommandStep, Facts, FileStep } from "./plan.ts";
import { dotted, isTable, leaves, mergeOwned, table, type Table } from "./toml-merge.ts";

/** smol-toml's message is "Invalid TOML document: why" and then the source: keep only the why. */
const tomlWhy = ({ line, column, message }: TomlError) => `line ${line}, column ${column}: ${message.match(/: (.*)/)![1]}`;

/** Parses TOML given as an input; an error names the variable, line and column. */
export function parseInput(text: string, key: string): Table {
  try {
    return parse(text);
  } catch (e) {
    throw new InputError(`input "${key}" is not valid TOML (${tomlWhy(e as TomlError)}). Fix the TOML in ${key}`);
  }
}

export function managedDocument(inputs: Inputs, workdir: string, warnings: string[]): Table {
  const doc = inputs.base_config_toml.trim()
    ? parseInput(inputs.base_config_toml, "base_config_toml")
    : { sandbox_mode: "workspace-write", approval_policy: "never", sandbox_workspace_write: { network_access: true } } as Table;
  if (inputs.codex_model) doc.model = inputs.codex_model;
  // A key base_config_toml sets wins over the variable's value (the seed wrote it only into its
  // own defaults); codex_model always wins, as the seed's `codex --model` did.
  doc.model_reasoning_effort ??= inputs.model_reasoning_effort;
  // Codex's shell snapshot writes the whole environment (API key, agent token) to a 0644 file.
  table(doc, "features").shell_snapshot = false;
  // An unattended task must never stop at Codex's "do you trust this folder" prompt.
  table(table(doc, "projects"), workdir).trust_level = "trusted";

  const report = inputs.report_tasks;
  const servers = table(doc, "mcp_servers");
  servers.Coder = {
    command: "coder",
    args: ["exp", "mcp", "server"],
    env: {
      CODER_MCP_APP_STATUS_SLUG: report ? inputs.app_slug : "",
      ...(report && { CODER_MCP_AI_AGENTAPI_URL: `http://localhost:${inputs.agentapi_port}` }),
      CODER_MCP_ALLOWED_TOOLS: "coder_report_task",
    },
    // Secrets are forwarded from Codex's environment, never written to disk. Coder v2.36's
    // `coder exp mcp server` reports through the agent's socket: its path too, when the agent sets it.
    env_vars: ["CODER_AGENT_URL", "CODER_AGENT_TOKEN", "CODER_AGENT_SOCKET_PATH"],
    // With approval_policy = "never" Codex refuses MCP calls that need approval: report_task must not.
    default_tools_approval_mode: "approve",
  };
  for (const [path, server] of leaves(parseInput(inputs.additional_mcp_servers, "additional_mcp_servers"))) {
    const [top, name] = path;
    if (top !== "mcp_servers" || !isTable(server)) {
      throw new InputError(`input "additional_mcp_servers" may only define [mcp_servers.NAME] tables, not "${dotted(path)}". Put other settings in base_config_toml`);
    }
    if (name === undefined) continue; // an empty `mcp_servers = {}`
    if (servers[name]) warnings.push(`additional_mcp_servers replaces codex-boot's [${dotted(path)}]`);
    servers[name] = server;
  }
  if (inputs.enable_aibridge) {
    if (!inputs.aibridge_base_url) {
      throw new InputError(`input "aibridge_base_url" is empty but enable_aibridge is true. Set it to the deployment's AI Bridge OpenAI URL`);
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

export function planConfigFiles(inputs: Inputs, secrets: Secrets, facts: Facts) {
  const warnings: string[] = [];
  const { paths, files } = facts;
  const workdir = inputs.workdir || paths.home;
  const managed = managedDocument(inputs, workdir, warnings);
  if (inputs.enable_aibridge && !secrets.CODER_AIBRIDGE_SESSION_TOKEN) {
    warnings.push("CODER_AIBRIDGE_SESSION_TOKEN is not set: Codex cannot authenticate to AI Bridge");
  }

  const text = files.configToml;
  let disk: Table = {};
  let invalid = false;
  try {
    disk = parse(text ?? "");
  } catch (e) {
    invalid = true;
    warnings.push(`${paths.configToml} is not valid TOML (${tomlWhy(e as TomlError)}): it will be moved to config.toml.invalid-<time>`);
  }
  const before = stringify(disk);
  const { owned, notes } = mergeOwned(disk, facts.state.config?.owned ?? [], managed); // readState checked its shape
  const after = stringify(disk);
  // Same meaning as on disk: keep the user's bytes (formatting, comments) untouched.
  const content = text !== null && before === after ? text : after;
  const file: FileStep = {
    path: paths.configToml,
    mode: 0o600,
    action: text === null ? "create" : text === content ? "unchanged" : "update",
    content,
    notes,
  };

  const codex = inputs.install_codex || !facts.onPath.codex ? `${paths.binDir}/codex` : facts.onPath.codex;
  const useKey = !!secrets.OPENAI_API_KEY && !inputs.enable_aibridge;
  const commands: CommandStep[] = [
    {
      name: "workdir", argv: ["mkdir", "-p", "-m", "0755", workdir],
      action: facts.workdirExists ? "skip" : "run", reason: facts.workdirExists ? "exists" : "missing",
    },
    {
      name: "login", argv: [codex, "login", "--with-api-key"], stdinSecret: useKey ? "OPENAI_API_KEY" : undefined,
      action: useKey ? "run" : "skip",
      reason: useKey
        ? "unless Codex already holds this key"
        : inputs.enable_aibridge ? "AI Bridge authenticates with CODER_AIBRIDGE_SESSION_TOKEN" : "OPENAI_API_KEY is not set",
    },
  ];
  return { files: [file], commands, warnings, owned, invalid };
}

// The command line: which command, which flags, and the help of each. Pure (argv in, data out).
// node:util parseArgs instead of a parser package: it is built into Bun, Deno and Node, and
// non-strict mode lets every error below read the same under all three.
import { parseArgs } from "node:util";
import { InputError, type Inputs } from "./inputs.ts";
import type { Command } from "./plan.ts";

interface Flag {
  type: "string" | "boolean";
  /** The value's placeholder in the help, for a string flag. */
  value?: string;
  short?: string;
  help: string;
  /** The input the flag sets (flags > CODEX_BOOT_CONFIG > --config file > defaults). */
  input?: keyof Inputs;
}

export const FLAGS = {
  config: { type: "string", value: "<file>", help: "read inputs from a JSON file (keys are the Terraform variable names)" },
  "dry-run": { type: "boolean", help: "print the plan; write nothing, contact nothing" },
  json: { type: "boolean", help: "print JSON: the plan with --dry-run, the status with status" },
  verbose: { type: "boolean", help: "print stack traces on errors" },
  workdir: { type: "string", value: "<dir>", input: "workdir", help: "input workdir: the directory Codex works in" },
  model: { type: "string", value: "<model>", input: "codex_model", help: "input codex_model" },
  "codex-version": { type: "string", value: "<version>", input: "codex_version", help: "input codex_version" },
  "agentapi-version": { type: "string", value: "<version>", input: "agentapi_version", help: "input agentapi_version" },
  prompt: { type: "string", value: "<text>", input: "ai_prompt", help: "input ai_prompt: the first task for Codex" },
  help: { type: "boolean", short: "h", help: "print this help" },
  version: { type: "boolean", short: "v", help: "print the version" },
} satisfies Record<string, Flag>;

export type FlagName = keyof typeof FLAGS;
const COMMON: FlagName[] = ["config", "dry-run", "json", "verbose", "help"];

/** The summary is what the command does, in the global help and the command's own. */
export const COMMANDS: Record<Command, { summary: string; flags: FlagName[] }> = {
  start: {
    summary: "install, configure, then launch Codex behind AgentAPI or keep the running one (the default)",
    flags: [...COMMON, "workdir", "model", "codex-version", "agentapi-version", "prompt"],
  },
  install: {
    summary: "install and verify Codex and AgentAPI in ~/.codex-module/bin, run pre/post_install_script",
    flags: [...COMMON, "codex-version", "agentapi-version"],
  },
  configure: {
    summary: "write ~/.codex/config.toml (keeping your keys) and AGENTS.md, log Codex in",
    flags: [...COMMON, "workdir", "model"],
  },
  stop: {
    summary: "post the chat to Coder as the task's log snapshot, stop AgentAPI gracefully",
    flags: COMMON,
  },
  status: {
    summary: "what is installed and running, and the session continue would resume",
    flags: COMMON,
  },
};

export interface Args {
  command: Command;
  /** Without a command the help is global. */
  explicitCommand: boolean;
  dryRun: boolean;
  json: boolean;
  verbose: boolean;
  help: boolean;
  version: boolean;
  config?: string;
  /** The inputs set by flags, as strings (the schema checks them). */
  inputs: Partial<Record<keyof Inputs, string>>;
}

const usageError = (why: string, command?: Command) =>
  new InputError(`${why}. Run codex-boot ${command ? `${command} ` : ""}--help for usage`);

export function parseArgv(argv: string[]): Args {
  // One table for the parser and the help: parseArgs reads type and short and ignores the other keys (Bun, Deno and Node alike).
  const { tokens } = parseArgs({ args: argv, options: FLAGS, strict: false, allowPositionals: true, tokens: true });
  const positionals = tokens.filter((t) => t.kind === "positional").map((t) => t.value);
  if (positionals.length > 1) throw usageError(`one command at a time, got ${positionals.map((p) => JSON.stringify(p)).join(" and ")}`);
  const word = positionals[0];
  if (word !== undefined && !(word in COMMANDS)) {
    throw usageError(`unknown command ${JSON.stringify(word)}; expected one of ${Object.keys(COMMANDS).join(", ")}`);
  }
  const command = (word ?? "start") as Command;
  const seen = new Map<FlagName, string | undefined>();
  const inputs: Args["inputs"] = {};
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const written = t.rawName;
    if (!(t.name in FLAGS)) throw usageError(`unknown flag ${written}`, word ? command : undefined);
    const name = t.name as FlagName;
    const flag: Flag = FLAGS[name];
    // --help is a flag of every command; --version of none, but it prints the version with any.
    if (name !== "version" && !COMMANDS[command].flags.includes(name)) {
      throw usageError(`flag ${written} does not apply to ${command}`, command);
    }
    if (flag.value && t.value === undefined) throw usageError(`flag ${written} needs a value ${flag.value}`, command);
    if (!flag.value && t.value !== undefined) throw usageError(`flag ${written} takes no value`, command);
    if (seen.has(name)) throw usageError(`flag ${written} is given twice`, command);
    seen.set(name, t.value);
    if (flag.input) inputs[flag.input] = t.value;
  }
  const args: Args = {
    command,
    explicitCommand: word !== undefined,
    dryRun: seen.has("dry-run"),
    json: seen.has("json"),
    verbose: seen.has("verbose"),
    help: seen.has("help"),
    version: seen.has("version"),
    config: seen.get("config"),
    inputs,
  };
  // --json only shapes output: alone it must not turn into a real run that downloads and writes.
  if (args.json && !args.dryRun && command !== "status" && !args.help) {
    throw usageError(`--json prints a plan: add --dry-run to preview ${command} as JSON (nothing is written)`, command);
  }
  return args;
}

function flagLines(names: FlagName[]): string[] {
  const label = (n: FlagName) => {
    const f: Flag = FLAGS[n];
    return `${f.short ? `-${f.short}, ` : "    "}--${n}${f.value ? ` ${f.value}` : ""}`;
  };
  const width = Math.max(...names.map((n) => label(n).length));
  return names.map((n) => `  ${label(n).padEnd(width)}  ${FLAGS[n].help}`);
}

/** Global help without a command, else the command's own. */
export function helpText(version: string, command?: Command): string {
  const lines = command
    ? [
        `codex-boot ${version}`,
        "",
        `Usage: codex-boot ${command} [flags]`,
        "",
        COMMANDS[command].summary,
        "",
        "Flags:",
        ...flagLines(COMMANDS[command].flags),
        "",
        "Inputs: flags > CODEX_BOOT_CONFIG (set by the module) > --config > defaults.",
        "Secrets (OPENAI_API_KEY, ...) come from the environment only.",
      ]
    : [
        `codex-boot ${version}: runs Codex behind AgentAPI in a Coder workspace`,
        "",
        "Usage: codex-boot [command] [flags]",
        "",
        "Commands:",
        ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)}  ${c.summary}`),
        "",
        "Flags:",
        ...flagLines([...COMMON, "version"]),
        "",
        "Run codex-boot <command> --help for the flags a command takes.",
      ];
  return lines.join("\n");
}

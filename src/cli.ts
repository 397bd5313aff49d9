// Entry point: argv (cac) -> inputs -> facts -> plan -> dry-run print or executors.
import { cac } from "cac";
import { readFileSync } from "node:fs";
import {
  InputError, SECRET_ENV, checkCombination, decodeEnvConfig, parseJson, parseLayer, readSecrets, resolveInputs, scrub, type Inputs,
} from "./inputs.ts";
import { buildPlan, type Command } from "./plan.ts";
import { gatherFacts } from "./facts.ts";
import { errorLine, out, renderPlan, setScrubber, step, warn } from "./log.ts";
import { VERSION } from "./version.ts";
import type { RunContext } from "./context.ts";
import { runConfigure } from "./configure.ts";
import { runInstall } from "./install/run.ts";
import { runLaunch } from "./launch.ts";
import { runStop } from "./stop.ts";
import { runStatus } from "./status.ts";
import { acquireLock } from "./lock.ts";
import { pathsFor } from "./paths.ts";
import { makeDir } from "./fsutil.ts";
import { homedir } from "node:os";

const COMMANDS: Command[] = ["start", "install", "configure", "stop", "status"];

interface Flags {
  config?: string;
  dryRun?: boolean;
  json?: boolean;
  verbose?: boolean;
}

/** Flag name -> the input it sets. */
const FLAG_INPUTS: Record<string, keyof Inputs> = {
  workdir: "workdir", model: "codex_model", "codex-version": "codex_version", "agentapi-version": "agentapi_version", prompt: "ai_prompt",
};

/**
 * The values of the input flags exactly as typed. cac's parser (mri) turns number-like values into
 * numbers ("007" -> 7, "1e3" -> 1000, 20 digits lose some), so they are read from argv here with
 * mri's own rules: `--name=value`, or `--name value` unless value starts with "-"; "--" ends flags.
 */
export function flagValues(argv: string[]): Map<string, (string | null)[]> {
  const seen = new Map<string, (string | null)[]>();
  for (let i = 0; i < argv.length && argv[i] !== "--"; i++) {
    const m = /^--([^=]+)(?:=([\s\S]*))?$/.exec(argv[i]!);
    if (!m || !Object.hasOwn(FLAG_INPUTS, m[1]!)) continue;
    let value: string | null = m[2] ?? null;
    if (value === null && i + 1 < argv.length && !argv[i + 1]!.startsWith("-")) value = argv[++i]!;
    seen.set(m[1]!, [...(seen.get(m[1]!) ?? []), value]);
  }
  return seen;
}

function flagLayer(argv: string[]): Partial<Inputs> {
  const raw: Record<string, unknown> = {};
  for (const [name, values] of flagValues(argv)) {
    if (values.length !== 1 || values[0] === null) throw new InputError(`flag --${name} needs exactly one value`);
    raw[FLAG_INPUTS[name]!] = values[0];
  }
  return parseLayer(raw, "command-line flags");
}

export function loadInputs(flags: Flags, env: Record<string, string | undefined>, argv: string[] = []): Inputs {
  const layers: Partial<Inputs>[] = [];
  if (flags.config) {
    let text: string;
    try {
      text = readFileSync(flags.config, "utf8");
    } catch (e) {
      throw new InputError(`--config ${flags.config} cannot be read: ${(e as Error).message}`);
    }
    const origin = `--config ${flags.config}`;
    layers.push(parseLayer(parseJson(text, origin), origin));
  }
  if (env.CODEX_BOOT_CONFIG) layers.push(parseLayer(decodeEnvConfig(env.CODEX_BOOT_CONFIG), "CODEX_BOOT_CONFIG"));
  layers.push(flagLayer(argv));
  return resolveInputs(layers);
}

/** The installer's dirs with their modes made explicit (the umask may be 000) before anything lands there. */
const install = ({ facts: { paths } }: RunContext) => (makeDir(paths.moduleDir, 0o700), makeDir(paths.binDir, 0o755));

const EXECUTORS: Record<Command, (ctx: RunContext) => Promise<void>> = {
  start: async (ctx) => {
    install(ctx);
    await runInstall(ctx);
    await runConfigure(ctx);
    await runLaunch(ctx);
  },
  install: (ctx) => (install(ctx), runInstall(ctx)),
  configure: runConfigure,
  stop: runStop,
  status: runStatus,
};

async function run(command: string, flags: Flags, argv: string[]): Promise<number> {
  // No group or world write, whatever umask the agent runs us with (000 made ~/.codex 0777); what
  // we and our children (Codex, agentapi, scripts) create inherits it.
  process.umask(process.umask(0o022) | 0o022);
  const env = process.env as Record<string, string | undefined>;
  const secrets = readSecrets(env);
  setScrubber((s) => scrub(s, secrets));
  let release: (() => void) | undefined;
  try {
    if (!COMMANDS.includes(command as Command)) {
      throw new InputError(`unknown command "${command}"; expected one of ${COMMANDS.join(", ")}`);
    }
    const inputs = loadInputs(flags, env, argv);
    checkCombination(inputs, secrets);
    // Runs that change the machine take turns per HOME, and read its facts only once it is theirs.
    if (!flags.dryRun && command !== "status") {
      const lock = pathsFor(env.HOME || homedir(), env.CODEX_HOME).bootLock;
      release = await acquireLock(lock, (pid) => step(`waiting for codex-boot pid ${pid} to finish (${lock})`));
    }
    const facts = gatherFacts(inputs, env, SECRET_ENV, command === "stop" || command === "status");
    const plan = buildPlan(command as Command, inputs, secrets, facts);
    if (flags.dryRun) {
      out(flags.json ? JSON.stringify(plan, null, 2) : renderPlan(plan));
      return 0;
    }
    for (const w of plan.warnings) warn(w);
    await EXECUTORS[command as Command]({ plan, inputs, secrets, facts, env, json: !!flags.json, verbose: !!flags.verbose });
    return 0;
  } catch (e) {
    const err = e as Error;
    errorLine(err.message);
    if (flags.verbose && !(e instanceof InputError) && err.stack) errorLine(err.stack);
    return e instanceof InputError ? 2 : 1;
  } finally {
    release?.();
  }
}

export function main(argv: string[] = process.argv): void {
  const cli = cac("codex-boot");
  cli
    .command("[command]", "start (default) | install | configure | stop | status")
    .option("--config <file>", "Read inputs from a JSON file (keys are the Terraform variable names)")
    .option("--dry-run", "Print what would be done; write nothing, contact nothing")
    .option("--json", "With --dry-run or status: print JSON")
    .option("--verbose", "More detail, stack traces on errors")
    .option("--workdir <dir>", "Input workdir: the directory Codex works in")
    .option("--model <model>", "Input codex_model")
    .option("--codex-version <version>", "Input codex_version")
    .option("--agentapi-version <version>", "Input agentapi_version")
    .option("--prompt <text>", "Input ai_prompt: the initial task prompt")
    .option("-v, --version", "Print the version")
    .action(async (command: string | undefined, flags: Flags) => {
      process.exitCode = await run(command ?? "start", flags, argv.slice(2));
    });
  cli.help();
  try {
    cli.parse(argv, { run: false });
    if (cli.options.help) return;
    // One line that is the same under every runtime (cac's own adds the runtime's version).
    if (cli.options.version) return void out(`codex-boot ${VERSION}`);
    void cli.runMatchedCommand();
  } catch (e) {
    errorLine(`${(e as Error).message}. Run codex-boot --help for usage`);
    process.exitCode = 2;
  }
}

main();

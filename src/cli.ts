// Entry point: argv (cac) -> inputs -> facts -> plan -> dry-run print or executors.
import { cac } from "cac";
import { readFileSync } from "node:fs";
import {
  InputError, SECRET_ENV, checkCombination, decodeEnvConfig, parseJson, parseLayer, readSecrets, resolveInputs, scrub, type Inputs,
} from "./inputs.ts";
import { buildPlan, type Command } from "./plan.ts";
import { codexHelp, codexToRun, gatherFacts, publicEnv } from "./facts.ts";
import { planLaunch } from "./launch-plan.ts";
import { checkSandbox } from "./sandbox-check.ts";
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
import { homedir } from "node:os";

const COMMANDS: Command[] = ["start", "install", "configure", "stop", "status"];

interface Flags {
  config?: string;
  dryRun?: boolean;
  json?: boolean;
  verbose?: boolean;
  workdir?: unknown;
  model?: unknown;
  codexVersion?: unknown;
  agentapiVersion?: unknown;
  prompt?: unknown;
}

const FLAG_INPUTS: [keyof Flags, keyof Inputs, string][] = [
  ["workdir", "workdir", "workdir"], ["model", "codex_model", "model"], ["codexVersion", "codex_version", "codex-version"],
  ["agentapiVersion", "agentapi_version", "agentapi-version"], ["prompt", "ai_prompt", "prompt"],
];

/** mri turns "1" into 1: flags are strings by definition, so give them back as typed. */
function flagLayer(flags: Flags): Partial<Inputs> {
  const raw: Record<string, unknown> = {};
  for (const [flag, key, name] of FLAG_INPUTS) {
    const v = flags[flag];
    if (v === undefined) continue;
    if (Array.isArray(v) || typeof v === "boolean") throw new InputError(`flag --${name} needs exactly one value`);
    raw[key] = String(v);
  }
  return parseLayer(raw, "command-line flags");
}

export function loadInputs(flags: Flags, env: Record<string, string | undefined>): Inputs {
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
  layers.push(flagLayer(flags));
  return resolveInputs(layers);
}

const EXECUTORS: Record<Command, (ctx: RunContext) => Promise<void>> = {
  start: async (ctx) => {
    await runInstall(ctx);
    await runConfigure(ctx);
    // The Codex that runs now may be another than the one planned with (a first install, a new
    // release): its flags and the sandbox check follow the installed one.
    const codex = codexToRun(ctx.inputs, ctx.facts);
    const facts = { ...ctx.facts, codexHelp: codexHelp(codex, publicEnv(ctx.env, SECRET_ENV)) };
    checkSandbox(ctx, codex);
    await runLaunch({ ...ctx, plan: { ...ctx.plan, launch: planLaunch(ctx.inputs, facts, ctx.plan.install, Object.keys(ctx.secrets)) } });
  },
  install: runInstall,
  configure: runConfigure,
  stop: runStop,
  status: runStatus,
};

async function run(command: string, flags: Flags): Promise<number> {
  const env = process.env as Record<string, string | undefined>;
  const secrets = readSecrets(env);
  setScrubber((s) => scrub(s, secrets));
  let release: (() => void) | undefined;
  try {
    if (!COMMANDS.includes(command as Command)) {
      throw new InputError(`unknown command "${command}"; expected one of ${COMMANDS.join(", ")}`);
    }
    const inputs = loadInputs(flags, env);
    checkCombination(inputs, secrets);
    // Runs that change the machine take turns per HOME, and read its facts only once it is theirs.
    if (!flags.dryRun && command !== "status") {
      const lock = pathsFor(env.HOME || homedir(), env.CODEX_HOME).bootLock;
      release = await acquireLock(lock, (pid) => step(`waiting for codex-boot pid ${pid} to finish (${lock})`));
    }
    // `codex --help` is read for a dry run here; a real start reads it after installing (EXECUTORS.start).
    const facts = gatherFacts(inputs, env, SECRET_ENV, flags.dryRun ? command : "");
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
      process.exitCode = await run(command ?? "start", flags);
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

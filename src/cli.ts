// Entry point: argv -> inputs -> facts -> plan -> dry-run print or executors.
import "./deno-permissions.ts"; // first: under Deno without flags, the imports below would throw
import { readFileSync } from "node:fs";
import {
  InputError, SECRET_ENV, checkCombination, decodeEnvConfig, parseJson, parseLayer, readSecrets, resolveInputs, scrub, type Inputs,
} from "./inputs.ts";
import { buildPlan, type Command } from "./plan.ts";
import { codexHelp, codexToRun, gatherFacts } from "./facts.ts";
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
import { helpText, parseArgv, type Args } from "./cli-args.ts";
import { permissionHint } from "./deno-permissions.ts";

function loadInputs(flags: Args, env: Record<string, string | undefined>): Inputs {
  const layers: Partial<Inputs>[] = [];
  if (flags.config) {
    const origin = `--config ${flags.config}`;
    let text: string;
    try {
      text = readFileSync(flags.config, "utf8");
    } catch (e) {
      throw new InputError(`${origin} cannot be read: ${(e as Error).message}`);
    }
    layers.push(parseLayer(parseJson(text, origin), origin));
  }
  if (env.CODEX_BOOT_CONFIG) layers.push(parseLayer(decodeEnvConfig(env.CODEX_BOOT_CONFIG), "CODEX_BOOT_CONFIG"));
  layers.push(parseLayer(flags.inputs, "command-line flags"));
  return resolveInputs(layers);
}

/**
 * pre_install_script and post_install_script may edit config.toml or AGENTS.md: plan the files again
 * from what is on disk after them, so what they wrote is kept (the launch plan does not read files).
 */
function afterInstallScripts(ctx: RunContext): RunContext {
  if (!ctx.inputs.pre_install_script && !ctx.inputs.post_install_script) return ctx;
  const facts = gatherFacts(ctx.inputs, ctx.env, SECRET_ENV);
  const { files, commands, config, warnings } = buildPlan("configure", ctx.inputs, ctx.secrets, facts);
  for (const w of warnings.filter((w) => !ctx.plan.warnings.includes(w))) warn(w);
  return { ...ctx, facts, plan: { ...ctx.plan, files, commands, config } };
}

const EXECUTORS: Record<Command, (ctx: RunContext) => Promise<void>> = {
  start: async (ctx) => {
    await runInstall(ctx);
    await runConfigure(afterInstallScripts(ctx));
    // The Codex that runs now may be another than the one planned with (a first install, a new
    // release): its flags and the sandbox check follow the installed one.
    const codex = codexToRun(ctx.inputs, ctx.facts);
    const facts = { ...ctx.facts, codexHelp: codexHelp(codex, ctx.facts.env) };
    const launch = planLaunch(ctx.inputs, facts, ctx.plan.install, Object.keys(ctx.secrets));
    checkSandbox(ctx, codex, launch.action === "keep" ? ctx.facts.state.sandbox : undefined);
    await runLaunch({ ...ctx, plan: { ...ctx.plan, launch } });
  },
  install: runInstall,
  configure: runConfigure,
  stop: runStop,
  status: runStatus,
};

async function run(argv: string[]): Promise<number> {
  // No group or world write, whatever umask the agent runs us with (000 made ~/.codex 0777); what
  // we and our children (Codex, agentapi, scripts) create inherits it.
  process.umask(process.umask(0o022) | 0o022);
  const env = process.env as Record<string, string | undefined>;
  const secrets = readSecrets(env);
  setScrubber((s) => scrub(s, secrets));
  let release: (() => void) | undefined;
  let flags: Args | undefined;
  try {
    flags = parseArgv(argv);
    if (flags.help || flags.version) {
      out(flags.help ? helpText(VERSION, flags.explicitCommand ? flags.command : undefined) : `codex-boot ${VERSION}`);
      return 0;
    }
    const command = flags.command;
    const inputs = loadInputs(flags, env);
    checkCombination(inputs, secrets);
    // Runs that change the machine take turns per HOME, and read its facts only once it is theirs.
    if (!flags.dryRun && command !== "status") {
      const lock = pathsFor(env.HOME || homedir(), env.CODEX_HOME).bootLock;
      release = await acquireLock(lock, (pid) => step(`waiting for codex-boot pid ${pid} to finish (${lock})`));
    }
    // `codex --help` is read for a dry run here; a real start reads it after installing (EXECUTORS.start).
    const facts = gatherFacts(inputs, env, SECRET_ENV, flags.dryRun ? command : "", command === "stop" || command === "status");
    const plan = buildPlan(command, inputs, secrets, facts);
    if (flags.dryRun) {
      out(flags.json ? JSON.stringify(plan, null, 2) : renderPlan(plan));
      return 0;
    }
    for (const w of plan.warnings) warn(w);
    await EXECUTORS[command]({ plan, inputs, secrets, facts, env, json: flags.json });
    return 0;
  } catch (e) {
    const err = e as Error;
    errorLine(permissionHint(err) ?? err.message);
    if (flags?.verbose && !(e instanceof InputError) && err.stack) errorLine(err.stack);
    return e instanceof InputError ? 2 : 1;
  } finally {
    release?.();
  }
}

process.exitCode = await run(process.argv.slice(2));

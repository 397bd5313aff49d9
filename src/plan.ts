// The pure core: inputs + facts about the machine -> a Plan (data). Executors carry it out;
// --dry-run prints it. Nothing in here touches the file system, the network or the clock.
import type { Inputs, Secrets } from "./inputs.ts";
import { redactedView } from "./inputs.ts";
import type { Paths } from "./paths.ts";
import type { State } from "./state.ts";
import type { FileId } from "./fsutil.ts";
import { VERSION } from "./version.ts";
import { planConfigFiles } from "./codex-config.ts";
import { planAgentsMd } from "./agents-md.ts";
import { planInstalls } from "./install/plan.ts";
import { planLaunch, type LaunchFacts } from "./launch-plan.ts";
import { planStop, type StopStep } from "./stop-plan.ts";

export type FileAction = "create" | "update" | "unchanged";
export interface FileStep {
  path: string;
  mode: number;
  action: FileAction;
  content: string;
  /** Why the step is what it is, e.g. the user's keys that were kept. */
  notes?: string[];
}

export interface CommandStep {
  name: string;
  argv: string[];
  /** The name of the secret fed on stdin; never its value. */
  stdinSecret?: string;
  action: "run" | "skip";
  reason: string;
}

export interface InstallStep {
  name: "codex" | "agentapi";
  version: string;
  source: "github" | "npm" | "existing";
  url: string | null;
  /** The file to take out of the downloaded archive; null when the download is the binary itself. */
  entry?: string | null;
  /** codex: the directory that holds one package tree per version (dest links into it). */
  tree?: string;
  dest: string;
  action: "download" | "skip-installed" | "use-existing";
  sha256: string | null;
  /** The version at dest that was verified and recorded (same size and mtime), if any. */
  installed?: string;
  reason: string;
}

export interface LaunchStep {
  action: "start" | "keep" | "restart";
  argv: string[];
  cwd: string;
  /** Only the variables the module adds; the rest of the environment is inherited. */
  env: Record<string, string>;
  /** What the running agentapi was started from (launch-plan.ts); equal means keep it. */
  fingerprint: string;
  reason: string;
}

export interface Plan {
  version: string;
  command: string;
  inputs: ReturnType<typeof redactedView>;
  warnings: string[];
  files: FileStep[];
  commands: CommandStep[];
  install: InstallStep[];
  launch: LaunchStep | null;
  stop: StopStep | null;
  /** The config.toml key paths the module will own, and whether the file on disk failed to parse. */
  config: { owned: string[][]; invalid: boolean } | null;
}

export interface Facts {
  paths: Paths;
  /** What could not be read as expected (e.g. a bad record in state.json), shown as warnings. */
  warnings?: string[];
  platform: { os: string; arch: string };
  /** Non-secret environment the planners may read (PATH, CODER_SCRIPT_BIN_DIR, npm config…). */
  env: Record<string, string | undefined>;
  files: { configToml: string | null; agentsMd: string | null; npmrc: string | null };
  state: State;
  /** Absolute paths of codex / agentapi found on PATH, null when absent. */
  onPath: { codex: string | null; agentapi: string | null };
  workdirExists: boolean;
  /** The agentapi of an earlier start and the session to continue; absent means none. */
  launch?: LaunchFacts;
  /** Size and mtime of the binaries in the module's bin dir (the installer's warm check); where bin/codex links to. */
  bins?: { codex: FileId | null; agentapi: FileId | null; codexLink?: string | null };
  /** install_codex = false: the codex-code-mode-host that must sit beside the real file of the codex on PATH, and whether it does. */
  pathCodexHost?: { path: string; exists: boolean } | null;
  /** What `codex --help` of the codex that will run offers (read for start only; null when there is none yet). */
  codexHelp?: string | null;
}

export type Command = "start" | "install" | "configure" | "stop" | "status";

export function buildPlan(command: Command, inputs: Inputs, secrets: Secrets, facts: Facts): Plan {
  const warnings: string[] = [...(facts.warnings ?? [])];
  const files: FileStep[] = [];
  const commands: CommandStep[] = [];
  let install: InstallStep[] = [];
  let launch: LaunchStep | null = null;
  let configOwned: Plan["config"] = null;

  if (command === "start" || command === "configure") {
    const config = planConfigFiles(inputs, secrets, facts);
    warnings.push(...config.warnings);
    files.push(...config.files);
    commands.push(...config.commands);
    configOwned = { owned: config.owned, invalid: config.invalid };
    const agents = planAgentsMd(inputs.codex_system_prompt, facts.files.agentsMd, facts.paths.agentsMd);
    if (agents) files.push(agents);
  }
  if (command === "start" || command === "install") {
    const planned = planInstalls(inputs, secrets, facts);
    warnings.push(...planned.warnings);
    install = planned.steps;
  }
  if (command === "start") launch = planLaunch(inputs, facts, install, Object.keys(secrets));
  let stop: StopStep | null = null;
  if (command === "stop") {
    const planned = planStop(inputs, secrets, facts);
    if (planned.warning) warnings.push(planned.warning);
    stop = planned.step;
  }

  return { version: VERSION, command, inputs: redactedView(inputs, secrets), warnings, files, commands, install, launch, stop, config: configOwned };
}

// The agentapi command line and whether to start, keep or restart it. Pure: the prompt travels as
// one argv element after `--`, never through a shell and never as a flag; what runs now comes from
// facts read beforehand.
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Inputs } from "./inputs.ts";
import type { Facts, InstallStep, LaunchStep } from "./plan.ts";
import type { Session } from "./sessions.ts";

export const TASK_PREAMBLE =
  "Complete the task at hand in one go. Every step of the way, report your progress using the coder_report_task tool with proper summary and statuses. Your task at hand: ";

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** What planning needs to know about the agentapi of an earlier start (launchFacts in agentapi.ts). */
export interface LaunchFacts {
  /** From the pid file; null without one. */
  pid: number | null;
  /** pid is alive and is agentapi. */
  running: boolean;
  /** The session `continue` would resume: its file still exists. */
  session: Session | null;
}

/**
 * secretNames: which secrets are set (never their values). The fingerprint covers the inputs rather
 * than config.toml's bytes: Codex writes to config.toml itself while it runs ([tui] notices), which
 * must not count as a change; config.toml and AGENTS.md are made from the inputs alone.
 */
export function planLaunch(inputs: Inputs, facts: Facts, install: InstallStep[], secretNames: string[] = []): LaunchStep {
  const { paths, launch } = facts;
  const bin = (name: string) => install.find((s) => s.name === name)?.dest ?? join(paths.binDir, name);
  const head = [
    bin("agentapi"), "server", "--type", "codex",
    "--port", String(inputs.agentapi_port), "--term-width", "67", "--term-height", "1190",
    ...(inputs.enable_state_persistence ? ["--state-file", paths.agentapiState] : []),
    "--pid-file", paths.agentapiPid,
    "--", bin("codex"),
  ];
  const env: Record<string, string> = { AGENTAPI_ALLOWED_HOSTS: "*", LANG: "C.UTF-8", LC_ALL: "C.UTF-8" };
  if (inputs.chat_base_path) env.AGENTAPI_CHAT_BASE_PATH = inputs.chat_base_path;
  // The rest of the argv and the environment follow from the inputs; a session to resume is how
  // a restart continues, not a change.
  // --no-daemon: Codex 0.169's TUI otherwise leaves an app-server daemon behind; releases before it
  // (e.g. 0.128) refuse the flag, so it is left out when this Codex's --help does not list it
  // (before Codex is installed the plan shows the current release's flags).
  const flags = facts.codexHelp?.includes("--no-daemon") === false ? [] : ["--no-daemon"];
  const fingerprint = sha256(JSON.stringify([head, flags, inputs, secretNames, install.map((i) => i.version)]));
  const session = inputs.continue && launch?.session;
  const prompt = inputs.ai_prompt && (inputs.report_tasks ? TASK_PREAMBLE : "") + inputs.ai_prompt;
  const [action, reason] = !launch?.running
    ? ["start", launch?.pid ? `stale pid file (pid ${launch.pid} is not agentapi)` : "agentapi is not running"] as const
    : facts.state.launch?.fingerprint === fingerprint ? ["keep", "inputs unchanged"] as const : ["restart", "inputs changed"] as const;
  return {
    action,
    // `--` ends Codex's options: a prompt such as "--version" or "logout" is text for the model.
    argv: [...head, ...flags, ...(session ? ["resume", session.id] : prompt ? ["--", prompt] : [])],
    cwd: inputs.workdir || paths.home,
    env,
    fingerprint,
    reason: reason + (session && action !== "keep" ? `; continues session ${session.id}` : ""),
  };
}

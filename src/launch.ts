// Carries out the launch step: keep a healthy, unchanged agentapi, or (re)start it detached and
// return once it is ready. Runs under boot.lock (cli.ts), so the facts it acts on are current.
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import type { RunContext } from "./context.ts";
import { RunError } from "./errors.ts";
import { isRunning, terminate } from "./agentapi.ts";
import { findSession, type Session } from "./sessions.ts";
import { logTail, waitReady } from "./readiness.ts";
import { updateState } from "./state.ts";
import { step, warn } from "./log.ts";

const LOG_CAP = 5 << 20;

/** Records the session Codex has by now for the running agentapi (state.json `launch`). */
export function rememberSession(ctx: RunContext, session: Session | null | undefined) {
  const last = ctx.facts.state.launch;
  if (last && session && session.id !== last.sessionId) {
    updateState(ctx.facts.paths.stateJson, "launch", { ...last, sessionId: session.id, sessionFile: session.file });
  }
}

export async function runLaunch(ctx: RunContext): Promise<void> {
  const plan = ctx.plan.launch;
  if (!plan) return;
  const { paths, launch: now } = ctx.facts;
  const port = ctx.inputs.agentapi_port;
  const timeout = ctx.inputs.ready_timeout_seconds * 1000;
  const pid = now?.running ? now.pid : null;

  if (plan.action === "keep" && pid) {
    if (!(await waitReady(port, timeout, () => (isRunning(pid, "agentapi") ? null : "agentapi exited")))) {
      rememberSession(ctx, now?.session);
      step(`agentapi (pid ${pid}) is healthy and its inputs are unchanged: kept`);
      return;
    }
    warn(`agentapi (pid ${pid}) runs but is not healthy on port ${port}: restarting it`);
  }
  if (pid) {
    step(`stopping agentapi (pid ${pid}): ${plan.reason}`);
    await terminate(pid, "agentapi");
  }
  rmSync(paths.agentapiPid, { force: true });

  const log = paths.agentapiLog;
  mkdirSync(paths.moduleDir, { recursive: true, mode: 0o700 });
  try {
    if (statSync(log).size > LOG_CAP) renameSync(log, log + ".1");
  } catch {
    // no log yet
  }
  mkdirSync(plan.cwd, { recursive: true });
  const fd = openSync(log, "a", 0o600);
  const startedAt = Date.now();
  // Own session (detached) and no pipes to us: agentapi outlives this process and the coder_script.
  const child = spawn(plan.argv[0]!, plan.argv.slice(1), {
    cwd: plan.cwd, env: { ...ctx.env, ...plan.env }, detached: true, stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  let exited: string | null = null;
  child.on("error", (e) => (exited = `agentapi could not be started: ${e.message}`));
  child.on("exit", (code, sig) => (exited = `agentapi exited (${sig ?? `code ${code}`})`));
  child.unref();
  step(`started agentapi (pid ${child.pid}) on port ${port}: ${plan.reason}; log ${log}`);

  // Codex names its session file at the first turn: look for it between polls, never wait for it.
  const resumed = ctx.inputs.continue ? now?.session : null;
  let session: Session | null = null;
  const why = await waitReady(port, timeout, () => exited, () => {
    session ??= findSession(paths.codexHome, plan.cwd, startedAt);
  });
  if (why) {
    if (!exited && child.pid) await terminate(child.pid, "agentapi", 5000);
    throw new RunError(
      `agentapi did not become ready on port ${port}: ${why}. Check that nothing else listens on port ${port} (agentapi_port) and that codex starts (its output is in ${log}); if it is only slow, raise ready_timeout_seconds. Last lines of ${log}:\n${logTail(log)}`,
    );
  }
  const s = session ?? resumed;
  updateState(paths.stateJson, "launch", { fingerprint: plan.fingerprint, startedAt, sessionId: s?.id, sessionFile: s?.file });
  step(`agentapi ready on port ${port} after ${((Date.now() - startedAt) / 1000).toFixed(1)} s (pid ${child.pid})${s ? `, session ${s.id}` : ""}`);
}

// Carries out the launch step: keep a healthy, unchanged agentapi, or (re)start it detached and
// return once it is ready. Runs under boot.lock (cli.ts), so the facts it acts on are current.
import { spawn } from "node:child_process";
import { closeSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import type { RunContext } from "./context.ts";
import { RunError } from "./errors.ts";
import { isRunning, terminate } from "./agentapi.ts";
import { findSession, type Session } from "./sessions.ts";
import { logTail, waitReady } from "./readiness.ts";
import { updateState } from "./state.ts";
import { step } from "./log.ts";

const LOG_CAP = 5 << 20;

export async function runLaunch(ctx: RunContext): Promise<void> {
  const plan = ctx.plan.launch!;
  const { paths, launch: now } = ctx.facts;
  const { agentapi_port: port, ready_timeout_seconds: secs } = ctx.inputs;
  const log = paths.agentapiLog;
  const pid = now?.running && now.pid;
  if (pid) {
    if (plan.action === "keep" && !(await waitReady(port, secs * 1000, () => (isRunning(pid, "agentapi") ? null : "agentapi exited")))) {
      step(`agentapi (pid ${pid}) is healthy and its inputs are unchanged: kept`);
      return;
    }
    step(`stopping agentapi (pid ${pid}): ${plan.action === "keep" ? "not healthy" : plan.reason}`);
    await terminate(pid, "agentapi");
  }
  rmSync(paths.agentapiPid, { force: true });
  try {
    if (statSync(log).size > LOG_CAP) renameSync(log, log + ".1");
  } catch {
    // no log yet
  }
  const fd = openSync(log, "a", 0o600);
  const startedAt = Date.now();
  // Own session (detached) and no pipes to us: agentapi outlives this process and the coder_script.
  const child = spawn(plan.argv[0]!, plan.argv.slice(1), {
    cwd: plan.cwd, env: { ...ctx.env, ...plan.env }, detached: true, stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  let exited: string | null = null;
  child.on("error", (e) => (exited = e.message)).on("exit", (code, sig) => (exited = `exited (${sig ?? code})`)).unref();
  step(`started agentapi (pid ${child.pid}): ${plan.reason}`);

  // Codex names its session file at the first turn: look for it between polls, never wait for it.
  let found: Session | null = null;
  const why = await waitReady(port, secs * 1000, () => exited && `agentapi ${exited}`, () => {
    found ??= findSession(paths.codexHome, plan.cwd, startedAt);
  });
  if (why) {
    if (!exited) await terminate(child.pid!, "agentapi", 5000);
    throw new RunError(
      `agentapi did not become ready on port ${port}: ${why}. Check that agentapi_port is free and that codex starts, or raise ready_timeout_seconds. ${log} ends:\n${logTail(log)}`,
    );
  }
  const s = found ?? (ctx.inputs.continue ? now?.session : null);
  updateState(paths.stateJson, "launch", { fingerprint: plan.fingerprint, startedAt, session: s ?? undefined });
  step(`agentapi ready on port ${port} after ${Date.now() - startedAt} ms${s ? `, session ${s.id}` : ""}`);
}

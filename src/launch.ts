// Carries out the launch step: keep a healthy, unchanged agentapi, or (re)start it detached and
// return once it is ready. Runs under boot.lock (cli.ts), so the facts it acts on are current.
import { spawn } from "node:child_process";
import { closeSync, openSync, renameSync, statSync } from "node:fs";
import type { RunContext } from "./context.ts";
import { RunError } from "./errors.ts";
import { agentapi, recordAgentapi, sleep, startTime, stopAgentapi } from "./agentapi.ts";
import { readTextOrNull } from "./fsutil.ts";
import { findSession, type Session } from "./sessions.ts";
import { updateState } from "./state.ts";
import { step } from "./log.ts";

/** agentapi.log past this many bytes is moved to agentapi.log.1 at the next start. */
export const LOG_CAP = 5 << 20;

/**
 * Ready = GET /status answers 200 three times in a row while our agentapi lives (`gone` says why
 * not). Polls fast: the only wait is for agentapi itself. Falsy when ready, else why not.
 */
async function waitReady(port: number, secs: number, gone: () => string | null | false) {
  let ok = 0;
  let last = "no answer";
  for (const end = Date.now() + secs * 1000; Date.now() < end; await sleep(50)) {
    const dead = gone();
    if (dead) return dead;
    try {
      const res = await agentapi(port, "/status");
      await res.arrayBuffer();
      ok = res.status === 200 ? ok + 1 : 0;
      last = `answered ${res.status}`;
    } catch (e) {
      ok = 0;
      last = `failed: ${(e as Error).message}`;
    }
    if (ok > 2) return gone();
  }
  return `not healthy within ${secs} s (GET /status ${last})`;
}

export async function runLaunch(ctx: RunContext): Promise<void> {
  const plan = ctx.plan.launch!;
  const { paths, launch: now } = ctx.facts;
  const { agentapi_port: port, ready_timeout_seconds: secs } = ctx.inputs;
  const log = paths.agentapiLog;
  const pid = now?.running && now.pid;
  const started = pid && startTime(pid);
  if (pid && plan.action === "keep" && !(await waitReady(port, secs, () => startTime(pid) !== started && "agentapi exited"))) {
    step(`kept agentapi (pid ${pid}): healthy, inputs unchanged`);
    return;
  }
  await stopAgentapi(pid, paths.agentapiPid, `: ${plan.action === "keep" ? "not healthy" : plan.reason}`);
  try {
    if (statSync(log).size > LOG_CAP) renameSync(log, log + ".1");
  } catch {
    // no log yet
  }
  const fd = openSync(log, "a", 0o600);
  const startedAt = Date.now();
  let exited = "";
  let child;
  try {
    // Own session (detached) and no pipes to us: agentapi outlives this process and the coder_script.
    child = spawn(plan.argv[0]!, plan.argv.slice(1), {
      cwd: plan.cwd, env: { ...ctx.env, ...plan.env }, detached: true, stdio: ["ignore", fd, fd],
    });
    child.on("error", (e) => (exited = e.message));
    child.on("exit", (code, sig) => (exited = `exited (${sig ?? code})`));
    // Bun may throw here; Bun, Deno and Node may also give no pid and an "error" event soon after.
    if (!child.pid) await new Promise((ok) => child!.once("error", ok));
  } catch (e) {
    exited = (e as Error).message;
  } finally {
    closeSync(fd);
  }
  if (!child?.pid) throw new RunError(`cannot start ${plan.argv[0]}: ${exited}. Check workdir (${plan.cwd}), and that ai_prompt and the other inputs are not too large`);
  child.unref();
  recordAgentapi(paths.agentapiId, child.pid, plan.argv[0]!);
  step(`started agentapi (pid ${child.pid}): ${plan.reason}`);

  // Codex names its session file at the first turn: look for it between polls, never wait for it.
  let found: Session | null = null;
  const why = await waitReady(port, secs, () => {
    found ??= findSession(paths.codexHome, plan.cwd, startedAt);
    return exited && `agentapi ${exited}`;
  });
  if (why) {
    await stopAgentapi(!exited && child.pid, paths.agentapiPid);
    const tail = (readTextOrNull(log) ?? "").trimEnd().split("\n").slice(-40).join("\n");
    throw new RunError(
      `agentapi did not become ready on port ${port}: ${why}. Check that agentapi_port is free and that codex starts, or raise ready_timeout_seconds. ${log} ends:\n${tail}`,
    );
  }
  const s = found ?? (ctx.inputs.continue ? now?.session : null);
  updateState(paths.stateJson, "launch", { fingerprint: plan.fingerprint, startedAt, session: s || undefined });
  step(`agentapi ready on port ${port} after ${Date.now() - startedAt} ms${s ? `, session ${s.id}` : ""}`);
}

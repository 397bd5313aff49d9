// The running agentapi, found through its pid file. /proc confirms that a pid still runs the program
// we think it does: a restarted workspace reuses small pids, and a stale pid file must never make
// codex-boot keep, or signal, a stranger.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { readTextOrNull } from "./fsutil.ts";
import type { LaunchFacts } from "./launch-plan.ts";
import type { Paths } from "./paths.ts";
import { findSession } from "./sessions.ts";
import type { State } from "./state.ts";

export const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

export function readPid(path: string): number | null {
  const pid = parseInt(readTextOrNull(path) ?? "", 10);
  return pid > 0 ? pid : null;
}

const LINUX = process.platform === "linux";

/** /proc/PID/FILE or null. Deno grants /proc to --allow-all only, so there a `cat` child reads it. */
function procRead(pid: number, file: string): string | null {
  const path = `/proc/${pid}/${file}`;
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    const r = spawnSync("cat", [path], { encoding: "utf8" });
    return r.status === 0 ? r.stdout : null;
  }
}

/** True when pid is alive and its command line mentions name (without /proc: alive at all). */
export function isRunning(pid: number | null, name: string): boolean {
  if (!pid) return false;
  if (LINUX) return procRead(pid, "cmdline")?.includes(name) ?? false; // a zombie's is empty
  try {
    return process.kill(pid, 0);
  } catch {
    return false;
  }
}

/** The kernel's start time of pid (with the pid, an identity that survives pid reuse), or null. */
export function startTime(pid: number): string | null {
  if (!LINUX) return isRunning(pid, "") ? "?" : null;
  const stat = procRead(pid, "stat"); // the command name in (…) may hold spaces: count from its end
  return stat?.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
}

const signal = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
};

/**
 * SIGTERM (agentapi saves its state and closes Codex, which can take it ~5 s), then SIGKILL after
 * graceMs (Codex then gets the hangup of its terminal); returns once pid is gone.
 */
export async function terminate(pid: number, name: string, graceMs = 15_000): Promise<void> {
  signal(pid, "SIGTERM");
  for (const end = Date.now() + graceMs; isRunning(pid, name); await sleep(50)) if (Date.now() > end) signal(pid, "SIGKILL");
}

/** A GET to agentapi on loopback, with a timeout so a hung server never hangs a boot. */
export const agentapi = (port: number, path: string, ms = 3000) =>
  fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(ms) });

/**
 * Read-only facts for planning the launch. The session to continue is the one recorded in state.json
 * while its file exists; failing that, the newest one Codex wrote in workdir since the last launch
 * (Codex creates the file only at the first turn, which can come after `start` returned).
 */
export function launchFacts(paths: Paths, state: State, workdir: string): LaunchFacts {
  const pid = readPid(paths.agentapiPid);
  const last = state.launch;
  const session =
    last?.session && existsSync(last.session.file) ? last.session : last?.startedAt ? findSession(paths.codexHome, workdir, last.startedAt) : null;
  return { pid, running: isRunning(pid, "agentapi"), session };
}

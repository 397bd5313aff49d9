// The running agentapi, found through its pid file. /proc confirms that a pid still runs the program
// we think it does: a restarted workspace reuses small pids, and a stale pid file must never make
// codex-boot keep, or signal, a stranger.
import { existsSync, readdirSync, readFileSync } from "node:fs";
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

const procRead = (pid: number | string, file: string) => readFileSync(`/proc/${pid}/${file}`, "latin1");

/** True when pid is alive and its command line mentions name (without /proc: alive at all). */
export function isRunning(pid: number | null, name: string): boolean {
  if (!pid) return false;
  try {
    return procRead(pid, "cmdline").includes(name); // a zombie has an empty command line
  } catch {
    if (existsSync("/proc/self")) return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The kernel's start time of pid (with the pid, an identity that survives pid reuse), or null. */
export function startTime(pid: number): string | null {
  try {
    return statFields(procRead(pid, "stat"))[19] ?? null;
  } catch {
    return existsSync("/proc/self") ? null : isRunning(pid, "") ? "?" : null;
  }
}

/** Fields of /proc/PID/stat from the third (state) on; the command name may hold spaces. */
const statFields = (stat: string) => stat.slice(stat.lastIndexOf(")") + 2).split(" ");

function childrenOf(pid: number): number[] {
  try {
    return readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return Number(statFields(procRead(p, "stat"))[1]) === pid;
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

const signal = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
};

/**
 * SIGTERM (agentapi saves its state and closes Codex, which takes it ~5 s), then SIGKILL after
 * graceMs — to Codex as well, which runs in a session of its own and would outlive agentapi.
 * Returns true when it had to kill.
 */
export async function terminate(pid: number, name: string, graceMs = 15_000): Promise<boolean> {
  const kids = childrenOf(pid);
  signal(pid, "SIGTERM");
  for (const end = Date.now() + graceMs; isRunning(pid, name) && Date.now() < end; ) await sleep(100);
  if (!isRunning(pid, name)) return false;
  for (const p of [pid, ...kids]) signal(p, "SIGKILL");
  while (isRunning(pid, name)) await sleep(20);
  return true;
}

/** GET or POST to agentapi on loopback, with a timeout so a hung server never hangs a boot. */
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
    last?.sessionId && last.sessionFile && existsSync(last.sessionFile)
      ? { id: last.sessionId, file: last.sessionFile }
      : last?.startedAt
        ? findSession(paths.codexHome, workdir, last.startedAt)
        : null;
  return { pid, running: isRunning(pid, "agentapi"), session };
}

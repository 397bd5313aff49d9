// The running agentapi, found through its pid file. /proc confirms that a pid still runs the program
// we think it does: a restarted workspace reuses small pids, and a stale pid file must never make
// codex-boot keep, or signal, a stranger.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { readTextOrNull } from "./fsutil.ts";
import type { LaunchFacts } from "./launch-plan.ts";
import { step } from "./log.ts";
import type { Paths } from "./paths.ts";
import { findSession, seedSession } from "./sessions.ts";
import type { State } from "./state.ts";

export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

const LINUX = process.platform === "linux";

/** /proc/PID/FILE or null. Deno grants /proc to --allow-all only, so there a `cat` child reads it. */
function procRead(pid: number, file: string): string | null {
  const path = `/proc/${pid}/${file}`;
  try {
    return readFileSync(path, "utf8");
  } catch {
    const r = spawnSync("cat", [path], { encoding: "utf8" });
    return r.status === 0 ? r.stdout : null;
  }
}

/** process.kill that answers false instead of throwing when pid is gone (signal 0: is it alive?). */
const kill = (pid: number, sig: NodeJS.Signals | 0) => {
  try {
    return process.kill(pid, sig);
  } catch {
    return false;
  }
};

/** True when pid is alive and runs agentapi (without /proc: alive at all). A zombie's cmdline is empty. */
export const isAgentapi = (pid: number | null | undefined) =>
  !!pid && (LINUX ? !!procRead(pid, "cmdline")?.includes("agentapi") : kill(pid, 0));

/** The kernel's start time of pid (with the pid, an identity that survives pid reuse), or null. */
export function startTime(pid: number): string | null {
  if (!LINUX) return kill(pid, 0) ? "?" : null;
  const stat = procRead(pid, "stat"); // the command name in (…) may hold spaces: count from its end
  return stat?.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
}

/**
 * Stops agentapi pid, if given, and removes the pid file. SIGTERM first (agentapi saves its state and
 * closes Codex, which can take it ~5 s), SIGKILL after 15 s (Codex then gets its terminal's hangup).
 */
export async function stopAgentapi(pid: number | false | null | undefined, pidFile: string, why = "") {
  if (pid) {
    step(`stopping agentapi (pid ${pid})${why}`);
    kill(pid, "SIGTERM");
    for (const end = Date.now() + 15_000; isAgentapi(pid); await sleep(50)) if (Date.now() > end) kill(pid, "SIGKILL");
  }
  rmSync(pidFile, { force: true });
}

/** A GET to agentapi on loopback, with a timeout so a hung server never hangs a boot. */
export const agentapi = (port: number, path: string) =>
  fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3000) });

/**
 * Read-only facts for planning the launch. The session to continue is the one recorded in state.json
 * while its file exists; failing that, the newest one Codex wrote in workdir since the last launch
 * (Codex creates the file only at the first turn, which can come after `start` returned).
 */
export function launchFacts(paths: Paths, state: State, workdir: string): LaunchFacts {
  const n = parseInt(readTextOrNull(paths.agentapiPid) ?? "");
  const pid = n > 0 ? n : null;
  const last = state.launch;
  const session =
    last?.session && existsSync(last.session.file) ? last.session : last ? findSession(paths.codexHome, workdir, last.startedAt) : seedSession(paths.moduleDir, paths.codexHome, workdir);
  return { pid, running: isAgentapi(pid), session };
}

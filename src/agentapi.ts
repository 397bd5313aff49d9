// The running agentapi, found through its pid file. /proc confirms that a pid still runs the program
// we think it does: a restarted workspace reuses small pids, and a stale pid file must never make
// codex-boot keep, or signal, a stranger.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readlinkSync, realpathSync, rmSync } from "node:fs";
import { RunError } from "./errors.ts";
import { readTextOrNull, writeAtomic } from "./fsutil.ts";
import type { LaunchFacts } from "./launch-plan.ts";
import { step } from "./log.ts";
import type { Paths } from "./paths.ts";
import { findSession, seedSession } from "./sessions.ts";
import type { State } from "./state.ts";

export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

const LINUX = process.platform === "linux";

/** /proc/PID/FILE or null. Deno grants /proc to --allow-all only, so there a child reads it. */
function procRead(pid: number, file: string, link = false): string | null {
  const path = `/proc/${pid}/${file}`;
  try {
    return link ? readlinkSync(path) : readFileSync(path, "utf8");
  } catch {
    const r = spawnSync(link ? "readlink" : "cat", [path], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trimEnd() : null; // readlink's newline; stat and cmdline end in fields that do not matter
  }
}

/** process.kill, answering the error code instead of throwing ("" when sent; signal 0: is it alive?). */
const kill = (pid: number, sig: NodeJS.Signals | 0) => {
  try {
    process.kill(pid, sig);
    return "";
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? "ESRCH";
  }
};

/** The kernel's start time of a live pid (with the pid, an identity that survives pid reuse), or null (gone, or a zombie). */
export function startTime(pid: number): string | null {
  if (!LINUX) return kill(pid, 0) === "ESRCH" ? null : "?";
  const stat = procRead(pid, "stat")?.split(") ").pop()?.split(" "); // the name in (…) may hold spaces
  return stat && stat[0] !== "Z" ? (stat[19] ?? null) : null;
}

/** What `start` records of the agentapi it spawned: the only proof that a pid is still that process. */
export interface AgentapiId {
  pid: number;
  start: string;
  /** The binary it was started from, and the file that was then (a link may be switched later). */
  exe: string;
  real?: string;
}

export function recordAgentapi(path: string, pid: number, exe: string) {
  writeAtomic(path, JSON.stringify({ pid, start: startTime(pid), exe, real: existsSync(exe) ? realpathSync(exe) : exe }) + "\n", 0o600);
}

/**
 * True when pid is the agentapi recorded at spawn: same pid and start time, and its executable (or,
 * when /proc/PID/exe is not ours to read, its argv[0]) is the recorded binary. A command line that
 * merely mentions agentapi (`tail -f agentapi.log`) proves nothing.
 */
export function isOurAgentapi(pid: number | null | undefined, id: Partial<AgentapiId> | null): boolean {
  if (!pid || !id || id.pid !== pid || !id.start || startTime(pid) !== id.start) return false;
  if (!LINUX) return true;
  const exe = procRead(pid, "exe", true)?.replace(/ \(deleted\)$/, "");
  return exe ? exe === id.real || exe === id.exe : procRead(pid, "cmdline")?.split("\0")[0] === id.exe;
}

/**
 * Stops agentapi pid (proven ours by the caller), if given, and removes the pid file. SIGTERM first
 * (agentapi saves its state and closes Codex, which can take it ~5 s), SIGKILL after 15 s (Codex then
 * gets its terminal's hangup). A pid we may not signal ends it with an error instead of a wait.
 */
export async function stopAgentapi(pid: number | false | null | undefined, pidFile: string, why = "") {
  if (pid) {
    step(`stopping agentapi (pid ${pid})${why}`);
    const start = startTime(pid);
    // EPERM is the only error a live pid and a valid signal can give.
    const send = (sig: NodeJS.Signals) => {
      if (kill(pid, sig) === "EPERM") {
        throw new RunError(`cannot stop agentapi (pid ${pid}): operation not permitted (EPERM), it runs as another user. Stop it as its owner, then remove ${pidFile}`);
      }
    };
    send("SIGTERM");
    for (let t = 0; start && startTime(pid) === start; await sleep(50), t += 50) {
      if (t === 15_000) send("SIGKILL");
      if (t > 25_000) throw new RunError(`agentapi (pid ${pid}) did not exit after SIGKILL. Check it with ps`);
    }
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
  let id: AgentapiId | null = null;
  try {
    id = JSON.parse(readTextOrNull(paths.agentapiId) ?? "null");
  } catch {} // unreadable: nothing is proven
  const last = state.launch;
  const session =
    last?.session && existsSync(last.session.file) ? last.session : last ? findSession(paths.codexHome, workdir, last.startedAt) : seedSession(paths.moduleDir, paths.codexHome, workdir);
  return { pid, running: isOurAgentapi(pid, id), session };
}

// The host side of the real-Coder tier: the non-root user that runs the server and the agents,
// PostgreSQL from Debian's packages, and what is listening / still running (for teardown).
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";

export const USER = "codexboot";

export function sh(argv: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) throw new Error(`\`${argv.join(" ")}\` failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ""}):\n${r.stderr ?? ""}${r.stdout ?? ""}`);
  return String(r.stdout ?? "");
}

export interface Account {
  name: string;
  uid: number;
  gid: number;
}

const isRoot = () => process.getuid?.() === 0;

/** The account the server and the agents run as: never root (PostgreSQL refuses it, and a
 * workspace user is not root). Created when missing (needs root, as in CI). */
export function account(): Account {
  if (!isRoot()) {
    const uid = process.getuid!();
    return { name: sh(["id", "-un"]).trim(), uid, gid: process.getgid!() };
  }
  if (spawnSync("id", ["-u", USER]).status !== 0) sh(["useradd", "--create-home", "--shell", "/bin/sh", USER]);
  return { name: USER, uid: Number(sh(["id", "-u", USER]).trim()), gid: Number(sh(["id", "-g", USER]).trim()) };
}

/** argv run as the account (setpriv execs, so a spawned process's pid is the command's pid). */
export function asAccount(a: Account, argv: string[]): string[] {
  if (!isRoot()) return argv;
  return ["setpriv", `--reuid=${a.uid}`, `--regid=${a.gid}`, "--init-groups", "--", ...argv];
}

/** The directory of PostgreSQL's server programs (initdb, pg_ctl), from Debian's packages;
 * installs them when missing (CI runs as root). */
export function postgresBin(): string {
  const find = () => {
    const base = "/usr/lib/postgresql";
    const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, "bin/initdb"))) : [];
    versions.sort((a, b) => Number(b) - Number(a));
    return versions[0] ? join(base, versions[0], "bin") : null;
  };
  const found = find();
  if (found) return found;
  if (!isRoot()) throw new Error("PostgreSQL is not installed and this is not root: `apt-get install postgresql` first");
  sh(["apt-get", "update", "-q"], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  sh(["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  const installed = find();
  if (!installed) throw new Error("apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb was found");
  return installed;
}

/** Listening TCP sockets as "addr:port" (hex, as /proc/net/tcp{,6} has them) -> socket inode. */
export function listening(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, "utf8").split("\n").slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c[3] === "0A") out.set(c[1]!, c[9]!); // 0A = LISTEN
    }
  }
  return out;
}

/** The port of a /proc/net/tcp local address. */
export const portOf = (addr: string) => parseInt(addr.split(":")[1]!, 16);

/** Pids of the processes whose environment holds NAME=value (the run's marker, inherited by
 * everything the run started: server, provisioner, agents, scripts, AgentAPI, Codex). */
export function pidsWithEnv(name: string, value: string): number[] {
  const needle = Buffer.from(`\0${name}=${value}\0`);
  const pids: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${d}/environ`);
      if (Buffer.concat([Buffer.from("\0"), env]).includes(needle)) pids.push(Number(d));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** "pid exe args…" of a process, for messages. */
export function describe(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
    return `${pid} ${args || readlinkSync(`/proc/${pid}/exe`)}`;
  } catch {
    return `${pid} (gone)`;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
}

/** Processes whose executable is `name` (basename of /proc/<pid>/exe) among the given pids. */
export function withExe(pids: number[], name: string): number[] {
  return pids.filter((p) => {
    try {
      return readlinkSync(`/proc/${p}/exe`).split("/").pop() === name;
    } catch {
      return false;
    }
  });
}

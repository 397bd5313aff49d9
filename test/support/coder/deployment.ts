// A real Coder deployment on loopback for the real-Coder tier: a fresh PostgreSQL cluster, `coder
// server` with the coder provider from the filesystem mirror, the first user made by the CLI, and
// templates pushed by piping a tar. Everything runs as a non-root account and carries the run's
// marker in its environment, so teardown finds every process it started and stops it by pid.
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { closeSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ROOT, tools } from "../tools.ts";
import { buildCoder } from "./build.ts";
import { account, alive, asAccount, describe, listening, pidsWithEnv, portOf, postgresBin, sh, type Account } from "./host.ts";

export const MARKER = "CODEX_BOOT_CODER_RUN";
const PASSWORD = "Codex-boot-tier5-Passw0rd!";
const TEMPLATE_SRC = join(import.meta.dir, "template");

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer().once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

export interface Deployment {
  url: string;
  run: string;
  marker: string;
  user: Account;
  coder: string;
  /** The first user's session token (the owner of every workspace here). */
  token: string;
  owner: string;
  /** Every TCP port the run listened on: server, PostgreSQL, each workspace's AgentAPI (added
   * as workspaces come up). Other jobs on this machine may listen too: only these are checked. */
  ports: Set<number>;
  serverPid: number;
  pgData: string;
  pgBin: string;
  /** Every Coder API call made, "METHOD /path" (the report lists them per check). */
  calls: string[];
  api<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  /** The coder CLI as the first user. */
  cli(args: string[], input?: Uint8Array | string, timeoutMs?: number): { code: number; stdout: string; stderr: string };
}

const waitUntil = async <T>(what: string, probe: () => Promise<T | undefined>, ms: number, log?: () => string): Promise<T> => {
  for (const end = Date.now() + ms; Date.now() < end; await Bun.sleep(250)) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
  }
  throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${log ? `\n${log()}` : ""}`);
};

const tail = (file: string, lines = 40) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(-lines).join("\n") : `(${file} missing)`);

/** A path the account can read: the clone may live where it cannot (e.g. under /root in CI). */
const runAs = (user: Account, argv: string[]) => {
  const [cmd, ...args] = asAccount(user, argv);
  return spawnSync(cmd!, args, { encoding: "utf8" });
};

function readableBy(user: Account, path: string, run: string): string {
  if (runAs(user, ["test", "-r", path]).status === 0) return path;
  const copy = join(run, "tools", path.replace(/\//g, "_"));
  cpSync(path, copy, { recursive: true });
  sh(["chown", "-R", `${user.uid}:${user.gid}`, copy]);
  return copy;
}

export async function startDeployment(): Promise<Deployment> {
  const coderBin = buildCoder();
  const pgBin = postgresBin();
  const user = account();
  const run = mkdtempSync(join(tmpdir(), "codex-boot-coder-"));
  const marker = randomUUID();
  for (const d of ["pg-sock", "server-home", "workspaces", "cli"]) mkdirSync(join(run, d), { recursive: true });
  sh(["chown", "-R", `${user.uid}:${user.gid}`, run]);
  // Named `coder` in a directory of its own: the agent's PATH has it, as images that ship the CLI
  // do (the Coder MCP server the module configures runs `coder exp mcp server`).
  const coder = join(run, "bin", "coder");
  mkdirSync(join(run, "bin"));
  symlinkSync(readableBy(user, coderBin, run), coder);
  // The provider mirror: the terraformrc names the mirror by absolute path, so both move together.
  let terraformrc = tools().terraformrc;
  if (runAs(user, ["test", "-r", terraformrc]).status !== 0) {
    const mirror = readableBy(user, join(dirname(terraformrc), "tf-mirror"), run);
    terraformrc = join(run, "terraformrc");
    writeFileSync(terraformrc, readFileSync(tools().terraformrc, "utf8").replaceAll(join(dirname(tools().terraformrc), "tf-mirror"), mirror));
  }
  const baseEnv = {
    PATH: `${dirname(tools().terraform)}:/usr/local/bin:/usr/bin:/bin`,
    LANG: "C.UTF-8",
    [MARKER]: marker,
  };

  // PostgreSQL: a fresh cluster each run, loopback only.
  const pgPort = await freePort();
  const pgData = join(run, "pg");
  const pgEnv = { ...baseEnv, HOME: run };
  sh(asAccount(user, [join(pgBin, "initdb"), "-D", pgData, "-U", "coder", "--auth=trust", "-E", "UTF8", "--no-locale"]), { env: pgEnv });
  sh(asAccount(user, [join(pgBin, "pg_ctl"), "-D", pgData, "-l", join(run, "postgres.log"), "-w", "-t", "60",
    "-o", `-h 127.0.0.1 -p ${pgPort} -k ${join(run, "pg-sock")}`, "start"]), { env: pgEnv });

  // coder server, detached, as the account.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = openSync(join(run, "server.log"), "a");
  const [serverCmd, ...serverArgs] = asAccount(user, [coder, "server"]);
  const server = spawn(serverCmd!, serverArgs, {
    env: {
      ...baseEnv,
      HOME: join(run, "server-home"),
      TF_CLI_CONFIG_FILE: terraformrc,
      CHECKPOINT_DISABLE: "1",
      CODER_HTTP_ADDRESS: `127.0.0.1:${port}`,
      CODER_ACCESS_URL: url,
      CODER_PG_CONNECTION_URL: `postgres://coder@127.0.0.1:${pgPort}/postgres?sslmode=disable`,
      CODER_CACHE_DIRECTORY: join(run, "server-home", "cache"),
      CODER_CONFIG_DIR: join(run, "server-home", "config"),
      CODER_TELEMETRY_ENABLE: "false",
      CODER_UPDATE_CHECK: "false",
      CODER_DERP_SERVER_STUN_ADDRESSES: "disable",
      CODER_PROVISIONER_DAEMONS: "3",
      CODER_VERBOSE: "true",
    },
    stdio: ["ignore", log, log],
    detached: true,
  });
  closeSync(log);
  server.unref();
  const serverPid = server.pid!;

  const calls: string[] = [];
  const cliEnv = { ...baseEnv, HOME: join(run, "cli"), CODER_CONFIG_DIR: join(run, "cli", "config"), NO_COLOR: "1" };
  const cli = (args: string[], input?: Uint8Array | string, timeoutMs = 300_000) => {
    const r = spawnSync(coder, args, { env: cliEnv, input: input ?? "", encoding: "utf8", maxBuffer: 64 << 20, timeout: timeoutMs });
    return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  };
  const d: Deployment = {
    url, run, marker, user, coder, token: "", owner: "admin", ports: new Set([port, pgPort]), serverPid, pgData, pgBin, calls, cli,
    async api(method, path, body) {
      calls.push(`${method} ${path.replace(/\?.*/, "").replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "{id}")}`);
      const res = await fetch(url + path, {
        method,
        headers: { "Coder-Session-Token": d.token, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`Coder API ${method} ${path}: ${res.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as any;
    },
  };
  try {
    await waitUntil("coder server to answer /healthz", async () => {
      if (!alive(serverPid)) throw new Error(`coder server exited:\n${tail(join(run, "server.log"))}`);
      const r = await fetch(`${url}/healthz`);
      return r.ok ? true : undefined;
    }, 180_000, () => tail(join(run, "server.log")));
    const login = cli(["login", url, "--first-user-username", "admin", "--first-user-email", "admin@example.test",
      "--first-user-full-name", "Tier Five", "--first-user-password", PASSWORD, "--first-user-trial=false"]);
    if (login.code !== 0) throw new Error(`coder login (first user) failed:\n${login.stdout}${login.stderr}`);
    d.token = readFileSync(join(run, "cli", "config", "session"), "utf8").trim();
    return d;
  } catch (e) {
    await stopDeployment(d);
    throw e;
  }
}

/** The template directory: main.tf and the agent scripts, this run's values as variable defaults,
 * this repository's module (tracked files, as in the working tree), and optional extra files. */
export function templateTar(d: Deployment, values: Record<string, unknown>, extra: Record<string, string> = {}): Uint8Array {
  const dir = mkdtempSync(join(d.run, "template-"));
  for (const f of ["main.tf", "start-agent.sh", "stop-agent.sh"]) copyFileSync(join(TEMPLATE_SRC, f), join(dir, f));
  const vars = { coder_bin: d.coder, run_dir: d.run, run_marker: d.marker, ai_task: false, ...values };
  writeFileSync(join(dir, "run.tf.json"), JSON.stringify({ variable: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, { default: v }])) }, null, 2));
  const tracked = sh(["git", "ls-files", "-z"], { cwd: ROOT }).split("\0").filter((f) => /^[^/]+\.tf$|^scripts\/|^dist\//.test(f));
  for (const f of tracked) {
    const to = join(dir, "modules/codex-boot", f);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(ROOT, f), to);
  }
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  const tar = spawnSync("tar", ["-C", dir, "-cf", "-", "."], { maxBuffer: 256 << 20 });
  if (tar.status !== 0) throw new Error(`tar of the template failed: ${tar.stderr}`);
  rmSync(dir, { recursive: true, force: true });
  return tar.stdout;
}

/** `coder templates push NAME -d -` with the tar on stdin (a directory argument sent an empty archive). */
export function pushTemplate(d: Deployment, name: string, tar: Uint8Array, timeoutMs?: number): { code: number; output: string } {
  const r = d.cli(["templates", "push", name, "-d", "-", "--yes", "--message", `codex-boot tier 5 ${name}`], tar, timeoutMs);
  return { code: r.code, output: r.stdout + r.stderr };
}

/** Cancels every running template import (a hung one would keep the server from stopping). */
export async function cancelImports(d: Deployment): Promise<number> {
  const jobs = await d.api<{ type: string; input: { template_version_id?: string } }[]>("GET", "/api/v2/organizations/default/provisionerjobs?status=running");
  const imports = jobs.filter((j) => j.type === "template_version_import" && j.input.template_version_id);
  for (const j of imports) await d.api("PATCH", `/api/v2/templateversions/${j.input.template_version_id}/cancel`);
  return imports.length;
}

/** Stops everything the run started, by pid: workspaces' agents (SIGTERM: their stop scripts
 * run), the server, PostgreSQL, then any process still carrying the run's marker. Returns the
 * processes that outlived their SIGTERM or were left running (empty when all went cleanly). */
export async function stopDeployment(d: Deployment): Promise<string[]> {
  const late: string[] = [];
  const agentPids = () => {
    const ws = join(d.run, "workspaces");
    if (!existsSync(ws)) return [];
    return (spawnSync("sh", ["-c", `cat "${ws}"/*/agent.pid 2>/dev/null`], { encoding: "utf8" }).stdout ?? "")
      .split("\n").map(Number).filter((p) => p > 0 && alive(p));
  };
  const term = async (pids: number[], ms: number) => {
    for (const p of pids) try { process.kill(p, "SIGTERM"); } catch { /* gone */ }
    for (const end = Date.now() + ms; Date.now() < end && pids.some(alive); await Bun.sleep(100));
    for (const p of pids.filter(alive)) {
      late.push(describe(p));
      try { process.kill(p, "SIGKILL"); } catch { /* gone */ }
    }
  };
  await term(agentPids(), 60_000);
  if (d.serverPid) await term([d.serverPid], 30_000);
  const postmaster = join(d.pgData, "postmaster.pid");
  if (existsSync(postmaster)) {
    // pg_ctl stops the postmaster by the pid in postmaster.pid; wait for that pid to be gone.
    const pid = Number(readFileSync(postmaster, "utf8").split("\n")[0]);
    runAs(d.user, [join(d.pgBin, "pg_ctl"), "-D", d.pgData, "-m", "fast", "-w", "-t", "30", "stop"]);
    await term([pid].filter(alive), 30_000);
  }
  // Anything still carrying the marker was left behind by what the run started (e.g. a daemon).
  const leftovers = pidsWithEnv(MARKER, d.marker).filter(alive);
  late.push(...leftovers.map((p) => `left running: ${describe(p)}`));
  await term(leftovers, 10_000);
  // CODER_TIER_KEEP=1 keeps the run's logs (server, postgres, agents, scripts) for a post-mortem.
  if (!process.env.CODER_TIER_KEEP) rmSync(d.run, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  else console.log(`coder tier: run kept in ${d.run}`);
  return late;
}

/** The run's ports that something still listens on (on any address). */
export const stillListening = (d: Deployment) => [...listening().keys()].map(portOf).filter((p) => d.ports.has(p));

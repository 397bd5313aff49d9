// A throwaway HOME per test and a way to run the built bundle in it under a real runtime.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, lstatSync, rmSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runtimeArgv, type Runtime } from "./tools.ts";

export interface Sandbox {
  root: string;
  home: string;
  /** A minimal Coder-like environment: HOME, PATH without codex/agentapi, DENO_DIR outside HOME. */
  env: Record<string, string>;
  cleanup(): void;
}

export function makeSandbox(prefix = "codex-boot-test-"): Sandbox {
  const root = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const home = join(root, "home");
  spawnSync("mkdir", ["-p", home, join(root, "deno-dir")]);
  const env: Record<string, string> = {
    HOME: home,
    PATH: "/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
    DENO_DIR: join(root, "deno-dir"),
    NO_COLOR: "1",
    LANG: "C.UTF-8",
  };
  return { root, home, env, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runBundle(
  runtime: Runtime,
  args: string[],
  opts: { env: Record<string, string>; input?: string; cwd?: string; runtimeArgv?: string[] },
): RunResult {
  const argv = opts.runtimeArgv ?? runtimeArgv(runtime);
  const r = spawnSync(argv[0]!, [...argv.slice(1), ...args], {
    env: opts.env,
    input: opts.input ?? "",
    cwd: opts.cwd ?? opts.env.HOME,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking the event loop (needed when the test also runs a loopback server). */
export function runBundleAsync(
  runtime: Runtime,
  args: string[],
  opts: { env: Record<string, string>; input?: string; cwd?: string; timeoutMs?: number },
): Promise<RunResult> {
  const argv = runtimeArgv(runtime);
  return runAsync([...argv, ...args], { ...opts, cwd: opts.cwd ?? opts.env.HOME });
}

/** Runs any command without blocking the event loop; killed after timeoutMs (default 120 s). */
export function runAsync(
  argv: string[],
  opts: { env: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: opts.env, cwd: opts.cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

export interface Entry {
  kind: "file" | "dir" | "link";
  mode: number;
  mtimeMs: number;
  sha256?: string;
}

/** Every path under dir with its kind, mode, mtime and content digest. */
export function snapshot(dir: string): Record<string, Entry> {
  const out: Record<string, Entry> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      const rel = p.slice(dir.length);
      if (st.isSymbolicLink()) out[rel] = { kind: "link", mode: st.mode & 0o777, mtimeMs: st.mtimeMs };
      else if (st.isDirectory()) {
        out[rel] = { kind: "dir", mode: st.mode & 0o777, mtimeMs: st.mtimeMs };
        walk(p);
      } else {
        out[rel] = {
          kind: "file", mode: st.mode & 0o777, mtimeMs: st.mtimeMs,
          sha256: createHash("sha256").update(readFileSync(p)).digest("hex"),
        };
      }
    }
  };
  walk(dir);
  return out;
}

/** Greps every file under dir for each needle; returns "path: needle" for each hit. */
export function findSecrets(dir: string, needles: string[]): string[] {
  const hits: string[] = [];
  for (const [rel, e] of Object.entries(snapshot(dir))) {
    if (e.kind !== "file") continue;
    const text = readFileSync(join(dir, rel)).toString("latin1");
    for (const n of needles) if (text.includes(n)) hits.push(`${rel}: ${n.slice(0, 6)}…`);
  }
  return hits;
}

export const b64config = (inputs: Record<string, unknown>) => Buffer.from(JSON.stringify(inputs)).toString("base64");

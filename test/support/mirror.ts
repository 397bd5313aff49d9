// Loopback servers that look like a GitHub release host and an npm registry, serving REAL
// artifacts. Data-driven: a table path -> bytes | handler, so any layout can be served (Codex,
// AgentAPI, Bun's release zip, @oven/bun-linux-x64). Every request is recorded (method, path,
// headers) and faults can be queued per path, one consumed per request.
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { CACHE, tools } from "./tools.ts";
import { PINS } from "./versions.ts";
import { b64config, makeSandbox, type Sandbox } from "./sandbox.ts";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export type Fault =
  /** Answer with this status (and Retry-After seconds) instead of the file. */
  | { kind: "status"; status: number; retryAfter?: number }
  /** Send `after` bytes of the body, then destroy the socket (a connection reset). */
  | { kind: "reset"; after: number }
  /** Send `after` bytes, then close cleanly although Content-Length promised more. */
  | { kind: "truncate"; after: number }
  /** Send `after` bytes, then nothing for `ms`, then drop the connection. */
  | { kind: "stall"; after: number; ms: number }
  /** Answer 302 to `to` (absolute URL), e.g. on a second mirror. */
  | { kind: "redirect"; to: string }
  /** Serve these bytes instead (with a consistent Content-Length): wrong or truncated content. */
  | { kind: "body"; bytes: Uint8Array };

export interface Request {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
}

export interface Mirror {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  files: Map<string, Uint8Array | Handler>;
  faults: Map<string, Fault[]>;
  requests: Request[];
  /** When set, a request without exactly this Authorization header gets 401 (a private registry). */
  requireAuth?: string;
  fault(path: string, ...faults: Fault[]): void;
  close(): Promise<void>;
}

export async function startMirror(): Promise<Mirror> {
  const files = new Map<string, Uint8Array | Handler>();
  const faults = new Map<string, Fault[]>();
  const requests: Request[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    requests.push({ method: req.method ?? "", path, headers: req.headers });
    if (mirror.requireAuth && req.headers.authorization !== mirror.requireAuth) {
      res.writeHead(401);
      return void res.end("authentication required");
    }
    const fault = faults.get(path)?.shift();
    if (fault?.kind === "status") {
      res.writeHead(fault.status, fault.retryAfter === undefined ? {} : { "retry-after": String(fault.retryAfter) });
      return void res.end(`fault ${fault.status}`);
    }
    if (fault?.kind === "redirect") {
      res.writeHead(302, { location: fault.to });
      return void res.end();
    }
    const entry = files.get(path);
    if (entry === undefined) {
      res.writeHead(404, { "content-type": "text/plain" });
      return void res.end(`not found: ${path}`);
    }
    if (typeof entry === "function") return entry(req, res);
    const bytes = fault?.kind === "body" ? fault.bytes : entry;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    const start = range ? Math.min(Number(range[1]), bytes.byteLength) : 0;
    const body = bytes.subarray(start);
    res.writeHead(range ? 206 : 200, {
      "content-type": "application/octet-stream",
      "content-length": String(body.byteLength),
      "accept-ranges": "bytes",
      ...(range ? { "content-range": `bytes ${start}-${bytes.byteLength - 1}/${bytes.byteLength}` } : {}),
    });
    if (!fault || fault.kind === "body" || req.method === "HEAD") return void res.end(req.method === "HEAD" ? undefined : body);
    // Exactly `after` bytes, and the cut only once all of them have left (a timer alone cut early
    // under load, and under Bun write's callback comes before that). The grace after it lets a client
    // take them in before the close: Bun's fetch drops what it buffered when the close comes first.
    res.write(body.subarray(0, fault.after));
    const cut = () => (fault.kind === "truncate" ? res.socket?.end() : res.socket?.destroy());
    const whenSent = () => setTimeout(res.writableLength ? whenSent : cut, fault.kind === "stall" && !res.writableLength ? fault.ms : 20);
    whenSent();
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const mirror: Mirror = {
    url, files, faults, requests,
    fault: (path, ...f) => faults.set(path, [...(faults.get(path) ?? []), ...f]),
    close: () => {
      server.closeAllConnections?.();
      return new Promise((ok) => server.close(() => ok()));
    },
  };
  return mirror;
}

/** A forward HTTP proxy (absolute-form requests) that sends every request to `to`, whatever the host. */
export async function startProxy(to: Mirror) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? "");
    const u = new URL(req.url ?? "/", "http://x");
    const target = new URL(to.url);
    const fwd = request({ host: target.hostname, port: target.port, path: u.pathname + u.search, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    fwd.on("error", () => res.destroy());
    req.pipe(fwd);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => {
      server.closeAllConnections?.();
      return new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** Counts recorded requests, optionally only those whose path starts with prefix. */
export const count = (m: Mirror, prefix = "") => m.requests.filter((r) => r.path.startsWith(prefix)).length;

/** A release asset in GitHub's layout, with `releases/latest/download/<asset>` redirecting to it. */
export function githubRelease(m: Mirror, repo: string, tag: string, asset: string, bytes: Uint8Array, latest = true): string {
  const path = `/${repo}/releases/download/${tag}/${asset}`;
  m.files.set(path, bytes);
  if (latest) {
    m.files.set(`/${repo}/releases/latest/download/${asset}`, (_req, res) => {
      res.writeHead(302, { location: m.url + path });
      res.end();
    });
  }
  return path;
}

export const sha512b64 = (bytes: Uint8Array) => createHash("sha512").update(bytes).digest("base64");
export const sha256hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * An npm package: the packument at /<name> (also reached as /@scope%2fname) listing each version's
 * tarball on this server with its integrity, and the tarballs at /<name>/-/<base>-<version>.tgz.
 */
export function npmPackage(m: Mirror, name: string, versions: { version: string; bytes: Uint8Array; integrity?: string }[], distTags: Record<string, string>) {
  const base = name.split("/").pop()!;
  const tarballPath = (v: string) => `/${name}/-/${base}-${v}.tgz`;
  for (const v of versions) m.files.set(tarballPath(v.version), v.bytes);
  m.files.set(`/${name}`, (_req, res) => {
    const packument = {
      name,
      "dist-tags": distTags,
      versions: Object.fromEntries(versions.map((v) => [
        v.version,
        { name, version: v.version, dist: { tarball: m.url + tarballPath(v.version), integrity: v.integrity ?? `sha512-${sha512b64(v.bytes)}` } },
      ])),
    };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(packument));
  });
  return { packumentPath: `/${name}`, tarballPath };
}

const MIRROR_CACHE = join(CACHE, "mirror");

/** The real codex binary repacked as GitHub publishes it: codex-<arch>-unknown-linux-musl.tar.gz. Cached. */
export function codexReleaseTarGz(): string {
  const t = tools();
  const st = statSync(t.codex);
  const dir = join(MIRROR_CACHE, `codex-${st.size}-${Math.floor(st.mtimeMs)}`);
  const out = join(dir, "codex-x86_64-unknown-linux-musl.tar.gz");
  if (existsSync(out)) return out;
  const work = join(dir, `work-${process.pid}`);
  mkdirSync(work, { recursive: true });
  copyFileSync(t.codex, join(work, "codex-x86_64-unknown-linux-musl"));
  const r = spawnSync("tar", ["-C", work, "-czf", `${out}.${process.pid}`, "codex-x86_64-unknown-linux-musl"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`repacking codex failed: ${r.stderr}`);
  renameSync(`${out}.${process.pid}`, out);
  rmSync(work, { recursive: true, force: true });
  return out;
}

const memo = new Map<string, Buffer>();
const bytesOf = (path: string) => memo.get(path) ?? (memo.set(path, readFileSync(path)), memo.get(path)!);

/** The real artifacts, read once per test process. */
export const artifacts = {
  codexTarGz: () => bytesOf(codexReleaseTarGz()),
  codexTgz: () => bytesOf(tools().codexTgz),
  codexIntegrity: () => tools().codexIntegrity,
  agentapi: () => bytesOf(tools().agentapi),
  bunTgz: () => bytesOf(tools().bunTgz),
  bunIntegrity: () => tools().bunIntegrity,
};

/** Codex and AgentAPI releases in GitHub's layout (x64), with latest redirects. */
export function serveGithubReleases(m: Mirror, opts: { codex?: Uint8Array; agentapi?: Uint8Array } = {}) {
  return {
    codex: githubRelease(m, "openai/codex", `rust-v${PINS.codex}`, "codex-x86_64-unknown-linux-musl.tar.gz", opts.codex ?? artifacts.codexTarGz()),
    agentapi: githubRelease(m, "coder/agentapi", `v${PINS.agentapi}`, "agentapi-linux-amd64", opts.agentapi ?? artifacts.agentapi()),
  };
}

/** @openai/codex with the real linux-x64 platform tarball and its real integrity; latest = the pinned version. */
export function serveCodexNpm(m: Mirror) {
  return npmPackage(m, "@openai/codex", [
    { version: `${PINS.codex}-linux-x64`, bytes: artifacts.codexTgz(), integrity: artifacts.codexIntegrity() },
  ], { latest: PINS.codex });
}

/** The environment of an installer run in a sandbox: Coder's script bin dir, inputs as CODEX_BOOT_CONFIG. */
export function installEnv(root: string, base: Record<string, string>, inputs: Record<string, unknown>, extra: Record<string, string> = {}): Record<string, string> {
  return { ...base, CODER_SCRIPT_BIN_DIR: join(root, "coder-bin"), CODEX_BOOT_CONFIG: b64config(inputs), ...extra };
}

/** Temp files an installer may leave behind in a directory (there must be none). */
export const leftovers = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".part") || f.includes(".tmp")) : []);

export const fileSha256 = (path: string) => sha256hex(readFileSync(path));

/** The sandboxes a test file makes, removed together at the end. */
export function sandboxPool() {
  const boxes: Sandbox[] = [];
  return {
    make: (prefix?: string) => {
      const b = makeSandbox(prefix);
      boxes.push(b);
      return b;
    },
    cleanup: () => boxes.forEach((b) => b.cleanup()),
  };
}

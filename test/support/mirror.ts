// Loopback servers that look like a GitHub release host and an npm registry, serving REAL
// artifacts. Data-driven: a table path -> bytes | handler, so any layout can be served (Codex,
// AgentAPI, Bun's release zip, @oven/bun-linux-x64). Every request is recorded (method, path,
// headers) and faults can be queued per path, one consumed per request.
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
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


const TRIPLE = "x86_64-unknown-linux-musl";

const memo = new Map<string, Buffer>();
const bytesOf = (path: string) => memo.get(path) ?? (memo.set(path, readFileSync(path)), memo.get(path)!);

/** The real artifacts, read once per test process. */
export const artifacts = {
  /** codex-<triple>.tar.gz: the bare binary, all that the oldest releases publish. */
  codexTarGz: () => bytesOf(tools().codexBareTarGz),
  /** codex-package-<triple>.tar.gz: the complete package. */
  codexPackage: () => bytesOf(tools().codexPackageTarGz),
  /** codex-code-mode-host-<triple>.tar.gz. */
  codexHost: () => bytesOf(tools().codexHostTarGz),
  codexOldTgz: () => bytesOf(tools().codexOldTgz),
  codexTgz: () => bytesOf(tools().codexTgz),
  codexIntegrity: () => tools().codexIntegrity,
  agentapi: () => bytesOf(tools().agentapi),
  bunTgz: () => bytesOf(tools().bunTgz),
  bunIntegrity: () => tools().bunIntegrity,
};

/** `<sha256>  <name>` lines, as in codex-package_SHA256SUMS. */
export const sha256sums = (assets: Record<string, Uint8Array>) =>
  Object.entries(assets).map(([name, bytes]) => `${sha256hex(bytes)}  ${name}\n`).join("");

/**
 * What a Codex release publishes for linux x64: "package" (codex-package-<triple>.tar.gz and
 * codex-package_SHA256SUMS, today's releases), "binary+host" (the bare binary and the code-mode
 * host, some older ones) or "binary" (the bare binary only, the oldest).
 */
export type CodexLayout = "package" | "binary+host" | "binary";

/** A Codex release in GitHub's layout; returns the asset paths it serves. */
export function serveCodexRelease(m: Mirror, layout: CodexLayout = "package", version: string = PINS.codex, latest = true) {
  const tag = `rust-v${version}`;
  const paths: Record<string, string> = {};
  const add = (asset: string, bytes: Uint8Array) => (paths[asset] = githubRelease(m, "openai/codex", tag, asset, bytes, latest));
  if (layout === "package") {
    const pkg = artifacts.codexPackage();
    add(`codex-package-${TRIPLE}.tar.gz`, pkg);
    // Like the real file: one line per platform package (the others are not served here).
    add("codex-package_SHA256SUMS", new TextEncoder().encode(
      `${"0".repeat(64)}  codex-package-aarch64-unknown-linux-musl.tar.gz\n` + sha256sums({ [`codex-package-${TRIPLE}.tar.gz`]: pkg }),
    ));
  } else {
    add(`codex-${TRIPLE}.tar.gz`, artifacts.codexTarGz());
    if (layout === "binary+host") add(`codex-code-mode-host-${TRIPLE}.tar.gz`, artifacts.codexHost());
  }
  return paths;
}

/** Codex (the complete package) and AgentAPI releases in GitHub's layout (x64), with latest redirects. */
export function serveGithubReleases(m: Mirror, opts: { agentapi?: Uint8Array; codexLayout?: CodexLayout } = {}) {
  const codex = serveCodexRelease(m, opts.codexLayout);
  return {
    codex: codex[`codex-package-${TRIPLE}.tar.gz`] ?? codex[`codex-${TRIPLE}.tar.gz`]!,
    codexAssets: codex,
    agentapi: githubRelease(m, "coder/agentapi", `v${PINS.agentapi}`, "agentapi-linux-amd64", opts.agentapi ?? artifacts.agentapi()),
  };
}

/** @openai/codex with the real linux-x64 platform tarballs (pinned and older) and their real integrity; latest = the pinned version. */
export function serveCodexNpm(m: Mirror) {
  return npmPackage(m, "@openai/codex", [
    { version: `${PINS.codex}-linux-x64`, bytes: artifacts.codexTgz(), integrity: artifacts.codexIntegrity() },
    { version: `${PINS.codexOld}-linux-x64`, bytes: artifacts.codexOldTgz(), integrity: tools().codexOldIntegrity },
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

// Fault injection against the built bundle under Bun and Deno: each fault ends in a verified
// install, or in a clear error with the previous binary intact and no temp file left.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tools, type Runtime } from "../support/tools.ts";
import { runBundleAsync } from "../support/sandbox.ts";
import {
  artifacts, count, fileSha256, githubRelease, installEnv, leftovers, npmPackage, sandboxPool, sha256hex, startMirror, type Mirror,
} from "../support/mirror.ts";
import { PINS } from "../support/versions.ts";

const RUNTIMES: Runtime[] = ["bun", "deno"];
const NEXT = "0.12.3"; // served with the same real bytes: a "newer" AgentAPI to fail to install
const OLD = `/coder/agentapi/releases/download/v${PINS.agentapi}/agentapi-linux-amd64`;
const NEW = `/coder/agentapi/releases/download/v${NEXT}/agentapi-linux-amd64`;
const CODEX_ASSET = "codex-x86_64-unknown-linux-musl";
let m: Mirror;
let other: Mirror;
let work: string;
const pool = sandboxPool();
let fakeCodex168: Uint8Array;

/** A tar.gz made by the system tar from files written into a scratch dir (paths may hold ../). */
function tarGz(name: string, entries: Record<string, string>, cwd = "in"): Uint8Array {
  const dir = join(work, name);
  for (const [path, text] of Object.entries(entries)) {
    mkdirSync(join(dir, cwd, path, ".."), { recursive: true });
    writeFileSync(join(dir, cwd, path), text);
    chmodSync(join(dir, cwd, path), 0o755);
  }
  const r = spawnSync("tar", ["-czPf", join(dir, "out.tgz"), ...Object.keys(entries)], { cwd: join(dir, cwd), encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return readFileSync(join(dir, "out.tgz"));
}

beforeAll(async () => {
  tools();
  m = await startMirror();
  other = await startMirror();
  work = pool.make("install-faults-").root;
  githubRelease(m, "coder/agentapi", `v${PINS.agentapi}`, "agentapi-linux-amd64", artifacts.agentapi());
  githubRelease(m, "coder/agentapi", `v${NEXT}`, "agentapi-linux-amd64", artifacts.agentapi());
  other.files.set(NEW, artifacts.agentapi());
  fakeCodex168 = tarGz("c168", { [CODEX_ASSET]: "#!/bin/sh\necho codex-cli 0.168.0\n" });
  githubRelease(m, "openai/codex", "rust-v0.168.0", `${CODEX_ASSET}.tar.gz`, fakeCodex168);
  githubRelease(m, "openai/codex", "rust-v0.169.0", `${CODEX_ASSET}.tar.gz`, tarGz("evil", { [CODEX_ASSET]: "#!/bin/sh\necho codex-cli 0.169.0\n", "../evil": "owned" }, "in/sub"));
  npmPackage(m, "@openai/codex", [{ version: `${PINS.codex}-linux-x64`, bytes: artifacts.codexTgz(), integrity: artifacts.codexIntegrity() }], { latest: PINS.codex });
}, 120_000);
afterAll(async () => {
  await m.close();
  await other.close();
  pool.cleanup();
});

const toolsDir = () => join(tools().codex, "..");

/** A HOME with AgentAPI v<PINS.agentapi> installed (codex comes from PATH). */
async function withAgentapi(rt: Runtime) {
  const b = pool.make();
  const env = (inputs: Record<string, unknown>, extra: Record<string, string> = {}) =>
    installEnv(b.root, b.env, { github_url: m.url, install_codex: false, ...inputs }, { PATH: `${toolsDir()}:${b.env.PATH}`, ...extra });
  const first = await runBundleAsync(rt, ["install"], { env: { ...env({ agentapi_version: PINS.agentapi }) } });
  expect(first.code).toBe(0);
  const binDir = join(b.home, ".codex-module/bin");
  const stateText = () => readFileSync(join(b.home, ".codex-module/state.json"), "utf8");
  const before = { sha: fileSha256(join(binDir, "agentapi")), state: stateText() };
  return {
    b, env, binDir,
    /** Runs install; on success checks the new binary, on failure that nothing changed. */
    run: async (inputs: Record<string, unknown>, extra: Record<string, string> = {}) => {
      m.requests.length = 0;
      other.requests.length = 0;
      const t = performance.now();
      const r = await runBundleAsync(rt, ["install"], { env: env(inputs, extra) });
      const ms = performance.now() - t;
      expect(leftovers(binDir)).toEqual([]);
      expect(fileSha256(join(binDir, "agentapi"))).toBe(before.sha);
      if (r.code === 0) expect(JSON.parse(stateText()).install.agentapi.version).toBe(String(inputs.agentapi_version ?? NEXT).replace(/^v/, ""));
      else expect(stateText()).toBe(before.state);
      return { ...r, ms };
    },
  };
}

const ranges = (path: string) => m.requests.filter((q) => q.path === path).map((q) => q.headers.range ?? null);

for (const rt of RUNTIMES) {
  describe(`faults under ${rt}`, () => {
    test("a connection reset mid-body resumes with Range and installs", async () => {
      const h = await withAgentapi(rt);
      m.fault(NEW, { kind: "reset", after: 3_000_000 });
      const r = await h.run({ agentapi_version: NEXT });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      // A reset may drop bytes still in flight: it resumes from what actually arrived.
      const [first, resumed] = ranges(NEW);
      expect(first).toBeNull();
      expect(Number(/^bytes=(\d+)-$/.exec(resumed ?? "")?.[1])).toBeWithin(1, 3_000_001);
      expect(ranges(NEW)).toHaveLength(2);
    }, 30_000);

    test("503 twice then OK installs after backing off", async () => {
      const h = await withAgentapi(rt);
      m.fault(NEW, { kind: "status", status: 503 }, { kind: "status", status: 503 });
      const r = await h.run({ agentapi_version: NEXT });
      expect(r.code).toBe(0);
      expect(count(m, NEW)).toBe(3);
    }, 30_000);

    test("429 with Retry-After waits that long, then installs", async () => {
      const h = await withAgentapi(rt);
      m.fault(NEW, { kind: "status", status: 429, retryAfter: 2 });
      const r = await h.run({ agentapi_version: NEXT });
      expect(r.code).toBe(0);
      expect(count(m, NEW)).toBe(2);
      expect(r.ms).toBeGreaterThan(2000);
    }, 30_000);

    test("a body cut short of its Content-Length resumes and installs", async () => {
      const h = await withAgentapi(rt);
      m.fault(NEW, { kind: "truncate", after: 1_000_000 });
      const r = await h.run({ agentapi_version: NEXT });
      expect(r.code).toBe(0);
      // The mirror sends exactly 1000000 bytes and then closes. Deno hands every one of them to the
      // reader; Bun's fetch drops what it still buffered when the close comes right behind the data
      // (747329 here, any time the close is quick), so under Bun the resume starts at or below the cut.
      const [first, resumed] = ranges(NEW);
      expect(first).toBeNull();
      const at = Number(/^bytes=(\d+)-$/.exec(resumed ?? "")?.[1]);
      if (rt === "deno") expect(at).toBe(1_000_000);
      else expect(at).toBeWithin(1, 1_000_001);
      expect(ranges(NEW)).toHaveLength(2);
    }, 30_000);

    test("a stall past download_timeout_seconds is abandoned and resumed", async () => {
      const h = await withAgentapi(rt);
      m.fault(NEW, { kind: "stall", after: 2_000_000, ms: 20_000 });
      const r = await h.run({ agentapi_version: NEXT, download_timeout_seconds: 1 });
      expect(r.code).toBe(0);
      expect(ranges(NEW)).toEqual([null, "bytes=2000000-"]);
      expect(r.ms).toBeLessThan(10_000);
    }, 30_000);

    test("a redirect chain through a second host installs; GITHUB_TOKEN reaches neither mirror", async () => {
      const h = await withAgentapi(rt);
      m.fault(NEW, { kind: "redirect", to: `${other.url}/hop` });
      other.fault("/hop", { kind: "redirect", to: `${m.url}/hop2` });
      m.fault("/hop2", { kind: "redirect", to: `${other.url}${NEW}` });
      const r = await h.run({ agentapi_version: NEXT }, { GITHUB_TOKEN: "ghp_NEVER_TO_A_MIRROR_0000" });
      expect(r.code).toBe(0);
      expect(m.requests.map((q) => q.path)).toEqual([NEW, "/hop2"]);
      expect(other.requests.map((q) => q.path)).toEqual(["/hop", NEW]);
      expect([...m.requests, ...other.requests].map((q) => q.headers.authorization)).toEqual([undefined, undefined, undefined, undefined]);
    }, 30_000);

    test("404 is a clear error naming the version and the URL; the previous binary stays", async () => {
      const h = await withAgentapi(rt);
      const r = await h.run({ agentapi_version: "9.9.9" });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `codex-boot: installing agentapi 9.9.9: ${m.url}/coder/agentapi/releases/download/v9.9.9/agentapi-linux-amd64 answered HTTP 404. Check agentapi_version and github_url`,
      );
      expect(count(m)).toBe(1);
    }, 30_000);

    test("a wrong digest aborts naming agentapi_sha256; the previous binary stays", async () => {
      const h = await withAgentapi(rt);
      const r = await h.run({ agentapi_version: NEXT, agentapi_sha256: "0".repeat(64) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `codex-boot: installing agentapi ${NEXT}: ${m.url}${NEW} has sha256 ${sha256hex(artifacts.agentapi())}, not agentapi_sha256 ${"0".repeat(64)}. Check agentapi_version, agentapi_sha256 and github_url; the installed agentapi, if any, was kept`,
      );
    }, 30_000);

    test("the right digest pinned installs", async () => {
      const h = await withAgentapi(rt);
      const r = await h.run({ agentapi_version: NEXT, agentapi_sha256: sha256hex(artifacts.agentapi()) });
      expect(r.code).toBe(0);
    }, 30_000);

    test("the right digest pinned in uppercase installs", async () => {
      const h = await withAgentapi(rt);
      const r = await h.run({ agentapi_version: NEXT, agentapi_sha256: sha256hex(artifacts.agentapi()).toUpperCase() });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }, 30_000);

    test("wrong content (an HTML page) is refused because it does not run; the previous binary stays", async () => {
      const h = await withAgentapi(rt);
      m.fault(NEW, { kind: "body", bytes: Buffer.from("<html>Sign in to the proxy</html>\n") });
      const r = await h.run({ agentapi_version: NEXT });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/installing agentapi 0\.12\.3: the downloaded agentapi does not run/);
    }, 30_000);

    test("a codex tar with a ../ entry is refused; nothing lands outside and the previous codex stays", async () => {
      const b = pool.make();
      const env = (v: string, extra: Record<string, unknown> = {}) =>
        installEnv(b.root, b.env, { github_url: m.url, codex_version: v, install_agentapi: false, ...extra }, { PATH: `${toolsDir()}:${b.env.PATH}` });
      expect((await runBundleAsync(rt, ["install"], { env: env("0.168.0") })).code).toBe(0);
      const codex = join(b.home, ".codex-module/bin/codex");
      const r = await runBundleAsync(rt, ["install"], { env: env("0.169.0") });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/codex-boot: installing codex 0\.169\.0: extracting http:\/\/.*: unsafe entry refused: .* \.\.\/evil/);
      expect(spawnSync(codex, ["--version"], { encoding: "utf8" }).stdout).toBe("codex-cli 0.168.0\n");
      expect(spawnSync("find", [b.root, "-name", "evil"], { encoding: "utf8" }).stdout).toBe("");
      expect(leftovers(join(b.home, ".codex-module/bin"))).toEqual([]);

      // The npm tarball with a consistent length but the wrong bytes fails its sha512 integrity.
      m.fault(`/@openai/codex/-/codex-${PINS.codex}-linux-x64.tgz`, { kind: "body", bytes: artifacts.codexTgz().subarray(0, 1_000_000) });
      const npm = await runBundleAsync(rt, ["install"], { env: env(PINS.codex, { codex_install_source: "npm", npm_registry_url: m.url }) });
      expect(npm.code).toBe(1);
      expect(npm.stderr).toContain(
        `codex-boot: installing codex ${PINS.codex}: ${m.url}/@openai/codex/-/codex-${PINS.codex}-linux-x64.tgz does not match the sha512 integrity of its packument. Check codex_version and npm_registry_url`,
      );
      expect(spawnSync(codex, ["--version"], { encoding: "utf8" }).stdout).toBe("codex-cli 0.168.0\n");
      expect(leftovers(join(b.home, ".codex-module/bin"))).toEqual([]);
      expect(existsSync(join(b.home, ".codex-module/bin/agentapi"))).toBe(false);
    }, 60_000);
  });
}

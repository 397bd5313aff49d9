// The built bundle installs the REAL Codex and AgentAPI from loopback servers laid out like GitHub
// releases and an npm registry, under real Bun and real Deno.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tools, type Runtime } from "../support/tools.ts";
import { runBundleAsync, snapshot, type Sandbox } from "../support/sandbox.ts";
import {
  artifacts, count, fileSha256, installEnv, leftovers, serveCodexNpm, sandboxPool, serveGithubReleases, sha256hex, startMirror, startProxy, type Mirror,
} from "../support/mirror.ts";
import { PINS } from "../support/versions.ts";

const RUNTIMES: Runtime[] = ["bun", "deno"];
const GH_TOKEN = "ghp_DO_NOT_SEND_TO_MIRRORS_123456";
let m: Mirror;
const pool = sandboxPool();
const sandbox = pool.make;

beforeAll(async () => {
  tools();
  m = await startMirror();
  serveGithubReleases(m);
  serveCodexNpm(m);
}, 120_000);
afterAll(async () => {
  await m.close();
  pool.cleanup();
});

const bin = (b: Sandbox, name: string) => join(b.home, ".codex-module/bin", name);
const version = (file: string) => spawnSync(file, ["--version"], { encoding: "utf8" }).stdout.trim();
const state = (b: Sandbox) => JSON.parse(readFileSync(join(b.home, ".codex-module/state.json"), "utf8"));
/** A snapshot of files and links; directory mtimes are left out (boot.lock comes and goes in the module dir). */
const files = (dir: string) => Object.fromEntries(Object.entries(snapshot(dir)).map(([k, e]) => [k, e.kind === "dir" ? { ...e, mtimeMs: 0 } : e]));
const pinned = { codex_version: PINS.codex, agentapi_version: `v${PINS.agentapi}` };

for (const rt of RUNTIMES) {
  describe(`install under ${rt}`, () => {
    test("installs the complete Codex package and agentapi from a GitHub-layout mirror, verified by the release's SHA256SUMS, linked, recorded", async () => {
      const b = sandbox();
      const env = installEnv(b.root, b.env, { ...pinned, github_url: m.url }, { GITHUB_TOKEN: GH_TOKEN });
      m.requests.length = 0;
      const r = await runBundleAsync(rt, ["install"], { env });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(version(bin(b, "codex"))).toBe(`codex-cli ${PINS.codex}`);
      expect(version(bin(b, "agentapi"))).toContain(PINS.agentapi);
      expect(fileSha256(bin(b, "agentapi"))).toBe(sha256hex(artifacts.agentapi()));
      expect(statSync(bin(b, "codex")).mode & 0o777).toBe(0o755);
      for (const name of ["codex", "agentapi"]) {
        expect(lstatSync(join(b.root, "coder-bin", name)).isSymbolicLink()).toBe(true);
        expect(readlinkSync(join(b.root, "coder-bin", name))).toBe(bin(b, name));
      }
      // The whole package tree, intact under a versioned directory; bin/codex links to its executable.
      const tree = join(b.home, ".codex-module/codex", PINS.codex);
      expect(readlinkSync(bin(b, "codex"))).toBe(join(tree, "bin/codex"));
      for (const f of ["bin/codex", "bin/codex-code-mode-host", "codex-path/rg", "codex-resources/bwrap", "codex-package.json"]) expect(existsSync(join(tree, f))).toBe(true);
      expect(fileSha256(join(tree, "bin/codex-code-mode-host"))).toBe(fileSha256(join(tools().codexPackageDir, "bin/codex-code-mode-host")));
      // Codex itself, run through the link, sees a consistent package with its bundled search.
      const doctor = spawnSync(bin(b, "codex"), ["doctor", "--json"], { encoding: "utf8", cwd: b.home, env: { ...b.env, CODEX_HOME: join(b.home, ".codex") }, timeout: 60_000 });
      const checks = JSON.parse(doctor.stdout).checks;
      expect(checks.installation).toMatchObject({ status: "ok", summary: "installation looks consistent" });
      expect(checks.installation.details["install context"]).toStartWith(`other (package ${tree}, bin ${tree}/bin, resources ${tree}/codex-resources`);
      expect(checks["runtime.search"].details).toMatchObject({ "search provider": "bundled", "search command": `${tree}/codex-path/rg` });
      const s = state(b).install;
      expect(s.codex).toMatchObject({
        version: PINS.codex, source: "github", sha256: sha256hex(artifacts.codexPackage()), dir: tree, entry: "bin/codex", verified: "codex-package_SHA256SUMS", layout: "package",
      });
      expect(s.agentapi).toMatchObject({ version: PINS.agentapi, sha256: sha256hex(artifacts.agentapi()) });
      expect(statSync(join(b.home, ".codex-module/state.json")).mode & 0o777).toBe(0o600);
      expect(leftovers(join(b.home, ".codex-module/bin"))).toEqual([]);
      // GITHUB_TOKEN is for github.com only: a mirror named by github_url never receives it.
      expect(m.requests.length).toBeGreaterThan(0);
      expect(m.requests.filter((q) => q.headers.authorization !== undefined)).toEqual([]);
      expect(r.stdout).not.toContain(GH_TOKEN);
      // Without a TTY, progress is a plain line about every 10 %.
      const lines = r.stdout.split("\n").filter((l) => l.startsWith("codex-boot downloading codex "));
      expect(lines.length).toBeGreaterThanOrEqual(3);
      expect(lines.length).toBeLessThanOrEqual(12);
      expect(lines.at(-1)).toContain("100%");
      expect(r.stdout).toMatch(/installed codex 0\.169\.0 \(complete package, verified by codex-package_SHA256SUMS\) from http:\/\/127\.0\.0\.1:\d+\/openai\/codex\/releases\/download\/rust-v0\.169\.0\/codex-package-x86_64-unknown-linux-musl\.tar\.gz/);
      expect(leftovers(join(b.home, ".codex-module/codex"))).toEqual([]);

      // The warm path: zero requests, no file touched (mtimes included), well under a second.
      const before = { home: files(b.home), links: files(join(b.root, "coder-bin")) };
      m.requests.length = 0;
      const t = performance.now();
      const warm = await runBundleAsync(rt, ["install"], { env });
      const took = performance.now() - t;
      expect(warm.code).toBe(0);
      expect(m.requests).toEqual([]);
      expect({ home: files(b.home), links: files(join(b.root, "coder-bin")) }).toEqual(before);
      expect(warm.stdout).toContain(`codex: ${PINS.codex} is installed`);
      expect(took).toBeLessThan(2000);

      // The dry run now says skip-installed for both.
      const dry = JSON.parse((await runBundleAsync(rt, ["install", "--dry-run", "--json"], { env })).stdout);
      expect(dry.install.map((s: { action: string }) => s.action)).toEqual(["skip-installed", "skip-installed"]);
    }, 60_000);

    test("installs codex from an npm registry with the token of ~/.npmrc, checked against the packument's sha512", async () => {
      const b = sandbox();
      m.requireAuth = "Bearer npm-token-from-env";
      writeFileSync(join(b.home, ".npmrc"), `registry=${m.url}/\n${m.url.replace("http:", "")}/:_authToken=\${NPM_TOKEN}\n`);
      const env = installEnv(b.root, b.env, { codex_install_source: "npm", codex_version: "latest", install_agentapi: false }, { NPM_TOKEN: "npm-token-from-env" });
      // install_agentapi = false: AgentAPI comes from PATH.
      env.PATH = `${join(tools().agentapi, "..")}:${env.PATH}`;
      m.requests.length = 0;
      try {
        const r = await runBundleAsync(rt, ["install"], { env });
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(m.requests.map((q) => q.path)).toEqual(["/@openai/codex", `/@openai/codex/-/codex-${PINS.codex}-linux-x64.tgz`]);
        expect(version(bin(b, "codex"))).toBe(`codex-cli ${PINS.codex}`);
        expect(fileSha256(bin(b, "codex"))).toBe(fileSha256(tools().codex));
        // The whole package/vendor/<triple>/ tree, not only the executable.
        const tree = join(b.home, ".codex-module/codex", PINS.codex);
        for (const f of ["bin/codex-code-mode-host", "codex-path/rg", "codex-resources/bwrap"]) expect(existsSync(join(tree, f))).toBe(true);
        expect(state(b).install.codex).toMatchObject({ version: PINS.codex, source: "npm", sha256: sha256hex(artifacts.codexTgz()), verified: "npm integrity", dir: tree });
        expect(existsSync(bin(b, "agentapi"))).toBe(false);
        expect(r.stdout).toContain(`agentapi: install_agentapi = false: using ${tools().agentapi}`);
        expect(r.stdout).not.toContain("npm-token-from-env");
        // latest cannot be checked offline, so a second run asks the registry once and downloads nothing.
        m.requests.length = 0;
        const again = await runBundleAsync(rt, ["install"], { env });
        expect(again.code).toBe(0);
        expect(m.requests.map((q) => q.path)).toEqual(["/@openai/codex"]);
        expect(again.stdout).toContain(`codex ${PINS.codex} is installed and the latest`);
      } finally {
        m.requireAuth = undefined;
      }
    }, 60_000);
  });
}

describe("latest and the warm path across runtimes", () => {
  test("latest resolves through GitHub's redirect; later runs make one small request, and none of the download", async () => {
    const b = sandbox();
    const env = installEnv(b.root, b.env, { github_url: m.url, codex_version: "latest", agentapi_version: "latest" });
    m.requests.length = 0;
    const r = await runBundleAsync("bun", ["install"], { env });
    expect(r.code).toBe(0);
    expect(state(b).install.codex.version).toBe(PINS.codex);
    expect(state(b).install.agentapi.version).toBe(PINS.agentapi);
    expect(m.requests.map((q) => q.path).sort()).toEqual([
      "/coder/agentapi/releases/download/v0.12.2/agentapi-linux-amd64",
      "/coder/agentapi/releases/latest/download/agentapi-linux-amd64",
      "/openai/codex/releases/download/rust-v0.169.0/codex-package-x86_64-unknown-linux-musl.tar.gz",
      "/openai/codex/releases/download/rust-v0.169.0/codex-package_SHA256SUMS",
      "/openai/codex/releases/latest/download/codex-package-x86_64-unknown-linux-musl.tar.gz",
    ]);
    for (const rt of RUNTIMES) {
      m.requests.length = 0;
      const again = await runBundleAsync(rt, ["install"], { env });
      expect(again.code).toBe(0);
      expect(m.requests.map((q) => q.path).sort()).toEqual([
        "/coder/agentapi/releases/latest/download/agentapi-linux-amd64",
        "/openai/codex/releases/latest/download/codex-package-x86_64-unknown-linux-musl.tar.gz",
      ]);
    }
  }, 60_000);

  test("latest with the network down keeps the installed binaries with a warning", async () => {
    const b = sandbox();
    const env = installEnv(b.root, b.env, { github_url: m.url, codex_version: "latest" });
    expect((await runBundleAsync("bun", ["install"], { env })).code).toBe(0);
    const before = files(b.home);
    const offline = installEnv(b.root, b.env, { github_url: "http://127.0.0.1:9", codex_version: "latest", download_timeout_seconds: 2 });
    const r = await runBundleAsync("deno", ["install"], { env: offline });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: could not get the latest codex \(.+\); keeping the installed 0\.169\.0/);
    expect(files(b.home)).toEqual(before);
  }, 60_000);

  test("installed under Bun, warm under Deno: the recorded file identity is the same in both runtimes", async () => {
    const b = sandbox();
    const env = installEnv(b.root, b.env, { ...pinned, github_url: m.url });
    expect((await runBundleAsync("bun", ["install"], { env })).code).toBe(0);
    m.requests.length = 0;
    expect((await runBundleAsync("deno", ["install"], { env })).code).toBe(0);
    expect(m.requests).toEqual([]);
  }, 60_000);

  test("a binary changed after install is not trusted: the next run downloads it again", async () => {
    const b = sandbox();
    const env = installEnv(b.root, b.env, { ...pinned, github_url: m.url, install_codex: false }, { PATH: `${join(tools().codex, "..")}:${b.env.PATH}` });
    expect((await runBundleAsync("bun", ["install"], { env })).code).toBe(0);
    writeFileSync(bin(b, "agentapi"), "#!/bin/sh\necho tampered\n");
    m.requests.length = 0;
    const r = await runBundleAsync("bun", ["install"], { env });
    expect(r.code).toBe(0);
    expect(count(m, "/coder/agentapi/")).toBe(1);
    expect(fileSha256(bin(b, "agentapi"))).toBe(sha256hex(artifacts.agentapi()));
  }, 60_000);

  test("HTTP_PROXY is honoured under Bun and Deno (Node 20's fetch ignores it)", async () => {
    const proxy = await startProxy(m);
    try {
      for (const rt of RUNTIMES) {
        const b = sandbox();
        const env = installEnv(b.root, b.env, { github_url: "http://mirror.invalid", install_codex: false, agentapi_version: PINS.agentapi }, {
          PATH: `${join(tools().codex, "..")}:${b.env.PATH}`, HTTP_PROXY: proxy.url,
        });
        proxy.seen.length = 0;
        const r = await runBundleAsync(rt, ["install"], { env });
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(proxy.seen).toEqual([`http://mirror.invalid/coder/agentapi/releases/download/v${PINS.agentapi}/agentapi-linux-amd64`]);
        expect(fileSha256(bin(b, "agentapi"))).toBe(sha256hex(artifacts.agentapi()));
      }
    } finally {
      await proxy.close();
    }
  }, 60_000);
});

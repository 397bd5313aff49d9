// Ten installs at once in one HOME, five under Bun and five under Deno: one correct binary each,
// never a torn file seen on the way, one download of each asset, and a warm HOME afterwards.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { tools } from "../support/tools.ts";
import { makeSandbox, runBundleAsync, type Sandbox } from "../support/sandbox.ts";
import { artifacts, fileSha256, installEnv, leftovers, serveGithubReleases, sha256hex, startMirror, type Mirror } from "../support/mirror.ts";
import { PINS } from "../support/versions.ts";

let m: Mirror;
let box: Sandbox;
beforeAll(async () => {
  tools();
  m = await startMirror();
  serveGithubReleases(m);
  box = makeSandbox();
}, 120_000);
afterAll(async () => {
  await m.close();
  box.cleanup();
});

test("10 concurrent installs in one HOME leave one correct codex and agentapi, never torn", async () => {
  const env = installEnv(box.root, box.env, { github_url: m.url, codex_version: PINS.codex });
  const bin = join(box.home, ".codex-module/bin");
  const agentapiSha = sha256hex(artifacts.agentapi());
  const codexSize = statSync(tools().codex).size;
  let seen = 0;
  const bad: string[] = [];
  // Whenever a binary is visible at its final path, it must be complete.
  const watcher = setInterval(() => {
    if (existsSync(join(bin, "agentapi"))) {
      seen++;
      const sha = sha256hex(readFileSync(join(bin, "agentapi")));
      if (sha !== agentapiSha) bad.push(`agentapi ${sha}`);
    }
    if (existsSync(join(bin, "codex")) && statSync(join(bin, "codex")).size !== codexSize) bad.push(`codex size ${statSync(join(bin, "codex")).size}`);
  }, 15);
  const runs = await Promise.all(
    Array.from({ length: 10 }, (_, i) => runBundleAsync(i % 2 ? "deno" : "bun", ["install"], { env, timeoutMs: 180_000 })),
  );
  clearInterval(watcher);
  for (const r of runs) expect(r.stderr).toBe("");
  expect(runs.map((r) => r.code)).toEqual(Array(10).fill(0));
  expect(bad).toEqual([]);
  expect(seen).toBeGreaterThan(0);
  expect(fileSha256(join(bin, "codex"))).toBe(fileSha256(tools().codex));
  expect(fileSha256(join(bin, "agentapi"))).toBe(agentapiSha);
  expect(leftovers(bin)).toEqual([]);
  // boot.lock makes them take turns: the first downloads, the nine others find it installed.
  const downloads = m.requests.filter((q) => q.path.includes("/releases/download/")).map((q) => q.path).sort();
  expect(downloads).toEqual([
    `/coder/agentapi/releases/download/v${PINS.agentapi}/agentapi-linux-amd64`,
    `/openai/codex/releases/download/rust-v${PINS.codex}/codex-package-x86_64-unknown-linux-musl.tar.gz`,
    `/openai/codex/releases/download/rust-v${PINS.codex}/codex-package_SHA256SUMS`,
  ]);
  expect(runs.filter((r) => r.stdout.includes("installed codex 0.169.0")).length).toBe(1);
  const state = JSON.parse(readFileSync(join(box.home, ".codex-module/state.json"), "utf8"));
  expect(state.install.codex.size).toBe(codexSize);
  m.requests.length = 0;
  expect((await runBundleAsync("deno", ["install"], { env })).code).toBe(0);
  expect(m.requests).toEqual([]);
}, 240_000);

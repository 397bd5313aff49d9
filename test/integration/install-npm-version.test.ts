// codex_version as coder-labs/codex users wrote it (a range or a dist-tag), from a loopback npm
// registry serving the real @openai/codex platform package, under real Bun.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { tools } from "../support/tools.ts";
import { runBundleAsync } from "../support/sandbox.ts";
import { installEnv, sandboxPool, serveCodexNpm, startMirror, type Mirror } from "../support/mirror.ts";
import { PINS } from "../support/versions.ts";

let m: Mirror;
const pool = sandboxPool();
beforeAll(async () => {
  tools();
  m = await startMirror();
  serveCodexNpm(m);
}, 120_000);
afterAll(async () => {
  await m.close();
  pool.cleanup();
});

test("with the npm source, a codex_version range installs the newest build it covers", async () => {
  const b = pool.make();
  const [major, minor] = PINS.codex.split(".");
  const inputs = { codex_install_source: "npm", npm_registry_url: m.url, codex_version: `^${major}.${minor}`, install_agentapi: false };
  const env = { ...installEnv(b.root, b.env, inputs), PATH: `${join(tools().agentapi, "..")}:${b.env.PATH}` };
  const r = await runBundleAsync("bun", ["install"], { env });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(spawnSync(join(b.home, ".codex-module/bin/codex"), ["--version"], { encoding: "utf8" }).stdout.trim()).toBe(`codex-cli ${PINS.codex}`);
  const dry = await runBundleAsync("bun", ["install", "--dry-run"], { env: { ...env, CODEX_BOOT_CONFIG: installEnv(b.root, b.env, { ...inputs, codex_install_source: "github" }).CODEX_BOOT_CONFIG! } });
  expect(dry.code).toBe(2);
  expect(dry.stderr).toContain('input "codex_version" must be "latest", "" (latest) or a version like 0.169.0 with codex_install_source = "github"');
}, 60_000);

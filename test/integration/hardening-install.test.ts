// Issue 11 (adversarial testing), the installer through the built bundle under Bun and Deno: a
// secret split across pipe chunks stays redacted, and a full disk ends a download at once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tools, type Runtime } from "../support/tools.ts";
import { runAsync, runBundleAsync } from "../support/sandbox.ts";
import { artifacts, fileSha256, githubRelease, installEnv, sandboxPool, startMirror, type Mirror } from "../support/mirror.ts";
import { PINS } from "../support/versions.ts";

const RUNTIMES: Runtime[] = ["bun", "deno"];
const KEY = "sk-adv-SECRET";
const pool = sandboxPool();
let m: Mirror;
beforeAll(async () => {
  tools();
  m = await startMirror();
  githubRelease(m, "coder/agentapi", `v${PINS.agentapi}`, "agentapi-linux-amd64", artifacts.agentapi());
  githubRelease(m, "coder/agentapi", "v0.12.3", "agentapi-linux-amd64", artifacts.agentapi());
});
afterAll(async () => {
  await m.close();
  pool.cleanup();
});

const toolsOnPath = (path: string) => `${join(tools().codex, "..")}:${path}`;

for (const rt of RUNTIMES) {
  describe(`hardening: install under ${rt}`, () => {
    test("a secret split across pipe chunks is redacted in the script log and on stdout", async () => {
      const b = pool.make();
      const env = installEnv(b.root, b.env, { install_codex: false, install_agentapi: false, pre_install_script: 'yes "$OPENAI_API_KEY" | head -n 20000' }, {
        PATH: toolsOnPath(b.env.PATH!), OPENAI_API_KEY: KEY,
      });
      const r = await runBundleAsync(rt, ["install"], { env });
      expect(r.code).toBe(0);
      const log = readFileSync(join(b.home, ".codex-module/pre_install.log"), "utf8");
      expect(log.split(KEY.slice(0, 7)).length - 1).toBe(0); // not even a split piece of it
      expect(log).toBe("***\n".repeat(20000));
      expect(r.stdout).toContain("***\n".repeat(20000));
      expect(r.stdout).not.toContain("SECRET");
    }, 60_000);
  });
}

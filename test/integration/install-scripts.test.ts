// pre_install_script / post_install_script and install_* = false, through the built bundle.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { tools, type Runtime } from "../support/tools.ts";
import { runBundleAsync, type Sandbox } from "../support/sandbox.ts";
import { artifacts, githubRelease, installEnv, sandboxPool, startMirror, type Mirror } from "../support/mirror.ts";
import { PINS } from "../support/versions.ts";

const RUNTIMES: Runtime[] = ["bun", "deno"];
const SECRET = "sk-script-secret-DO-NOT-LOG-42";
let m: Mirror;
const pool = sandboxPool();
const sandbox = pool.make;
beforeAll(async () => {
  tools();
  m = await startMirror();
  githubRelease(m, "coder/agentapi", `v${PINS.agentapi}`, "agentapi-linux-amd64", artifacts.agentapi());
});
afterAll(async () => {
  await m.close();
  pool.cleanup();
});

const withCodexOnPath = (b: Sandbox, inputs: Record<string, unknown>) =>
  installEnv(b.root, b.env, { github_url: m.url, install_codex: false, ...inputs }, { PATH: `${join(tools().codex, "..")}:${b.env.PATH}`, OPENAI_API_KEY: SECRET });

for (const rt of RUNTIMES) {
  describe(`install scripts under ${rt}`, () => {
    test("a failing pre_install_script stops with exit 1 before any download, and its log is kept", async () => {
      const b = sandbox();
      m.requests.length = 0;
      const r = await runBundleAsync(rt, ["install"], {
        env: withCodexOnPath(b, { pre_install_script: 'echo "preparing in $PWD"\necho "key=$OPENAI_API_KEY"\necho oops >&2\nexit 3' }),
      });
      const log = join(b.home, ".codex-module/pre_install.log");
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`codex-boot: pre_install_script failed with exit code 3: its output is in ${log}. Fix the script or set pre_install_script = ""`);
      expect(readFileSync(log, "utf8")).toBe(`preparing in ${b.home}\nkey=***\noops\n`);
      expect(statSync(log).mode & 0o777).toBe(0o600);
      expect(r.stdout).toContain(`preparing in ${b.home}\nkey=***\noops\n`);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      expect(m.requests).toEqual([]);
      expect(existsSync(join(b.home, ".codex-module/bin/agentapi"))).toBe(false);
    }, 30_000);

    test("post_install_script runs after the install, sees the binaries, and its output is shown and logged", async () => {
      const b = sandbox();
      const r = await runBundleAsync(rt, ["install"], {
        env: withCodexOnPath(b, { pre_install_script: "echo pre ran", post_install_script: '"$CODER_SCRIPT_BIN_DIR/agentapi" --version' }),
      });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(readFileSync(join(b.home, ".codex-module/pre_install.log"), "utf8")).toBe("pre ran\n");
      expect(readFileSync(join(b.home, ".codex-module/post_install.log"), "utf8")).toContain(`agentapi version ${PINS.agentapi}`);
      const order = ["pre ran", "installed agentapi", `agentapi version ${PINS.agentapi}`].map((s) => r.stdout.indexOf(s));
      expect(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!))).toBe(true);
    }, 30_000);

    test("install_codex = false with no codex on PATH or in the bin dir is an error naming install_codex", async () => {
      const b = sandbox();
      const r = await runBundleAsync(rt, ["install"], { env: installEnv(b.root, b.env, { github_url: m.url, install_codex: false }) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("codex-boot: using an existing codex: install_codex = false but codex is neither on PATH nor in");
      expect(r.stderr).toContain("Set install_codex = true, or put codex on PATH");
      const dry = await runBundleAsync(rt, ["install", "--dry-run"], { env: installEnv(b.root, b.env, { github_url: m.url, install_codex: false }) });
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/warning: install_codex = false but codex is neither on PATH nor in .*. Set install_codex = true/);
    }, 30_000);
  });
}

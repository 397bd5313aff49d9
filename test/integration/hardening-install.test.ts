// Issue 11 (adversarial testing), the installer through the built bundle under Bun and Deno: a
// secret split across pipe chunks stays redacted, and a full disk ends a download at once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { runtimeArgv, tools, type Runtime } from "../support/tools.ts";
import { runAsync, runBundleAsync, snapshot } from "../support/sandbox.ts";
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

    test("a full disk during a download ends the install at once, naming the file and the free space; the old binary stays", async () => {
      const b = pool.make();
      const config = (v: string) => installEnv(b.root, b.env, { github_url: m.url, install_codex: false, agentapi_version: v }).CODEX_BOOT_CONFIG!;
      // HOME on a tmpfs with room for one agentapi and a few MB more, in a mount namespace of its own.
      const script = `mount -t tmpfs -o size=${Math.ceil(artifacts.agentapi().byteLength / 2 ** 20) + 3}m tmpfs "$HOME" || exit 99
CODEX_BOOT_CONFIG=$FIRST "$@" install >/dev/null || exit 98
sha256sum "$HOME/.codex-module/bin/agentapi"
CODEX_BOOT_CONFIG=$SECOND "$@" install; echo "exit=$?"
ls -A "$HOME/.codex-module/bin"`;
      m.requests.length = 0;
      const t0 = Date.now();
      const r = await runAsync(["unshare", "--mount", "--pid", "--fork", "--kill-child", "sh", "-c", script, "sh", ...runtimeArgv(rt)], {
        env: { ...installEnv(b.root, b.env, {}, { PATH: toolsOnPath(b.env.PATH!) }), FIRST: config(PINS.agentapi), SECOND: config("0.12.3") },
        timeoutMs: 90_000,
      });
      expect(r.stderr).toMatch(
        /^codex-boot: installing agentapi 0\.12\.3: cannot write \/.*\/home\/\.codex-module\/bin\/\.agentapi\.\d+\.part\/download after \d+ bytes: .*(ENOSPC|No space left on device|no space left on device).*, \d+\.\d MB free there\. Free disk space/,
      );
      expect(r.stdout).toContain("exit=1\n");
      expect(Date.now() - t0).toBeLessThan(45_000); // two installs on a loaded machine; retrying went on without end
      expect(m.requests.filter((q) => q.path.includes("v0.12.3"))).toHaveLength(1); // no retry
      expect(r.stdout.split("\n")[0]).toStartWith(fileSha256(tools().agentapi)); // the old binary is intact
      expect(r.stdout).toEndWith("exit=1\nagentapi\n"); // and no temp file is left
    }, 120_000);

    test("umask 000 leaves nothing world-writable: ~/.codex and ~/.codex-module 0700, bin and a new workdir 0755", async () => {
      const b = pool.make();
      const workdir = join(b.root, "work/deep/project");
      const env = installEnv(b.root, b.env, { github_url: m.url, install_codex: false, workdir, pre_install_script: "echo hi" }, {
        PATH: toolsOnPath(b.env.PATH!), OPENAI_API_KEY: KEY,
      });
      // The stub may have made ~/.codex-module already, under the same umask.
      mkdirSync(join(b.home, ".codex-module"));
      chmodSync(join(b.home, ".codex-module"), 0o777);
      for (const command of ["install", "configure"]) {
        const r = await runAsync(["sh", "-c", 'umask 000; exec "$@"', "sh", ...runtimeArgv(rt), command], { env });
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
      }
      const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
      expect([".codex", ".codex-module"].map((d) => mode(join(b.home, d)))).toEqual(["700", "700"]);
      expect([join(b.home, ".codex-module/bin"), join(b.root, "work"), join(b.root, "work/deep"), workdir].map(mode)).toEqual(["755", "755", "755", "755"]);
      const writable = Object.entries(snapshot(b.root)).filter(([p, e]) => e.kind !== "link" && e.mode & 0o002 && !p.startsWith("/deno-dir"));
      expect(writable.map(([p, e]) => `${p} ${e.mode.toString(8)}`)).toEqual([]);
    }, 60_000);
  });
}

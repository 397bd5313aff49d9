// Issue 11 (adversarial testing), large and impossible inputs through the built bundle under Bun
// and Deno: refused up front naming the input and the limit, and a spawn that fails anyway is a
// `codex-boot: …` error under every runtime, never a crash (the terraform side: validation.tftest.hcl).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tools, type Runtime } from "../support/tools.ts";
import { b64config, runBundleAsync, type Sandbox } from "../support/sandbox.ts";
import { sandboxPool } from "../support/mirror.ts";

const RUNTIMES: Runtime[] = ["bun", "deno"];
const pool = sandboxPool();
beforeAll(() => void tools());
afterAll(() => pool.cleanup());

/** A HOME whose PATH has the real codex and the given agentapi; nothing is installed. */
function withBins(agentapi?: string): { b: Sandbox; env: (inputs: Record<string, unknown>) => Record<string, string> } {
  const b = pool.make();
  const bin = join(b.root, "bin");
  mkdirSync(bin);
  symlinkSync(tools().codex, join(bin, "codex"));
  if (agentapi) {
    writeFileSync(join(bin, "agentapi"), agentapi);
    chmodSync(join(bin, "agentapi"), 0o755);
  } else symlinkSync(tools().agentapi, join(bin, "agentapi"));
  const env = (inputs: Record<string, unknown>) => ({
    ...b.env, PATH: `${bin}:${b.env.PATH}`, CODEX_BOOT_CONFIG: b64config({ install_codex: false, install_agentapi: false, ...inputs }),
  });
  return { b, env };
}

for (const rt of RUNTIMES) {
  describe(`hardening: limits under ${rt}`, () => {
    test("a 1 MB ai_prompt through --config is refused naming ai_prompt and the 64 KiB limit, without echoing it", async () => {
      const { b, env } = withBins();
      const file = join(b.root, "inputs.json");
      writeFileSync(file, JSON.stringify({ ai_prompt: "x".repeat(1_000_000), workdir: join(b.root, "w") }));
      const r = await runBundleAsync(rt, ["start", "--config", file], { env: env({}) });
      expect(r.stderr).toStartWith(`codex-boot: input "ai_prompt" (from --config ${file}) must be at most 65536 bytes (Linux passes it to Codex as one argument), got 1000000 bytes`);
      expect(r.stderr.length).toBeLessThan(1000);
      expect(r.code).toBe(2);
      // Multi-byte text counts in bytes: 30000 × "€" is 90000 bytes.
      const euro = await runBundleAsync(rt, ["start", "--dry-run"], { env: env({ ai_prompt: "€".repeat(30_000) }) });
      expect(euro.stderr).toContain("got 90000 bytes");
      expect((await runBundleAsync(rt, ["start", "--dry-run"], { env: env({ ai_prompt: "x".repeat(65_536) }) })).code).toBe(0);
    }, 60_000);

    test("a workdir that is a file is refused naming workdir", async () => {
      const { b, env } = withBins();
      const file = join(b.root, "a-file");
      writeFileSync(file, "not a directory\n");
      const r = await runBundleAsync(rt, ["start"], { env: env({ workdir: file }) });
      expect(r.stderr).toStartWith(`codex-boot: input "workdir" is ${file}, which is not a directory`);
      expect(r.code).toBe(2);
    }, 60_000);

    test("an agentapi that cannot be started is a codex-boot error naming it, not a crash", async () => {
      const { b, env } = withBins("#!/nonexistent/interpreter\n");
      const r = await runBundleAsync(rt, ["start"], { env: env({ workdir: join(b.root, "w"), ready_timeout_seconds: 5 }) });
      expect(r.stderr).toStartWith(`codex-boot: cannot start ${join(b.root, "bin/agentapi")}: `);
      expect(r.stderr).toMatch(/ENOENT|No such file/);
      expect(r.stdout).not.toContain("started agentapi");
      expect(r.code).toBe(1);
    }, 60_000);
  });
}

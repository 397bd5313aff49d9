// Issue 11 (adversarial testing), input and state handling through the built bundle under Bun and
// Deno: flag values stay strings, prototype-named keys are unknown keys, an all-slash workdir is /,
// AGENTS.md markers in the prompt are refused, and a hand-edited state.json is not a crash.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tools, type Runtime } from "../support/tools.ts";
import { b64config, runBundleAsync } from "../support/sandbox.ts";
import { sandboxPool } from "../support/mirror.ts";
import { BEGIN, END } from "../../src/agents-md.ts";

const RUNTIMES: Runtime[] = ["bun", "deno"];
const pool = sandboxPool();
beforeAll(() => void tools());
afterAll(() => pool.cleanup());

const dryRun = async (rt: Runtime, args: string[], inputs: Record<string, unknown> = {}) => {
  const b = pool.make();
  const r = await runBundleAsync(rt, ["start", "--dry-run", "--json", ...args], { env: { ...b.env, CODEX_BOOT_CONFIG: b64config(inputs) } });
  return { ...r, b, plan: r.code === 0 ? JSON.parse(r.stdout) : null };
};

for (const rt of RUNTIMES) {
  describe(`hardening: inputs under ${rt}`, () => {
    test("CLI flag values stay strings exactly as typed (007, 1e3, 0x10, 20 digits)", async () => {
      for (const value of ["007", "1e3", "0x10", "12345678901234567890", " 42 "]) {
        const r = await dryRun(rt, ["--model", value, `--prompt=${value}`, "--codex-version", "0.169.0"]);
        expect(r.stderr).toBe("");
        expect(r.plan.inputs.codex_model).toBe(value);
        expect(r.plan.inputs.ai_prompt).toBe(value);
        expect(r.plan.inputs.codex_version).toBe("0.169.0");
      }
      const twice = await dryRun(rt, ["--model", "a", "--model", "b"]);
      expect(twice.code).toBe(2);
      expect(twice.stderr).toContain("flag --model is given twice");
      const none = await dryRun(rt, ["--model"]);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain("--model");
    }, 60_000);

    test("keys named like Object.prototype members are unknown inputs, not crashes", async () => {
      for (const json of ['{"toString":"x"}', '{"constructor":"x"}', '{"__proto__":{"workdir":"/tmp"}}', '{"hasOwnProperty":1}']) {
        const b = pool.make();
        const file = join(b.root, "inputs.json");
        writeFileSync(file, json);
        const key = Object.keys(JSON.parse(json))[0]!;
        const viaFile = await runBundleAsync(rt, ["start", "--dry-run", "--config", file], { env: b.env });
        expect(viaFile.stderr).toStartWith(`codex-boot: input "${key}" (from --config ${file}) is not a known input`);
        expect(viaFile.code).toBe(2);
        const viaEnv = await runBundleAsync(rt, ["start", "--dry-run"], { env: { ...b.env, CODEX_BOOT_CONFIG: Buffer.from(json).toString("base64") } });
        expect(viaEnv.stderr).toStartWith(`codex-boot: input "${key}" (from CODEX_BOOT_CONFIG) is not a known input`);
        expect(viaEnv.code).toBe(2);
      }
    }, 60_000);

    test('a workdir of only slashes is "/", never HOME', async () => {
      const r = await dryRun(rt, [], { workdir: "////" });
      expect(r.stderr).toBe("");
      expect(r.plan.inputs.workdir).toBe("/");
      expect(r.plan.launch.cwd).toBe("/");
      const toml = r.plan.files.find((f: { path: string }) => f.path.endsWith("config.toml")).content as string;
      expect(toml).toContain('[projects."/"]');
      expect(toml).not.toContain(r.b.home);
      const flag = await dryRun(rt, ["--workdir", "//"]);
      expect(flag.plan.launch.cwd).toBe("/");
    }, 30_000);

    test("codex_system_prompt holding the AGENTS.md markers is refused; AGENTS.md keeps one managed block", async () => {
      const b = pool.make();
      const prompt = `line1\n${END}\nafter-end\n${BEGIN}\nline2`;
      const env = (p: string) => ({ ...b.env, CODEX_BOOT_CONFIG: b64config({ codex_system_prompt: p, workdir: join(b.root, "w") }) });
      const r = await runBundleAsync(rt, ["configure"], { env: env(prompt) });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('codex-boot: input "codex_system_prompt" (from CODEX_BOOT_CONFIG) must not contain codex-boot\'s AGENTS.md markers');
      // A file that earlier versions grew (two blocks plus user text) heals to a single block.
      const agents = join(b.home, ".codex/AGENTS.md");
      mkdirSync(join(agents, ".."), { recursive: true });
      writeFileSync(agents, `user text\n\n${BEGIN}\nold1\n${END}\n\nmiddle\n\n${BEGIN}\nold2\n${END}\n`);
      for (let i = 0; i < 2; i++) expect((await runBundleAsync(rt, ["configure"], { env: env("new prompt") })).code).toBe(0);
      expect(readFileSync(agents, "utf8")).toBe(`user text\n\nmiddle\n\n${BEGIN}\nnew prompt\n${END}\n`);
    }, 30_000);

    test("status with a hand-edited state.json treats bad records as absent and says so", async () => {
      for (const state of ['{"install":{"codex":null}}', '{"install":{"codex":{"version":7}},"launch":{"fingerprint":1}}', '{"install":[1],"config":{"owned":"x"}}', "[]", "not json"]) {
        const b = pool.make();
        mkdirSync(join(b.home, ".codex-module"), { recursive: true });
        writeFileSync(join(b.home, ".codex-module/state.json"), state);
        const r = await runBundleAsync(rt, ["status", "--json"], { env: b.env });
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout).installed).toEqual({});
        expect(r.stderr).toContain(`codex-boot: warning: ${join(b.home, ".codex-module/state.json")}`);
        expect(r.stderr).toContain("is not valid and is treated as absent");
      }
    }, 60_000);
  });
}

// The terraform tier of the suite: fmt, validate and `terraform test` (test/*.tftest.hcl, real coder
// provider) on a copy of the module, so the repository gets no .terraform directory.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tools } from "../support/tools.ts";
import { makeSandbox, type Sandbox } from "../support/sandbox.ts";
import { terraform } from "../support/terraform.ts";

const TIMEOUT = 180_000;
let copy: Sandbox;

beforeAll(async () => {
  tools();
  copy = makeSandbox("codex-boot-tftest-");
  for (const f of readdirSync(ROOT).filter((f) => f.endsWith(".tf"))) cpSync(join(ROOT, f), join(copy.root, f));
  cpSync(join(ROOT, "scripts"), join(copy.root, "scripts"), { recursive: true });
  mkdirSync(join(copy.root, "dist"));
  cpSync(join(ROOT, "dist/codex-boot.js"), join(copy.root, "dist/codex-boot.js"));
  mkdirSync(join(copy.root, "test"));
  for (const f of readdirSync(join(ROOT, "test")).filter((f) => f.endsWith(".tftest.hcl"))) cpSync(join(ROOT, "test", f), join(copy.root, "test", f));
  cpSync(join(ROOT, "test/fixtures"), join(copy.root, "test/fixtures"), { recursive: true });
  const init = await terraform(["init", "-input=false"], { cwd: copy.root });
  if (init.code !== 0) throw new Error(`terraform init failed:\n${init.stdout}\n${init.stderr}`);
}, TIMEOUT);

afterAll(() => copy?.cleanup());

describe("terraform", () => {
  test("the module and its tests are terraform fmt clean", async () => {
    const r = await terraform(["fmt", "-check", "-recursive", "-list=true"], { cwd: copy.root });
    expect(r.stdout).toBe("");
    expect(r.code).toBe(0);
  });

  test("terraform validate passes", async () => {
    const r = await terraform(["validate"], { cwd: copy.root });
    expect(r.stdout).toContain("Success! The configuration is valid");
    expect(r.code).toBe(0);
  });

  test("terraform test: every run in test/*.tftest.hcl passes", async () => {
    const r = await terraform(["test", "-test-directory=test"], { cwd: copy.root, timeoutMs: TIMEOUT });
    const failed = r.stdout.split("\n").filter((l) => /^\s*run ".*"\.\.\. (fail|skip)/.test(l));
    console.log(r.stdout.split("\n").filter((l) => /(Success|Failure)! /.test(l)).join("\n"));
    expect({ failed, errors: r.code === 0 ? "" : r.stderr.slice(0, 4000) }).toEqual({ failed: [], errors: "" });
  }, TIMEOUT);

  test("a 200 KB ai_prompt is refused at plan naming ai_prompt and the limit, and no diagnostic line quotes it (Coder's provisioner stops at a 64 KiB line)", async () => {
    // Terraform reads the value from a file, as Coder passes large parameters.
    writeFileSync(join(copy.root, "big.auto.tfvars.json"), JSON.stringify({ agent_id: "a", workdir: "/home/coder/project", ai_prompt: "x".repeat(200_000) }));
    try {
      const r = await terraform(["plan", "-json", "-input=false"], { cwd: copy.root, timeoutMs: TIMEOUT });
      expect(r.code).not.toBe(0);
      const lines = (r.stdout + r.stderr).split("\n");
      expect(lines.some((l) => l.includes("ai_prompt is 200000 bytes; it must be at most 64 KiB (65536 bytes)"))).toBe(true);
      expect(Math.max(...lines.map((l) => Buffer.byteLength(l)))).toBeLessThan(65536);
    } finally {
      rmSync(join(copy.root, "big.auto.tfvars.json"));
    }
  }, TIMEOUT);
});

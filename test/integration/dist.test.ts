// dist/codex-boot.js is committed: it must be reproducible, and a stale one must fail the check.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, tools } from "../support/tools.ts";

let clone: string;
const run = (argv: string[]) => spawnSync(argv[0]!, argv.slice(1), { cwd: clone, encoding: "utf8" });

beforeAll(() => {
  clone = join(mkdtempSync(join(tmpdir(), "codex-boot-dist-")), "repo");
  // A clean clone of what is committed, sharing node_modules: the same view CI gets.
  expect(spawnSync("git", ["clone", "-q", ROOT, clone]).status).toBe(0);
  symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"));
});
afterAll(() => rmSync(join(clone, ".."), { recursive: true, force: true }));

test("two builds of the same source give byte-identical bundles", () => {
  const bun = tools().bun;
  expect(run([bun, "build.ts"]).status).toBe(0);
  const first = readFileSync(join(clone, "dist/codex-boot.js"));
  expect(run([bun, "build.ts"]).status).toBe(0);
  expect(Buffer.compare(readFileSync(join(clone, "dist/codex-boot.js")), first)).toBe(0);
});

test("the committed bundle passes the dist check and prints both sizes", () => {
  const r = run([tools().bun, "test/support/check-dist.ts"]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/\d+ bytes raw \(budget 65536\), \d+ bytes gzip -9 \(budget 25000\)/);
});

test("a source change without a rebuild fails the dist check", () => {
  appendFileSync(join(clone, "src/version.ts"), '\nexport const STALE_MARKER = "changed";\nconsole.log(STALE_MARKER);\n');
  const r = run([tools().bun, "test/support/check-dist.ts"]);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("dist/ is stale");
});

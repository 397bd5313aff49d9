// A copy of the module whose program is built from this tree's src/ under another version: a
// second, different bundle (an upgrade), embedded however build.ts and main.tf agree to embed it.
import { cpSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tools } from "./tools.ts";
import { runAsync } from "./sandbox.ts";

/** Writes the module into dir (an empty directory) with its bundle built as `version`. */
export async function moduleWithVersion(dir: string, version: string): Promise<void> {
  for (const f of readdirSync(ROOT).filter((f) => f.endsWith(".tf"))) cpSync(join(ROOT, f), join(dir, f));
  for (const d of ["scripts", "src"]) cpSync(join(ROOT, d), join(dir, d), { recursive: true });
  cpSync(join(ROOT, "build.ts"), join(dir, "build.ts"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ ...pkg, version }, null, 2));
  const r = await runAsync([tools().bun, "build.ts"], { cwd: dir, env: process.env as Record<string, string> });
  if (r.code !== 0) throw new Error(`building the bundle as ${version} failed:\n${r.stdout}\n${r.stderr}`);
}

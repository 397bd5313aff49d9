// Fails when dist/codex-boot.js is stale (src changed without a rebuild) or over its budget.
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { buildBundle } from "../../build.ts";

export const BUDGET = { raw: 64 * 1024, gzip: 24 * 1024 };

export function bundleSizes(file = join(import.meta.dir, "../../dist/codex-boot.js")) {
  const bytes = readFileSync(file);
  let embedded = 0;
  try {
    embedded = readFileSync(file + ".br.a85").byteLength;
  } catch {
    // measured before the first build
  }
  return { raw: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength, embedded };
}

if (import.meta.main) {
  const root = join(import.meta.dir, "../..");
  let failed = false;
  await buildBundle();
  const diff = spawnSync("git", ["status", "--porcelain", "--", "dist/"], { cwd: root, encoding: "utf8" });
  if (diff.status !== 0) {
    console.error(`check-dist: git status failed: ${diff.stderr}`);
    failed = true;
  } else if (diff.stdout.trim() !== "") {
    console.error(`check-dist: dist/ is stale — it differs from a fresh build of src/. Run \`bun run build\` and commit dist/.\n${diff.stdout}`);
    spawnSync("git", ["--no-pager", "diff", "--stat", "--", "dist/"], { cwd: root, stdio: "inherit" });
    failed = true;
  }
  const { raw, gzip, embedded } = bundleSizes();
  const line = `dist/codex-boot.js: ${raw} bytes raw (budget ${BUDGET.raw}), ${gzip} bytes gzip -9 (budget ${BUDGET.gzip}); embedded (brotli + Ascii85) ${embedded} bytes`;
  console.log(line);
  if (raw > BUDGET.raw || gzip > BUDGET.gzip) {
    console.error("check-dist: the bundle is over its size budget");
    failed = true;
  }
  process.exit(failed ? 1 : 0);
}

// Fails when dist/codex-boot.js is stale (src changed without a rebuild) or over its budget.
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { buildBundle } from "../../build.ts";

/** The gzip budget follows from the start script's (40 KiB with a typical configuration): base64 of
 * 25,000 B is 33,336 B, which leaves about 7.6 KB for the stub (4.4 KB) and the inputs (3.0 KB).
 * The raw budget keeps the same ratio. docs/design-notes.md. */
export const BUDGET = { raw: 64 * 1024, gzip: 25_000 };

export function bundleSizes(file = join(import.meta.dir, "../../dist/codex-boot.js")) {
  const bytes = readFileSync(file);
  const gzip = gzipSync(bytes, { level: 9 }).byteLength;
  // What base64gzip() embeds is about this (Terraform's own gzip differs by a few bytes).
  return { raw: bytes.byteLength, gzip, base64: 4 * Math.ceil(gzip / 3) };
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
  const { raw, gzip, base64 } = bundleSizes();
  const line = `dist/codex-boot.js: ${raw} bytes raw (budget ${BUDGET.raw}), ${gzip} bytes gzip -9 (budget ${BUDGET.gzip}); embedded as base64 of gzip about ${base64} bytes`;
  console.log(line);
  if (raw > BUDGET.raw || gzip > BUDGET.gzip) {
    console.error("check-dist: the bundle is over its size budget");
    failed = true;
  }
  process.exit(failed ? 1 : 0);
}

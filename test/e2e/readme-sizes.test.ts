// README.md's size figures are the build's: one source of truth (bench/readme.ts computes them, with
// a real `terraform apply` for the rendered start script, defaults and typical configuration).
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sizeRows, withSizeRows } from "../../bench/readme.ts";
import { ROOT, tools } from "../support/tools.ts";

test("the README's size rows equal the committed build's sizes (else: bun bench/run.ts --only size --write-readme)", async () => {
  tools();
  const rows = await sizeRows();
  for (const r of rows) console.log(`${r.metric}: ${r.value} (${r.goal})`);
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const sizeLines = (text: string) => text.split("\n").filter((l) => l.startsWith("| size |"));
  expect(sizeLines(readme)).toEqual(sizeLines(withSizeRows(readme, rows)));
  expect(rows.every((r) => r.ok)).toBe(true);
}, 120_000);

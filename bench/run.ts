// bun bench/run.ts [--only size|cold-start|warm-restart|install] [--runs N] [--write-readme]
// Prints one markdown table and writes it as JSON (bench/results/latest.json); --write-readme puts
// the table, date and machine into README.md's Performance section (with --only size: the size
// rows only, the timings stay). Exits non-zero when a size budget is exceeded. The timing
// sections are noisy: CI runs `--only size`.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { ROOT } from "../test/support/tools.ts";
import { coldStart } from "./cold-start.ts";
import { installBench } from "./install.ts";
import { MARKERS, sizeRows, tableLine, withSizeRows } from "./readme.ts";
import { warmRestartBench } from "./warm-restart.ts";
import { fmt } from "./stats.ts";
import type { Row } from "./rows.ts";

const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const runs = args.includes("--runs") ? Number(args[args.indexOf("--runs") + 1]) : 10;
const want = (s: string) => !only || only === s;
const rows: Row[] = [];

if (want("size")) rows.push(...(await sizeRows()));

if (want("cold-start")) {
  const cs = await coldStart(Math.max(runs, 10));
  for (const [metric, summary] of Object.entries(cs)) rows.push({ section: "cold start", metric, value: fmt(summary), summary });
  for (const rt of ["bun", "deno"]) {
    const bare = cs[rt === "bun" ? "bun empty.js" : "deno run empty.js"]!.median;
    const dry = cs[`${rt} bundle --dry-run`]!.median;
    rows.push({ section: "cold start", metric: `${rt}: bundle --dry-run vs empty module`, value: `+${(dry - bare).toFixed(1)} ms (${(dry / bare).toFixed(2)}×)` });
  }
}
if (want("warm-restart")) rows.push(...(await warmRestartBench(Math.max(Math.min(runs, 10), 5))));
if (want("install")) rows.push(...(await installBench(Math.max(Math.min(runs, 10), 5))));

const table = [
  "| section | metric | value | goal | ok |",
  "| --- | --- | --- | --- | --- |",
  ...rows.map(tableLine),
].join("\n");
console.log(table);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${process.platform}/${process.arch}`;
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/latest.json"), JSON.stringify({ date: new Date().toISOString(), machine, only: only ?? "all", rows }, null, 2) + "\n");
const stamp = `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${machine}, Bun 1.4.4 and Deno 2.9.6`;
console.log(`\n${stamp}; JSON in bench/results/latest.json`);
if (args.includes("--write-readme")) {
  const readme = join(ROOT, "README.md");
  const text = readFileSync(readme, "utf8");
  const [start, end] = MARKERS;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`bench: README.md has no ${start} … ${end} section`);
  writeFileSync(
    readme,
    only === "size"
      ? withSizeRows(text, rows)
      : `${text.slice(0, i + start.length)}\nMeasured ${stamp} (\`bun bench/run.ts --write-readme\`; medians with min–max):\n\n${table}\n${text.slice(j)}`,
  );
}
const sizeOver = rows.filter((r) => r.section === "size" && r.ok === false);
if (sizeOver.length) {
  console.error(`bench: size budget exceeded: ${sizeOver.map((r) => r.metric).join(", ")}`);
  process.exit(1);
}

// bun bench/run.ts [--only size] [--runs N]: prints one markdown table and writes it as JSON.
// Exits non-zero when a size budget is exceeded. Timing sections are for on-demand runs (noisy).
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { bundleSizes, BUDGET } from "../test/support/check-dist.ts";
import { ROOT } from "../test/support/tools.ts";
import { coldStart } from "./cold-start.ts";
import { fmt, type Summary } from "./stats.ts";

const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const runs = args.includes("--runs") ? Number(args[args.indexOf("--runs") + 1]) : 10;

interface Row {
  section: string;
  metric: string;
  value: string;
  budget?: string;
  ok?: boolean;
  summary?: Summary;
}
const rows: Row[] = [];

const sizes = bundleSizes();
rows.push({ section: "size", metric: "dist/codex-boot.js raw", value: `${sizes.raw} B`, budget: `${BUDGET.raw} B`, ok: sizes.raw <= BUDGET.raw });
rows.push({ section: "size", metric: "dist/codex-boot.js gzip -9", value: `${sizes.gzip} B`, budget: `${BUDGET.gzip} B`, ok: sizes.gzip <= BUDGET.gzip });

if (!only || only === "cold-start") {
  const cs = await coldStart(runs);
  for (const [metric, summary] of Object.entries(cs)) rows.push({ section: "cold start", metric, value: fmt(summary), summary });
  for (const rt of ["bun", "deno"]) {
    const bare = cs[rt === "bun" ? "bun empty.js" : "deno run empty.js"]!.median;
    const dry = cs[`${rt} bundle --dry-run`]!.median;
    rows.push({ section: "cold start", metric: `${rt}: bundle --dry-run share`, value: `+${(dry - bare).toFixed(1)} ms over an empty module (${(dry / bare).toFixed(2)}×)` });
  }
}

const table = [
  "| section | metric | value | budget | ok |",
  "| --- | --- | --- | --- | --- |",
  ...rows.map((r) => `| ${r.section} | ${r.metric} | ${r.value} | ${r.budget ?? ""} | ${r.ok === undefined ? "" : r.ok ? "yes" : "**NO**"} |`),
].join("\n");
console.log(table);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${process.platform}/${process.arch}`;
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/latest.json"), JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2) + "\n");
console.log(`\n${new Date().toISOString()} on ${machine}; JSON in bench/results/latest.json`);
if (rows.some((r) => r.ok === false)) {
  console.error("bench: a size budget is exceeded");
  process.exit(1);
}

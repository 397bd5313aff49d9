// The bench table in README.md: how rows are written, and the size rows, which must always match
// the committed build (test/e2e/readme-sizes.test.ts fails when they do not).
import { bundleSizes, BUDGET } from "../test/support/check-dist.ts";
import type { Row } from "./rows.ts";
import { scriptSize } from "./script-size.ts";

export const MARKERS = ["<!-- bench:start -->", "<!-- bench:end -->"] as const;

export const tableLine = (r: Row) =>
  `| ${[r.section, r.metric, r.value, r.goal ?? "", r.ok === undefined ? "" : r.ok ? "yes" : "**no**"].map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;

/** Bundle sizes and the rendered start script (defaults and the typical configuration). */
export async function sizeRows(): Promise<Row[]> {
  const sizes = bundleSizes();
  return [
    { section: "size", metric: "dist/codex-boot.js raw", value: `${sizes.raw} B`, goal: `<= ${BUDGET.raw} B`, ok: sizes.raw <= BUDGET.raw },
    { section: "size", metric: "dist/codex-boot.js gzip -9", value: `${sizes.gzip} B`, goal: `<= ${BUDGET.gzip} B`, ok: sizes.gzip <= BUDGET.gzip },
    ...(await scriptSize()),
  ];
}

/** README with the size rows of its bench table replaced (the timing rows stay as measured). */
export function withSizeRows(readme: string, rows: Row[]): string {
  const [start, end] = MARKERS.map((m) => readme.indexOf(m));
  if (start! < 0 || end! < start!) throw new Error(`README.md has no ${MARKERS[0]} … ${MARKERS[1]} section`);
  const section = readme.slice(start, end).split("\n").filter((l) => !l.startsWith("| size |"));
  const at = section.indexOf("| --- | --- | --- | --- | --- |") + 1;
  if (at === 0) throw new Error("README.md's bench section has no table");
  section.splice(at, 0, ...rows.map(tableLine));
  return readme.slice(0, start) + section.join("\n") + readme.slice(end);
}

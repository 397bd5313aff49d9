// All output goes through here: colors only on a TTY without NO_COLOR, secrets scrubbed.
import * as util from "node:util";
import type { Plan } from "./plan.ts";

type Style = "cyan" | "yellow" | "red" | "green" | "dim" | "bold";

/**
 * Colors from node:util's styleText, built into Bun, Deno and Node >= 20.12 (plain text on older
 * Node 20): no package in the start script, whose budget picocolors' 0.8 KB did not fit. Bun and
 * Deno would check the stream themselves; the decision is ours, the same under all three.
 */
export function colors(on: boolean): Record<Style, (text: string) => string> {
  const paint = on && typeof util.styleText === "function";
  const style = (format: Style) => (text: string) => (paint ? util.styleText(format, text, { validateStream: false }) : text);
  return { cyan: style("cyan"), yellow: style("yellow"), red: style("red"), green: style("green"), dim: style("dim"), bold: style("bold") };
}

export const c = colors(!!process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== "dumb");

let scrubber: (s: string) => string = (s) => s;
export function setScrubber(fn: (s: string) => string) {
  scrubber = fn;
}

export const out = (line: string) => process.stdout.write(scrubber(line) + "\n");
export const step = (line: string) => out(`${c.cyan("codex-boot")} ${line}`);
export const warn = (line: string) => process.stderr.write(scrubber(`${c.yellow("codex-boot: warning:")} ${line}`) + "\n");
export const errorLine = (line: string) => process.stderr.write(scrubber(`${c.red("codex-boot:")} ${line}`) + "\n");

const bars = new Map<string, string>();
const mb = (n: number) => (n / 1e6).toFixed(1);

/**
 * Download progress. On a TTY one line redrawn for all running downloads (bar, bytes, rate, ETA);
 * otherwise (Coder shows script logs as plain text) a line about every 10 % or 5 s.
 */
export function progress(label: string, stream: { isTTY?: boolean; write(s: string): unknown } = process.stdout, now = Date.now) {
  const start = now();
  let next = 10;
  let at = start;
  return (done: number, total: number) => {
    const t = now();
    const rate = (done * 1000) / Math.max(t - start, 1);
    const pct = Math.floor((done * 100) / total); // NaN when the size is unknown
    const text = `${label} at ${mb(rate)} MB/s: ${mb(done)}${pct >= 0 ? `/${mb(total)} MB, ${pct}%, ETA ${Math.ceil((total - done) / rate)} s` : " MB"}`;
    if (stream.isTTY && process.env.TERM !== "dumb") {
      if (t - at < 100 && done < total) return;
      at = t;
      if (done < total) bars.set(label, `[${"#".repeat(pct / 5).padEnd(20)}] ${text}`);
      else bars.delete(label);
      stream.write(`\r\x1b[K${[...bars.values()].join("  ")}`);
    } else if (pct >= next || t - at >= 5000) {
      next = Math.floor(pct / 10) * 10 + 10;
      at = t;
      stream.write(`codex-boot downloading ${text}\n`);
    }
  };
}

const mode = (m: number) => "0" + m.toString(8);
const indent = (text: string) => text.replace(/\n$/, "").split("\n").map((l) => "    " + l).join("\n");
const actionColor = (a: string) => (["unchanged", "skip-installed", "keep", "skip", "none"].includes(a) ? c.dim(a) : c.green(a));

export function renderPlan(plan: Plan): string {
  const lines: string[] = [c.bold(`codex-boot ${plan.version} — dry run of "${plan.command}" (nothing is written)`)];
  for (const w of plan.warnings) lines.push(c.yellow(`warning: ${w}`));
  lines.push("", c.bold("inputs"));
  for (const [k, v] of Object.entries(plan.inputs)) {
    if (k === "secrets") continue;
    lines.push(`  ${k} = ${JSON.stringify(v)}`);
  }
  lines.push(c.bold("secrets (from the environment)"));
  for (const [k, v] of Object.entries(plan.inputs.secrets)) lines.push(`  ${k}: ${v ? "set (***)" : "not set"}`);
  if (plan.files.length) lines.push("", c.bold("files"));
  for (const f of plan.files) {
    lines.push(`  ${actionColor(f.action)} ${f.path} (mode ${mode(f.mode)})`);
    for (const n of f.notes ?? []) lines.push(`    ${c.dim(n)}`);
    if (f.action !== "unchanged") lines.push(c.dim(indent(f.content)));
  }
  if (plan.commands.length) lines.push("", c.bold("commands"));
  for (const cmd of plan.commands) {
    lines.push(`  ${actionColor(cmd.action)} ${cmd.argv.join(" ")}${cmd.stdinSecret ? ` < ${cmd.stdinSecret} (***)` : ""} — ${cmd.reason}`);
  }
  if (plan.install.length) lines.push("", c.bold("install"));
  for (const i of plan.install) {
    lines.push(`  ${actionColor(i.action)} ${i.name} ${i.version} from ${i.source}${i.url ? ` ${i.url}` : ""} -> ${i.dest} (${i.reason})`);
  }
  if (plan.launch) {
    lines.push("", c.bold("launch"), `  ${actionColor(plan.launch.action)} in ${plan.launch.cwd} (${plan.launch.reason})`);
    lines.push(`  env: ${Object.entries(plan.launch.env).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ")}`);
    lines.push(`  argv: ${JSON.stringify(plan.launch.argv)}`);
  }
  if (plan.stop) {
    const { snapshot: s, agentapi: a } = plan.stop;
    lines.push("", c.bold("stop"));
    lines.push(`  ${actionColor(s.action)} task log snapshot${s.url ? ` to ${s.url}` : ""} (${s.reason})`);
    lines.push(`  ${actionColor(a.action)} agentapi${a.pid ? ` pid ${a.pid}` : ""}, remove ${a.pidFile} (${a.reason})`);
  }
  return lines.join("\n");
}

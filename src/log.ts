// All output goes through here: colors only on a TTY without NO_COLOR, secrets scrubbed.
import { createColors } from "picocolors";
import type { Plan } from "./plan.ts";

const useColor = () => !!process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== "dumb";
export const c = createColors(useColor());

let scrubber: (s: string) => string = (s) => s;
export function setScrubber(fn: (s: string) => string) {
  scrubber = fn;
}

export const out = (line: string) => process.stdout.write(scrubber(line) + "\n");
export const step = (line: string) => out(`${c.cyan("codex-boot")} ${line}`);
export const warn = (line: string) => process.stderr.write(scrubber(`${c.yellow("codex-boot: warning:")} ${line}`) + "\n");
export const errorLine = (line: string) => process.stderr.write(scrubber(`${c.red("codex-boot:")} ${line}`) + "\n");

const mode = (m: number) => "0" + m.toString(8);
const indent = (text: string) => text.replace(/\n$/, "").split("\n").map((l) => "    " + l).join("\n");
const actionColor = (a: string) => (a === "unchanged" || a === "skip-installed" || a === "keep" ? c.dim(a) : c.green(a));

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
  return lines.join("\n");
}

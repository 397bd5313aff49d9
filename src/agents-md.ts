// AGENTS.md: the system prompt lives in one marked block; text outside it belongs to the user.
import type { FileStep } from "./plan.ts";

export const BEGIN = "<!-- BEGIN codex-boot managed: codex_system_prompt -->";
export const END = "<!-- END codex-boot managed -->";

export function withManagedBlock(existing: string, prompt: string): string {
  const start = existing.indexOf(BEGIN);
  const end = start === -1 ? -1 : existing.indexOf(END, start);
  let before = existing;
  let after = "";
  if (start !== -1 && end !== -1) {
    before = existing.slice(0, start);
    after = existing.slice(end + END.length).replace(/^\r?\n/, "");
  }
  const block = prompt === "" ? "" : `${BEGIN}\n${prompt.replace(/\n?$/, "\n")}${END}\n`;
  if (block === "") return before.replace(/\n+$/, before.trim() === "" ? "" : "\n") + after;
  const sep = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
  return before + sep + block + (after === "" ? "" : "\n" + after);
}

/** null when there is nothing to do (no file and no prompt). */
export function planAgentsMd(prompt: string, existing: string | null, path: string): FileStep | null {
  if (existing === null && prompt === "") return null;
  const content = withManagedBlock(existing ?? "", prompt);
  return {
    path,
    mode: 0o644,
    action: existing === null ? "create" : existing === content ? "unchanged" : "update",
    content,
  };
}

// AGENTS.md: the system prompt lives in one marked block; text outside it belongs to the user.
import type { FileStep } from "./plan.ts";

export const BEGIN = "<!-- BEGIN codex-boot managed: codex_system_prompt -->";
export const END = "<!-- END codex-boot managed -->";

export function withManagedBlock(existing: string, prompt: string): string {
  const eol = existing.includes("\r\n") ? "\r\n" : "\n"; // follow the file's line endings
  const block = prompt.trim() === "" ? "" : [BEGIN, prompt.replace(/\s+$/, "").replace(/\r?\n/g, eol), END, ""].join(eol);
  // The last END and the BEGIN before it: a stray marker the user left elsewhere stays user text.
  const end = existing.lastIndexOf(END);
  const start = end === -1 ? -1 : existing.lastIndexOf(BEGIN, end);
  if (start === -1) {
    if (!block) return existing;
    const sep = existing === "" || existing.endsWith(eol + eol) ? "" : existing.endsWith("\n") ? eol : eol + eol;
    return existing + sep + block;
  }
  const before = existing.slice(0, start);
  const after = existing.slice(end + END.length).replace(/^\r?\n/, "");
  if (block) return before + block + after;
  // Removing: close the gap the block leaves, one blank line at most, as if it was never added.
  const head = before.replace(/(\r?\n)+$/, "");
  const tail = after.replace(/^(\r?\n)+/, "");
  return head && tail ? head + eol + eol + tail : head ? head + eol : tail;
}

/** null when there is nothing to do (no file and no prompt). */
export function planAgentsMd(prompt: string, existing: string | null, path: string): FileStep | null {
  if (existing === null && prompt.trim() === "") return null;
  const content = withManagedBlock(existing ?? "", prompt);
  return {
    path,
    mode: 0o644,
    action: existing === null ? "create" : existing === content ? "unchanged" : "update",
    content,
  };
}

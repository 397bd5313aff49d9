// AGENTS.md: the system prompt lives in one marked block; text outside it belongs to the user.
import type { FileStep } from "./plan.ts";

export const BEGIN = "<!-- BEGIN codex-boot managed: codex_system_prompt -->";
export const END = "<!-- END codex-boot managed -->";

export function withManagedBlock(existing: string, prompt: string): string {
  const eol = existing.includes("\r\n") ? "\r\n" : "\n"; // follow the file's line endings
  const text = prompt.trimEnd();
  // The last END and the BEGIN before it: a stray marker the user left elsewhere stays user text.
  const end = existing.lastIndexOf(END);
  const start = end < 0 ? -1 : existing.lastIndexOf(BEGIN, end);
  if (start < 0 && !text) return existing;
  // coder-labs/codex 4.x appended the prompt as it is: take that copy over instead of adding a second.
  const seedCopy = start < 0 && text ? existing.lastIndexOf(text) : -1;
  const [before, after] =
    seedCopy >= 0 ? [existing.slice(0, seedCopy), existing.slice(seedCopy + text.length)]
    : start < 0 ? [existing, ""] : [existing.slice(0, start), existing.slice(end + END.length)];
  const head = before.replace(/(\r?\n)+$/, "");
  const tail = after.replace(/^(\r?\n)+/, "");
  // One blank line between the user's text and the block: adding then removing gives the text back.
  const parts = [head, text && [BEGIN, text.replace(/\r?\n/g, eol), END].join(eol), tail].filter(Boolean);
  return parts.length ? parts.join(eol + eol) + (tail ? "" : eol) : "";
}

/** null when there is nothing to do (no file and no prompt). */
export function planAgentsMd(prompt: string, existing: string | null, path: string): FileStep | null {
  const content = withManagedBlock(existing ?? "", prompt);
  if (existing === null && !content) return null;
  return { path, mode: 0o644, action: existing === null ? "create" : existing === content ? "unchanged" : "update", content };
}

// AGENTS.md: the system prompt lives in one marked block; text outside it belongs to the user.
import type { FileStep } from "./plan.ts";

export const BEGIN = "<!-- BEGIN codex-boot managed: codex_system_prompt -->";
export const END = "<!-- END codex-boot managed -->";
/** Every BEGIN…END pair with no BEGIN inside, and the line breaks after it. */
const BLOCKS = new RegExp(`${BEGIN}(?:(?!${BEGIN})[\\s\\S])*?${END}(\\r?\\n)*`, "g");

export function withManagedBlock(existing: string, prompt: string): string {
  const eol = existing.includes("\r\n") ? "\r\n" : "\n"; // follow the file's line endings
  const text = prompt.trimEnd();
  // One managed block is replaced in place (the last), the others go (earlier versions could leave
  // several). A stray marker stays user text.
  const last = [...existing.matchAll(BLOCKS)].at(-1);
  if (!last && !text) return existing;
  // coder-labs/codex 4.x appended the prompt as it is: take that copy over instead of adding a second.
  const seedCopy = existing.lastIndexOf(text);
  const [start, length] = last ? [last.index, last[0].length] : seedCopy >= 0 ? [seedCopy, text.length] : [existing.length, 0];
  const head = existing.slice(0, start).replace(BLOCKS, "").replace(/(\r?\n)+$/, "");
  const tail = existing.slice(start + length).replace(/^(\r?\n)+/, "");
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

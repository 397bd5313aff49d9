// AGENTS.md: one managed block for codex_system_prompt; the rest of the file is the user's.
import { describe, expect, test } from "bun:test";
import { BEGIN, END, planAgentsMd, withManagedBlock } from "../../src/agents-md.ts";

const block = (p: string, eol = "\n") => [BEGIN, p, END, ""].join(eol);
/** Applies the prompts one after another, as consecutive boots would. */
const boots = (start: string, ...prompts: string[]) => prompts.reduce((text, p) => withManagedBlock(text, p), start);

describe("AGENTS.md managed block", () => {
  test("an empty file gets just the block", () => {
    expect(withManagedBlock("", "Be brief.")).toBe(block("Be brief."));
  });

  test("user text is kept and the block is appended after a blank line", () => {
    expect(withManagedBlock("# Mine\nrules\n", "P")).toBe("# Mine\nrules\n\n" + block("P"));
    expect(withManagedBlock("# Mine", "P")).toBe("# Mine\n\n" + block("P"));
  });

  test("a changed prompt replaces only the block, in place, with user text on both sides kept", () => {
    const text = "top\n\n" + block("old\nprompt") + "\nbottom\n";
    expect(withManagedBlock(text, "new")).toBe("top\n\n" + block("new") + "\nbottom\n");
  });

  test("the copy of the prompt coder-labs/codex appended is taken over by the block, not duplicated", () => {
    const prompt = "You are a helpful coding assistant.\nStart every response with `Codex says:`";
    const seed = `# Team rules\nbe kind\n\n${prompt}\n`; // the seed's `echo -e "\n$prompt" >> AGENTS.md`
    const migrated = withManagedBlock(seed, prompt);
    expect(migrated).toBe("# Team rules\nbe kind\n\n" + block(prompt));
    expect(migrated.split(prompt)).toHaveLength(2);
    expect(withManagedBlock(`${prompt}\n\nmine below\n`, prompt)).toBe(block(prompt) + "\nmine below\n");
    expect(withManagedBlock(migrated, prompt)).toBe(migrated);
  });

  test("an empty prompt removes the block and gives the user's text back", () => {
    expect(boots("# Mine\n", "P", "")).toBe("# Mine\n");
    expect(boots("", "P", "")).toBe("");
    expect(withManagedBlock("top\n\n" + block("P") + "\nbottom\n", "")).toBe("top\n\nbottom\n");
    expect(withManagedBlock("no block here\n", "  \n")).toBe("no block here\n");
  });

  test("a rerun changes nothing, whatever the starting text", () => {
    for (const start of ["", "x", "x\n", "x\n\n", "a\r\nb\r\n", "# ✓ ünïcode\n"]) {
      for (const prompt of ["P", "multi\nline\n\n", ""]) {
        const once = withManagedBlock(start, prompt);
        expect(withManagedBlock(once, prompt)).toBe(once);
        expect(boots(once, prompt, prompt, prompt)).toBe(once);
      }
    }
  });

  test("a CRLF file keeps CRLF line endings in the block", () => {
    const out = withManagedBlock("rules\r\n", "line 1\nline 2");
    expect(out).toBe("rules\r\n\r\n" + block("line 1\r\nline 2", "\r\n"));
    expect(out.replaceAll("\r\n", "")).not.toContain("\n");
  });

  test("a stray BEGIN marker without an END never swallows the user's text", () => {
    const text = `${BEGIN}\nleft over\nuser notes\n`;
    const once = withManagedBlock(text, "P");
    expect(once).toContain("user notes");
    expect(withManagedBlock(once, "Q")).toContain("user notes");
    expect(withManagedBlock(withManagedBlock(once, "Q"), "Q")).toBe(withManagedBlock(once, "Q"));
  });

  test("several managed blocks (grown by earlier versions) become one, in place of the last", () => {
    const grown = `user\n\n${block("a")}\nmiddle\n\n${block("b")}\nbottom\n`;
    expect(withManagedBlock(grown, "P")).toBe(`user\n\nmiddle\n\n${block("P")}\nbottom\n`);
    expect(withManagedBlock(grown, "")).toBe("user\n\nmiddle\n\nbottom\n");
  });

  test("the plan says create, update or unchanged and never plans a file for nothing", () => {
    const path = "/h/.codex/AGENTS.md";
    expect(planAgentsMd("", null, path)).toBeNull();
    expect(planAgentsMd("P", null, path)).toEqual({ path, mode: 0o644, action: "create", content: block("P") });
    expect(planAgentsMd("P", block("P"), path)!.action).toBe("unchanged");
    expect(planAgentsMd("Q", block("P"), path)!.action).toBe("update");
    expect(planAgentsMd("", block("P"), path)).toMatchObject({ action: "update", content: "" });
  });
});

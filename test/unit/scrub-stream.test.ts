// A secret split across chunks of a child's output is still redacted.
import { describe, expect, test } from "bun:test";
import { scrubStream } from "../../src/scrub-stream.ts";

const KEY = "sk-adv-SECRET";

/** Feeds text in the given chunk sizes (cycled) and returns all that came out. */
function feed(text: string, sizes: number[]): string {
  const s = scrubStream({ OPENAI_API_KEY: KEY, GITHUB_TOKEN: "ghp_other_token" });
  let out = "";
  for (let i = 0, k = 0; i < text.length; k++) {
    const n = sizes[k % sizes.length]!;
    out += s.push(text.slice(i, i + n));
    i += n;
  }
  return out + s.end();
}

describe("streaming scrubber", () => {
  test("a secret split across chunk boundaries anywhere is redacted, and nothing else changes", () => {
    const text = `a ${KEY}\n${KEY}${KEY} ghp_other_token sk-adv-SECRE\nsk-\n`;
    const expected = "a ***\n****** *** sk-adv-SECRE\nsk-\n";
    for (let size = 1; size <= text.length; size++) expect(feed(text, [size])).toBe(expected);
    expect(feed(text, [3, 7, 1, 13])).toBe(expected);
  });

  test("text that cannot start a secret is passed on at once", () => {
    const s = scrubStream({ OPENAI_API_KEY: KEY });
    expect(s.push("hello world\n")).toBe("hello world\n");
    expect(s.push("key: sk-a")).toBe("key: ");
    expect(s.push("dv-SECRET!")).toBe("***!");
    expect(s.end()).toBe("");
  });
});

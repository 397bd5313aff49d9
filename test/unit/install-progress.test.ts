import { describe, expect, test } from "bun:test";
import { progress } from "../../src/log.ts";

const sink = (isTTY: boolean) => {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => writes.push(s) } };
};

describe("download progress", () => {
  test("without a TTY: one plain line about every 10 %, with bytes, rate and ETA", () => {
    const { writes, stream } = sink(false);
    let now = 0;
    const p = progress("codex", stream, () => now);
    for (let done = 0; done <= 100_000_000; done += 1_000_000) {
      now += 10;
      p(done, 100_000_000);
    }
    expect(writes).toHaveLength(10);
    expect(writes.every((w) => w.endsWith("\n") && !w.includes("\r"))).toBe(true);
    expect(writes[0]).toBe("codex-boot downloading codex at 90.9 MB/s: 10.0/100.0 MB, 10%, ETA 1 s\n");
    expect(writes[9]).toContain("100.0/100.0 MB");
  });

  test("without a TTY a slow download still prints a line every 5 s", () => {
    const { writes, stream } = sink(false);
    let now = 0;
    const p = progress("agentapi", stream, () => now);
    for (let s = 1; s <= 20; s++) {
      now = s * 1000;
      p(s * 1000, 1e9); // 0.002 % per second: far from the next 10 %
    }
    expect(writes).toHaveLength(4);
  });

  test("an unknown size shows bytes and rate only", () => {
    const { writes, stream } = sink(false);
    let now = 0;
    const p = progress("codex", stream, () => now);
    now = 6000;
    p(3_000_000, NaN);
    expect(writes).toEqual(["codex-boot downloading codex at 0.5 MB/s: 3.0 MB\n"]);
  });

  test("on a TTY: one redrawn line with a bar per running download, cleared when both are done", () => {
    const { writes, stream } = sink(true);
    let now = 0;
    const a = progress("codex", stream, () => now);
    const b = progress("agentapi", stream, () => now);
    now = 1000;
    a(50, 100);
    b(25, 100);
    expect(writes.at(-1)).toStartWith("\r\x1b[K[##########          ] codex");
    expect(writes.at(-1)).toContain("  [#####               ] agentapi");
    a(100, 100);
    b(100, 100);
    expect(writes.at(-1)).toBe("\r\x1b[K");
    expect(writes.join("")).not.toContain("\n");
  });
});

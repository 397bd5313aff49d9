import { describe, expect, test } from "bun:test";
import { snapshotBody, TRUNCATED } from "../../src/stop.ts";

const msg = (id: number, content: string, role = id % 2 ? "user" : "agent") => ({ id, content, role, time: "2026-11-25T13:24:42Z" });
const parse = (body: string | null) => JSON.parse(body!) as { messages: { id: number; content: string; role: string }[] };
const bytes = (body: string | null) => Buffer.byteLength(body!);

describe("task log snapshot body", () => {
  test("keeps the last 10 messages, in order, with their fields", () => {
    const body = parse(snapshotBody(Array.from({ length: 14 }, (_, i) => msg(i, `message ${i}`))));
    expect(body.messages.map((m) => m.id)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(body.messages[0]).toEqual(msg(4, "message 4"));
  });

  test("no messages: nothing to post", () => {
    expect(snapshotBody([])).toBeNull();
  });

  test("drops the oldest messages until the JSON fits 64 KiB", () => {
    const body = snapshotBody(Array.from({ length: 10 }, (_, i) => msg(i, `${i}`.repeat(20_000))));
    expect(bytes(body)).toBeLessThanOrEqual(65536);
    expect(parse(body).messages.map((m) => m.id)).toEqual([7, 8, 9]);
  });

  test("one message too big keeps the tail of its content behind a marker", () => {
    const content = "start-" + "x".repeat(100_000) + "-the end";
    const body = snapshotBody([msg(1, "old"), msg(2, content)]);
    expect(bytes(body)).toBeLessThanOrEqual(65536);
    expect(bytes(body)).toBeGreaterThan(60_000);
    const [only] = parse(body).messages;
    expect(only!.id).toBe(2);
    expect(only!.content).toStartWith(TRUNCATED);
    expect(only!.content).toEndWith("x-the end");
    expect(only!.content).not.toContain("start-");
  });

  test("the limit holds in bytes for multi-byte text and JSON escapes", () => {
    for (const unit of ["ü", "🚀", "\n\"x", "\u0001"]) {
      const body = snapshotBody([msg(1, unit.repeat(70_000) + "end")]);
      expect(bytes(body)).toBeLessThanOrEqual(65536);
      expect(parse(body).messages[0]!.content).toEndWith("end");
      expect(body).not.toMatch(/\\ud[c-f]/i); // never half a surrogate pair
    }
  });

  test("screen padding goes first: trailing blanks of each line and of the message", () => {
    // What Codex under agentapi looks like: 1190 lines padded to the 67-column terminal.
    const screen = ["  >_ OpenAI Codex (v0.169.0)", "› say hi", "• Codex says: hello"].map((l) => l.padEnd(67)).join("\n") + ("\n" + " ".repeat(67)).repeat(1187);
    const body = parse(snapshotBody(Array.from({ length: 10 }, (_, i) => msg(i, screen))));
    expect(body.messages).toHaveLength(10);
    expect(body.messages[0]!.content).toBe("  >_ OpenAI Codex (v0.169.0)\n› say hi\n• Codex says: hello");
  });
});

// The embedding: build.ts encodes, the stub's JavaScript decodes; both must agree byte for byte.
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync } from "node:zlib";
import { encodeAscii85 } from "../../build.ts";
import { ROOT, tools } from "../support/tools.ts";

// The decoder exactly as scripts/boot.sh runs it (the single-quoted program after "$ev").
const decoder = /"\$ev" '([\s\S]*?)' \|\|/.exec(readFileSync(join(ROOT, "scripts/boot.sh"), "utf8"))![1]!;

test("Ascii85 groups: 4 bytes become 5 characters, a short tail n+1", () => {
  expect(encodeAscii85(new Uint8Array([0, 0, 0, 0]))).toBe("!!!!!");
  expect(encodeAscii85(new TextEncoder().encode("Man "))).toBe("9jqo^");
  expect(encodeAscii85(new TextEncoder().encode("sure."))).toBe("F*2M7/c");
  expect(encodeAscii85(new Uint8Array(7)).length).toBe(5 + 4);
});

test("the stub's decoder restores what build.ts encoded, under Bun, Deno and Node", () => {
  const dir = mkdtempSync(join(tmpdir(), "a85-"));
  try {
    const t = tools();
    for (const size of [0, 1, 2, 3, 4, 5, 1021, 40_000]) {
      const original = Uint8Array.from({ length: size }, (_, i) => (i * 7919 + (i >> 3)) % 256);
      writeFileSync(join(dir, "in.a85"), encodeAscii85(brotliCompressSync(original)) + "\n");
      for (const argv of [[t.bun, "-e"], [t.deno, "eval"], [t.node!, "-e"]]) {
        const out = join(dir, "out");
        rmSync(out, { force: true });
        const r = spawnSync(argv[0]!, [argv[1]!, decoder], { env: { ...process.env, I: join(dir, "in.a85"), O: out }, encoding: "utf8" });
        expect(r.stderr).toBe("");
        expect(Buffer.compare(readFileSync(out), Buffer.from(original))).toBe(0);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

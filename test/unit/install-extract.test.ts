// The listing check and the extraction, with archives made by the real system tar.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkListing, extractEntry } from "../../src/install/extract.ts";

let dir: string;
const sh = (cmd: string) => {
  const r = spawnSync("sh", ["-c", cmd], { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "extract-test-"));
  mkdirSync(join(dir, "src/sub"), { recursive: true });
  writeFileSync(join(dir, "src/tool"), "#!/bin/sh\necho tool 1.2.3\n");
  writeFileSync(join(dir, "src/sub/other"), "other");
  symlinkSync("tool", join(dir, "src/link"));
  sh("tar -C src -czf good.tgz tool sub");
  sh("tar -C src -czf withlink.tgz tool link");
  sh("cd src/sub && tar -czPf ../../dotdot.tgz ../tool");
  sh("tar -C src -czPf abs.tgz tool " + join(dir, "src/sub/other"));
  sh("tar -C src -cf twice.tar tool && tar -C src -rf twice.tar tool && gzip twice.tar");
  writeFileSync(join(dir, "src/big"), Buffer.alloc(1 << 20, 7));
  sh("tar -C src -czf big.tgz big");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const listing = (tgz: string) => sh(`tar -tvzf ${tgz}`);

describe("tar listing check", () => {
  test("a plain archive passes and the wanted entry is found once", () => {
    expect(checkListing(listing("good.tgz"), "tool")).toBe(1);
    expect(checkListing(listing("good.tgz"), "sub/other")).toBe(1);
    expect(checkListing(listing("good.tgz"), "missing")).toBe(0);
  });

  test("a symlink anywhere in the archive is refused", () => {
    expect(() => checkListing(listing("withlink.tgz"), "tool")).toThrow(/unsafe entry refused: l.* link -> tool/);
  });

  test("an entry with .. or an absolute path is refused", () => {
    expect(() => checkListing(listing("dotdot.tgz"), "tool")).toThrow(/unsafe entry refused: .*\.\.\/tool/);
    expect(() => checkListing(listing("abs.tgz"), "tool")).toThrow(/unsafe entry refused: .* \/.*other/);
  });

  test("an entry over the size cap is refused", () => {
    expect(() => checkListing(listing("good.tgz"), "tool", 10)).toThrow(/over 10 bytes refused/);
  });

  test("the busybox listing layout (seconds in the time) is understood too", () => {
    expect(checkListing("-rwxr-xr-x 0/0      294277432 2025-01-01 10:00:00 codex\n", "codex")).toBe(1);
    expect(() => checkListing("hrwxr-xr-x 0/0 0 2025-01-01 10:00:00 codex link to x\n", "codex")).toThrow(/unsafe/);
  });
});

describe("extraction", () => {
  test("only the wanted entry is written, to the given file, byte for byte", async () => {
    await extractEntry(join(dir, "good.tgz"), "tool", join(dir, "out"), "tool");
    expect(readFileSync(join(dir, "out"), "utf8")).toBe("#!/bin/sh\necho tool 1.2.3\n");
    expect(readdirSync(dir).filter((f) => f === "sub" || f === "tool")).toEqual([]);
  });

  test("an unsafe, incomplete or ambiguous archive is an error naming what was refused", async () => {
    const fail = async (tgz: string, entry: string) => {
      try {
        await extractEntry(join(dir, tgz), entry, join(dir, "bad-out"), "the tool");
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error("expected a failure");
    };
    expect(await fail("dotdot.tgz", "tool")).toMatch(/^extracting the tool: .*\.\./);
    expect(await fail("withlink.tgz", "tool")).toMatch(/unsafe entry refused/);
    expect(await fail("good.tgz", "missing")).toMatch(/missing: Not found in archive/);
    expect(await fail("twice.tar.gz", "tool")).toMatch(/stored more than once/);
    writeFileSync(join(dir, "garbage.tgz"), "not gzip at all");
    expect(await fail("garbage.tgz", "tool")).toMatch(/^extracting the tool: tar failed \(2\): .*gzip/);
    expect(existsSync(join(dir, "tool"))).toBe(false);
  });

  test("the extraction never writes more than the size cap, even before the listing is read", async () => {
    const err = await extractEntry(join(dir, "big.tgz"), "big", join(dir, "big-out"), "big", 64 * 1024).catch((e) => e);
    expect(String(err)).toMatch(/over 65536 bytes refused/);
    expect(readFileSync(join(dir, "big-out")).byteLength).toBeLessThanOrEqual(64 * 1024);
  });
});

// The listing check and the extraction, with archives made by the real system tar.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkTree, extractTree } from "../../src/install/extract.ts";

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
  sh("tar -C src -czf good.tgz tool sub link");
  sh("cd src/sub && tar -czPf ../../dotdot.tgz ../tool");
  sh("tar -C src -czPf abs.tgz tool " + join(dir, "src/sub/other"));
  writeFileSync(join(dir, "src/big"), Buffer.alloc(1 << 20, 7));
  sh("tar -C src -czf big.tgz big");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const listing = (tgz: string) => sh(`tar -tvzf ${tgz}`);

describe("tar listing check", () => {
  test("a plain archive with a link inside it passes", () => {
    expect(() => checkTree(listing("good.tgz"))).not.toThrow();
  });

  test("an entry with .. or an absolute path is refused", () => {
    expect(() => checkTree(listing("dotdot.tgz"))).toThrow(/unsafe entry refused: .*\.\.\/tool/);
    expect(() => checkTree(listing("abs.tgz"))).toThrow(/unsafe entry refused: .* \/.*other/);
  });

  test("an entry over the size cap is refused", () => {
    expect(() => checkTree(listing("good.tgz"), 10)).toThrow(/over 10 bytes refused/);
  });

  test("a link whose name or target holds \" -> \" is refused: the listing cannot say where it points", () => {
    // `ln -s 'y -> ../../../etc' x` lists as `x -> y -> ../../../etc`: read as a link to y it looks
    // inside, but it resolves through a directory named "y -> .." to ../../etc, out of the tree.
    expect(() => checkTree("lrwxrwxrwx 0/0 0 2025-01-01 10:00 x -> y -> ../../../etc\n")).toThrow(/unsafe entry refused/);
    expect(() => checkTree("lrwxrwxrwx 0/0 0 2025-01-01 10:00 bin/x -> ../y\n")).not.toThrow();
  });

  test("the busybox listing layout (seconds in the time) is understood too", () => {
    expect(() => checkTree("-rwxr-xr-x 0/0      294277432 2025-01-01 10:00:00 codex\n")).not.toThrow();
    expect(() => checkTree("hrwxr-xr-x 0/0 0 2025-01-01 10:00:00 codex link to x\n")).toThrow(/unsafe/);
  });
});

describe("extraction", () => {
  test("every entry is written into the fresh directory, byte for byte, links as links", async () => {
    await extractTree(join(dir, "good.tgz"), join(dir, "out"), "tool");
    expect(readdirSync(join(dir, "out")).sort()).toEqual(["link", "sub", "tool"]);
    expect(readFileSync(join(dir, "out/tool"), "utf8")).toBe("#!/bin/sh\necho tool 1.2.3\n");
    expect(readFileSync(join(dir, "out/sub/other"), "utf8")).toBe("other");
    expect(readlinkSync(join(dir, "out/link"))).toBe("tool");
  });

  test("an unsafe or broken archive is an error naming what was refused", async () => {
    const fail = async (tgz: string) => {
      try {
        await extractTree(join(dir, tgz), join(dir, `bad-${tgz}`), "the tool");
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error("expected a failure");
    };
    expect(await fail("dotdot.tgz")).toMatch(/^extracting the tool: unsafe entry refused: .*\.\./);
    expect(await fail("abs.tgz")).toMatch(/^extracting the tool: unsafe entry refused/);
    writeFileSync(join(dir, "garbage.tgz"), "not gzip at all");
    expect(await fail("garbage.tgz")).toMatch(/^extracting the tool: not a valid gzip stream \(.+\)/);
    expect(existsSync(join(dir, "tool"))).toBe(false); // nothing escaped the directory
  });

  test("the extraction never writes more than the size cap, even before the listing is read", async () => {
    const err = await extractTree(join(dir, "big.tgz"), join(dir, "big-out"), "big", 64 * 1024).catch((e: Error) => e);
    expect(String(err)).toMatch(/over 65536 bytes refused/);
    expect(statSync(join(dir, "big-out/big"), { throwIfNoEntry: false })?.size ?? 0).toBeLessThanOrEqual(64 * 1024);
  });
});

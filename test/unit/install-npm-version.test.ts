// codex_version with the npm source: what `npm install @openai/codex@<codex_version>` would pick.
import { describe, expect, test } from "bun:test";
import { parseRange, resolveNpmVersion } from "../../src/install/npm-version.ts";

const versions = ["0.45.0", "0.46.0", "0.46.1", "0.47.0-alpha.2", "0.47.0", "0.169.0", "1.0.0", "1.2.3", "1.2.9", "1.3.0", "2.0.0"];
const tags = { latest: "0.169.0", next: "0.47.0-alpha.2" };
const pick = (spec: string) => resolveNpmVersion(spec, tags, versions);

describe("codex_version for the npm source", () => {
  test("empty and latest take the latest dist-tag; any dist-tag resolves", () => {
    expect(pick("")).toBe("0.169.0");
    expect(pick("latest")).toBe("0.169.0");
    expect(pick("next")).toBe("0.47.0-alpha.2");
  });

  test("exact versions, with or without v, prereleases included", () => {
    expect(pick("0.46.0")).toBe("0.46.0");
    expect(pick("v1.2.3")).toBe("1.2.3");
    expect(pick("0.47.0-alpha.2")).toBe("0.47.0-alpha.2");
  });

  test("ranges take the highest release in range, never a prerelease", () => {
    expect(pick("0.46")).toBe("0.46.1");
    expect(pick("0.46.x")).toBe("0.46.1");
    expect(pick("^0.46.0")).toBe("0.46.1");
    expect(pick("~0.46.0")).toBe("0.46.1");
    expect(pick("^1.2.3")).toBe("1.3.0");
    expect(pick("~1.2.3")).toBe("1.2.9");
    expect(pick("1")).toBe("1.3.0");
    expect(pick("*")).toBe("2.0.0");
    expect(pick(">=0.46 <0.47")).toBe("0.46.1");
    expect(pick(">= 0.46.0 < 0.47.0")).toBe("0.46.1");
    expect(pick("<0.47")).toBe("0.46.1");
    expect(pick(">1.2")).toBe("2.0.0");
    expect(pick("<=1.2")).toBe("1.2.9");
    expect(pick("0.45 || 0.46")).toBe("0.46.1");
    expect(pick("^0.47.0")).toBe("0.47.0");
  });

  test("caret edges follow npm: ^0.0.3 is <0.0.4, ^0 is <1.0.0, ^* is any", () => {
    const r = (range: string, v: string) => parseRange(range)!(v);
    expect([r("^0.0.3", "0.0.3"), r("^0.0.3", "0.0.4"), r("^0", "0.99.0"), r("^0", "1.0.0"), r("^0.0", "0.0.9"), r("^0.0", "0.1.0"), r("^*", "2.0.0")]).toEqual([
      true, false, true, false, true, false, true,
    ]);
  });

  test("nothing published in range, or not a version, tag or range, resolves to nothing", () => {
    expect(pick("^3")).toBeNull();
    expect(pick("beta")).toBeNull();
    expect(pick("1.2.3 - 1.4")).toBeNull();
  });
});

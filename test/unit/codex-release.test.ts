import { describe, expect, test } from "bun:test";
import { codexAssets, codexEntry, codexReleaseBase, parseSums } from "../../src/install/codex-release.ts";
import { checkTree } from "../../src/install/extract.ts";

const A = "a".repeat(64);
const B = "B".repeat(64);

describe("Codex release layout", () => {
  test("assets are named per Rust target: the complete package, its checksums, and the older bare binary and host", () => {
    expect(codexAssets("aarch64-unknown-linux-musl")).toEqual({
      package: "codex-package-aarch64-unknown-linux-musl.tar.gz",
      sums: "codex-package_SHA256SUMS",
      binary: "codex-aarch64-unknown-linux-musl.tar.gz",
      host: "codex-code-mode-host-aarch64-unknown-linux-musl.tar.gz",
    });
  });

  test("the release directory is rust-v<version> under any GitHub-layout host, or latest/download", () => {
    expect(codexReleaseBase("https://ghe.example/mirror/", "v0.169.0")).toBe("https://ghe.example/mirror/openai/codex/releases/download/rust-v0.169.0");
    expect(codexReleaseBase("https://ghe.example", "rust-v0.1.0")).toBe("https://ghe.example/openai/codex/releases/download/rust-v0.1.0");
    expect(codexReleaseBase("https://ghe.example", "latest")).toBe("https://ghe.example/openai/codex/releases/latest/download");
  });

  test("SHA256SUMS lines are read by asset name, text or binary mode, digests lowercased; other lines are ignored", () => {
    const sums = parseSums(`${A}  codex-package-x86_64-unknown-linux-musl.tar.gz\n${B} *codex-package-aarch64-unknown-linux-musl.tar.gz\r\n# comment\nnot a line\n`);
    expect([...sums]).toEqual([
      ["codex-package-x86_64-unknown-linux-musl.tar.gz", A],
      ["codex-package-aarch64-unknown-linux-musl.tar.gz", B.toLowerCase()],
    ]);
    expect(parseSums("").size).toBe(0);
  });

  test("the executable is codex-package.json's entrypoint when it exists inside the tree, else a known layout", () => {
    const has = (...files: string[]) => (rel: string) => files.includes(rel);
    expect(codexEntry('{"entrypoint":"bin/codex"}', has("bin/codex"))).toBe("bin/codex");
    expect(codexEntry('{"entrypoint":"../../bin/sh"}', has("bin/codex", "../../bin/sh"))).toBe("bin/codex");
    expect(codexEntry('{"entrypoint":"/bin/sh"}', has("bin/codex", "/bin/sh"))).toBe("bin/codex");
    expect(codexEntry("not json", has("bin/codex"))).toBe("bin/codex");
    // npm tarballs before the package layout (0.128): vendor/<triple>/codex/codex
    expect(codexEntry(null, has("codex/codex", "path/rg"))).toBe("codex/codex");
  });
});

describe("package tree listing check", () => {
  const line = (kind: string, size: number, name: string) => `${kind}rwxr-xr-x 0/0 ${size} 2026-01-01 00:00 ${name}`;

  test("files, directories and links that stay inside the tree pass, with or without ./", () => {
    expect(() =>
      checkTree([line("d", 0, "./"), line("-", 5, "./bin/codex"), line("-", 5, "codex-resources/bwrap"), line("l", 0, "lib/libz.so -> libz.so.1"), line("l", 0, "a/b/c -> ../d")].join("\n")),
    ).not.toThrow();
  });

  test("absolute paths, .. paths, links that leave the tree, hard links and devices are refused", () => {
    for (const bad of [
      line("-", 5, "/etc/passwd"), line("-", 5, "bin/../../x"), line("l", 0, "bin/sh -> /bin/sh"), line("l", 0, "a -> ../../x"),
      "hrwxr-xr-x 0/0 0 2026-01-01 00:00 bin/codex link to bin/x", line("c", 0, "dev/null"),
    ]) {
      expect(() => checkTree(bad)).toThrow(/unsafe entry refused/);
    }
    expect(() => checkTree(line("-", 2 ** 31, "big"))).toThrow(/over/);
  });
});

// What a Codex release offers and how it is verified. Pure: names, URLs and checksum lines.
//
// Codex is a package, not one binary: since about 0.147 every tool call runs through
// bin/codex-code-mode-host beside bin/codex, and the sandbox uses codex-resources/bwrap. Today's
// releases publish the whole tree as codex-package-<triple>.tar.gz with codex-package_SHA256SUMS;
// older ones only the bare binary, some with the host as a second archive.

/** Codex's Rust target for a Node-style arch. */
export const codexTriple = (arch: string) => `${arch === "x64" ? "x86_64" : "aarch64"}-unknown-linux-musl`;

export const codexAssets = (triple: string) => ({
  package: `codex-package-${triple}.tar.gz`,
  sums: "codex-package_SHA256SUMS",
  binary: `codex-${triple}.tar.gz`,
  host: `codex-code-mode-host-${triple}.tar.gz`,
});

/** The release directory URL: `…/releases/download/rust-v<version>`, or `…/releases/latest/download`. */
export function codexReleaseBase(githubUrl: string, version: string): string {
  const root = `${githubUrl.replace(/\/+$/, "")}/openai/codex/releases`;
  return version === "latest" ? `${root}/latest/download` : `${root}/download/rust-v${version.replace(/^(rust-)?v/, "")}`;
}

/** `<sha256>  <name>` (or `<sha256> *<name>`) lines of a SHA256SUMS file, by asset name. */
export function parseSums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([0-9a-fA-F]{64}) [ *](.+?)\s*$/.exec(line);
    if (m) sums.set(m[2]!, m[1]!.toLowerCase());
  }
  return sums;
}

/** Where the executable is inside an installed tree: codex-package.json's entrypoint, else the known layouts. */
export function codexEntry(packageJson: string | null, exists: (rel: string) => boolean): string {
  let entry: unknown;
  try {
    entry = packageJson && JSON.parse(packageJson).entrypoint;
  } catch {
    // a broken manifest: fall back to the layouts below
  }
  if (typeof entry === "string" && !entry.startsWith("/") && !entry.split("/").includes("..") && exists(entry)) return entry;
  // bin/codex: the package layout; codex/codex: npm tarballs before the package layout (e.g. 0.128).
  return ["bin/codex", "codex/codex"].find(exists) ?? "bin/codex";
}

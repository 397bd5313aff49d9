// Where Codex comes from: the complete package from a GitHub-layout release or the npm registry,
// verified, in a temp tree; and the switch to it. The tree is kept whole under
// ~/.codex-module/codex/<version>/, and ~/.codex-module/bin/codex becomes a link to its executable
// (Codex finds codex-code-mode-host and its resources beside the real file, through the link).
import { chmodSync, existsSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import type { InstallStep } from "../plan.ts";
import { makeDir } from "../fsutil.ts";
import { warn } from "../log.ts";
import { codexAssets, codexTriple, parseSums } from "./codex-release.ts";
import { extractTree } from "./extract.ts";
import { exists, getJson, getTextOrNull, type Net } from "./fetch.ts";
import { pickTarball } from "./npm.ts";
import { bare } from "./plan.ts";
import { exact, fetchChecked, latestRelease, type Fetched } from "./outcome.ts";

/** The platform tarball from the npm registry: its integrity is the packument's sha512. Its tree is package/vendor/<triple>/. */
export async function fromNpm(s: InstallStep, net: Net, check: Net, tmp: string, arch: string): Promise<Fetched | string> {
  const wanted = exact(s.version) ? bare(s.version) : s.version;
  const { version, url, sha512 } = pickTarball(await getJson(s.url!, check, "application/vnd.npm.install-v1+json"), wanted, arch, s.url!);
  if (version === s.installed) return version;
  const dl = join(tmp, "download");
  const got = await fetchChecked(url, dl, net, "codex", s.sha256, "codex_sha256", true);
  if (got.sha512 !== sha512) throw new Error(`${url} does not match the sha512 integrity of its packument`);
  await extractTree(dl, join(tmp, "tree"), url);
  const tree = join(tmp, "tree/package/vendor", codexTriple(arch));
  if (!existsSync(tree)) throw new Error(`${url} has no package/vendor/${codexTriple(arch)}/`);
  return { path: tree, version, url, sha256: got.sha256, verified: s.sha256 ? "codex_sha256" : "npm integrity", layout: "package" };
}

/**
 * A GitHub-layout release: the complete package checked against the release's own
 * codex-package_SHA256SUMS (or codex_sha256). A release without the package gets the best it
 * has: the bare binary, plus the code-mode host when it publishes one.
 */
export async function fromGithub(s: InstallStep, net: Net, check: Net, tmp: string, arch: string): Promise<Fetched | string> {
  const triple = codexTriple(arch);
  const assets = codexAssets(triple);
  const pin = s.sha256;
  const { version, dir } = await latestRelease(s, s.url!, assets.package, check);
  if (version === s.installed) return version;
  const dl = join(tmp, "download");
  const tree = join(tmp, "tree");
  const sums = await getTextOrNull(`${dir}/${assets.sums}`, check);
  const pkgUrl = `${dir}/${assets.package}`;
  if (sums !== null || (await exists(pkgUrl, check))) {
    const want = pin || parseSums(sums ?? "").get(assets.package);
    if (!want) throw new Error(`the release has ${assets.package} but no sha256 for it in ${assets.sums}. Set codex_sha256 to the archive's sha256`);
    const got = await fetchChecked(pkgUrl, dl, net, "codex", want, pin ? "codex_sha256" : `the one in ${assets.sums},`);
    await extractTree(dl, tree, pkgUrl);
    return { path: tree, version, url: pkgUrl, sha256: got.sha256, verified: pin ? "codex_sha256" : assets.sums, layout: "package" };
  }
  // An older release: bin/codex from the bare binary's archive, and the host beside it when published.
  // Each archive holds one executable, <name>-<triple>, that becomes tree/bin/<name>.
  const fetchExecutable = async (url: string, name: string, want: string | null) => {
    const got = await fetchChecked(url, dl, net, name, want);
    await extractTree(dl, `${tree}.${name}`, url);
    const file = join(`${tree}.${name}`, `${name}-${triple}`);
    if (!existsSync(file)) throw new Error(`${url} has no ${name}-${triple}`);
    makeDir(join(tree, "bin"), 0o755);
    renameSync(file, join(tree, "bin", name));
    chmodSync(join(tree, "bin", name), 0o755);
    return { url, sha256: got.sha256 };
  };
  const bin = await fetchExecutable(`${dir}/${assets.binary}`, "codex", pin);
  const host = (await exists(`${dir}/${assets.host}`, check)) && (await fetchExecutable(`${dir}/${assets.host}`, "codex-code-mode-host", null));
  warn(
    `codex ${version || "latest"}: the release has no ${assets.package}; installing the bare binary${host ? " and codex-code-mode-host" : ""}${pin ? "" : ", unverified (set codex_sha256 to pin it)"}` +
      (host ? "" : `. It publishes no codex-code-mode-host either: Codex >= 0.147 runs every command and file edit through it, so it will chat but not work. Use a release that publishes ${assets.package} (codex_version), or codex_install_source = "npm"`),
  );
  return { path: tree, version, url: bin.url, sha256: bin.sha256, verified: pin ? "codex_sha256" : "nothing", layout: host ? "binary+host" : "binary" };

}

/** Moves the verified tree to root/<version> and points the link at it; then removes other versions. */
export function switchTo(root: string, tree: string, version: string, entry: string, link: string): string {
  let current = "";
  try {
    current = readlinkSync(link);
  } catch {
    // no link yet, or a plain file (a bare binary of an earlier module version)
  }
  // Reinstalling the version in use (its files changed): a new name, so the link never dangles.
  const dir = current.startsWith(join(root, version) + "/") ? join(root, `${version}.${Date.now().toString(36)}`) : join(root, version);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tree, dir);
  const tmpLink = `${link}.${process.pid}.part`;
  rmSync(tmpLink, { force: true });
  symlinkSync(join(dir, entry), tmpLink);
  renameSync(tmpLink, link);
  for (const old of readdirSync(root)) {
    if (!old.startsWith(".") && join(root, old) !== dir) rmSync(join(root, old), { recursive: true, force: true });
  }
  return dir;
}

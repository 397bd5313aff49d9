// Where Codex comes from: the complete package from a GitHub-layout release or the npm registry,
// verified, in a temp tree; and the switch to it. The tree is kept whole under
// ~/.codex-module/codex/<version>/, and ~/.codex-module/bin/codex becomes a link to its executable
// (Codex finds codex-code-mode-host and its resources beside the real file, through the link).
import { chmodSync, existsSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
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
  const wanted = exact(s.version) ? bare(s.version) : s.version === "latest" ? "" : s.version;
  const { version, url, sha512 } = pickTarball(await getJson(s.url!, check, "application/vnd.npm.install-v1+json"), wanted, arch, s.url!);
  if (version === s.installed) return version;
  const dl = `${tmp}.dl.part`;
  const got = await fetchChecked(url, dl, net, "codex", s.sha256);
  if (got.sha512 !== sha512) throw new Error(`${url} does not match the sha512 integrity of its packument`);
  await extractTree(dl, `${tmp}.tree.part`, url);
  const tree = join(`${tmp}.tree.part`, "package/vendor", codexTriple(arch));
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
  const { version, dir } = await latestRelease(s, s.url!, [assets.package, assets.binary], check);
  if (version === s.installed) return version;
  const dl = `${tmp}.dl.part`;
  const tree = `${tmp}.tree.part`;
  const sumsUrl = `${dir}/${assets.sums}`;
  const sums = await getTextOrNull(sumsUrl, check);
  const pkgUrl = `${dir}/${assets.package}`;
  if (sums !== null || (await exists(pkgUrl, check))) {
    const want = pin || parseSums(sums ?? "").get(assets.package);
    if (!want) {
      throw new Error(sums === null
        ? `the release has ${assets.package} but no ${assets.sums} to verify it against. Set codex_sha256 to the archive's sha256`
        : `${sumsUrl} lists no sha256 for ${assets.package}`);
    }
    const got = await fetchChecked(pkgUrl, dl, net, "codex", want, pin ? "codex_sha256" : `the one in ${assets.sums},`);
    await extractTree(dl, tree, pkgUrl);
    return { path: tree, version, url: pkgUrl, sha256: got.sha256, verified: pin ? "codex_sha256" : assets.sums, layout: "package" };
  }
  // An older release: bin/codex from the bare binary's archive, and the host beside it when published.
  const binUrl = `${dir}/${assets.binary}`;
  const got = await fetchChecked(binUrl, dl, net, "codex", pin);
  await unpackExecutable(dl, binUrl, "codex", triple, tree);
  const hostUrl = `${dir}/${assets.host}`;
  const host = await exists(hostUrl, check);
  if (host) {
    await fetchChecked(hostUrl, dl, net, "codex-code-mode-host");
    await unpackExecutable(dl, hostUrl, "codex-code-mode-host", triple, tree);
  }
  warn(
    `codex ${version || "latest"}: the release has no ${assets.package}; installing the bare binary${host ? " and codex-code-mode-host" : ""}${pin ? "" : ", unverified (set codex_sha256 to pin it)"}` +
      (host ? "" : `. It publishes no codex-code-mode-host either: Codex >= 0.147 runs every command and file edit through it, so it can chat but not work. Use a release that publishes ${assets.package} (codex_version), or codex_install_source = "npm"`),
  );
  return { path: tree, version, url: binUrl, sha256: got.sha256, verified: pin ? "codex_sha256" : "nothing", layout: host ? "binary+host" : "binary" };
}

/** Puts the one executable of an older release's archive, `<name>-<triple>`, at tree/bin/<name>. */
async function unpackExecutable(archive: string, url: string, name: string, triple: string, tree: string): Promise<void> {
  const dir = `${tree}.${name}.part`;
  await extractTree(archive, dir, url);
  const file = join(dir, `${name}-${triple}`);
  if (!existsSync(file)) throw new Error(`${url} has no ${name}-${triple}`);
  makeDir(join(tree, "bin"), 0o755);
  renameSync(file, join(tree, "bin", name));
  chmodSync(join(tree, "bin", name), 0o755);
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
  makeDir(dirname(link), 0o755);
  const tmpLink = `${link}.${process.pid}.part`;
  rmSync(tmpLink, { force: true });
  symlinkSync(join(dir, entry), tmpLink);
  renameSync(tmpLink, link);
  for (const old of readdirSync(root)) {
    if (!old.startsWith(".") && join(root, old) !== dir) rmSync(join(root, old), { recursive: true, force: true });
  }
  return dir;
}

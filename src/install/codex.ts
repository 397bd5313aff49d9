// Installs Codex as the complete package: the tree is verified, kept whole under
// ~/.codex-module/codex/<version>/, and ~/.codex-module/bin/codex becomes a link to its executable
// (Codex finds codex-code-mode-host and its resources beside the real file, through the link).
// The switch is one rename of a link, done only after the new tree was verified and ran; the old
// version stays in use until then and is removed after.
import { chmodSync, existsSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { RunContext } from "../context.ts";
import type { InstallStep } from "../plan.ts";
import { fileId, makeDir, readTextOrNull } from "../fsutil.ts";
import { progress, step, warn } from "../log.ts";
import { readState, updateState, type InstallRecord } from "../state.ts";
import { codexAssets, codexEntry, codexTriple, needsHost, parseSums } from "./codex-release.ts";
import { extractTree } from "./extract.ts";
import { download, exists, getJson, getTextOrNull, latestTag, type Net } from "./fetch.ts";
import { pickTarball } from "./npm.ts";
import { failed, versionOf } from "./outcome.ts";
import { bare } from "./plan.ts";

/** A version that names one release (not latest, a dist-tag or a range). */
const exact = (v: string) => /^(rust-)?v?\d+\.\d+\.\d+/.test(v);

/** A verified tree waiting in a temp dir, and how it was had. */
interface Fetched {
  tree: string;
  version: string;
  url: string;
  sha256: string;
  /** What vouched for the bytes: codex_sha256, codex-package_SHA256SUMS, npm integrity, or nothing. */
  verified: string;
  layout: "package" | "binary+host" | "binary";
}

export async function installCodex({ facts }: RunContext, s: InstallStep, net: Net): Promise<void> {
  const root = s.tree!;
  // A working install of "latest" (or an npm dist-tag or range) is kept when a newer one cannot be
  // had: that must not fail a boot, nor hold it up (the check gets few retries).
  const kept = !exact(s.version) && s.installed;
  const check = kept ? { ...net, tries: 2 } : net;
  makeDir(root, 0o755);
  // Leftovers of a killed run (nobody else installs while this run holds boot.lock).
  for (const f of readdirSync(root)) if (f.endsWith(".part")) rmSync(join(root, f), { recursive: true, force: true });
  const tmp = join(root, `.${process.pid}`);
  try {
    const got = s.source === "npm" ? await fromNpm(s, net, check, tmp, facts.platform.arch) : await fromGithub(s, net, check, tmp, facts.platform.arch);
    if (typeof got === "string") return void step(`codex ${got} is installed and the latest`);
    const entry = codexEntry(readTextOrNull(join(got.tree, "codex-package.json")), (rel) => existsSync(join(got.tree, rel)));
    const reported = await versionOf(join(got.tree, entry), "codex");
    const version = got.version || reported;
    const dir = switchTo(root, got.tree, version, entry, s.dest);
    const record: InstallRecord = {
      version, sha256: got.sha256, source: s.source, url: got.url, dir, entry, verified: got.verified, layout: got.layout, ...fileId(join(dir, entry))!,
    };
    updateState(facts.paths.stateJson, "install", { ...readState(facts.paths.stateJson).install, codex: record });
    step(`installed codex ${version} (${got.layout === "package" ? "complete package" : got.layout}, verified by ${got.verified}) from ${got.url} into ${dir}`);
    const host = join(dirname(join(dir, entry)), "codex-code-mode-host");
    if (!existsSync(host) && needsHost(version)) {
      warn(`codex ${version} came without codex-code-mode-host (${host} is missing): Codex runs every command and file edit through it, so Codex can chat but not work. Use a release that publishes codex-package-<platform>.tar.gz (codex_version), or codex_install_source = "npm"`);
    }
  } catch (e) {
    failed(s, e, kept, bare(s.version));
  } finally {
    for (const f of readdirSync(root)) if (f.startsWith(basename(tmp) + ".")) rmSync(join(root, f), { recursive: true, force: true });
  }
}

/** The platform tarball from the npm registry: its integrity is the packument's sha512. Its tree is package/vendor/<triple>/. */
async function fromNpm(s: InstallStep, net: Net, check: Net, tmp: string, arch: string): Promise<Fetched | string> {
  const wanted = exact(s.version) ? bare(s.version) : s.version === "latest" ? "" : s.version;
  const { version, url, sha512 } = pickTarball(await getJson(s.url!, check, "application/vnd.npm.install-v1+json"), wanted, arch, s.url!);
  if (version === s.installed) return version;
  const dl = `${tmp}.dl.part`;
  const got = await download(url, dl, net, progress("codex"));
  if (s.sha256 && got.sha256 !== s.sha256) throw new Error(`${url} has sha256 ${got.sha256}, not codex_sha256 ${s.sha256}`);
  if (got.sha512 !== sha512) throw new Error(`${url} does not match the sha512 integrity of its packument`);
  await extractTree(dl, `${tmp}.tree.part`, url);
  const tree = join(`${tmp}.tree.part`, "package/vendor", codexTriple(arch));
  if (!existsSync(tree)) throw new Error(`${url} has no package/vendor/${codexTriple(arch)}/`);
  return { tree, version, url, sha256: got.sha256, verified: s.sha256 ? "codex_sha256" : "npm integrity", layout: "package" };
}

/**
 * A GitHub-layout release: the complete package checked against the release's own
 * codex-package_SHA256SUMS (or codex_sha256). A release without the package gets the best it
 * has: the bare binary, plus the code-mode host when it publishes one.
 */
async function fromGithub(s: InstallStep, net: Net, check: Net, tmp: string, arch: string): Promise<Fetched | string> {
  const triple = codexTriple(arch);
  const assets = codexAssets(triple);
  const pin = s.sha256;
  let base = s.url!;
  let version = s.version === "latest" ? "" : bare(s.version);
  if (!version) {
    const tag = (await latestTag(`${base}/${assets.package}`, check)) ?? (await latestTag(`${base}/${assets.binary}`, check));
    if (tag) {
      version = bare(tag);
      base = base.replace(/latest\/download$/, `download/${tag}`);
      if (version === s.installed) return version;
    }
  }
  const dl = `${tmp}.dl.part`;
  const tree = `${tmp}.tree.part`;
  const sumsUrl = `${base}/${assets.sums}`;
  const sums = await getTextOrNull(sumsUrl, check);
  const pkgUrl = `${base}/${assets.package}`;
  if (sums !== null || (await exists(pkgUrl, check))) {
    const want = pin || parseSums(sums ?? "").get(assets.package);
    if (!want) {
      throw new Error(sums === null
        ? `the release has ${assets.package} but no ${assets.sums} to verify it against. Set codex_sha256 to the archive's sha256`
        : `${sumsUrl} lists no sha256 for ${assets.package}`);
    }
    const got = await download(pkgUrl, dl, net, progress("codex"));
    if (got.sha256 !== want) throw new Error(`${pkgUrl} has sha256 ${got.sha256}, not ${pin ? "codex_sha256" : `the one in ${assets.sums},`} ${want}`);
    await extractTree(dl, tree, pkgUrl);
    return { tree, version, url: pkgUrl, sha256: got.sha256, verified: pin ? "codex_sha256" : assets.sums, layout: "package" };
  }
  // An older release: bin/codex from the bare binary's archive, and the host beside it when published.
  const binUrl = `${base}/${assets.binary}`;
  const got = await download(binUrl, dl, net, progress("codex"));
  if (pin && got.sha256 !== pin) throw new Error(`${binUrl} has sha256 ${got.sha256}, not codex_sha256 ${pin}`);
  await unpackExecutable(dl, binUrl, "codex", triple, tree);
  const hostUrl = `${base}/${assets.host}`;
  const host = await exists(hostUrl, check);
  if (host) {
    await download(hostUrl, dl, net, progress("codex-code-mode-host"));
    await unpackExecutable(dl, hostUrl, "codex-code-mode-host", triple, tree);
  }
  warn(`codex ${version || "latest"}: the release has no ${assets.package}; installing the bare binary${host ? " and codex-code-mode-host" : ""}${pin ? "" : ", unverified (set codex_sha256 to pin it)"}`);
  return { tree, version, url: binUrl, sha256: got.sha256, verified: pin ? "codex_sha256" : "nothing", layout: host ? "binary+host" : "binary" };
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
function switchTo(root: string, tree: string, version: string, entry: string, link: string): string {
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

// Which binaries to fetch from where. Pure: URLs and actions from inputs, state and file facts.
import { join } from "node:path";
import { InputError, type Inputs, type Secrets } from "../inputs.ts";
import type { Facts, InstallStep } from "../plan.ts";
import type { State } from "../state.ts";
import type { FileId } from "../fsutil.ts";
import { npmRegistry, packumentUrl } from "./npm.ts";

const ARCH: Record<string, { codex: string; agentapi: string }> = {
  x64: { codex: "x86_64", agentapi: "amd64" },
  arm64: { codex: "aarch64", agentapi: "arm64" },
};

export class PlatformError extends Error {}

export function targetFor(platform: { os: string; arch: string }) {
  const t = ARCH[platform.arch];
  if (platform.os !== "linux" || !t) {
    throw new PlatformError(
      `unsupported platform ${platform.os}/${platform.arch}: codex-boot installs binaries for linux/x64 and linux/arm64 only. Set install_codex = false and install_agentapi = false and put codex and agentapi on PATH`,
    );
  }
  return t;
}

export const isLatest = (v: string) => v === "" || v === "latest";
export const bare = (v: string) => v.replace(/^(rust-)?v/, "");

/** `<github_url>/<repo>/releases/download/<tag>/<asset>`, or for latest GitHub's `latest/download` redirect. */
export function releaseUrl(githubUrl: string, name: string, version: string, arch: { codex: string; agentapi: string }): string {
  const [repo, tag, asset] =
    name === "codex" ? ["openai/codex", "rust-v", `codex-${arch.codex}-unknown-linux-musl.tar.gz`] : ["coder/agentapi", "v", `agentapi-linux-${arch.agentapi}`];
  return `${githubUrl.replace(/\/+$/, "")}/${repo}/releases/${isLatest(version) ? "latest/download" : `download/${tag}${bare(version)}`}/${asset}`;
}

/** The file inside the downloaded archive, or null when the download is the binary itself. */
export function entryFor(name: string, source: string, arch: { codex: string }): string | null {
  if (name !== "codex") return null;
  return source === "npm" ? `package/vendor/${arch.codex}-unknown-linux-musl/bin/codex` : `codex-${arch.codex}-unknown-linux-musl`;
}

type Record_ = NonNullable<State["install"]>[string];

/**
 * The warm check: the recorded install has this version (and pin), and the file is the one that
 * was verified and renamed into place (same size and mtime), so it is not hashed again.
 */
export function isInstalled(rec: Record_ | undefined, file: FileId | null | undefined, version: string, pin: string): boolean {
  return !!rec && !!file && rec.size === file.size && rec.mtimeMs === file.mtimeMs && rec.version === bare(version) && (!pin || rec.sha256 === pin);
}

export function planInstalls(inputs: Inputs, _secrets: Secrets, facts: Facts) {
  const warnings: string[] = [];
  const steps: InstallStep[] = [];
  const wanted = [
    { name: "codex" as const, install: inputs.install_codex, flag: "install_codex", version: inputs.codex_version || "latest", pin: inputs.codex_sha256 },
    { name: "agentapi" as const, install: inputs.install_agentapi, flag: "install_agentapi", version: inputs.agentapi_version || "latest", pin: inputs.agentapi_sha256 },
  ];
  for (const w of wanted) {
    const dest = join(facts.paths.binDir, w.name);
    const file = facts.bins?.[w.name];
    if (!w.install) {
      const found = facts.onPath[w.name] ?? (file ? dest : null);
      const reason = found
        ? `${w.flag} = false: using ${found}`
        : `${w.flag} = false but ${w.name} is neither on PATH nor in ${facts.paths.binDir}. Set ${w.flag} = true, or put ${w.name} on PATH in the workspace image`;
      if (!found) warnings.push(reason);
      steps.push({ name: w.name, version: "existing", source: "existing", url: null, dest: found ?? dest, action: "use-existing", sha256: null, reason });
      continue;
    }
    const arch = targetFor(facts.platform);
    let source: InstallStep["source"] = "github";
    let url: string;
    if (w.name === "codex" && inputs.codex_install_source === "npm") {
      const registry = npmRegistry(inputs.npm_registry_url, facts.env, facts.files.npmrc);
      if (!registry) {
        throw new InputError(
          'input "codex_install_source" is "npm" but no npm registry is configured: set npm_registry_url, or NPM_CONFIG_REGISTRY or registry= in ~/.npmrc in the workspace',
        );
      }
      source = "npm";
      url = packumentUrl(registry);
    } else {
      url = releaseUrl(inputs.github_url, w.name, w.version, arch);
    }
    const rec = facts.state.install?.[w.name];
    const installed = !isLatest(w.version) && isInstalled(rec, file, w.version, w.pin);
    steps.push({
      name: w.name, version: w.version, source, url, dest, sha256: w.pin || null,
      action: installed ? "skip-installed" : "download",
      reason: installed
        ? `${w.version} is installed`
        : isLatest(w.version) && rec
          ? `${rec.version} is installed; one request checks for a newer release`
          : "not installed yet",
    });
  }
  return { steps, warnings };
}

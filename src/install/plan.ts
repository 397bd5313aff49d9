// Which binaries to fetch from where. Pure: URLs and actions from inputs, state and file facts.
import { join } from "node:path";
import { InputError, type Inputs, type Secrets } from "../inputs.ts";
import type { Facts, InstallStep } from "../plan.ts";
import { npmRegistry } from "./npm.ts";

export const bare = (v: string) => v.replace(/^(rust-)?v/, "");

export function planInstalls(inputs: Inputs, _secrets: Secrets, facts: Facts) {
  const warnings: string[] = [];
  const { binDir } = facts.paths;
  const steps = (["codex", "agentapi"] as const).map((name): InstallStep => {
    const flag = `install_${name}` as const;
    const version = inputs[`${name}_version`] || "latest";
    const dest = join(binDir, name);
    const file = facts.bins?.[name];
    if (!inputs[flag]) {
      const found = facts.onPath[name] ?? (file ? dest : null);
      const reason = found
        ? `${flag} = false: using ${found}`
        : `${flag} = false but ${name} is neither on PATH nor in ${binDir}. Set ${flag} = true, or put ${name} on PATH in the workspace image`;
      if (!found) warnings.push(reason);
      return { name, version: "existing", source: "existing", url: null, dest: found ?? dest, action: "use-existing", sha256: null, reason };
    }
    const { os, arch } = facts.platform;
    if (os !== "linux" || (arch !== "x64" && arch !== "arm64")) {
      throw new Error(
        `unsupported platform ${os}/${arch}: codex and agentapi are installed for linux/x64 and linux/arm64 only. Set install_codex = false and install_agentapi = false and put both on PATH`,
      );
    }
    const triple = `${arch === "x64" ? "x86_64" : "aarch64"}-unknown-linux-musl`; // Codex's Rust target
    const npm = name === "codex" && inputs.codex_install_source === "npm";
    const registry = npm && npmRegistry(inputs.npm_registry_url, facts.env, facts.files.npmrc);
    if (npm && !registry) {
      throw new InputError(
        'input "codex_install_source" is "npm" but no npm registry is configured: set npm_registry_url, or NPM_CONFIG_REGISTRY or registry= in ~/.npmrc',
      );
    }
    // GitHub's release layout; for latest its `latest/download` redirect names the tag.
    const [repo, tag, asset] =
      name === "codex" ? ["openai/codex", "rust-v", `codex-${triple}.tar.gz`] : ["coder/agentapi", "v", `agentapi-linux-${arch === "x64" ? "amd64" : arch}`];
    const pin = inputs[`${name}_sha256`] || null;
    // The warm check: the file is the one that was verified and renamed into place (same size and
    // mtime as recorded), so it is not hashed again.
    const rec = facts.state.install?.[name];
    const installed = rec && file && rec.size === file.size && rec.mtimeMs === file.mtimeMs && (!pin || rec.sha256 === pin) ? rec.version : undefined;
    const skip = installed === bare(version);
    return {
      name,
      version,
      source: npm ? "npm" : "github",
      url: registry
        ? `${registry}/@openai%2fcodex`
        : `${inputs.github_url.replace(/\/+$/, "")}/${repo}/releases/${version === "latest" ? "latest/download" : `download/${tag}${bare(version)}`}/${asset}`,
      entry: name === "agentapi" ? null : npm ? `package/vendor/${triple}/bin/codex` : `codex-${triple}`,
      dest,
      action: skip ? "skip-installed" : "download",
      sha256: pin,
      installed,
      reason: skip ? `${version} is installed` : installed && !/^v?\d+\.\d+\.\d+/.test(version) ? `${installed} is installed; one request checks for a newer release` : "not installed yet",
    };
  });
  return { steps, warnings };
}

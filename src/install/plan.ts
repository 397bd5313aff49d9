// Which binaries to fetch from where. Pure: URLs and actions from inputs, state and file facts.
import { join } from "node:path";
import { InputError, type Inputs, type Secrets } from "../inputs.ts";
import type { Facts, InstallStep } from "../plan.ts";
import { npmRegistry } from "./npm.ts";
import { codexReleaseBase } from "./codex-release.ts";

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
      const host = name === "codex" && facts.pathCodexHost;
      if (host && !host.exists) {
        warnings.push(
          `install_codex = false and the codex on PATH has no codex-code-mode-host beside it (${host.path} is missing): Codex >= 0.147 runs every command and file edit through it, so it will chat but not work. Install the complete Codex package in the image, or set install_codex = true`,
        );
      }
      return { name, version: "existing", source: "existing", url: null, dest: found ?? dest, action: "use-existing", sha256: null, reason };
    }
    const { os, arch } = facts.platform;
    if (os !== "linux" || (arch !== "x64" && arch !== "arm64")) {
      throw new Error(
        `unsupported platform ${os}/${arch}: codex and agentapi are installed for linux/x64 and linux/arm64 only. Set install_codex = false and install_agentapi = false and put both on PATH`,
      );
    }
    const npm = name === "codex" && inputs.codex_install_source === "npm";
    const registry = npm && npmRegistry(inputs.npm_registry_url, facts.env, facts.files.npmrc);
    if (npm && !registry) {
      throw new InputError(
        'input "codex_install_source" is "npm" but no npm registry is configured: set npm_registry_url, or NPM_CONFIG_REGISTRY or registry= in ~/.npmrc',
      );
    }
    const pin = inputs[`${name}_sha256`] || null;
    // The warm check: the file is the one that was verified and renamed into place (same size and
    // mtime as recorded), so it is not hashed again. Codex: bin/codex still links into the recorded
    // package tree (a bare binary of an earlier module version has no tree, so it is replaced).
    const rec = facts.state.install?.[name];
    const intact = name === "agentapi" || (!!rec?.dir && facts.bins?.codexLink === join(rec.dir, rec.entry ?? ""));
    const installed = rec && file && intact && rec.size === file.size && rec.mtimeMs === file.mtimeMs && (!pin || rec.sha256 === pin) ? rec.version : undefined;
    const skip = installed === bare(version);
    const common = {
      name, version, dest, sha256: pin, installed,
      action: skip ? "skip-installed" : "download",
      reason: skip ? `${version} is installed` : installed && !/^v?\d+\.\d+\.\d+/.test(version) ? `${installed} is installed; a request or two check for a newer release` : "not installed yet",
    } as const;
    if (name === "agentapi") {
      const tag = version === "latest" ? "latest/download" : `download/v${bare(version)}`;
      const url = `${inputs.github_url.replace(/\/+$/, "")}/coder/agentapi/releases/${tag}/agentapi-linux-${arch === "x64" ? "amd64" : arch}`;
      return { ...common, source: "github", url, entry: null };
    }
    // Codex: the release directory (the installer picks the assets it has) or the packument.
    return {
      ...common,
      source: npm ? "npm" : "github",
      url: registry ? `${registry}/@openai%2fcodex` : codexReleaseBase(inputs.github_url, version),
      tree: join(facts.paths.moduleDir, "codex"),
    };
  });
  return { steps, warnings };
}

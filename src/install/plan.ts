// Which binaries to fetch from where. Pure: URLs and actions from inputs, state and PATH facts.
import { join } from "node:path";
import type { Inputs, Secrets } from "../inputs.ts";
import type { Facts, InstallStep } from "../plan.ts";

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

const trimSlash = (u: string) => u.replace(/\/+$/, "");
const isLatest = (v: string) => v === "" || v === "latest";

export function codexGithubUrl(githubUrl: string, version: string, arch: string): string {
  const asset = `codex-${arch}-unknown-linux-musl.tar.gz`;
  const base = `${trimSlash(githubUrl)}/openai/codex/releases`;
  return isLatest(version) ? `${base}/latest/download/${asset}` : `${base}/download/rust-v${version.replace(/^v/, "")}/${asset}`;
}

export function agentapiGithubUrl(githubUrl: string, version: string, arch: string): string {
  const asset = `agentapi-linux-${arch}`;
  const base = `${trimSlash(githubUrl)}/coder/agentapi/releases`;
  return isLatest(version) ? `${base}/latest/download/${asset}` : `${base}/download/v${version.replace(/^v/, "")}/${asset}`;
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
    if (!w.install) {
      const found = facts.onPath[w.name];
      steps.push({
        name: w.name, version: "existing", source: "existing", url: null, dest: found ?? dest, action: "use-existing", sha256: null,
        reason: found ? `${w.flag} = false: using ${found}` : `${w.flag} = false but ${w.name} is not on PATH`,
      });
      continue;
    }
    const arch = targetFor(facts.platform);
    const url = w.name === "codex" ? codexGithubUrl(inputs.github_url, w.version, arch.codex) : agentapiGithubUrl(inputs.github_url, w.version, arch.agentapi);
    const recorded = facts.state.install?.[w.name];
    const installed = recorded && !isLatest(w.version) && recorded.version === w.version && (!w.pin || recorded.sha256 === w.pin);
    steps.push({
      name: w.name, version: w.version, source: "github", url, dest, sha256: w.pin || null,
      action: installed ? "skip-installed" : "download",
      reason: installed ? `${w.version} already installed` : `not installed yet`,
    });
  }
  return { steps, warnings };
}

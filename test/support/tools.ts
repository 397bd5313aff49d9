// Where the real tools live once setup.ts ran. Tests import from here and never skip:
// a missing tool is an error telling you to run the setup.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "../..");
export const CACHE = join(ROOT, ".cache/tools");
export const BUNDLE = join(ROOT, "dist/codex-boot.js");

export interface ToolPaths {
  bun: string;
  deno: string;
  node: string | null;
  /** A link to bin/codex of the complete package in codexPackageDir. */
  codex: string;
  codexPackageDir: string;
  agentapi: string;
  terraform: string;
  coderProviderDir: string;
  terraformrc: string;
  codexTgz: string;
  codexIntegrity: string;
  codexOldTgz: string;
  /** The loopback mirror's Codex release assets (setup.ts packs them once). */
  codexPackageTarGz: string;
  codexBareTarGz: string;
  codexHostTarGz: string;
  codexOldIntegrity: string;
  /** Runs a command without user namespaces (seccomp), as many container workspaces do. */
  noUserns: string;
  bunTgz: string;
  bunIntegrity: string;
  shellcheck: string;
}

export const MANIFEST = join(CACHE, "tools.json");

export function tools(): ToolPaths {
  if (!existsSync(MANIFEST)) {
    throw new Error(`test tools are not set up: run \`bun test/support/setup.ts\` (or npm test) first (${MANIFEST} missing)`);
  }
  const t = JSON.parse(readFileSync(MANIFEST, "utf8")) as ToolPaths;
  for (const [k, v] of Object.entries(t)) {
    if (typeof v === "string" && v.startsWith("/") && !existsSync(v)) {
      throw new Error(`test tool ${k} is missing at ${v}: rerun \`bun test/support/setup.ts\``);
    }
  }
  return t;
}

/** Deno with the permissions the bundle needs, spelled out (not -A). */
export const DENO_FLAGS = ["run", "--no-prompt", "--allow-read", "--allow-write", "--allow-env", "--allow-net", "--allow-run", "--allow-sys"];

export type Runtime = "bun" | "deno" | "node";
export function runtimeArgv(runtime: Runtime, t: ToolPaths = tools()): string[] {
  if (runtime === "bun") return [t.bun, BUNDLE];
  if (runtime === "deno") return [t.deno, ...DENO_FLAGS, BUNDLE];
  if (!t.node) throw new Error("node >= 20 was not found by setup");
  return [t.node, BUNDLE];
}

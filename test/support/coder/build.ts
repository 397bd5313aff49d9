// Coder for the real-Coder tier, built from the Go module proxy into .cache/coder (gitignored).
// `go install` is refused for this module here; downloading the exact version and building
// ./cmd/coder in that tree works (the slim AGPL binary: server, agent and CLI, no dashboard).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../tools.ts";
import { PINS } from "../versions.ts";

export const CODER_CACHE = join(ROOT, ".cache/coder");
export const coderPath = () => join(CODER_CACHE, "bin", `coder-v${PINS.coder}`);

function run(argv: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) throw new Error(`\`${argv.join(" ")}\` failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ""}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The Coder binary, built once (a cold build takes many minutes on 2 cores; the Go build cache
 * makes a rebuild on a fresh clone much faster). */
export function buildCoder(): string {
  const bin = coderPath();
  if (existsSync(bin)) return bin;
  const dir = JSON.parse(run(["go", "mod", "download", "-json", `github.com/coder/coder/v2@v${PINS.coder}`])).Dir as string;
  mkdirSync(join(CODER_CACHE, "bin"), { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  // -mod=mod: the module cache copy is read-only and its go.sum may miss entries go build wants.
  run(["go", "build", "-o", tmp, "./cmd/coder"], { cwd: dir, env: { ...(process.env as Record<string, string>), GOFLAGS: "-mod=mod" } });
  renameSync(tmp, bin);
  return bin;
}

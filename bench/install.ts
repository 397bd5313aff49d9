// bun bench/install.ts [--runs N]: codex + agentapi from the loopback mirror, cold and warm, beside
// `curl | tar -xz` of the same bytes (both assets fetched in parallel, like the installer does).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, runBundleAsync } from "../test/support/sandbox.ts";
import { installEnv, serveGithubReleases, startMirror } from "../test/support/mirror.ts";
import { PINS } from "../test/support/versions.ts";
import { fmt, interleaved } from "./stats.ts";

const args = process.argv.slice(2);
const runs = args.includes("--runs") ? Number(args[args.indexOf("--runs") + 1]) : 5;
const m = await startMirror();
const paths = serveGithubReleases(m);
const box = makeSandbox("codex-boot-bench-install-");

async function install(rt: "bun" | "deno", warm: boolean): Promise<number> {
  const home = mkdtempSync(join(box.root, "h-"));
  const env = installEnv(home, { ...box.env, HOME: home }, { github_url: m.url, codex_version: PINS.codex });
  if (warm && (await runBundleAsync(rt, ["install"], { env })).code !== 0) throw new Error("bench: warm-up install failed");
  const t = performance.now();
  const r = await runBundleAsync(rt, ["install"], { env });
  const ms = performance.now() - t;
  if (r.code !== 0) throw new Error(`bench: install under ${rt} failed: ${r.stderr}`);
  rmSync(home, { recursive: true, force: true });
  return ms;
}

/** Async: the mirror serves from this very process, a sync spawn would starve it. */
async function curlTar(): Promise<number> {
  const dir = mkdtempSync(join(box.root, "c-"));
  const t = performance.now();
  const sh = `(curl -sf "$1" | tar -xz) & a=$!; curl -sf -o agentapi "$2" && wait $a && test -s codex-x86_64-unknown-linux-musl`;
  const code = await new Promise((ok) => spawn("sh", ["-c", sh, "sh", m.url + paths.codex, m.url + paths.agentapi], { cwd: dir, env: box.env }).on("close", ok));
  const ms = performance.now() - t;
  if (code !== 0) throw new Error("bench: curl | tar failed");
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

try {
  const s = await interleaved(runs, {
    "curl | tar -xz (+ curl agentapi)": curlTar,
    "bun codex-boot install (cold)": () => install("bun", false),
    "deno codex-boot install (cold)": () => install("deno", false),
    "bun codex-boot install (warm)": () => install("bun", true),
    "deno codex-boot install (warm)": () => install("deno", true),
  });
  const base = s["curl | tar -xz (+ curl agentapi)"]!.median;
  for (const [k, v] of Object.entries(s)) console.log(`${k.padEnd(34)} ${fmt(v)}${k.includes("cold") ? `  ${(v.median / base).toFixed(2)}× curl|tar` : ""}`);
} finally {
  await m.close();
  box.cleanup();
}

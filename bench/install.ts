// Cold install of the complete Codex package + agentapi from the loopback mirror beside
// `curl | tar -xz` of the same bytes (both assets in parallel, like the installer), interleaved,
// ratio per pair; the package's size; the warm path; and 20 HOMEs installing at once.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { makeSandbox, runBundleAsync, type Sandbox } from "../test/support/sandbox.ts";
import { artifacts, installEnv, serveGithubReleases, startMirror, type Mirror } from "../test/support/mirror.ts";
import { tools } from "../test/support/tools.ts";
import { PINS } from "../test/support/versions.ts";
import { fmt, summarize } from "./stats.ts";
import type { Row } from "./rows.ts";

type Rt = "bun" | "deno";

function envFor(box: Sandbox, m: Mirror) {
  const home = mkdtempSync(join(box.root, "h-"));
  return { home, env: installEnv(home, { ...box.env, HOME: home }, { github_url: m.url, codex_version: PINS.codex }) };
}

async function install(box: Sandbox, m: Mirror, rt: Rt, warm: boolean): Promise<{ ms: number; requests: number }> {
  const { home, env } = envFor(box, m);
  if (warm && (await runBundleAsync(rt, ["install"], { env })).code !== 0) throw new Error("bench: warm-up install failed");
  const before = m.requests.length;
  const t = performance.now();
  const r = await runBundleAsync(rt, ["install"], { env });
  const ms = performance.now() - t;
  if (r.code !== 0) throw new Error(`bench: install under ${rt} failed: ${r.stderr}`);
  rmSync(home, { recursive: true, force: true });
  return { ms, requests: m.requests.length - before };
}

/** Async: the mirror serves from this very process, a sync spawn would starve it. */
async function curlTar(box: Sandbox, m: Mirror, paths: { codex: string; agentapi: string }): Promise<number> {
  const dir = mkdtempSync(join(box.root, "c-"));
  const t = performance.now();
  const sh = `(curl -sf "$1" | tar -xz) & a=$!; curl -sf -o agentapi "$2" && wait $a && test -s bin/codex-code-mode-host`;
  const code = await new Promise((ok) => spawn("sh", ["-c", sh, "sh", m.url + paths.codex, m.url + paths.agentapi], { cwd: dir, env: box.env }).on("close", ok));
  const ms = performance.now() - t;
  if (code !== 0) throw new Error("bench: curl | tar failed");
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

export async function installBench(runs: number): Promise<Row[]> {
  const m = await startMirror();
  const paths = serveGithubReleases(m);
  const box = makeSandbox("codex-boot-bench-install-");
  const rows: Row[] = [];
  try {
    const base: number[] = [];
    const cold: Record<Rt, number[]> = { bun: [], deno: [] };
    const ratio: Record<Rt, number[]> = { bun: [], deno: [] };
    const warm: Record<Rt, number[]> = { bun: [], deno: [] };
    const warmRequests: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Each pair: the physical-limit proxy right before the install it is compared with.
      for (const rt of ["bun", "deno"] as Rt[]) {
        const c = await curlTar(box, m, paths);
        const x = await install(box, m, rt, false);
        base.push(c);
        cold[rt].push(x.ms);
        ratio[rt].push(x.ms / c);
        const w = await install(box, m, rt, true);
        warm[rt].push(w.ms);
        warmRequests.push(w.requests);
      }
    }
    const tree = spawnSync("du", ["-sb", tools().codexPackageDir], { encoding: "utf8" }).stdout.split("\t")[0];
    rows.push({ section: "cold install", metric: "Codex package: archive / unpacked tree", value: `${(artifacts.codexPackage().byteLength / 1e6).toFixed(1)} MB / ${(Number(tree) / 1e6).toFixed(1)} MB` });
    rows.push({ section: "cold install", metric: "curl | tar -xz (+ curl agentapi)", value: fmt(summarize(base)) });
    for (const rt of ["bun", "deno"] as Rt[]) {
      const r = summarize(ratio[rt]);
      rows.push({ section: "cold install", metric: `${rt}: codex-boot install`, value: fmt(summarize(cold[rt])) });
      rows.push({
        section: "cold install", metric: `${rt}: ratio to curl | tar (per pair)`, value: `${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)})`,
        goal: "<= 1.15×", ok: r.median <= 1.15,
      });
      rows.push({ section: "warm install", metric: `${rt}: codex-boot install, binaries in place`, value: fmt(summarize(warm[rt])) });
    }
    const maxWarm = Math.max(...warmRequests);
    rows.push({ section: "warm install", metric: "requests made by a warm install", value: String(maxWarm), goal: "0", ok: maxWarm === 0 });
    rows.push(...(await scale(box, m)));
  } finally {
    await m.close();
    box.cleanup();
  }
  return rows;
}

/** 20 HOMEs installing at once (the network part of 20 workspaces starting) against one mirror. */
async function scale(box: Sandbox, m: Mirror, homes = 20): Promise<Row[]> {
  const before = m.requests.length;
  const t = performance.now();
  const results = await Promise.all(
    Array.from({ length: homes }, (_, i) => runBundleAsync(i % 2 ? "deno" : "bun", ["install"], { env: envFor(box, m).env, timeoutMs: 300_000 })),
  );
  const ms = performance.now() - t;
  const failures = results.filter((r) => r.code !== 0).length;
  const perHome = (m.requests.length - before) / homes;
  return [
    { section: "scale", metric: `${homes} HOMEs installing at once (half Bun, half Deno)`, value: `${(ms / 1000).toFixed(1)} s total` },
    { section: "scale", metric: "requests per HOME", value: perHome.toFixed(1) },
    { section: "scale", metric: "failures", value: String(failures), goal: "0", ok: failures === 0 },
  ];
}

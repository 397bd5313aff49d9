// bun bench/launch-ready.ts [--runs N]: time-to-ready of a warm `start` (binaries in place, config
// written, agentapi stopped) under Bun and Deno, split into the bundle's own overhead and the wait
// for agentapi; plus how long Codex then takes to sit idle (agentapi status "stable").
// Real AgentAPI and Codex against the loopback Responses stub. Writes bench/results/launch-ready.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { startResponsesStub } from "../test/support/responses-stub.ts";
import { launchSandbox, until, type LaunchSandbox } from "../test/support/launch-sandbox.ts";
import { ROOT, type Runtime } from "../test/support/tools.ts";
import { fmt, summarize, type Summary } from "./stats.ts";

const args = process.argv.slice(2);
const runs = args.includes("--runs") ? Number(args[args.indexOf("--runs") + 1]) : 5;
const runtimes: Runtime[] = ["bun", "deno"];

const stub = await startResponsesStub();
const boxes: Partial<Record<Runtime, LaunchSandbox>> = {};
const samples: Record<string, number[]> = {};
const add = (k: string, v: number) => (samples[k] ??= []).push(v);

async function start(runtime: Runtime, ls: LaunchSandbox) {
  const t0 = performance.now();
  const r = await ls.run(runtime, "start");
  const total = performance.now() - t0;
  const spawnToReady = Number(/agentapi ready on port \d+ after (\d+) ms/.exec(r.stdout)?.[1]);
  if (r.code !== 0 || !spawnToReady) throw new Error(`bench: start under ${runtime} failed (${r.code}): ${r.stdout}${r.stderr}`);
  const ready = performance.now();
  await until("status stable", async () => ((await (await ls.api("/status")).json()) as { status: string }).status === "stable", 60_000);
  return { total, spawnToReady, stable: performance.now() - ready };
}

async function stop(runtime: Runtime, ls: LaunchSandbox) {
  const r = await ls.run(runtime, "stop");
  if (r.code !== 0) throw new Error(`bench: stop under ${runtime} failed: ${r.stderr}`);
}

try {
  for (const rt of runtimes) {
    boxes[rt] = await launchSandbox({ responsesUrl: stub.url, inputs: { continue: false } });
    await start(rt, boxes[rt]!); // the first start writes config.toml and AGENTS.md: not warm
    await stop(rt, boxes[rt]!);
  }
  for (let i = 0; i < runs; i++) {
    for (const rt of runtimes) {
      const s = await start(rt, boxes[rt]!);
      add(`${rt}: start, total (process start to exit 0)`, s.total);
      add(`${rt}: boot overhead (total minus the wait for agentapi)`, s.total - s.spawnToReady);
      add(`${rt}: agentapi spawn to ready (3 × GET /status 200)`, s.spawnToReady);
      add(`${rt}: then until Codex is idle (status "stable")`, s.stable);
      await stop(rt, boxes[rt]!);
    }
  }
} finally {
  for (const b of Object.values(boxes)) b?.cleanup();
  await stub.close();
}

const rows = Object.entries(samples).map(([metric, v]) => ({ metric, summary: summarize(v) as Summary }));
console.log(["| metric | median (min–max, n) |", "| --- | --- |", ...rows.map((r) => `| ${r.metric} | ${fmt(r.summary)} |`)].join("\n"));
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${process.platform}/${process.arch}`;
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/launch-ready.json"), JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2) + "\n");

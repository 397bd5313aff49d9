// Warm restart time-to-ready with the real AgentAPI and Codex (loopback Responses stub): config
// written, agentapi stopped, then `start`. The total splits into the boot's own work and the wait
// for agentapi (3 × GET /status 200). Each phase of the boot's work is also timed on its own, as a
// separate process in the same HOME: runtime start, plan (--dry-run), config check (configure).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startResponsesStub } from "../test/support/responses-stub.ts";
import { launchSandbox, until, type LaunchSandbox } from "../test/support/launch-sandbox.ts";
import { runAsync } from "../test/support/sandbox.ts";
import { DENO_FLAGS, tools, type Runtime } from "../test/support/tools.ts";
import { fmt, summarize } from "./stats.ts";
import type { Row } from "./rows.ts";

const RUNTIMES: Runtime[] = ["bun", "deno"];

async function timed(fn: () => Promise<{ code: number; stdout: string; stderr: string }>, what: string) {
  const t0 = performance.now();
  const r = await fn();
  const ms = performance.now() - t0;
  if (r.code !== 0) throw new Error(`bench: ${what} failed (${r.code}): ${r.stdout}${r.stderr}`);
  return { ms, out: r.stdout };
}

export async function warmRestartBench(runs: number): Promise<Row[]> {
  const stub = await startResponsesStub();
  const boxes: Partial<Record<Runtime, LaunchSandbox>> = {};
  const samples: Record<string, number[]> = {};
  const add = (k: string, v: number) => (samples[k] ??= []).push(v);
  const t = tools();
  try {
    for (const rt of RUNTIMES) {
      const ls = (boxes[rt] = await launchSandbox({ responsesUrl: stub.url, inputs: { continue: false } }));
      await timed(() => ls.run(rt, "start"), "first start"); // writes config.toml and AGENTS.md: not warm
      await timed(() => ls.run(rt, "stop"), "stop");
    }
    const empty = join(boxes.bun!.sb.root, "empty.js");
    writeFileSync(empty, "");
    for (let i = 0; i < runs; i++) {
      for (const rt of RUNTIMES) {
        const ls = boxes[rt]!;
        const bare = rt === "bun" ? [t.bun, empty] : [t.deno, ...DENO_FLAGS, empty];
        add(`${rt}: runtime start (empty module)`, (await timed(() => runAsync(bare, { cwd: ls.sb.root, env: ls.env }), "empty")).ms);
        add(`${rt}: plan (--dry-run)`, (await timed(() => ls.run(rt, "start", {}, ["--dry-run"]), "dry-run")).ms);
        add(`${rt}: config check (configure, nothing to change)`, (await timed(() => ls.run(rt, "configure"), "configure")).ms);
        const start = await timed(() => ls.run(rt, "start"), "start");
        const spawnToReady = Number(/agentapi ready on port \d+ after (\d+) ms/.exec(start.out)?.[1]);
        if (!spawnToReady) throw new Error(`bench: no readiness line in: ${start.out}`);
        add(`${rt}: start, total (process start to exit 0)`, start.ms);
        add(`${rt}: start, before the spawn (total minus spawn to ready)`, start.ms - spawnToReady);
        add(`${rt}: agentapi spawn to ready`, spawnToReady);
        const ready = performance.now();
        await until("status stable", async () => ((await (await ls.api("/status")).json()) as { status: string }).status === "stable", 60_000);
        add(`${rt}: then until Codex is idle (status "stable")`, performance.now() - ready);
        await timed(() => ls.run(rt, "stop"), "stop");
      }
    }
  } finally {
    for (const b of Object.values(boxes)) b?.cleanup();
    await stub.close();
  }
  return Object.entries(samples).map(([metric, v]) => {
    const summary = summarize(v);
    const goal = metric.includes("before the spawn") ? { goal: "<= 300 ms", ok: summary.median <= 300 } : {};
    return { section: "warm restart", metric, value: fmt(summary), summary, ...goal };
  });
}

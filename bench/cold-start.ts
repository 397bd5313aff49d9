// Cold start of the bundle beside the bare runtime's own start, per runtime.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUNDLE, DENO_FLAGS, tools } from "../test/support/tools.ts";
import { b64config, makeSandbox } from "../test/support/sandbox.ts";
import { interleaved, type Summary } from "./stats.ts";

const REALISTIC = {
  workdir: "/home/coder/project",
  codex_version: "0.169.0",
  ai_prompt: "Add a health endpoint and tests",
  report_tasks: true,
  additional_mcp_servers: '[mcp_servers.github]\ncommand = "npx"\nargs = ["-y", "@modelcontextprotocol/server-github"]\n',
  task_id: "5f1c1c8e-0000-4000-8000-000000000001",
};

function timeOf(argv: string[], env: Record<string, string>): number {
  const t0 = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { env, stdio: ["ignore", "ignore", "pipe"] });
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`bench: ${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  return t;
}

export async function coldStart(runs: number): Promise<Record<string, Summary>> {
  const t = tools();
  const box = makeSandbox("codex-boot-bench-");
  const env = { ...box.env, CODEX_BOOT_CONFIG: b64config(REALISTIC) };
  // `bun -e ''` may return before any JS runs; an empty module file is the fair baseline.
  const empty = join(box.root, "empty.js");
  writeFileSync(empty, "");
  try {
    return await interleaved(runs, {
      "bun -e ''": () => timeOf([t.bun, "-e", ""], env),
      "bun empty.js": () => timeOf([t.bun, empty], env),
      "bun bundle --version": () => timeOf([t.bun, BUNDLE, "--version"], env),
      "bun bundle --dry-run": () => timeOf([t.bun, BUNDLE, "--dry-run"], env),
      "deno eval ''": () => timeOf([t.deno, "eval", ""], env),
      "deno run empty.js": () => timeOf([t.deno, ...DENO_FLAGS, empty], env),
      "deno bundle --version": () => timeOf([t.deno, ...DENO_FLAGS, BUNDLE, "--version"], env),
      "deno bundle --dry-run": () => timeOf([t.deno, ...DENO_FLAGS, BUNDLE, "--dry-run"], env),
    });
  } finally {
    box.cleanup();
  }
}

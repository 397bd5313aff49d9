// `stop` (run_on_stop): post the conversation to Coder as the task's log snapshot, then stop agentapi
// gracefully so it saves its state. A snapshot that fails is a warning: stopping matters more.
import { rmSync } from "node:fs";
import type { RunContext } from "./context.ts";
import { agentapi, terminate } from "./agentapi.ts";
import { step, warn } from "./log.ts";

const MAX_BYTES = 64 << 10;
export const TRUNCATED = "[...earlier output truncated by codex-boot...]\n";

interface Message {
  content: string;
  [k: string]: unknown;
}

/**
 * The snapshot body: the last 10 messages, oldest dropped until the JSON fits 64 KiB; a lone message
 * too big keeps the tail of its content behind a marker. Codex's screen is 1190 lines of padding,
 * so trailing blanks go first — they carry nothing and would crowd out the text.
 */
export function snapshotBody(all: Message[], max = MAX_BYTES): string | null {
  const messages = all.slice(-10).map((m) => ({ ...m, content: m.content.replace(/[ \t]+$/gm, "").trimEnd() }));
  const size = () => Buffer.byteLength(JSON.stringify({ messages }));
  while (messages.length > 1 && size() > max) messages.shift();
  const last = messages[0];
  if (last && size() > max) {
    // The longest tail that fits, found by bisection: JSON escapes make bytes per character vary.
    const text = last.content;
    let [lo, hi] = [0, text.length];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      last.content = TRUNCATED + text.slice(text.length - mid);
      if (size() <= max) lo = mid;
      else hi = mid - 1;
    }
    last.content = TRUNCATED + text.slice(text.length - lo).replace(/^[\udc00-\udfff]/, ""); // no half surrogate pair
  }
  return messages.length ? JSON.stringify({ messages }) : null;
}

async function postSnapshot({ env, secrets, inputs }: RunContext) {
  const token = secrets.CODER_AGENT_TOKEN;
  if (!env.CODER_AGENT_URL || !token) throw new Error("CODER_AGENT_URL or CODER_AGENT_TOKEN is not set");
  const res = await agentapi(inputs.agentapi_port, "/messages", 5000);
  const body = snapshotBody(((await res.json()) as { messages?: Message[] }).messages ?? []);
  if (!body) return;
  const url = `${env.CODER_AGENT_URL.replace(/\/+$/, "")}/api/v2/workspaceagents/me/tasks/${encodeURIComponent(inputs.task_id)}/log-snapshot?format=agentapi`;
  const post = await fetch(url, {
    method: "POST", body, signal: AbortSignal.timeout(10_000),
    headers: { "Coder-Session-Token": token, "Content-Type": "application/json" },
  });
  // 404: a Coder without the endpoint; nothing there keeps snapshots.
  if (post.status !== 204 && post.status !== 404) throw new Error(`Coder answered HTTP ${post.status}`);
  step(`task log snapshot: HTTP ${post.status}`);
}

export async function runStop(ctx: RunContext): Promise<void> {
  const { paths, launch } = ctx.facts;
  const pid = launch?.running && launch.pid;
  if (pid) {
    if (ctx.inputs.task_id && ctx.inputs.task_log_snapshot) {
      await postSnapshot(ctx).catch((e) => warn(`task log snapshot not posted: ${(e as Error).message}`));
    }
    step(`stopping agentapi (pid ${pid})`);
    await terminate(pid, "agentapi");
  }
  rmSync(paths.agentapiPid, { force: true });
  step(pid ? "agentapi stopped" : "agentapi is not running");
}

// `stop` (run_on_stop): post the conversation to Coder as the task's log snapshot, then stop agentapi
// gracefully so it saves its state. A snapshot that fails is a warning: stopping matters more.
import type { RunContext } from "./context.ts";
import { agentapi, stopAgentapi } from "./agentapi.ts";
import { step, warn } from "./log.ts";

export const TRUNCATED = "[...earlier output truncated by codex-boot...]\n";

/**
 * The snapshot body: the last 10 messages, oldest dropped until the JSON fits 64 KiB; a lone message
 * too big keeps the tail of its content behind a marker. Codex's screen is 1190 lines of padding,
 * so trailing blanks go first — they carry nothing and would crowd out the text.
 */
export function snapshotBody(all: { content: string }[], max = 64 << 10): string | null {
  const messages = all.slice(-10).map((m) => ({ ...m, content: m.content.replace(/[ \t]+$/gm, "").trimEnd() }));
  const json = () => JSON.stringify({ messages });
  let tail: string | undefined;
  for (let over; (over = Buffer.byteLength(json()) - max) > 0 && tail !== ""; ) {
    if (messages[1]) messages.shift();
    else {
      // No UTF-16 unit takes more than 6 bytes in JSON (\u0001): cutting over/6 of them never cuts
      // more than needed, and the loop ends with the longest tail that fits (within 5 bytes).
      tail = (tail ?? messages[0]!.content).slice(Math.ceil(over / 6)).replace(/^[\udc00-\udfff]/, ""); // no half surrogate pair
      messages[0]!.content = TRUNCATED + tail;
    }
  }
  return messages[0] ? json() : null;
}

async function postSnapshot(url: string, { secrets, inputs }: RunContext) {
  const res = await agentapi(inputs.agentapi_port, "/messages");
  const body = snapshotBody((await res.json()).messages ?? []);
  if (!body) return;
  const post = await fetch(url, {
    method: "POST", body, signal: AbortSignal.timeout(10_000),
    headers: { "Coder-Session-Token": secrets.CODER_AGENT_TOKEN!, "Content-Type": "application/json" },
  });
  // 404: a Coder without the endpoint; nothing there keeps snapshots.
  if (post.status !== 204 && post.status !== 404) throw new Error(`Coder answered HTTP ${post.status}`);
  step(`task log snapshot: HTTP ${post.status}`);
}

/** Carries out plan.stop (stop-plan.ts). */
export async function runStop(ctx: RunContext): Promise<void> {
  const { snapshot, agentapi: { pid, pidFile } } = ctx.plan.stop!;
  if (snapshot.action === "post") await postSnapshot(snapshot.url!, ctx).catch((e) => warn(`task log snapshot not posted: ${e.message}`));
  await stopAgentapi(pid, pidFile);
  step(pid ? "agentapi stopped" : "agentapi is not running");
}

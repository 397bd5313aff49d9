// What the loopback Responses stub answers in the real-Coder tier: the shared workReply (a
// `[[run: cmd]]` prompt makes Codex run cmd), plus a REPORT-STATUS: prompt answered with a call of
// the Coder MCP server's coder_report_task (as test/integration/lifecycle.test.ts does), else chat.
import { workReply, type OutputItem, type RecordedRequest } from "../support/responses-stub.ts";

export const REPORT = "REPORT-STATUS:";
export const CHAT_REPLY = "Codex says: hello from the tier-5 stub";

type Item = { type: string; role?: string; content?: { text?: string }[] };

export const userTexts = (req: RecordedRequest): string[] =>
  ((req.json?.input ?? []) as Item[])
    .filter((i) => i.type === "message" && i.role === "user")
    .map((i) => (i.content ?? []).map((c) => c.text ?? "").join(""));
export const lastUserText = (req: RecordedRequest) => userTexts(req).at(-1) ?? "";

/** The output Codex sent back for tool calls (what a command printed, or why it failed). */
export const toolOutputs = (req: RecordedRequest): string[] =>
  ((req.json?.input ?? []) as { type: string; output?: unknown }[])
    .filter((i) => i.type === "function_call_output" || i.type === "custom_tool_call_output")
    .map((i) => (typeof i.output === "string" ? i.output : JSON.stringify(i.output)));

function reportOrChat(req: RecordedRequest, n: number): string | OutputItem[] {
  const text = lastUserText(req);
  const at = text.indexOf(REPORT);
  if (at < 0 || !req.body.includes('"mcp__Coder"')) return CHAT_REPLY;
  const summary = text.slice(at + REPORT.length).split("\n")[0]!.trim();
  const call_id = `call_report_${n}`;
  return [{ type: "function_call", id: `fc_report_${n}`, call_id, namespace: "mcp__Coder", name: "coder_report_task", arguments: JSON.stringify({ summary, link: "", state: "working" }) }];
}

export const reply = workReply(reportOrChat);

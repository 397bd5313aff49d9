// A loopback stand-in for an OpenAI Responses-API provider (OpenAI itself, or Coder's AI Bridge).
// It answers POST …/responses with the SSE events Codex needs to finish a turn and records every
// request, so a test can check what the real Codex sent: headers (auth) and body (instructions).
import { createServer, type IncomingHttpHeaders } from "node:http";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or null when it is not JSON. */
  json: any;
}

/** One output item of a response: an assistant message, or e.g. a function call built by a test. */
export type OutputItem = Record<string, unknown>;

/** What to answer to the nth (0-based) responses request: a text, or the output items to send. */
export type Reply = string | OutputItem[] | ((req: RecordedRequest, n: number) => string | OutputItem[]);

export interface ResponsesStub {
  /** Base URL without /v1, e.g. http://127.0.0.1:1234 (append /v1 for an OpenAI-style base_url). */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export const assistantMessage = (text: string, id = "msg_stub"): OutputItem => ({
  type: "message", role: "assistant", id, status: "completed",
  content: [{ type: "output_text", text, annotations: [] }],
});

const sse = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/** The SSE stream of one completed response holding the given output items. */
export function responseEvents(items: OutputItem[], id = "resp_stub"): string {
  return [
    sse("response.created", { response: { id } }),
    ...items.map((item, i) => sse("response.output_item.done", { output_index: i, item })),
    sse("response.completed", {
      response: {
        id,
        usage: {
          input_tokens: 10, input_tokens_details: { cached_tokens: 0 },
          output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15,
        },
      },
    }),
  ].join("");
}

/**
 * The model that does work: a user message holding `[[run: <sh command>]]` is answered with a tool
 * call that makes Codex run the command in the workspace, in whichever form the request offers
 * (the `exec_command` function, or code mode's `exec` tool); once the tool's output comes back the
 * turn ends with `done: <output>`. Anything else gets `fallback`. Tests then check the command's
 * effect on disk, so a Codex that cannot run tools fails them.
 */
export const RUN_MARK = /\[\[run: ([\s\S]*?)\]\]/;
export const workPrompt = (cmd: string, text = "Please do this in the workspace.") => `${text} [[run: ${cmd}]]`;

type Item = { type: string; role?: string; call_id?: string; content?: { text?: string }[]; output?: unknown };
const textOf = (i: Item) => (i.content ?? []).map((c) => c.text ?? "").join("");

export function workReply(fallback: Reply = "Codex says: hello from the stub"): (req: RecordedRequest, n: number) => string | OutputItem[] {
  return (req, n) => {
    const input = (req.json?.input ?? []) as Item[];
    const last = input.at(-1);
    if (last && /^(function|custom_tool)_call_output$/.test(last.type) && last.call_id?.startsWith("call_work_")) {
      const out = typeof last.output === "string" ? last.output : JSON.stringify(last.output);
      return `done: ${out}`;
    }
    const user = input.filter((i) => i.type === "message" && i.role === "user").map(textOf).at(-1) ?? "";
    const cmd = RUN_MARK.exec(user)?.[1];
    if (cmd === undefined) return typeof fallback === "function" ? fallback(req, n) : fallback;
    const call_id = `call_work_${n}_${Date.now()}`;
    const offersExecCommand = JSON.stringify(req.json?.tools ?? []).includes('"exec_command"');
    if (offersExecCommand) return [{ type: "function_call", id: `fc_${n}`, call_id, name: "exec_command", arguments: JSON.stringify({ cmd }) }];
    const js = `const r = await tools.exec_command({cmd: ${JSON.stringify(cmd)}}); text(r);`;
    return [{ type: "custom_tool_call", id: `ctc_${n}`, call_id, name: "exec", input: js }];
  };
}

export async function startResponsesStub(opts: { reply?: Reply } = {}): Promise<ResponsesStub> {
  const reply = opts.reply ?? "Codex says: hello from the stub";
  const requests: RecordedRequest[] = [];
  let answered = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      let json: any = null;
      try {
        json = JSON.parse(body);
      } catch {
        // recorded as text only
      }
      const rec: RecordedRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, json };
      requests.push(rec);
      if (req.method !== "POST" || !rec.url.split("?")[0]!.endsWith("/responses")) {
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"not stubbed"}}');
        return;
      }
      const r = typeof reply === "function" ? reply(rec, answered++) : reply;
      const items = typeof r === "string" ? [assistantMessage(r)] : r;
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.end(responseEvents(items));
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}

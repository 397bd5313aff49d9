// Stands in for `coder exp mcp server`: MCP over stdio (one JSON-RPC message per line) offering
// coder_report_task. Appends one JSON line per event to the file after --record.
import { appendFileSync } from "node:fs";
import { createInterface } from "node:readline";

const record = process.argv[process.argv.indexOf("--record") + 1];
const log = (entry) => appendFileSync(record, JSON.stringify({ pid: process.pid, ...entry }) + "\n");
const send = (msg) => process.stdout.write(JSON.stringify({ jsonrpc: "2.0", ...msg }) + "\n");

const TOOL = {
  name: "coder_report_task",
  description: "Report progress on your work to the user: a short summary, a link, and the state.",
  inputSchema: {
    type: "object",
    properties: {
      summary: { type: "string", description: "What you are doing or did, in a few words" },
      link: { type: "string", description: "A link to the result, if any" },
      state: { type: "string", enum: ["working", "complete", "failure"] },
    },
    required: ["summary", "link", "state"],
  },
};

// Which Coder settings reached the server (values of secrets are never recorded, only presence).
log({
  event: "start",
  args: process.argv.slice(process.argv.indexOf("--record") + 2),
  slug: process.env.CODER_MCP_APP_STATUS_SLUG ?? null,
  agentUrl: process.env.CODER_AGENT_URL ?? null,
  agentToken: process.env.CODER_AGENT_TOKEN ? "set" : null,
});

createInterface({ input: process.stdin }).on("line", (line) => {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    return;
  }
  const { id, method, params } = msg;
  if (method === "initialize") {
    send({ id, result: { protocolVersion: params?.protocolVersion ?? "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: "coder-stub", version: "0.0.0" } } });
  } else if (method === "tools/list") {
    send({ id, result: { tools: [TOOL] } });
  } else if (method === "tools/call") {
    log({ event: "call", name: params?.name, arguments: params?.arguments ?? null });
    send({ id, result: { content: [{ type: "text", text: "Task reported." }] } });
  } else if (id !== undefined && method !== undefined) {
    send({ id, error: { code: -32601, message: `method not found: ${method}` } });
  }
});

// A loopback stand-in for the Coder agent API: records task log-snapshot POSTs and answers 204,
// or 404 like a Coder release without the endpoint.
import { createServer, type IncomingHttpHeaders } from "node:http";

export interface SnapshotPost {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  bytes: number;
}

export interface AgentApiStub {
  url: string;
  posts: SnapshotPost[];
  /** Status for the next snapshot POSTs; 204 by default. */
  status: number;
  close(): Promise<void>;
}

export async function startAgentApiStub(status = 204): Promise<AgentApiStub> {
  const stub: AgentApiStub = { url: "", posts: [], status, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const url = req.url ?? "";
      if (req.method !== "POST" || !/^\/api\/v2\/workspaceagents\/me\/tasks\/[^/]+\/log-snapshot\?format=agentapi$/.test(url)) {
        res.writeHead(404).end("not stubbed");
        return;
      }
      stub.posts.push({ url, headers: req.headers, body: body.toString("utf8"), bytes: body.byteLength });
      res.writeHead(stub.status).end(stub.status === 204 ? undefined : '{"message":"Route not found."}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  stub.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  stub.close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections?.();
      server.close(() => ok());
    });
  return stub;
}

// `status [--json]`: what is installed, the config in force, the agentapi and the tracked session.
import { createHash } from "node:crypto";
import type { RunContext } from "./context.ts";
import { agentapi } from "./agentapi.ts";
import { readTextOrNull } from "./fsutil.ts";
import { out } from "./log.ts";

export async function runStatus(ctx: RunContext): Promise<void> {
  const { paths, state, launch } = ctx.facts;
  const port = ctx.inputs.agentapi_port;
  const pid = launch?.running ? launch.pid : null;
  let health = "not running";
  if (pid) {
    try {
      const res = await agentapi(port, "/status");
      health = res.ok ? `healthy, ${((await res.json()) as { status?: string }).status}` : `unhealthy: HTTP ${res.status}`;
    } catch (e) {
      health = `unhealthy: ${(e as Error).message}`;
    }
  }
  const config = readTextOrNull(paths.configToml);
  const status = {
    installed: Object.fromEntries(Object.entries(state.install ?? {}).map(([k, v]) => [k, v.version])),
    config: config && createHash("sha256").update(config).digest("hex"),
    agentapi: { pid, port, health, log: paths.agentapiLog },
    session: launch?.session?.id ?? null,
  };
  // One `key: value` line each for people; the same object as JSON for scripts.
  out(ctx.json ? JSON.stringify(status, null, 2) : Object.entries(status).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n"));
}

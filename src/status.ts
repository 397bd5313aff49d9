// `status [--json]`: what is installed, the config in force, the agentapi and the tracked session.
import type { RunContext } from "./context.ts";
import { agentapi } from "./agentapi.ts";
import { sha256 } from "./launch-plan.ts";
import { out } from "./log.ts";
import { describeSandbox } from "./sandbox-check.ts";

export async function runStatus(ctx: RunContext): Promise<void> {
  const { paths, state, launch } = ctx.facts;
  const port = ctx.inputs.agentapi_port;
  const pid = launch?.running ? launch.pid : null;
  const health = pid
    ? await agentapi(port, "/status").then(
        async (res) => (res.ok ? `healthy, ${(await res.json()).status}` : `unhealthy: HTTP ${res.status}`),
        (e) => `unhealthy: ${e.message}`,
      )
    : "not running";
  const config = ctx.facts.files.configToml;
  const status = {
    installed: Object.fromEntries(Object.entries(state.install ?? {}).map(([k, v]) => [k, v.version])),
    config: config && sha256(config),
    agentapi: { pid, port, health, log: paths.agentapiLog },
    session: launch?.session?.id ?? null,
    sandbox: describeSandbox(state.sandbox),
  };
  // One `key: value` line each for people; the same object as JSON for scripts.
  out(ctx.json ? JSON.stringify(status, null, 2) : Object.entries(status).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n"));
}

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
      health = res.ok ? `healthy (${((await res.json()) as { status?: string }).status})` : `unhealthy (GET /status answered ${res.status})`;
    } catch (e) {
      health = `unhealthy (${(e as Error).message})`;
    }
  }
  const config = readTextOrNull(paths.configToml);
  const status = {
    installed: Object.fromEntries(Object.entries(state.install ?? {}).map(([k, v]) => [k, v.version])),
    config: { path: paths.configToml, sha256: config === null ? null : createHash("sha256").update(config).digest("hex") },
    agentapi: { pid, port, health, log: paths.agentapiLog },
    session: state.launch?.sessionId ?? null,
  };
  out(
    ctx.json
      ? JSON.stringify(status, null, 2)
      : [
          `installed: ${Object.entries(status.installed).map(([k, v]) => `${k} ${v}`).join(", ") || "nothing recorded"}`,
          `config:    ${status.config.path} ${status.config.sha256 ? `sha256 ${status.config.sha256.slice(0, 12)}` : "(missing)"}`,
          `agentapi:  ${pid ? `pid ${pid}, ` : ""}port ${port}, ${health}; log ${status.agentapi.log}`,
          `session:   ${status.session ?? "none tracked"}`,
        ].join("\n"),
  );
}

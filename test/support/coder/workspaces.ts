// Workspaces, builds, agents and apps through the Coder API of a test deployment. Every wait
// fails with what Coder says (build logs, agent script logs), never only "timed out".
import type { Deployment } from "./deployment.ts";

export interface Workspace {
  id: string;
  name: string;
  latest_build: Build;
  latest_app_status?: { state: string; message: string; app_id: string } | null;
}
export interface Build {
  id: string;
  transition: string;
  status: string;
  job: { status: string; error?: string };
  resources: { agents?: Agent[] }[];
}
export interface Agent {
  id: string;
  name: string;
  status: string;
  lifecycle_state: string;
  apps: { id: string; slug: string; url?: string; health: string; subdomain: boolean; statuses?: { state: string; message: string; app_id: string }[] }[];
  scripts: { display_name: string; script: string; run_on_start: boolean; run_on_stop: boolean; exit_code?: number; status?: string; log_source_id: string }[];
}

export const agentOf = (w: Workspace): Agent | undefined => w.latest_build.resources.flatMap((r) => r.agents ?? [])[0];

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms: number, explain: () => Promise<string> = async () => ""): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(500)) {
    const v = await probe();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out after ${ms / 1000} s waiting for ${what}\n${await explain()}`);
}

export async function buildLogs(d: Deployment, buildId: string): Promise<string> {
  const logs = await d.api<{ stage: string; output: string }[]>("GET", `/api/v2/workspacebuilds/${buildId}/logs`);
  return logs.map((l) => `${l.stage}: ${l.output}`).join("\n");
}

/** Waits for a build's job to end; returns its status ("succeeded", "failed", …) and logs. */
export async function finishedBuild(d: Deployment, buildId: string, ms = 300_000): Promise<{ status: string; error: string; logs: string }> {
  const build = await until(`build ${buildId} to finish`, async () => {
    const b = await d.api<Build>("GET", `/api/v2/workspacebuilds/${buildId}`);
    return ["pending", "running", "canceling"].includes(b.job.status) ? undefined : b;
  }, ms, () => buildLogs(d, buildId));
  return { status: build.job.status, error: build.job.error ?? "", logs: await buildLogs(d, buildId) };
}

export async function mustSucceed(d: Deployment, buildId: string): Promise<void> {
  const b = await finishedBuild(d, buildId);
  if (b.status !== "succeeded") throw new Error(`workspace build ${b.status}: ${b.error}\n${b.logs}`);
}

export const workspace = (d: Deployment, id: string) => d.api<Workspace>("GET", `/api/v2/workspaces/${id}`);

export async function createWorkspace(d: Deployment, template: string, name: string, params: Record<string, string> = {}): Promise<Workspace> {
  const t = await d.api<{ id: string }>("GET", `/api/v2/organizations/default/templates/${template}`);
  return d.api<Workspace>("POST", "/api/v2/users/me/workspaces", {
    template_id: t.id,
    name,
    rich_parameter_values: Object.entries(params).map(([name, value]) => ({ name, value })),
  });
}

export async function transition(d: Deployment, id: string, to: "start" | "stop" | "delete"): Promise<Build> {
  return d.api<Build>("POST", `/api/v2/workspaces/${id}/builds`, { transition: to });
}

/** The agent's script logs, by script display name (what the dashboard shows under each script). */
export async function scriptLogs(d: Deployment, agent: Agent): Promise<Record<string, string>> {
  const full = await d.api<{ log_sources: { id: string; display_name: string }[] }>("GET", `/api/v2/workspaceagents/${agent.id}`);
  const logs = await d.api<{ source_id: string; output: string }[]>("GET", `/api/v2/workspaceagents/${agent.id}/logs`);
  const out: Record<string, string> = {};
  for (const s of full.log_sources) out[s.display_name] = logs.filter((l) => l.source_id === s.id).map((l) => l.output).join("\n");
  return out;
}

const explainAgent = (d: Deployment, id: string) => async () => {
  const w = await workspace(d, id);
  const a = agentOf(w);
  if (!a) return `no agent in the latest build (${w.latest_build.status})`;
  const logs = await scriptLogs(d, a).catch((e) => ({ error: String(e) }));
  return `agent ${a.status}/${a.lifecycle_state}, apps ${JSON.stringify(a.apps.map((x) => [x.slug, x.health]))}\n` +
    Object.entries(logs).map(([k, v]) => `--- ${k}\n${v.split("\n").slice(-30).join("\n")}`).join("\n");
};

/** Waits until the agent has run its start scripts. Fails at once on start_error / start_timeout. */
export async function readyAgent(d: Deployment, id: string, ms = 300_000): Promise<Agent> {
  return until("the agent to be ready (start scripts done)", async () => {
    const a = agentOf(await workspace(d, id));
    // Teardown checks that nothing listens on the ports the run used: note each app's port.
    for (const app of a?.apps ?? []) if (app.url) d.ports.add(Number(new URL(app.url).port));
    if (a && ["start_error", "start_timeout"].includes(a.lifecycle_state)) {
      throw new Error(`the agent's start scripts failed (${a.lifecycle_state})\n${await explainAgent(d, id)()}`);
    }
    return a?.lifecycle_state === "ready" ? a : undefined;
  }, ms, explainAgent(d, id));
}

export async function healthyApp(d: Deployment, id: string, slug: string, ms = 120_000) {
  return until(`the ${slug} app to be healthy`, async () => {
    const a = agentOf(await workspace(d, id));
    const app = a?.apps.find((x) => x.slug === slug);
    return app?.health === "healthy" ? app : undefined;
  }, ms, explainAgent(d, id));
}

/** A path-based app URL under coderd: /@owner/workspace.agent/apps/slug/… */
export const appPath = (d: Deployment, w: { name: string }, agent: string, slug: string, rest = "") =>
  `/@${d.owner}/${w.name}.${agent}/apps/${slug}/${rest}`;

/** fetch through coderd with the session token (what a signed-in browser does, by header). */
export function viaCoder(d: Deployment, path: string, init: RequestInit = {}): Promise<Response> {
  d.calls.push(`${init.method ?? "GET"} ${path.replace(/\/@[^/]+\/[^/]+\/apps\/([^/]+)\//, "/@{owner}/{ws}.{agent}/apps/$1/")}`);
  return fetch(d.url + path, { redirect: "manual", ...init, headers: { "Coder-Session-Token": d.token, ...(init.headers ?? {}) } });
}

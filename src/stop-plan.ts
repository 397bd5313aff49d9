// What `stop` will do, as data (the dry run prints it, runStop carries it out): post the chat as
// the task's log snapshot or not, and which agentapi to stop.
import type { Inputs, Secrets } from "./inputs.ts";
import type { Facts } from "./plan.ts";

export interface StopStep {
  snapshot: { action: "post" | "skip"; url: string | null; reason: string };
  agentapi: { action: "stop" | "none"; pid: number | null; pidFile: string; reason: string };
}

export const NO_AGENT_CREDENTIALS = "CODER_AGENT_URL or CODER_AGENT_TOKEN is not set";

/** warning: set when a task's snapshot cannot be posted (the stop itself still goes ahead). */
export function planStop(inputs: Inputs, secrets: Secrets, facts: Facts): { step: StopStep; warning?: string } {
  const pid = facts.launch?.running ? facts.launch.pid : null;
  const base = facts.env.CODER_AGENT_URL?.replace(/\/+$/, "");
  const url = base ? `${base}/api/v2/workspaceagents/me/tasks/${encodeURIComponent(inputs.task_id)}/log-snapshot?format=agentapi` : null;
  const skip = !pid
    ? "agentapi is not running"
    : !inputs.task_id
      ? "not a Coder task (task_id is empty)"
      : !inputs.task_log_snapshot
        ? "task_log_snapshot is false"
        : !url || !secrets.CODER_AGENT_TOKEN
          ? NO_AGENT_CREDENTIALS
          : null;
  const step: StopStep = {
    snapshot: skip ? { action: "skip", url: null, reason: skip } : { action: "post", url, reason: "the last 10 chat messages, at most 64 KiB" },
    agentapi: pid
      ? { action: "stop", pid, pidFile: facts.paths.agentapiPid, reason: "SIGTERM, SIGKILL after 15 s" }
      : { action: "none", pid: null, pidFile: facts.paths.agentapiPid, reason: facts.launch?.pid ? `stale pid file (pid ${facts.launch.pid} is not agentapi)` : "agentapi is not running" },
  };
  return skip === NO_AGENT_CREDENTIALS ? { step, warning: `task log snapshot not posted: ${skip}` } : { step };
}

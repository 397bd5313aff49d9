import { describe, expect, test } from "bun:test";
import { buildPlan } from "../../src/plan.ts";
import { defaults, type Secrets } from "../../src/inputs.ts";
import { renderPlan } from "../../src/log.ts";
import { factsFixture } from "../support/facts.ts";

const task = { ...defaults(), task_id: "7d6c5b4a-0000-4000-8000-000000000001" };
const running = { launch: { pid: 4242, running: true, session: null } };
const agentEnv = { env: { PATH: "/usr/bin", CODER_AGENT_URL: "https://coder.example/" } };
const token = { CODER_AGENT_TOKEN: "agent-token-stop-plan" };

describe("stop plan (what stop --dry-run shows)", () => {
  test("a running task: post the snapshot to the agent API, then stop that agentapi", () => {
    const plan = buildPlan("stop", task, token, factsFixture({ ...running, ...agentEnv }));
    expect(plan.stop).toEqual({
      snapshot: {
        action: "post",
        url: `https://coder.example/api/v2/workspaceagents/me/tasks/${task.task_id}/log-snapshot?format=agentapi`,
        reason: "the last 10 chat messages, at most 64 KiB",
      },
      agentapi: { action: "stop", pid: 4242, pidFile: "/home/coder/.codex-module/agentapi.pid", reason: "SIGTERM, SIGKILL after 15 s" },
    });
    expect(plan.warnings).toEqual([]);
    const text = renderPlan(plan);
    expect(text).toContain("post task log snapshot to https://coder.example/api/v2/");
    expect(text).toContain("stop agentapi pid 4242");
    expect(text).not.toContain(token.CODER_AGENT_TOKEN);
  });

  test("each reason not to post a snapshot is named", () => {
    const reason = (inputs = task, facts = factsFixture({ ...running, ...agentEnv }), secrets: Secrets = token) =>
      buildPlan("stop", inputs, secrets, facts).stop!.snapshot.reason;
    expect(reason(task, factsFixture(agentEnv))).toBe("agentapi is not running");
    expect(reason(defaults())).toBe("not a Coder task (task_id is empty)");
    expect(reason({ ...task, task_log_snapshot: false })).toBe("task_log_snapshot is false");
    expect(reason(task, factsFixture(running))).toBe("CODER_AGENT_URL or CODER_AGENT_TOKEN is not set");
    expect(reason(task, undefined, {})).toBe("CODER_AGENT_URL or CODER_AGENT_TOKEN is not set");
  });

  test("a task whose snapshot cannot be posted warns; agentapi is still stopped", () => {
    const plan = buildPlan("stop", task, {}, factsFixture(running));
    expect(plan.warnings).toEqual(["task log snapshot not posted: CODER_AGENT_URL or CODER_AGENT_TOKEN is not set"]);
    expect(plan.stop!.agentapi.action).toBe("stop");
  });

  test("nothing running: nothing to stop, a stale pid file is named and removed", () => {
    const plan = buildPlan("stop", task, token, factsFixture({ launch: { pid: 99, running: false, session: null } }));
    expect(plan.stop!.agentapi).toMatchObject({ action: "none", pid: null, reason: "stale pid file (pid 99 is not agentapi)" });
    expect(renderPlan(plan)).toContain("none agentapi, remove /home/coder/.codex-module/agentapi.pid");
  });

  test("only stop plans a stop", () => {
    for (const command of ["start", "install", "configure", "status"] as const) expect(buildPlan(command, task, token, factsFixture(running)).stop).toBeNull();
  });
});

// The agentapi command line. Pure: the prompt travels as one argv element, never through a shell.
import { join } from "node:path";
import type { Inputs } from "./inputs.ts";
import type { Facts, InstallStep, LaunchStep } from "./plan.ts";

export const TASK_PREAMBLE =
  "Complete the task at hand in one go. Every step of the way, report your progress using the coder_report_task tool with proper summary and statuses. Your task at hand: ";

export function codexArgs(inputs: Inputs, resumeId: string | null): string[] {
  if (inputs.continue && resumeId) return ["resume", resumeId];
  if (inputs.ai_prompt === "") return [];
  return [inputs.report_tasks ? TASK_PREAMBLE + inputs.ai_prompt : inputs.ai_prompt];
}

export function planLaunch(inputs: Inputs, facts: Facts, install: InstallStep[]): LaunchStep {
  const bin = (name: "codex" | "agentapi") => install.find((s) => s.name === name)?.dest ?? join(facts.paths.binDir, name);
  const workdir = inputs.workdir || facts.paths.home;
  const resumeId = facts.state.launch?.sessionId ?? null;
  const argv = [
    bin("agentapi"), "server", "--type", "codex",
    "--port", String(inputs.agentapi_port), "--term-width", "67", "--term-height", "1190",
    ...(inputs.enable_state_persistence ? ["--state-file", facts.paths.agentapiState] : []),
    "--pid-file", facts.paths.agentapiPid,
    "--", bin("codex"), ...codexArgs(inputs, resumeId),
  ];
  const env: Record<string, string> = { AGENTAPI_ALLOWED_HOSTS: "*", LANG: "C.UTF-8", LC_ALL: "C.UTF-8" };
  if (inputs.chat_base_path) env.AGENTAPI_CHAT_BASE_PATH = inputs.chat_base_path;
  return { action: "start", argv, cwd: workdir, env, reason: "no agentapi running" };
}

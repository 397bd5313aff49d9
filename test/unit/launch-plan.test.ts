import { describe, expect, test } from "bun:test";
import { defaults, type Inputs } from "../../src/inputs.ts";
import { buildPlan } from "../../src/plan.ts";
import { planLaunch, TASK_PREAMBLE, type LaunchFacts } from "../../src/launch-plan.ts";
import type { State } from "../../src/state.ts";
import { factsFixture } from "../support/facts.ts";

const base: Inputs = { ...defaults(), workdir: "/home/coder/project", report_tasks: false };
const nasty = `it's "quoted" $(touch /tmp/pwned) \`touch /tmp/pwned\`\nsecond line — ünïcødé 🚀`;
const session = { id: "01a212e8-78c5-73f3-9af1-e8ede908f776", file: "/home/coder/.codex/sessions/2026/11/25/rollout-x.jsonl" };

const plan = (inputs: Partial<Inputs> = {}, launch?: LaunchFacts, state: State = {}, secrets: string[] = []) =>
  planLaunch({ ...base, ...inputs }, factsFixture({ launch, state }), [], secrets);
const codexPart = (argv: string[]) => argv.slice(argv.indexOf("--") + 2);

describe("launch command line", () => {
  test("agentapi drives codex with the module's terminal size, port, pid file and state file", () => {
    const { argv, cwd, env } = plan({ agentapi_port: 4000 });
    expect(argv.slice(0, argv.indexOf("--") + 2)).toEqual([
      "/home/coder/.codex-module/bin/agentapi", "server", "--type", "codex", "--port", "4000", "--term-width", "67", "--term-height", "1190",
      "--state-file", "/home/coder/.codex-module/agentapi-state.json", "--pid-file", "/home/coder/.codex-module/agentapi.pid",
      "--", "/home/coder/.codex-module/bin/codex",
    ]);
    expect(cwd).toBe("/home/coder/project");
    expect(env).toEqual({ AGENTAPI_ALLOWED_HOSTS: "*", LANG: "C.UTF-8", LC_ALL: "C.UTF-8" });
  });

  test("without state persistence there is no --state-file; chat_base_path reaches the environment", () => {
    const step = plan({ enable_state_persistence: false, chat_base_path: "/@coder/ws.main/apps/codex/chat" });
    expect(step.argv).not.toContain("--state-file");
    expect(step.env.AGENTAPI_CHAT_BASE_PATH).toBe("/@coder/ws.main/apps/codex/chat");
  });

  test("codex runs without the app-server daemon when its --help offers --no-daemon, and before it is installed", () => {
    expect(codexPart(plan().argv)).toEqual(["--no-daemon"]);
    const help = (text: string) => planLaunch(base, factsFixture({ codexHelp: text }), []).argv;
    expect(codexPart(help("Usage: codex [OPTIONS] [PROMPT]\n      --no-daemon\n"))).toEqual(["--no-daemon"]);
  });

  test("an older Codex whose --help has no --no-daemon (e.g. 0.128) is started without it", () => {
    const step = planLaunch({ ...base, ai_prompt: "do it" }, factsFixture({ codexHelp: "Usage: codex [OPTIONS] [PROMPT]\n  -m, --model <MODEL>\n" }), []);
    expect(codexPart(step.argv)).toEqual(["--", "do it"]);
    expect(step.fingerprint).not.toBe(plan({ ai_prompt: "do it" }).fingerprint);
  });

  test("the prompt is one argv element, byte-exact, after `--`", () => {
    expect(codexPart(plan({ ai_prompt: nasty }).argv)).toEqual(["--no-daemon", "--", nasty]);
  });

  test("prompts that look like flags or subcommands stay text after `--`; Codex's own flags are unchanged", () => {
    for (const p of ["--version", "logout", "--dangerously-bypass-approvals-and-sandbox", "-c", "resume"]) {
      expect(codexPart(plan({ ai_prompt: p }).argv)).toEqual(["--no-daemon", "--", p]);
    }
  });

  test("with report_tasks the prompt is wrapped in the task preamble", () => {
    const [, , prompt] = codexPart(plan({ ai_prompt: nasty, report_tasks: true }).argv);
    expect(prompt).toBe(TASK_PREAMBLE + nasty);
    expect(prompt).toStartWith("Complete the task at hand in one go.");
  });

  test("binaries come from the install steps when they name other places", () => {
    const step = planLaunch(base, factsFixture(), [
      { name: "codex", version: "existing", source: "existing", url: null, dest: "/usr/bin/codex", action: "use-existing", sha256: null, reason: "" },
      { name: "agentapi", version: "existing", source: "existing", url: null, dest: "/opt/agentapi", action: "use-existing", sha256: null, reason: "" },
    ]);
    expect(step.argv[0]).toBe("/opt/agentapi");
    expect(step.argv[step.argv.indexOf("--") + 1]).toBe("/usr/bin/codex");
  });
});

describe("session continuity", () => {
  const stopped: LaunchFacts = { pid: null, running: false, session };

  test("continue resumes the tracked session instead of sending the prompt again", () => {
    const step = plan({ continue: true, ai_prompt: "do it" }, stopped);
    expect(codexPart(step.argv)).toEqual(["--no-daemon", "resume", session.id]);
    expect(step.reason).toContain(session.id);
  });

  test("continue = false always starts fresh with the prompt", () => {
    expect(codexPart(plan({ continue: false, ai_prompt: "do it" }, stopped).argv)).toEqual(["--no-daemon", "--", "do it"]);
  });

  test("without a session to resume, continue starts fresh", () => {
    expect(codexPart(plan({ continue: true, ai_prompt: "do it" }, { ...stopped, session: null }).argv)).toEqual(["--no-daemon", "--", "do it"]);
  });
});

describe("start, keep or restart", () => {
  const fp = plan().fingerprint;
  const running: LaunchFacts = { pid: 4242, running: true, session: null };

  test("nothing running: start", () => {
    expect(plan().action).toBe("start");
    expect(plan().reason).toBe("agentapi is not running");
  });

  test("a pid file whose pid is not agentapi is stale: start, and say so", () => {
    const step = plan({}, { pid: 77, running: false, session: null }, { launch: { fingerprint: fp, startedAt: 1 } });
    expect(step.action).toBe("start");
    expect(step.reason).toBe("stale pid file (pid 77 is not agentapi)");
  });

  test("running with the same fingerprint: keep", () => {
    const step = plan({}, running, { launch: { fingerprint: fp, startedAt: 1 } });
    expect(step.action).toBe("keep");
    expect(step.reason).toBe("inputs unchanged");
  });

  test("running with another fingerprint: restart", () => {
    expect(plan({ codex_model: "other-model" }, running, { launch: { fingerprint: fp, startedAt: 1 } }).action).toBe("restart");
  });

  test("the fingerprint changes with any input, the port, and which secrets are set", () => {
    const others = [
      plan({ ai_prompt: "x" }), plan({ agentapi_port: 4001 }), plan({ codex_system_prompt: "y" }),
      plan({ chat_base_path: "/chat" }), plan({}, undefined, {}, ["OPENAI_API_KEY"]),
    ].map((s) => s.fingerprint);
    expect(new Set([fp, ...others]).size).toBe(others.length + 1);
  });

  test("the fingerprint ignores a session to resume and the state of the process", () => {
    expect(plan({}, { pid: 1, running: true, session }).fingerprint).toBe(fp);
    expect(plan({}, { pid: null, running: false, session }).fingerprint).toBe(fp);
  });

  test("keeping a running agentapi resumes nothing: its argv is what it was started with", () => {
    const step = plan({ continue: true }, { ...running, session }, { launch: { fingerprint: fp, startedAt: 1 } });
    expect(step.action).toBe("keep");
    expect(step.reason).not.toContain("continues session");
  });

  test("the plan of a start carries the fingerprint: which secrets are set counts, not their values", () => {
    const withKey = (key?: string) => buildPlan("start", base, key ? { OPENAI_API_KEY: key } : {}, factsFixture()).launch!.fingerprint;
    expect(withKey("sk-one-value")).toMatch(/^[0-9a-f]{64}$/);
    expect(withKey("sk-one-value")).toBe(withKey("sk-another-value"));
    expect(withKey("sk-one-value")).not.toBe(withKey());
  });
});

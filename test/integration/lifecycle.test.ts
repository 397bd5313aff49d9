// Launch and lifecycle end to end: the built bundle under real Bun and real Deno starts the real
// AgentAPI driving the real Codex, which talks to a loopback Responses stub; `stop` posts to a
// loopback Coder agent API; a stub `coder` MCP server records coder_report_task calls.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { tools, type Runtime } from "../support/tools.ts";
import { startResponsesStub, workPrompt, workReply, type RecordedRequest, type ResponsesStub } from "../support/responses-stub.ts";
import { runAsync, b64config } from "../support/sandbox.ts";
import { runtimeArgv } from "../support/tools.ts";
import { startAgentApiStub, type AgentApiStub } from "../support/agent-api-stub.ts";
import { AGENT_TOKEN, AIBRIDGE_TOKEN, chat, launchSandbox, processesWith, until, type LaunchSandbox } from "../support/launch-sandbox.ts";
import { TASK_PREAMBLE } from "../../src/launch-plan.ts";
import { LOG_CAP } from "../../src/launch.ts";

const SYSTEM = "Lifecycle test system prompt: SYSTEM-MARKER-5e1f. Start every response with `Codex says:`";
const REPORT = { summary: "Reporting from the stub", link: "", state: "working" };

const userTexts = (req: RecordedRequest): string[] =>
  ((req.json?.input ?? []) as { type: string; role?: string; content?: { text?: string }[] }[])
    .filter((i) => i.type === "message" && i.role === "user")
    .map((i) => (i.content ?? []).map((c) => c.text ?? "").join(""));
const lastUserText = (req: RecordedRequest) => userTexts(req).at(-1) ?? "";

/** The model: multiplies, calls coder_report_task for a task prompt, and otherwise says hello. */
function reply(req: RecordedRequest): string | Record<string, unknown>[] {
  const input = (req.json?.input ?? []) as { type: string }[];
  if (input.some((i) => i.type === "function_call_output")) return "Codex says: progress reported";
  const last = lastUserText(req);
  if (last.startsWith(TASK_PREAMBLE) && req.body.includes('"mcp__Coder"')) {
    const call_id = `call_report_${/TASK-(\w+)/.exec(last)?.[1]}`;
    return [{ type: "function_call", id: "fc_report", call_id, namespace: "mcp__Coder", name: "coder_report_task", arguments: JSON.stringify(REPORT) }];
  }
  const m = /^What is (\d+) times (\d+)\?$/.exec(last);
  return m ? `Codex says: ${Number(m[1]) * Number(m[2])}` : "Codex says: hello from the stub";
}

/** Alive and not a zombie: a stopped agentapi is reparented to pid 1, which may reap it late. */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
};

let stub: ResponsesStub;
let agent: AgentApiStub;
const boxes: LaunchSandbox[] = [];
const box = async (inputs: Record<string, unknown> = {}) => {
  const ls = await launchSandbox({ responsesUrl: stub.url, agentUrl: agent.url, inputs: { codex_system_prompt: SYSTEM, ...inputs } });
  boxes.push(ls);
  return ls;
};
const turn = (content: string) => stub.requests.find((r) => lastUserText(r) === content);

beforeAll(async () => {
  tools();
  if (!existsSync(join(import.meta.dir, "../../dist/codex-boot.js"))) throw new Error("dist/codex-boot.js is missing: run `bun run build`");
  stub = await startResponsesStub({ reply: workReply((req) => reply(req)) });
  agent = await startAgentApiStub();
});
afterAll(async () => {
  for (const b of boxes) b.cleanup();
  await stub.close();
  await agent.close();
});

for (const runtime of ["bun", "deno"] as Runtime[]) {
  describe(`under ${runtime}`, () => {
    let ls: LaunchSandbox;
    beforeAll(async () => {
      ls = await box();
    }, 30_000);

    test("start returns once GET /status is healthy; a user message reaches Codex with the AGENTS.md prompt, and its reply comes back", async () => {
      const r = await ls.run(runtime, "start");
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect((await ls.api("/status")).status).toBe(200); // healthy the moment start returned
      const pid = ls.pidFile()!;
      expect(r.stdout).toContain(`agentapi ready on port ${ls.port}`);
      expect(ls.agentapis()).toEqual([pid]);

      await chat(ls, "What is 6 times 7?", "Codex says: 42");
      const req = turn("What is 6 times 7?")!;
      expect(req.body).toContain("SYSTEM-MARKER-5e1f");
      expect(req.headers.authorization).toBe(`Bearer ${AIBRIDGE_TOKEN}`);

      const status = JSON.parse((await ls.run(runtime, "status", {}, ["--json"])).stdout);
      expect(status.agentapi).toMatchObject({ pid, port: ls.port });
      expect(status.agentapi.health).toStartWith("healthy");
    }, 90_000);

    test("start again keeps the running agentapi (same pid); a changed input restarts it exactly once", async () => {
      const first = ls.pidFile()!;
      const again = await ls.run(runtime, "start");
      expect(again.code).toBe(0);
      expect(again.stdout).toContain(`kept agentapi (pid ${first}): healthy, inputs unchanged`);
      expect(ls.agentapis()).toEqual([first]);

      const changed = await ls.run(runtime, "start", { codex_model: "gpt-changed-model" });
      expect(changed.code).toBe(0);
      expect(changed.stdout).toContain(`stopping agentapi (pid ${first}): inputs changed`);
      const second = ls.pidFile()!;
      expect(second).not.toBe(first);
      expect(alive(first)).toBe(false);
      expect(ls.agentapis()).toEqual([second]);

      const same = await ls.run(runtime, "start", { codex_model: "gpt-changed-model" });
      expect(same.stdout).toContain("kept");
      expect(ls.agentapis()).toEqual([second]);
    }, 90_000);

    test("stop posts the task log snapshot (<= 10 messages, <= 64 KiB, agent token header) and leaves no agentapi", async () => {
      const pid = ls.pidFile()!;
      const before = agent.posts.length;
      const r = await ls.run(runtime, "stop", { task_id: `task-${runtime}` });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(agent.posts.length).toBe(before + 1);
      const post = agent.posts.at(-1)!;
      expect(post.url).toBe(`/api/v2/workspaceagents/me/tasks/task-${runtime}/log-snapshot?format=agentapi`);
      expect(post.headers["coder-session-token"]).toBe(AGENT_TOKEN);
      expect(post.bytes).toBeLessThanOrEqual(65536);
      const { messages } = JSON.parse(post.body) as { messages: { role: string; content: string }[] };
      expect(messages.length).toBeGreaterThan(0);
      expect(messages.length).toBeLessThanOrEqual(10);
      expect(messages.some((m) => m.role === "agent" && m.content.includes("Codex says: 42"))).toBe(true);
      expect(r.stdout + r.stderr).not.toContain(AGENT_TOKEN);

      expect(alive(pid)).toBe(false);
      expect(ls.agentapis()).toEqual([]);
      expect(ls.pidFile()).toBeNull();
      const status = JSON.parse((await ls.run(runtime, "status", {}, ["--json"])).stdout);
      expect(status.agentapi).toMatchObject({ pid: null, health: "not running" });
      expect(status.session).toMatch(/^[0-9a-f-]{36}$/); // the session Codex wrote, for continue
    }, 90_000);

    test("start with continue = true resumes the captured session: the model sees the earlier conversation", async () => {
      const sessionId = JSON.parse((await ls.run(runtime, "status", {}, ["--json"])).stdout).session;
      const r = await ls.run(runtime, "start");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`continues session ${sessionId}`);
      await chat(ls, "What is 7 times 8?", "Codex says: 56");
      const texts = userTexts(turn("What is 7 times 8?")!);
      expect(texts).toContain("What is 6 times 7?");
      expect(turn("What is 7 times 8?")!.body).toContain("Codex says: 42");
    }, 90_000);

    test("a 404 from the log-snapshot endpoint is not an error; continue = false starts fresh", async () => {
      agent.status = 404;
      try {
        const stop = await ls.run(runtime, "stop", { task_id: `task-${runtime}` });
        expect(stop.stderr).toBe("");
        expect(stop.code).toBe(0);
        expect(stop.stdout).toContain("task log snapshot: HTTP 404");
        expect(ls.agentapis()).toEqual([]);
      } finally {
        agent.status = 204;
      }
      const r = await ls.run(runtime, "start", { continue: false });
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain("continues session");
      await chat(ls, "What is 8 times 9?", "Codex says: 72");
      const texts = userTexts(turn("What is 8 times 9?")!);
      expect(texts).not.toContain("What is 6 times 7?");
      expect(texts).not.toContain("What is 7 times 8?");
    }, 90_000);

    test("Codex does the work: a prompt that asks for a command makes Codex run it in the workdir, and the file appears", async () => {
      const file = `proof-${runtime}.txt`;
      const content = `made by codex under ${runtime}: it's "quoted" ünïcødé`;
      await chat(ls, workPrompt(`printf '%s' '${content.replace(/'/g, `'\\''`)}' > ${file}`), "done:");
      expect(readFileSync(join(ls.work, file), "utf8")).toBe(content);
    }, 90_000);

    test("prompts that look like Codex flags or subcommands reach the model as text; Codex's flags are unchanged", async () => {
      const flagBox = await box();
      // A login that a "logout" subcommand would delete.
      const auth = join(flagBox.sb.home, ".codex/auth.json");
      mkdirSync(join(auth, ".."), { recursive: true });
      writeFileSync(auth, JSON.stringify({ auth_mode: "apikey", OPENAI_API_KEY: "sk-test-flags-123456789" }), { mode: 0o600 });
      for (const prompt of ["--version", "logout", "--dangerously-bypass-approvals-and-sandbox"]) {
        const r = await flagBox.run(runtime, "start", { ai_prompt: prompt, continue: false });
        expect(r.code).toBe(0);
        const req = await until(`the prompt ${prompt} at the stub`, () => stub.requests.find((q) => q.body.includes(flagBox.work) && lastUserText(q) === prompt));
        expect(lastUserText(req)).toBe(prompt);
        const codex = processesWith(flagBox.sb.root).map((p) => readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").slice(0, -1)).find((a) => a[0]?.endsWith("/codex"));
        expect(codex).toEqual([join(flagBox.sb.root, "bin/codex"), "--no-daemon", "--", prompt]);
        expect(existsSync(join(flagBox.sb.home, ".codex/auth.json"))).toBe(true); // "logout" logged nothing out
        expect((await flagBox.run(runtime, "stop")).code).toBe(0);
      }
    }, 180_000);

    test("a workspace without user namespaces gets one sandbox warning naming the fix, in the boot log and in status; the sandbox is not weakened", async () => {
      const ns = await box();
      const env = { ...ns.env, CODEX_BOOT_CONFIG: b64config(ns.inputs) };
      // Like a container under Docker's default seccomp profile: no unshare, no clone(CLONE_NEWUSER).
      const r = await runAsync([tools().noUserns, ...runtimeArgv(runtime), "start"], { env, cwd: ns.sb.home, timeoutMs: 90_000 });
      expect(r.code).toBe(0);
      const warnings = r.stderr.split("\n").filter((l) => l.includes("sandbox"));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("codex-boot: warning: Codex's sandbox does not work here (bwrap: No permissions to create a new namespace");
      expect(warnings[0]).toContain('set sandbox_mode = "danger-full-access" in base_config_toml');
      const status = JSON.parse((await ns.run(runtime, "status", {}, ["--json"])).stdout);
      expect(status.sandbox).toStartWith("does not work here (bwrap: No permissions to create a new namespace");
      expect(readFileSync(join(ns.sb.home, ".codex/config.toml"), "utf8")).toContain('sandbox_mode = "workspace-write"');
      // A start that keeps that agentapi reports the recorded result again rather than checking anew
      // (here a new check, outside the seccomp runner, would wrongly say it works).
      const kept = await ns.run(runtime, "start");
      expect(kept.stdout).toContain("kept agentapi (pid ");
      expect(kept.stderr).toBe(warnings[0] + "\n");
      // The warning is true: in such a workspace the command Codex runs fails, and no file appears.
      const messages = await chat(ns, workPrompt("printf ok > ns-proof.txt"), "done:");
      expect(messages.at(-1)!.content).toMatch(/bubblewrap|namespace|sandbox/i);
      expect(existsSync(join(ns.work, "ns-proof.txt"))).toBe(false);
      expect((await ns.run(runtime, "stop")).code).toBe(0);

      // The same workspace with user namespaces; a failing bwrap first on PATH does not break
      // Codex's sandbox (it falls back to the package's own bwrap), and the check says so.
      writeFileSync(join(ns.sb.root, "bin/bwrap"), "#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n", { mode: 0o755 });
      const ok = await ns.run(runtime, "start");
      expect(ok.code).toBe(0);
      expect(ok.stderr).not.toContain("sandbox");
      expect(ok.stdout).toContain("Codex's sandbox works (sandbox_mode = workspace-write)");
      expect(JSON.parse((await ns.run(runtime, "status", {}, ["--json"])).stdout).sandbox).toBe("works (sandbox_mode = workspace-write)");
      // And it is right: with that bwrap first on PATH, the command Codex runs still works.
      // (The resumed session already shows an earlier "done:", so wait for this command's own output.)
      await chat(ns, workPrompt('printf ok > bwrap-proof.txt && echo "bwrap-proof-$((40 + 2))"'), "bwrap-proof-42");
      expect(readFileSync(join(ns.work, "bwrap-proof.txt"), "utf8")).toBe("ok");
    }, 180_000);

    describe("a task prompt with report_tasks", () => {
      let task: LaunchSandbox;
      let prompt: string;
      beforeAll(async () => {
        task = await box({ report_tasks: true });
        const pwned = join(task.sb.root, "pwned");
        prompt = `TASK-${runtime}: fix it's "quoted" thing $(touch ${pwned}) and \`touch ${pwned}-tick\`\nsecond line — ünïcødé 🚀 $HOME`;
        const r = await task.run(runtime, "start", { ai_prompt: prompt });
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
      }, 90_000);

      test("reaches the model byte-exact, wrapped in the task preamble, and runs no shell", async () => {
        const req = await until("the task prompt at the stub", () => turn(TASK_PREAMBLE + prompt));
        expect(lastUserText(req)).toBe(TASK_PREAMBLE + prompt);
        expect(existsSync(join(task.sb.root, "pwned"))).toBe(false);
        expect(existsSync(join(task.sb.root, "pwned-tick"))).toBe(false);
      }, 60_000);

      test("Codex's coder_report_task call reaches the coder MCP server", async () => {
        // Codex sends the tool's result back to the model: that is where a refused call shows why.
        const result = await until("Codex's result of the coder_report_task call", () =>
          stub.requests
            .flatMap((r) => (r.json?.input ?? []) as { type: string; call_id?: string; output?: unknown }[])
            .find((i) => i.type === "function_call_output" && i.call_id === `call_report_${runtime}`),
        );
        expect(JSON.stringify(result.output)).toContain("Task reported.");
        const call = task.coderCalls().find((c) => c.event === "call" && c.name === "coder_report_task")!;
        expect(call.arguments).toEqual(REPORT);
        const started = task.coderCalls().find((c) => c.event === "start")!;
        expect(started.args).toEqual(["exp", "mcp", "server"]);
        expect(started.agentToken).toBe("set"); // forwarded through env_vars, never written down
      }, 60_000);
    });

    test("10 concurrent starts in one HOME leave exactly one agentapi", async () => {
      const many = await box();
      const runs = await Promise.all(Array.from({ length: 10 }, () => many.run(runtime, "start")));
      expect(runs.map((r) => r.code)).toEqual(Array(10).fill(0));
      expect(runs.filter((r) => r.stdout.includes("started agentapi"))).toHaveLength(1);
      expect(runs.filter((r) => r.stdout.includes("kept agentapi (pid "))).toHaveLength(9);
      expect(many.agentapis()).toEqual([many.pidFile()!]);
      expect(existsSync(join(many.sb.home, ".codex-module/boot.lock"))).toBe(false);
    }, 120_000);

    test("a port already taken fails readiness: exit 1 with the agentapi log tail and what to check", async () => {
      const taken = await box({ ready_timeout_seconds: 20 });
      const holder = createServer().listen(taken.port);
      await new Promise((ok) => holder.once("listening", ok));
      try {
        const r = await taken.run(runtime, "start");
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`codex-boot: agentapi did not become ready on port ${taken.port}: agentapi exited (1)`);
        expect(r.stderr).toContain("agentapi_port");
        expect(r.stderr).toContain("address already in use"); // from the log tail
        expect(taken.agentapis()).toEqual([]);
      } finally {
        holder.close();
      }
    }, 60_000);

    test("an agentapi that never answers times out after ready_timeout_seconds: exit 1, stopped, with the log tail", async () => {
      const slow = await box({ ready_timeout_seconds: 1 });
      const fake = join(slow.sb.root, "bin/agentapi");
      rmSync(fake);
      writeFileSync(fake, `#!/bin/sh\necho "fake agentapi: never listens"\nexec ${tools().bun} -e "setInterval(() => {}, 1000)" -- "$0"\n`, { mode: 0o755 });
      const t0 = Date.now();
      const r = await slow.run(runtime, "start");
      expect(r.code).toBe(1);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(r.stderr).toContain(`agentapi did not become ready on port ${slow.port}: not healthy within 1 s`);
      expect(r.stderr).toContain("fake agentapi: never listens");
      expect(r.stderr).toContain("ready_timeout_seconds");
      expect(slow.agentapis()).toEqual([]); // the fake's command line holds its path: it was stopped
    }, 60_000);

    test("a snapshot that cannot be posted is a warning: stop still stops agentapi", async () => {
      const offline = await launchSandbox({ responsesUrl: stub.url }); // no CODER_AGENT_URL / token
      boxes.push(offline);
      expect((await offline.run(runtime, "start")).code).toBe(0);
      const r = await offline.run(runtime, "stop", { task_id: "task-offline" });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("task log snapshot not posted: CODER_AGENT_URL or CODER_AGENT_TOKEN is not set");
      expect(offline.agentapis()).toEqual([]);
    }, 60_000);

    test("start moves an agentapi.log past its cap to agentapi.log.1 and begins a new one; a log under the cap is kept", async () => {
      const logged = await box();
      const mod = join(logged.sb.home, ".codex-module");
      const log = join(mod, "agentapi.log");
      mkdirSync(mod, { recursive: true });
      const old = Buffer.alloc(LOG_CAP + 1, "output of an earlier agentapi\n");
      writeFileSync(log, old);
      expect((await logged.run(runtime, "start")).code).toBe(0);
      const logs = () => readdirSync(mod).filter((f) => f.startsWith("agentapi.log")).sort();
      expect(logs()).toEqual(["agentapi.log", "agentapi.log.1"]);
      expect(readFileSync(`${log}.1`).equals(old)).toBe(true);
      const fresh = readFileSync(log, "utf8");
      expect(fresh).not.toContain("output of an earlier agentapi");
      expect(fresh).toContain(`${logged.port}`); // this agentapi's own output

      expect((await logged.run(runtime, "stop")).code).toBe(0);
      expect((await logged.run(runtime, "start")).code).toBe(0);
      expect(readFileSync(log, "utf8")).toStartWith(fresh);
      expect(logs()).toEqual(["agentapi.log", "agentapi.log.1"]);
      expect(readFileSync(`${log}.1`).equals(old)).toBe(true);
    }, 90_000);

    test("a stale pid file naming another live process is replaced, and that process is left alone", async () => {
      const stale = await box();
      const bystander = spawn("sleep", ["60"], { stdio: "ignore" });
      try {
        mkdirSync(join(stale.sb.home, ".codex-module"), { recursive: true });
        writeFileSync(join(stale.sb.home, ".codex-module/agentapi.pid"), `${bystander.pid}\n`);
        const r = await stale.run(runtime, "start");
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`stale pid file (pid ${bystander.pid} is not agentapi)`);
        expect(alive(bystander.pid!)).toBe(true);
        expect(stale.pidFile()).not.toBe(bystander.pid!);
        expect(stale.agentapis()).toEqual([stale.pidFile()!]);
      } finally {
        bystander.kill("SIGKILL");
      }
    }, 60_000);
  });
}

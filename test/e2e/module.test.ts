// End to end: `terraform apply` of the module with the real coder provider, then the rendered
// coder_scripts run with sh in a sandbox HOME with a Coder-like environment. Real Bun / Deno, real
// AgentAPI driving real Codex against a loopback Responses stub; loopback GitHub-layout mirror and
// npm-like registry with real artifacts; loopback Coder agent API and a stub `coder` MCP server.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { SCHEMA } from "../../src/inputs.ts";
import { tools } from "../support/tools.ts";
import { PINS } from "../support/versions.ts";
import { findSecrets, makeSandbox, runAsync, type Sandbox } from "../support/sandbox.ts";
import { applyModule, initModule } from "../support/terraform.ts";
import { serveCodexNpm, serveGithubReleases, startMirror, type Mirror } from "../support/mirror.ts";
import { startResponsesStub, workPrompt, workReply, type ResponsesStub } from "../support/responses-stub.ts";
import { startAgentApiStub, type AgentApiStub } from "../support/agent-api-stub.ts";
import { serveBun } from "./bun-mirror.ts";
import { cleanupWorkspaces, inputsOf, must, runScript, workspace } from "./workspace.ts";

// Plain, so that a copy on disk is found even where a shell would have escaped it.
const KEY = "sk-test-E2E-0123456789abcdef";
const AGENT_TOKEN = "agent-token-E2E-5150";
const SESSION_TOKEN = "session-token-E2E-7777";
const TASK_ID = randomUUID();
const REPLY = "Codex says: e2e reply from the Responses stub";
const TIMEOUT = 240_000;

// What a shell would trip over, plus unicode: each must arrive byte for byte (and create no file).
const tricky = (tag: string) => `'single' "double" $(touch pwned-${tag}) \`touch pwned-${tag}\` \${HOME}\nline two ✓ ünï 日本 🚀`;
const PWNED = (dirs: string[]) => dirs.flatMap((d) => ["workdir", "prompt", "system"].map((t) => join(d, `pwned-${t}`))).filter(existsSync);

let mirror: Mirror;
let responses: ResponsesStub;
let agent: AgentApiStub;
let tfDir: Sandbox;
let bun: ReturnType<typeof serveBun>;

beforeAll(async () => {
  tools(); // fail loudly (not skip) when the setup has not run
  [mirror, responses, agent] = await Promise.all([startMirror(), startResponsesStub({ reply: workReply(REPLY) }), startAgentApiStub()]);
  serveGithubReleases(mirror);
  serveCodexNpm(mirror);
  bun = serveBun(mirror);
  tfDir = makeSandbox("codex-boot-tf-");
  await initModule(tfDir.root);
}, TIMEOUT);

afterAll(async () => {
  await Promise.all([mirror?.close(), responses?.close(), agent?.close()]);
  tfDir?.cleanup();
});

afterEach(cleanupWorkspaces);

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer().once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 90_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await Bun.sleep(250)) {
    const v = await probe();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
}

/** Every string inside a JSON value (to find a text wherever Codex put it in a request). */
const strings = (v: unknown): string[] =>
  typeof v === "string" ? [v] : v && typeof v === "object" ? Object.values(v).flatMap(strings) : [];

interface Case {
  name: string;
  runtime: "bun" | "deno" | null;
  vars: () => Record<string, unknown>;
  /** The runtime the start output names, given the sandbox root and HOME. */
  ran: (root: string, home: string) => string;
  /** Where the stub downloads Bun from. */
  installedFrom?: () => string;
  /** Through AI Bridge (the deployment's access URL is the Responses stub) instead of an API key. */
  aibridge?: boolean;
}

const CASES: Case[] = [
  { name: "only Bun on PATH", runtime: "bun", vars: () => ({}), ran: (root) => `${root}/runtime/bun` },
  { name: "only Deno on PATH", runtime: "deno", vars: () => ({}), ran: (root) => `${root}/runtime/deno` },
  {
    name: "no bun, deno or node: Bun from the npm registry (Codex from npm too)",
    runtime: null,
    vars: () => ({ npm_registry_url: `${mirror.url}/`, codex_install_source: "npm" }),
    ran: (_, home) => `${home}/.codex-module/runtime/bun`,
    installedFrom: () => bun.npm,
  },
  {
    name: "no bun, deno or node: Bun from the GitHub-layout mirror's release zip",
    runtime: null,
    vars: () => ({}),
    ran: (_, home) => `${home}/.codex-module/runtime/bun`,
    installedFrom: () => bun.zip,
  },
  { name: "AI Bridge with Bun on PATH", runtime: "bun", vars: () => ({}), ran: (root) => `${root}/runtime/bun`, aibridge: true },
];

describe("the module applied with the real coder provider, its scripts run with sh", () => {
  test("the rendered start coder_script fits in 40 KiB and hands the program only schema keys, no secret", async () => {
    const defaults = await applyModule(tfDir.root, { agent_id: "agent-1", workdir: "/home/coder/project", openai_api_key: KEY });
    const start = defaults.script("start");
    const bytes = Buffer.byteLength(start);
    // The sizes to quote come from test/e2e/readme-sizes.test.ts (the bench's configurations), not from here.
    const inputs = inputsOf(start);
    expect(Object.keys(inputs).filter((k) => !(k in SCHEMA))).toEqual([]);
    // Tuning knobs keep their defaults; every other input the program knows is set by the module.
    expect(Object.keys(SCHEMA).filter((k) => !(k in inputs) && !k.endsWith("_timeout_seconds"))).toEqual([]);
    for (const text of [start, defaults.script("stop"), JSON.stringify(inputs)]) expect(text).not.toContain(KEY);
    expect(defaults.env.OPENAI_API_KEY).toBe(KEY);
    expect(defaults.outputs.task_app_id).toBe(defaults.resources.find((r) => r.type === "coder_app" && r.name === "web")!.values.id);
    expect(bytes).toBeLessThanOrEqual(40 * 1024);
  }, TIMEOUT);

  for (const c of CASES) {
    test(`${c.name}: AgentAPI healthy, the task prompt makes Codex run a command whose file appears, stop snapshots and stops`, async () => {
      const { box, path, mcpCalls } = workspace(c.runtime);
      const port = await freePort();
      const workdir = join(box.root, tricky("workdir"));
      // The task asks for work: the stub answers with a tool call, so the file appears only if the
      // installed Codex can run commands in its sandbox (the bare binary could not).
      const proof = `made by codex: ${c.name.replace(/[^\w ,:]/g, "")}`;
      const prompt = workPrompt(`printf '%s' '${proof}' > proof.txt`, tricky("prompt"));
      const system = tricky("system");
      // Codex's own update check would leave the machine: off. The API-key cases route the
      // OpenAI provider to the stub; AI Bridge gets its URL from the module (the access URL).
      const toml = ['sandbox_mode = "workspace-write"', 'approval_policy = "never"', "check_for_update_on_startup = false"];
      const applied = await applyModule(tfDir.root, {
        agent_id: "agent-1",
        workdir,
        ...(c.aibridge ? { enable_aibridge: true } : { openai_api_key: KEY }),
        ai_prompt: prompt,
        codex_system_prompt: system,
        agentapi_port: port,
        github_url: mirror.url,
        codex_version: PINS.codex,
        agentapi_version: `v${PINS.agentapi}`,
        base_config_toml: (c.aibridge ? toml : [
          ...toml,
          'model_provider = "e2e"',
          "[model_providers.e2e]",
          'name = "e2e Responses stub"',
          `base_url = "${responses.url}/v1"`,
          'env_key = "OPENAI_API_KEY"',
          'wire_api = "responses"',
        ]).join("\n"),
        ...c.vars(),
      }, {
        CODER_AGENT_URL: c.aibridge ? responses.url : agent.url,
        CODER_WORKSPACE_OWNER_SESSION_TOKEN: SESSION_TOKEN,
        CODER_TASK_ID: TASK_ID,
        CODER_WORKSPACE_NAME: "e2e",
        CODER_WORKSPACE_OWNER: "alice",
      });
      expect(inputsOf(applied.script("start"))).toMatchObject({ workdir, ai_prompt: prompt, codex_system_prompt: system, task_id: TASK_ID });

      const env: Record<string, string> = {
        ...box.env,
        PATH: path,
        CODER_SCRIPT_BIN_DIR: join(box.root, "script-bin"),
        CODER_AGENT_URL: agent.url,
        CODER_AGENT_TOKEN: AGENT_TOKEN,
        ...applied.env, // OPENAI_API_KEY or CODER_AIBRIDGE_SESSION_TOKEN, as the agent sets them from coder_env
      };
      const seen = responses.requests.length;
      const snapshots = agent.posts.length;
      const mirrorSeen = mirror.requests.length;

      const start = must("the start script", await runScript(applied.script("start"), join(box.root, "start.sh"), env, box.home));
      expect(start.stdout).toContain(`codex-boot: start with ${c.ran(box.root, box.home)}\n`);
      if (c.installedFrom) {
        expect(start.stdout).toContain(`codex-boot: installed Bun ${PINS.bun} (linux-x64`);
        expect(mirror.requests.slice(mirrorSeen).some((r) => r.path.startsWith(c.installedFrom!()))).toBe(true);
      }

      const status = await fetch(`http://127.0.0.1:${port}/status`);
      expect(status.status).toBe(200);
      // The launcher the stub put on the workspace PATH knows the module's inputs (the port).
      const cli = must("codex-boot status", await runAsync(["/bin/sh", "-c", "codex-boot status --json"], { env, cwd: box.home }));
      expect(JSON.parse(cli.stdout).agentapi).toMatchObject({ port, health: expect.stringMatching(/^healthy/) });
      const answered = await waitFor("Codex's report of the command in AgentAPI's messages", async () => {
        const res = await fetch(`http://127.0.0.1:${port}/messages`);
        const body = (await res.json()) as { messages: { role: string; content: string }[] };
        return body.messages.find((m) => m.role === "agent" && m.content.includes("done:"));
      });
      expect(answered.content).toContain("done:");
      expect({ proof: existsSync(join(workdir, "proof.txt")) && readFileSync(join(workdir, "proof.txt"), "utf8"), answered: answered.content }).toMatchObject({ proof });

      // The first model request carries the system prompt (AGENTS.md), the task prompt and the
      // workdir (Codex's cwd) exactly; the key from coder_env authenticates it.
      const first = responses.requests.slice(seen).find((r) => r.url.endsWith("/responses"))!;
      const texts = strings(first.json);
      for (const value of [system, prompt, workdir]) expect(texts.some((t) => t.includes(value))).toBe(true);
      expect(Object.keys(applied.env)).toEqual([c.aibridge ? "CODER_AIBRIDGE_SESSION_TOKEN" : "OPENAI_API_KEY"]);
      expect(first.url).toBe(c.aibridge ? "/api/v2/aibridge/openai/v1/responses" : "/v1/responses");
      expect(first.headers.authorization).toBe(`Bearer ${c.aibridge ? SESSION_TOKEN : KEY}`);
      expect(readFileSync(join(box.home, ".codex", "AGENTS.md"), "utf8")).toContain(system);
      expect(statSync(workdir).isDirectory()).toBe(true);
      expect(PWNED([box.root, box.home, workdir, "/"])).toEqual([]);
      expect(mcpCalls().some((e) => e.event === "start" && e.agentToken === "set")).toBe(true);


      // A second start keeps the unpacked program (same digest) and the running AgentAPI.
      const program = join(box.home, ".codex-module", "codex-boot.mjs");
      const unpacked = statSync(program).mtimeMs;
      const again = must("the start script, again", await runScript(applied.script("start"), join(box.root, "start.sh"), env, box.home));
      expect(statSync(program).mtimeMs).toBe(unpacked);
      expect(again.stdout).not.toContain("installed Bun");

      must("the stop script", await runScript(applied.script("stop"), join(box.root, "stop.sh"), env, box.home));
      const posted = agent.posts.slice(snapshots);
      expect(posted.length).toBe(1);
      expect(posted[0]!.url).toContain(`/tasks/${TASK_ID}/log-snapshot`);
      expect(posted[0]!.body).toContain("done:");
      await waitFor("AgentAPI to stop listening", async () => {
        try {
          await fetch(`http://127.0.0.1:${port}/status`);
          return undefined;
        } catch {
          return true;
        }
      }, 15_000);

      // Secrets: only Codex's own auth.json (0600) holds the key; no token is anywhere on disk.
      const hits = findSecrets(box.home, [KEY, AGENT_TOKEN, SESSION_TOKEN]).filter((h) => !h.startsWith("/.codex/auth.json:"));
      expect(hits).toEqual([]);
      if (!c.aibridge) expect(statSync(join(box.home, ".codex", "auth.json")).mode & 0o777).toBe(0o600);
    }, TIMEOUT);
  }
});

// AI Bridge end to end: the bundle configures, the real `codex exec` talks to a loopback Responses
// stub standing in for the bridge, with the session token and the AGENTS.md prompt.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { tools, type Runtime } from "../support/tools.ts";
import { b64config, findSecrets, makeSandbox, runBundleAsync, type Sandbox } from "../support/sandbox.ts";
import { startResponsesStub, workPrompt, workReply, type ResponsesStub } from "../support/responses-stub.ts";

const TOKEN = "aibridge-session-TOKEN-31337";
const AGENT_TOKEN = "agent-token-BRIDGE-8080";
const PROMPT = "Bridge test system prompt: always mention PROMPT-MARKER-BRIDGE.";
const REPLY = "Codex says: answered by the bridge stub";

let stub: ResponsesStub;
const boxes: Sandbox[] = [];
beforeAll(async () => {
  tools();
  stub = await startResponsesStub({ reply: workReply(REPLY) });
});
afterAll(async () => {
  await stub.close();
  for (const b of boxes) b.cleanup();
});

/** Runs a program without blocking the event loop the stub answers on. */
function run(argv: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
  });
}

for (const runtime of ["bun", "deno"] as Runtime[]) {
  test(`under ${runtime}: codex exec sends the session token and the AGENTS.md prompt to aibridge_base_url, and runs the command the model asks for`, async () => {
    const box = makeSandbox("codex-boot-aibridge-");
    boxes.push(box);
    const bin = join(box.home, ".codex-module", "bin");
    mkdirSync(bin, { recursive: true });
    symlinkSync(tools().codex, join(bin, "codex"));
    const workdir = join(box.root, "project");
    const inputs = { workdir, codex_system_prompt: PROMPT, enable_aibridge: true, aibridge_base_url: `${stub.url}/v1` };
    const env = { ...box.env, CODER_AIBRIDGE_SESSION_TOKEN: TOKEN, CODER_AGENT_TOKEN: AGENT_TOKEN };
    const r = await runBundleAsync(runtime, ["configure"], { env: { ...env, CODEX_BOOT_CONFIG: b64config(inputs) } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(existsSync(join(box.home, ".codex", "auth.json"))).toBe(false); // no API-key login with AI Bridge

    const seen = stub.requests.length;
    const exec = await run([tools().codex, "exec", "--skip-git-repo-check", workPrompt(`printf '%s' 'bridged ${runtime}' > proof.txt`, "Say hello")], env, workdir);
    expect(exec.out).toContain("done:");
    expect(exec.code).toBe(0);
    expect(readFileSync(join(workdir, "proof.txt"), "utf8")).toBe(`bridged ${runtime}`);
    const mine = stub.requests.slice(seen);
    expect(mine.length).toBeGreaterThan(0);
    for (const req of mine) {
      expect(req.method).toBe("POST");
      expect(req.url).toBe("/v1/responses");
      expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    }
    expect(mine[0]!.body).toContain("PROMPT-MARKER-BRIDGE");
    expect(findSecrets(box.root, [TOKEN, AGENT_TOKEN])).toEqual([]);
  }, 90_000);
}

describe("AI Bridge inputs", () => {
  test("enable_aibridge with OPENAI_API_KEY set is refused with exit 2", async () => {
    const box = makeSandbox("codex-boot-aibridge-");
    boxes.push(box);
    const r = await runBundleAsync("deno", ["configure"], {
      env: {
        ...box.env, OPENAI_API_KEY: "sk-test-NOT-WITH-BRIDGE-1234",
        CODEX_BOOT_CONFIG: b64config({ enable_aibridge: true, aibridge_base_url: `${stub.url}/v1` }),
      },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"enable_aibridge"');
    expect(existsSync(join(box.home, ".codex"))).toBe(false);
  });
});

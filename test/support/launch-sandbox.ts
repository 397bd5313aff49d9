// A sandbox HOME where the bundle's `start` runs the real AgentAPI and the real Codex: both on PATH
// (install_* = false), Codex pointed at a loopback Responses stub through the AI Bridge provider,
// a stub `coder` MCP server, and a loopback Coder agent API. Every process it starts can be found
// (its command line holds the sandbox path) and killed.
import { readdirSync, readFileSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { b64config, makeSandbox, runBundleAsync, type RunResult, type Sandbox } from "./sandbox.ts";
import { installCoderStub, type CoderCall } from "./coder-mcp-stub/install.ts";
import { tools, type Runtime } from "./tools.ts";

export const AIBRIDGE_TOKEN = "aibridge-session-token-4d1c9e";
export const AGENT_TOKEN = "coder-agent-token-8b2f7a";

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
    s.on("error", fail);
  });
}

/** Pids of live processes whose command line contains needle (a sandbox path). */
export function processesWith(needle: string, name = ""): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8");
        return cmd.includes(needle) && cmd.includes(name);
      } catch {
        return false;
      }
    })
    .map(Number);
}

export interface LaunchSandbox {
  sb: Sandbox;
  work: string;
  port: number;
  env: Record<string, string>;
  inputs: Record<string, unknown>;
  coderCalls: () => CoderCall[];
  /** The bundle with this sandbox's inputs, overridden by `extra`. */
  run(runtime: Runtime, command: string, extra?: Record<string, unknown>, args?: string[]): Promise<RunResult>;
  /** agentapi processes of this sandbox. */
  agentapis(): number[];
  pidFile(): number | null;
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Kills whatever this sandbox started and removes it. */
  cleanup(): void;
}

export async function launchSandbox(opts: { responsesUrl: string; agentUrl?: string; inputs?: Record<string, unknown> }): Promise<LaunchSandbox> {
  const t = tools();
  const sb = makeSandbox("codex-boot-launch-");
  const bin = join(sb.root, "bin");
  const coderCalls = installCoderStub(bin, join(sb.root, "coder-calls.jsonl"));
  symlinkSync(t.codex, join(bin, "codex"));
  symlinkSync(t.agentapi, join(bin, "agentapi"));
  const work = join(sb.root, "work");
  const port = await freePort();
  const env = {
    ...sb.env,
    PATH: `${bin}:${sb.env.PATH}`,
    CODER_AIBRIDGE_SESSION_TOKEN: AIBRIDGE_TOKEN,
    ...(opts.agentUrl ? { CODER_AGENT_URL: opts.agentUrl, CODER_AGENT_TOKEN: AGENT_TOKEN } : {}),
  };
  const inputs: Record<string, unknown> = {
    workdir: work,
    install_codex: false,
    install_agentapi: false,
    enable_aibridge: true,
    aibridge_base_url: `${opts.responsesUrl}/v1`,
    agentapi_port: port,
    report_tasks: false,
    ...opts.inputs,
  };
  const pidPath = join(sb.home, ".codex-module/agentapi.pid");
  const self: LaunchSandbox = {
    sb, work, port, env, inputs, coderCalls,
    run: (runtime, command, extra = {}, args = []) =>
      runBundleAsync(runtime, [command, ...args], { env: { ...env, CODEX_BOOT_CONFIG: b64config({ ...inputs, ...extra }) }, timeoutMs: 90_000 }),
    agentapis: () => processesWith(sb.root, "agentapi"),
    pidFile: () => {
      try {
        return Number(readFileSync(pidPath, "utf8").trim()) || null;
      } catch {
        return null;
      }
    },
    api: (path, init) => fetch(`http://127.0.0.1:${port}${path}`, { ...init, signal: AbortSignal.timeout(20_000) }),
    cleanup: () => {
      for (const pid of processesWith(sb.root)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone already
        }
      }
      sb.cleanup();
    },
  };
  return self;
}

/** Polls until fn returns a truthy value; fails naming what it waited for. */
export async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface AgentMessage {
  id: number;
  role: "user" | "agent";
  content: string;
}

export const messages = async (ls: LaunchSandbox) => ((await (await ls.api("/messages")).json()) as { messages: AgentMessage[] }).messages;

/** Sends a user message once Codex waits for input, and waits until an agent message holds `expect`. */
export async function chat(ls: LaunchSandbox, content: string, expect: string): Promise<AgentMessage[]> {
  await until("agentapi status stable", async () => ((await (await ls.api("/status")).json()) as { status: string }).status === "stable");
  const res = await ls.api("/message", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ content, type: "user" }) });
  if (!res.ok) throw new Error(`POST /message answered ${res.status}: ${await res.text()}`);
  return until(`an agent message containing ${JSON.stringify(expect)}`, async () => {
    const all = await messages(ls);
    return all.some((m) => m.role === "agent" && m.content.includes(expect)) ? all : null;
  });
}

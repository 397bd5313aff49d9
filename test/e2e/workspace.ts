// A Coder-like workspace for the rendered coder_scripts: a sandbox HOME whose PATH holds only basic
// utilities (no bun, deno, node or bash), the stub `coder`, and optionally bun or deno.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { tools } from "../support/tools.ts";
import { makeSandbox, runAsync, type RunResult, type Sandbox } from "../support/sandbox.ts";
import { installCoderStub } from "../support/coder-mcp-stub/install.ts";

export const UTILS = [
  "sh", "env", "cat", "cut", "head", "tail", "tr", "sed", "grep", "ls", "mkdir", "mktemp", "mv", "rm", "chmod",
  "uname", "tar", "gzip", "base64", "sha256sum", "curl", "unzip", "sleep", "kill", "ps", "id", "touch", "ln",
];

export interface Workspace {
  box: Sandbox;
  /** PATH of the workspace: script bin dir, stub coder, runtime (if any), utilities. */
  path: string;
  mcpCalls: ReturnType<typeof installCoderStub>;
}

const live: Sandbox[] = [];

export function workspace(runtime: "bun" | "deno" | null, utils = UTILS): Workspace {
  const box = makeSandbox("codex-boot-e2e-");
  live.push(box);
  const dir = (name: string) => {
    const d = join(box.root, name);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const sysbin = dir("sysbin");
  for (const u of utils) {
    const found = ["/usr/bin", "/bin"].map((d) => join(d, u)).find((p) => existsSync(p));
    if (!found) throw new Error(`the e2e test needs ${u} in /usr/bin or /bin`);
    symlinkSync(found, join(sysbin, u));
  }
  const path = [dir("script-bin"), dir("coder-bin")];
  if (runtime) {
    symlinkSync(runtime === "bun" ? tools().bun : tools().deno, join(dir("runtime"), runtime));
    path.push(join(box.root, "runtime"));
  }
  path.push(sysbin);
  const mcpCalls = installCoderStub(join(box.root, "coder-bin"), join(box.root, "mcp.jsonl"));
  return { box, path: path.join(":"), mcpCalls };
}

/** Removes every workspace made so far, first killing an AgentAPI a failed test left behind
 * (its pid file is written by the program the test ran). */
export function cleanupWorkspaces(): void {
  for (const box of live.splice(0)) {
    const pidFile = join(box.home, ".codex-module", "agentapi.pid");
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").trim()) : 0;
    if (pid > 0) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    box.cleanup();
  }
}

/** Writes the script to file and runs it with sh, as the Coder agent would. */
export function runScript(script: string, file: string, env: Record<string, string>, cwd: string, args: string[] = []): Promise<RunResult> {
  writeFileSync(file, script, { mode: 0o700 });
  return runAsync(["/bin/sh", file, ...args], { env, cwd, timeoutMs: 180_000 });
}

export const must = (what: string, r: RunResult) => {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
};

/** The inputs JSON a rendered script hands to the program. */
export function inputsOf(script: string): Record<string, unknown> {
  const b64 = /^CODEX_BOOT_CONFIG=\$\(echo '([A-Za-z0-9+/=]+)'/m.exec(script)?.[1];
  if (!b64) throw new Error("no CODEX_BOOT_CONFIG line in the script");
  return JSON.parse(gunzipSync(Buffer.from(b64, "base64")).toString("utf8"));
}

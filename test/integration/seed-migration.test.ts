// Switching a workspace from coder-labs/codex 4.x: what the seed left in HOME is carried over, and
// what pre_install_script writes survives the start. The built bundle, real AgentAPI and Codex.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tools } from "../support/tools.ts";
import { startResponsesStub, type ResponsesStub } from "../support/responses-stub.ts";
import { launchSandbox, type LaunchSandbox } from "../support/launch-sandbox.ts";

const SYSTEM = "Seed migration prompt: MIGRATION-MARKER-7c2d. Start every response with `Codex says:`";
let stub: ResponsesStub;
const boxes: LaunchSandbox[] = [];
const box = async (inputs: Record<string, unknown> = {}) => {
  const ls = await launchSandbox({ responsesUrl: stub.url, inputs: { codex_system_prompt: SYSTEM, ...inputs } });
  boxes.push(ls);
  return ls;
};

beforeAll(async () => {
  tools();
  stub = await startResponsesStub({ reply: "Codex says: hello" });
});
afterAll(async () => {
  for (const b of boxes) b.cleanup();
  await stub.close();
});

describe("drop-in for coder-labs/codex 4.x", () => {
  test("what pre_install_script appends to AGENTS.md and config.toml is still there after start", async () => {
    const ls = await box({
      pre_install_script: [
        'mkdir -p "$HOME/.codex"',
        'printf "# Team rules\\nrun the linter\\n" >> "$HOME/.codex/AGENTS.md"',
        `printf 'personality = "pragmatic"\\n' >> "$HOME/.codex/config.toml"`,
      ].join("\n"),
    });
    const r = await ls.run("bun", "start");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const agents = readFileSync(join(ls.sb.home, ".codex/AGENTS.md"), "utf8");
    expect(agents).toStartWith("# Team rules\nrun the linter\n\n<!-- BEGIN codex-boot managed");
    expect(agents).toContain(SYSTEM);
    expect(readFileSync(join(ls.sb.home, ".codex/config.toml"), "utf8")).toContain('personality = "pragmatic"');
    expect((await ls.run("bun", "stop")).code).toBe(0);
  }, 120_000);

  test("a HOME the seed ran in: its tracked session is resumed and its appended prompt is not duplicated", async () => {
    const ls = await box();
    const id = "019a5b2c-1d2e-7f30-8a41-b52c63d74e85";
    const sessions = join(ls.sb.home, ".codex/sessions/2026/11/20");
    mkdirSync(sessions, { recursive: true });
    writeFileSync(join(sessions, `rollout-2026-11-20T10-00-00-${id}.jsonl`), JSON.stringify({ type: "session_meta", payload: { id, cwd: ls.work } }) + "\n");
    mkdirSync(join(ls.sb.home, ".codex-module"), { recursive: true });
    writeFileSync(join(ls.sb.home, ".codex-module/.codex-task-session"), `${ls.work}|${id}\n`);
    writeFileSync(join(ls.sb.home, ".codex/AGENTS.md"), `\n${SYSTEM}\n`); // the seed's echo -e "\n$prompt" >>
    mkdirSync(ls.work, { recursive: true });

    const plan = JSON.parse((await ls.run("bun", "start", {}, ["--dry-run", "--json"])).stdout);
    expect(plan.launch.argv.slice(-2)).toEqual(["resume", id]);
    expect(plan.launch.reason).toContain(`continues session ${id}`);
    const agents = plan.files.find((f: { path: string }) => f.path.endsWith("AGENTS.md"));
    expect(agents.content.split(SYSTEM)).toHaveLength(2);
  }, 60_000);
});

// The module starts the Codex releases people pin, not only the newest: a real older Codex
// (0.128.0, from the loopback npm registry: no code mode, no --no-daemon) and the pinned one.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tools, type Runtime } from "../support/tools.ts";
import { serveCodexNpm, startMirror, type Mirror } from "../support/mirror.ts";
import { startResponsesStub, workPrompt, workReply, type ResponsesStub } from "../support/responses-stub.ts";
import { chat, launchSandbox, processesWith, type LaunchSandbox } from "../support/launch-sandbox.ts";
import { PINS } from "../support/versions.ts";

let stub: ResponsesStub;
let m: Mirror;
const boxes: LaunchSandbox[] = [];

beforeAll(async () => {
  tools();
  stub = await startResponsesStub({ reply: workReply("Codex says: hello from the stub") });
  m = await startMirror();
  serveCodexNpm(m);
}, 60_000);
afterAll(async () => {
  for (const b of boxes) b.cleanup();
  await stub.close();
  await m.close();
});

const codexArgv = (ls: LaunchSandbox) =>
  processesWith(ls.sb.root).map((p) => readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").slice(0, -1)).find((a) => a[0]?.endsWith("/bin/codex"));

const CASES: { version: string; runtime: Runtime; flags: string[] }[] = [
  { version: PINS.codexOld, runtime: "bun", flags: [] },
  { version: PINS.codex, runtime: "deno", flags: ["--no-daemon"] },
];

describe("Codex releases the module starts", () => {
  for (const c of CASES) {
    test(`codex ${c.version} installed from the npm registry starts behind agentapi with the flags it supports, and runs a command`, async () => {
      const ls = await launchSandbox({
        responsesUrl: stub.url,
        inputs: { install_codex: true, codex_install_source: "npm", npm_registry_url: m.url, codex_version: c.version, ai_prompt: "hello" },
      });
      boxes.push(ls);
      const r = await ls.run(c.runtime, "start");
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`installed codex ${c.version} (complete package, verified by npm integrity)`);
      expect(codexArgv(ls)).toEqual([join(ls.sb.home, ".codex-module/bin/codex"), ...c.flags, "--", "hello"]);
      await chat(ls, workPrompt(`printf '%s' 'codex ${c.version} was here' > proof.txt`), "done:");
      expect(readFileSync(join(ls.work, "proof.txt"), "utf8")).toBe(`codex ${c.version} was here`);
    }, 180_000);
  }
});

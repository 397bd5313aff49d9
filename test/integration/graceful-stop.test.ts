// `stop` ends agentapi gracefully: SIGTERM, then time (15 s) to save its state and close Codex on
// its own before any SIGKILL. The test's start runs under a subreaper, so the detached agentapi
// becomes its child and how agentapi ended is seen (exit code or killing signal). Codex sits behind
// a shell that holds agentapi's SIGINT until Codex exits: agentapi's own close then takes its 5 s
// timeout, as with a Codex slow to quit — a shutdown still in progress when a hasty SIGKILL would come.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runtimeArgv, tools, type Runtime } from "../support/tools.ts";
import { b64config } from "../support/sandbox.ts";
import { startResponsesStub, type ResponsesStub } from "../support/responses-stub.ts";
import { chat, launchSandbox, type LaunchSandbox } from "../support/launch-sandbox.ts";
import { runUnderSubreaper, type Reaped } from "../support/subreaper.ts";

let stub: ResponsesStub;
const boxes: LaunchSandbox[] = [];
const reapers: Reaped[] = [];

beforeAll(async () => {
  tools();
  stub = await startResponsesStub({ reply: "Codex says: 42" });
});
afterAll(async () => {
  for (const r of reapers) r.kill();
  for (const b of boxes) b.cleanup();
  await stub.close();
});

for (const runtime of ["bun", "deno"] as Runtime[]) {
  describe(`under ${runtime}`, () => {
    test("stop sends agentapi SIGTERM and lets it finish shutting down on its own; agentapi-state.json then holds the conversation", async () => {
      const ls = await launchSandbox({ responsesUrl: stub.url, inputs: { enable_state_persistence: true } });
      boxes.push(ls);
      const codex = join(ls.sb.root, "bin", "codex");
      rmSync(codex);
      writeFileSync(codex, `#!/bin/sh\ntrap 'exit 0' INT\n'${tools().codex}' "$@"\n`, { mode: 0o755 });
      const mod = join(ls.sb.home, ".codex-module");
      const reaper = runUnderSubreaper(
        [...runtimeArgv(runtime), "start"], { ...ls.env, CODEX_BOOT_CONFIG: b64config(ls.inputs) }, join(mod, "agentapi.pid"), tools().bun,
      );
      reapers.push(reaper);
      expect(await reaper.started).toContain("subreaper: command exited 0");
      const pid = ls.pidFile()!;
      await chat(ls, "What is 6 times 7?", "Codex says: 42");

      const t0 = Date.now();
      const stop = await ls.run(runtime, "stop");
      const took = Date.now() - t0;
      expect(stop.stderr).toBe("");
      expect(stop.code).toBe(0);
      expect(await reaper.ended(pid)).toBe("exit 0"); // "signal 9" had it been killed
      expect(took).toBeGreaterThan(4_000); // agentapi's 5 s wait for Codex, waited out
      const log = readFileSync(join(mod, "agentapi.log"), "utf8");
      expect(log).toContain('msg="Received shutdown signal" signal=terminated');
      expect(log).toContain('msg="Closing process"');

      const state = readFileSync(join(mod, "agentapi-state.json"), "utf8");
      expect(state).toContain("What is 6 times 7?");
      expect(state).toContain("Codex says: 42");
      expect(ls.agentapis()).toEqual([]);
      expect(ls.pidFile()).toBeNull();
    }, 90_000);
  });
}

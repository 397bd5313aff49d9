// Issue 11 (adversarial testing), the agentapi lifecycle through the built bundle under Bun and Deno
// with the real AgentAPI and Codex: only a process proven ours is ever signalled, and `stop` stops
// agentapi whatever else in HOME is broken.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tools, type Runtime } from "../support/tools.ts";
import { startResponsesStub, type ResponsesStub } from "../support/responses-stub.ts";
import { launchSandbox, type LaunchSandbox } from "../support/launch-sandbox.ts";

let stub: ResponsesStub;
const boxes: LaunchSandbox[] = [];
const box = async () => {
  const ls = await launchSandbox({ responsesUrl: stub.url });
  boxes.push(ls);
  return ls;
};
const others: number[] = [];
/** A process that is not ours, killed at the end whatever happens. */
const bystander = (argv: string[], opts: { uid?: number; cwd?: string } = {}) => {
  const p = spawn(argv[0]!, argv.slice(1), { stdio: "ignore", detached: true, ...opts });
  others.push(p.pid!);
  return p.pid!;
};
const alive = (pid: number) => spawnSync("sh", ["-c", `grep -qv '^[^)]*) Z' /proc/${pid}/stat`]).status === 0;

beforeAll(async () => {
  tools();
  stub = await startResponsesStub({ reply: () => "Codex says: hello" });
});
afterAll(async () => {
  for (const pid of others) spawnSync("kill", ["-9", String(pid)]);
  for (const b of boxes) b.cleanup();
  await stub.close();
});

for (const runtime of ["bun", "deno"] as Runtime[]) {
  describe(`hardening: agentapi under ${runtime}`, () => {
    test("a stale pid file naming a process whose command line holds \"agentapi\" is never signalled by start or stop", async () => {
      const ls = await box();
      mkdirSync(join(ls.sb.home, ".codex-module"), { recursive: true });
      writeFileSync(join(ls.sb.home, ".codex-module/agentapi.log"), "");
      const tail = bystander(["tail", "-f", join(ls.sb.home, ".codex-module/agentapi.log")]);
      writeFileSync(join(ls.sb.home, ".codex-module/agentapi.pid"), `${tail}\n`);
      const stop = await ls.run(runtime, "stop");
      expect(stop.code).toBe(0);
      expect(stop.stdout).toContain("agentapi is not running");
      expect(alive(tail)).toBe(true);
      writeFileSync(join(ls.sb.home, ".codex-module/agentapi.pid"), `${tail}\n`);
      const start = await ls.run(runtime, "start");
      expect(start.stderr).toBe("");
      expect(start.code).toBe(0);
      expect(alive(tail)).toBe(true);
      expect(ls.agentapis().filter((p) => p !== tail)).toEqual([ls.pidFile()!]);
      expect((await ls.run(runtime, "stop")).code).toBe(0);
      expect(alive(tail)).toBe(true);
      expect(ls.agentapis().filter((p) => p !== tail)).toEqual([]);
    }, 90_000);

    test("a process proven ours that we may not signal (EPERM) ends stop with a clear message, not a loop", async () => {
      const ls = await box();
      const moduleDir = join(ls.sb.home, ".codex-module");
      mkdirSync(join(moduleDir, "bin"), { recursive: true });
      // The installed agentapi path, running as root (a program that just waits), recorded as started by us...
      const bin = join(moduleDir, "bin/agentapi");
      copyFileSync("/usr/bin/sleep", bin);
      const pid = bystander([bin, "600"]);
      const stat = spawnSync("cat", [`/proc/${pid}/stat`], { encoding: "utf8" }).stdout;
      const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
      writeFileSync(join(moduleDir, "agentapi.pid"), `${pid}\n`);
      writeFileSync(join(moduleDir, "agentapi-id.json"), JSON.stringify({ pid, start, exe: bin }));
      // ...and codex-boot running as another user (nobody) with that HOME.
      spawnSync("chown", ["-R", "65534:65534", ls.sb.root]);
      chmodSync(ls.sb.root, 0o755);
      const argv = runtime === "bun" ? [tools().bun] : [tools().deno, "run", "-A"];
      const t0 = Date.now();
      const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", ...argv, join(import.meta.dir, "../../dist/codex-boot.js"), "stop"], {
        env: { ...ls.env, CODEX_BOOT_CONFIG: Buffer.from(JSON.stringify(ls.inputs)).toString("base64") }, encoding: "utf8", timeout: 60_000, cwd: "/",
      });
      expect(Date.now() - t0).toBeLessThan(30_000);
      expect(r.stderr).toContain(`codex-boot: cannot stop agentapi (pid ${pid}): operation not permitted (EPERM)`);
      expect(r.status).toBe(1);
      expect(alive(pid)).toBe(true);
    }, 90_000);

    test("the agentapi started is still recognised after its link is switched to another file", async () => {
      const ls = await box();
      const start = await ls.run(runtime, "start");
      expect(start.code).toBe(0);
      const link = join(ls.sb.root, "bin/agentapi");
      const copy = join(ls.sb.root, "agentapi-next");
      copyFileSync(tools().agentapi, copy);
      chmodSync(copy, 0o755);
      rmSync(link);
      symlinkSync(copy, link); // what an upgrade that re-links does
      const r = await ls.run(runtime, "stop");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("agentapi stopped");
      expect(ls.agentapis()).toEqual([]);
    }, 90_000);

    test("stop stops agentapi when ~/.npmrc is a directory (Bun) or ~/.codex is a file, naming what it could not read", async () => {
      const ls = await box();
      const start = await ls.run(runtime, "start");
      expect(start.stderr).toBe("");
      expect(start.code).toBe(0);
      // Deno 2.9 itself refuses to start with a directory at ~/.npmrc ("Error loading .npmrc"), before
      // any of our code runs: that case can only be met under Bun (and Node).
      if (runtime === "bun") mkdirSync(join(ls.sb.home, ".npmrc"));
      // What stop sees as ~/.codex is a file (through CODEX_HOME: moving the real one would end Codex).
      const codexHome = join(ls.sb.root, "codex-home-file");
      writeFileSync(codexHome, "not a directory\n");
      ls.env.CODEX_HOME = codexHome;
      expect(ls.agentapis()).toHaveLength(1);
      const r = await ls.run(runtime, "stop");
      expect(r.stderr).not.toContain("codex-boot: cannot");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("agentapi stopped");
      if (runtime === "bun") expect(r.stderr).toContain(`codex-boot: warning: cannot read ${join(ls.sb.home, ".npmrc")}`);
      expect(r.stderr).toContain(`codex-boot: warning: cannot read ${join(codexHome, "config.toml")}`);
      expect(ls.agentapis()).toEqual([]);
    }, 90_000);
  });
}

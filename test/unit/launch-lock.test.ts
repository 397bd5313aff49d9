import { afterAll, describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquireLock } from "../../src/lock.ts";
import { startTime } from "../../src/agentapi.ts";

const root = realpathSync(mkdtempSync(join(tmpdir(), "codex-boot-lock-")));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const lockTs = join(import.meta.dir, "../../src/lock.ts");

/** A separate process that holds the lock for holdMs and logs when it enters and leaves. */
function holder(lock: string, log: string, holdMs: number): Promise<number> {
  const code = `
    import { appendFileSync } from "node:fs";
    import { acquireLock } from ${JSON.stringify(lockTs)};
    const release = await acquireLock(${JSON.stringify(lock)}, () => {});
    appendFileSync(${JSON.stringify(log)}, "in " + process.pid + "\\n");
    await new Promise((r) => setTimeout(r, ${holdMs}));
    appendFileSync(${JSON.stringify(log)}, "out " + process.pid + "\\n");
    release();`;
  return new Promise((ok) => spawn(process.execPath, ["-e", code], { stdio: "inherit" }).on("exit", (c) => ok(c ?? -1)));
}

describe("boot.lock", () => {
  test("concurrent processes take turns: never two inside at once", async () => {
    const lock = join(root, "turns/boot.lock");
    const log = join(root, "turns.log");
    const codes = await Promise.all(Array.from({ length: 8 }, () => holder(lock, log, 30)));
    expect(codes).toEqual(Array(8).fill(0));
    const lines = readFileSync(log, "utf8").trim().split("\n");
    expect(lines).toHaveLength(16);
    for (let i = 0; i < lines.length; i += 2) {
      expect(lines[i]).toStartWith("in ");
      expect(lines[i + 1]).toBe(lines[i]!.replace("in", "out"));
    }
    expect(existsSync(lock)).toBe(false);
  });

  test("the lock records the owner's pid and start time, only readable by the owner; release removes it", async () => {
    const lock = join(root, "own/boot.lock");
    const release = await acquireLock(lock, () => {});
    expect(readFileSync(lock, "utf8")).toBe(`${process.pid} ${startTime(process.pid)}\n`);
    expect(spawnSync("stat", ["-c", "%a", lock], { encoding: "utf8" }).stdout.trim()).toBe("600");
    release();
    expect(existsSync(lock)).toBe(false);
  });

  test("a lock left by a process that died is taken over", async () => {
    const child = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
    const dead = Number(child.stdout.trim());
    const lock = join(root, "dead.lock");
    writeFileSync(lock, `${dead} 123456\n`);
    let waited = false;
    const release = await acquireLock(lock, () => (waited = true), 2000);
    expect(waited).toBe(false);
    expect(readFileSync(lock, "utf8")).toStartWith(`${process.pid} `);
    release();
  });

  test("a lock whose pid now belongs to another process (pid reuse after a restart) is taken over", async () => {
    const lock = join(root, "reused.lock");
    writeFileSync(lock, `${process.ppid} 1\n`); // a live pid, but not the process that took the lock
    const release = await acquireLock(lock, () => {}, 2000);
    expect(readFileSync(lock, "utf8")).toStartWith(`${process.pid} `);
    release();
  });

  test("a live owner makes the next one wait, say for whom, and give up with an error naming the lock", async () => {
    const lock = join(root, "live.lock");
    const release = await acquireLock(lock, () => {});
    let told = 0;
    const t0 = Date.now();
    const err = await acquireLock(lock, (pid) => (told = pid), 300).catch((e) => e as Error);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(told).toBe(process.pid);
    expect((err as Error).message).toContain(lock);
    expect((err as Error).message).toContain(`pid ${process.pid}`);
    release();
  });

  test("an empty lock file is one being written: left alone until it is old", async () => {
    const lock = join(root, "empty.lock");
    writeFileSync(lock, "");
    expect(await acquireLock(lock, () => {}, 200).catch(() => "timed out")).toBe("timed out");
    utimesSync(lock, Date.now() / 1000 - 60, Date.now() / 1000 - 60);
    const release = await acquireLock(lock, () => {}, 2000);
    release();
  });
});

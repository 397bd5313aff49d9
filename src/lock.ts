// ~/.codex-module/boot.lock: concurrent `start`/`stop` runs in one HOME take turns. An O_EXCL file
// holding the owner's pid works the same under Bun, Deno and Node (none shares a flock API).
import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileId, makeDir, readTextOrNull } from "./fsutil.ts";
import { sleep, startTime } from "./agentapi.ts";
import { RunError } from "./errors.ts";

/** "pid starttime": a dead owner, or a new process that got its pid, no longer matches. */
const owner = (pid: number) => `${pid} ${startTime(pid)}\n`;

const create = (path: string): boolean => {
  try {
    writeFileSync(path, owner(process.pid), { flag: "wx", mode: 0o600 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
};

/** Untouched for 5 s (or gone): its writer died before finishing. */
const old = (path: string) => Date.now() - (fileId(path)?.mtimeMs ?? 0) > 5000;

/**
 * Removes a lock whose owner is gone. Waiters may all see the same dead owner; removing under a
 * short-lived guard file, and only while the lock still holds what was seen, keeps a second waiter
 * from deleting the lock the first one has just taken.
 */
function breakStale(path: string, seen: string) {
  const guard = path + ".break";
  if (!create(guard)) {
    if (old(guard)) rmSync(guard, { force: true }); // its owner died mid-break
    return;
  }
  if (readTextOrNull(path) === seen) rmSync(path, { force: true });
  rmSync(guard, { force: true });
}

/** Waits for the lock (up to waitMs while its owner lives) and returns its release function. */
export async function acquireLock(path: string, onWait: (pid: number) => void, waitMs = 600_000): Promise<() => void> {
  makeDir(dirname(path), 0o700);
  chmodSync(dirname(path), 0o700); // the module's own dir: also when the stub made it under umask 000
  const end = Date.now() + waitMs;
  let told = 0;
  while (!create(path)) {
    const seen = readTextOrNull(path);
    if (seen === null) continue; // released meanwhile
    const pid = parseInt(seen);
    // An empty file is a lock being written right now, unless it has stayed empty for long.
    if (pid > 0 ? owner(pid) !== seen : old(path)) {
      breakStale(path, seen);
      continue;
    }
    if (Date.now() > end) {
      throw new RunError(`${path} is held by pid ${pid} for over ${waitMs / 1000} s: another codex-boot is stuck. Stop it`);
    }
    if (pid > 0 && told !== pid) onWait((told = pid));
    await sleep(50);
  }
  return () => rmSync(path, { force: true });
}

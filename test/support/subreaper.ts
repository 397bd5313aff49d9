// Runs a command as a child subreaper (Linux prctl PR_SET_CHILD_SUBREAPER): a process the command
// leaves running detached (agentapi) becomes this process's child once the command exits, so how it
// ends can be seen — its exit code, or the signal that killed it. Nothing else can tell an agentapi
// that finished its own shutdown from one that was SIGKILLed.
//   bun test/support/subreaper.ts PIDFILE -- COMMAND [ARGS...]
// prints, after the command's own output, `subreaper: command exited N`, then one line per child
// it reaps, `subreaper: reaped PID exit N` or `subreaper: reaped PID signal N`, until the pid
// PIDFILE named when the command exited is reaped.
import { dlopen, FFIType, ptr } from "bun:ffi";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const PR_SET_CHILD_SUBREAPER = 36;

function main(pidFile: string, argv: string[]) {
  const libc = dlopen("libc.so.6", {
    prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 },
    waitpid: { args: [FFIType.i32, FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  });
  if (libc.symbols.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) !== 0) throw new Error("prctl(PR_SET_CHILD_SUBREAPER) failed");
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: "inherit" });
  console.log(`subreaper: command exited ${r.status ?? r.signal}`);
  let target = 0;
  try {
    target = parseInt(readFileSync(pidFile, "utf8"));
  } catch {
    return; // nothing to wait for
  }
  const status = new Int32Array(1);
  for (let pid = 0; pid !== target; ) {
    pid = libc.symbols.waitpid(-1, ptr(status), 0); // blocks: this process has nothing else to do
    if (pid <= 0) return;
    const s = status[0]!;
    console.log(`subreaper: reaped ${pid} ${(s & 0x7f) === 0 ? `exit ${(s >> 8) & 0xff}` : `signal ${s & 0x7f}`}`);
  }
}

export interface Reaped {
  /** Resolves with the command's output once it exited (its detached children still run). */
  started: Promise<string>;
  /** Resolves with how pid ended: "exit N" or "signal N" (null when it was never reaped here). */
  ended(pid: number): Promise<string | null>;
  /** Kills the subreaper (its children are left to init). */
  kill(): void;
}

/** Runs argv under the subreaper with env; PIDFILE names the process to wait for. */
export function runUnderSubreaper(argv: string[], env: Record<string, string>, pidFile: string, bun: string): Reaped {
  const child = spawn(bun, [join(import.meta.dir, "subreaper.ts"), pidFile, "--", ...argv], { env, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  let onData = () => {};
  child.stdout.on("data", (d) => {
    out += d;
    onData();
  });
  const closed = new Promise<void>((ok) => child.on("close", () => ok()));
  const started = new Promise<string>((ok) => {
    onData = () => out.includes("subreaper: command exited") && ok(out);
    closed.then(() => ok(out));
  });
  return {
    started,
    ended: async (pid) => {
      await closed;
      return new RegExp(`^subreaper: reaped ${pid} (.*)$`, "m").exec(out)?.[1] ?? null;
    },
    kill: () => child.kill("SIGKILL"),
  };
}

if (import.meta.main) {
  const [pidFile, dashes, ...argv] = process.argv.slice(2);
  if (!pidFile || dashes !== "--" || !argv.length) {
    console.error("usage: bun test/support/subreaper.ts PIDFILE -- COMMAND [ARGS...]");
    process.exit(2);
  }
  main(pidFile, argv);
}

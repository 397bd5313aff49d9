// Ready = GET /status answers 200 three times in a row while our agentapi still lives. Polls fast:
// the only wait is for agentapi itself.
import { agentapi, sleep } from "./agentapi.ts";
import { readTextOrNull } from "./fsutil.ts";

/** null when ready, else why not. `alive` says whether the agentapi we wait for still runs. */
export async function waitReady(port: number, timeoutMs: number, alive: () => string | null, onPoll = () => {}): Promise<string | null> {
  let ok = 0;
  let last = "no answer";
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(50)) {
    onPoll();
    const dead = alive();
    if (dead) return dead;
    try {
      const res = await agentapi(port, "/status", 2000);
      await res.arrayBuffer();
      ok = res.status === 200 ? ok + 1 : 0;
      last = `GET /status answered ${res.status}`;
    } catch (e) {
      ok = 0;
      last = `GET /status failed: ${(e as Error).message}`;
    }
    if (ok === 3) return alive();
  }
  return `not healthy within ${timeoutMs / 1000} s (${last})`;
}

export const logTail = (path: string, lines = 40) => (readTextOrNull(path) ?? "").trimEnd().split("\n").slice(-lines).join("\n");

// Codex's own session files: $CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl, whose first line is
// {"type":"session_meta","payload":{"id":…,"cwd":…}}. Read-only: the dry run calls this too.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";

export interface Session {
  id: string;
  file: string;
}

/** The newest session (by mtime, at or after sinceMs) that Codex ran in cwd, or null; with
 * wantedId, only that session. */
export function findSession(codexHome: string, cwd: string, sinceMs: number, wantedId?: string): Session | null {
  const dir = join(codexHome, "sessions");
  try {
    const real = existsSync(cwd) && realpathSync(cwd); // Codex records the real path
    const files = readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((name) => /rollout-[^/]*\.jsonl$/.test(name))
      .map((name) => ({ file: join(dir, name), t: statSync(join(dir, name)).mtimeMs }))
      .filter((f) => f.t >= sinceMs)
      .sort((a, b) => b.t - a.t);
    for (const { file } of files) {
      const buf = Buffer.alloc(1 << 20); // the first line carries Codex's base instructions
      const fd = openSync(file, "r");
      try {
        const { id, cwd: ran } = JSON.parse(buf.toString("utf8", 0, readSync(fd, buf)).split("\n", 1)[0]!).payload;
        // A UUID only: the id goes into Codex's argv (`resume <id>`), where a file's text must never become a flag.
        if (/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(id) && (ran === cwd || ran === real) && (!wantedId || id === wantedId)) return { id, file };
      } catch {
        // not a session_meta line
      } finally {
        closeSync(fd);
      }
    }
  } catch {
    // no sessions yet
  }
  return null;
}

/**
 * The session coder-labs/codex 4.x tracked for workdir, so a workspace switching modules resumes it:
 * ~/.codex-module/.codex-task-session holds `<workdir>|<session id>` lines. Only while this module
 * has not launched yet (afterwards state.json tracks the session).
 */
export function seedSession(moduleDir: string, codexHome: string, workdir: string): Session | null {
  let text = "";
  try {
    text = readFileSync(join(moduleDir, ".codex-task-session"), "utf8");
  } catch {
    return null;
  }
  const id = text.split("\n").find((line) => line.startsWith(`${workdir}|`))?.slice(workdir.length + 1).trim();
  return id ? findSession(codexHome, workdir, 0, id) : null;
}

// Codex's own session files: $CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl, whose first line is
// {"type":"session_meta","payload":{"id":…,"cwd":…}}. Read-only: the dry run calls this too.
import { closeSync, openSync, readdirSync, readSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";

export interface Session {
  id: string;
  file: string;
}

function rollouts(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = join(dir, e.name);
      return e.isDirectory() ? rollouts(p) : /^rollout-.*\.jsonl$/.test(e.name) ? [p] : [];
    });
  } catch {
    return [];
  }
}

/** The session_meta payload; the line carries Codex's base instructions, so read generously. */
function meta(file: string): { id?: string; cwd?: string } | null {
  const buf = Buffer.alloc(1 << 20);
  const fd = openSync(file, "r");
  try {
    const text = buf.toString("utf8", 0, readSync(fd, buf, 0, buf.length, 0));
    return JSON.parse(text.slice(0, text.indexOf("\n") >>> 0)).payload ?? null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The newest session (by mtime, at or after sinceMs) that Codex ran in cwd, or null. */
export function findSession(codexHome: string, cwd: string, sinceMs: number): Session | null {
  let real = cwd;
  try {
    real = realpathSync(cwd);
  } catch {
    // not created yet: compare as given
  }
  const files = rollouts(join(codexHome, "sessions"))
    .map((file) => ({ file, t: statSync(file).mtimeMs }))
    .filter((f) => f.t >= sinceMs)
    .sort((a, b) => b.t - a.t);
  for (const { file } of files) {
    const m = meta(file);
    if (m?.id && (m.cwd === cwd || m.cwd === real)) return { id: m.id, file };
  }
  return null;
}

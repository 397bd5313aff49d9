import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export function readTextOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

export interface FileId {
  size: number;
  mtimeMs: number;
}

/** Size and whole-millisecond mtime (the runtimes differ below a millisecond), null when absent. */
export function fileId(path: string): FileId | null {
  try {
    const st = statSync(path);
    return { size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
  } catch {
    return null;
  }
}

/**
 * mkdir -p whose new directories get exactly `mode`: mkdir's own mode is narrowed by the umask, and
 * the umask may be 000. Directories that already exist are left as they are.
 */
export function makeDir(path: string, mode: number): void {
  const first = mkdirSync(path, { recursive: true, mode });
  for (let d = path; first; d = dirname(d)) {
    chmodSync(d, mode);
    if (d === first || d === dirname(d)) break;
  }
}

/**
 * Writes through a temp file in the same directory and a rename, so a reader never sees a torn
 * file. Returns false (and touches nothing, mtime included) when the bytes and mode already match.
 */
export function writeAtomic(path: string, content: string, mode: number): boolean {
  // The stat runs only after the read found the file.
  if (readTextOrNull(path) === content && (statSync(path).mode & 0o777) === mode) return false;
  makeDir(dirname(path), 0o700); // ~/.codex, ~/.codex-module: they hold secrets
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, content, { mode });
    chmodSync(tmp, mode); // the umask may have narrowed or the file may have existed
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return true;
}

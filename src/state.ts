import { readTextOrNull, writeAtomic } from "./fsutil.ts";

/**
 * What an install verified, recorded so a warm start neither downloads nor hashes again: the
 * file (for codex, dir/entry of the package tree) still has this size and mtime.
 */
export interface InstallRecord {
  version: string;
  sha256: string;
  source: string;
  url: string;
  size: number;
  mtimeMs: number;
  /** codex only: the package tree, its executable (relative), what vouched for it, what it holds. */
  dir?: string;
  entry?: string;
  verified?: string;
  layout?: string;
}

/** ~/.codex-module/state.json: what the module owns and installed. Each concern owns one key. */
export interface State {
  config?: { owned: string[][] };
  install?: Record<string, InstallRecord>;
  /** Whether Codex's sandbox worked here at the last start (sandbox-check.ts). */
  sandbox?: { ok: boolean; mode: string; detail: string };
  /** Written by launch.ts when agentapi became ready; the session once Codex has one. */
  launch?: { fingerprint: string; startedAt: number; session?: { id: string; file: string } };
}

export function readState(path: string): State {
  const text = readTextOrNull(path);
  if (text === null) return {};
  try {
    const parsed = JSON.parse(text);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {}; // a corrupt state only costs ownership knowledge; never block a boot on it
  }
}

/** Re-reads before writing so concerns updating their own key do not drop each other's. */
export function updateState<K extends keyof State>(path: string, key: K, value: State[K]): void {
  const state = readState(path);
  if (value === undefined) delete state[key];
  else state[key] = value;
  writeAtomic(path, JSON.stringify(state, null, 2) + "\n", 0o600);
}

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
  sandbox?: { ok: boolean; mode: string; detail?: string };
  /** Written by launch.ts when agentapi became ready; the session once Codex has one. */
  launch?: { fingerprint: string; startedAt: number; session?: { id: string; file: string } };
}

const isObj = (v: any): boolean => !!v && typeof v === "object" && !Array.isArray(v);
const isStr = (v: unknown) => typeof v === "string";
/**
 * The shape each reader relies on; state.json is hand-editable, so a record that lacks it is absent
 * (one bad install entry drops the whole install record: both binaries are verified again).
 */
const VALID: Record<string, (v: any) => boolean> = {
  config: (v) => Array.isArray(v?.owned) && v.owned.every((p: unknown) => Array.isArray(p) && p.every(isStr)),
  install: (v) => isObj(v) && Object.values(v).every((r: any) => isStr(r?.version)),
  launch: (v) => isStr(v?.fingerprint) && typeof v.startedAt === "number" && (!v.session || (isStr(v.session.id) && isStr(v.session.file))),
};

/** The valid part of state.json (none when absent); each record that is not valid is dropped with a line in `problems`. */
export function readState(path: string, problems: string[] = []): State {
  const bad = (what: string) => void problems.push(`${path}: ${what} is not valid and is treated as absent`);
  let state: any;
  try {
    state = JSON.parse(readTextOrNull(path) ?? "{}");
  } catch {
    // a corrupt state only costs ownership knowledge; never block a boot on it
  }
  if (!isObj(state)) return bad("the file"), {};
  for (const key in VALID) if (key in state && !VALID[key]!(state[key])) bad(key), delete state[key];
  return state;
}

/** Re-reads before writing so concerns updating their own key do not drop each other's. */
export function updateState<K extends keyof State>(path: string, key: K, value: State[K]): void {
  const state = readState(path);
  state[key] = value; // undefined: JSON.stringify leaves the key out
  writeAtomic(path, JSON.stringify(state, null, 2) + "\n", 0o600);
}

// Key-level ownership of a parsed TOML document: the module's keys are (re)set, keys it owned last
// time and no longer manages are removed, every other key stays as the user or Codex left it.
import { stringify } from "smol-toml";

export type Table = Record<string, unknown>;
export type KeyPath = string[];

/** A TOML table: a plain object (smol-toml gives arrays and dates as Array and Date). */
export const isTable = (v: unknown): v is Table => Object.prototype.toString.call(v) === "[object Object]";

/** A fresh table; no prototype, so a key named __proto__ is just a key. */
export const table = (parent: Table, key: string): Table =>
  (isTable(parent[key]) ? parent[key] : (parent[key] = Object.create(null))) as Table;

/** Tables directly under these are owned whole: half of an MCP server or provider is a broken one. */
const WHOLE = ["mcp_servers", "model_providers"];

/** Every owned unit of a document: scalars, arrays, empty tables and whole servers/providers. */
export const leaves = (doc: Table, prefix: KeyPath = []): [KeyPath, unknown][] =>
  Object.entries(doc).flatMap(([k, v]) =>
    isTable(v) && Object.keys(v).length && !WHOLE.includes(prefix.join(".")) ? leaves(v, [...prefix, k]) : [[[...prefix, k], v]]);

export const dotted = (path: KeyPath) => path.map((k) => (/^[\w-]+$/.test(k) ? k : JSON.stringify(k))).join(".");

/** Equal as TOML: a reparsed file lists a table's plain keys first, and so does stringify. */
const same = (a: unknown, b: unknown) => stringify({ v: a }) === stringify({ v: b });

/** Deletes the key at path and the tables that deletion left empty; false when it was not there. */
function deleteAt(parent: Table, [key, ...rest]: KeyPath): boolean {
  const v = parent[key!];
  if (rest.length ? !isTable(v) || !deleteAt(v, rest) : !Object.hasOwn(parent, key!)) return false;
  if (!rest.length || !Object.keys(v as Table).length) delete parent[key!];
  return true;
}

/**
 * Applies `managed` to `doc` in place (existing keys keep their position in the file). Returns the
 * key paths the module now owns (for state.json) and notes: each key replaced or removed, and the
 * keys that stay the user's.
 */
export function mergeOwned(doc: Table, lastOwned: KeyPath[], managed: Table) {
  const want = leaves(managed);
  const wanted = new Set(want.map(([p]) => dotted(p)));
  const notes = lastOwned
    .filter((p) => !wanted.has(dotted(p)) && deleteAt(doc, p))
    .map((p) => `${dotted(p)}: removed (codex-boot no longer manages it)`);
  for (const [path, value] of want) {
    const replaced = `${dotted(path)}: overwritten (codex-boot manages it)`;
    let parent = doc;
    for (const k of path.slice(0, -1)) {
      if (parent[k] !== undefined && !isTable(parent[k])) notes.push(replaced);
      parent = table(parent, k);
    }
    const k = path.at(-1)!;
    const had = parent[k];
    if (isTable(value) && !Object.keys(value).length && isTable(had)) continue; // an empty managed table only ensures it exists
    if (had !== undefined && !same(had, value)) notes.push(replaced);
    parent[k] = value;
  }
  const kept = leaves(doc).map(([p]) => dotted(p)).filter((k) => !wanted.has(k));
  if (kept.length) notes.push(`kept your keys: ${kept.join(", ")}`);
  return { owned: want.map(([p]) => p), notes };
}

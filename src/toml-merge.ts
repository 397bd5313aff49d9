// Key-level ownership of a parsed TOML document: the module's keys are (re)set, keys it owned last
// time and no longer manages are removed, every other key stays as the user or Codex left it.

export type Table = Record<string, unknown>;
export type KeyPath = string[];

export const isTable = (v: unknown): v is Table =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** A fresh table; no prototype, so a key named __proto__ is just a key. */
export const table = (parent: Table, key: string): Table =>
  (isTable(parent[key]) ? parent[key] : (parent[key] = Object.create(null))) as Table;

/** Tables under these keys are owned whole: half of an MCP server or provider is a broken one. */
const WHOLE = ["mcp_servers", "model_providers"];

/** Every owned unit of a document: scalars, arrays, empty tables and whole servers/providers. */
export function leaves(doc: Table, prefix: KeyPath = []): [KeyPath, unknown][] {
  const out: [KeyPath, unknown][] = [];
  for (const [k, v] of Object.entries(doc)) {
    const path = [...prefix, k];
    const whole = prefix.length === 1 && WHOLE.includes(prefix[0]!);
    if (isTable(v) && Object.keys(v).length && !whole) out.push(...leaves(v, path));
    else out.push([path, v]);
  }
  return out;
}

export const dotted = (path: KeyPath) => path.map((k) => (/^[\w-]+$/.test(k) ? k : JSON.stringify(k))).join(".");
/** Equal in meaning: key order does not matter (a reparsed file lists a table's plain keys first). */
const same = (a: unknown, b: unknown): boolean =>
  a && b && typeof a === "object" && typeof b === "object" && !(a instanceof Date)
    ? Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => same(v, (b as Table)[k]))
    : JSON.stringify(a) === JSON.stringify(b);

/** Deletes the key at path and the tables that deletion left empty. */
function deleteAt(doc: Table, path: KeyPath): boolean {
  const chain = [doc];
  for (const k of path.slice(0, -1)) {
    const next = chain.at(-1)![k];
    if (!isTable(next)) return false;
    chain.push(next);
  }
  const last = path.at(-1)!;
  if (!Object.hasOwn(chain.at(-1)!, last)) return false;
  delete chain.at(-1)![last];
  for (let i = chain.length - 1; i > 0 && !Object.keys(chain[i]!).length; i--) delete chain[i - 1]![path[i - 1]!];
  return true;
}

export interface Merge {
  /** The key paths the module now owns (to record in state.json). */
  owned: KeyPath[];
  /** Keys the file held with another value, now set to the managed one. */
  replaced: string[];
  /** Keys owned last time that the module no longer manages. */
  removed: string[];
}

/** Applies `managed` to `doc` in place; existing keys keep their position in the file. */
export function mergeOwned(doc: Table, lastOwned: KeyPath[], managed: Table): Merge {
  const want = leaves(managed);
  const wanted = new Set(want.map(([p]) => JSON.stringify(p)));
  const removed = lastOwned.filter((p) => !wanted.has(JSON.stringify(p)) && deleteAt(doc, p)).map(dotted);
  const replaced: string[] = [];
  for (const [path, value] of want) {
    let parent = doc;
    for (const k of path.slice(0, -1)) {
      if (parent[k] !== undefined && !isTable(parent[k])) replaced.push(dotted(path));
      parent = table(parent, k);
    }
    const k = path.at(-1)!;
    const had = parent[k];
    if (isTable(value) && !Object.keys(value).length && isTable(had)) continue; // an empty managed table only ensures it exists
    if (had !== undefined && !same(had, value)) replaced.push(dotted(path));
    parent[k] = value;
  }
  return { owned: want.map(([p]) => p), replaced: [...new Set(replaced)], removed };
}

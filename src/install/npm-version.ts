// codex_version with codex_install_source = "npm" means what it meant to coder-labs/codex, whose
// `npm install -g @openai/codex@<codex_version>` took dist-tags ("next") and ranges ("0.46",
// "^0.46.0"). This resolves the common forms against the packument's versions; pure.

type Triple = [number, number, number];

const cmp = (a: Triple, b: Triple) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
const parse = (version: string) => version.split(".").map(Number) as Triple;
const NONE: Triple = [0, 0, 0];
const ENDLESS: Triple = [Infinity, 0, 0];

/**
 * One comparator (`1.2`, `^1.2.3`, `>=1`, `<1.x`, `*`…) as the versions it admits, [low, high);
 * versions are whole numbers, so `>1.2` is `>=1.3.0` and `<=1.2` is `<1.3.0`. Null if not one.
 */
function bounds(token: string): [Triple, Triple] | null {
  const m = /^(\^|~|>=|<=|>|<|=)?v?(\d+|[x*])(?:\.(\d+|[x*]))?(?:\.(\d+|[x*]))?$/i.exec(token);
  if (!m) return null;
  const parts = m.slice(2, 5);
  let given = parts.findIndex((p) => !/^\d+$/.test(p ?? "x"));
  if (given < 0) given = 3;
  const v = parts.map((p, i) => (i < given ? Number(p) : 0)) as Triple;
  // Where the versions sharing the first n given parts end: 1.2 up to 1.3.0; * has no end.
  const end = (n: number) => (given ? (v.map((p, i) => (i < n - 1 ? p : i === n - 1 ? p + 1 : 0)) as Triple) : ENDLESS);
  switch (m[1]) {
    case "^": // below the next change of the first non-zero part given: ^1.2.3 <2.0.0, ^0.46 <0.47.0, ^0.0.3 <0.0.4
      return [v, end(v[0] || given < 2 ? 1 : v[1] || given < 3 ? 2 : 3)];
    case "~": // patch updates: ~1.2.3 is <1.3.0; ~1 is 1.x
      return [v, end(Math.min(given, 2))];
    case ">=":
      return [v, ENDLESS];
    case ">":
      return [end(given), ENDLESS];
    case "<=":
      return [NONE, end(given)];
    case "<":
      return [NONE, v];
    default:
      return [v, end(given)];
  }
}

/** A range as npm writes it: comparators joined by spaces (and), alternatives by `||`; null if not one. */
export function parseRange(range: string): ((version: string) => boolean) | null {
  const alternatives = range.split("||").map((alt) => alt.trim().replace(/(\^|~|>=|<=|>|<|=)\s+/g, "$1").split(/\s+/).map(bounds));
  if (alternatives.some((alt) => alt.some((b) => !b))) return null;
  return (version) => {
    const v = parse(version); // prereleases only by exact version or dist-tag, as npm does
    return /^\d+\.\d+\.\d+$/.test(version) && alternatives.some((alt) => alt.every((b) => cmp(v, b![0]) >= 0 && cmp(v, b![1]) < 0));
  };
}

/** The version `npm install @openai/codex@<spec>` would pick among the published ones, or null. */
export function resolveNpmVersion(spec: string, distTags: Record<string, string>, versions: string[]): string | null {
  const wanted = spec.trim() || "latest";
  if (distTags[wanted]) return distTags[wanted];
  const exact = wanted.replace(/^[v=]/, "");
  if (versions.includes(exact)) return exact;
  const matches = parseRange(wanted);
  return (matches && versions.filter(matches).sort((a, b) => cmp(parse(a), parse(b))).pop()) || null;
}

// codex_version with codex_install_source = "npm" means what it meant to coder-labs/codex, whose
// `npm install -g @openai/codex@<codex_version>` took dist-tags ("next") and ranges ("0.46",
// "^0.46.0"). This resolves the common forms against the packument's versions; pure.

type Triple = [number, number, number];
type Comparator = (v: Triple) => boolean;

const cmp = (a: Triple, b: Triple) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
const RELEASE = /^(\d+)\.(\d+)\.(\d+)$/;

/** `1`, `1.2`, `1.2.3`, `1.x`, `*`: the given parts, and how many were given. */
function partial(text: string): { v: Triple; given: number } | null {
  const m = /^v?(\d+|[x*])(?:\.(\d+|[x*]))?(?:\.(\d+|[x*]))?$/i.exec(text);
  if (!m) return null;
  const parts = m.slice(1).filter((p) => p !== undefined);
  const given = parts.findIndex((p) => !/^\d+$/.test(p!));
  const n = given < 0 ? parts.length : given;
  return { v: [0, 1, 2].map((i) => (i < n ? Number(parts[i]) : 0)) as Triple, given: n };
}

/** The versions a partial covers: [low, high) by the parts given (1.2 = >=1.2.0 <1.3.0). */
function span({ v, given }: { v: Triple; given: number }): Comparator {
  if (given === 0) return () => true;
  const high: Triple = given === 1 ? [v[0] + 1, 0, 0] : given === 2 ? [v[0], v[1] + 1, 0] : [v[0], v[1], v[2] + 1];
  return (x) => cmp(x, v) >= 0 && cmp(x, high) < 0;
}

function comparator(token: string): Comparator | null {
  const m = /^(\^|~|>=|<=|>|<|=)?(.+)$/.exec(token)!;
  const p = partial(m[2]!);
  if (!p) return null;
  const { v, given } = p;
  switch (m[1]) {
    case "^": {
      // Below the next change of the first non-zero part given: ^1.2.3 <2.0.0, ^0.46 <0.47.0, ^0.0.3 <0.0.4.
      const high: Triple = v[0] || given < 2 ? [v[0] + 1, 0, 0] : v[1] || given < 3 ? [0, v[1] + 1, 0] : [0, 0, v[2] + 1];
      return (x) => cmp(x, v) >= 0 && cmp(x, high) < 0;
    }
    case "~": // patch updates: ~1.2.3 is >=1.2.3 <1.3.0; ~1 is 1.x
      return (x) => cmp(x, v) >= 0 && span({ v, given: Math.min(given, 2) })(x);
    case ">=":
      return (x) => cmp(x, v) >= 0;
    case ">":
      return given === 3 ? (x) => cmp(x, v) > 0 : (x) => !span(p)(x) && cmp(x, v) > 0;
    case "<=":
      return given === 3 ? (x) => cmp(x, v) <= 0 : (x) => span(p)(x) || cmp(x, v) < 0;
    case "<":
      return (x) => cmp(x, v) < 0;
    default:
      return span(p);
  }
}

/** A range as npm writes it: comparators joined by spaces (and), alternatives by `||`; null if not one. */
export function parseRange(range: string): ((version: string) => boolean) | null {
  const alternatives = range.split("||").map((alt) => alt.trim().replace(/(\^|~|>=|<=|>|<|=)\s+/g, "$1").split(/\s+/).map(comparator));
  if (alternatives.some((alt) => alt.some((c) => !c))) return null;
  return (version) => {
    const m = RELEASE.exec(version); // prereleases only by exact version or dist-tag, as npm does
    const v = m && (m.slice(1).map(Number) as Triple);
    return !!v && alternatives.some((alt) => alt.every((c) => c!(v)));
  };
}

/** The version `npm install @openai/codex@<spec>` would pick among the published ones, or null. */
export function resolveNpmVersion(spec: string, distTags: Record<string, string>, versions: string[]): string | null {
  const wanted = spec.trim() || "latest";
  if (distTags[wanted]) return distTags[wanted];
  const exact = wanted.replace(/^[v=]/, "");
  if (versions.includes(exact)) return exact;
  const matches = parseRange(wanted);
  if (!matches) return null;
  const best = versions.filter(matches).sort((a, b) => cmp(a.split(".").map(Number) as Triple, b.split(".").map(Number) as Triple)).pop();
  return best ?? null;
}

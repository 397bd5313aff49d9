// Medians and spreads; every comparison is a ratio of medians taken in the same run.
export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
}

export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { n: s.length, median, min: s[0]!, max: s[s.length - 1]! };
}

/** Runs the named functions interleaved (a b c a b c …) so machine noise hits all alike. */
export async function interleaved(runs: number, fns: Record<string, () => Promise<number> | number>) {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) for (const [k, fn] of Object.entries(fns)) samples[k]!.push(await fn());
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)])) as Record<string, Summary>;
}

export const ms = (x: number) => `${x.toFixed(1)} ms`;
export const fmt = (s: Summary) => `${ms(s.median)} (${ms(s.min)}–${ms(s.max)}, n=${s.n})`;

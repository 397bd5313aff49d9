// What every download shares, whichever asset it is: the release "latest" names and the digest check.
import type { InstallStep } from "../plan.ts";
import { progress } from "../log.ts";
import { download, latestTag, type Net } from "./fetch.ts";
import { bare } from "./plan.ts";

/** A verified download waiting in temp files, and how it was had. */
export interface Fetched {
  /** The package tree (codex) or the executable (agentapi). */
  path: string;
  /** "" when only the executable can tell (latest without a redirect). */
  version: string;
  url: string;
  sha256: string;
  /** What vouched for the bytes: <name>_sha256, codex-package_SHA256SUMS, npm integrity, or nothing. */
  verified: string;
  layout: "package" | "binary+host" | "binary";
}

/** A version that names one release (not latest, a dist-tag or a range). */
export const exact = (v: string) => /^(rust-)?v?\d+\.\d+\.\d+/.test(v);

/**
 * The release directory to fetch from and its version: the version asked for, or for "latest" the
 * release that asset redirects to (version "" when it does not).
 */
export async function latestRelease(s: InstallStep, dir: string, asset: string, check: Net) {
  const tag = s.version === "latest" && (await latestTag(`${dir}/${asset}`, check));
  if (!tag) return { version: s.version === "latest" ? "" : bare(s.version), dir };
  return { version: bare(tag), dir: dir.replace("latest/download", `download/${tag}`) };
}

/** Downloads url into file, with progress under label; throws unless its sha256 is `want` (if any), named as `by`. */
export async function fetchChecked(url: string, file: string, net: Net, label: string, want: string | null = null, by = `${label}_sha256`, sha512 = false) {
  const got = await download(url, file, net, progress(label), sha512);
  if (want && got.sha256 !== want) throw new Error(`${url} has sha256 ${got.sha256}, not ${by} ${want}`);
  return got;
}

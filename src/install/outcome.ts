// What every download shares, whichever asset it is: the release "latest" names, the digest check,
// the new executable run once before it replaces anything, and a failure that either keeps a
// working floating install (a warning) or names the variables to check.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { InstallStep } from "../plan.ts";
import { RunError } from "../errors.ts";
import { progress, warn } from "../log.ts";
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
 * release the first asset that redirects names (version "" when none does).
 */
export async function latestRelease(s: InstallStep, dir: string, assets: string[], check: Net) {
  if (s.version !== "latest") return { version: bare(s.version), dir };
  for (const asset of assets) {
    const tag = await latestTag(`${dir}/${asset}`, check);
    if (tag) return { version: bare(tag), dir: dir.replace("latest/download", `download/${tag}`) };
  }
  return { version: "", dir };
}

/** Downloads url into file, with progress under label; throws unless its sha256 is `want` (if any), named as `by`. */
export async function fetchChecked(url: string, file: string, net: Net, label: string, want: string | null = null, by = `${label}_sha256`) {
  const got = await download(url, file, net, progress(label));
  if (want && got.sha256 !== want) throw new Error(`${url} has sha256 ${got.sha256}, not ${by} ${want}`);
  return got;
}

/** The version `exe --version` reports; a wrong asset (an HTML page, another platform) fails here. */
export async function versionOf(exe: string, name: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(exe, ["--version"], { timeout: 20_000 }); // Bun may throw here, not reject
    return /\d+\.\d+\.\d+\S*/.exec(stdout)?.[0] ?? "unknown";
  } catch (e) {
    throw new Error(`the downloaded ${name} does not run (${(e as Error).message.split("\n")[0]})`);
  }
}

/** Warns and returns when `kept` names a working install of a floating version; else throws the failure. */
export function failed(s: InstallStep, e: unknown, kept: string | false | undefined): void {
  const why = (e as Error).message;
  if (kept) return void warn(`could not get the latest ${s.name} (${why}); keeping the installed ${kept}`);
  throw new RunError(
    `installing ${s.name} ${bare(s.version)}: ${why}. Check ${s.name}_version${s.sha256 ? `, ${s.name}_sha256` : ""} and ${s.source === "npm" ? "npm_registry_url" : "github_url"}; the installed ${s.name}, if any, was kept`,
  );
}

// What every install ends with, whichever asset it was: the new executable runs once before it
// replaces anything, and a failure either keeps a working "latest" (a warning) or names the
// variables to check.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { InstallStep } from "../plan.ts";
import { RunError } from "../errors.ts";
import { warn } from "../log.ts";

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
export function failed(s: InstallStep, e: unknown, kept: string | false | undefined, version: string): void {
  const why = (e as Error).message;
  if (kept) return void warn(`could not get the latest ${s.name} (${why}); keeping the installed ${kept}`);
  throw new RunError(
    `installing ${s.name} ${version}: ${why}. Check ${s.name}_version${s.sha256 ? `, ${s.name}_sha256` : ""} and ${s.source === "npm" ? "npm_registry_url" : "github_url"}; the installed ${s.name}, if any, was kept`,
  );
}

// Reads what the planners need to know about the machine. Read-only: a dry run calls this too.
import { accessSync, constants, statSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { InputError, type Inputs } from "./inputs.ts";
import type { Facts } from "./plan.ts";
import { pathsFor } from "./paths.ts";
import { fileId, readTextOrNull } from "./fsutil.ts";
import { RunError } from "./errors.ts";
import { readState } from "./state.ts";
import { launchFacts } from "./agentapi.ts";

export function findOnPath(name: string, pathVar: string | undefined): string | null {
  for (const dir of (pathVar ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** The environment without secrets: planners never see a secret's value. */
export function publicEnv(env: Record<string, string | undefined>, secretNames: readonly string[]) {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !secretNames.includes(k)));
}

/**
 * lenient (stop, status): a file that cannot be read (a directory, a file where a directory belongs)
 * counts as absent, with a warning naming it; stopping agentapi must not depend on config files.
 * Otherwise it is an error naming the path.
 */
export function gatherFacts(inputs: Inputs, env: Record<string, string | undefined>, secretNames: readonly string[], lenient = false): Facts {
  const home = env.HOME || homedir();
  const paths = pathsFor(home, env.CODEX_HOME);
  const workdir = inputs.workdir || home;
  const warnings: string[] = [];
  const read = (path: string) => {
    try {
      return readTextOrNull(path);
    } catch (e) {
      const why = `cannot read ${path}: ${(e as Error).message}`;
      if (!lenient) throw new RunError(`${why}. Fix or remove it`);
      warnings.push(why);
      return null;
    }
  };
  const state = readState(paths.stateJson, warnings);
  let workdirExists = true;
  try {
    if (!statSync(workdir).isDirectory()) throw new Error();
  } catch (e) {
    workdirExists = false;
    // A file there (or above it) would only fail later, when agentapi cannot start in it.
    if ((e as NodeJS.ErrnoException).code !== "ENOENT" && !lenient) {
      throw new InputError(`input "workdir" is ${workdir}, which is not a directory. Set workdir to a directory, or move that file away`);
    }
  }
  return {
    paths,
    warnings,
    platform: { os: process.platform, arch: process.arch },
    env: publicEnv(env, secretNames),
    files: {
      configToml: read(paths.configToml),
      agentsMd: read(paths.agentsMd),
      npmrc: read(join(home, ".npmrc")),
    },
    state,
    onPath: { codex: findOnPath("codex", env.PATH), agentapi: findOnPath("agentapi", env.PATH) },
    workdirExists,
    launch: launchFacts(paths, state, workdir),
    bins: { codex: fileId(join(paths.binDir, "codex")), agentapi: fileId(join(paths.binDir, "agentapi")) },
  };
}

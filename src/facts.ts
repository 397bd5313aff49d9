// Reads what the planners need to know about the machine. Read-only: a dry run calls this too.
import { accessSync, constants, existsSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { InputError, type Inputs } from "./inputs.ts";
import type { Facts } from "./plan.ts";
import { pathsFor } from "./paths.ts";
import { fileId, readTextOrNull } from "./fsutil.ts";
import { RunError } from "./errors.ts";
import { readState } from "./state.ts";
import { launchFacts } from "./agentapi.ts";

export function findOnPath(name: string, pathVar: string | undefined): string | null {
  for (const dir of (pathVar ?? "").split(":")) {
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

const linkOrNull = (path: string) => {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
};

/** Where codex-code-mode-host must be for this codex (beside the real file), and whether it is. */
function hostBeside(codex: string | null) {
  if (!codex) return null;
  const path = join(dirname(realpathSync(codex)), "codex-code-mode-host"); // findOnPath proved codex is there
  return { path, exists: existsSync(path) };
}

/** `codex --help`: which flags this Codex takes (they change between releases). Null when it does not run. */
export function codexHelp(codex: string, env: Record<string, string | undefined>): string | null {
  try {
    const r = spawnSync(codex, ["--help"], { encoding: "utf8", env, timeout: 20_000, stdio: ["ignore", "pipe", "ignore"] });
    return r.status === 0 ? r.stdout : null;
  } catch {
    return null; // e.g. Deno without --allow-run in a dry run
  }
}

/** The codex a start will run: the module's, or the one on PATH with install_codex = false. */
export const codexToRun = (inputs: Inputs, f: Pick<Facts, "paths" | "onPath">) =>
  (!inputs.install_codex && f.onPath.codex) || join(f.paths.binDir, "codex");

/**
 * lenient (stop, status): a file that cannot be read (a directory, a file where a directory belongs)
 * counts as absent, with a warning naming it; stopping agentapi must not depend on config files.
 * Otherwise it is an error naming the path.
 */
export function gatherFacts(
  inputs: Inputs, env: Record<string, string | undefined>, secretNames: readonly string[], command = "", lenient = false,
): Facts {
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
  const onPath = { codex: findOnPath("codex", env.PATH), agentapi: findOnPath("agentapi", env.PATH) };
  const codex = codexToRun(inputs, { paths, onPath });
  const visibleEnv = publicEnv(env, secretNames);
  return {
    paths,
    warnings,
    platform: { os: process.platform, arch: process.arch },
    env: visibleEnv,
    files: {
      configToml: read(paths.configToml),
      agentsMd: read(paths.agentsMd),
      npmrc: read(join(home, ".npmrc")),
    },
    state,
    onPath,
    pathCodexHost: inputs.install_codex ? null : hostBeside(onPath.codex),
    codexHelp: command === "start" && existsSync(codex) ? codexHelp(codex, visibleEnv) : null,
    workdirExists,
    launch: launchFacts(paths, state, workdir),
    bins: { codex: fileId(join(paths.binDir, "codex")), agentapi: fileId(join(paths.binDir, "agentapi")), codexLink: linkOrNull(join(paths.binDir, "codex")) },
  };
}

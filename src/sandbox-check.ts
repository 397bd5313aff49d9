// After install and configure: does Codex's own sandbox work in this workspace? The default
// sandbox_mode ("workspace-write") needs user namespaces, which Docker and Kubernetes workspaces
// often block; then every command Codex runs fails. Say so once, with the fix; never weaken the
// sandbox on the user's behalf.
import { spawnSync } from "node:child_process";
import { parse } from "smol-toml";
import type { RunContext } from "./context.ts";
import { readTextOrNull } from "./fsutil.ts";
import { step, warn } from "./log.ts";
import { updateState, type State } from "./state.ts";

const SANDBOX_FIX =
  'Allow user namespaces in the container\'s seccomp/AppArmor profile, or, if the workspace is the isolation boundary, set sandbox_mode = "danger-full-access" in base_config_toml';

/** One line for `status` and the boot log. */
export const describeSandbox = (s: State["sandbox"]) =>
  !s ? "not checked yet" : s.ok ? `works (sandbox_mode = ${s.mode}${s.detail ? `; ${s.detail}` : ""})` : `does not work here (${s.detail}): every command Codex runs fails. ${SANDBOX_FIX}`;

/** Checks the sandbox_mode Codex will read from config.toml (Codex's default when unset or unreadable). */
function sandboxResult({ facts: { paths }, inputs, env }: RunContext, codex: string): NonNullable<State["sandbox"]> {
  let mode;
  try {
    mode = parse(readTextOrNull(paths.configToml) ?? "").sandbox_mode;
  } catch {}
  if (typeof mode !== "string") mode = "read-only";
  if (mode === "danger-full-access") return { ok: true, mode, detail: "no sandbox to check" };
  // `codex sandbox -- true` sets up the same bubblewrap sandbox Codex puts around every command;
  // releases before 0.147 spell it `codex sandbox linux -- true` (and answer the new form with a
  // usage error, exit 2).
  const sandbox = (argv: string[]) =>
    spawnSync(codex, argv, {
      cwd: inputs.workdir || paths.home, env: { ...env, CODEX_HOME: paths.codexHome }, encoding: "utf8", timeout: 30_000, stdio: ["ignore", "pipe", "pipe"],
    });
  let r = sandbox(["sandbox", "--", "true"]);
  if (r.status === 2) r = sandbox(["sandbox", "linux", "--", "true"]);
  if (r.status === 0) return { ok: true, mode };
  const why = r.error?.message ?? (r.stderr ?? "").split("\n").map((l) => l.trim()).filter((l) => l && !/^WARNING: proceeding/.test(l)).at(-1);
  return { ok: false, mode, detail: why || `codex sandbox exited ${r.status ?? r.signal}` };
}

/**
 * `recorded`: the result of the start that launched the agentapi this start keeps (same inputs, same
 * Codex, same container), reported again instead of checked again on the warm path.
 */
export function checkSandbox(ctx: RunContext, codex: string, recorded?: State["sandbox"]): void {
  const result = recorded ?? sandboxResult(ctx, codex);
  if (!recorded) updateState(ctx.facts.paths.stateJson, "sandbox", result);
  (result.ok ? step : warn)(`Codex's sandbox ${describeSandbox(result)}`);
}

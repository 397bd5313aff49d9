// Carries out the configuration part of the plan: files, workdir, API-key login, ownership record.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync } from "node:fs";
import type { RunContext } from "./context.ts";
import { RunError } from "./errors.ts";
import { makeDir, readTextOrNull, writeAtomic } from "./fsutil.ts";
import { step, warn } from "./log.ts";
import { updateState } from "./state.ts";

/** `codex login --with-api-key` with the key on stdin, unless Codex holds this key already. */
function login([bin, ...args]: string[], ctx: RunContext): void {
  const key = ctx.secrets.OPENAI_API_KEY!;
  const auth = `${ctx.facts.paths.codexHome}/auth.json`;
  if (readTextOrNull(auth)?.includes(JSON.stringify(key))) return void step("Codex is already logged in with OPENAI_API_KEY");
  const r = spawnSync(bin!, args, { env: ctx.env, input: key, encoding: "utf8" });
  if (r.status !== 0) {
    throw new RunError(`Codex login failed: ${r.error
      ? `cannot run ${bin} (${r.error.message}). Install Codex (install_codex = true) or put codex on PATH`
      : `${r.stderr.trim().split("\n").pop() || `exit ${r.status}`}. Check OPENAI_API_KEY`}`);
  }
  // Codex writes it 0600 today; the module promises it whatever Codex does (no file with a keyring store).
  if (existsSync(auth)) chmodSync(auth, 0o600);
  step("logged Codex in with OPENAI_API_KEY");
}

export async function runConfigure(ctx: RunContext): Promise<void> {
  const { plan, facts } = ctx;
  // Planned once (cli.ts): what the module owns and whether the old file parsed travel in the plan.
  const config = plan.config!;
  for (const f of plan.files) {
    // Before config.toml changes, keep what was there: as .bak, or aside when it did not parse.
    if (f.path === facts.paths.configToml && f.action === "update") {
      const keep = config.invalid ? `${f.path}.invalid-${new Date().toISOString().replace(/[:.]/g, "-")}` : `${f.path}.bak`;
      writeAtomic(keep, facts.files.configToml!, 0o600);
      if (config.invalid) warn(`moved the invalid ${f.path} to ${keep}: copy what you need back from it`);
    }
    step(`${writeAtomic(f.path, f.content, f.mode) ? "wrote" : "unchanged"} ${f.path}`);
    for (const n of f.notes ?? []) step(`  ${n}`);
  }
  updateState(facts.paths.stateJson, "config", { owned: config.owned });
  for (const cmd of plan.commands) {
    if (cmd.action !== "run") continue;
    if (cmd.name === "login") login(cmd.argv, ctx);
    else {
      const dir = cmd.argv.at(-1)!; // the only other command: workdir
      makeDir(dir, 0o755);
      step(`created workdir ${dir}`);
    }
  }
}

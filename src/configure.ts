// Carries out the configuration part of the plan: files, workdir, API-key login, ownership record.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import type { RunContext } from "./context.ts";
import { RunError } from "./errors.ts";
import { readTextOrNull, writeAtomic } from "./fsutil.ts";
import { maskKey, planConfigFiles } from "./codex-config.ts";
import { step, warn } from "./log.ts";
import type { CommandStep } from "./plan.ts";
import { updateState } from "./state.ts";

/** Before config.toml changes: keep the old text as .bak, or move an unparseable one aside. */
function keepPrevious(path: string, content: string): void {
  const current = readTextOrNull(path);
  if (current === null || current === content) return;
  try {
    parse(current);
  } catch {
    const aside = `${path}.invalid-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    renameSync(path, aside);
    warn(`${path} WAS NOT VALID TOML and was moved to ${aside}; a fresh config.toml is written. Copy what you need back from it`);
    return;
  }
  writeAtomic(`${path}.bak`, current, 0o600);
}

function login(cmd: CommandStep, ctx: RunContext): void {
  const [bin, ...args] = cmd.argv as [string, ...string[]];
  const key = ctx.secrets.OPENAI_API_KEY!;
  const run = (argv: string[], input = "") => spawnSync(bin, argv, { env: ctx.env, input, encoding: "utf8" });
  const status = run(["login", "status"]);
  if (status.error) {
    throw new RunError(`Codex login failed: cannot run ${bin} (${status.error.message}). Install Codex (install_codex = true) or put codex on PATH`);
  }
  const mask = maskKey(key);
  if (status.status === 0 && mask && `${status.stdout}${status.stderr}`.includes(`API key configured - ${mask}`)) {
    step("Codex is already logged in with OPENAI_API_KEY");
    return;
  }
  const r = run(args, key);
  if (r.status !== 0) {
    const why = `${r.stderr}`.trim().split("\n").pop() || `exit ${r.status}`;
    throw new RunError(`Codex login failed: codex login --with-api-key: ${why}. Check OPENAI_API_KEY`);
  }
  // Codex writes it 0600 today; the module promises it whatever Codex does.
  const auth = join(ctx.facts.paths.codexHome, "auth.json");
  if (existsSync(auth)) chmodSync(auth, 0o600);
  step("logged Codex in with OPENAI_API_KEY");
}

export async function runConfigure(ctx: RunContext): Promise<void> {
  const { plan, facts } = ctx;
  const config = planConfigFiles(ctx.inputs, ctx.secrets, facts);
  for (const w of config.warnings) warn(w);
  for (const f of plan.files) {
    if (f.path === facts.paths.configToml) keepPrevious(f.path, f.content);
    const wrote = writeAtomic(f.path, f.content, f.mode);
    step(`${wrote ? (f.action === "create" ? "created" : "updated") : "unchanged"} ${f.path}`);
    for (const n of f.notes ?? []) step(`  ${n}`);
  }
  updateState(facts.paths.stateJson, "config", { owned: config.owned });
  for (const cmd of plan.commands) {
    if (cmd.action !== "run") continue;
    if (cmd.name === "workdir") {
      const dir = cmd.argv.at(-1)!;
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o755);
      step(`created workdir ${dir}`);
    } else if (cmd.name === "login") login(cmd, ctx);
  }
}

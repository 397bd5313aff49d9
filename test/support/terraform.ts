// Runs the real Terraform with the locally built coder provider (a filesystem mirror named by
// tools().terraformrc; the machine's TF_CLI_CONFIG_FILE points at a file that does not exist, so it
// is always overridden) and applies this repository's module from a throwaway root module.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT, tools } from "./tools.ts";
import { runAsync, type RunResult } from "./sandbox.ts";

/** The environment Terraform runs in: the test's, plus the provider mirror and no telemetry. */
export function terraformEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    TF_CLI_CONFIG_FILE: tools().terraformrc,
    TF_IN_AUTOMATION: "1",
    CHECKPOINT_DISABLE: "1",
    ...extra,
  };
}

/** Runs terraform without blocking the event loop (tests also run loopback servers). */
export function terraform(args: string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<RunResult> {
  return runAsync([tools().terraform, ...args, "-no-color"], { cwd: opts.cwd, env: terraformEnv(opts.env), timeoutMs: opts.timeoutMs });
}

async function ok(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<string> {
  const r = await terraform(args, opts);
  if (r.code !== 0) throw new Error(`terraform ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export interface Resource {
  type: string;
  name: string;
  index?: number | string;
  values: Record<string, any>;
}

export interface Applied {
  resources: Resource[];
  outputs: Record<string, unknown>;
  /** The script of coder_script.<name> ("start" or "stop"). */
  script(name: "start" | "stop"): string;
  /** name -> value of every coder_env (what the agent puts in the environment). */
  env: Record<string, string>;
}

/** Prepares dir as a root module calling the module in moduleDir, by default this repository
 * (init once, apply many with the same moduleDir). */
export async function initModule(dir: string, moduleDir = ROOT): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await ok(["init", "-input=false"], { cwd: writeRoot(dir, {}, moduleDir) });
}

/** Terraform takes a path as a local module source only when it starts with ./ or ../. */
const local = (path: string) => (path.startsWith("../") ? path : `./${path}`);

/** The root module passes each variable on; values go through terraform.tfvars.json, so they
 * arrive literally (no HCL or template escaping). */
function writeRoot(dir: string, vars: Record<string, unknown>, moduleDir: string): string {
  const names = Object.keys(vars);
  const root = {
    ...(names.length ? { variable: Object.fromEntries(names.map((n) => [n, n === "openai_api_key" ? { sensitive: true } : {}])) } : {}),
    // A relative source is used in place; an absolute one would be copied (with node_modules).
    module: { codex: { source: local(relative(dir, moduleDir)), ...Object.fromEntries(names.map((n) => [n, `\${var.${n}}`])) } },
    output: { task_app_id: { value: "${module.codex.task_app_id}" } },
  };
  writeFileSync(join(dir, "main.tf.json"), JSON.stringify(root, null, 2));
  writeFileSync(join(dir, "terraform.tfvars.json"), JSON.stringify(vars, null, 2));
  return dir;
}

/** `terraform apply` of the module with these variables; env reaches the coder provider. */
export async function applyModule(
  dir: string, vars: Record<string, unknown>, providerEnv: Record<string, string> = {}, moduleDir = ROOT,
): Promise<Applied> {
  writeRoot(dir, vars, moduleDir);
  await ok(["apply", "-auto-approve", "-input=false"], { cwd: dir, env: providerEnv });
  const state = JSON.parse(await ok(["show", "-json"], { cwd: dir, env: providerEnv })) as {
    values: { outputs?: Record<string, { value: unknown }>; root_module: { child_modules?: { resources: Resource[] }[] } };
  };
  const resources = state.values.root_module.child_modules?.[0]?.resources ?? [];
  const outputs = Object.fromEntries(Object.entries(state.values.outputs ?? {}).map(([k, v]) => [k, v.value]));
  const script = (name: string) => {
    const r = resources.find((x) => x.type === "coder_script" && x.name === name);
    if (!r) throw new Error(`no coder_script.${name} in the state`);
    return r.values.script as string;
  };
  const env = Object.fromEntries(resources.filter((r) => r.type === "coder_env").map((r) => [r.values.name, r.values.value]));
  return { resources, outputs, script, env };
}

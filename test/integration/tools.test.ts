// The real tools the other tests rely on, each proven to run.
import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PINS } from "../support/versions.ts";
import { tools } from "../support/tools.ts";

const t = tools();
const version = (argv: string[], env: Record<string, string | undefined> = process.env) => {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", env });
  expect(r.status).toBe(0);
  return r.stdout + r.stderr;
};
const scratch = mkdtempSync(join(tmpdir(), "codex-boot-tools-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test("real Bun runs at the pinned version", () => expect(version([t.bun, "--version"]).trim()).toBe(PINS.bun));
test("real Deno runs at the pinned version", () => expect(version([t.deno, "--version"])).toContain(`deno ${PINS.deno}`));
test("real Codex runs at the pinned version", () => expect(version([t.codex, "--version"])).toContain(`codex-cli ${PINS.codex}`));
test("real AgentAPI runs at the pinned version", () => expect(version([t.agentapi, "--version"])).toContain(PINS.agentapi));

test("real Terraform runs and is new enough", () => {
  const v = JSON.parse(version([t.terraform, "version", "-json"], { ...process.env, TF_CLI_CONFIG_FILE: t.terraformrc })).terraform_version;
  const [major, minor] = v.split(".").map(Number);
  expect(major > 1 || (major === 1 && minor >= 9)).toBe(true);
});

test("terraform init resolves coder/coder to the provider built here", () => {
  const dir = join(scratch, "tf");
  mkdirSync(dir);
  writeFileSync(
    join(dir, "main.tf"),
    `terraform {\n  required_providers {\n    coder = { source = "coder/coder", version = "${PINS.coderProvider}" }\n  }\n}\n`,
  );
  const env = { ...process.env, TF_CLI_CONFIG_FILE: t.terraformrc, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
  const init = spawnSync(t.terraform, ["init", "-input=false", "-no-color"], { cwd: dir, env, encoding: "utf8" });
  expect(init.stderr).toBe("");
  expect(init.stdout).toContain(`Installing coder/coder v${PINS.coderProvider}`);
  const providers = spawnSync(t.terraform, ["version", "-json"], { cwd: dir, env, encoding: "utf8" });
  expect(JSON.parse(providers.stdout).provider_selections["registry.terraform.io/coder/coder"]).toBe(PINS.coderProvider);
});

test("real Codex accepts a generated config: codex mcp list --json", () => {
  const codexHome = join(scratch, "codex-home");
  mkdirSync(codexHome);
  writeFileSync(
    join(codexHome, "config.toml"),
    '[mcp_servers.Coder]\ncommand = "coder"\nargs = ["exp", "mcp", "server"]\nenv_vars = ["CODER_AGENT_TOKEN"]\n',
  );
  const r = spawnSync(t.codex, ["mcp", "list", "--json"], { encoding: "utf8", env: { ...process.env, CODEX_HOME: codexHome, HOME: scratch } });
  expect(r.status).toBe(0);
  const servers = JSON.parse(r.stdout);
  expect(servers.map((s: { name: string }) => s.name)).toEqual(["Coder"]);
});

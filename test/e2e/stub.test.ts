// The POSIX stub of the rendered coder_script (scripts/boot.sh via Terraform): runtime choice, Bun
// install sources, digest pinning and its error messages. The program runs with --dry-run here
// (the stub passes extra arguments on), so only the stub's own work happens.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tools } from "../support/tools.ts";
import { PINS } from "../support/versions.ts";
import { makeSandbox, runAsync, type RunResult, type Sandbox } from "../support/sandbox.ts";
import { applyModule, initModule } from "../support/terraform.ts";
import { startMirror, type Mirror } from "../support/mirror.ts";
import { moduleWithVersion } from "../support/module-copy.ts";
import { serveBun } from "./bun-mirror.ts";
import { typicalConfig } from "../../bench/script-size.ts";
import { cleanupWorkspaces, runScript, UTILS, workspace, type Workspace } from "./workspace.ts";

const TIMEOUT = 120_000;
const VERSION = JSON.parse(readFileSync(join(import.meta.dir, "../../package.json"), "utf8")).version as string;
let mirror: Mirror;
let tfDir: Sandbox;
let bun: ReturnType<typeof serveBun>;
const scripts = new Map<string, string>();

beforeAll(async () => {
  tools();
  mirror = await startMirror();
  bun = serveBun(mirror);
  tfDir = makeSandbox("codex-boot-tf-");
  await initModule(tfDir.root);
}, TIMEOUT);

afterAll(async () => {
  await mirror?.close();
  tfDir?.cleanup();
});

afterEach(cleanupWorkspaces);

/** The start script for these extra variables (one apply per distinct set). */
async function startScript(vars: Record<string, unknown> = {}): Promise<string> {
  const id = JSON.stringify(vars);
  if (!scripts.has(id)) {
    const applied = await applyModule(tfDir.root, { agent_id: "agent-1", workdir: "/home/coder/project", github_url: mirror.url, ...vars });
    scripts.set(id, applied.script("start"));
  }
  return scripts.get(id)!;
}

const dryRun = async (ws: Workspace, script: string, extraEnv: Record<string, string> = {}) =>
  runScript(script, join(ws.box.root, "start.sh"), { ...ws.box.env, PATH: ws.path, ...extraEnv }, ws.box.home, ["--dry-run"]);

/** The program's first line in a dry run: its version and the command. */
const programLine = (r: RunResult) => r.stdout.split("\n").find((l) => l.includes(" — dry run of "));

const runtimeDir = (ws: Workspace) => join(ws.box.home, ".codex-module", "runtime");

describe("the boot stub", () => {
  test("the rendered start and stop scripts (comments stripped) are POSIX sh that shellcheck finds clean", async () => {
    const sc = tools().shellcheck;
    if (!sc) throw new Error("shellcheck is not set up: run `bun test/support/setup.ts`");
    const defaults = await applyModule(tfDir.root, { agent_id: "agent-1", workdir: "/home/coder/project", js_runtime: "auto" });
    const typical = await applyModule(tfDir.root, typicalConfig());
    for (const [name, applied] of [["start", defaults], ["stop", defaults], ["start", typical]] as const) {
      expect(applied.script(name).split("\n").filter((l) => /^\s*#(?!!)/.test(l))).toEqual([]);
      const file = join(tfDir.root, `${name}.sh`);
      writeFileSync(file, applied.script(name));
      const r = spawnSync(sc, ["--shell=sh", "--severity=style", file], { encoding: "utf8" });
      expect(`${r.stdout}${r.stderr}`).toBe("");
      expect(r.status).toBe(0);
      expect(spawnSync("/bin/sh", ["-n", file]).status).toBe(0);
    }
  }, TIMEOUT);

  for (const via of ["NPM_CONFIG_REGISTRY", "registry= in ~/.npmrc"] as const) {
    test(`without a runtime and with only ${via}, Bun comes from that registry, verified, and the program runs with the extra arguments`, async () => {
      const ws = workspace(null);
      const env: Record<string, string> = via === "NPM_CONFIG_REGISTRY" ? { NPM_CONFIG_REGISTRY: mirror.url } : {};
      if (via !== "NPM_CONFIG_REGISTRY") writeFileSync(join(ws.box.home, ".npmrc"), `fund=false\nregistry = ${mirror.url}/\n`);
      const seen = mirror.requests.length;
      const r = await dryRun(ws, await startScript(), env);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`codex-boot: installed Bun ${PINS.bun} (linux-x64`);
      expect(r.stdout).toContain('dry run of "start"');
      expect(mirror.requests.slice(seen).map((q) => q.path).filter((p) => p.startsWith("/@oven/"))).toEqual([
        expect.stringMatching(new RegExp(`^${bun.npm}(-baseline)?/-/bun-linux-x64(-baseline)?-${PINS.bun}\\.tgz$`)),
      ]);
      const installed = spawnSync(join(runtimeDir(ws), "bun"), ["--version"], { encoding: "utf8" });
      expect(installed.stdout.trim()).toBe(PINS.bun);
      // Nothing left of the download.
      expect(readdirSync(join(ws.box.home, ".codex-module")).sort()).toEqual(["codex-boot", "codex-boot.mjs", "runtime"]);
    }, TIMEOUT);
  }

  test("a Bun download whose binary is not pinned is refused and not installed", async () => {
    const ws = workspace(null);
    const fake = join(ws.box.root, "fake");
    mkdirSync(join(fake, "package", "bin"), { recursive: true });
    writeFileSync(join(fake, "package", "bin", "bun"), "#!/bin/sh\necho 1.4.4\n", { mode: 0o755 });
    spawnSync("tar", ["-C", fake, "-czf", join(ws.box.root, "fake.tgz"), "package"]);
    for (const t of ["linux-x64", "linux-x64-baseline"]) {
      mirror.fault(`/@oven/bun-${t}/-/bun-${t}-${PINS.bun}.tgz`, { kind: "body", bytes: readFileSync(join(ws.box.root, "fake.tgz")) });
    }
    const r = await dryRun(ws, await startScript({ npm_registry_url: mirror.url }));
    mirror.faults.clear();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^codex-boot: installing Bun: http:\/\/127\.0\.0\.1:\d+\/@oven\/.* has SHA-256 [0-9a-f]{64}, which is not pinned for Bun 1\.4\.4\. Discarded it; check the mirror\n$/);
    expect(existsSync(runtimeDir(ws))).toBe(false);
    expect(readdirSync(join(ws.box.home, ".codex-module"))).toEqual([]);
  }, TIMEOUT);

  test("an earlier installed Bun of bun_version is reused without a download", async () => {
    const ws = workspace(null);
    mkdirSync(runtimeDir(ws), { recursive: true });
    symlinkSync(tools().bun, join(runtimeDir(ws), "bun"));
    const seen = mirror.requests.length;
    const r = await dryRun(ws, await startScript({ npm_registry_url: mirror.url }));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`codex-boot: start with ${join(runtimeDir(ws), "bun")}\n`);
    expect(mirror.requests.length).toBe(seen);
  }, TIMEOUT);

  test("the launcher put on the workspace PATH runs the program with the module's inputs", async () => {
    const ws = workspace("deno");
    const bin = join(ws.box.root, "script-bin");
    const env = { ...ws.box.env, PATH: ws.path, CODER_SCRIPT_BIN_DIR: bin };
    const script = await startScript({ workdir: "/srv/launcher-check", agentapi_port: 4321 });
    const start = await runScript(script, join(ws.box.root, "start.sh"), env, ws.box.home, ["--dry-run"]);
    expect(start.stderr).toBe("");
    expect(start.code).toBe(0);
    const r = await runAsync(["/bin/sh", "-c", "codex-boot --dry-run --json"], { env, cwd: ws.box.home });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).inputs).toMatchObject({ workdir: "/srv/launcher-check", agentapi_port: 4321 });
  }, TIMEOUT);

  test("js_runtime picks deno over a bun on PATH when asked", async () => {
    const ws = workspace("bun");
    symlinkSync(tools().deno, join(ws.box.root, "runtime", "deno"));
    const r = await dryRun(ws, await startScript({ js_runtime: "deno" }));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`codex-boot: start with ${join(ws.box.root, "runtime", "deno")}\n`);
    expect((await dryRun(ws, await startScript())).stdout).toContain(`codex-boot: start with ${join(ws.box.root, "runtime", "bun")}\n`);
  }, TIMEOUT);

  test("js_runtime = node without node >= 20 on PATH fails and says what to do", async () => {
    const ws = workspace("bun");
    const r = await dryRun(ws, await startScript({ js_runtime: "node" }));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'codex-boot: js_runtime is node but no node (deno >= 2, node >= 20) is on PATH. Install it in the image, or set js_runtime = "auto" to let the module install Bun\n',
    );
  }, TIMEOUT);

  test("a module upgrade runs the new program in the same HOME; the same bundle again is not unpacked again", async () => {
    const ws = workspace("bun");
    const upgrade = makeSandbox("codex-boot-upgrade-");
    try {
      const moduleDir = join(upgrade.root, "module");
      mkdirSync(moduleDir);
      const next = "0.0.0-upgrade.2";
      await moduleWithVersion(moduleDir, next);
      await initModule(upgrade.home, moduleDir);
      const vars = { agent_id: "agent-1", workdir: "/home/coder/project", github_url: mirror.url };
      const upgraded = (await applyModule(upgrade.home, vars, {}, moduleDir)).script("start");
      const program = join(ws.box.home, ".codex-module", "codex-boot.mjs");

      const first = await dryRun(ws, await startScript());
      expect(first.code).toBe(0);
      expect(programLine(first)).toBe(`codex-boot ${VERSION} — dry run of "start" (nothing is written)`);

      const second = await dryRun(ws, upgraded);
      expect(second.stderr).toBe("");
      expect(second.code).toBe(0);
      expect(programLine(second)).toBe(`codex-boot ${next} — dry run of "start" (nothing is written)`);
      expect(readFileSync(program)).toEqual(readFileSync(join(moduleDir, "dist", "codex-boot.js")));

      const fileId = () => ({ ino: statSync(program).ino, mtimeMs: statSync(program).mtimeMs });
      const unpacked = fileId();
      const third = await dryRun(ws, upgraded);
      expect(programLine(third)).toBe(`codex-boot ${next} — dry run of "start" (nothing is written)`);
      expect(fileId()).toEqual(unpacked);
    } finally {
      upgrade.cleanup();
    }
  }, TIMEOUT);

  describe("with an old node (v18) first on PATH", () => {
    /** A workspace whose PATH starts with a `node` that reports v18 and logs any other use. */
    const withOldNode = () => {
      const ws = workspace(null);
      const dir = join(ws.box.root, "old-node");
      mkdirSync(dir);
      const used = join(ws.box.root, "old-node-used");
      writeFileSync(join(dir, "node"), `#!/bin/sh\n[ "$1" = --version ] && { echo v18.20.4; exit 0; }\necho "$*" >>'${used}'\nexit 3\n`, { mode: 0o755 });
      return { ws: { ...ws, path: `${dir}:${ws.path}` }, used };
    };

    test("js_runtime = node refuses it, says node >= 20 is needed, and never runs it", async () => {
      const { ws, used } = withOldNode();
      const r = await dryRun(ws, await startScript({ js_runtime: "node" }), { NPM_CONFIG_REGISTRY: mirror.url });
      expect(r.stderr).toBe(
        'codex-boot: js_runtime is node but no node (deno >= 2, node >= 20) is on PATH. Install it in the image, or set js_runtime = "auto" to let the module install Bun\n',
      );
      expect(r.code).toBe(1);
      expect(existsSync(used)).toBe(false);
      expect(existsSync(runtimeDir(ws))).toBe(false);
    }, TIMEOUT);

    test("js_runtime = auto installs Bun and runs the program with it, never with the old node", async () => {
      const { ws, used } = withOldNode();
      const r = await dryRun(ws, await startScript(), { NPM_CONFIG_REGISTRY: mirror.url });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`codex-boot: installed Bun ${PINS.bun} (linux-x64`);
      expect(r.stdout).toContain(`codex-boot: start with ${join(runtimeDir(ws), "bun")}\n`);
      expect(r.stdout).toContain('dry run of "start"');
      expect(existsSync(used)).toBe(false);
    }, TIMEOUT);
  });

  test("without curl or wget the Bun install says which tools it looked for", async () => {
    const ws = workspace(null, UTILS.filter((u) => u !== "curl"));
    const r = await dryRun(ws, await startScript({ npm_registry_url: mirror.url }));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("codex-boot: installing Bun: no curl or wget. Install one, or put bun, deno >= 2 or node >= 20 on PATH\n");
  }, TIMEOUT);
});

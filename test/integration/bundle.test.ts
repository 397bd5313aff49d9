// The one built file under real Bun, real Deno and Node: same version, same plan, same errors.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:http";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { tools, runtimeArgv, BUNDLE, type Runtime } from "../support/tools.ts";
import { b64config, makeSandbox, runBundle, runBundleAsync, snapshot, type Sandbox } from "../support/sandbox.ts";

const RUNTIMES: Runtime[] = ["bun", "deno", "node"];
const SECRET = "sk-test-DO-NOT-PRINT-0123456789";
const AGENT_TOKEN = "agent-token-DO-NOT-PRINT-98765";
let box: Sandbox;

const inputs = {
  workdir: "/home/coder/project",
  codex_model: "gpt-5.2-codex",
  ai_prompt: "Fix the 'tests' and \"lint\" $(rm -rf /) `id`\nthen report ✓",
  codex_version: "0.169.0",
};

beforeAll(() => {
  tools(); // fail loudly (not skip) when the setup has not run
  box = makeSandbox();
});
afterAll(() => box.cleanup());

const envWith = (extra: Record<string, string> = {}) => ({
  ...box.env,
  OPENAI_API_KEY: SECRET,
  CODER_AGENT_TOKEN: AGENT_TOKEN,
  CODEX_BOOT_CONFIG: b64config(inputs),
  ...extra,
});

describe("the bundle under every runtime", () => {
  test("--version prints the same line under Bun, Deno and Node", () => {
    const lines = RUNTIMES.map((r) => runBundle(r, ["--version"], { env: box.env }));
    for (const l of lines) expect(l.code).toBe(0);
    expect(lines[0]!.stdout).toMatch(/^codex-boot \d+\.\d+\.\d+/);
    expect(new Set(lines.map((l) => l.stdout)).size).toBe(1);
  });

  test("--dry-run --json prints the same plan under Bun, Deno and Node", () => {
    const plans = RUNTIMES.map((r) => runBundle(r, ["--dry-run", "--json"], { env: envWith() }));
    for (const p of plans) expect(p.stderr).toBe("");
    for (const p of plans) expect(p.code).toBe(0);
    const parsed = plans.map((p) => JSON.parse(p.stdout));
    expect(Object.keys(parsed[0]!)).toEqual(expect.arrayContaining(["version", "inputs", "files", "install", "launch"]));
    expect(parsed[1]).toEqual(parsed[0]);
    expect(parsed[2]).toEqual(parsed[0]);
    expect(parsed[0]!.inputs.ai_prompt).toBe(inputs.ai_prompt);
  });

  test("the prompt reaches the launch argv as one element, byte-exact", () => {
    const plan = JSON.parse(runBundle("bun", ["--dry-run", "--json"], { env: envWith() }).stdout);
    expect(plan.launch.argv.filter((a: string) => a.endsWith(inputs.ai_prompt))).toHaveLength(1);
  });

  test("a dry run writes nothing in HOME", () => {
    mkdirSync(join(box.home, ".codex"), { recursive: true });
    writeFileSync(join(box.home, ".codex", "config.toml"), 'model = "mine"\n');
    const before = snapshot(box.home);
    for (const r of RUNTIMES) {
      expect(runBundle(r, ["--dry-run"], { env: envWith() }).code).toBe(0);
      expect(runBundle(r, ["install", "--dry-run", "--json"], { env: envWith() }).code).toBe(0);
    }
    expect(snapshot(box.home)).toEqual(before);
  });

  test("a dry run under Deno needs neither write, net nor run permission", () => {
    const t = tools();
    const r = runBundle("deno", ["--dry-run", "--json"], {
      env: envWith(),
      runtimeArgv: [t.deno, "run", "--no-prompt", "--allow-read", "--allow-env", "--allow-sys", BUNDLE],
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  test("a dry run makes no network request, even with a mirror and a proxy configured", async () => {
    let requests = 0;
    const server: Server = createServer((_req, res) => {
      requests++;
      res.end();
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const env = envWith({
      HTTP_PROXY: url, HTTPS_PROXY: url, NPM_CONFIG_REGISTRY: url,
      CODEX_BOOT_CONFIG: b64config({ ...inputs, github_url: url, npm_registry_url: url, codex_install_source: "npm" }),
    });
    for (const r of RUNTIMES) expect((await runBundleAsync(r, ["--dry-run"], { env })).code).toBe(0);
    server.close();
    expect(requests).toBe(0);
  });
});

describe("colors", () => {
  const BOLD = "\x1b[1m";
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  /** The dry run on a real terminal (util-linux `script` gives it a pty), as the bytes it wrote. */
  const onTerminal = (runtime: Runtime, env: Record<string, string>) => {
    const cmd = [...runtimeArgv(runtime), "--dry-run"].map(quote).join(" ");
    const r = spawnSync("script", ["-qec", cmd, "/dev/null"], { env, cwd: box.home, encoding: "utf8", timeout: 120_000 });
    expect(r.status).toBe(0);
    return r.stdout;
  };
  /** The sandbox sets NO_COLOR for every other test: not here. */
  const colorEnv = () => {
    const env: Record<string, string> = envWith();
    delete env.NO_COLOR;
    return env;
  };

  test("on a terminal the dry run is colored under Bun, Deno and Node (node:util styleText, no package)", () => {
    for (const r of RUNTIMES) {
      const text = onTerminal(r, colorEnv());
      expect(text).toContain(`${BOLD}codex-boot`);
      expect(text).toContain(`${BOLD}inputs`);
    }
  });

  test("NO_COLOR, TERM=dumb or a pipe keep the dry run plain under Bun, Deno and Node", () => {
    for (const r of RUNTIMES) {
      expect(onTerminal(r, { ...colorEnv(), NO_COLOR: "1" })).not.toContain("\x1b[");
      expect(onTerminal(r, { ...colorEnv(), TERM: "dumb" })).not.toContain("\x1b[");
      expect(runBundle(r, ["--dry-run"], { env: colorEnv() }).stdout).not.toContain("\x1b[");
    }
  });
});

describe("bad input exits 2 and names the key", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["unknown key", { codex_modle: "x" }, /"codex_modle".*did you mean "codex_model"/],
    ["wrong type", { install_codex: "yes" }, /"install_codex".*boolean/],
    ["relative workdir", { workdir: "src" }, /"workdir".*absolute/],
    ["bad reasoning effort", { model_reasoning_effort: "max" }, /"model_reasoning_effort"/],
  ];
  for (const [name, raw, message] of cases) {
    for (const r of RUNTIMES) {
      test(`${name} under ${r}`, () => {
        const res = runBundle(r, ["--dry-run"], { env: { ...envWith(), CODEX_BOOT_CONFIG: b64config(raw) } });
        expect(res.code).toBe(2);
        expect(res.stderr).toMatch(/^codex-boot: /);
        expect(res.stderr).toMatch(message);
        expect(res.stdout + res.stderr).not.toContain(SECRET);
      });
    }
  }

  test("flags override the environment and a relative --workdir is refused", () => {
    const ok = runBundle("bun", ["--dry-run", "--json", "--model", "o4-mini"], { env: envWith() });
    expect(JSON.parse(ok.stdout).inputs.codex_model).toBe("o4-mini");
    const res = runBundle("bun", ["--dry-run", "--workdir", "rel"], { env: envWith() });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('"workdir"');
  });

  test("--config FILE is read and unknown options are refused", () => {
    const file = join(box.root, "inputs.json");
    writeFileSync(file, JSON.stringify({ codex_model: "from-file" }));
    const res = runBundle("deno", ["--dry-run", "--json", "--config", file], { env: box.env });
    expect(JSON.parse(res.stdout).inputs.codex_model).toBe("from-file");
    expect(runBundle("bun", ["--frobnicate"], { env: box.env }).code).toBe(2);
    expect(runBundle("bun", ["frobnicate"], { env: box.env }).code).toBe(2);
  });
});

// Each of these starts a runtime per case: seconds under load, beyond bun test's 5 s default.
describe("commands, flags and help", () => {
  test("the command after --dry-run is the one previewed, under Bun, Deno and Node", () => {
    for (const r of RUNTIMES) {
      for (const command of ["install", "configure", "stop", "status"]) {
        const res = runBundle(r, ["--dry-run", command], { env: envWith() });
        expect(res.code).toBe(0);
        expect(res.stdout).toContain(`dry run of "${command}"`);
      }
    }
  }, 60_000);

  test("stop --dry-run shows what stop would do, not only the inputs", () => {
    const res = runBundle("bun", ["stop", "--dry-run"], { env: envWith() });
    expect(res.stdout).toContain("\nstop\n  skip task log snapshot (agentapi is not running)\n  none agentapi, remove ");
  });

  test("--json without --dry-run is refused before anything is written", () => {
    const before = snapshot(box.home);
    const res = runBundle("bun", ["--json"], { env: envWith() });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("add --dry-run to preview start as JSON");
    expect(snapshot(box.home)).toEqual(before);
  });

  test("each command's --help is its own and the same under Bun, Deno and Node", () => {
    for (const command of ["install", "stop"]) {
      const helps = RUNTIMES.map((r) => runBundle(r, [command, "--help"], { env: box.env }));
      for (const h of helps) expect(h.code).toBe(0);
      expect(helps[0]!.stdout).toContain(`Usage: codex-boot ${command} [flags]`);
      expect(new Set(helps.map((h) => h.stdout)).size).toBe(1);
    }
  }, 30_000);

  test("under Deno without permission flags, one line says which deno run flags to use", () => {
    const res = runBundle("deno", ["--dry-run"], { env: envWith(), runtimeArgv: [tools().deno, "run", "--no-prompt", BUNDLE] });
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split("\n")).toEqual([
      `codex-boot: Deno did not grant --allow-read, --allow-env, --allow-sys. Run it as: deno run --allow-read --allow-write --allow-env --allow-net --allow-run --allow-sys ${BUNDLE} (a dry run needs only: deno run --allow-read --allow-env --allow-sys ${BUNDLE} --dry-run)`,
    ]);
  });

});

describe("secrets", () => {
  test("OPENAI_API_KEY and CODER_AGENT_TOKEN never appear in any output", () => {
    for (const r of RUNTIMES) {
      for (const args of [["--dry-run"], ["--dry-run", "--json"], ["--dry-run", "--verbose"], ["--help"]]) {
        const res = runBundle(r, args, { env: envWith() });
        expect(res.stdout + res.stderr).not.toContain(SECRET);
        expect(res.stdout + res.stderr).not.toContain(AGENT_TOKEN);
      }
    }
  }, 60_000); // 12 runtime starts: beyond the 5 s default under load

  test("the dry run says a secret is set without showing it", () => {
    const res = runBundle("bun", ["--dry-run"], { env: envWith() });
    expect(res.stdout).toMatch(/OPENAI_API_KEY: set \(\*\*\*\)/);
  });
});

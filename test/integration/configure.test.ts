// `codex-boot configure` from the built bundle under real Bun and real Deno, checked with the real Codex.
import { afterEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { tools, type Runtime } from "../support/tools.ts";
import { b64config, findSecrets, makeSandbox, runBundle, snapshot, type Sandbox } from "../support/sandbox.ts";

const RUNTIMES: Runtime[] = ["bun", "deno"];
const KEY = "sk-test-CONFIGURE-0123456789abcdef";
const AGENT_TOKEN = "agent-token-CONFIGURE-424242";
const PROMPT = "You are the configure test assistant. Say PROMPT-MARKER-7 first.";
const EXTRA = '[mcp_servers.github]\ncommand = "github-mcp"\nargs = ["stdio"]\nenv = { GITHUB_HOST = "ghe.example" }\n';

let boxes: Sandbox[] = [];
afterEach(() => {
  for (const b of boxes) b.cleanup();
  boxes = [];
});

/** A sandbox HOME with the real Codex where the module installs it, or on PATH. */
function sandbox(codexAt: "module-bin" | "path" = "module-bin") {
  const box = makeSandbox("codex-boot-configure-");
  boxes.push(box);
  const dir = codexAt === "path" ? join(box.root, "usr-bin") : join(box.home, ".codex-module", "bin");
  mkdirSync(dir, { recursive: true });
  symlinkSync(tools().codex, join(dir, "codex"));
  const env = { ...box.env, ...(codexAt === "path" ? { PATH: `${dir}:${box.env.PATH}` } : {}) };
  const workdir = join(box.root, "work dir", "project");
  const paths = {
    config: join(box.home, ".codex", "config.toml"),
    agents: join(box.home, ".codex", "AGENTS.md"),
    auth: join(box.home, ".codex", "auth.json"),
    state: join(box.home, ".codex-module", "state.json"),
  };
  const inputs = (over: Record<string, unknown> = {}) => ({ workdir, codex_system_prompt: PROMPT, additional_mcp_servers: EXTRA, ...over });
  const configure = (runtime: Runtime, over: Record<string, unknown> = {}, extraEnv: Record<string, string> = {}, args: string[] = []) =>
    runBundle(runtime, ["configure", ...args], {
      env: { ...env, OPENAI_API_KEY: KEY, CODER_AGENT_TOKEN: AGENT_TOKEN, CODEX_BOOT_CONFIG: b64config(inputs(over)), ...extraEnv },
    });
  const codex = (...args: string[]) => spawnSync(tools().codex, args, { env, encoding: "utf8", cwd: box.home });
  return { box, env, workdir, paths, configure, codex };
}

const ok = (r: { code: number; stdout: string; stderr: string }) => {
  if (r.code !== 0) throw new Error(`configure exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
};
const mode = (p: string) => statSync(p).mode & 0o777;

for (const runtime of RUNTIMES) {
  describe(`configure under ${runtime}`, () => {
    test("a real run prints the plan's warnings once: an additional server replacing Coder", () => {
      const s = sandbox();
      const r = ok(s.configure(runtime, { additional_mcp_servers: '[mcp_servers.Coder]\ncommand = "my-coder"\n' }));
      expect(r.stderr.match(/warning: additional_mcp_servers replaces codex-boot's \[mcp_servers\.Coder\]/g)).toHaveLength(1);
    });

    test("the generated config.toml passes the pinned Codex's --strict-config, with and without MCP servers, AI Bridge and a base config", () => {
      const variants: Record<string, unknown>[] = [
        { additional_mcp_servers: "" },
        {},
        { enable_aibridge: true, aibridge_base_url: "http://127.0.0.1:9/api/v2/aibridge/openai/v1" },
        { base_config_toml: 'sandbox_mode = "read-only"\napproval_policy = "on-request"\n[tui]\nnotifications = true\n', codex_model: "", model_reasoning_effort: "high" },
      ];
      for (const over of variants) {
        const s = sandbox();
        ok(s.configure(runtime, over, over.enable_aibridge ? { CODER_AIBRIDGE_SESSION_TOKEN: "t", OPENAI_API_KEY: "" } : {}));
        // Codex rejects unknown keys here (e.g. preferred_auth_method, which 0.169 does not know).
        const doctor = s.codex("--strict-config", "doctor", "--json");
        const load = JSON.parse(doctor.stdout).checks["config.load"];
        expect({ over, status: load.status, summary: load.summary }).toEqual({ over, status: "ok", summary: "config loaded" });
      }
    }, 120_000);

    test("the real Codex lists exactly the Coder and additional MCP servers, with env and env_vars", () => {
      const s = sandbox();
      ok(s.configure(runtime));
      const list = s.codex("mcp", "list", "--json");
      expect(list.status).toBe(0);
      const servers = JSON.parse(list.stdout) as { name: string; transport: Record<string, unknown> }[];
      expect(servers.map((x) => x.name).sort()).toEqual(["Coder", "github"]);
      const coder = servers.find((x) => x.name === "Coder")!.transport;
      expect(coder).toMatchObject({ type: "stdio", command: "coder", args: ["exp", "mcp", "server"] });
      expect(coder.env).toEqual({
        CODER_MCP_APP_STATUS_SLUG: "codex",
        CODER_MCP_AI_AGENTAPI_URL: "http://localhost:3284",
        CODER_MCP_ALLOWED_TOOLS: "coder_report_task",
      });
      expect(coder.env_vars).toEqual(["CODER_AGENT_URL", "CODER_AGENT_TOKEN", "CODER_AGENT_SOCKET_PATH"]);
      expect(servers.find((x) => x.name === "github")!.transport).toMatchObject({
        command: "github-mcp", args: ["stdio"], env: { GITHUB_HOST: "ghe.example" },
      });
    });

    test("files get their modes, the workdir is created 0755, ownership is recorded, Codex is logged in 0600", () => {
      const s = sandbox();
      const r = ok(s.configure(runtime));
      expect(mode(s.paths.config)).toBe(0o600);
      expect(mode(s.paths.agents)).toBe(0o644);
      expect(mode(s.paths.state)).toBe(0o600);
      expect(statSync(s.workdir).isDirectory()).toBe(true);
      expect(mode(s.workdir)).toBe(0o755);
      expect(readFileSync(s.paths.agents, "utf8")).toContain(PROMPT);
      const owned = JSON.parse(readFileSync(s.paths.state, "utf8")).config.owned as string[][];
      expect(owned).toContainEqual(["model"]);
      expect(owned).toContainEqual(["mcp_servers", "github"]);
      expect(owned).toContainEqual(["projects", s.workdir, "trust_level"]);
      expect(r.stdout).toContain("logged Codex in with OPENAI_API_KEY");
      expect(mode(s.paths.auth)).toBe(0o600);
      const status = s.codex("login", "status");
      expect(status.status).toBe(0);
      expect(status.stdout + status.stderr).toContain("API key configured - sk-test-***bcdef");
      const trusted = parse(readFileSync(s.paths.config, "utf8")) as any;
      expect(trusted.projects[s.workdir]).toEqual({ trust_level: "trusted" });
    });

    test("a second run changes nothing: same bytes, same mtimes, login skipped", () => {
      const s = sandbox();
      ok(s.configure(runtime));
      const watched = [s.paths.config, s.paths.agents, s.paths.auth, s.paths.state];
      const before = watched.map((p) => [readFileSync(p, "utf8"), statSync(p).mtimeMs]);
      const again = ok(s.configure(runtime));
      expect(watched.map((p) => [readFileSync(p, "utf8"), statSync(p).mtimeMs])).toEqual(before);
      expect(again.stdout).toContain("Codex is already logged in with OPENAI_API_KEY");
      expect(again.stdout).toContain(`unchanged ${s.paths.config}`);
      expect(existsSync(s.paths.config + ".bak")).toBe(false);
    });

    test("no file the module writes and no output holds OPENAI_API_KEY or CODER_AGENT_TOKEN", () => {
      const s = sandbox();
      const outputs = [s.configure(runtime), s.configure(runtime), s.configure(runtime, {}, {}, ["--dry-run"])];
      for (const o of outputs) {
        expect(o.stdout + o.stderr).not.toContain(KEY);
        expect(o.stdout + o.stderr).not.toContain(AGENT_TOKEN);
      }
      // auth.json is Codex's own credential file (checked 0600 above); everything else is searched.
      const hits = findSecrets(s.box.root, [KEY, AGENT_TOKEN]);
      expect(hits).toContain(`/home/.codex/auth.json: ${KEY.slice(0, 6)}…`); // the search does find a key where one is
      expect(hits.filter((h) => !h.startsWith("/home/.codex/auth.json:"))).toEqual([]);
    });

    test("invalid TOML in base_config_toml or additional_mcp_servers exits 2 with line and column and touches nothing", () => {
      const s = sandbox();
      ok(s.configure(runtime));
      // Files, not directory mtimes: the boot lock is taken (and released) before the plan is made.
      const files = () => Object.fromEntries(Object.entries(snapshot(s.box.home)).filter(([, e]) => e.kind === "file"));
      const before = files();
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ base_config_toml: 'model = "a"\napproval_policy = = "never"\n' }, /input "base_config_toml" is not valid TOML \(line 2, column \d+: /],
        [{ additional_mcp_servers: '[mcp_servers.x]\ncommand = "x"\nargs = [\n' }, /input "additional_mcp_servers" is not valid TOML \(line 4, column \d+: /],
        [{ additional_mcp_servers: 'model = "x"\n' }, /may only define \[mcp_servers\.NAME\] tables, not "model"\. Put other settings in base_config_toml/],
      ];
      for (const [over, message] of cases) {
        const r = s.configure(runtime, over);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^codex-boot: /);
        expect(r.stderr).toMatch(message);
      }
      expect(files()).toEqual(before);
    });

    test("an unparseable config.toml is moved aside with a loud warning, never lost", () => {
      const s = sandbox();
      mkdirSync(join(s.box.home, ".codex"), { recursive: true });
      const broken = 'model = "gpt-5"\n[mcp_servers.mine\ncommand = "x"\n';
      writeFileSync(s.paths.config, broken);
      const r = ok(s.configure(runtime));
      expect(r.stderr).toContain("is not valid TOML (line 2");
      expect(r.stderr).toContain(`moved the invalid ${s.paths.config} to ${s.paths.config}.invalid-`);
      const aside = readdirSync(join(s.box.home, ".codex")).filter((n) => n.startsWith("config.toml.invalid-"));
      expect(aside).toHaveLength(1);
      expect(readFileSync(join(s.box.home, ".codex", aside[0]!), "utf8")).toBe(broken);
      expect(s.codex("mcp", "list", "--json").status).toBe(0);
    });

    test("a changed config.toml keeps the previous version as config.toml.bak (0600)", () => {
      const s = sandbox();
      ok(s.configure(runtime));
      const edited = readFileSync(s.paths.config, "utf8").replace('model = "gpt-5.2-codex"', 'model = "user-choice"');
      writeFileSync(s.paths.config, edited);
      const r = ok(s.configure(runtime));
      expect(r.stdout).toContain("model: overwritten (codex-boot manages it)");
      expect(readFileSync(s.paths.config + ".bak", "utf8")).toBe(edited);
      expect(mode(s.paths.config + ".bak")).toBe(0o600);
      expect((parse(readFileSync(s.paths.config, "utf8")) as any).model).toBe("gpt-5.2-codex");
    });
  });
}

describe("configure: login and Codex location", () => {
  test("a different OPENAI_API_KEY logs Codex in again; no key means no login", () => {
    const s = sandbox();
    ok(s.configure("bun"));
    const other = "sk-test-ROTATED-9876543210zyxwv";
    const r = ok(s.configure("bun", {}, { OPENAI_API_KEY: other }));
    expect(r.stdout).toContain("logged Codex in with OPENAI_API_KEY");
    expect(s.codex("login", "status").stderr).toContain("sk-test-***zyxwv");
    const fresh = sandbox();
    const none = ok(runBundle("deno", ["configure"], { env: { ...fresh.env, CODEX_BOOT_CONFIG: b64config({ workdir: fresh.workdir }) } }));
    expect(none.stdout).not.toContain("logged");
    expect(existsSync(fresh.paths.auth)).toBe(false);
  });

  test("with install_codex = false the codex on PATH logs in", () => {
    const s = sandbox("path");
    const r = ok(s.configure("deno", { install_codex: false }));
    expect(r.stdout).toContain("logged Codex in with OPENAI_API_KEY");
    expect(s.codex("login", "status").status).toBe(0);
  });

  test("a missing codex is a runtime failure (exit 1) that says what to do", () => {
    const s = sandbox("path");
    const r = s.configure("bun"); // install_codex = true, but nothing installed in the module's bin dir yet
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^codex-boot: Codex login failed: cannot run .*\.codex-module\/bin\/codex .*Install Codex/);
  });

  test("the dry run shows each file with path, mode, action and content, the login with the key redacted, and writes nothing", () => {
    const s = sandbox();
    const before = snapshot(s.box.home);
    const r = ok(s.configure("deno", {}, {}, ["--dry-run"]));
    expect(snapshot(s.box.home)).toEqual(before);
    expect(r.stdout).toContain(`create ${s.paths.config} (mode 0600)`);
    expect(r.stdout).toContain(`create ${s.paths.agents} (mode 0644)`);
    expect(r.stdout).toContain('    [mcp_servers.Coder]');
    expect(r.stdout).toContain(PROMPT);
    expect(r.stdout).toContain(`run mkdir -p -m 0755 ${s.workdir}`);
    expect(r.stdout).toContain("login --with-api-key < OPENAI_API_KEY (***) — unless Codex already holds this key");
    expect(r.stdout).not.toContain(KEY);
    const plan = JSON.parse(ok(s.configure("bun", {}, {}, ["--dry-run", "--json"])).stdout);
    const config = plan.files.find((f: { path: string }) => f.path === s.paths.config);
    expect(config).toMatchObject({ mode: 0o600, action: "create" });
    expect(config.content).not.toContain(KEY);
    expect(config.content).not.toContain(AGENT_TOKEN);
  });
});

describe("idempotence with a user-edited config.toml", () => {
  const USER_PART = [
    "",
    "# my own settings",
    "[notice]",
    "hide_full_access_warning = true",
    "",
    "[mcp_servers.mine]",
    'command = "my-mcp"',
    'args = ["--fast"]',
    "",
    '[projects."/srv/other repo"]',
    'trust_level = "trusted"',
    "",
  ].join("\n");

  test("keys the user appends keep their bytes, comments included, across reruns", () => {
    const s = sandbox();
    ok(s.configure("bun"));
    appendFileSync(s.paths.config, USER_PART);
    const edited = readFileSync(s.paths.config, "utf8");
    const mtime = statSync(s.paths.config).mtimeMs;
    for (const runtime of RUNTIMES) ok(s.configure(runtime));
    expect(readFileSync(s.paths.config, "utf8")).toBe(edited);
    expect(statSync(s.paths.config).mtimeMs).toBe(mtime);
  });

  test("100 consecutive runs keep the user's part byte-identical and the file untouched after the first", () => {
    const s = sandbox();
    ok(s.configure("bun"));
    const original = readFileSync(s.paths.config, "utf8");
    writeFileSync(s.paths.config, original.replace('model = "gpt-5.2-codex"', 'model = "edited-by-user"') + USER_PART);
    const first = ok(s.configure("bun"));
    expect(first.stdout).toContain("model: overwritten (codex-boot manages it)");
    const settled = readFileSync(s.paths.config, "utf8");
    const mtime = statSync(s.paths.config).mtimeMs;
    const userPart = (text: string) => {
      const d = parse(text) as any;
      return JSON.stringify([d.notice, d.mcp_servers.mine, d.projects["/srv/other repo"]]);
    };
    expect(userPart(settled)).toBe(userPart(USER_PART));
    const started = performance.now();
    for (let i = 0; i < 100; i++) {
      ok(s.configure("bun"));
      if (readFileSync(s.paths.config, "utf8") !== settled) throw new Error(`run ${i + 1} changed config.toml`);
    }
    const ms = performance.now() - started;
    expect(statSync(s.paths.config).mtimeMs).toBe(mtime);
    const servers = JSON.parse(s.codex("mcp", "list", "--json").stdout).map((x: { name: string }) => x.name).sort();
    expect(servers).toEqual(["Coder", "github", "mine"]);
    console.log(`100 configure runs (bun, with the login check): ${Math.round(ms)} ms total, ${Math.round(ms / 100)} ms each`);
  }, 120_000);
});

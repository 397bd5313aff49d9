// The 3-way merge of config.toml: what is on disk, what the module owned last time, what it manages now.
import { describe, expect, test } from "bun:test";
import { parse } from "smol-toml";
import { planConfigFiles } from "../../src/codex-config.ts";
import { defaults, type Inputs, type Secrets } from "../../src/inputs.ts";
import { factsFixture } from "../support/facts.ts";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readState, type State } from "../../src/state.ts";
import { leaves, mergeOwned } from "../../src/toml-merge.ts";

const WORKDIR = "/home/coder/project";

const factsWith = (o: { configToml?: string | null; state?: State; onPathCodex?: string | null; workdirExists?: boolean } = {}) =>
  factsFixture({
    files: { configToml: o.configToml ?? null, agentsMd: null, npmrc: null },
    state: o.state ?? {},
    onPath: { codex: o.onPathCodex ?? null, agentapi: null },
    workdirExists: o.workdirExists ?? true,
  });

const inputs = (over: Partial<Inputs> = {}): Inputs => ({ ...defaults(), workdir: WORKDIR, ...over });
const plan = (disk: string | null, over: Partial<Inputs> = {}, state: State = {}, secrets: Secrets = {}) =>
  planConfigFiles(inputs(over), secrets, factsWith({ configToml: disk, state }));

/** One run after another, as the executor does it: the file and the ownership carry over. */
function runs(disk: string | null, ...steps: Partial<Inputs>[]) {
  let state: State = {};
  let text = disk;
  let last!: ReturnType<typeof plan>;
  for (const over of steps) {
    last = plan(text, over, state);
    text = last.files[0]!.content;
    state = { config: { owned: last.owned } };
  }
  return { text: text!, parsed: parse(text!) as any, file: last.files[0]!, owned: last.owned, warnings: last.warnings };
}

const USER = [
  'model = "my-model"',
  'personality = "terse"',
  "",
  "[notice]",
  "hide_full_access_warning = true",
  "",
  '[projects."/x"]',
  'trust_level = "trusted"',
  "",
  "[mcp_servers.mine]",
  'command = "my-mcp"',
  'env = { TOKEN_FILE = "/run/t" }',
  "",
].join("\n");

describe("merge with the file on disk (table-driven)", () => {
  const cases: { name: string; disk: string; check: (r: ReturnType<typeof runs>) => void }[] = [
    {
      name: "user tables are kept",
      disk: USER,
      check: (r) => {
        expect(r.parsed.notice).toEqual({ hide_full_access_warning: true });
        expect(r.parsed.personality).toBe("terse");
      },
    },
    {
      name: "the user's own MCP server is kept next to the module's",
      disk: USER,
      check: (r) => {
        expect(r.parsed.mcp_servers.mine).toEqual({ command: "my-mcp", env: { TOKEN_FILE: "/run/t" } });
        expect(r.parsed.mcp_servers.Coder.command).toBe("coder");
      },
    },
    {
      name: 'a Codex-written [projects."/x"] is kept next to the trusted workdir',
      disk: USER,
      check: (r) => expect(r.parsed.projects).toEqual({ "/x": { trust_level: "trusted" }, [WORKDIR]: { trust_level: "trusted" } }),
    },
    {
      name: "a user edit of a managed key is replaced and reported",
      disk: USER,
      check: (r) => {
        expect(r.parsed.model).toBe("gpt-5.2-codex");
        expect(r.file.notes).toContain("model: overwritten (codex-boot manages it)");
      },
    },
    {
      name: "an inline-table server of the user's survives as the same server",
      disk: 'mcp_servers = { inl = { command = "i", args = ["a", "b"] } }\n',
      check: (r) => expect(r.parsed.mcp_servers.inl).toEqual({ command: "i", args: ["a", "b"] }),
    },
    {
      name: "CRLF input is read and merged",
      disk: USER.replaceAll("\n", "\r\n"),
      check: (r) => {
        expect(r.parsed.notice).toEqual({ hide_full_access_warning: true });
        expect(r.parsed.mcp_servers.mine.command).toBe("my-mcp");
      },
    },
    {
      name: "unicode keys and values survive",
      disk: 'greeting = "héllo ✓ 日本"\n[projects."/home/ü/项目"]\ntrust_level = "untrusted"\n',
      check: (r) => {
        expect(r.parsed.greeting).toBe("héllo ✓ 日本");
        expect(r.parsed.projects["/home/ü/项目"]).toEqual({ trust_level: "untrusted" });
      },
    },
  ];
  for (const c of cases) test(c.name, () => c.check(runs(c.disk, {})));

  test("the user's keys are listed as kept in the notes", () => {
    const notes = runs(USER, {}).file.notes!.join("\n");
    expect(notes).toContain("kept your keys: personality, notice.hide_full_access_warning");
    expect(notes).toContain('projects."/x".trust_level');
    expect(notes).toContain("mcp_servers.mine");
  });

  test("a key the module stops managing is removed, tables it emptied go with it, the user's stay", () => {
    const extra = '[mcp_servers.gh]\ncommand = "gh"\n';
    const r = runs(USER, { additional_mcp_servers: extra, base_config_toml: "hide_agent_reasoning = true\n" }, {});
    expect(r.parsed).not.toHaveProperty("hide_agent_reasoning");
    expect(r.parsed.mcp_servers).not.toHaveProperty("gh");
    expect(r.parsed.mcp_servers.mine.command).toBe("my-mcp");
    expect(r.file.notes).toContain("hide_agent_reasoning: removed (codex-boot no longer manages it)");
    expect(r.file.notes).toContain("mcp_servers.gh: removed (codex-boot no longer manages it)");
    const moved = runs(null, { workdir: "/a" }, { workdir: "/b" });
    expect(moved.parsed.projects).toEqual({ "/b": { trust_level: "trusted" } });
    const off = runs(null, { enable_aibridge: true, aibridge_base_url: "http://127.0.0.1:9/v1" }, {});
    expect(off.parsed).not.toHaveProperty("model_providers");
    expect(off.parsed).not.toHaveProperty("model_provider");
  });

  test("a key the user added inside a module-owned MCP server is replaced with the whole server", () => {
    const first = runs(null, {});
    const edited = first.text.replace('command = "coder"', 'command = "coder"\nstartup_timeout_sec = 99');
    const r = runs(edited, {});
    expect(r.parsed.mcp_servers.Coder).not.toHaveProperty("startup_timeout_sec");
    expect(r.file.notes).toContain("mcp_servers.Coder: overwritten (codex-boot manages it)");
  });

  test("a workdir with spaces, quotes and backslashes is one trusted project key", () => {
    const workdir = '/home/coder/my "odd" dir\\with spaces';
    const r = runs(USER, { workdir }, { workdir });
    expect(r.parsed.projects[workdir]).toEqual({ trust_level: "trusted" });
    expect(Object.keys(r.parsed.projects).sort()).toEqual(["/x", workdir].sort());
  });

  test("a user's scalar where the module needs a table is replaced and reported", () => {
    const r = runs('projects = "oops"\n', {});
    expect(r.parsed.projects).toEqual({ [WORKDIR]: { trust_level: "trusted" } });
    expect(r.file.notes!.join("\n")).toContain(`projects.${JSON.stringify(WORKDIR)}.trust_level: overwritten (codex-boot manages it)`);
  });
});

describe("idempotence and byte stability", () => {
  test("planning over the module's own output is unchanged with identical bytes", () => {
    const first = runs(USER, {});
    const again = plan(first.text, {}, { config: { owned: first.owned } });
    expect(again.files[0]!.action).toBe("unchanged");
    expect(again.files[0]!.content).toBe(first.text);
    expect(again.files[0]!.notes!.filter((n) => !n.startsWith("kept your keys"))).toEqual([]);
  });

  test("a file that already means the managed document keeps its own bytes, comments and CRLF included", () => {
    const first = runs(null, {});
    const handWritten = "# my comment\r\n" + first.text.replaceAll("\n", "\r\n");
    const r = plan(handWritten, {}, { config: { owned: first.owned } });
    expect(r.files[0]!.action).toBe("unchanged");
    expect(r.files[0]!.content).toBe(handWritten);
  });

  test("a missing file is created; an unparseable one is reported loudly and replaced by a fresh document", () => {
    expect(plan(null).files[0]!.action).toBe("create");
    const bad = plan('model = "x\n[broken\n');
    expect(bad.files[0]!.action).toBe("update");
    expect(bad.warnings.join("\n")).toMatch(/config\.toml is not valid TOML \(line 1, column \d+: .*\): it will be moved to config\.toml\.invalid-<time>/);
    expect(parse(bad.files[0]!.content)).toEqual(parse(plan(null).files[0]!.content));
  });

  test("a corrupt ownership record in state.json is ignored, not fatal", () => {
    // The planner gets state.json as readState returns it: a record of the wrong shape is absent.
    const file = join(mkdtempSync(join(tmpdir(), "state-")), "state.json");
    writeFileSync(file, JSON.stringify({ config: { owned: [null, "x", ["model"]] } }));
    const problems: string[] = [];
    const r = plan(USER, {}, readState(file, problems));
    expect(problems.join("\n")).toContain("config is not valid");
    expect(parse(r.files[0]!.content).model).toBe("gpt-5.2-codex");
  });

  test("config.toml is planned with mode 0600 and never holds a secret's value", () => {
    const secrets = { OPENAI_API_KEY: "sk-test-SECRET-0123456789", CODER_AGENT_TOKEN: "agent-SECRET-987", CODER_AIBRIDGE_SESSION_TOKEN: "bridge-SECRET-55" };
    for (const over of [{}, { enable_aibridge: true, aibridge_base_url: "http://127.0.0.1:1/v1" }]) {
      const r = plan(USER, over, {}, secrets);
      expect(r.files[0]!.mode).toBe(0o600);
      for (const v of Object.values(secrets)) expect(r.files[0]!.content).not.toContain(v);
      expect(JSON.stringify(r.commands)).not.toContain(secrets.OPENAI_API_KEY);
    }
  });
});

describe("mergeOwned", () => {
  test("MCP servers and providers are owned whole; other tables key by key", () => {
    const paths = leaves({ a: { b: 1, c: { d: [1] } }, mcp_servers: { s: { command: "x", env: { A: "1" } } }, e: {} }).map(([p]) => p);
    expect(paths).toEqual([["a", "b"], ["a", "c", "d"], ["mcp_servers", "s"], ["e"]]);
  });

  test("keys keep their position when re-set, so a rerun does not reorder the file", () => {
    const doc: Record<string, unknown> = { first: 1, model: "old", last: 2 };
    mergeOwned(doc, [["model"]], { model: "new" });
    expect(Object.keys(doc)).toEqual(["first", "model", "last"]);
  });

  test("an empty managed table only makes sure the table exists", () => {
    const doc: Record<string, unknown> = { t: { user: 1 } };
    const m = mergeOwned(doc, [], { t: {}, u: {} });
    expect(doc).toEqual({ t: { user: 1 }, u: {} });
    expect(m.notes).toEqual(["kept your keys: t.user"]);
  });
});

describe("commands next to config.toml", () => {
  const cmds = (over: Partial<Inputs>, secrets: Secrets, facts = factsWith()) => planConfigFiles(inputs(over), secrets, facts).commands;

  test("with OPENAI_API_KEY the login feeds the key on stdin and argv never holds it", () => {
    const login = cmds({}, { OPENAI_API_KEY: "sk-test-abcdefghijklmnop" }).find((c) => c.name === "login")!;
    expect(login).toEqual({
      name: "login", argv: ["/home/coder/.codex-module/bin/codex", "login", "--with-api-key"], stdinSecret: "OPENAI_API_KEY",
      action: "run", reason: "unless Codex already holds this key",
    });
  });

  test("no key, or AI Bridge on: no login, and the reason says why", () => {
    expect(cmds({}, {}).find((c) => c.name === "login")).toMatchObject({ action: "skip", reason: "OPENAI_API_KEY is not set" });
    const bridge = cmds({ enable_aibridge: true, aibridge_base_url: "http://127.0.0.1:1/v1" }, { CODER_AIBRIDGE_SESSION_TOKEN: "t" });
    expect(bridge.find((c) => c.name === "login")).toMatchObject({ action: "skip", reason: "AI Bridge authenticates with CODER_AIBRIDGE_SESSION_TOKEN" });
  });

  test("the login uses codex on PATH when install_codex is false, the module's codex otherwise", () => {
    const f = factsWith({ onPathCodex: "/usr/local/bin/codex" });
    expect(cmds({ install_codex: false }, { OPENAI_API_KEY: "k" }, f).find((c) => c.name === "login")!.argv[0]).toBe("/usr/local/bin/codex");
    expect(cmds({}, { OPENAI_API_KEY: "k" }, f).find((c) => c.name === "login")!.argv[0]).toBe("/home/coder/.codex-module/bin/codex");
  });

  test("a missing workdir is created with mode 0755; an existing one is left alone", () => {
    expect(cmds({}, {}, factsWith({ workdirExists: false })).find((c) => c.name === "workdir")).toMatchObject({
      argv: ["mkdir", "-p", "-m", "0755", WORKDIR], action: "run",
    });
    expect(cmds({}, {}).find((c) => c.name === "workdir")!.action).toBe("skip");
  });

  test("AI Bridge without CODER_AIBRIDGE_SESSION_TOKEN is warned about", () => {
    const r = planConfigFiles(inputs({ enable_aibridge: true, aibridge_base_url: "http://127.0.0.1:1/v1" }), {}, factsWith());
    expect(r.warnings.join("\n")).toContain("CODER_AIBRIDGE_SESSION_TOKEN is not set");
  });
});

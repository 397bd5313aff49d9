import { describe, expect, test } from "bun:test";
import { defaults, InputError, type Inputs } from "../../src/inputs.ts";
import { planInstalls } from "../../src/install/plan.ts";
import { renderPlan } from "../../src/log.ts";
import { buildPlan } from "../../src/plan.ts";
import { factsFixture } from "../support/facts.ts";

const plan = (over: Partial<Inputs>, facts = factsFixture()) => planInstalls({ ...defaults(), ...over }, {}, facts);
const byName = (steps: ReturnType<typeof plan>["steps"]) => Object.fromEntries(steps.map((s) => [s.name, s]));
const TREE = "/home/coder/.codex-module/codex/0.169.0";
const installedFacts = (rec: { codex?: string; agentapi?: string }, file = { size: 10, mtimeMs: 1700000000123 }) =>
  factsFixture({
    state: {
      install: Object.fromEntries(Object.entries(rec).map(([n, v]) => [
        n, { version: v, sha256: "a".repeat(64), source: "github", url: "u", ...file, ...(n === "codex" && { dir: TREE, entry: "bin/codex" }) },
      ])),
    },
    bins: { codex: rec.codex ? file : null, agentapi: rec.agentapi ? file : null, codexLink: rec.codex ? `${TREE}/bin/codex` : null },
  });

describe("install plan: URLs", () => {
  const arm64 = factsFixture({ platform: { os: "linux", arch: "arm64" } });

  test("GitHub release URLs follow the release layout for pinned and latest versions; codex plans its release directory", () => {
    const pinned = byName(plan({ codex_version: "0.169.0", agentapi_version: "v0.12.2", github_url: "https://github.com/" }).steps);
    expect(pinned.codex!.url).toBe("https://github.com/openai/codex/releases/download/rust-v0.169.0");
    expect(pinned.agentapi!.url).toBe("https://github.com/coder/agentapi/releases/download/v0.12.2/agentapi-linux-amd64");
    const latest = byName(plan({ codex_version: "latest", agentapi_version: "", github_url: "http://ghe.example/a/" }, arm64).steps);
    expect(latest.codex!.url).toBe("http://ghe.example/a/openai/codex/releases/latest/download");
    expect(latest.agentapi!.url).toBe("http://ghe.example/a/coder/agentapi/releases/latest/download/agentapi-linux-arm64");
  });

  test("other platforms are refused, naming what is supported", () => {
    expect(() => plan({}, factsFixture({ platform: { os: "linux", arch: "ia32" } }))).toThrow(/unsupported platform linux\/ia32: .*linux\/x64 and linux\/arm64/);
    expect(() => plan({}, factsFixture({ platform: { os: "darwin", arch: "arm64" } }))).toThrow(/darwin\/arm64/);
  });

  test("codex is installed as a package tree under the module's codex dir from either source; AgentAPI is a bare binary", () => {
    for (const s of [byName(plan({}).steps), byName(plan({ codex_install_source: "npm", npm_registry_url: "http://r/" }, arm64).steps)]) {
      expect(s.codex).toMatchObject({ tree: "/home/coder/.codex-module/codex", dest: "/home/coder/.codex-module/bin/codex" });
      expect(s.agentapi!.entry).toBeNull();
    }
  });

  test("the npm source plans the packument on the configured registry, never a built-in host", () => {
    const s = byName(plan({ codex_install_source: "npm", npm_registry_url: "http://127.0.0.1:4873/npm/" }).steps);
    expect(s.codex).toMatchObject({ source: "npm", url: "http://127.0.0.1:4873/npm/@openai%2fcodex", action: "download" });
    expect(s.agentapi!.source).toBe("github");
    const fromNpmrc = byName(plan({ codex_install_source: "npm" }, factsFixture({ files: { configToml: null, agentsMd: null, npmrc: "registry=http://r.internal/\n" } })).steps);
    expect(fromNpmrc.codex!.url).toBe("http://r.internal/@openai%2fcodex");
  });

  test("the npm source without any configured registry is a bad-input error naming the variables", () => {
    let err: unknown;
    try {
      plan({ codex_install_source: "npm" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/codex_install_source.*npm_registry_url.*NPM_CONFIG_REGISTRY/);
  });
});

describe("install plan: warm check", () => {
  test("a pinned version recorded with the same file size and mtime is skip-installed", () => {
    const s = byName(plan({ codex_version: "0.169.0", agentapi_version: "v0.12.2" }, installedFacts({ codex: "0.169.0", agentapi: "0.12.2" })).steps);
    expect(s.codex!.action).toBe("skip-installed");
    expect(s.agentapi!.action).toBe("skip-installed");
  });

  test("a different version, a changed or missing file, or a different pin means download", () => {
    const action = (over: Partial<Inputs>, facts = installedFacts({ codex: "0.169.0" })) => byName(plan({ codex_version: "0.169.0", ...over }, facts).steps).codex!.action;
    expect(action({})).toBe("skip-installed");
    expect(action({ codex_version: "rust-v0.169.0", codex_sha256: "a".repeat(64) })).toBe("skip-installed");
    expect(action({ codex_version: "0.170.0" })).toBe("download");
    const changed = (codex: { size: number; mtimeMs: number } | null) => ({ ...installedFacts({ codex: "0.169.0" }), bins: { codex, agentapi: null, codexLink: `${TREE}/bin/codex` } });
    expect(action({}, changed({ size: 11, mtimeMs: 1700000000123 }))).toBe("download");
    expect(action({}, changed({ size: 10, mtimeMs: 1 }))).toBe("download");
    expect(action({}, changed(null))).toBe("download");
    expect(action({ codex_sha256: "b".repeat(64) })).toBe("download");
    expect(action({}, factsFixture())).toBe("download");
  });

  test("a bare codex binary of an earlier module version (no package tree recorded, no link) is replaced by the package", () => {
    const file = { size: 10, mtimeMs: 1700000000123 };
    const bare = factsFixture({
      state: { install: { codex: { version: "0.169.0", sha256: "a".repeat(64), source: "github", url: "u", ...file } } },
      bins: { codex: file, agentapi: null, codexLink: null },
    });
    expect(byName(plan({ codex_version: "0.169.0" }, bare).steps).codex!.action).toBe("download");
    // bin/codex pointing anywhere but the recorded tree is not the verified install either.
    const moved = { ...installedFacts({ codex: "0.169.0" }), bins: { codex: file, agentapi: null, codexLink: "/elsewhere/bin/codex" } };
    expect(byName(plan({ codex_version: "0.169.0" }, moved).steps).codex!.action).toBe("download");
  });

  test("latest is never skipped by the pure plan: one request at run time checks for a newer release", () => {
    const s = byName(plan({ codex_version: "latest" }, installedFacts({ codex: "0.169.0" })).steps);
    expect(s.codex).toMatchObject({ action: "download", installed: "0.169.0" });
    expect(s.codex!.reason).toContain("0.169.0 is installed; a request or two check");
  });
});

describe("install plan: existing binaries", () => {
  test("install_codex = false uses codex from PATH, else from the module's bin dir", () => {
    const onPath = byName(plan({ install_codex: false }, factsFixture({ onPath: { codex: "/usr/bin/codex", agentapi: null } })).steps);
    expect(onPath.codex).toMatchObject({ action: "use-existing", dest: "/usr/bin/codex", source: "existing", url: null });
    const inBin = byName(plan({ install_codex: false }, installedFacts({ codex: "0.1.0" })).steps);
    expect(inBin.codex).toMatchObject({ action: "use-existing", dest: "/home/coder/.codex-module/bin/codex" });
  });

  test("install_codex = false warns, naming the missing file, when the codex on PATH has no codex-code-mode-host beside it", () => {
    const facts = (exists: boolean) =>
      factsFixture({ onPath: { codex: "/usr/bin/codex", agentapi: null }, pathCodexHost: { path: "/opt/codex/bin/codex-code-mode-host", exists } });
    expect(plan({ install_codex: false }, facts(false)).warnings.join("\n")).toMatch(
      /codex on PATH has no codex-code-mode-host beside it \(\/opt\/codex\/bin\/codex-code-mode-host is missing\).*Install the complete Codex package in the image, or set install_codex = true/,
    );
    expect(plan({ install_codex: false }, facts(true)).warnings).toEqual([]);
  });

  test("install_codex = false with no codex anywhere warns naming install_codex", () => {
    const r = plan({ install_codex: false });
    expect(r.warnings.join("\n")).toMatch(/install_codex = false but codex is neither on PATH nor in \/home\/coder\/.codex-module\/bin\. Set install_codex = true/);
  });

  test("the dry run lists each install with action, name, version, source and URL", () => {
    const text = renderPlan(buildPlan("install", { ...defaults(), codex_version: "0.169.0", github_url: "http://127.0.0.1:9" }, {}, factsFixture()));
    expect(text).toContain("download codex 0.169.0 from github http://127.0.0.1:9/openai/codex/releases/download/rust-v0.169.0");
    expect(text).toContain("download agentapi v0.12.2 from github http://127.0.0.1:9/coder/agentapi/releases/download/v0.12.2/agentapi-linux-amd64");
  });
});

import { describe, expect, test } from "bun:test";
import { defaults, InputError, type Inputs } from "../../src/inputs.ts";
import { entryFor, isInstalled, planInstalls, releaseUrl, targetFor } from "../../src/install/plan.ts";
import { renderPlan } from "../../src/log.ts";
import { buildPlan } from "../../src/plan.ts";
import { factsFixture } from "../support/facts.ts";

const plan = (over: Partial<Inputs>, facts = factsFixture()) => planInstalls({ ...defaults(), ...over }, {}, facts);
const byName = (steps: ReturnType<typeof plan>["steps"]) => Object.fromEntries(steps.map((s) => [s.name, s]));
const installedFacts = (rec: { codex?: string; agentapi?: string }, file = { size: 10, mtimeMs: 1700000000123 }) =>
  factsFixture({
    state: {
      install: Object.fromEntries(Object.entries(rec).map(([n, v]) => [n, { version: v, sha256: "a".repeat(64), source: "github", url: "u", ...file }])),
    },
    bins: { codex: rec.codex ? file : null, agentapi: rec.agentapi ? file : null },
  });

describe("install plan: URLs", () => {
  test("GitHub release URLs follow the release layout for pinned and latest versions", () => {
    const x64 = targetFor({ os: "linux", arch: "x64" });
    const arm = targetFor({ os: "linux", arch: "arm64" });
    expect(releaseUrl("https://github.com/", "codex", "0.169.0", x64)).toBe(
      "https://github.com/openai/codex/releases/download/rust-v0.169.0/codex-x86_64-unknown-linux-musl.tar.gz",
    );
    expect(releaseUrl("https://ghe.example/", "codex", "latest", arm)).toBe(
      "https://ghe.example/openai/codex/releases/latest/download/codex-aarch64-unknown-linux-musl.tar.gz",
    );
    expect(releaseUrl("http://m/a", "agentapi", "v0.12.2", arm)).toBe("http://m/a/coder/agentapi/releases/download/v0.12.2/agentapi-linux-arm64");
    expect(releaseUrl("http://m", "agentapi", "", x64)).toBe("http://m/coder/agentapi/releases/latest/download/agentapi-linux-amd64");
  });

  test("arm64 maps to aarch64 for Codex and arm64 for AgentAPI; other platforms are refused", () => {
    expect(targetFor({ os: "linux", arch: "arm64" })).toEqual({ codex: "aarch64", agentapi: "arm64" });
    expect(() => targetFor({ os: "linux", arch: "ia32" })).toThrow(/linux\/x64 and linux\/arm64/);
  });

  test("the entry taken from the archive depends on the source; AgentAPI is a bare binary", () => {
    expect(entryFor("codex", "github", { codex: "x86_64" })).toBe("codex-x86_64-unknown-linux-musl");
    expect(entryFor("codex", "npm", { codex: "aarch64" })).toBe("package/vendor/aarch64-unknown-linux-musl/bin/codex");
    expect(entryFor("agentapi", "github", { codex: "x86_64" })).toBeNull();
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
    const rec = { version: "0.169.0", sha256: "a".repeat(64), source: "github", url: "u", size: 10, mtimeMs: 5 };
    expect(isInstalled(rec, { size: 10, mtimeMs: 5 }, "0.169.0", "")).toBe(true);
    expect(isInstalled(rec, { size: 10, mtimeMs: 5 }, "v0.169.0", "a".repeat(64))).toBe(true);
    expect(isInstalled(rec, { size: 10, mtimeMs: 5 }, "0.170.0", "")).toBe(false);
    expect(isInstalled(rec, { size: 11, mtimeMs: 5 }, "0.169.0", "")).toBe(false);
    expect(isInstalled(rec, { size: 10, mtimeMs: 6 }, "0.169.0", "")).toBe(false);
    expect(isInstalled(rec, null, "0.169.0", "")).toBe(false);
    expect(isInstalled(rec, { size: 10, mtimeMs: 5 }, "0.169.0", "b".repeat(64))).toBe(false);
    expect(isInstalled(undefined, { size: 10, mtimeMs: 5 }, "0.169.0", "")).toBe(false);
  });

  test("latest is never skipped by the pure plan: one request at run time checks for a newer release", () => {
    const s = byName(plan({ codex_version: "latest" }, installedFacts({ codex: "0.169.0" })).steps);
    expect(s.codex!.action).toBe("download");
    expect(s.codex!.reason).toContain("0.169.0 is installed; one request checks");
  });
});

describe("install plan: existing binaries", () => {
  test("install_codex = false uses codex from PATH, else from the module's bin dir", () => {
    const onPath = byName(plan({ install_codex: false }, factsFixture({ onPath: { codex: "/usr/bin/codex", agentapi: null } })).steps);
    expect(onPath.codex).toMatchObject({ action: "use-existing", dest: "/usr/bin/codex", source: "existing", url: null });
    const inBin = byName(plan({ install_codex: false }, installedFacts({ codex: "0.1.0" })).steps);
    expect(inBin.codex).toMatchObject({ action: "use-existing", dest: "/home/coder/.codex-module/bin/codex" });
  });

  test("install_codex = false with no codex anywhere warns naming install_codex", () => {
    const r = plan({ install_codex: false });
    expect(r.warnings.join("\n")).toMatch(/install_codex = false but codex is neither on PATH nor in \/home\/coder\/.codex-module\/bin\. Set install_codex = true/);
  });

  test("the dry run lists each install with action, name, version, source and URL", () => {
    const text = renderPlan(buildPlan("install", { ...defaults(), codex_version: "0.169.0", github_url: "http://127.0.0.1:9" }, {}, factsFixture()));
    expect(text).toContain("download codex 0.169.0 from github http://127.0.0.1:9/openai/codex/releases/download/rust-v0.169.0/codex-x86_64-unknown-linux-musl.tar.gz");
    expect(text).toContain("download agentapi v0.12.2 from github http://127.0.0.1:9/coder/agentapi/releases/download/v0.12.2/agentapi-linux-amd64");
  });
});

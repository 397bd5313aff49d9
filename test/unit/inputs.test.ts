import { describe, expect, test } from "bun:test";
import {
  InputError, SCHEMA, checkCombination, decodeEnvConfig, defaults, nearestKey, parseLayer, redactedView, resolveInputs, scrub,
} from "../../src/inputs.ts";

const bad = (raw: unknown) => {
  try {
    parseLayer(raw, "test");
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error("expected an InputError");
};

describe("input schema", () => {
  test("defaults cover every key of the schema and keep the seed's defaults", () => {
    const d = defaults();
    expect(Object.keys(d).sort()).toEqual(Object.keys(SCHEMA).sort());
    expect(d.codex_model).toBe("gpt-5.2-codex");
    expect(d.model_reasoning_effort).toBe("medium");
    expect(d.report_tasks).toBe(true);
    expect(d.continue).toBe(true);
    expect(d.github_url).toBe("https://github.com");
    expect(d.npm_registry_url).toBe("");
  });

  test("later layers win: flags over env over file over defaults", () => {
    const file = parseLayer({ codex_model: "file", workdir: "/file" }, "file");
    const env = parseLayer({ codex_model: "env" }, "env");
    const flags = parseLayer({ workdir: "/flag/" }, "flags");
    const inputs = resolveInputs([file, env, flags]);
    expect(inputs.codex_model).toBe("env");
    expect(inputs.workdir).toBe("/flag");
    expect(inputs.agentapi_port).toBe(3284);
  });

  test("null (an unset Terraform variable) means the default", () => {
    expect(resolveInputs([parseLayer({ pre_install_script: null }, "t")]).pre_install_script).toBe("");
  });

  test("an unknown key names itself and suggests the nearest valid key", () => {
    const msg = bad({ codex_modle: "x" });
    expect(msg).toContain('"codex_modle"');
    expect(msg).toContain('did you mean "codex_model"');
    expect(nearestKey("workdri")).toBe("workdir");
    expect(nearestKey("completely_unrelated_thing")).toBeUndefined();
  });

  test("a wrong type names the key and the expected type", () => {
    expect(bad({ report_tasks: "yes" })).toMatch(/"report_tasks".*must be a boolean/);
    expect(bad({ agentapi_port: "3284" })).toMatch(/"agentapi_port".*must be a number/);
  });

  test("a relative workdir is refused", () => {
    expect(bad({ workdir: "project" })).toMatch(/"workdir".*absolute path/);
  });

  test("model_reasoning_effort accepts the documented set only", () => {
    for (const ok of ["none", "minimal", "low", "medium", "high", "xhigh"]) {
      expect(parseLayer({ model_reasoning_effort: ok }, "t").model_reasoning_effort).toBe(ok);
    }
    expect(bad({ model_reasoning_effort: "extreme" })).toMatch(/"model_reasoning_effort".*one of/);
  });

  test("an enum error lists only the values Terraform accepts too, never an empty string", () => {
    expect(bad({ model_reasoning_effort: "" })).toBe(
      'input "model_reasoning_effort" (from test) must be one of "none", "minimal", "low", "medium", "high", "xhigh", got ""',
    );
    expect(bad({ codex_install_source: "" })).not.toContain('"",');
  });

  test("ports, URLs, versions and digests are validated", () => {
    expect(bad({ agentapi_port: 70000 })).toContain("agentapi_port");
    expect(bad({ github_url: "ftp://mirror" })).toContain("github_url");
    expect(bad({ codex_version: "0.1; rm" })).toContain("codex_version");
    expect(bad({ codex_sha256: "abc" })).toContain("codex_sha256");
    expect(bad({ codex_install_source: "brew" })).toContain("codex_install_source");
  });

  test("digest pins in uppercase are taken as the same digest in lowercase (the installer compares lowercase hex)", () => {
    const upper = "0123456789ABCDEF".repeat(4);
    const inputs = resolveInputs([parseLayer({ codex_sha256: upper, agentapi_sha256: upper }, "t")]);
    expect(inputs.codex_sha256).toBe(upper.toLowerCase());
    expect(inputs.agentapi_sha256).toBe(upper.toLowerCase());
  });

  test("secrets are refused in the inputs and point to the environment", () => {
    expect(bad({ openai_api_key: "sk-x" })).toMatch(/secret.*environment/);
  });

  test("CODEX_BOOT_CONFIG must be base64 JSON", () => {
    expect(decodeEnvConfig(btoa(JSON.stringify({ workdir: "/w" })))).toEqual({ workdir: "/w" });
    expect(() => decodeEnvConfig(btoa("{nope"))).toThrow(/CODEX_BOOT_CONFIG is not JSON/);
    expect(() => decodeEnvConfig("%%%")).toThrow(/not valid base64/);
  });

  test("AI Bridge together with an API key is refused", () => {
    const inputs = { ...defaults(), enable_aibridge: true };
    expect(() => checkCombination(inputs, { OPENAI_API_KEY: "sk-1" })).toThrow(/enable_aibridge/);
    expect(() => checkCombination(inputs, {})).not.toThrow();
  });

  test("codex_version takes npm's forms with the npm source; the GitHub source explains that its tags are exact", () => {
    for (const v of ["next", "0.46", "^0.46.0", "~0.46.1", ">=0.46 <0.47", "0.46.x"]) {
      const inputs = resolveInputs([parseLayer({ codex_version: v, codex_install_source: "npm" }, "t")]);
      expect(() => checkCombination(inputs, {})).not.toThrow();
      const github = resolveInputs([parseLayer({ codex_version: v }, "t")]);
      expect(() => checkCombination(github, {})).toThrow(
        `input "codex_version" must be "latest", "" (latest) or a version like 0.169.0 with codex_install_source = "github" (release tags are exact), got ${JSON.stringify(v)}. Set codex_install_source = "npm" for dist-tags and ranges`,
      );
    }
    for (const v of ["", "latest", "0.169.0", "v0.169.0"]) expect(() => checkCombination(resolveInputs([parseLayer({ codex_version: v }, "t")]), {})).not.toThrow();
  });

  test("the printable view shows only whether a secret is set", () => {
    const view = redactedView(defaults(), { OPENAI_API_KEY: "sk-secret-value" });
    expect(JSON.stringify(view)).not.toContain("sk-secret-value");
    expect(view.secrets.OPENAI_API_KEY).toBe("***");
    expect(view.secrets.GITHUB_TOKEN).toBeNull();
  });

  test("scrub replaces every occurrence of every secret", () => {
    expect(scrub("a sk-123456 b sk-123456", { OPENAI_API_KEY: "sk-123456" })).toBe("a *** b ***");
  });
});

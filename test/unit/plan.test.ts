import { describe, expect, test } from "bun:test";
import { buildPlan } from "../../src/plan.ts";
import { defaults } from "../../src/inputs.ts";
import { renderPlan } from "../../src/log.ts";
import { factsFixture } from "../support/facts.ts";

const inputs = { ...defaults(), workdir: "/home/coder/project" };

describe("plan shape", () => {
  test("start plans files, installs and a launch", () => {
    const plan = buildPlan("start", inputs, {}, factsFixture());
    expect(plan.command).toBe("start");
    expect(plan.files.map((f) => f.path)).toContain("/home/coder/.codex/config.toml");
    expect(plan.install.map((i) => i.name).sort()).toEqual(["agentapi", "codex"]);
    expect(plan.launch?.cwd).toBe("/home/coder/project");
  });

  test("each command plans only its own part", () => {
    const install = buildPlan("install", inputs, {}, factsFixture());
    expect(install.files).toEqual([]);
    expect(install.launch).toBeNull();
    const configure = buildPlan("configure", inputs, {}, factsFixture());
    expect(configure.install).toEqual([]);
    expect(configure.launch).toBeNull();
    const stop = buildPlan("stop", inputs, {}, factsFixture());
    expect(stop.files.length + stop.install.length).toBe(0);
  });

  test("the plan is the same for the same inputs and facts (pure)", () => {
    expect(buildPlan("start", inputs, {}, factsFixture())).toEqual(buildPlan("start", inputs, {}, factsFixture()));
  });

  test("an unset workdir means the home directory", () => {
    expect(buildPlan("start", defaults(), {}, factsFixture()).launch?.cwd).toBe("/home/coder");
  });

  test("secrets show up in the plan only as ***", () => {
    const plan = buildPlan("start", inputs, { OPENAI_API_KEY: "sk-plan-secret", CODER_AGENT_TOKEN: "tok-plan-secret" }, factsFixture());
    const text = JSON.stringify(plan) + renderPlan(plan);
    expect(text).not.toContain("sk-plan-secret");
    expect(text).not.toContain("tok-plan-secret");
    expect(plan.inputs.secrets.OPENAI_API_KEY).toBe("***");
  });

  test("an unsupported platform is a clear error naming what is supported", () => {
    expect(() => buildPlan("install", inputs, {}, factsFixture({ platform: { os: "darwin", arch: "arm64" } }))).toThrow(
      /linux\/x64 and linux\/arm64/,
    );
  });

  test("the human rendering lists every section", () => {
    const text = renderPlan(buildPlan("start", inputs, {}, factsFixture()));
    for (const heading of ["inputs", "files", "install", "launch"]) expect(text).toContain(`\n${heading}`);
    expect(text).toContain("nothing is written");
  });
});

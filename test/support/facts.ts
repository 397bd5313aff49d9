// Facts for pure planner tests: a machine described as data.
import type { Facts } from "../../src/plan.ts";
import { pathsFor } from "../../src/paths.ts";

export function factsFixture(overrides: Partial<Facts> = {}): Facts {
  return {
    paths: pathsFor("/home/coder", undefined),
    platform: { os: "linux", arch: "x64" },
    env: { PATH: "/usr/bin:/bin", HOME: "/home/coder" },
    files: { configToml: null, agentsMd: null, npmrc: null },
    state: {},
    onPath: { codex: null, agentapi: null },
    workdirExists: true,
    ...overrides,
  };
}

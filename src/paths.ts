import { join } from "node:path";

/** Every place the module reads or writes, derived from HOME and CODEX_HOME only. */
export interface Paths {
  home: string;
  codexHome: string;
  configToml: string;
  agentsMd: string;
  moduleDir: string;
  binDir: string;
  stateJson: string;
  agentapiLog: string;
  agentapiPid: string;
  /** What start recorded of the agentapi it spawned (agentapi.ts): pid, start time, binary. */
  agentapiId: string;
  agentapiState: string;
  bootLock: string;
}

export function pathsFor(home: string, codexHomeEnv: string | undefined): Paths {
  const codexHome = codexHomeEnv || join(home, ".codex");
  const moduleDir = join(home, ".codex-module");
  return {
    home,
    codexHome,
    configToml: join(codexHome, "config.toml"),
    agentsMd: join(codexHome, "AGENTS.md"),
    moduleDir,
    binDir: join(moduleDir, "bin"),
    stateJson: join(moduleDir, "state.json"),
    agentapiLog: join(moduleDir, "agentapi.log"),
    agentapiPid: join(moduleDir, "agentapi.pid"),
    agentapiId: join(moduleDir, "agentapi-id.json"),
    agentapiState: join(moduleDir, "agentapi-state.json"),
    bootLock: join(moduleDir, "boot.lock"),
  };
}

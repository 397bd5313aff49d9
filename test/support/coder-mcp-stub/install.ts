// Puts a stub `coder` on PATH: a sh wrapper running server.js (MCP over stdio) under the real Bun.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tools } from "../tools.ts";

export interface CoderCall {
  pid: number;
  event: "start" | "call";
  name?: string;
  arguments?: Record<string, unknown> | null;
  args?: string[];
  slug?: string | null;
  agentUrl?: string | null;
  agentToken?: "set" | null;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Writes binDir/coder; every MCP event lands in recordFile (the path is baked in: Codex gives MCP
 * servers a filtered environment). Returns a reader of the recorded events. */
export function installCoderStub(binDir: string, recordFile: string): () => CoderCall[] {
  mkdirSync(binDir, { recursive: true });
  const server = join(import.meta.dir, "server.js");
  writeFileSync(join(binDir, "coder"), `#!/bin/sh\nexec ${q(tools().bun)} ${q(server)} --record ${q(recordFile)} "$@"\n`);
  chmodSync(join(binDir, "coder"), 0o755);
  return () =>
    existsSync(recordFile)
      ? readFileSync(recordFile, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as CoderCall)
      : [];
}

// The rendered start coder_script, from a real `terraform apply` of the module (real provider):
// with the defaults, and with the typical configuration the budget is defined by (every variable
// set, a 2 KB system prompt, base_config_toml and MCP servers; test/fixtures/typical-config.json).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox } from "../test/support/sandbox.ts";
import { applyModule, initModule } from "../test/support/terraform.ts";
import { ROOT } from "../test/support/tools.ts";
import type { Row } from "./rows.ts";

/** Also asserted by test/module.tftest.hcl; the hard limit of one script is 128 KiB. */
export const SCRIPT_BUDGET = 40 * 1024;

export const typicalConfig = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(ROOT, "test/fixtures/typical-config.json"), "utf8"));

export async function scriptSize(): Promise<Row[]> {
  const dir = makeSandbox("codex-boot-bench-tf-");
  try {
    await initModule(dir.root);
    const rows: Row[] = [];
    const configs = { defaults: { agent_id: "bench-agent", workdir: "/home/coder/project" }, typical: typicalConfig() };
    for (const [name, vars] of Object.entries(configs)) {
      const start = Buffer.byteLength((await applyModule(dir.root, vars)).script("start"));
      rows.push({ section: "size", metric: `rendered start coder_script (${name})`, value: `${start} B`, goal: `<= ${SCRIPT_BUDGET} B`, ok: start <= SCRIPT_BUDGET });
    }
    return rows;
  } finally {
    dir.cleanup();
  }
}

// The rendered start coder_script, from a real `terraform apply` of the module (real provider).
import { makeSandbox } from "../test/support/sandbox.ts";
import { applyModule, initModule } from "../test/support/terraform.ts";
import type { Row } from "./rows.ts";

export const SCRIPT_BUDGET = 32 * 1024;

export async function scriptSize(): Promise<Row[]> {
  const dir = makeSandbox("codex-boot-bench-tf-");
  try {
    await initModule(dir.root);
    const applied = await applyModule(dir.root, { agent_id: "bench-agent", workdir: "/home/coder/project" });
    const start = Buffer.byteLength(applied.script("start"));
    return [
      { section: "size", metric: "rendered start coder_script (defaults)", value: `${start} B`, goal: `<= ${SCRIPT_BUDGET} B`, ok: start <= SCRIPT_BUDGET },
    ];
  } finally {
    dir.cleanup();
  }
}

// Issue 11 (adversarial testing), the rendered start script: under umask 000 the stub leaves
// nothing writable by others (it made ~/.codex-module 0777 and the program file in it 0666).
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { tools } from "../support/tools.ts";
import { makeSandbox, runAsync, type Sandbox } from "../support/sandbox.ts";
import { applyModule, initModule } from "../support/terraform.ts";
import { cleanupWorkspaces, workspace } from "./workspace.ts";

const TIMEOUT = 120_000;
let tfDir: Sandbox;
beforeAll(async () => {
  tools();
  tfDir = makeSandbox("codex-boot-tf-");
  await initModule(tfDir.root);
}, TIMEOUT);
afterAll(() => tfDir?.cleanup());
afterEach(cleanupWorkspaces);

test("under umask 000 the start script leaves the module dir, the program and the launcher unwritable by others", async () => {
  const applied = await applyModule(tfDir.root, { agent_id: "agent-1", workdir: "/home/coder/project" });
  for (const runtime of ["bun", "deno"] as const) {
    const ws = workspace(runtime);
    const file = join(ws.box.root, "start.sh");
    await Bun.write(file, applied.script("start"));
    const r = await runAsync(["/bin/sh", "-c", 'umask 000; exec /bin/sh "$0" --dry-run', file], { env: { ...ws.box.env, PATH: ws.path }, cwd: ws.box.home });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const mod = join(ws.box.home, ".codex-module");
    const modes = [mod, join(mod, "codex-boot.mjs"), join(mod, "codex-boot")].map((p) => (statSync(p).mode & 0o777).toString(8));
    expect(modes).toEqual(["755", "644", "755"]);
  }
}, TIMEOUT);

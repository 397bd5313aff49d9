import type { RunContext } from "./context.ts";
import { NotBuiltError } from "./errors.ts";

export async function runStop(_ctx: RunContext): Promise<void> {
  throw new NotBuiltError("`stop`");
}

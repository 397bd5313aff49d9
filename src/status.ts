import type { RunContext } from "./context.ts";
import { NotBuiltError } from "./errors.ts";

export async function runStatus(_ctx: RunContext): Promise<void> {
  throw new NotBuiltError("`status`");
}

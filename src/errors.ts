/** A failure at run time (network, disk, a child process): exit code 1. */
export class RunError extends Error {}

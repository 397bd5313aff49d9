// Under Deno, the program needs its permissions spelled out. Without them the first read of the
// environment (log.ts reads NO_COLOR while being imported) throws NotCapable with a stack trace;
// this module is imported first so the user gets one line saying which flags to pass instead.

const file = decodeURIComponent(new URL(import.meta.url).pathname);
const RUN_AS = `Run it as: deno run --allow-read --allow-write --allow-env --allow-net --allow-run --allow-sys ${file} (a dry run needs only: deno run --allow-read --allow-env --allow-sys ${file} --dry-run)`;
const NEEDED_BY_EVERY_COMMAND = ["read", "env", "sys"] as const;

interface DenoPermissions {
  permissions: { querySync(p: { name: string }): { state: string } };
}

/**
 * The one-line message for a permission Deno refused, or undefined for any other error. Deno 2 (the
 * stub's minimum) names those NotCapable; PermissionDenied is the OS refusing (EACCES), which
 * no deno run flag fixes.
 */
export function permissionHint(e: unknown): string | undefined {
  if ((e as Error | undefined)?.name !== "NotCapable") return undefined;
  return `Deno refused a permission: ${(e as Error).message.replace(/, run again with.*$/, "")}. ${RUN_AS}`;
}

const deno = (globalThis as { Deno?: DenoPermissions }).Deno;
const missing = deno ? NEEDED_BY_EVERY_COMMAND.filter((name) => deno.permissions.querySync({ name }).state !== "granted") : [];
if (missing.length) {
  console.error(`codex-boot: Deno did not grant ${missing.map((m) => `--allow-${m}`).join(", ")}. ${RUN_AS}`);
  process.exit(2);
}

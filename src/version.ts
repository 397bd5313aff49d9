// Replaced at build time by build.ts; the fallback is what tests see when running src/ directly.
declare const __CODEX_BOOT_VERSION__: string | undefined;
export const VERSION: string = typeof __CODEX_BOOT_VERSION__ === "string" ? __CODEX_BOOT_VERSION__ : "0.0.0-dev";

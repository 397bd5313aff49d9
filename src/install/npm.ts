// The npm source: which registry (always the user's configuration, never a built-in host), its
// auth token, and which tarball of the packument to take.
import { resolveNpmVersion } from "./npm-version.ts";

type Env = Record<string, string | undefined>;

/** `key = value` from an .npmrc (last one wins, like npm), with npm's `${VAR}` expansion. */
export function npmrcValue(npmrc: string | null, key: string, env: Env): string | undefined {
  let found: string | undefined;
  for (const line of (npmrc ?? "").split("\n")) {
    const m = /^\s*([^=;#\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (m?.[1] === key) found = m[2]!.replace(/^(["'])(.*)\1$/, "$2").replace(/\$\{(\w+)\}/g, (_, v) => env[v] ?? "");
  }
  return found;
}

/** npm_registry_url, else NPM_CONFIG_REGISTRY, else `registry=` of ~/.npmrc; null when none is set. */
export function npmRegistry(input: string, env: Env, npmrc: string | null): string | null {
  const r = input || env.NPM_CONFIG_REGISTRY || env.npm_config_registry || npmrcValue(npmrc, "registry", env);
  return r ? r.replace(/\/+$/, "") : null;
}

/** The `_authToken` npm would send to the registry of this packument: for `//host/path/`, else for `//host/`. */
export function npmToken(npmrc: string | null, packumentUrl: string, env: Env): string | undefined {
  const u = new URL(".", packumentUrl);
  return npmrcValue(npmrc, `//${u.host}${u.pathname}:_authToken`, env) || npmrcValue(npmrc, `//${u.host}/:_authToken`, env);
}

interface Packument {
  "dist-tags"?: Record<string, string>;
  versions?: Record<string, { dist?: { tarball?: string; integrity?: string } }>;
}

/** The platform build `<version>-linux-<arch>` of @openai/codex for codex_version ("" = latest, a
 * dist-tag, a version or a range): its tarball and sha512 (base64). */
export function pickTarball(pk: Packument, version: string, npmArch: string, packumentUrl: string) {
  const suffix = `-linux-${npmArch}`;
  const built = Object.keys(pk.versions ?? {}).filter((k) => k.endsWith(suffix)).map((k) => k.slice(0, -suffix.length));
  const v = resolveNpmVersion(version, pk["dist-tags"] ?? {}, built) ?? (version || "latest");
  const key = v + suffix;
  const dist = pk.versions?.[key]?.dist;
  const sha512 = /sha512-(\S+)/.exec(dist?.integrity ?? "")?.[1];
  if (!dist?.tarball || !sha512) throw new Error(`@openai/codex@${key} with a sha512 integrity is not in ${packumentUrl}`);
  return { version: v, url: dist.tarball, sha512 };
}

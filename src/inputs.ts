// THE input schema. Keys are the Terraform variable names, so an error that names a key
// names the variable the template author has to fix.
import { BEGIN, END } from "./agents-md.ts";

/** Returns why a value is not allowed (it already has the default's type), or undefined. */
type Check<T> = (value: T) => string | undefined;
// A field's type is its default's type; kinds are checked with typeof against the default.
const str = (value: string, check?: Check<string>) => ({ default: value, check });
const bool = (value: boolean) => ({ default: value, check: undefined });
const num = (value: number, check: Check<number>) => ({ default: value, check });

const VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const HTTP = "must be an http:// or https:// URL";

const oneOf = (allowed: string[]) => (v: string) =>
  allowed.includes(v) ? undefined : `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`;
const VERSION_FORMS = 'must be "latest", "" (latest) or a version like 0.169.0';
const versionOrLatest = (v: string) => (v === "" || v === "latest" || VERSION.test(v) ? undefined : VERSION_FORMS);
/** What npm accepts after @openai/codex@ (a dist-tag, a version, a range); checkCombination narrows
 * it to versionOrLatest for the GitHub source, whose release tags are exact. */
const npmSpec = (v: string) =>
  /^[0-9A-Za-z.^~<>=|*+ -]*$/.test(v) ? undefined : `${VERSION_FORMS}, or a dist-tag or a range like ^0.46.0 with codex_install_source = "npm"`;
const httpUrl = (v: string) => {
  try {
    return v === "" || /^https?:$/.test(new URL(v).protocol) ? undefined : HTTP;
  } catch {
    return HTTP;
  }
};
const sha256OrEmpty = (v: string) => (/^([0-9a-f]{64})?$/i.test(v) ? undefined : "must be empty or a SHA-256 digest (64 hex characters)");
const seconds = (v: number) => (v > 0 && v <= 3600 ? undefined : "must be a number of seconds between 1 and 3600");
/** Linux caps one argv string at 128 KiB (MAX_ARG_STRLEN); the prompt is one, with a preamble. */
export const MAX_PROMPT = 65536;
const oneLine = (v: string) => (/[\r\n]/.test(v) ? "must be a single line" : undefined);

export const SCHEMA = {
  // seed keys (coder-labs/codex 4.1.0)
  workdir: str("", (v) => (v === "" || v.startsWith("/") ? undefined : "must be an absolute path")),
  install_codex: bool(true),
  codex_version: str("", npmSpec),
  install_agentapi: bool(true),
  agentapi_version: str("v0.12.2", versionOrLatest),
  codex_model: str("gpt-5.2-codex", oneLine),
  model_reasoning_effort: str("medium", oneOf(["none", "minimal", "low", "medium", "high", "xhigh"])),
  base_config_toml: str(""),
  additional_mcp_servers: str(""),
  codex_system_prompt: str("You are a helpful coding assistant. Start every response with `Codex says:`", (v) =>
    // They would end the managed block early and grow AGENTS.md on every boot (agents-md.ts).
    v.includes(BEGIN) || v.includes(END) ? `must not contain codex-boot's AGENTS.md markers ${BEGIN} and ${END}` : undefined),
  ai_prompt: str("", (v) => {
    const bytes = new TextEncoder().encode(v).length; // the same limit is a validation in variables.tf
    return bytes > MAX_PROMPT ? `must be at most ${MAX_PROMPT} bytes (Linux passes it to Codex as one argument), got ${bytes} bytes` : undefined;
  }),
  report_tasks: bool(true),
  continue: bool(true),
  enable_aibridge: bool(false),
  pre_install_script: str(""),
  post_install_script: str(""),
  // computed by the module
  app_slug: str("codex", (v) => (/^[a-z0-9-]+$/.test(v) ? undefined : "must match ^[a-z0-9-]+$")),
  agentapi_port: num(3284, (v) => (Number.isInteger(v) && v >= 1 && v <= 65535 ? undefined : "must be an integer port between 1 and 65535")),
  chat_base_path: str(""),
  aibridge_base_url: str("", httpUrl),
  task_id: str("", oneLine),
  task_log_snapshot: bool(true),
  enable_state_persistence: bool(true),
  // new keys
  codex_install_source: str("github", oneOf(["github", "npm"])),
  github_url: str("https://github.com", (v) => (v === "" ? "must not be empty" : httpUrl(v))),
  npm_registry_url: str("", httpUrl),
  codex_sha256: str("", sha256OrEmpty),
  agentapi_sha256: str("", sha256OrEmpty),
  ready_timeout_seconds: num(60, seconds),
  download_timeout_seconds: num(30, seconds),
};

export type Key = keyof typeof SCHEMA;
export type Inputs = { -readonly [K in Key]: (typeof SCHEMA)[K]["default"] };

/** Secrets come from the environment only, never from the inputs JSON. */
export const SECRET_ENV = ["OPENAI_API_KEY", "CODER_AIBRIDGE_SESSION_TOKEN", "CODER_AGENT_TOKEN", "GITHUB_TOKEN"] as const;
export type SecretName = (typeof SECRET_ENV)[number];
export type Secrets = Partial<Record<SecretName, string>>;

export class InputError extends Error {}

const KEYS = Object.keys(SCHEMA) as Key[];

export function defaults(): Inputs {
  return Object.fromEntries(KEYS.map((k) => [k, SCHEMA[k].default])) as Inputs;
}

/** Levenshtein distance, one row at a time. */
function distance(a: string, b: string): number {
  let row = [...Array(b.length + 1).keys()];
  for (const char of a) {
    const next = [row[0]! + 1];
    for (let j = 0; j < b.length; j++) next.push(Math.min(row[j + 1]! + 1, next[j]! + 1, row[j]! + (char === b[j] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}

export function nearestKey(name: string): Key | undefined {
  const [best] = KEYS.map((key) => ({ key, d: distance(name.toLowerCase(), key) })).sort((x, y) => x.d - y.d);
  return best!.d <= Math.max(3, Math.floor(name.length / 3)) ? best!.key : undefined;
}

const fail = (key: string, origin: string, why: string): never => {
  throw new InputError(`input "${key}" (from ${origin}) ${why}`);
};

/** Validates one layer of raw values; returns only the keys it sets. */
export function parseLayer(raw: unknown, origin: string): Partial<Inputs> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new InputError(`${origin} must be a JSON object of inputs, got ${Array.isArray(raw) ? "an array" : typeof raw}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!Object.hasOwn(SCHEMA, key)) { // own keys only: "toString" or "__proto__" is no input
      const near = nearestKey(key);
      fail(key, origin, (SECRET_ENV as readonly string[]).includes(key.toUpperCase())
        ? "is a secret: set it in the environment (coder_env), not in the inputs"
        : `is not a known input${near ? `; did you mean "${near}"?` : ""}`);
    }
    const field = SCHEMA[key as Key];
    // Terraform's jsonencode turns a null variable into null: treat it as "use the default".
    if (value === null) continue;
    const kind = typeof field.default;
    const why = typeof value !== kind ? `must be a ${kind}` : (field.check as Check<unknown> | undefined)?.(value);
    const shown = JSON.stringify(value);
    if (why) fail(key, origin, shown.length > 200 ? why : `${why}, got ${shown}`);
    out[key] = value;
  }
  return out as Partial<Inputs>;
}

export function parseJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${origin} is not JSON: ${(e as Error).message}`);
  }
}

/** CODEX_BOOT_CONFIG: base64 of UTF-8 JSON (atob gives one char per byte: decode those as UTF-8). */
export function decodeEnvConfig(b64: string): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(atob(b64.trim()), (c) => c.charCodeAt(0)));
  } catch {
    throw new InputError("CODEX_BOOT_CONFIG is not valid base64 of UTF-8 text");
  }
  return parseJson(text, "CODEX_BOOT_CONFIG");
}

/** Merges layers, highest precedence last: defaults < file < env < flags. */
export function resolveInputs(layers: Partial<Inputs>[]): Inputs {
  const inputs = Object.assign(defaults(), ...layers) as Inputs;
  // Trailing slashes go, but "////" is the root, not "" (which would mean HOME).
  inputs.workdir = inputs.workdir.replace(/(.)\/+$/, "$1");
  // Digests are compared as lowercase hex; variables.tf accepts either case (some tools print upper).
  inputs.codex_sha256 = inputs.codex_sha256.toLowerCase();
  inputs.agentapi_sha256 = inputs.agentapi_sha256.toLowerCase();
  return inputs;
}

export function readSecrets(env: Record<string, string | undefined>): Secrets {
  const out: Secrets = {};
  for (const name of SECRET_ENV) if (env[name]) out[name] = env[name];
  return out;
}

/** Cross-key rules that a single field check cannot see. */
export function checkCombination(inputs: Inputs, secrets: Secrets): void {
  if (inputs.codex_install_source === "github" && versionOrLatest(inputs.codex_version)) {
    throw new InputError(
      `input "codex_version" ${VERSION_FORMS} with codex_install_source = "github" (release tags are exact), got ${JSON.stringify(inputs.codex_version)}. Set codex_install_source = "npm" for dist-tags and ranges`,
    );
  }
  if (inputs.enable_aibridge && secrets.OPENAI_API_KEY) {
    throw new InputError(
      'input "enable_aibridge" is true but OPENAI_API_KEY is set: AI Bridge uses the Coder session token. Leave openai_api_key empty',
    );
  }
}

export const REDACTED = "***";

/** What may be printed: every input, and for each secret only whether it is set. */
export function redactedView(inputs: Inputs, secrets: Secrets) {
  return {
    ...inputs,
    secrets: Object.fromEntries(SECRET_ENV.map((n) => [n, secrets[n] ? REDACTED : null])),
  };
}

/** Replaces every secret value in a text; the last line of defence for logs. */
export function scrub(text: string, secrets: Secrets): string {
  for (const value of Object.values(secrets)) if (value && value.length >= 4) text = text.replaceAll(value, REDACTED);
  return text;
}

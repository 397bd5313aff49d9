// How the bundle installs Codex as a package, against a GitHub-layout loopback mirror: verification
// by the release's codex-package_SHA256SUMS or codex_sha256, what older releases get, version
// switches and the migration from a bare binary. Small stand-in packages (shell scripts in the
// real layout) keep these fast; install.test.ts and the end-to-end tests use the real package.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tools, type Runtime } from "../support/tools.ts";
import { runBundleAsync } from "../support/sandbox.ts";
import { githubRelease, installEnv, leftovers, sandboxPool, sha256hex, sha256sums, startMirror, type Mirror } from "../support/mirror.ts";

const TRIPLE = "x86_64-unknown-linux-musl";
const PKG = `codex-package-${TRIPLE}.tar.gz`;
const SUMS = "codex-package_SHA256SUMS";
let m: Mirror;
let work: string;
const pool = sandboxPool();

/** A tar.gz of the given files (text, mode 0755; "->target" makes a symlink) made by the system tar. */
const made = new Map<string, Uint8Array>();
function tarGz(name: string, entries: Record<string, string>): Uint8Array {
  if (made.has(name)) return made.get(name)!;
  const dir = join(work, name);
  for (const [path, text] of Object.entries(entries)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    if (text.startsWith("->")) symlinkSync(text.slice(2), join(dir, path));
    else {
      writeFileSync(join(dir, path), text);
      chmodSync(join(dir, path), 0o755);
    }
  }
  const r = spawnSync("tar", ["-czf", join(work, `${name}.tgz`), ...Object.keys(entries)], { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  made.set(name, readFileSync(join(work, `${name}.tgz`)));
  return made.get(name)!;
}

const script = (v: string, what = "codex-cli") => `#!/bin/sh\necho ${what} ${v}\n`;
/** A package in the real layout whose executables are scripts that report version v. */
const fakePackage = (v: string, extra: Record<string, string> = {}) =>
  tarGz(`pkg-${v}-${Object.keys(extra).length}`, {
    "bin/codex": script(v),
    "bin/codex-code-mode-host": script(v, "host"),
    "codex-package.json": JSON.stringify({ layoutVersion: 1, version: v, entrypoint: "bin/codex" }),
    "codex-path/rg": script(v, "rg"),
    "codex-resources/bwrap": script(v, "bwrap"),
    ...extra,
  });

/** Serves release rust-v<v> with the given assets (bytes, or text for SHA256SUMS). */
function release(v: string, assets: Record<string, Uint8Array | string>) {
  for (const [name, body] of Object.entries(assets)) {
    githubRelease(m, "openai/codex", `rust-v${v}`, name, typeof body === "string" ? new TextEncoder().encode(body) : body, false);
  }
}

beforeAll(async () => {
  tools();
  m = await startMirror();
  work = pool.make("codex-package-").root;
  for (const v of ["0.170.0", "0.171.0"]) {
    const pkg = fakePackage(v);
    release(v, { [PKG]: pkg, [SUMS]: sha256sums({ [PKG]: pkg }) });
  }
  const bad = fakePackage("0.172.0");
  release("0.172.0", { [PKG]: bad, [SUMS]: `${"e".repeat(64)}  ${PKG}\n` }); // a wrong line
  release("0.173.0", { [PKG]: fakePackage("0.173.0") }); // no SHA256SUMS
  const evil = fakePackage("0.174.0", { "codex-resources/lib/x.so": "->/etc/passwd" });
  release("0.174.0", { [PKG]: evil, [SUMS]: sha256sums({ [PKG]: evil }) });
  release("0.150.0", {
    [`codex-${TRIPLE}.tar.gz`]: tarGz("bin150", { [`codex-${TRIPLE}`]: script("0.150.0") }),
    [`codex-code-mode-host-${TRIPLE}.tar.gz`]: tarGz("host150", { [`codex-code-mode-host-${TRIPLE}`]: script("0.150.0", "host") }),
  });
  release("0.160.0", { [`codex-${TRIPLE}.tar.gz`]: tarGz("bin160", { [`codex-${TRIPLE}`]: script("0.160.0") }) });
}, 60_000);
afterAll(async () => {
  await m.close();
  pool.cleanup();
});

function home(rt: Runtime) {
  const b = pool.make();
  const mod = join(b.home, ".codex-module");
  const run = (inputs: Record<string, unknown>) =>
    runBundleAsync(rt, ["install"], {
      env: installEnv(b.root, b.env, { github_url: m.url, install_agentapi: false, ...inputs }, { PATH: `${join(tools().agentapi, "..")}:${b.env.PATH}` }),
    });
  const codexVersion = () => spawnSync(join(mod, "bin/codex"), ["--version"], { encoding: "utf8" }).stdout.trim();
  const state = () => JSON.parse(readFileSync(join(mod, "state.json"), "utf8")).install.codex;
  const versions = () => readdirSync(join(mod, "codex")).sort();
  return { b, mod, run, codexVersion, state, versions };
}

for (const rt of ["bun", "deno"] as Runtime[]) {
  describe(`codex package under ${rt}`, () => {
    test("switching versions replaces the package after verification and removes the older one", async () => {
      const h = home(rt);
      expect((await h.run({ codex_version: "0.170.0" })).code).toBe(0);
      expect(h.versions()).toEqual(["0.170.0"]);
      const r = await h.run({ codex_version: "0.171.0" });
      expect(r.code).toBe(0);
      expect(h.codexVersion()).toBe("codex-cli 0.171.0");
      expect(readlinkSync(join(h.mod, "bin/codex"))).toBe(join(h.mod, "codex/0.171.0/bin/codex"));
      expect(h.versions()).toEqual(["0.171.0"]);
      expect(h.state()).toMatchObject({ version: "0.171.0", verified: SUMS, layout: "package" });
      // The link in CODER_SCRIPT_BIN_DIR runs the same package.
      expect(spawnSync(join(h.b.root, "coder-bin/codex"), ["--version"], { encoding: "utf8" }).stdout.trim()).toBe("codex-cli 0.171.0");
    }, 60_000);

    test("a wrong line in codex-package_SHA256SUMS fails the install and keeps the installed package", async () => {
      const h = home(rt);
      expect((await h.run({ codex_version: "0.170.0" })).code).toBe(0);
      const before = h.state();
      const r = await h.run({ codex_version: "0.172.0" });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`codex-boot: installing codex 0.172.0: ${m.url}/openai/codex/releases/download/rust-v0.172.0/${PKG} has sha256 `);
      expect(r.stderr).toContain(`not the one in ${SUMS}, ${"e".repeat(64)}. Check codex_version and github_url; the installed codex, if any, was kept`);
      expect(h.codexVersion()).toBe("codex-cli 0.170.0");
      expect(h.versions()).toEqual(["0.170.0"]);
      expect(h.state()).toEqual(before);
      expect(leftovers(join(h.mod, "codex"))).toEqual([]);
    }, 60_000);

    test("a package without codex-package_SHA256SUMS is refused unless codex_sha256 pins it; a pin wins over the file", async () => {
      const h = home(rt);
      const r = await h.run({ codex_version: "0.173.0" });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`the release has ${PKG} but no sha256 for it in ${SUMS}. Set codex_sha256 to the archive's sha256`);
      expect(existsSync(join(h.mod, "bin/codex"))).toBe(false);

      const pinned = await h.run({ codex_version: "0.173.0", codex_sha256: sha256hex(fakePackage("0.173.0")) });
      expect(pinned.stderr).toBe("");
      expect(pinned.code).toBe(0);
      expect(h.state()).toMatchObject({ version: "0.173.0", verified: "codex_sha256" });
      // The pin wins even over a SHA256SUMS line that disagrees.
      const wins = await h.run({ codex_version: "0.172.0", codex_sha256: sha256hex(fakePackage("0.172.0")) });
      expect(wins.code).toBe(0);
      expect(h.codexVersion()).toBe("codex-cli 0.172.0");
    }, 60_000);

    test("a package with a link out of its tree is refused and nothing is installed", async () => {
      const h = home(rt);
      const r = await h.run({ codex_version: "0.174.0" });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/extracting .*: unsafe entry refused: .*x\.so -> \/etc\/passwd/);
      expect(existsSync(join(h.mod, "bin/codex"))).toBe(false);
      expect(h.versions()).toEqual([]);
    }, 60_000);

    test("an older release without the package gets the bare binary and the code-mode host it publishes", async () => {
      const h = home(rt);
      const r = await h.run({ codex_version: "0.150.0" });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`warning: codex 0.150.0: the release has no ${PKG}; installing the bare binary and codex-code-mode-host, unverified (set codex_sha256 to pin it)`);
      expect(r.stderr).not.toContain("can chat but not work");
      const tree = join(h.mod, "codex/0.150.0");
      expect(readFileSync(join(tree, "bin/codex-code-mode-host"), "utf8")).toBe(script("0.150.0", "host"));
      expect(h.state()).toMatchObject({ version: "0.150.0", layout: "binary+host", verified: "nothing" });
    }, 60_000);

    test("a release with only the bare binary installs it with a loud warning that Codex cannot run tools", async () => {
      const h = home(rt);
      const r = await h.run({ codex_version: "0.160.0" });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`installing the bare binary, unverified`);
      expect(r.stderr).toContain(
        `It publishes no codex-code-mode-host either: Codex >= 0.147 runs every command and file edit through it, so it will chat but not work. Use a release that publishes ${PKG} (codex_version), or codex_install_source = "npm"`,
      );
      expect(existsSync(join(h.mod, "codex/0.160.0/bin/codex-code-mode-host"))).toBe(false);
      expect(h.state()).toMatchObject({ layout: "binary" });
    }, 60_000);

    test("a workspace with the earlier module's bare binary at bin/codex gets the package on its next start", async () => {
      const h = home(rt);
      mkdirSync(join(h.mod, "bin"), { recursive: true });
      writeFileSync(join(h.mod, "bin/codex"), script("0.170.0"), { mode: 0o755 });
      const { size, mtimeMs } = lstatSync(join(h.mod, "bin/codex"));
      // What the earlier installer recorded for it: same version, same file.
      const old = { version: "0.170.0", sha256: "a".repeat(64), source: "github", url: "u", size, mtimeMs: Math.floor(mtimeMs) };
      writeFileSync(join(h.mod, "state.json"), JSON.stringify({ install: { codex: old } }));
      const r = await h.run({ codex_version: "0.170.0" });
      expect(r.code).toBe(0);
      expect(lstatSync(join(h.mod, "bin/codex")).isSymbolicLink()).toBe(true);
      expect(existsSync(join(h.mod, "codex/0.170.0/bin/codex-code-mode-host"))).toBe(true);
      expect(h.state()).toMatchObject({ layout: "package", dir: join(h.mod, "codex/0.170.0") });
    }, 60_000);
  });
}

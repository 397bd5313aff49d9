// Carries out the install steps: pre script, downloads (in parallel), verification, atomic rename,
// state, links in CODER_SCRIPT_BIN_DIR, post script. Runs under boot.lock (cli.ts), so the plan's
// warm check is current; correctness does not rest on that lock though: every binary lands by
// rename of a verified temp file, so a reader sees the old file or the new one, never a torn one.
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { RunContext } from "../context.ts";
import type { InstallStep } from "../plan.ts";
import { RunError } from "../errors.ts";
import { fileId, makeDir, readTextOrNull } from "../fsutil.ts";
import { scrubStream } from "../scrub-stream.ts";
import { step, warn } from "../log.ts";
import { readState, updateState } from "../state.ts";
import { codexEntry } from "./codex-release.ts";
import { fromGithub, fromNpm, switchTo } from "./codex.ts";
import type { Net } from "./fetch.ts";
import { npmToken } from "./npm.ts";
import { bare } from "./plan.ts";
import { exact, fetchChecked, latestRelease, type Fetched } from "./outcome.ts";

export async function runInstall(ctx: RunContext): Promise<void> {
  const { plan, inputs, facts, env } = ctx;
  const { binDir } = facts.paths;
  await script(ctx, "pre");
  for (const s of plan.install) {
    if (s.action === "download") continue;
    if (!existsSync(s.dest)) throw new RunError(`using an existing ${s.name}: ${s.reason}`);
    step(`${s.name}: ${s.reason}`);
  }
  const packument = plan.install.find((s) => s.source === "npm")?.url;
  const npmAuth = packument && npmToken(facts.files.npmrc, packument, env);
  const gh = ctx.secrets.GITHUB_TOKEN;
  const net: Net = {
    timeoutMs: inputs.download_timeout_seconds * 1000,
    auth: (u) => {
      // GITHUB_TOKEN goes to GitHub itself only, never to a mirror that github_url may name.
      const token = /^https:\/\/(api\.)?github\.com$/.test(u.origin) ? gh : npmAuth && u.origin === new URL(packument).origin ? npmAuth : "";
      return token ? `Bearer ${token}` : undefined;
    },
  };
  // Leftovers of a killed run (nobody else installs while this run holds boot.lock).
  for (const root of [binDir, ...plan.install.flatMap((s) => s.tree ?? [])]) {
    makeDir(root, 0o755);
    for (const f of readdirSync(root)) if (f.endsWith(".part")) rmSync(join(root, f), { recursive: true, force: true });
  }
  // Settled, not all: every download cleans up its temp files before the boot exits.
  const runs = plan.install.map((s) => s.action === "download" && installDownload(ctx, s, net));
  for (const r of await Promise.allSettled(runs)) if (r.status === "rejected") throw r.reason;
  const dir = env.CODER_SCRIPT_BIN_DIR;
  for (const s of plan.install) {
    const link = dir && join(dir, s.name);
    if (!link || !s.dest.startsWith(binDir + "/")) continue;
    try {
      if (readlinkSync(link) === s.dest) continue;
    } catch {}
    mkdirSync(dir, { recursive: true });
    symlinkSync(s.dest, link + process.pid);
    renameSync(link + process.pid, link);
  }
  await script(ctx, "post");
}

/**
 * One download: fetched and verified into temp files, run once, then switched to atomically
 * (AgentAPI: one rename over bin/agentapi; Codex: its tree, then one rename of the bin/codex link)
 * and recorded. The old version stays in use until then.
 */
async function installDownload({ facts }: RunContext, s: InstallStep, net: Net): Promise<void> {
  // A working install of "latest" (or an npm dist-tag or range) is kept when a newer one cannot be
  // had: that must not fail a boot, nor hold it up (the check gets few retries).
  const kept = !exact(s.version) && s.installed;
  const check = kept ? { ...net, tries: 2 } : net;
  const root = s.tree ?? facts.paths.binDir;
  // Every temp file of this download, removed at the end whatever happens.
  const tmp = join(root, `.${s.name}.${process.pid}.part`);
  mkdirSync(tmp, 0o700);
  try {
    const got = await (s.source === "npm" ? fromNpm : s.tree ? fromGithub : fromAsset)(s, net, check, tmp, facts.platform.arch);
    if (typeof got === "string") return void step(`${s.name} ${got} is installed and the latest`);
    const entry = s.tree ? codexEntry(readTextOrNull(join(got.path, "codex-package.json")), (rel) => existsSync(join(got.path, rel))) : "";
    const reported = await versionOf(join(got.path, entry), s.name);
    const version = got.version || reported;
    let dir: string | undefined;
    if (s.tree) dir = switchTo(s.tree, got.path, version, entry, s.dest);
    else renameSync(got.path, s.dest);
    const { path: _, ...how } = got;
    updateState(facts.paths.stateJson, "install", {
      ...readState(facts.paths.stateJson).install,
      [s.name]: { ...how, version, source: s.source, dir, entry: dir && entry, ...fileId(s.dest)! },
    });
    step(`installed ${s.name} ${version} (${got.layout === "package" ? "complete package" : got.layout}, verified by ${got.verified}) from ${got.url} into ${dir ?? s.dest}`);
  } catch (e) {
    const why = (e as Error).message;
    if (kept) return void warn(`could not get the latest ${s.name} (${why}); keeping the installed ${kept}`);
    throw new RunError(
      `installing ${s.name} ${bare(s.version)}: ${why}. Check ${s.name}_version${s.sha256 ? `, ${s.name}_sha256` : ""} and ${s.source === "npm" ? "npm_registry_url" : "github_url"}; the installed ${s.name}, if any, was kept`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The version `exe --version` reports: the new executable runs once before it replaces anything, so a wrong asset (an HTML page, another platform) fails here. */
async function versionOf(exe: string, name: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(exe, ["--version"], { timeout: 20_000 }); // Bun may throw here, not reject
    return /\d+\.\d+\.\d+\S*/.exec(stdout)?.[0] ?? "unknown";
  } catch (e) {
    throw new Error(`the downloaded ${name} does not run (${(e as Error).message.split("\n")[0]})`);
  }
}

/** A release asset that is the executable itself (AgentAPI). */
async function fromAsset(s: InstallStep, net: Net, check: Net, tmp: string): Promise<Fetched | string> {
  const asset = basename(s.url!);
  const { version, dir } = await latestRelease(s, dirname(s.url!), asset, check);
  if (version === s.installed) return version;
  const [url, file] = [`${dir}/${asset}`, join(tmp, "download")];
  const got = await fetchChecked(url, file, net, s.name, s.sha256);
  chmodSync(file, 0o755);
  return { path: file, version, url, sha256: got.sha256, verified: s.sha256 ? `${s.name}_sha256` : "nothing", layout: "binary" };
}

/** pre_install_script / post_install_script: run with sh, output shown and kept in a 0600 log. */
async function script(ctx: RunContext, kind: "pre" | "post"): Promise<void> {
  const text = ctx.inputs[`${kind}_install_script`];
  if (!text) return;
  const { moduleDir, home } = ctx.facts.paths;
  const log = join(moduleDir, `${kind}_install.log`);
  step(`running ${kind}_install_script (output kept in ${log})`);
  const fd = openSync(log, "w", 0o600); // not appendFileSync: Deno's sets mode 0666
  try {
    const code = await new Promise<number>((ok, fail) => {
      const child = spawn("sh", ["-c", "exec 2>&1\n" + text], { cwd: home, env: ctx.env, stdio: ["ignore", "pipe", "ignore"] });
      // Shown and logged as it comes, secrets scrubbed even when a chunk boundary splits one.
      const scrubbed = scrubStream(ctx.secrets);
      const show = (t: string) => (writeSync(fd, t), process.stdout.write(t));
      child.stdout!.setEncoding("utf8").on("data", (d: string) => show(scrubbed.push(d)));
      child.on("error", fail);
      child.on("close", (c) => (show(scrubbed.end()), ok(c ?? 1)));
    });
    if (code) throw new RunError(`${kind}_install_script failed with exit code ${code}: its output is in ${log}. Fix the script or set ${kind}_install_script = ""`);
  } finally {
    closeSync(fd);
  }
}

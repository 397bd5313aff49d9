// Carries out the install steps: pre script, downloads (in parallel), verification, atomic rename,
// state, links in CODER_SCRIPT_BIN_DIR, post script. Runs under boot.lock (cli.ts), so the plan's
// warm check is current; correctness does not rest on that lock though: every binary lands by
// rename of a verified temp file, so a reader sees the old file or the new one, never a torn one.
import { spawn } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { RunContext } from "../context.ts";
import type { InstallStep } from "../plan.ts";
import { RunError } from "../errors.ts";
import { fileId, makeDir } from "../fsutil.ts";
import { scrubStream } from "../scrub-stream.ts";
import { progress, step, warn } from "../log.ts";
import { readState, updateState } from "../state.ts";
import { download, latestTag, type Net } from "./fetch.ts";
import { npmToken } from "./npm.ts";
import { bare } from "./plan.ts";
import { installCodex } from "./codex.ts";
import { failed, versionOf } from "./outcome.ts";

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
  mkdirSync(binDir, { recursive: true });
  // Leftovers of a killed run (nobody else installs while this run holds boot.lock).
  for (const f of readdirSync(binDir)) if (f.endsWith(".part")) rmSync(join(binDir, f), { force: true });
  // Settled, not all: every download cleans up its temp files before the boot exits.
  const runs = plan.install.map((s) => s.action === "download" && (s.name === "codex" ? installCodex(ctx, s, net) : installOne(ctx, s, net)));
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

/** A single-binary release asset (AgentAPI): download, verify, run once, rename into place. */
async function installOne({ facts }: RunContext, s: InstallStep, net: Net): Promise<void> {
  const pin = s.sha256;
  const latest = s.version === "latest";
  let version = latest ? "" : bare(s.version);
  let url = s.url!;
  const tmp = join(facts.paths.binDir, `.${s.name}.${process.pid}`);
  const [dl, part] = [tmp + ".dl.part", tmp + ".part"];
  // A working install of "latest" is kept when a newer one cannot be had: that must not fail a boot,
  // nor hold it up (the check gets few retries).
  const kept = latest && s.installed;
  const check = kept ? { ...net, tries: 2 } : net;
  try {
    if (!version) {
      const tag = await latestTag(url, check);
      if (tag) {
        version = bare(tag);
        url = url.replace("latest/download", "download/" + tag);
      }
    }
    if (version === s.installed) return void step(`${s.name} ${version} is installed and the latest`);
    const got = await download(url, dl, net, progress(s.name));
    if (pin && got.sha256 !== pin) throw new Error(`${url} has sha256 ${got.sha256}, not ${s.name}_sha256 ${pin}`);
    renameSync(dl, part);
    chmodSync(part, 0o755);
    const reported = await versionOf(part, s.name);
    version ||= reported;
    renameSync(part, s.dest);
    updateState(facts.paths.stateJson, "install", {
      ...readState(facts.paths.stateJson).install,
      [s.name]: { version, sha256: got.sha256, source: s.source, url, ...fileId(s.dest)! },
    });
    step(`installed ${s.name} ${version} from ${url}`);
  } catch (e) {
    failed(s, e, kept, version || s.version);
  } finally {
    rmSync(dl, { force: true });
    rmSync(part, { force: true });
  }
}

/** pre_install_script / post_install_script: run with sh, output shown and kept in a 0600 log. */
async function script(ctx: RunContext, kind: "pre" | "post"): Promise<void> {
  const text = ctx.inputs[`${kind}_install_script`];
  if (!text) return;
  const { moduleDir, home } = ctx.facts.paths;
  const log = join(moduleDir, `${kind}_install.log`);
  step(`running ${kind}_install_script (output kept in ${log})`);
  makeDir(moduleDir, 0o700);
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

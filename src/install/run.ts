// Carries out the install steps: pre script, downloads (in parallel), verification, atomic rename,
// state, links in CODER_SCRIPT_BIN_DIR, post script. Runs under boot.lock (cli.ts), so the plan's
// warm check is current; correctness does not rest on that lock though: every binary lands by
// rename of a verified temp file, so a reader sees the old file or the new one, never a torn one.
import { execFile, spawn } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { RunContext } from "../context.ts";
import type { InstallStep } from "../plan.ts";
import { RunError } from "../errors.ts";
import { fileId } from "../fsutil.ts";
import { scrub } from "../inputs.ts";
import { progress, step, warn } from "../log.ts";
import { readState, updateState } from "../state.ts";
import { extractEntry } from "./extract.ts";
import { download, getJson, latestTag, type Net } from "./fetch.ts";
import { npmRegistry, npmToken, pickTarball } from "./npm.ts";
import { bare, entryFor, isInstalled, isLatest, releaseUrl, targetFor } from "./plan.ts";

export async function runInstall(ctx: RunContext): Promise<void> {
  const { plan, inputs, facts, env } = ctx;
  const { binDir } = facts.paths;
  await script(ctx, "pre");
  for (const s of plan.install) {
    if (s.action === "use-existing" && !existsSync(s.dest)) {
      throw new RunError(`using an existing ${s.name}: ${s.reason}`);
    }
    if (s.action !== "download") step(`${s.name}: ${s.reason}`);
  }
  const work = plan.install.filter((s) => s.action === "download");
  if (work.length) {
    const registry = npmRegistry(inputs.npm_registry_url, facts.env, facts.files.npmrc);
    const npmAuth = registry && npmToken(facts.files.npmrc, registry, env);
    const gh = ctx.secrets.GITHUB_TOKEN;
    const net: Net = {
      timeoutMs: inputs.download_timeout_seconds * 1000,
      // GITHUB_TOKEN goes to GitHub itself only, never to a mirror that github_url may name.
      auth: (u) =>
        gh && u.protocol === "https:" && (u.host === "github.com" || u.host === "api.github.com")
          ? `Bearer ${gh}`
          : npmAuth && u.origin === new URL(registry).origin ? `Bearer ${npmAuth}` : undefined,
    };
    mkdirSync(binDir, { recursive: true });
    // Leftovers of a killed run (nobody else installs while this run holds boot.lock).
    for (const f of readdirSync(binDir)) if (f.endsWith(".part")) rmSync(join(binDir, f), { force: true });
    const results = await Promise.allSettled(work.map((s) => installOne(ctx, s, net, registry ?? "")));
    for (const r of results) if (r.status === "rejected") throw r.reason;
  }
  const dir = env.CODER_SCRIPT_BIN_DIR;
  for (const s of plan.install) {
    const link = dir && join(dir, s.name);
    if (!link || !s.dest.startsWith(binDir + "/") || readlinkOrNull(link) === s.dest) continue;
    mkdirSync(dir, { recursive: true });
    symlinkSync(s.dest, link + ".tmp" + process.pid);
    renameSync(link + ".tmp" + process.pid, link);
  }
  await script(ctx, "post");
}

function readlinkOrNull(path: string) {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

async function installOne(ctx: RunContext, s: InstallStep, net: Net, registry: string): Promise<void> {
  const { facts, inputs } = ctx;
  const arch = targetFor(facts.platform);
  const pin = s.sha256 ?? "";
  const started = Date.now();
  let version = isLatest(s.version) ? "" : bare(s.version);
  let url = s.url!;
  let sha512 = "";
  const tmp = join(facts.paths.binDir, `.${s.name}.${process.pid}`);
  const [dl, part] = [tmp + ".download.part", tmp + ".part"];
  const r = facts.state.install?.[s.name];
  // With a working install, the check for a newer "latest" gets few retries: it must not hold up a boot.
  const kept = isLatest(s.version) && !!r && isInstalled(r, fileId(s.dest), r.version, pin);
  const check = kept ? { ...net, tries: 2 } : net;
  try {
    try {
      if (s.source === "npm") {
        ({ version, url, sha512 } = pickTarball(
          await getJson(url, check, "application/vnd.npm.install-v1+json"), s.version, facts.platform.arch, registry,
        ));
      } else if (!version) {
        const tag = await latestTag(url, check);
        if (tag) {
          version = bare(tag);
          url = releaseUrl(inputs.github_url, s.name, version, arch);
        }
      }
    } catch (e) {
      // Offline with a working install: checking for a newer "latest" is not worth failing the boot.
      if (!kept) throw e;
      return void warn(`could not check for a newer ${s.name} (${(e as Error).message}); keeping the installed ${r!.version}`);
    }
    if (version && isInstalled(r, fileId(s.dest), version, pin)) return void step(`${s.name} ${version} is installed and the latest`);
    const got = await download(url, dl, net, progress(s.name));
    if ((pin && got.sha256 !== pin) || (sha512 && got.sha512 !== sha512)) {
      throw new RunError(
        `verifying ${s.name} ${version}: ${url} ${pin ? `has sha256 ${got.sha256}, not ${s.name}_sha256 ${pin}` : `does not match the sha512 integrity of the registry ${registry}`}; the installed ${s.name} was kept. Check ${pin ? `${s.name}_sha256` : "npm_registry_url"}`,
      );
    }
    const entry = entryFor(s.name, s.source, arch);
    if (entry) await extractEntry(dl, entry, part, `${s.name} from ${url}`);
    else renameSync(dl, part);
    chmodSync(part, 0o755);
    // Runs it once: catches a wrong asset (an HTML page, another platform) before it replaces anything.
    const reported = await new Promise<string>((ok, fail) =>
      execFile(part, ["--version"], { timeout: 20_000 }, (e, stdout) => (e ? fail(e) : ok(String(stdout)))),
    ).catch((e) => {
      throw new Error(`the downloaded ${s.name} does not run (${(e as Error).message.split("\n")[0]})`);
    });
    version ||= /\d+\.\d+\.\d+\S*/.exec(reported)?.[0] ?? "unknown";
    renameSync(part, s.dest);
    updateState(facts.paths.stateJson, "install", {
      ...readState(facts.paths.stateJson).install,
      [s.name]: { version, sha256: got.sha256, source: s.source, url, ...fileId(s.dest)! },
    });
    step(`installed ${s.name} ${version} from ${url} (${(got.size / 1e6).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    if (e instanceof RunError) throw e;
    throw new RunError(
      `installing ${s.name} ${version || s.version}: ${(e as Error).message}. Check ${s.name}_version and ${s.source === "npm" ? "npm_registry_url" : "github_url"}; the installed ${s.name}, if any, was kept`,
    );
  } finally {
    rmSync(dl, { force: true });
    rmSync(part, { force: true });
  }
}

/** pre_install_script / post_install_script: run with sh, output shown and kept in a 0600 log. */
async function script(ctx: RunContext, kind: "pre" | "post"): Promise<void> {
  const text = ctx.inputs[`${kind}_install_script`];
  if (!text) return;
  const log = join(ctx.facts.paths.moduleDir, `${kind}_install.log`);
  step(`running ${kind}_install_script (output kept in ${log})`);
  mkdirSync(ctx.facts.paths.moduleDir, { recursive: true });
  const fd = openSync(log, "w", 0o600);
  try {
    const code = await new Promise<number>((ok, fail) => {
      const child = spawn("sh", ["-c", "exec 2>&1\n" + text], { cwd: ctx.facts.paths.home, env: ctx.env, stdio: ["ignore", "pipe", "ignore"] });
      // Shown and logged as it comes, secrets scrubbed (a pipe hands over whole lines of this size).
      child.stdout!.on("data", (d) => {
        const t = scrub(String(d), ctx.secrets);
        writeSync(fd, t);
        process.stdout.write(t);
      });
      child.on("error", fail);
      child.on("close", (c) => ok(c ?? 1));
    });
    if (code) throw new RunError(`${kind}_install_script failed with exit code ${code}: its output is in ${log}. Fix the script or set ${kind}_install_script = ""`);
  } finally {
    closeSync(fd);
  }
}

import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findSession, seedSession } from "../../src/sessions.ts";
import { launchFacts } from "../../src/agentapi.ts";
import { pathsFor } from "../../src/paths.ts";

const root = realpathSync(mkdtempSync(join(tmpdir(), "codex-boot-sessions-")));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A rollout file shaped like Codex 0.169's: line 1 session_meta with a long base_instructions. */
function rollout(codexHome: string, cwd: string, mtimeMs: number, day = "2026/11/25") {
  const id = `01a212e8-0000-7000-8000-${String(++n).padStart(12, "0")}`;
  const dir = join(codexHome, "sessions", day);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `rollout-2026-11-25T13-32-${String(n).padStart(2, "0")}-${id}.jsonl`);
  const meta = { type: "session_meta", payload: { session_id: id, id, cwd, originator: "codex_tui", base_instructions: { text: "x".repeat(40_000) } } };
  writeFileSync(file, JSON.stringify(meta) + "\n" + JSON.stringify({ type: "response_item", payload: { cwd: "/elsewhere" } }) + "\n");
  utimesSync(file, mtimeMs / 1000, mtimeMs / 1000);
  return { id, file };
}

describe("finding Codex's session for the workdir", () => {
  const home = join(root, "a");
  const work = join(root, "work");
  mkdirSync(work, { recursive: true });
  const old = rollout(home, work, 1_000_000);
  const other = rollout(home, "/somewhere/else", 3_000_000);
  const newest = rollout(home, work, 2_000_000, "2026/11/26");

  test("the newest session whose session_meta cwd is the workdir, across day directories", () => {
    expect(findSession(home, work, 0)).toEqual(newest);
    expect(findSession(home, "/somewhere/else", 0)).toEqual(other);
  });

  test("only sessions written since the given time", () => {
    expect(findSession(home, work, 2_500_000)).toBeNull();
    expect(findSession(home, work, 1_500_000)).toEqual(newest);
    expect(old.id).not.toBe(newest.id);
  });

  test("a workdir reached through a symlink matches the real path Codex records", () => {
    const link = join(root, "link-to-work");
    symlinkSync(work, link);
    expect(findSession(home, link, 0)).toEqual(newest);
  });

  test("no sessions directory, or a file that is not a rollout: none", () => {
    expect(findSession(join(root, "none"), work, 0)).toBeNull();
    const home2 = join(root, "b");
    mkdirSync(join(home2, "sessions/2026/11/25"), { recursive: true });
    writeFileSync(join(home2, "sessions/2026/11/25/rollout-broken.jsonl"), "{not json\n");
    writeFileSync(join(home2, "sessions/2026/11/25/notes.txt"), JSON.stringify({ payload: { id: "x", cwd: work } }) + "\n");
    expect(findSession(home2, work, 0)).toBeNull();
  });
});

describe("launch facts", () => {
  const home = join(root, "h");
  const paths = pathsFor(home, undefined);
  const work = join(root, "w");

  test("the tracked session while its file exists, else the newest since the last launch", () => {
    const tracked = rollout(paths.codexHome, work, 5_000_000);
    const later = rollout(paths.codexHome, work, 6_000_000);
    const state = { launch: { fingerprint: "f", startedAt: 4_000_000, session: tracked } };
    expect(launchFacts(paths, state, work).session).toEqual(tracked);
    rmSync(tracked.file);
    expect(launchFacts(paths, state, work).session).toEqual(later);
    expect(launchFacts(paths, { launch: { fingerprint: "f", startedAt: 7_000_000 } }, work).session).toBeNull();
    expect(launchFacts(paths, {}, work).session).toBeNull(); // never launched: nothing of ours to continue
  });

  test("a pid file naming a live process that is not agentapi is not running", () => {
    mkdirSync(paths.moduleDir, { recursive: true });
    writeFileSync(paths.agentapiPid, `${process.pid}\n`);
    expect(launchFacts(paths, {}, work)).toMatchObject({ pid: process.pid, running: false });
    writeFileSync(paths.agentapiPid, "garbage");
    expect(launchFacts(paths, {}, work)).toMatchObject({ pid: null, running: false });
  });
});

describe("taking over the session coder-labs/codex 4.x tracked", () => {
  const home = join(root, "seed-home");
  const paths = pathsFor(home, undefined);
  const work = join(root, "seed-work");
  mkdirSync(work, { recursive: true });
  mkdirSync(paths.moduleDir, { recursive: true });
  const tracked = rollout(paths.codexHome, work, 1_000_000);
  rollout(paths.codexHome, work, 2_000_000); // newer, but not the one the seed tracked
  writeFileSync(join(paths.moduleDir, ".codex-task-session"), `/other|${tracked.id}\n${work}|${tracked.id}\n`);

  test("before this module's first launch, the seed's <workdir>|<id> line names the session to continue", () => {
    expect(seedSession(paths.moduleDir, paths.codexHome, work)).toEqual(tracked);
    expect(launchFacts(paths, {}, work).session).toEqual(tracked);
  });

  test("no line for the workdir, or a session whose file is gone, means no session", () => {
    expect(seedSession(paths.moduleDir, paths.codexHome, join(root, "elsewhere"))).toBeNull();
    writeFileSync(join(paths.moduleDir, ".codex-task-session"), `${work}|01a212e8-0000-7000-8000-999999999999\n`);
    expect(seedSession(paths.moduleDir, paths.codexHome, work)).toBeNull();
    writeFileSync(join(paths.moduleDir, ".codex-task-session"), `${work}|${tracked.id}\n`);
  });

  test("once this module has launched, state.json decides and the seed's file is ignored", () => {
    expect(launchFacts(paths, { launch: { fingerprint: "f", startedAt: 3_000_000 } }, work).session).toBeNull();
  });
});

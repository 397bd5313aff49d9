// Takes one file out of a .tar.gz with the system tar, straight to a file we opened (never onto
// paths the archive names). The archive is also listed, in parallel so gunzip is not paid twice in
// wall time, and refused when any entry is a link or special file, has an absolute or `..` path,
// is over the cap, or when the wanted entry is missing or stored twice. `ulimit -f` bounds what the
// extraction can write before the listing has been read.
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { RunError } from "../errors.ts";

export const MAX_ENTRY = 2 ** 30;

/** Checks a `tar -tv` listing (GNU or busybox layout); returns how often `entry` is stored as a regular file. */
export function checkListing(listing: string, entry: string, cap = MAX_ENTRY): number {
  let found = 0;
  for (const line of listing.split("\n")) {
    if (!line) continue;
    const m = /^([-d])\S*\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(.+)$/.exec(line);
    if (!m || m[3]!.startsWith("/") || m[3]!.split("/").includes("..")) throw new Error(`unsafe entry refused: ${line}`);
    if (+m[2]! > cap) throw new Error(`entry over ${cap} bytes refused: ${line}`);
    if (m[1] === "-" && m[3] === entry) found++;
  }
  return found;
}

function tar(args: string[], stdout: "pipe" | number, cap: number): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn("sh", ["-c", `ulimit -f ${Math.ceil(cap / 512)} && exec tar "$@"`, "tar", ...args], { stdio: ["ignore", stdout, "pipe"] });
    let text = "";
    let err = "";
    child.stdout?.on("data", (d) => (text += d));
    child.stderr!.on("data", (d) => (err += d));
    child.on("error", fail);
    child.on("close", (code, signal) => (code === 0 ? ok(text) : fail(new Error(`tar ${args[0]} failed (${signal ?? code}): ${err.trim()}`))));
  });
}

/** Writes `entry` of archive to dest, refusing unsafe archives. */
export async function extractEntry(archive: string, entry: string, dest: string, what: string, cap = MAX_ENTRY): Promise<void> {
  const fd = openSync(dest, "w", 0o600);
  try {
    const [list, x] = await Promise.allSettled([tar(["-tvzf", archive], "pipe", cap), tar(["-xzOf", archive, entry], fd, cap)]);
    if (list.status === "rejected") throw list.reason;
    const n = checkListing(list.value, entry, cap); // an unsafe archive is named as such, whatever the extraction did
    if (x.status === "rejected") throw x.reason;
    if (n !== 1) throw new Error(`${entry} is stored more than once`);
  } catch (e) {
    throw new RunError(`extracting ${what}: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

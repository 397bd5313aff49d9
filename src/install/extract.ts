// Takes one file out of a .tar.gz with the system tar, straight into a file of ours (never onto
// paths the archive names). The archive is also listed, in parallel so gunzip is not paid twice in
// wall time, and refused when any entry is a link or special file, has an absolute or `..` path,
// is over the cap, or when the wanted entry is missing or stored twice. `ulimit -f` bounds what the
// extraction can write before the listing has been read.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const MAX_ENTRY = 2 ** 30;

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

/** Runs a tar command line with sh ($1.. = args), never writing more than cap; resolves with its stdout. */
async function tar(cmd: string, args: string[], cap: number): Promise<string> {
  try {
    return (await promisify(execFile)("sh", ["-c", `ulimit -f ${Math.ceil(cap / 512)} && tar ${cmd}`, "sh", ...args])).stdout;
  } catch (e) {
    const { signal, code, stderr } = e as { signal?: string; code?: number; stderr?: string };
    throw new Error(`tar failed (${signal ?? code}): ${stderr?.trim()}`);
  }
}

/** Writes `entry` of archive to dest, refusing unsafe archives. */
export async function extractEntry(archive: string, entry: string, dest: string, what: string, cap = MAX_ENTRY): Promise<void> {
  const [list, x] = await Promise.allSettled([tar('-tvzf "$1"', [archive], cap), tar('-xzOf "$1" "$2" > "$3"', [archive, entry, dest], cap)]);
  try {
    if (list.status === "rejected") throw list.reason;
    const n = checkListing(list.value, entry, cap); // an unsafe archive is named as such, whatever the extraction did
    if (x.status === "rejected") throw x.reason;
    if (n !== 1) throw new Error(`${entry} is stored more than once`);
  } catch (e) {
    throw new Error(`extracting ${what}: ${(e as Error).message}`);
  }
}

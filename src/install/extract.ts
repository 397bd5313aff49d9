// Extracts a .tar.gz with the system tar into a fresh directory of ours. The archive is also
// listed, in parallel so gunzip is not paid twice in wall time, and refused when any entry is a
// hard link or special file, has an absolute or `..` path, is a symbolic link out of the tree, or
// is over the cap. `ulimit -f` bounds what the extraction can write before the listing has been read.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync } from "node:fs";
import { posix } from "node:path";

/**
 * Checks a `tar -tv` listing (GNU or busybox layout) for extracting a whole tree: files,
 * directories and symbolic links that stay inside it; no absolute or `..` path, no hard link or
 * device, no entry over the cap.
 */
export function checkTree(listing: string, cap = 2 ** 30): void {
  for (const line of listing.split("\n")) {
    if (!line) continue;
    const m = /^([-dl])\S*\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(.+)$/.exec(line);
    // A link lists as `name -> target`; with " -> " inside either, where it points is ambiguous.
    const parts = m?.[1] === "l" ? m[3]!.split(" -> ") : [m?.[3], ""];
    const [name = "/", target = "/"] = parts.length === 2 ? parts : [];
    const escapes = (p: string) => p.startsWith("/") || p.split("/").includes("..");
    // Not a link: target "", its own directory. A link's target resolves from the link's directory;
    // join normalizes a/b/../c to a/c, so a `..` left over leaves the tree.
    if (!m || escapes(name) || target.startsWith("/") || escapes(posix.join(posix.dirname(name), target))) {
      throw new Error(`unsafe entry refused: ${line}`);
    }
    if (+m[2]! > cap) throw new Error(`entry over ${cap} bytes refused: ${line}`);
  }
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

/** Extracts every entry of archive into dir (created, must not exist), refusing unsafe archives. */
export async function extractTree(archive: string, dir: string, what: string, cap = 2 ** 30): Promise<void> {
  mkdirSync(dir, 0o755);
  // -o: files belong to whoever runs this, never to the uids the archive names.
  const [list, x] = await Promise.allSettled([tar('-tvzf "$1"', [archive], cap), tar('-xzof "$1" -C "$2"', [archive, dir], cap)]);
  try {
    if (list.status === "rejected") throw list.reason;
    checkTree(list.value, cap); // an unsafe archive is named as such, whatever the extraction did
    if (x.status === "rejected") throw x.reason;
  } catch (e) {
    throw new Error(`extracting ${what}: ${(e as Error).message}`);
  }
}

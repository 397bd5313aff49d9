// Extracts a .tar.gz with the system tar into a fresh directory of ours. One decompression in
// this process (node:zlib: 2.6 s for the Codex package where `tar -xz` took 4.6 s) feeds two tars:
// the listing, refused when any entry is a hard link or special file, has an absolute or `..`
// path, is a symbolic link out of the tree, or is over the cap; and the extraction, which
// `ulimit -f` bounds before the listing has been read. The archive is verified before this runs.
import { execFile, type ChildProcess } from "node:child_process";
import { createReadStream, mkdirSync } from "node:fs";
import { posix } from "node:path";
import { createGunzip } from "node:zlib";

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

/** tar with args under sh (`ulimit -f`: it never writes more than cap), reading the tar stream on its stdin. */
function tarReading(args: string[], cap: number) {
  let child!: ChildProcess;
  const done = new Promise<string>((ok, fail) => {
    child = execFile("sh", ["-c", `ulimit -f ${Math.ceil(cap / 512)} && exec tar "$@"`, "sh", ...args], (e, stdout, stderr) =>
      e ? fail(new Error(`tar failed (${e.signal ?? e.code}): ${stderr.trim()}`)) : ok(stdout));
  });
  child.stdin!.on("error", () => {}); // a tar that has exited takes no more (EPIPE): its exit says why
  return { stdin: child.stdin!, done };
}

/** Extracts every entry of archive into dir (created, must not exist), refusing unsafe archives. */
export async function extractTree(archive: string, dir: string, what: string, cap = 2 ** 30): Promise<void> {
  mkdirSync(dir, 0o755);
  // -o: files belong to whoever runs this, never to the uids the archive names.
  const [list, x] = [tarReading(["-tvf", "-"], cap), tarReading(["-xof", "-", "-C", dir], cap)];
  const tars = [list, x];
  const unpacked = new Promise<void>((ok, fail) => {
    // The end of the stream, or an error, ends both tars' input so that they exit.
    const end = (e?: Error) => (tars.forEach((t) => t.stdin.end()), e ? fail(e) : ok());
    // Both tars get every chunk; the slower one sets the pace (until it drains or exits). By hand,
    // not gunzip.pipe() twice: under Bun 1.4 that stalled on the Codex package.
    const gunzip = createGunzip()
      .on("error", (e) => end(new Error(`not a valid gzip stream (${e.message})`)))
      .on("end", () => end())
      .on("data", (chunk: Buffer) => {
        const full = tars.filter((t) => t.stdin.writable && !t.stdin.write(chunk));
        const ready = full.map((t) => Promise.race([new Promise((go) => t.stdin.once("drain", go)), t.done.catch(() => {})]));
        if (full.length) gunzip.pause(), Promise.all(ready).then(() => gunzip.resume());
      });
    createReadStream(archive).on("error", end).pipe(gunzip);
  });
  const [gz, listing, extracted] = await Promise.allSettled([unpacked, list.done, x.done]);
  try {
    if (gz.status === "rejected") throw gz.reason;
    if (listing.status === "rejected") throw listing.reason;
    checkTree(listing.value, cap); // an unsafe archive is named as such, whatever the extraction did
    if (extracted.status === "rejected") throw extracted.reason;
  } catch (e) {
    throw new Error(`extracting ${what}: ${(e as Error).message}`);
  }
}

// Resilient HTTP for the installer: a timeout on every wait for the network, retries with backoff
// and jitter, and downloads that resume with Range after a broken body. Credentials go to the URL
// asked for only: on a redirect to another origin, Bun, Deno and Node drop Authorization (the
// fetch standard). Proxies: Bun's and Deno's fetch honour HTTP_PROXY / HTTPS_PROXY / NO_PROXY
// themselves; Node 20's fetch ignores them.
import { closeSync, ftruncateSync, openSync, statfsSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { createHash, type Hash } from "node:crypto";

export interface Net {
  /** Longest wait for a response or for the next chunk of a body. */
  timeoutMs: number;
  /** The Authorization header for the URL asked for, or undefined. */
  auth?: (url: URL) => string | undefined;
  /** Attempts in a row without progress before giving up; base of the backoff. */
  tries?: number;
  backoffMs?: number;
}

export class HttpError extends Error {
  constructor(readonly res: Response, url: string) {
    super(`${url} answered HTTP ${res.status}`);
  }
}

/** A write to the local disk failed (ENOSPC, EDQUOT, EIO…): another request cannot help. */
export class LocalWriteError extends Error {}

/**
 * GET, retried on network errors, 408, 429 and 5xx. read() gets the 2xx response (or, when follow
 * is false, a redirect) and calls alive() on each chunk: that restarts the idle clock (nothing for
 * timeoutMs aborts the attempt) and resets the count.
 */
async function get<T>(
  url: string, net: Net, headers: () => Record<string, string>, read: (res: Response, alive: () => void) => Promise<T>, follow = true,
): Promise<T> {
  for (let fails = 0; ; ) {
    const ac = new AbortController();
    let t: ReturnType<typeof setTimeout> | undefined;
    const poke = () => {
      clearTimeout(t);
      t = setTimeout(() => ac.abort(new Error(`no data for ${net.timeoutMs / 1000} s`)), net.timeoutMs);
    };
    poke();
    try {
      const auth = net.auth?.(new URL(url));
      const res = await fetch(url, { headers: auth ? { ...headers(), authorization: auth } : headers(), redirect: follow ? "follow" : "manual", signal: ac.signal });
      if (!res.ok && (follow || !res.headers.get("location"))) {
        await res.body?.cancel();
        throw new HttpError(res, res.url || url);
      }
      return await read(res, () => {
        fails = 0;
        poke();
      });
    } catch (e) {
      if (e instanceof LocalWriteError) throw (ac.abort(e), e);
      const err = ac.signal.aborted ? ac.signal.reason : e;
      const res = err instanceof HttpError ? err.res : null;
      if ((res && res.status !== 408 && res.status !== 429 && res.status < 500) || ++fails >= (net.tries ?? 6)) throw err;
      // Retry-After in seconds (what GitHub and registries send), capped at a minute.
      const after = +(res?.headers.get("retry-after") || NaN);
      await new Promise((ok) =>
        setTimeout(ok, after >= 0 ? Math.min(after * 1000, 60_000) : (net.backoffMs ?? 500) * 2 ** (fails - 1) * (0.5 + Math.random())),
      );
    } finally {
      clearTimeout(t);
    }
  }
}

export const getJson = (url: string, net: Net, accept: string) => get(url, net, () => ({ accept }), (res) => res.json());

const absent = (e: unknown) => {
  if (e instanceof HttpError && e.res.status === 404) return null;
  throw e;
};

/** The body of a small text file, or null when the server says it has none (404). */
export const getTextOrNull = (url: string, net: Net) => get(url, net, () => ({}), (res) => res.text()).catch(absent);

/** Whether url exists: true, or null on 404; the body is not read. */
export const exists = (url: string, net: Net) =>
  get(url, net, () => ({}), async (res) => {
    await res.body?.cancel();
    return true;
  }).catch(absent);

/** The tag a `.../releases/latest/download/<asset>` URL redirects to, or null when it serves directly (or not at all). */
export const latestTag = (url: string, net: Net): Promise<string | null> =>
  get(url, net, () => ({}), async (res) => {
    await res.body?.cancel();
    return /\/download\/([^/]+)\/[^/]+$/.exec(res.headers.get("location") ?? "")?.[1] ?? null;
  }, false).catch(absent);

/**
 * Streams url into file, resuming after a broken body. Returns the hex sha256 of the whole and, when
 * asked (npm integrity), the base64 sha512: 0.5 s of CPU for the Codex package that GitHub's
 * SHA256SUMS does not need.
 */
export async function download(url: string, file: string, net: Net, onProgress: (done: number, total: number) => void, sha512 = false) {
  const fd = openSync(file, "a", 0o600); // appends, so a restart after ftruncate writes from 0
  let have = 0;
  let hashes: Hash[] = [];
  const restart = () => {
    ftruncateSync(fd, 0);
    have = 0;
    hashes = [createHash("sha256"), ...(sha512 ? [createHash("sha512")] : [])];
  };
  restart();
  const write = (bytes: Uint8Array) => {
    try {
      writeSync(fd, bytes);
    } catch (e) {
      let free = "";
      try {
        const fs = statfsSync(dirname(file));
        free = `, ${((fs.bavail * fs.bsize) / 1e6).toFixed(1)} MB free there`;
      } catch {}
      throw new LocalWriteError(`cannot write ${file} after ${have} bytes: ${(e as Error).message}${free}. Free disk space (or fix the file system) and start again`);
    }
  };
  try {
    await get(url, net, (): Record<string, string> => (have ? { range: `bytes=${have}-` } : {}), async (res, alive) => {
      // A server that ignores Range sends the whole body again: start over.
      if (!res.headers.get("content-range")?.startsWith(`bytes ${have}-`)) restart();
      const total = have + Number(res.headers.get("content-length") ?? NaN);
      const reader = res.body!.getReader();
      for (let r; !(r = await reader.read()).done; ) {
        alive();
        write(r.value);
        for (const h of hashes) h.update(r.value);
        onProgress((have += r.value.byteLength), total);
      }
      if (have < total) throw new Error(`the connection closed after ${have} of ${total} bytes`);
    });
    return { sha256: hashes[0]!.digest("hex"), sha512: hashes[1]?.digest("base64") };
  } finally {
    closeSync(fd);
  }
}

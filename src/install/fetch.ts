// Resilient HTTP for the installer: manual redirects (so credentials are chosen per host, never
// forwarded), a timeout on every wait for the network, retries with backoff and jitter, and
// downloads that resume with Range after a broken body. Proxies: Bun's and Deno's fetch honour
// HTTP_PROXY / HTTPS_PROXY / NO_PROXY themselves; Node 20's fetch ignores them.
import { closeSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { createHash, type Hash } from "node:crypto";

export interface Net {
  /** Longest wait for a response or for the next chunk of a body. */
  timeoutMs: number;
  /** The Authorization header for a URL, or undefined: decided for each hop of a redirect. */
  auth?: (url: URL) => string | undefined;
  /** Attempts in a row without progress before giving up; base of the backoff. */
  tries?: number;
  backoffMs?: number;
}

export class HttpError extends Error {
  constructor(readonly status: number, readonly url: string, readonly retryAfterMs?: number) {
    super(`${url} answered HTTP ${status}`);
  }
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** Retry-After in seconds (what GitHub and registries send), capped at a minute. */
const retryAfter = (h: string | null) => (h && /^\d+$/.test(h) ? Math.min(+h * 1000, 60_000) : undefined);

/** GET with redirects followed by hand (at most 10). Returns a 2xx response, or the 3xx when follow is false. */
export async function open(url: string, net: Net, signal: AbortSignal, headers: Record<string, string> = {}, follow = true) {
  for (let hop = 0; hop < 10; hop++) {
    const u = new URL(url);
    const auth = net.auth?.(u);
    const res = await fetch(u, { headers: auth ? { ...headers, authorization: auth } : headers, redirect: "manual", signal });
    const loc = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && loc) {
      if (!follow) return res;
      await res.body?.cancel();
      url = new URL(loc, u).href;
    } else if (res.ok) return res;
    else {
      await res.body?.cancel();
      throw new HttpError(res.status, url, retryAfter(res.headers.get("retry-after")));
    }
  }
  throw new Error(`more than 10 redirects from ${url}`);
}

/**
 * Runs fn until it succeeds; network errors, 408, 429 and 5xx are retried. The signal aborts when
 * nothing arrived for timeoutMs; fn calls alive() on each chunk (restarts that clock, resets the count).
 */
export async function retry<T>(net: Net, fn: (signal: AbortSignal, alive: () => void) => Promise<T>): Promise<T> {
  for (let fails = 0; ; ) {
    const ac = new AbortController();
    let t: ReturnType<typeof setTimeout> | undefined;
    const poke = () => {
      clearTimeout(t);
      t = setTimeout(() => ac.abort(new Error(`no data for ${net.timeoutMs / 1000} s`)), net.timeoutMs);
    };
    poke();
    try {
      return await fn(ac.signal, () => {
        fails = 0;
        poke();
      });
    } catch (e) {
      const err = ac.signal.aborted ? (ac.signal.reason as Error) : (e as Error);
      const status = err instanceof HttpError ? err.status : 0;
      if ((status && status !== 408 && status !== 429 && status < 500) || ++fails >= (net.tries ?? 6)) throw err;
      await sleep((err as HttpError).retryAfterMs ?? (net.backoffMs ?? 500) * 2 ** (fails - 1) * (0.5 + Math.random()));
    } finally {
      clearTimeout(t);
    }
  }
}

export const getJson = (url: string, net: Net, accept: string) =>
  retry(net, async (signal) => (await open(url, net, signal, { accept })).json());

/** The tag a `.../releases/latest/download/<asset>` URL redirects to, or null when it serves directly. */
export const latestTag = (url: string, net: Net) =>
  retry(net, async (signal) => {
    const res = await open(url, net, signal, {}, false);
    await res.body?.cancel();
    return /\/download\/([^/]+)\/[^/]+$/.exec(res.headers.get("location") ?? "")?.[1] ?? null;
  });

/** Streams url into file, resuming after a broken body. Returns the size and hex sha256 / base64 sha512 of the whole. */
export async function download(url: string, file: string, net: Net, onProgress: (done: number, total: number) => void) {
  const fd = openSync(file, "a", 0o600); // appends, so a restart after ftruncate writes from 0
  let have = 0;
  let hashes: Hash[] = [];
  const restart = () => {
    ftruncateSync(fd, 0);
    have = 0;
    hashes = [createHash("sha256"), createHash("sha512")];
  };
  restart();
  try {
    await retry(net, async (signal, alive) => {
      const res = await open(url, net, signal, have ? { range: `bytes=${have}-` } : {});
      // A server that ignores Range sends the whole body again: start over.
      if (res.status !== 206 || !res.headers.get("content-range")?.startsWith(`bytes ${have}-`)) restart();
      const total = have + Number(res.headers.get("content-length") ?? NaN);
      const reader = res.body!.getReader();
      for (let r; !(r = await reader.read()).done; ) {
        alive();
        writeSync(fd, r.value);
        for (const h of hashes) h.update(r.value);
        onProgress((have += r.value.byteLength), total);
      }
      if (have < total) throw new Error(`the connection closed after ${have} of ${total} bytes`);
    });
    return { size: have, sha256: hashes[0]!.digest("hex"), sha512: hashes[1]!.digest("base64") };
  } finally {
    closeSync(fd);
  }
}

// The transport against loopback servers, called directly with small timeouts and backoff.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { download, getJson, HttpError, latestTag, type Net } from "../../src/install/fetch.ts";
import { count, sha256hex, sha512b64, startMirror, type Mirror } from "../support/mirror.ts";

let a: Mirror;
let b: Mirror;
let dir: string;
const BYTES = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));
const net = (over: Partial<Net> = {}): Net => ({ timeoutMs: 2000, backoffMs: 10, tries: 4, ...over });
let n = 0;
const fetchTo = async (url: string, o = net()) => {
  const file = join(dir, `f${n++}`);
  const got = await download(url, file, o, () => {});
  expect(readFileSync(file).equals(BYTES)).toBe(true);
  return got;
};

beforeAll(async () => {
  a = await startMirror();
  b = await startMirror();
  dir = mkdtempSync(join(tmpdir(), "fetch-test-"));
  for (const m of [a, b]) m.files.set("/f", BYTES);
});
afterAll(async () => {
  await a.close();
  await b.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("download", () => {
  test("returns the sha256 of what it wrote, and its sha512 only when asked (npm integrity)", async () => {
    expect(await fetchTo(`${a.url}/f`)).toEqual({ sha256: sha256hex(BYTES), sha512: undefined });
    const file = join(dir, "with-sha512");
    expect(await download(`${a.url}/f`, file, net(), () => {}, true)).toEqual({ sha256: sha256hex(BYTES), sha512: sha512b64(BYTES) });
  });

  test("a connection reset mid-body resumes with Range from the byte it had", async () => {
    a.requests.length = 0;
    a.fault("/f", { kind: "reset", after: 100_000 });
    const got = await fetchTo(`${a.url}/f`);
    expect(got.sha256).toBe(sha256hex(BYTES));
    // A reset may drop bytes still in flight: it resumes from what actually arrived.
    const resumed = Number(/^bytes=(\d+)-$/.exec(a.requests[1]?.headers.range ?? "")?.[1]);
    expect(a.requests.map((r) => r.headers.range === undefined)).toEqual([true, false]);
    expect(resumed).toBeWithin(1, 100_001);
  });

  test("a body cut short of its Content-Length resumes too", async () => {
    a.requests.length = 0;
    a.fault("/f", { kind: "truncate", after: 5000 }, { kind: "truncate", after: 1000 });
    expect((await fetchTo(`${a.url}/f`)).sha256).toBe(sha256hex(BYTES));
    // Bun's fetch may drop bytes it buffered when the close follows them closely (see mirror.ts):
    // each resume starts at or before the cut, never after it.
    const [none, first, second] = a.requests.map((r) => Number(/^bytes=(\d+)-$/.exec(r.headers.range ?? "")?.[1] ?? 0));
    expect([a.requests.length, none]).toEqual([3, 0]);
    expect(first).toBeWithin(1, 5001);
    expect(second).toBeWithin(first! + 1, first! + 1001);
  });

  test("a server that ignores Range makes it start over, not append twice", async () => {
    let first = true;
    a.files.set("/norange", (_req, res) => {
      res.writeHead(200, { "content-length": String(BYTES.byteLength) });
      if (!first) return void res.end(BYTES);
      first = false;
      res.write(BYTES.subarray(0, 4096));
      setTimeout(() => res.socket?.destroy(), 20);
    });
    expect((await fetchTo(`${a.url}/norange`)).sha256).toBe(sha256hex(BYTES));
  });

  test("503 twice then OK succeeds; the backoff grows", async () => {
    a.requests.length = 0;
    a.fault("/f", { kind: "status", status: 503 }, { kind: "status", status: 503 });
    const t = Date.now();
    await fetchTo(`${a.url}/f`, net({ backoffMs: 100 }));
    expect(count(a, "/f")).toBe(3);
    expect(Date.now() - t).toBeGreaterThanOrEqual(50 + 100); // 100·(0.5..1.5) then 200·(0.5..1.5)
  });

  test("429 waits for Retry-After before trying again", async () => {
    a.fault("/f", { kind: "status", status: 429, retryAfter: 1 });
    const t = Date.now();
    await fetchTo(`${a.url}/f`);
    expect(Date.now() - t).toBeGreaterThanOrEqual(1000);
  });

  test("a 404 is not retried and names the URL and status", async () => {
    a.requests.length = 0;
    const err = await download(`${a.url}/missing`, join(dir, "x"), net(), () => {}).catch((e) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.message).toBe(`${a.url}/missing answered HTTP 404`);
    expect(count(a)).toBe(1);
  });

  test("persistent 5xx gives up after the configured number of tries", async () => {
    a.requests.length = 0;
    a.fault("/f", ...Array.from({ length: 10 }, () => ({ kind: "status" as const, status: 502 })));
    const err = await download(`${a.url}/f`, join(dir, "y"), net({ tries: 3 }), () => {}).catch((e) => e);
    expect(err.message).toContain("HTTP 502");
    expect(count(a)).toBe(3);
    a.faults.clear();
  });

  test("a stall past the idle timeout is abandoned and resumed", async () => {
    a.requests.length = 0;
    a.fault("/f", { kind: "stall", after: 50_000, ms: 5000 });
    const t = Date.now();
    await fetchTo(`${a.url}/f`, net({ timeoutMs: 300 }));
    expect(Date.now() - t).toBeLessThan(3000);
    expect(a.requests.map((r) => r.headers.range ?? null)).toEqual([null, "bytes=50000-"]);
  });

  test("a server that never answers times out with a clear message", async () => {
    a.files.set("/silent", () => {});
    const err = await download(`${a.url}/silent`, join(dir, "z"), net({ timeoutMs: 200, tries: 2 }), () => {}).catch((e) => e);
    expect(err.message).toBe("no data for 0.2 s");
  });

  test("redirects to a second host are followed; credentials go to the URL asked for, never to another host", async () => {
    a.requests.length = 0;
    b.requests.length = 0;
    a.fault("/f", { kind: "redirect", to: `${b.url}/hop` });
    b.fault("/hop", { kind: "redirect", to: `${a.url}/hop2` });
    a.fault("/hop2", { kind: "redirect", to: `${b.url}/f` });
    await fetchTo(`${a.url}/f`, net({ auth: (u) => (u.origin === a.url ? "Bearer only-for-a" : undefined) }));
    expect(a.requests.map((r) => [r.path, r.headers.authorization])).toEqual([["/f", "Bearer only-for-a"], ["/hop2", undefined]]);
    expect(b.requests.map((r) => [r.path, r.headers.authorization])).toEqual([["/hop", undefined], ["/f", undefined]]);
    // The resumed request after a broken body follows the redirects again with its Range.
    a.requests.length = 0;
    b.requests.length = 0;
    a.fault("/f", { kind: "redirect", to: `${b.url}/f` });
    a.fault("/f", { kind: "redirect", to: `${b.url}/f` });
    b.fault("/f", { kind: "truncate", after: 7000 });
    await fetchTo(`${a.url}/f`);
    expect(b.requests.map((r) => r.headers.range ?? null)).toEqual([null, "bytes=7000-"]);
  });

  test("progress reports bytes so far and the total", async () => {
    const seen: [number, number][] = [];
    await download(`${a.url}/f`, join(dir, "p"), net(), (d, t) => seen.push([d, t]));
    expect(seen.at(-1)).toEqual([BYTES.byteLength, BYTES.byteLength]);
    expect(seen.every(([d], i) => i === 0 || d > seen[i - 1]![0])).toBe(true);
  });
});

describe("small requests", () => {
  test("latestTag reads the tag from the latest redirect without downloading", async () => {
    a.files.set("/o/r/releases/latest/download/x", (_q, res) => {
      res.writeHead(302, { location: `${b.url}/o/r/releases/download/rust-v9.8.7/x` });
      res.end();
    });
    b.requests.length = 0;
    expect(await latestTag(`${a.url}/o/r/releases/latest/download/x`, net())).toBe("rust-v9.8.7");
    expect(count(b)).toBe(0);
    expect(await latestTag(`${a.url}/f`, net())).toBeNull();
  });

  test("getJson retries and sends the Accept header", async () => {
    a.files.set("/pk", (req, res) => res.end(JSON.stringify({ accept: req.headers.accept })));
    a.fault("/pk", { kind: "status", status: 500 });
    expect(await getJson(`${a.url}/pk`, net(), "application/x-test")).toEqual({ accept: "application/x-test" });
  });
});

// Bun as the stub downloads it, served by the loopback mirror: the real @oven/bun-linux-x64 npm
// tarball, and Bun's GitHub release zip (bun-linux-x64.zip holding bun-linux-x64/bun). The zip
// cannot be downloaded here, so it is built (cached) from the real binary of the npm package:
// Bun's npm packages carry the very binary of the release zips, so the module's pin applies.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { CACHE, tools } from "../support/tools.ts";
import { PINS } from "../support/versions.ts";
import { npmPackage, type Mirror } from "../support/mirror.ts";

const ZIP = `import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.write(sys.argv[2], sys.argv[3])
`;

function bunReleaseZip(target: string): Uint8Array {
  const st = statSync(tools().bun);
  const dir = join(CACHE, "mirror", `bun-${PINS.bun}-${st.size}-${Math.floor(st.mtimeMs)}`);
  const out = join(dir, `bun-${target}.zip`);
  if (!existsSync(out)) {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync("python3", ["-c", ZIP, `${out}.${process.pid}`, tools().bun, `bun-${target}/bun`], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`building bun-${target}.zip needs python3 (zipfile): ${r.error?.message ?? r.stderr}`);
    renameSync(`${out}.${process.pid}`, out);
  }
  return readFileSync(out);
}

/** Serves both layouts. x64 and x64-baseline of Bun 1.4.4 are one binary: both names are served,
 * so tests pass on CPUs without AVX2 too. Returns the request path prefixes. */
export function serveBun(m: Mirror) {
  const tgz = new Uint8Array(readFileSync(tools().bunTgz));
  for (const t of ["linux-x64", "linux-x64-baseline"]) {
    npmPackage(m, `@oven/bun-${t}`, [{ version: PINS.bun, bytes: tgz }], { latest: PINS.bun });
    m.files.set(`/oven-sh/bun/releases/download/bun-v${PINS.bun}/bun-${t}.zip`, bunReleaseZip(t));
  }
  return { npm: "/@oven/bun-linux-x64", zip: `/oven-sh/bun/releases/download/bun-v${PINS.bun}/bun-linux-x64` };
}

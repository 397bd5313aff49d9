// Bundles src/cli.ts into the one file the module embeds: dist/codex-boot.js.
// Deterministic (no timestamps, no absolute paths), node: built-ins external, minified by esbuild
// then terser (the start script's budget is counted in gzip bytes).
import { build, type Plugin } from "esbuild";
import { minify } from "terser";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/** The only runtime packages allowed in the bundle (DESIGN.md); a new one needs a written reason. */
export const BUNDLED = ["smol-toml"] as const;

const root = import.meta.dir;
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

function licenceOf(name: string): { text: string; spdx: string; version: string } {
  const dir = join(root, "node_modules", name);
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  for (const f of ["LICENSE", "LICENSE.md", "license", "LICENSE.txt"]) {
    try {
      return { text: readFileSync(join(dir, f), "utf8").trim(), spdx: meta.license, version: meta.version };
    } catch {
      // next name
    }
  }
  throw new Error(`no licence file found for bundled package ${name}`);
}

/**
 * Every module's `import { x } from "node:fs"` becomes one `import * as fs from "node:fs"` for the
 * whole bundle: esbuild otherwise repeats an import statement per module and built-in (38 of them,
 * each renaming the same names), which cost about 330 B of gzip in the start script.
 */
const oneImportPerBuiltin: Plugin = {
  name: "one-import-per-builtin",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => (a.namespace === "builtin" ? { path: a.path, external: true } : { path: a.path, namespace: "builtin" }));
    b.onLoad({ filter: /.*/, namespace: "builtin" }, (a) => ({ contents: `export * from ${JSON.stringify(a.path)};`, loader: "js" }));
  },
};

export async function buildBundle(): Promise<{ bytes: number }> {
  const licences = BUNDLED.map((n) => ({ name: n, ...licenceOf(n) }));
  const result = await build({
    entryPoints: [join(root, "src/cli.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    target: ["es2022"],
    minify: true,
    legalComments: "none",
    charset: "utf8",
    metafile: true,
    plugins: [oneImportPerBuiltin],
    write: false,
    absWorkingDir: root,
    define: { __CODEX_BOOT_VERSION__: JSON.stringify(pkg.version) },
    banner: {
      js: `/*! codex-boot ${pkg.version} | bundled: ${licences.map((l) => `${l.name} (${l.spdx})`).join(", ")}; see THIRD_PARTY_LICENSES.txt */`,
    },
  });
  const packages = new Set(
    Object.keys(result.metafile.inputs)
      .filter((p) => p.includes("node_modules/"))
      .map((p) => p.split("node_modules/")[1]!.split("/").slice(0, p.split("node_modules/")[1]!.startsWith("@") ? 2 : 1).join("/")),
  );
  const extra = [...packages].filter((p) => !(BUNDLED as readonly string[]).includes(p));
  if (extra.length) throw new Error(`unexpected packages in the bundle: ${extra.join(", ")} (allowed: ${BUNDLED.join(", ")})`);
  // terser after esbuild: its mangler names by character frequency, which gzip rewards, and its
  // compressor finds a little more; together about 740 B of gzip (1 KB of start script) per build.
  const min = await minify(result.outputFiles[0]!.text, {
    module: true,
    ecma: 2020,
    compress: { passes: 2 },
    format: { comments: /^!/ },
  });
  const code = new TextEncoder().encode(min.code!);
  mkdirSync(join(root, "dist"), { recursive: true });
  writeFileSync(join(root, "dist/codex-boot.js"), code);
  writeFileSync(
    join(root, "dist/THIRD_PARTY_LICENSES.txt"),
    licences.map((l) => `${l.name} ${l.version} (${l.spdx})\n\n${l.text}\n`).join("\n" + "-".repeat(72) + "\n\n"),
  );
  return { bytes: code.byteLength };
}

if (import.meta.main) {
  const { bytes } = await buildBundle();
  console.log(`dist/codex-boot.js: ${bytes} bytes`);
}

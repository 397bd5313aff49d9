// README.md documents the program's inputs as src/inputs.ts defines them.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SCHEMA, type Key } from "../../src/inputs.ts";
import { ROOT } from "../support/tools.ts";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("<!-- inputs:start -->"), readme.indexOf("<!-- inputs:end -->"));
const rows = [...section.matchAll(/^\| `(\w+)` \| `([^`]*)` \|/gm)].map((m) => [m[1]!, m[2]!] as const);
const variables = new Set([...readFileSync(join(ROOT, "variables.tf"), "utf8").matchAll(/^variable "(\w+)"/gm)].map((m) => m[1]));

test("the README's program inputs table lists every input that is not a Terraform variable, with its default", () => {
  expect(rows.length).toBeGreaterThan(0);
  const listed = new Set(rows.map(([k]) => k));
  expect(Object.keys(SCHEMA).filter((k) => !variables.has(k) && !listed.has(k))).toEqual([]);
  for (const [key, shown] of rows) {
    expect(key in SCHEMA).toBe(true);
    expect(`${key} = ${shown}`).toBe(`${key} = ${JSON.stringify(SCHEMA[key as Key].default)}`);
  }
});

test("the README says that an empty workdir means HOME, which is then trusted", () => {
  expect(rows.find(([k]) => k === "workdir")).toEqual(["workdir", '""']);
  expect(section).toMatch(/`workdir` \| `""` \| [^|]*HOME, which is then the directory marked trusted in `config.toml`/);
});

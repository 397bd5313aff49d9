// The repository itself: what git tracks and ignores.
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { ROOT } from "../support/tools.ts";

const git = (...args: string[]) => spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });

test("no tracked file is matched by .gitignore (e.g. the terraform tests)", () => {
  const r = git("ls-files", "--cached", "--ignored", "--exclude-standard");
  expect(r.status).toBe(0);
  expect(r.stdout).toBe("");
  expect(git("check-ignore", "--no-index", "test/module.tftest.hcl", "test/validation.tftest.hcl").stdout).toBe("");
});

test(".gitignore itself ignores node_modules and .cache, as directories or as symlinks", () => {
  const r = git("check-ignore", "--no-index", "--verbose", "node_modules", ".cache", "bench/results/latest.json");
  expect(r.stdout.trim().split("\n").map((l) => l.split(":")[0])).toEqual([".gitignore", ".gitignore", ".gitignore"]);
});

import { expect, test } from "bun:test";
import { colors } from "../../src/log.ts";

test("colors are SGR sequences when on, the plain text when off (no TTY, NO_COLOR, TERM=dumb)", () => {
  const on = colors(true);
  expect([on.bold("b"), on.dim("d"), on.red("r"), on.green("g"), on.yellow("y"), on.cyan("c")]).toEqual([
    "\x1b[1mb\x1b[22m", "\x1b[2md\x1b[22m", "\x1b[31mr\x1b[39m", "\x1b[32mg\x1b[39m", "\x1b[33my\x1b[39m", "\x1b[36mc\x1b[39m",
  ]);
  const off = colors(false);
  expect([off.bold("b"), off.red("r"), off.cyan("c")]).toEqual(["b", "r", "c"]);
});

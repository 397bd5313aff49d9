import { describe, expect, test } from "bun:test";
import { COMMANDS, FLAGS, helpText, parseArgv } from "../../src/cli-args.ts";
import { InputError } from "../../src/inputs.ts";
import type { Command } from "../../src/plan.ts";

const names = Object.keys(COMMANDS) as Command[];
const refused = (argv: string[]) => {
  try {
    parseArgv(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error(`${argv.join(" ")} was accepted`);
};

describe("command line", () => {
  test("the command is found before or after the flags: --dry-run install previews install", () => {
    for (const command of names) {
      for (const argv of [["--dry-run", command], [command, "--dry-run"], ["--verbose", "--dry-run", command]]) {
        expect(parseArgv(argv)).toMatchObject({ command, dryRun: true, explicitCommand: true });
      }
    }
    expect(parseArgv(["--dry-run"])).toMatchObject({ command: "start", explicitCommand: false });
  });

  test("--json without --dry-run is refused (it would be a real start), except for status", () => {
    for (const command of names.filter((c) => c !== "status")) {
      expect(refused([command, "--json"])).toContain("add --dry-run");
    }
    expect(refused(["--json"])).toContain("preview start as JSON");
    expect(parseArgv(["status", "--json"])).toMatchObject({ command: "status", json: true, dryRun: false });
    expect(parseArgv(["--json", "--dry-run", "stop"])).toMatchObject({ command: "stop", json: true, dryRun: true });
  });

  test("unknown commands and flags, flags of another command, missing or extra values and repeats are refused", () => {
    expect(refused(["frobnicate"])).toContain('unknown command "frobnicate"');
    expect(refused(["install", "stop"])).toContain("one command at a time");
    expect(refused(["--frobnicate"])).toContain("unknown flag --frobnicate");
    expect(refused(["stop", "--prompt", "x"])).toBe("flag --prompt does not apply to stop. Run codex-boot stop --help for usage");
    expect(refused(["--workdir"])).toContain("flag --workdir needs a value <dir>");
    expect(refused(["--dry-run=yes"])).toContain("flag --dry-run takes no value");
    expect(refused(["--model", "a", "--model", "b"])).toContain("flag --model is given twice");
  });

  test("input flags stay strings (a number-like value is not turned into a number)", () => {
    expect(parseArgv(["--codex-version", "1", "--model=0.5", "--prompt", "--not-a-flag"]).inputs).toEqual({
      codex_version: "1", codex_model: "0.5", ai_prompt: "--not-a-flag",
    });
  });

  test("-h and --help work with every command, -v and --version print the version", () => {
    for (const command of names) expect(parseArgv([command, "-h"])).toMatchObject({ command, help: true });
    expect(parseArgv(["-v"]).version).toBe(true);
  });
});

describe("help", () => {
  test("each command's help says what it does and lists only its own flags", () => {
    for (const command of names) {
      const text = helpText("1.2.3", command);
      expect(text).toContain(`Usage: codex-boot ${command} [flags]`);
      expect(text).toContain(COMMANDS[command].summary);
      for (const flag of Object.keys(FLAGS) as (keyof typeof FLAGS)[]) {
        if (flag === "version") continue;
        expect(text.includes(`--${flag}`)).toBe(COMMANDS[command].flags.includes(flag));
      }
    }
    expect(helpText("1.2.3", "install")).not.toBe(helpText("1.2.3", "stop"));
  });

  test("the global help lists every command and how to get a command's help", () => {
    const text = helpText("1.2.3");
    for (const command of names) expect(text).toContain(`  ${command} `);
    expect(text).toContain("codex-boot <command> --help");
  });

  test("no help line ends in a space", () => {
    for (const text of [helpText("1.2.3"), ...names.map((c) => helpText("1.2.3", c))]) {
      expect(text.split("\n").filter((l) => / $/.test(l))).toEqual([]);
    }
  });
});

import { describe, expect, test } from "bun:test";
import { permissionHint } from "../../src/deno-permissions.ts";

const error = (name: string, message: string) => Object.assign(new Error(message), { name });

describe("Deno permission hint", () => {
  test("a permission Deno refused gets the deno run flags to pass", () => {
    const hint = permissionHint(error("NotCapable", 'Requires write access to "/x", run again with the --allow-write flag'));
    expect(hint).toStartWith('Deno refused a permission: Requires write access to "/x". Run it as: deno run --allow-read --allow-write');
  });

  test("an OS permission error is not taken for one: Deno 2 names it PermissionDenied (symlinkSync onto a read-only dir, measured with 2.9)", () => {
    expect(permissionHint(error("PermissionDenied", "Permission denied (os error 13): symlink '/x' -> '/ro/l'"))).toBeUndefined();
    expect(permissionHint(Object.assign(new Error("EACCES: permission denied, open '/etc/shadow'"), { code: "EACCES" }))).toBeUndefined();
  });
});

import { describe, expect, test } from "bun:test";
import { npmRegistry, npmrcValue, npmToken, pickTarball } from "../../src/install/npm.ts";

describe("npm registry from the user's configuration", () => {
  const npmrc = "; comment\nregistry = \"http://from-npmrc.internal/npm/\"\n# other\n";

  test("npm_registry_url wins, then NPM_CONFIG_REGISTRY, then npm_config_registry, then ~/.npmrc", () => {
    const env = { NPM_CONFIG_REGISTRY: "http://upper/", npm_config_registry: "http://lower/" };
    expect(npmRegistry("http://input/", env, npmrc)).toBe("http://input");
    expect(npmRegistry("", env, npmrc)).toBe("http://upper");
    expect(npmRegistry("", { npm_config_registry: "http://lower/" }, npmrc)).toBe("http://lower");
    expect(npmRegistry("", {}, npmrc)).toBe("http://from-npmrc.internal/npm");
  });

  test("no registry anywhere means none: there is no built-in default", () => {
    expect(npmRegistry("", {}, null)).toBeNull();
    expect(npmRegistry("", {}, "; only comments\n")).toBeNull();
  });

  test(".npmrc values: last one wins and ${VAR} expands from the environment", () => {
    expect(npmrcValue("registry=http://a/\nregistry=http://b/\n", "registry", {})).toBe("http://b/");
    expect(npmrcValue("//h/:_authToken=${NPM_TOKEN}\n", "//h/:_authToken", { NPM_TOKEN: "tok" })).toBe("tok");
  });

  test("the auth token is the one npm would send to the packument's registry, by host and path", () => {
    const rc = "//other.internal/:_authToken=nope\n//127.0.0.1:4873/:_authToken=host-token\n//127.0.0.1:4873/npm/private/:_authToken=path-token\n";
    expect(npmToken(rc, "http://127.0.0.1:4873/npm/private/@openai%2fcodex", {})).toBe("path-token");
    expect(npmToken(rc, "http://127.0.0.1:4873/npm/public/@openai%2fcodex", {})).toBe("host-token");
    expect(npmToken(rc, "http://127.0.0.1:4873/@openai%2fcodex", {})).toBe("host-token");
    expect(npmToken(rc, "http://127.0.0.1:9999/@openai%2fcodex", {})).toBeUndefined();
    expect(npmToken(null, "http://127.0.0.1:4873/@openai%2fcodex", {})).toBeUndefined();
  });
});

describe("npm packument", () => {
  const pk = {
    "dist-tags": { latest: "0.169.0" },
    versions: {
      "0.169.0": { dist: { tarball: "http://r/codex-0.169.0.tgz", integrity: "sha512-main" } },
      "0.169.0-linux-x64": { dist: { tarball: "http://r/codex-0.169.0-linux-x64.tgz", integrity: "sha512-AAA= sha1-x" } },
      "0.168.0-linux-arm64": { dist: { tarball: "http://r/codex-0.168.0-linux-arm64.tgz", integrity: "sha512-BBB=" } },
    },
  };

  test("latest (\"\") comes from dist-tags and the platform build is <version>-linux-<arch>", () => {
    expect(pickTarball(pk, "", "x64", "http://r")).toEqual({ version: "0.169.0", url: "http://r/codex-0.169.0-linux-x64.tgz", sha512: "AAA=" });
    expect(pickTarball(pk, "0.168.0", "arm64", "http://r").url).toBe("http://r/codex-0.168.0-linux-arm64.tgz");
  });

  test("a version the registry does not have is an error naming the package build and the packument", () => {
    expect(() => pickTarball(pk, "0.1.0", "x64", "http://r/@openai%2fcodex")).toThrow(
      "@openai/codex@0.1.0-linux-x64 with a sha512 integrity is not in http://r/@openai%2fcodex",
    );
    expect(() => pickTarball({}, "", "x64", "http://r")).toThrow("@openai/codex@latest-linux-x64 with");
  });

  test("a dist-tag or a range picks the highest platform build it covers (codex_version as npm reads it)", () => {
    const many = { "dist-tags": { latest: "0.169.0", next: "0.170.0-alpha.1" }, versions: { ...pk.versions,
      "0.46.1-linux-x64": { dist: { tarball: "http://r/46.tgz", integrity: "sha512-C=" } },
      "0.170.0-alpha.1-linux-x64": { dist: { tarball: "http://r/next.tgz", integrity: "sha512-D=" } } } };
    expect(pickTarball(many, "^0.46.0", "x64", "http://r").version).toBe("0.46.1");
    expect(pickTarball(many, "0.46", "x64", "http://r").url).toBe("http://r/46.tgz");
    expect(pickTarball(many, "next", "x64", "http://r").version).toBe("0.170.0-alpha.1");
    expect(() => pickTarball(many, "^0.47.0", "x64", "http://r")).toThrow("@openai/codex@^0.47.0-linux-x64 with a sha512 integrity is not in http://r");
  });

  test("a tarball without a sha512 integrity is refused", () => {
    const weak = { versions: { "1.0.0-linux-x64": { dist: { tarball: "http://r/x.tgz", integrity: "sha1-abc" } } } };
    expect(() => pickTarball(weak, "1.0.0", "x64", "http://r")).toThrow(/sha512/);
  });
});

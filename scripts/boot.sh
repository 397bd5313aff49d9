#!/bin/sh
# codex-boot stub: find or install a JavaScript runtime, unpack the embedded program when it
# changed, run it (extra arguments go to the program, e.g. --dry-run). POSIX sh only: images
# may have no bash, jq, sudo or Node. No value below is a secret: those arrive in the
# environment (coder_env).
# Rendered by Terraform: main.tf drops comment lines and indentation first (the start script's
# budget is 40 KiB with a typical configuration). Template rule: shell expansions with braces
# need a doubled dollar sign.
set -u
# Nothing the stub or the program creates is writable by others, whatever the agent's umask (000 made
# ~/.codex-module and the program file in it world-writable).
umask 022
cmd='${command}' js_runtime='${js_runtime}' bun_version='${bun_version}'
# SHA-256 of every official `bun` binary of bun_version (npm packages carry the release zips' binary).
bun_sha256='${bun_sha256}'
github_url='${github_url}' npm_registry='${npm_registry}' bundle_sha256='${bundle_sha256}'
mod=$HOME/.codex-module
js=$mod/codex-boot.mjs rt=$mod/runtime
alt="or put bun, deno >= 2 or node >= 20 on PATH"

fail() {
  echo "codex-boot: $*" >&2
  exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }
sha256() { sha256sum "$1" 2>/dev/null | cut -d ' ' -f 1; }
# Major version from `node --version` (v20.1.0) or `deno --version` (deno 2.9.6 ...); 0 if absent.
major() {
  v=$("$1" --version 2>/dev/null | head -n 1)
  v=$${v#deno } v=$${v#v}
  v=$${v%%.*}
  case $v in '' | *[!0-9]*) echo 0 ;; *) echo "$v" ;; esac
}
want() { [ "$js_runtime" = auto ] || [ "$js_runtime" = "$1" ]; }

fetch() {
  if have curl; then
    curl -fsSL --retry 3 -o "$2" "$1"
  elif have wget; then
    wget -q -O "$2" "$1"
  else
    fail "installing Bun: no curl or wget. Install one, $alt"
  fi || fail "installing Bun: downloading $1 failed. Check github_url / npm_registry_url, $alt"
}

# Bun's release zip: whichever unzipper the image has.
unzip_to() {
  if have unzip; then
    unzip -q "$1" -d "$2"
  elif have bsdtar; then
    bsdtar -xf "$1" -C "$2"
  elif have busybox; then
    busybox unzip -q "$1" -d "$2"
  elif have python3; then
    python3 -m zipfile -e "$1" "$2"
  else
    fail "installing Bun: no unzip, bsdtar, busybox or python3. Install one, set npm_registry_url (a .tgz needs only tar), $alt"
  fi
}

# The Bun build for this machine: x64 or aarch64, -musl on musl libc, -baseline without AVX2.
# From the npm registry when one is configured (a .tgz needs only tar), else the release zip.
install_bun() {
  case $(uname -m) in
    x86_64 | amd64) t=linux-x64 ;;
    aarch64 | arm64) t=linux-aarch64 ;;
    *) fail "installing Bun: no Bun build for CPU $(uname -m). Put deno >= 2 or node >= 20 on PATH" ;;
  esac
  if ls /lib/ld-musl-* >/dev/null 2>&1; then t=$t-musl; fi
  case $t in linux-x64*) grep -qw avx2 /proc/cpuinfo 2>/dev/null || t=$t-baseline ;; esac
  reg=$${npm_registry:-$${NPM_CONFIG_REGISTRY:-}}
  [ -n "$reg" ] || reg=$(sed -n 's/^registry *= *//p' "$HOME/.npmrc" 2>/dev/null | tail -n 1)
  tmp=$(mktemp -d "$mod/bun.XXXXXX") || fail "installing Bun: cannot write in $mod"
  trap 'rm -rf "$tmp"' EXIT
  if [ -n "$reg" ]; then
    url=$${reg%/}/@oven/bun-$t/-/bun-$t-$bun_version.tgz bin=$tmp/package/bin/bun
    fetch "$url" "$tmp/dl"
    tar -xzf "$tmp/dl" -C "$tmp"
  else
    url=$${github_url%/}/oven-sh/bun/releases/download/bun-v$bun_version/bun-$t.zip bin=$tmp/bun-$t/bun
    fetch "$url" "$tmp/dl"
    unzip_to "$tmp/dl" "$tmp"
  fi
  got=$(sha256 "$bin")
  case " $bun_sha256 " in
    *" $got "*) ;;
    *) fail "installing Bun: $url has SHA-256 $${got:-(no bun binary in it)}, which is not pinned for Bun $bun_version. Discarded it; check the mirror" ;;
  esac
  { mkdir -p "$rt" && chmod 755 "$bin" && mv -f "$bin" "$rt/bun"; } || fail "installing Bun: cannot write $rt/bun"
  rm -rf "$tmp"
  trap - EXIT
  echo "codex-boot: installed Bun $bun_version ($t) from $url"
}

mkdir -p "$mod" || fail "cannot create $mod. Check that HOME is writable"
# sha256sum verifies a downloaded Bun and tells whether the unpacked program is current.
{ have base64 && have gzip && have sha256sum; } || fail "base64, gzip and sha256sum are needed. Install coreutils and gzip (or busybox)"
# The inputs travel gzipped (the script limit again); the program takes plain base64 JSON.
CODEX_BOOT_CONFIG=$(echo '${config}' | base64 -d | gzip -dc | base64 | tr -d '\n')
export CODEX_BOOT_CONFIG
if want bun && have bun; then
  run=$(command -v bun)
elif want deno && [ "$(major deno)" -ge 2 ]; then
  run=$(command -v deno)
elif want node && [ "$(major node)" -ge 20 ]; then
  run=$(command -v node)
elif want bun; then
  [ "$("$rt/bun" --version 2>/dev/null)" = "$bun_version" ] || install_bun
  run=$rt/bun
else
  fail "js_runtime is $js_runtime but no $js_runtime (deno >= 2, node >= 20) is on PATH. Install it in the image, or set js_runtime = \"auto\" to let the module install Bun"
fi

# Deno runs with its permissions spelled out.
case $run in
  */deno) flags=" run --no-prompt --allow-read --allow-write --allow-env --allow-net --allow-run --allow-sys" ;;
  *) flags= ;;
esac
# The program travels as Terraform's base64gzip() of dist/codex-boot.js, one line; it is unpacked
# only when it changed (gzip checks its CRC, the digest names the version).
if [ "$(sha256 "$js")" != "$bundle_sha256" ]; then
  base64 -d <<'BUNDLE' | gzip -dc >"$js.$$" || { rm -f "$js.$$"; fail "unpacking into $js failed. Check that HOME has free space"; }
${bundle}
BUNDLE
  mv -f "$js.$$" "$js"
fi

echo "codex-boot: $cmd with $run"
# One launcher with the runtime, Deno's permissions and the inputs, also put on the workspace's
# PATH: `codex-boot status` or `codex-boot --dry-run` in a terminal sees what the module set.
{
  printf "#!/bin/sh\nCODEX_BOOT_CONFIG=%s DENO_NO_UPDATE_CHECK=1 exec '%s'%s '%s' \"\$@\"\n" "$CODEX_BOOT_CONFIG" "$run" "$flags" "$js" >"$mod/codex-boot" &&
    chmod 755 "$mod/codex-boot"
} || fail "cannot write $mod/codex-boot"
[ -z "$${CODER_SCRIPT_BIN_DIR:-}" ] || ln -sf "$mod/codex-boot" "$CODER_SCRIPT_BIN_DIR/codex-boot"
exec "$mod/codex-boot" "$cmd" "$@"

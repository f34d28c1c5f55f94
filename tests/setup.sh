#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, once; tests/check.sh runs it
# first, and a second run changes nothing.
#   - a C compiler (rusqlite builds the bundled SQLite, mimalloc its allocator);
#   - Node.js 20+ with npm, and the pinned packages of tests/interop (the reference
#     implementations the interoperability tests drive) and tests/browser (playwright-core);
#   - Chromium for the browser test: installed with apt-get when it is missing and this user
#     may install packages (root, or sudo without a password); otherwise the script stops
#     with the one command that installs it. CHROMIUM=/path/to/chromium uses another build.
# Usage: bash tests/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "tests/setup.sh: $*" >&2
  exit 1
}

command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 ||
  fail "no C compiler: install one (Debian/Ubuntu: apt-get install -y gcc) — the bundled SQLite is built from C"

command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
  fail "Node.js 20 or later with npm is needed by the interoperability tests (Debian/Ubuntu: apt-get install -y nodejs npm)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "Node.js $(node --version) is too old: the interoperability tests need Node.js 20 or later"

# npm ci only when the lock file changed since the last install (it empties node_modules first).
npm_install() {
  local dir=$1 stamp want
  stamp="$dir/node_modules/.microcred-lock-sha256"
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return
  fi
  echo "tests/setup.sh: npm ci in $dir" >&2
  (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  echo "$want" >"$stamp"
}
npm_install tests/interop
npm_install tests/browser

chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  [ -z "${CHROMIUM:-}" ] || fail "CHROMIUM=$chromium is not an executable file"
  if [ "$(id -u)" = 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    fail "Chromium is needed by the browser test: install it with 'sudo apt-get install -y chromium' (or set CHROMIUM to a Chromium binary), then run this again"
  fi
  command -v apt-get >/dev/null 2>&1 ||
    fail "Chromium is needed by the browser test: install it with your package manager (or set CHROMIUM to a Chromium binary), then run this again"
  echo "tests/setup.sh: installing Chromium (apt-get install chromium)" >&2
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
  [ -x /usr/bin/chromium ] || fail "apt-get installed no /usr/bin/chromium"
fi

#!/usr/bin/env bash
# Installs what building and testing the console needs, skipping anything
# already present at the right version, so a second run takes seconds.
#
#   scripts/install-tools.sh          everything (build and test)
#   scripts/install-tools.sh serve    only what serving the console needs
#
# Runs as root on Debian: apt-get for Chromium, cargo for Trunk and
# wasm-bindgen, npm (from tests/e2e/package-lock.json) for Playwright and
# binaryen's wasm-opt.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-all}
TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must match the wasm-bindgen the lockfile pins, exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

step() { printf '\n==> %s\n' "$*"; }
have_version() { # have_version COMMAND VERSION: the command exists and prints VERSION
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"
}

apt_updated=no
apt_install() {
  if [ "$apt_updated" = no ]; then
    apt-get update -qq
    apt_updated=yes
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The release build rebuilds the standard library (scripts/release-flags.sh).
if ! rustup component list --installed | grep -q '^rust-src'; then
  step "Adding the rust-src component"
  rustup component add rust-src
fi

if ! have_version trunk "trunk $TRUNK_VERSION"; then
  step "Installing trunk $TRUNK_VERSION (several minutes the first time)"
  cargo install --locked "trunk@$TRUNK_VERSION"
fi

if ! have_version wasm-bindgen "wasm-bindgen $WASM_BINDGEN_VERSION" ||
  ! have_version wasm-bindgen-test-runner "$WASM_BINDGEN_VERSION"; then
  step "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (several minutes the first time)"
  # Not --locked: with it the install fails on an index mismatch here.
  cargo install --force "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
fi

if ! command -v npm >/dev/null 2>&1; then
  step "Installing Node.js and npm"
  apt_install nodejs npm
fi

# npm's binaryen provides wasm-opt for release builds: Debian's binaryen 108
# produces a build that fails at load with "WebAssembly.Table.set(): Argument 1
# is invalid". Playwright drives the system Chromium in the end-to-end tests.
if [ ! -f tests/e2e/node_modules/.package-lock.json ] ||
  [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  step "Installing npm packages from tests/e2e/package-lock.json"
  (cd tests/e2e && npm ci --no-audit --no-fund)
fi

if [ "$mode" != serve ]; then
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    step "Installing Chromium and chromedriver"
    apt_install chromium chromium-driver
  fi
fi

echo "Tools ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(tests/e2e/node_modules/.bin/wasm-opt --version | awk '{print $3}')"

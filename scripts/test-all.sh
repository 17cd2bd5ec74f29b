#!/usr/bin/env bash
# Installs what is missing, then runs every check the project has, in order,
# stopping at the first failure: formatting, lints (native and wasm), native
# tests, browser tests in headless Chromium, the release build, end-to-end
# tests of that build in Chromium, and the benchmark (figures only).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-tools.sh
export PATH="$PWD/tests/e2e/node_modules/.bin:$PATH"
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export CARGO_TERM_COLOR=never

steps_run=0
step() {
  steps_run=$((steps_run + 1))
  printf '\n======== %s ========\n' "$*"
}

step "Formatting (cargo fmt --check)"
cargo fmt --all --check

step "Lints, native (cargo clippy --all-targets -D warnings)"
cargo clippy --all-targets -- -D warnings

step "Lints, wasm32 (cargo clippy --target wasm32-unknown-unknown --all-targets -D warnings)"
cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings

step "Native tests: core, simulation, replay, properties (cargo test)"
cargo test

step "Browser tests in headless Chromium (cargo test --target wasm32-unknown-unknown)"
# The runner stops a test file after 20 s by default; the console file takes
# about 12 s alone and more on a loaded CI machine.
WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-90} cargo test --target wasm32-unknown-unknown

step "Release build (trunk build --release --offline, with scripts/release-flags.sh)"
(source scripts/release-flags.sh && trunk build --release --offline)
wasm_file=$(ls dist/*.wasm)
gzipped=$(gzip -9c "$wasm_file" | wc -c)
echo "release wasm: $(wc -c <"$wasm_file") bytes, $gzipped bytes gzipped (budget 300000)"
# The size budget (README, "Where the release wasm's bytes go"): a change that
# grows the wasm past it must pay for itself elsewhere first.
if [ "$gzipped" -gt 300000 ]; then
  echo "release wasm is $gzipped bytes gzipped, over the budget of 300000" >&2
  exit 1
fi

step "End-to-end tests of dist/ in Chromium (node --test tests/e2e)"
(cd tests/e2e && node --test --test-concurrency=1)

if grep -q 'name = "governance-bench"' Cargo.toml; then
  step "Benchmark (figures, not pass/fail)"
  cargo run --release --quiet --bin governance-bench
  # The --input path on the example script, so it keeps working.
  cargo run --release --quiet --bin governance-bench -- --input examples/replay/demo.jsonl
  # The replay's peak memory on scripts of two lengths (short ones here).
  scripts/replay-memory.sh 50000 100000
fi

printf '\nAll %d steps succeeded.\n' "$steps_run"

# Sourced by scripts/test-all.sh and scripts/serve.sh before `trunk build
# --release` / `trunk serve --release`: the flags that keep the release wasm
# small. They apply to that build only; native builds, tests and the browser
# tests (debug builds) never see them.
#
# - The standard library is rebuilt from source with the wasm-release profile
#   (opt-level "z") instead of linking the prebuilt one (opt-level 3).
# - Panics abort on the spot (`-Cpanic=immediate-abort`): no panic messages,
#   locations or formatting machinery are compiled in. A panic in the release
#   build was already fatal (panic = "abort"); it now stops without a message in
#   the browser console. Debug builds (`trunk serve` without --release, the
#   browser tests) keep the messages.
# Together they save about 25 KB of the gzipped wasm (375 -> 350 KB, measured
# with `gzip -9` on dist/*.wasm). Both are unstable options of rustc, enabled
# on the stable toolchain with RUSTC_BOOTSTRAP=1 for this build only; they need
# the rust-src component, which scripts/install-tools.sh adds. A toolchain that
# drops either option fails this build loudly rather than growing the wasm.
export RUSTC_BOOTSTRAP=1
export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
# Replaces the target's rustflags in .cargo/config.toml, so it repeats them.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components -Zunstable-options -Cpanic=immediate-abort"

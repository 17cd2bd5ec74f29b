//! Entry point: mounts the console in the browser.

#[cfg(target_arch = "wasm32")]
fn main() {
    use agent_governance_console::browser::location_hash;
    use agent_governance_console::ui::{BenchmarkPage, Console};
    use leptos::prelude::*;
    // A panic's message in the browser's console. The release build's panics
    // abort on the spot (`scripts/release-flags.sh`), before any hook could
    // run, so there the hook would only be dead weight.
    #[cfg(not(panic = "immediate-abort"))]
    console_error_panic_hook::set_once();
    if location_hash() == "#bench" {
        leptos::mount::mount_to_body(|| view! { <BenchmarkPage /> });
    } else {
        leptos::mount::mount_to_body(|| view! { <Console progressive=true /> });
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "The console runs in the browser: serve it with `scripts/serve.sh` (Trunk). \
         For a native run of the core, see `governance-replay`."
    );
    std::process::exit(2);
}

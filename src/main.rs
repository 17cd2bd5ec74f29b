//! Entry point: mounts the console in the browser.

#[cfg(target_arch = "wasm32")]
fn main() {
    use agent_governance_console::browser::location_hash;
    use agent_governance_console::ui::{BenchmarkPage, Console};
    use leptos::prelude::*;
    console_error_panic_hook::set_once();
    if location_hash() == "#bench" {
        leptos::mount::mount_to_body(|| view! { <BenchmarkPage /> });
    } else {
        leptos::mount::mount_to_body(|| view! { <Console /> });
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

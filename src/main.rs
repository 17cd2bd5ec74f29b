//! Entry point: mounts the console in the browser.

#[cfg(target_arch = "wasm32")]
fn main() {
    use agent_governance_console::ui::Console;
    use leptos::prelude::*;
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| view! { <Console /> });
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "The console runs in the browser: serve it with `scripts/serve.sh` (Trunk). \
         For a native run of the core, see `governance-replay`."
    );
    std::process::exit(2);
}

//! Browser-only glue: the one place that touches `window`, timers, storage and
//! downloads, so the rest of the crate stays testable without a browser.

/// The page's `window`; the console only ever runs inside one.
pub fn window() -> web_sys::Window {
    web_sys::window().expect("the console runs in a browser window")
}

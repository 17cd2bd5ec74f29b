//! Agent Governance Console: a governance control plane for autonomous AI agents.
//!
//! `governance` is the pure core (no browser crates, time and randomness injected),
//! `sim` the deterministic simulated fleet that drives it, and `ui` the Leptos
//! console, compiled only for the browser.

pub mod benchmark;
pub mod console;
pub mod governance;
pub mod sim;

/// The headless replay behind the `governance-replay` command; native only.
#[cfg(not(target_arch = "wasm32"))]
pub mod replay;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod ui;

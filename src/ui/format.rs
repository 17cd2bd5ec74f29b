//! Small display helpers shared by the panels.

use crate::governance::{Millis, Verdict};
use leptos::prelude::*;

pub use crate::console::verdict_label;

/// A verdict as a badge: a word and a colour, never the colour alone.
pub fn verdict_badge(verdict: Verdict) -> impl IntoView {
    view! { <span class=format!("badge badge--{}", verdict.as_str())>{verdict_label(verdict)}</span> }
}

/// Seconds left, as `4:05`.
pub fn countdown(left: Millis) -> String {
    let secs = left.0.div_ceil(1_000);
    format!("{}:{:02}", secs / 60, secs % 60)
}

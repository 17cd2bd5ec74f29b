//! What the console shows, computed without a browser: the policy form and its
//! errors, what the inbox says after a decision, the filtered audit view, chart
//! geometry, kill switches, budget tiers, triggers and risk levels in words.
//! Components render these and send commands; they hold no logic worth
//! testing on their own.

pub mod audit_view;
pub mod charts;
pub mod config_diff;
pub mod fleet_form;
pub mod inbox;
pub mod kill_switches;
pub mod money;
pub mod pacing;
pub mod policy_form;
pub mod review;
pub mod risk_levels;
pub mod session;
pub mod tiers;
pub mod triggers;

pub use audit_view::{audit_detail, AuditDetail, AuditFilter, AuditView};
pub use fleet_form::parse_fleet_form;
pub use money::Currency;
pub use pacing::{Pacer, TickPlan, SLICE_REQUESTS};
pub use policy_form::{FormError, FormField, PolicyForm};
pub use review::{fatigue_reading, review_outcome, ReviewOutcome, Tone};
pub use session::{SavedSession, Speed};

/// A verdict as people read it, the same word everywhere in the console.
pub fn verdict_label(verdict: crate::governance::Verdict) -> &'static str {
    use crate::governance::Verdict;
    match verdict {
        Verdict::Approved => "Approved",
        Verdict::Denied => "Denied",
        Verdict::Escalated => "Escalated",
        Verdict::RateLimited => "Rate limited",
    }
}

/// The action types the control plane has seen, sorted by name: what the
/// inbox's and the audit trail's action filters offer.
pub fn action_names<C: crate::governance::Clock>(
    plane: &crate::governance::ControlPlane<C>,
) -> Vec<String> {
    // Each name inserted in place: no general sort in the browser build.
    let mut names: Vec<String> = Vec::new();
    for action in plane.action_types() {
        let name = plane.action_name(action).to_string();
        let at = names.partition_point(|n| *n < name);
        names.insert(at, name);
    }
    names
}

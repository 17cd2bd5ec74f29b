//! What the console shows, computed without a browser: the policy form and its
//! errors, what the inbox says after a decision, the filtered audit view, chart
//! geometry, kill switches, budget tiers, triggers and risk levels in words.
//! Components render these and send commands; they hold no logic worth
//! testing on their own.

pub mod audit_view;
pub mod charts;
pub mod fleet_form;
pub mod inbox;
pub mod kill_switches;
pub mod pacing;
pub mod policy_form;
pub mod review;
pub mod risk_levels;
pub mod session;
pub mod tiers;
pub mod triggers;

pub use audit_view::{AuditFilter, AuditView};
pub use fleet_form::parse_fleet_form;
pub use pacing::{Pacer, TickPlan};
pub use policy_form::{FormError, FormField, PolicyForm};
pub use review::{fatigue_reading, review_outcome, ReviewOutcome, Tone};
pub use session::{SavedSession, Speed};

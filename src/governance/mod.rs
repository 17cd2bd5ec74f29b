//! The governance core: a control plane between an agent's requested action and
//! its execution.
//!
//! Pure Rust with no browser dependencies: time comes from an injected
//! [`Clock`], identifiers from the caller, so every run is reproducible and the
//! core embeds in any program. Start at [`ControlPlane`]; each concept has its
//! own module with its invariants stated at the top.

pub mod audit;
pub mod config;
pub mod config_error;
pub mod conflict;
pub mod decision;
pub mod decode;
pub mod detectors;
pub mod engine;
pub mod escalation;
pub mod fast_hash;
pub mod ids;
pub mod kill_switch;
pub mod money;
pub mod names;
pub mod parted_map;
pub mod policy;
pub mod policy_set;
pub mod request;
pub mod risk;
pub mod rules;
pub mod state;
pub mod stats;
pub mod time;
pub mod triggers;

pub use audit::{AuditEvent, AuditLine, AuditLog, AuditRecord, RecordHead, Records};
pub use config::{
    BudgetConfig, BudgetScope, ChangeWindow, ChangeWindowConfig, ConfigError, FieldPath,
    GovernanceConfig, Outside, PolicyConfig, PolicyField, PolicyRule, RateLimitConfig, RateScope,
    SensitiveActionsConfig, TimeoutOutcome, Weekday, CONFIG_VERSION,
};
pub use conflict::ConflictStrategy;
pub use decision::{DecidedBy, Decision, FieldProblem, Reason, Submitted, Verdict};
pub use engine::{ControlPlane, ResolveError, Review, TierUsage};
pub use escalation::PendingEscalation;
pub use ids::{ActionType, AgentId, RequestId};
pub use kill_switch::{Activation, KillScope, KillSwitchError, KillTarget};
pub use money::Money;
pub use names::{Actor, TextProblem};
pub use request::{Parameters, RequestInput};
pub use stats::{AgentStats, EscalationStats, SpendingReport};
pub use time::{Clock, ManualClock, Millis, Timestamp};

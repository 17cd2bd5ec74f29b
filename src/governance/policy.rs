//! The `Policy` trait and what a policy may read.
//!
//! A policy looks at one request and the state in [`PolicyContext`] (the
//! ledgers of executed spend and executions, on the control plane's clock)
//! and either passes it or returns a [`Finding`]: a verdict other than
//! approved, with its reason. A policy that covers only some action types
//! also *counts* only those: the types it covers are handed to it.
//!
//! Each kind of policy declares whether a reviewer's approval must re-check it
//! ([`Policy::recheck_on_approval`]) and which state it needs kept
//! ([`Policy::state_needs`]). The kinds are in `rules/`; the
//! [`PolicySet`](super::policy_set::PolicySet) orders and combines them.

use super::decision::{Reason, Verdict};
use super::ids::Interner;
use super::request::Request;
use super::state::{RateTracker, SpendLedger, Types};
use super::time::{Millis, Timestamp};

/// What a policy may read when judging a request.
pub struct PolicyContext<'a> {
    pub now: Timestamp,
    pub spend: &'a SpendLedger,
    pub rates: &'a RateTracker,
    /// Agent names, for reasons that name the agent.
    pub agents: &'a Interner,
}

/// A policy's objection to a request.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub verdict: Verdict,
    pub reason: Reason,
}

impl Finding {
    pub fn new(verdict: Verdict, reason: Reason) -> Finding {
        Finding { verdict, reason }
    }
}

/// What a policy needs the ledgers to keep.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StateNeeds {
    /// Spend summed per window of this size.
    pub spend_window: Option<Millis>,
    /// Executions remembered for at least this long.
    pub rate_window: Option<Millis>,
}

/// One rule of governance.
pub trait Policy {
    /// `None` means the policy has no objection. `covers` is what the policy
    /// covers: rules that count (spend, executions) count only that.
    fn evaluate(
        &self,
        request: &Request,
        covers: &Types,
        context: &PolicyContext<'_>,
    ) -> Option<Finding>;

    /// Whether a reviewer's approval must be judged by this policy again at
    /// the moment of approval; a refusal it then gives stops the action.
    fn recheck_on_approval(&self) -> bool;

    /// What the ledgers must keep for this policy.
    fn state_needs(&self) -> StateNeeds {
        StateNeeds::default()
    }
}

//! How the findings of several policies combine into one decision.
//!
//! Every enabled policy that covers a request may object to it: refuse it
//! (deny or rate limit) or escalate it to a human. A [`ConflictStrategy`]
//! says which objection decides.
//!
//! - [`ConflictStrategy::DenyOverrides`] (the default, as in Cedar, XACML's
//!   deny-overrides and most policy engines): any refusal outranks any
//!   escalation, and among refusals the highest-priority one gives the reason;
//!   a request is escalated only when no covering policy refuses it, so a
//!   reviewer is never asked to approve what a policy forbids.
//! - [`ConflictStrategy::FirstApplicable`] (the strategy of the article this
//!   product started from): the first objection in priority order decides,
//!   whatever it is. A budget escalation above a blocked-type denial then
//!   sends a blocked action to a reviewer; kept so its behaviour can be
//!   studied and compared. An approval still re-checks every refusal in force
//!   (see the engine), so even here a blocked action never executes.
//!
//! Invariant: under either strategy the decision is approved only when no
//! covering policy objects, and a strategy never invents an objection.

use super::decision::Verdict;
use serde::Serialize;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictStrategy {
    /// A refusal from any covering policy outranks an escalation.
    #[default]
    DenyOverrides,
    /// The first objection in priority order decides.
    FirstApplicable,
}

crate::governance::decode::deserialize_by!(ConflictStrategy, ConflictStrategy::decode);

impl ConflictStrategy {
    /// Reads the name this is written as (snake case).
    pub fn decode(
        value: serde_json::Value,
    ) -> crate::governance::decode::Decoded<ConflictStrategy> {
        crate::governance::decode::one_of(
            value,
            &[
                ("deny_overrides", ConflictStrategy::DenyOverrides),
                ("first_applicable", ConflictStrategy::FirstApplicable),
            ],
        )
    }
}

impl ConflictStrategy {
    pub const ALL: [ConflictStrategy; 2] = [
        ConflictStrategy::DenyOverrides,
        ConflictStrategy::FirstApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConflictStrategy::DenyOverrides => "deny_overrides",
            ConflictStrategy::FirstApplicable => "first_applicable",
        }
    }

    /// What a person reads in the policy form.
    pub fn label(self) -> &'static str {
        match self {
            ConflictStrategy::DenyOverrides => "A refusal from any policy outranks an escalation",
            ConflictStrategy::FirstApplicable => {
                "The first objecting policy in priority order decides"
            }
        }
    }

    pub fn parse(text: &str) -> Option<ConflictStrategy> {
        ConflictStrategy::ALL
            .into_iter()
            .find(|strategy| strategy.as_str() == text)
    }

    /// Whether evaluation can stop at an objection with this verdict: every
    /// objection ends it under first-applicable; only a refusal ends it under
    /// deny-overrides (policies run highest priority first, so the first
    /// refusal is the highest-priority one).
    pub fn stops_at(self, verdict: Verdict) -> bool {
        match self {
            ConflictStrategy::FirstApplicable => verdict != Verdict::Approved,
            ConflictStrategy::DenyOverrides => verdict.is_refusal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deny_overrides_waits_past_escalations_for_a_refusal() {
        let strategy = ConflictStrategy::DenyOverrides;
        assert!(!strategy.stops_at(Verdict::Escalated));
        assert!(strategy.stops_at(Verdict::Denied));
        assert!(strategy.stops_at(Verdict::RateLimited));
        assert!(!strategy.stops_at(Verdict::Approved));
    }

    #[test]
    fn first_applicable_stops_at_any_objection() {
        let strategy = ConflictStrategy::FirstApplicable;
        assert!(strategy.stops_at(Verdict::Escalated));
        assert!(strategy.stops_at(Verdict::Denied));
        assert!(!strategy.stops_at(Verdict::Approved));
    }

    #[test]
    fn the_form_labels_say_which_objection_decides() {
        assert_eq!(
            ConflictStrategy::DenyOverrides.label(),
            "A refusal from any policy outranks an escalation"
        );
        assert_eq!(
            ConflictStrategy::FirstApplicable.label(),
            "The first objecting policy in priority order decides"
        );
    }

    #[test]
    fn names_round_trip() {
        for strategy in ConflictStrategy::ALL {
            assert_eq!(ConflictStrategy::parse(strategy.as_str()), Some(strategy));
            let json = serde_json::to_string(&strategy).unwrap();
            assert_eq!(json, format!("\"{}\"", strategy.as_str()));
        }
        assert_eq!(ConflictStrategy::default(), ConflictStrategy::DenyOverrides);
    }
}

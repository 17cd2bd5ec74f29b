//! What the inbox tells a reviewer after a decision: whether the action ran,
//! and when an approval did not execute, what refused it and why.
//!
//! Invariant: only an approval that executed reads as a success; a denial or
//! an approval overruled by a refusal in force (a policy or the kill switch)
//! never does, so nothing that did not run is confirmed as if it had.

use crate::governance::{DecidedBy, Decision, Verdict};

/// How a message after a decision should look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// The approved action executed.
    Done,
    /// The reviewer denied it: done as asked, but nothing ran.
    Neutral,
    /// The reviewer approved it, yet it did not execute.
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewOutcome {
    pub tone: Tone,
    pub text: String,
}

/// The message after a reviewer `approve`d (or denied) `agent`'s `action` and
/// the control plane answered with `decision`.
pub fn review_outcome(
    approve: bool,
    agent: &str,
    action: &str,
    decision: &Decision,
) -> ReviewOutcome {
    match (approve, decision.verdict) {
        (true, Verdict::Approved) => ReviewOutcome {
            tone: Tone::Done,
            text: "Approved and executed.".to_owned(),
        },
        (true, _) => {
            let refused_by = match &decision.decided_by {
                DecidedBy::Policy(name) => name.to_string(),
                DecidedBy::KillSwitch => "the kill switch".to_owned(),
                other => other.policy_name().to_owned(),
            };
            ReviewOutcome {
                tone: Tone::Warning,
                text: format!(
                    "Your approval of {agent} {action} did not execute: {refused_by} refused it: {}.",
                    decision.reason
                ),
            }
        }
        (false, _) => ReviewOutcome {
            tone: Tone::Neutral,
            text: format!("Denied: {agent} {action} will not run."),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::{ControlPlane, GovernanceConfig, ManualClock, PolicyRule};
    use crate::governance::{Reason, RequestId, RequestInput, Review};

    fn review(approve: bool) -> Review {
        if approve {
            Review::approve("riley")
        } else {
            Review::deny("riley")
        }
    }

    #[test]
    fn an_executed_approval_is_confirmed() {
        let decision = Decision::new(
            Verdict::Approved,
            DecidedBy::Reviewer("riley".into()),
            Reason::ApprovedByReviewer,
        );
        let outcome = review_outcome(true, "mailer", "email", &decision);
        assert_eq!(outcome.tone, Tone::Done);
        assert_eq!(outcome.text, "Approved and executed.");
    }

    #[test]
    fn an_overruled_approval_says_it_did_not_execute_and_who_refused_it() {
        let decision = Decision::new(
            Verdict::Denied,
            DecidedBy::Policy("sensitive_actions".into()),
            Reason::ApprovalOverruled {
                refusal: Box::new(Reason::ActionTypeBlocked),
            },
        );
        let outcome = review_outcome(true, "mailer", "email", &decision);
        assert_eq!(outcome.tone, Tone::Warning);
        assert_eq!(
            outcome.text,
            "Your approval of mailer email did not execute: sensitive_actions refused it: \
             approved by reviewer, but the action type is blocked."
        );
    }

    #[test]
    fn an_approval_during_the_kill_switch_names_the_kill_switch() {
        let decision = Decision::new(
            Verdict::Denied,
            DecidedBy::KillSwitch,
            Reason::ApprovalDuringKillSwitch,
        );
        let outcome = review_outcome(true, "mailer", "email", &decision);
        assert_eq!(outcome.tone, Tone::Warning);
        assert!(outcome
            .text
            .contains("did not execute: the kill switch refused it"));
    }

    #[test]
    fn a_denial_is_not_confirmed_as_a_success() {
        let decision = Decision::new(
            Verdict::Denied,
            DecidedBy::Reviewer("riley".into()),
            Reason::DeniedByReviewer,
        );
        let outcome = review_outcome(false, "mailer", "email", &decision);
        assert_eq!(outcome.tone, Tone::Neutral);
        assert_eq!(outcome.text, "Denied: mailer email will not run.");
    }

    #[test]
    fn the_core_decision_for_a_type_blocked_after_escalation_reads_as_overruled() {
        let mut plane = ControlPlane::new(GovernanceConfig::default(), ManualClock::default())
            .expect("the default configuration is valid");
        let id = RequestId(uuid::Uuid::from_u128(1));
        let escalated = plane.submit(&RequestInput::new(id, "mailer", "email", 1.0));
        assert_eq!(escalated.verdict, Verdict::Escalated);
        let mut config = plane.config().clone();
        if let PolicyRule::SensitiveActions(rule) = &mut config.policies[0].rule {
            rule.approval_required.retain(|t| t != "email");
            rule.blocked.push("email".into());
        }
        plane.apply_config(config, "riley").unwrap();
        let decision = plane.resolve(id, &review(true)).unwrap();
        let outcome = review_outcome(true, "mailer", "email", &decision);
        assert_eq!(outcome.tone, Tone::Warning);
        assert!(
            outcome.text.contains("sensitive_actions refused it"),
            "{}",
            outcome.text
        );
    }
}

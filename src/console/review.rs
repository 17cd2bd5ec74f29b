//! What the inbox tells a reviewer after a decision: whether the action ran,
//! and when an approval did not execute, what refused it and why.
//!
//! It also reads a reviewer's approval count back to them, with a warning
//! when it passes the approval-fatigue threshold.
//!
//! Invariant: only an approval that executed reads as a success; a denial or
//! an approval overruled by a refusal in force (a policy or the kill switch)
//! never does, so nothing that did not run is confirmed as if it had.

use crate::governance::config::ApprovalFatigue;
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
            text: format!("Approved and executed: {agent} {action} ran."),
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

/// A fatigue window as people say it: "the last hour", "the last 15 minutes".
fn last(window_secs: u64) -> String {
    match window_secs {
        3_600 => "the last hour".to_owned(),
        86_400 => "the last day".to_owned(),
        s if s % 3_600 == 0 => format!("the last {} hours", s / 3_600),
        s if s % 60 == 0 => format!("the last {} minutes", s / 60),
        s => format!("the last {s} s"),
    }
}

/// What the inbox says about a reviewer's recent approvals: the count, and a
/// warning when it is above the threshold (`None` below it).
pub fn fatigue_reading(
    count: u32,
    above: bool,
    fatigue: &ApprovalFatigue,
) -> (String, Option<String>) {
    let window = last(fatigue.window_secs);
    let reading = format!("You approved {count} in {window}");
    let warning = above.then(|| {
        format!(
            "More than {} approvals in {window}: slow down or hand over the inbox; a rushed approval protects nothing.",
            fatigue.warn_above
        )
    });
    (reading, warning)
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
    fn the_fatigue_reading_counts_and_warns_above_the_threshold() {
        let fatigue = ApprovalFatigue {
            window_secs: 3_600,
            warn_above: 10,
        };
        assert_eq!(
            fatigue_reading(3, false, &fatigue),
            ("You approved 3 in the last hour".to_owned(), None)
        );
        let (reading, warning) = fatigue_reading(12, true, &fatigue);
        assert_eq!(reading, "You approved 12 in the last hour");
        assert!(warning
            .unwrap()
            .starts_with("More than 10 approvals in the last hour"));
        let short = ApprovalFatigue {
            window_secs: 900,
            warn_above: 1,
        };
        assert_eq!(
            fatigue_reading(0, false, &short).0,
            "You approved 0 in the last 15 minutes"
        );
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
        assert_eq!(outcome.text, "Approved and executed: mailer email ran.");
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

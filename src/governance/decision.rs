//! What the control plane concluded about a request, and why.
//!
//! A [`Decision`] carries the verdict, the policy (or mechanism) that decided and
//! a [`Reason`] holding the numbers that decided it. Reasons are stored as codes
//! with their figures and turned into text only when displayed, which keeps the
//! decision path free of string formatting.

use super::detectors::DataKinds;
use super::kill_switch::KillTarget;
use super::money::Money;
use super::names::{Fingerprint, TextProblem};
use super::risk::RiskLevel;
use super::rules::budget::BudgetScope;
use super::rules::rate_limit::RateScope;
use super::time::{Millis, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// The four outcomes of governing a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approved,
    Denied,
    /// Waiting for a human; the only verdict that is not final.
    Escalated,
    RateLimited,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [
        Verdict::Approved,
        Verdict::Denied,
        Verdict::Escalated,
        Verdict::RateLimited,
    ];

    pub fn is_final(self) -> bool {
        self != Verdict::Escalated
    }

    /// Denied or rate limited: the action does not run.
    pub fn is_refusal(self) -> bool {
        matches!(self, Verdict::Denied | Verdict::RateLimited)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approved => "approved",
            Verdict::Denied => "denied",
            Verdict::Escalated => "escalated",
            Verdict::RateLimited => "rate_limited",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who or what produced a decision.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DecidedBy {
    /// A configured policy, by name.
    Policy(Arc<str>),
    /// No policy objected.
    AllPolicies,
    KillSwitch,
    /// The request itself was malformed.
    Validation,
    /// A human reviewer resolving an escalation.
    Reviewer(Arc<str>),
    /// An escalation nobody resolved before its deadline.
    EscalationTimeout,
}

impl DecidedBy {
    /// The name recorded in the audit trail's `policy` field.
    pub fn policy_name(&self) -> &str {
        match self {
            DecidedBy::Policy(name) => name,
            DecidedBy::AllPolicies => "all_policies",
            DecidedBy::KillSwitch => "kill_switch",
            DecidedBy::Validation => "validation",
            DecidedBy::Reviewer(_) => "human_review",
            DecidedBy::EscalationTimeout => "escalation_timeout",
        }
    }

    pub fn reviewer(&self) -> Option<&str> {
        match self {
            DecidedBy::Reviewer(name) => Some(name),
            _ => None,
        }
    }
}

/// Which field of a request failed validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestField {
    AgentId,
    ActionType,
    Parameters,
}

/// What is wrong with a request's field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldProblem {
    /// An agent id or action type that is not an acceptable name.
    Name(TextProblem),
    /// Parameters that are not a JSON object.
    NotAnObject,
    /// Parameters nested deeper than the limit.
    TooDeep { depth: usize, max: usize },
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldProblem::Name(problem) => problem.fmt(f),
            FieldProblem::NotAnObject => f.write_str("must be a JSON object"),
            FieldProblem::TooDeep { depth, max } => write!(
                f,
                "nested {depth} levels deep; the limit is {max} (not recorded)"
            ),
        }
    }
}

/// Which budget tier a reason is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BudgetTier {
    pub scope: BudgetScope,
    /// The agent whose spend a per-agent budget counts.
    pub agent: Option<Arc<str>>,
    pub window: Option<Millis>,
}

impl BudgetTier {
    /// "hourly", "daily", "weekly", "900s" or nothing for no window.
    fn window_word(&self) -> String {
        match self.window.map(|w| w.0) {
            None => String::new(),
            Some(3_600_000) => "hourly ".into(),
            Some(86_400_000) => "daily ".into(),
            Some(604_800_000) => "weekly ".into(),
            Some(ms) => format!("{} ", Millis(ms)),
        }
    }
}

/// A clock time without its milliseconds when it has none: `2:00:00`.
struct ClockTime(Timestamp);

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_string();
        f.write_str(text.strip_suffix(".000").unwrap_or(&text))
    }
}

/// A number as it was submitted (NaN and the infinities included), compared
/// and hashed by its bits, so that a reason holding one is a value like any
/// other.
#[derive(Clone, Copy, Debug)]
pub struct Submitted(pub f64);

impl PartialEq for Submitted {
    fn eq(&self, other: &Submitted) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for Submitted {}

impl std::hash::Hash for Submitted {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

/// Why a request got its verdict, with the figures that decided it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    NoPolicyObjected,
    KillSwitchActive {
        reason: Arc<str>,
        /// `None` for the global kill switch.
        target: Option<Box<KillTarget>>,
    },
    OverBudget {
        projected: Money,
        limit: Money,
    },
    OverEscalationThreshold {
        projected: Money,
        threshold: Money,
        limit: Money,
    },
    /// A budget tier other than the all-time system budget: a per-action
    /// cap, a per-agent budget, or a budget with a window. `threshold` is set
    /// when the request passes the escalation threshold, not the limit.
    OverBudgetTier {
        tier: BudgetTier,
        projected: Money,
        limit: Money,
        threshold: Option<Money>,
        resets_at: Option<Timestamp>,
    },
    RateLimitReached {
        scope: RateScope,
        executed: u32,
        max: u32,
        window: Millis,
    },
    ActionTypeBlocked,
    ApprovalRequired,
    /// The parameters held these kinds of credential or personal data (the
    /// values are masked in the record, never named here).
    SensitiveData {
        kinds: DataKinds,
    },
    /// The action type's risk level needs a human.
    RiskRequiresApproval {
        level: RiskLevel,
    },
    /// A change to production (`target`, as the request named it) outside
    /// every change window.
    OutsideChangeWindow {
        target: Arc<str>,
        at: Timestamp,
    },
    InvalidCost {
        value: Submitted,
        problem: &'static str,
    },
    InvalidField {
        field: RequestField,
        problem: FieldProblem,
        /// The rejected name's fingerprint, recorded instead of the name.
        fingerprint: Option<Fingerprint>,
    },
    /// The request reused the id of an earlier request; the record is filed as
    /// a rejected duplicate, never under that id.
    DuplicateRequestId,
    ApprovedByReviewer,
    DeniedByReviewer,
    EscalationTimedOut {
        waited: Millis,
    },
    /// Nobody decided in time and the escalating policy lets silence approve.
    AllowedAtTimeout {
        waited: Millis,
    },
    KillSwitchActivatedWhilePending,
    /// A reviewer approved, but a refusal in force at that moment (a policy
    /// that declares it must be re-checked) stopped the action.
    ApprovalOverruled {
        refusal: Box<Reason>,
    },
    ApprovalDuringKillSwitch,
}

impl Reason {
    /// A stable machine-readable code for filtering and export.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::NoPolicyObjected => "no_policy_objected",
            Reason::KillSwitchActive { .. } => "kill_switch_active",
            Reason::OverBudget { .. } => "over_budget",
            Reason::OverEscalationThreshold { .. } => "over_escalation_threshold",
            Reason::OverBudgetTier {
                threshold: Some(_), ..
            } => "over_budget_tier_threshold",
            Reason::OverBudgetTier { .. } => "over_budget_tier",
            Reason::RateLimitReached { .. } => "rate_limit_reached",
            Reason::ActionTypeBlocked => "action_type_blocked",
            Reason::ApprovalRequired => "approval_required",
            Reason::RiskRequiresApproval { .. } => "risk_requires_approval",
            Reason::SensitiveData { .. } => "sensitive_data",
            Reason::OutsideChangeWindow { .. } => "outside_change_window",
            Reason::InvalidCost { .. } => "invalid_cost",
            Reason::InvalidField { .. } => "invalid_field",
            Reason::DuplicateRequestId => "duplicate_request_id",
            Reason::ApprovedByReviewer => "approved_by_reviewer",
            Reason::DeniedByReviewer => "denied_by_reviewer",
            Reason::EscalationTimedOut { .. } => "escalation_timed_out",
            Reason::AllowedAtTimeout { .. } => "allowed_at_timeout",
            Reason::KillSwitchActivatedWhilePending => "kill_switch_activated_while_pending",
            Reason::ApprovalOverruled { .. } => "approval_overruled",
            Reason::ApprovalDuringKillSwitch => "approval_during_kill_switch",
        }
    }
}

impl Reason {
    /// Takes out the one figure that changes from request to request under
    /// the same rule (a projected spend, a count of executions, a wait, a
    /// request's time), leaving zero in its place. What remains, the reason's
    /// template, repeats across records, so the audit log stores it once and
    /// the figure beside each record; [`Reason::put_figure`] puts it back.
    pub(crate) fn take_figure(&mut self) -> u64 {
        match self {
            Reason::OverBudget { projected, .. }
            | Reason::OverEscalationThreshold { projected, .. }
            | Reason::OverBudgetTier { projected, .. } => std::mem::take(projected).micros(),
            Reason::RateLimitReached { executed, .. } => u64::from(std::mem::take(executed)),
            Reason::EscalationTimedOut { waited } | Reason::AllowedAtTimeout { waited } => {
                std::mem::take(waited).0
            }
            Reason::OutsideChangeWindow { at, .. } => std::mem::take(at).0,
            _ => 0,
        }
    }

    /// Puts back the figure [`Reason::take_figure`] took out.
    pub(crate) fn put_figure(&mut self, figure: u64) {
        match self {
            Reason::OverBudget { projected, .. }
            | Reason::OverEscalationThreshold { projected, .. }
            | Reason::OverBudgetTier { projected, .. } => *projected = Money::from_micros(figure),
            Reason::RateLimitReached { executed, .. } => {
                *executed = u32::try_from(figure).expect("a figure taken from a u32")
            }
            Reason::EscalationTimedOut { waited } | Reason::AllowedAtTimeout { waited } => {
                *waited = Millis(figure)
            }
            Reason::OutsideChangeWindow { at, .. } => *at = Timestamp(figure),
            _ => {}
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NoPolicyObjected => f.write_str("no policy objected"),
            Reason::KillSwitchActive { reason, target } => {
                let scope = target.as_deref().map(ToString::to_string).unwrap_or_default();
                write!(f, "kill switch{scope} is active: {reason}")
            }
            Reason::OverBudget { projected, limit } => {
                write!(f, "projected spend {projected} would exceed budget {limit}")
            }
            Reason::OverEscalationThreshold {
                projected,
                threshold,
                limit,
            } => write!(
                f,
                "projected spend {projected} would pass the escalation threshold {threshold} of budget {limit}"
            ),
            Reason::OverBudgetTier {
                tier,
                projected,
                limit,
                threshold,
                resets_at,
            } => {
                match (tier.scope, threshold) {
                    (BudgetScope::Action, None) => {
                        return write!(f, "a cost of {projected} is over the per-action cap {limit}")
                    }
                    (BudgetScope::Action, Some(threshold)) => {
                        return write!(
                            f,
                            "a cost of {projected} passes the escalation threshold {threshold} of the per-action cap {limit}"
                        )
                    }
                    (BudgetScope::Agent, _) => write!(
                        f,
                        "{} would spend {projected} of its {limit} {}budget",
                        tier.agent.as_deref().unwrap_or("the agent"),
                        tier.window_word()
                    )?,
                    (BudgetScope::System, _) => write!(
                        f,
                        "the system would spend {projected} of its {limit} {}budget",
                        tier.window_word()
                    )?,
                }
                if let Some(threshold) = threshold {
                    write!(f, ", past the escalation threshold {threshold}")?;
                }
                match resets_at {
                    Some(at) => write!(f, "; resets at {}", ClockTime(*at)),
                    None => Ok(()),
                }
            }
            Reason::RateLimitReached {
                scope,
                executed,
                max,
                window,
            } => {
                let whose = match scope {
                    RateScope::Agent => "",
                    RateScope::System => " by all agents",
                };
                write!(
                    f,
                    "{executed} actions executed{whose} in the last {window}; the limit is {max} per {window}"
                )
            }
            Reason::ActionTypeBlocked => f.write_str("action type is blocked"),
            Reason::ApprovalRequired => f.write_str("action type requires human approval"),
            Reason::SensitiveData { kinds } => {
                let labels: Vec<&str> = kinds.iter().map(|k| k.label()).collect();
                write!(
                    f,
                    "parameters contain {} (masked in the record)",
                    labels.join(", ")
                )
            }
            Reason::RiskRequiresApproval { level } => write!(
                f,
                "{}-risk action types require human approval",
                level.as_str()
            ),
            Reason::OutsideChangeWindow { target, at } => {
                let minutes = at.millis() / 60_000;
                write!(
                    f,
                    "targets {target} outside its change windows ({} {:02}:{:02})",
                    super::rules::change_window::Weekday::of(*at).label(),
                    minutes / 60 % 24,
                    minutes % 60
                )
            }
            Reason::InvalidCost { value, problem } => {
                let value = super::config_error::number_text(value.0);
                write!(f, "invalid cost {value}: {problem}")
            }
            Reason::InvalidField {
                field,
                problem,
                fingerprint,
            } => {
                let field = match field {
                    RequestField::AgentId => "agent id",
                    RequestField::ActionType => "action type",
                    RequestField::Parameters => "parameters",
                };
                write!(f, "invalid {field}: {problem}")?;
                match fingerprint {
                    Some(fingerprint) => write!(f, " (recorded as fingerprint {fingerprint})"),
                    None => Ok(()),
                }
            }
            Reason::DuplicateRequestId => {
                f.write_str("request id was already used by an earlier request")
            }
            Reason::ApprovedByReviewer => f.write_str("approved by reviewer"),
            Reason::DeniedByReviewer => f.write_str("denied by reviewer"),
            Reason::EscalationTimedOut { waited } => {
                write!(f, "no reviewer decided within {waited}")
            }
            Reason::AllowedAtTimeout { waited } => write!(
                f,
                "no reviewer decided within {waited}; the policy lets silence approve"
            ),
            Reason::KillSwitchActivatedWhilePending => {
                f.write_str("kill switch was activated while awaiting review")
            }
            Reason::ApprovalOverruled { refusal } => match &**refusal {
                Reason::OverBudget { projected, limit } => write!(
                    f,
                    "approved by reviewer, but projected spend {projected} would now exceed budget {limit}"
                ),
                Reason::ActionTypeBlocked => {
                    f.write_str("approved by reviewer, but the action type is blocked")
                }
                other => write!(f, "approved by reviewer, but {other}"),
            },
            Reason::ApprovalDuringKillSwitch => {
                f.write_str("approved by reviewer, but the kill switch is active")
            }
        }
    }
}

/// The control plane's answer to a request (or to a resolution of one).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Decision {
    pub verdict: Verdict,
    pub decided_by: DecidedBy,
    pub reason: Reason,
}

impl Decision {
    pub fn new(verdict: Verdict, decided_by: DecidedBy, reason: Reason) -> Decision {
        Decision {
            verdict,
            decided_by,
            reason,
        }
    }

    pub fn is_final(&self) -> bool {
        self.verdict.is_final()
    }
}

/// One reason of every kind, each figure and number set and distinct: for
/// tests of what stores and shows reasons.
#[cfg(test)]
pub(crate) fn sample_reasons() -> Vec<Reason> {
    use super::detectors::DataKind;
    let money = Money::from_micros;
    let tier = |scope| BudgetTier {
        scope,
        agent: (scope == BudgetScope::Agent).then(|| Arc::from("agent-7")),
        window: Some(Millis(3_600_000)),
    };
    vec![
        Reason::NoPolicyObjected,
        Reason::KillSwitchActive {
            reason: Arc::from("runaway loop"),
            target: Some(Box::new(KillTarget::Agent("agent-7".into()))),
        },
        Reason::OverBudget {
            projected: money(101_500_000),
            limit: money(100_000_000),
        },
        Reason::OverEscalationThreshold {
            projected: money(81_000_000),
            threshold: money(80_000_000),
            limit: money(100_000_000),
        },
        Reason::OverBudgetTier {
            tier: tier(BudgetScope::Agent),
            projected: money(5_250_000),
            limit: money(5_000_000),
            threshold: Some(money(4_000_000)),
            resets_at: Some(Timestamp(7_200_000)),
        },
        Reason::RateLimitReached {
            scope: RateScope::System,
            executed: 500,
            max: 499,
            window: Millis(60_000),
        },
        Reason::ActionTypeBlocked,
        Reason::ApprovalRequired,
        Reason::SensitiveData {
            kinds: vec![DataKind::AwsAccessKey, DataKind::GithubToken].into(),
        },
        Reason::RiskRequiresApproval {
            level: RiskLevel::High,
        },
        Reason::OutsideChangeWindow {
            target: Arc::from("prod-db"),
            at: Timestamp(93_784_005),
        },
        Reason::InvalidCost {
            value: Submitted(f64::NAN),
            problem: "must be a number",
        },
        Reason::InvalidField {
            field: RequestField::AgentId,
            problem: FieldProblem::Name(TextProblem::TooLong {
                chars: 300,
                max: 128,
            }),
            fingerprint: Some(Fingerprint(0xdead_beef)),
        },
        Reason::DuplicateRequestId,
        Reason::ApprovedByReviewer,
        Reason::DeniedByReviewer,
        Reason::EscalationTimedOut {
            waited: Millis(300_000),
        },
        Reason::AllowedAtTimeout {
            waited: Millis(299_999),
        },
        Reason::KillSwitchActivatedWhilePending,
        Reason::ApprovalOverruled {
            refusal: Box::new(Reason::OverBudget {
                projected: money(3),
                limit: money(2),
            }),
        },
        Reason::ApprovalDuringKillSwitch,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each kind of reason, by position; no wildcard, so a new kind does not
    /// compile until it is numbered here (and added to the samples).
    fn kind_of(reason: &Reason) -> usize {
        match reason {
            Reason::NoPolicyObjected => 0,
            Reason::KillSwitchActive { .. } => 1,
            Reason::OverBudget { .. } => 2,
            Reason::OverEscalationThreshold { .. } => 3,
            Reason::OverBudgetTier { .. } => 4,
            Reason::RateLimitReached { .. } => 5,
            Reason::ActionTypeBlocked => 6,
            Reason::ApprovalRequired => 7,
            Reason::SensitiveData { .. } => 8,
            Reason::RiskRequiresApproval { .. } => 9,
            Reason::OutsideChangeWindow { .. } => 10,
            Reason::InvalidCost { .. } => 11,
            Reason::InvalidField { .. } => 12,
            Reason::DuplicateRequestId => 13,
            Reason::ApprovedByReviewer => 14,
            Reason::DeniedByReviewer => 15,
            Reason::EscalationTimedOut { .. } => 16,
            Reason::AllowedAtTimeout { .. } => 17,
            Reason::KillSwitchActivatedWhilePending => 18,
            Reason::ApprovalOverruled { .. } => 19,
            Reason::ApprovalDuringKillSwitch => 20,
        }
    }

    #[test]
    fn the_samples_hold_every_kind_of_reason() {
        let kinds: Vec<usize> = sample_reasons().iter().map(kind_of).collect();
        assert_eq!(kinds, (0..=20).collect::<Vec<_>>());
    }

    #[test]
    fn a_figure_taken_out_and_put_back_gives_the_same_reason() {
        for reason in sample_reasons() {
            let mut template = reason.clone();
            let figure = template.take_figure();
            // Two requests under the same rule differ only in the figure, so
            // they share the template.
            let mut other = reason.clone();
            other.put_figure(figure / 2 + 1);
            other.take_figure();
            assert_eq!(other, template, "{reason:?}");
            template.put_figure(figure);
            assert_eq!(template, reason);
        }
    }

    #[test]
    fn reasons_name_their_numbers() {
        let reason = Reason::OverBudget {
            projected: Money::from_f64(95.2).unwrap(),
            limit: Money::from_units(100),
        };
        assert_eq!(
            reason.to_string(),
            "projected spend 95.20 would exceed budget 100.00"
        );
        let reason = Reason::RateLimitReached {
            scope: RateScope::Agent,
            executed: 500,
            max: 500,
            window: Millis::from_secs(3_600),
        };
        assert_eq!(
            reason.to_string(),
            "500 actions executed in the last 3600s; the limit is 500 per 3600s"
        );
    }

    #[test]
    fn only_escalation_awaits_a_further_outcome() {
        let finals: Vec<_> = Verdict::ALL.iter().filter(|v| v.is_final()).collect();
        assert_eq!(
            finals,
            [&Verdict::Approved, &Verdict::Denied, &Verdict::RateLimited]
        );
    }
}

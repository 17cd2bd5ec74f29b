//! The control plane: where a request meets the policies, the kill switch,
//! the escalation queue, the ledgers and the audit trail.
//!
//! Every public operation first reads the clock and resolves escalations whose
//! deadline has passed, so the audit trail is in time order and a reviewer can
//! never act on an item that has already timed out.
//!
//! Invariants, all tested in `tests/`:
//! - every submitted request gets exactly one final audit record;
//! - an action executes (adds to spend and to its agent's rate window) only on
//!   an approved final outcome, and only after the kill switch and budget were
//!   checked at that moment, so executed spend never passes the budget in force;
//! - while the kill switch is active nothing executes;
//! - anything malformed is denied and audited, never dropped or let through.

use super::audit::{AuditEvent, AuditLine, AuditLog, AuditRecord};
use super::budget::SpendLedger;
use super::config::{ConfigError, GovernanceConfig};
use super::decision::{DecidedBy, Decision, Reason, RequestField, Verdict};
use super::escalation::{EscalationQueue, PendingEscalation};
use super::ids::{
    action_type_problem, name_problem, ActionType, AgentId, Interner, RequestId, MAX_NAME_LEN,
};
use super::kill_switch::{check_actor, Activation, KillSwitch, KillSwitchError};
use super::money::{Money, MoneyError};
use super::policy::{PolicyContext, PolicySet};
use super::rate_limit::RateTracker;
use super::request::{Request, RequestInput};
use super::stats::{AgentSpend, AgentStats, EscalationStats, SpendingReport, Stats, VerdictCounts};
use super::time::{Clock, ManualClock, Millis, Timestamp};
use std::collections::HashSet;
use std::sync::Arc;
use thiserror::Error;

/// The longest reviewer comment accepted.
pub const MAX_COMMENT_LEN: usize = 1_000;

/// A reviewer's answer to an escalation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub approve: bool,
    pub reviewer: String,
    pub comment: Option<String>,
}

impl Review {
    pub fn approve(reviewer: impl Into<String>) -> Review {
        Review {
            approve: true,
            reviewer: reviewer.into(),
            comment: None,
        }
    }

    pub fn deny(reviewer: impl Into<String>) -> Review {
        Review {
            approve: false,
            reviewer: reviewer.into(),
            comment: None,
        }
    }

    pub fn with_comment(mut self, comment: impl Into<String>) -> Review {
        self.comment = Some(comment.into());
        self
    }
}

/// Why a review could not be applied. Nothing changes when one is returned.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ResolveError {
    #[error("request {0} is unknown")]
    UnknownRequest(RequestId),
    #[error("request {0} is not awaiting review: it was never escalated or is already resolved")]
    NotPending(RequestId),
    #[error("reviewer: \"{reviewer}\" {problem}")]
    InvalidReviewer {
        reviewer: String,
        problem: &'static str,
    },
    #[error("comment: longer than 1000 characters")]
    CommentTooLong,
}

/// The governance control plane.
#[derive(Debug)]
pub struct ControlPlane<C: Clock = ManualClock> {
    clock: C,
    now: Timestamp,
    config: Arc<GovernanceConfig>,
    policies: PolicySet,
    escalation_timeout: Millis,
    agents: Interner,
    actions: Interner,
    kill_switch: KillSwitch,
    escalations: EscalationQueue,
    spend: SpendLedger,
    rates: RateTracker,
    audit: AuditLog,
    stats: Stats,
    used_ids: HashSet<RequestId>,
}

impl<C: Clock> ControlPlane<C> {
    /// A control plane governed by `config`, reading time from `clock`.
    pub fn new(config: GovernanceConfig, clock: C) -> Result<ControlPlane<C>, ConfigError> {
        config.validate()?;
        let now = clock.now();
        let mut plane = ControlPlane {
            clock,
            now,
            config: Arc::new(config),
            policies: PolicySet::default(),
            escalation_timeout: Millis(0),
            agents: Interner::default(),
            actions: Interner::default(),
            kill_switch: KillSwitch::default(),
            escalations: EscalationQueue::default(),
            spend: SpendLedger::default(),
            rates: RateTracker::default(),
            audit: AuditLog::default(),
            stats: Stats::default(),
            used_ids: HashSet::new(),
        };
        plane.install(plane.config.clone());
        Ok(plane)
    }

    // ---- commands ----

    /// Governs one request: validates it, judges it, executes or queues it,
    /// and records the decision.
    pub fn submit(&mut self, input: &RequestInput) -> Decision {
        self.advance();
        let (request, invalid) = self.receive(input);
        let decision = match invalid {
            Some(denial) => denial,
            None => self.judge(&request),
        };
        match decision.verdict {
            Verdict::Approved => self.execute(&request),
            Verdict::Escalated => self.escalations.push(PendingEscalation {
                request: request.clone(),
                escalation: decision.clone(),
                escalated_at: self.now,
                deadline: self.now.saturating_add(self.escalation_timeout),
            }),
            Verdict::Denied | Verdict::RateLimited => {}
        }
        self.stats.record_arrival(request.agent, &decision);
        self.audit.append(
            self.now,
            AuditEvent::Decision {
                request,
                decision: decision.clone(),
            },
        );
        decision
    }

    /// Applies a reviewer's decision to a waiting escalation. An approval is
    /// checked again against the kill switch and the budget at this moment.
    pub fn resolve(&mut self, id: RequestId, review: &Review) -> Result<Decision, ResolveError> {
        self.advance();
        if let Some(problem) = name_problem(&review.reviewer) {
            return Err(ResolveError::InvalidReviewer {
                reviewer: review.reviewer.clone(),
                problem,
            });
        }
        if review
            .comment
            .as_ref()
            .is_some_and(|c| c.len() > MAX_COMMENT_LEN)
        {
            return Err(ResolveError::CommentTooLong);
        }
        let Some(pending) = self.escalations.remove(id) else {
            return Err(if self.used_ids.contains(&id) {
                ResolveError::NotPending(id)
            } else {
                ResolveError::UnknownRequest(id)
            });
        };
        let reviewer: Arc<str> = Arc::from(review.reviewer.trim());
        let decision = if review.approve {
            self.recheck_approval(&pending.request).unwrap_or_else(|| {
                Decision::new(
                    Verdict::Approved,
                    DecidedBy::Reviewer(reviewer.clone()),
                    Reason::ApprovedByReviewer,
                )
            })
        } else {
            Decision::new(
                Verdict::Denied,
                DecidedBy::Reviewer(reviewer.clone()),
                Reason::DeniedByReviewer,
            )
        };
        if decision.verdict == Verdict::Approved {
            self.execute(&pending.request);
        }
        let comment = review
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(Arc::from);
        self.finish(pending, decision.clone(), Some(reviewer), comment, self.now);
        Ok(decision)
    }

    /// Resolves escalations whose deadline has passed; the clock is read as
    /// by any other operation. Returns how many timed out.
    pub fn expire_due(&mut self) -> usize {
        let before = self.escalations.len();
        self.advance();
        before - self.escalations.len()
    }

    /// Stops everything: from now on every request is denied, and waiting
    /// escalations are denied at once.
    pub fn activate_kill_switch(
        &mut self,
        actor: &str,
        reason: &str,
    ) -> Result<(), KillSwitchError> {
        self.advance();
        let activation = self.kill_switch.activate(actor, reason, self.now)?.clone();
        self.audit.append(
            self.now,
            AuditEvent::KillSwitchActivated {
                actor: activation.actor,
                reason: activation.reason,
            },
        );
        for pending in self.escalations.drain() {
            let decision = Decision::new(
                Verdict::Denied,
                DecidedBy::KillSwitch,
                Reason::KillSwitchActivatedWhilePending,
            );
            self.finish(pending, decision, None, None, self.now);
        }
        Ok(())
    }

    pub fn deactivate_kill_switch(&mut self, actor: &str) -> Result<(), KillSwitchError> {
        self.advance();
        self.kill_switch.deactivate(actor)?;
        self.audit.append(
            self.now,
            AuditEvent::KillSwitchDeactivated {
                actor: Arc::from(actor.trim()),
            },
        );
        Ok(())
    }

    /// Replaces the configuration, whole, if it validates; the next request is
    /// judged by it. Escalations already waiting keep their deadlines.
    pub fn apply_config(
        &mut self,
        config: GovernanceConfig,
        actor: &str,
    ) -> Result<(), ConfigError> {
        self.advance();
        check_actor(actor).map_err(|_| ConfigError::InvalidValue {
            field: "actor".into(),
            value: format!("\"{actor}\""),
            problem: "must be a name of 1 to 64 visible characters",
        })?;
        config.validate()?;
        if config == *self.config {
            return Ok(());
        }
        let before = self.config.clone();
        let after = Arc::new(config);
        self.install(after.clone());
        self.audit.append(
            self.now,
            AuditEvent::ConfigChanged {
                actor: Arc::from(actor.trim()),
                before,
                after,
            },
        );
        Ok(())
    }

    // ---- queries ----

    pub fn now(&self) -> Timestamp {
        self.now
    }

    pub fn config(&self) -> &GovernanceConfig {
        &self.config
    }

    pub fn kill_switch(&self) -> Option<&Activation> {
        self.kill_switch.activation()
    }

    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    /// Escalations waiting for a reviewer, oldest first.
    pub fn pending_escalations(&self) -> impl Iterator<Item = &PendingEscalation> {
        self.escalations.iter()
    }

    pub fn pending_escalation(&self, id: RequestId) -> Option<&PendingEscalation> {
        self.escalations.get(id)
    }

    pub fn agent_id(&self, name: &str) -> Option<AgentId> {
        self.agents.get(name).map(AgentId)
    }

    pub fn agent_name(&self, agent: AgentId) -> &Arc<str> {
        self.agents.name(agent.0)
    }

    pub fn action_name(&self, action: ActionType) -> &Arc<str> {
        self.actions.name(action.0)
    }

    /// Every agent seen so far, in order of first request.
    pub fn agents(&self) -> impl Iterator<Item = AgentId> {
        (0..self.agents.len() as u32).map(AgentId)
    }

    /// Every action type seen so far, in requests or in the configuration.
    pub fn action_types(&self) -> impl Iterator<Item = ActionType> {
        (0..self.actions.len() as u32).map(ActionType)
    }

    pub fn agent_stats(&self, agent: AgentId) -> AgentStats {
        self.stats.agent(agent)
    }

    pub fn agent_spend(&self, agent: AgentId) -> Money {
        self.spend.of_agent(agent)
    }

    pub fn total_spend(&self) -> Money {
        self.spend.total()
    }

    /// Final outcomes by verdict; `Escalated` counts escalations raised.
    pub fn verdict_counts(&self) -> VerdictCounts {
        self.stats.verdicts
    }

    pub fn escalation_stats(&self) -> EscalationStats {
        EscalationStats {
            pending: self.escalations.len(),
            ..self.stats.escalations
        }
    }

    pub fn spending_report(&self) -> SpendingReport {
        let budget = self.policies.primary_budget();
        let total = self.spend.total();
        SpendingReport {
            total,
            limit: budget.map(|b| b.limit),
            threshold: budget.map(|b| b.threshold),
            remaining: budget.map(|b| b.limit.saturating_sub(total)),
            per_agent: self
                .agents()
                .map(|agent| AgentSpend {
                    agent: self.agent_name(agent).clone(),
                    spent: self.spend.of_agent(agent),
                    executed: self.stats.agent(agent).executed,
                })
                .collect(),
        }
    }

    /// Denied and rate-limited final outcomes, for one agent or all. An agent
    /// that never submitted anything has none.
    pub fn refusals(&self, agent: Option<&str>) -> Box<dyn Iterator<Item = &AuditRecord> + '_> {
        match agent {
            None => Box::new(self.audit.refusals(None)),
            Some(name) => match self.agent_id(name) {
                Some(id) => Box::new(self.audit.refusals(Some(id))),
                None => Box::new(std::iter::empty()),
            },
        }
    }

    /// An audit record in its self-contained export form.
    pub fn audit_line(&self, record: &AuditRecord) -> AuditLine {
        AuditLine::from_record(record, &self.agents, &self.actions)
    }

    // ---- internals ----

    /// Moves the control plane's time to the clock's (never backwards: a clock
    /// that steps back must not reopen rate windows or deadlines) and times out
    /// overdue escalations, each at its own deadline.
    fn advance(&mut self) {
        self.now = self.now.max(self.clock.now());
        while let Some(pending) = self.escalations.pop_expired(self.now) {
            let waited = pending.escalated_at.until(pending.deadline);
            let decision = Decision::new(
                Verdict::Denied,
                DecidedBy::EscalationTimeout,
                Reason::EscalationTimedOut { waited },
            );
            let at = pending.deadline;
            self.finish(pending, decision, None, None, at);
        }
    }

    fn install(&mut self, config: Arc<GovernanceConfig>) {
        self.policies = PolicySet::compile(&config, &mut self.actions);
        self.escalation_timeout = Millis::from_secs_f64(config.escalation_timeout_secs);
        if let Some(window) = self.policies.longest_rate_window() {
            self.rates.retain_at_least(window);
        }
        self.config = config;
    }

    /// Interns and validates an input. Returns the request as received and,
    /// when it is malformed, the denial it gets.
    fn receive(&mut self, input: &RequestInput) -> (Request, Option<Decision>) {
        let agent = AgentId(self.agents.intern(bounded(&input.agent)));
        let action = ActionType(self.actions.intern(bounded(&input.action)));
        let (parameters, parameters_ok) = match &input.parameters {
            serde_json::Value::Object(map) => (Arc::new(map.clone()), true),
            _ => (Default::default(), false),
        };
        let cost = Money::from_f64(input.cost);
        let request = Request {
            id: input.id,
            agent,
            action,
            parameters,
            cost: *cost.as_ref().unwrap_or(&Money::ZERO),
            received_at: self.now,
        };
        let reason = if let Some(problem) = name_problem(&input.agent) {
            Some(Reason::InvalidField {
                field: RequestField::AgentId,
                problem,
            })
        } else if let Some(problem) = action_type_problem(&input.action) {
            Some(Reason::InvalidField {
                field: RequestField::ActionType,
                problem,
            })
        } else if !parameters_ok {
            Some(Reason::InvalidField {
                field: RequestField::Parameters,
                problem: "must be a JSON object",
            })
        } else if let Err(error) = cost {
            Some(Reason::InvalidCost {
                value: input.cost,
                problem: match error {
                    MoneyError::NotFinite(_) => "not a finite number",
                    MoneyError::Negative(_) => "negative",
                    MoneyError::TooLarge(_) => "larger than 1000000000",
                },
            })
        } else if !self.used_ids.insert(input.id) {
            Some(Reason::DuplicateRequestId)
        } else {
            None
        };
        if reason.is_some() {
            self.used_ids.insert(input.id);
        }
        let denial =
            reason.map(|reason| Decision::new(Verdict::Denied, DecidedBy::Validation, reason));
        (request, denial)
    }

    fn judge(&self, request: &Request) -> Decision {
        if let Some(activation) = self.kill_switch.activation() {
            return Decision::new(
                Verdict::Denied,
                DecidedBy::KillSwitch,
                Reason::KillSwitchActive {
                    reason: activation.reason.clone(),
                },
            );
        }
        let context = PolicyContext {
            now: self.now,
            spend: &self.spend,
            rates: &self.rates,
        };
        self.policies.evaluate(request, &context)
    }

    /// What stops a reviewer's approval from executing now, if anything.
    fn recheck_approval(&self, request: &Request) -> Option<Decision> {
        if self.kill_switch.is_active() {
            return Some(Decision::new(
                Verdict::Denied,
                DecidedBy::KillSwitch,
                Reason::ApprovalDuringKillSwitch,
            ));
        }
        self.policies
            .budgets_covering(request.action)
            .find_map(|(name, budget)| {
                budget
                    .overspend(self.spend.total(), request.cost)
                    .map(|over| {
                        let Reason::OverBudget { projected, limit } = over else {
                            unreachable!("overspend reports OverBudget")
                        };
                        Decision::new(
                            Verdict::Denied,
                            DecidedBy::Policy(name.clone()),
                            Reason::ApprovalWouldOverspend { projected, limit },
                        )
                    })
            })
    }

    fn execute(&mut self, request: &Request) {
        debug_assert!(
            !self.kill_switch.is_active(),
            "nothing executes while killed"
        );
        self.spend.record(request.agent, request.cost);
        self.rates.record(request.agent, self.now);
    }

    fn finish(
        &mut self,
        pending: PendingEscalation,
        decision: Decision,
        reviewer: Option<Arc<str>>,
        comment: Option<Arc<str>>,
        at: Timestamp,
    ) {
        self.stats.record_resolution(
            pending.request.agent,
            &decision,
            pending.escalated_at.until(at),
        );
        self.audit.append(
            at,
            AuditEvent::Resolution {
                request: pending.request,
                decision,
                reviewer,
                comment,
            },
        );
    }
}

/// Names are stored at most `MAX_NAME_LEN` bytes long even when an agent sends
/// a longer (and therefore rejected) one, so bad input cannot bloat memory.
fn bounded(name: &str) -> &str {
    if name.len() <= MAX_NAME_LEN {
        return name;
    }
    let mut end = MAX_NAME_LEN;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

//! The control plane: where a request meets the policies, the kill switch,
//! the escalation queue, the ledgers and the audit trail.
//!
//! Every public operation first reads the clock and resolves escalations whose
//! deadline has passed, so the audit trail is in time order and a reviewer can
//! never act on an item that has already timed out.
//!
//! Invariants, all tested in `tests/`:
//! - every request id gets exactly one final audit record; a submission that
//!   reuses an id is refused and recorded as a rejected duplicate, never under
//!   that id;
//! - an action executes (adds to spend and to its agent's rate window) only on
//!   an approved final outcome, and only after the kill switch and every
//!   refusal a policy declares must be re-checked (budgets, blocked lists)
//!   were checked at that moment, so nothing executes that a refusal in force
//!   at execution time covers, and executed spend never passes a budget;
//! - while the kill switch is active nothing executes;
//! - anything malformed is denied and audited, never dropped or let through,
//!   and a rejected name is never interned or filed under another name.

use super::audit::{AuditEvent, AuditLine, AuditLog, AuditRecord};
use super::config::{ConfigError, FieldPath, GovernanceConfig};
use super::decision::{
    DecidedBy, Decision, FieldProblem, Reason, RequestField, Submitted, Verdict,
};
use super::detectors::{self, DataKinds};
use super::escalation::{EscalationQueue, PendingEscalation, TimeoutOutcome};
use super::ids::{ActionType, AgentId, Interner, RequestId};
use super::kill_switch::{Activation, KillScope, KillSwitch, KillSwitchError, KillTarget};
use super::money::Money;
use super::names::{
    canonical_action_type, canonical_name, clean_text, fingerprint, quoted, TextProblem,
    INVALID_NAME_MARKER,
};
use super::policy::PolicyContext;
use super::policy_set::PolicySet;
use super::request::{nesting_depth, Request, RequestHash, RequestInput, MAX_PARAMETER_DEPTH};
use super::risk::{RiskLevel, RiskSource};
use super::rules::budget::BudgetScope;
use super::state::{RateTracker, SpendLedger};
use super::stats::{AgentSpend, AgentStats, EscalationStats, SpendingReport, Stats, VerdictCounts};
use super::time::{Clock, ManualClock, Millis, Timestamp};
use super::triggers::{AnomalyReading, Firing, TriggerState};
use crate::governance::fast_hash::FastMap;
use crate::governance::parted_map::PartedMap;
use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::Arc;
use thiserror::Error;

/// The longest reviewer comment accepted, in characters.
pub const MAX_COMMENT_LEN: usize = 1_000;

/// A reviewer's answer to an escalation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub approve: bool,
    pub reviewer: String,
    pub comment: Option<String>,
    /// The request hash the reviewer was shown (hex), binding the review to
    /// exactly that request; refused when it does not match.
    pub request_hash: Option<String>,
}

impl Review {
    pub fn approve(reviewer: impl Into<String>) -> Review {
        Review {
            approve: true,
            reviewer: reviewer.into(),
            comment: None,
            request_hash: None,
        }
    }

    pub fn deny(reviewer: impl Into<String>) -> Review {
        Review {
            approve: false,
            reviewer: reviewer.into(),
            comment: None,
            request_hash: None,
        }
    }

    pub fn with_comment(mut self, comment: impl Into<String>) -> Review {
        self.comment = Some(comment.into());
        self
    }

    /// Binds the review to the request with this hash.
    pub fn for_hash(mut self, hash: impl ToString) -> Review {
        self.request_hash = Some(hash.to_string());
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
    /// The review came at or after the escalation's deadline.
    #[error("request {id} timed out at {at}, before this review; nothing was executed")]
    TimedOut { id: RequestId, at: Timestamp },
    #[error("reviewer: {reviewer} {problem}")]
    InvalidReviewer {
        reviewer: String,
        problem: TextProblem,
    },
    #[error("comment: {0}")]
    InvalidComment(TextProblem),
    #[error("request_hash: {} is not a request hash (64 hexadecimal digits)", crate::governance::names::quoted(.0))]
    InvalidHash(String),
    /// The request waiting is not the one the reviewer saw.
    #[error("request {id} does not match the hash the review was given: it was not reviewed as it is; nothing was executed")]
    HashMismatch { id: RequestId },
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
    /// Every request id used so far.
    used_ids: PartedMap<RequestId, ()>,
    /// When each escalation that timed out did: a review that comes too
    /// late is told when, without reading the audit trail, which a
    /// streaming replay does not keep.
    timed_out: PartedMap<RequestId, Timestamp>,
    /// Each interned action type's risk level under the configuration.
    risk_levels: Vec<RiskLevel>,
    triggers: TriggerState,
    /// When each reviewer approved, within the fatigue window, by the
    /// reviewer's number in `reviewers`.
    approvals: FastMap<u32, VecDeque<Timestamp>>,
    reviewers: Interner,
    /// One empty parameter map shared by every request without parameters,
    /// so none allocates its own.
    no_parameters: Arc<serde_json::Map<String, serde_json::Value>>,
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
            used_ids: PartedMap::default(),
            timed_out: PartedMap::default(),
            risk_levels: Vec::new(),
            triggers: TriggerState::default(),
            approvals: FastMap::default(),
            reviewers: Interner::default(),
            no_parameters: Arc::default(),
        };
        plane.install(plane.config.clone());
        Ok(plane)
    }

    // ---- commands ----

    /// Governs one request: validates it, judges it, executes or queues it,
    /// and records the decision.
    pub fn submit(&mut self, input: &RequestInput) -> Decision {
        self.decide(input, Cow::Borrowed(&input.parameters))
    }

    /// [`ControlPlane::submit`], taking the input by value so that its
    /// parameters are kept as they are instead of copied (when nothing in
    /// them is masked).
    pub fn submit_owned(&mut self, mut input: RequestInput) -> Decision {
        let parameters = std::mem::take(&mut input.parameters);
        self.decide(&input, Cow::Owned(parameters))
    }

    /// Governs `input`, whose parameters are `parameters` (its own field is
    /// not read).
    fn decide(&mut self, input: &RequestInput, parameters: Cow<'_, serde_json::Value>) -> Decision {
        self.advance();
        let (request, received) = self.receive(input, parameters);
        let mut decision = match received {
            Received::Valid => self.judge(&request),
            Received::Invalid(denial) => denial,
            Received::Duplicate => {
                let mut denial = Decision::new(
                    Verdict::Denied,
                    DecidedBy::Validation,
                    Reason::DuplicateRequestId,
                );
                self.stats.record_arrival(request.agent, &denial);
                self.audit.record_duplicate(self.now, request, &mut denial);
                return denial;
            }
        };
        let mut firing = None;
        match decision.verdict {
            Verdict::Approved => firing = self.execute(&request),
            Verdict::Escalated => {
                let on_timeout = match &decision.decided_by {
                    DecidedBy::Policy(name) => self
                        .config
                        .policy(name)
                        .map_or(TimeoutOutcome::Deny, |p| p.on_timeout),
                    _ => TimeoutOutcome::Deny,
                };
                let names = (
                    self.agents.name(request.agent.0).clone(),
                    self.actions.name(request.action.0).clone(),
                );
                self.escalations.push(PendingEscalation::new(
                    request.clone(),
                    decision.clone(),
                    self.now,
                    self.now.saturating_add(self.escalation_timeout),
                    on_timeout,
                    names,
                ))
            }
            Verdict::Denied | Verdict::RateLimited => {}
        }
        self.stats.record_arrival(request.agent, &decision);
        // A rejected agent id is no one agent: it cannot be halted.
        let valid_agent = **self.agents.name(request.agent.0) != *INVALID_NAME_MARKER;
        let violation = decision.verdict.is_refusal()
            && matches!(
                decision.decided_by,
                DecidedBy::Policy(_) | DecidedBy::Validation
            )
            && valid_agent;
        let leaked = request.detected.iter().any(|kind| kind.is_credential());
        let agent = request.agent;
        self.audit.record_decision(self.now, request, &mut decision);
        if violation {
            firing = firing.or(self.triggers.refused(
                &self.config.triggers.repeated_violations,
                agent,
                self.now,
            ));
        }
        if leaked && valid_agent {
            firing = firing.or(self.triggers.leaked(
                &self.config.triggers.credential_leaks,
                agent,
                self.now,
            ));
        }
        self.fire(firing);
        decision
    }

    /// Activates the kill switch a trigger asks for, unless what it would
    /// stop is stopped already.
    fn fire(&mut self, firing: Option<Firing>) {
        let Some(firing) = firing else { return };
        let stopped = match firing.agent {
            None => self.kill_switch.global().is_some(),
            Some(agent) => self.agent_halted_by(agent).is_some(),
        };
        if stopped {
            return;
        }
        let target = firing
            .agent
            .map(|agent| KillTarget::Agent(self.agent_name(agent).to_string()));
        let activated =
            self.activate_kill_switch_for(target.as_ref(), firing.actor, &firing.reason);
        debug_assert!(
            activated.is_ok(),
            "a trigger's activation is valid: {activated:?}"
        );
    }

    /// Applies a reviewer's decision to a waiting escalation. An approval is
    /// checked again at this moment against the kill switch and every policy
    /// that declares it must be re-checked (budgets, blocked lists): a refusal
    /// in force now denies it, naming the policy and the reason.
    pub fn resolve(&mut self, id: RequestId, review: &Review) -> Result<Decision, ResolveError> {
        self.advance();
        let reviewer =
            canonical_name(&review.reviewer).map_err(|problem| ResolveError::InvalidReviewer {
                reviewer: quoted(&review.reviewer),
                problem,
            })?;
        let comment = match &review.comment {
            Some(comment) => {
                clean_text(comment, MAX_COMMENT_LEN, true).map_err(ResolveError::InvalidComment)?
            }
            None => "",
        };
        let expected = match &review.request_hash {
            Some(text) => Some(
                RequestHash::parse(text)
                    .ok_or_else(|| ResolveError::InvalidHash(text.chars().take(80).collect()))?,
            ),
            None => None,
        };
        if let Some(pending) = self.escalations.get(id) {
            if expected.is_some_and(|hash| hash != pending.hash()) {
                return Err(ResolveError::HashMismatch { id });
            }
        }
        let Some(pending) = self.escalations.remove(id) else {
            return Err(self.not_pending(id));
        };
        let reviewer: Arc<str> = Arc::from(reviewer);
        if review.approve {
            let window = Millis::from_secs(self.config.approval_fatigue.window_secs);
            let who = self.reviewers.intern(&reviewer);
            let times = self.approvals.entry(who).or_default();
            while times
                .front()
                .is_some_and(|&t| t.saturating_add(window) <= self.now)
            {
                times.pop_front();
            }
            times.push_back(self.now);
        }
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
        let firing = if decision.verdict == Verdict::Approved {
            self.execute(&pending.request)
        } else {
            None
        };
        let comment = (!comment.is_empty()).then(|| Arc::from(comment));
        self.finish(pending, decision.clone(), Some(reviewer), comment, self.now);
        self.fire(firing);
        Ok(decision)
    }

    /// When `id`'s escalation timed out, if it did.
    pub fn timed_out_at(&self, id: RequestId) -> Option<Timestamp> {
        self.timed_out.get(&id).copied()
    }

    /// Why `id` cannot be reviewed: unknown, timed out (and when), or
    /// otherwise not waiting.
    fn not_pending(&self, id: RequestId) -> ResolveError {
        if !self.used_ids.contains_key(&id) {
            return ResolveError::UnknownRequest(id);
        }
        match self.timed_out.get(&id) {
            Some(&at) => ResolveError::TimedOut { id, at },
            None => ResolveError::NotPending(id),
        }
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
        self.activate_kill_switch_for(None, actor, reason)
    }

    pub fn deactivate_kill_switch(&mut self, actor: &str) -> Result<(), KillSwitchError> {
        self.deactivate_kill_switch_for(None, actor)
    }

    /// Activates the kill switch for `target` (global when `None`): from now
    /// on every request it covers is denied, and the waiting escalations it
    /// covers are denied at once; others are untouched.
    pub fn activate_kill_switch_for(
        &mut self,
        target: Option<&KillTarget>,
        actor: &str,
        reason: &str,
    ) -> Result<(), KillSwitchError> {
        self.advance();
        self.activate_now(target, actor, reason)
    }

    /// Activation at the control plane's present time, without moving it.
    fn activate_now(
        &mut self,
        target: Option<&KillTarget>,
        actor: &str,
        reason: &str,
    ) -> Result<(), KillSwitchError> {
        let (scope, target) = self.kill_scope(target)?;
        let label = target.as_ref().map(ToString::to_string).unwrap_or_default();
        let activation = self
            .kill_switch
            .activate(scope, &label, actor, reason, self.now)?
            .clone();
        self.audit.record_event(
            self.now,
            AuditEvent::KillSwitchActivated {
                actor: activation.actor,
                reason: activation.reason,
                target,
            },
        );
        let covered = self.escalations.drain_scope(scope);
        for pending in covered {
            let decision = Decision::new(
                Verdict::Denied,
                DecidedBy::KillSwitch,
                Reason::KillSwitchActivatedWhilePending,
            );
            self.finish(pending, decision, None, None, self.now);
        }
        Ok(())
    }

    pub fn deactivate_kill_switch_for(
        &mut self,
        target: Option<&KillTarget>,
        actor: &str,
    ) -> Result<(), KillSwitchError> {
        self.advance();
        let (scope, target) = self.kill_scope(target)?;
        let label = target.as_ref().map(ToString::to_string).unwrap_or_default();
        let (actor, _) = self.kill_switch.deactivate(scope, &label, actor)?;
        self.audit.record_event(
            self.now,
            AuditEvent::KillSwitchDeactivated {
                actor: actor.name().clone(),
                target,
            },
        );
        Ok(())
    }

    /// The scope a target names, with the target in canonical spelling.
    fn kill_scope(
        &mut self,
        target: Option<&KillTarget>,
    ) -> Result<(KillScope, Option<KillTarget>), KillSwitchError> {
        let invalid = |name: &str, problem| KillSwitchError::InvalidScope {
            name: quoted(name),
            problem,
        };
        Ok(match target {
            None => (KillScope::Global, None),
            Some(KillTarget::Agent(name)) => {
                let name = canonical_name(name).map_err(|p| invalid(name, p))?;
                let agent = AgentId(self.agents.intern(name));
                (
                    KillScope::Agent(agent),
                    Some(KillTarget::Agent(name.to_owned())),
                )
            }
            Some(KillTarget::ActionType(name)) => {
                let name = canonical_action_type(name).map_err(|p| invalid(name, p))?;
                let action = ActionType(self.actions.intern(&name));
                (
                    KillScope::ActionType(action),
                    Some(KillTarget::ActionType(name.into_owned())),
                )
            }
        })
    }

    /// Approvals `reviewer` gave within the approval-fatigue window, and
    /// whether that is above the threshold the console warns at.
    pub fn approvals_by(&self, reviewer: &str) -> (u32, bool) {
        let fatigue = &self.config.approval_fatigue;
        let window = Millis::from_secs(fatigue.window_secs);
        let times = self
            .reviewers
            .get(reviewer.trim())
            .and_then(|who| self.approvals.get(&who));
        let count = times.map_or(0, |times| {
            times
                .iter()
                .filter(|&&t| t.saturating_add(window) > self.now)
                .count() as u32
        });
        (count, count > fatigue.warn_above)
    }

    /// Every enabled budget tier's usage against its limit, in priority
    /// order; a per-agent tier shows its top spender, or `agent`'s spend.
    pub fn budget_usage(&self, agent: Option<AgentId>) -> Vec<TierUsage> {
        let context = self.context();
        self.policies
            .budgets()
            .map(|(policy, rule)| {
                let (whose, spent) = match (rule.scope, agent) {
                    (BudgetScope::Agent, Some(agent)) => {
                        (Some(agent), rule.spent(agent, &policy.covers, &context))
                    }
                    (BudgetScope::Agent, None) => self
                        .agents()
                        .map(|a| (Some(a), rule.spent(a, &policy.covers, &context)))
                        .max_by_key(|(_, spent)| *spent)
                        .unwrap_or((None, Money::ZERO)),
                    (_, _) => (None, rule.spent(AgentId(0), &policy.covers, &context)),
                };
                let limit = whose.map_or(rule.default, |a| rule.limit_for(a));
                TierUsage {
                    policy: policy.name.clone(),
                    scope: rule.scope,
                    window: rule.window,
                    limit: limit.limit,
                    threshold: limit.threshold,
                    agent: whose.map(|a| self.agent_name(a).clone()),
                    spent,
                    resets_at: rule.resets_at(self.now),
                }
            })
            .collect()
    }

    /// Refusals of `agent` the repeated-violations trigger counts now.
    pub fn violations_of(&self, agent: AgentId) -> u32 {
        self.triggers
            .refusals_of(&self.config.triggers.repeated_violations, agent, self.now)
    }

    /// Requests of `agent` carrying credentials within the credential-leaks
    /// trigger's window now.
    pub fn leaks_of(&self, agent: AgentId) -> u32 {
        self.triggers
            .leaks_of(&self.config.triggers.credential_leaks, agent, self.now)
    }

    /// Recent spend against the anomaly trigger's threshold, for `agent` or
    /// everyone.
    pub fn spend_anomaly_reading(&self, agent: Option<AgentId>) -> AnomalyReading {
        self.triggers
            .reading(&self.config.triggers.spend_anomaly, agent, self.now)
    }

    /// How an operator names an active kill switch's scope.
    pub fn kill_target(&self, scope: KillScope) -> Option<KillTarget> {
        match scope {
            KillScope::Global => None,
            KillScope::Agent(agent) => Some(KillTarget::Agent(self.agent_name(agent).to_string())),
            KillScope::ActionType(action) => {
                Some(KillTarget::ActionType(self.action_name(action).to_string()))
            }
        }
    }

    /// Replaces the configuration, whole, if it validates; the next request is
    /// judged by it. Escalations already waiting keep their deadlines.
    pub fn apply_config(
        &mut self,
        config: GovernanceConfig,
        actor: &str,
    ) -> Result<(), ConfigError> {
        self.advance();
        let actor = canonical_name(actor)
            .map_err(|problem| ConfigError::invalid(FieldPath::Actor, quoted(actor), problem))?;
        config.validate()?;
        if config == *self.config {
            return Ok(());
        }
        let before = self.config.clone();
        let after = Arc::new(config);
        self.install(after.clone());
        self.audit.record_event(
            self.now,
            AuditEvent::ConfigChanged {
                actor: Arc::from(actor),
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

    /// The global kill switch, if active.
    pub fn kill_switch(&self) -> Option<&Activation> {
        self.kill_switch.global()
    }

    /// Every active kill switch, global first.
    pub fn kill_switches(&self) -> Vec<&Activation> {
        self.kill_switch.all().collect()
    }

    /// The active kill switch that stops `agent`, if any (global or its own).
    pub fn agent_halted_by(&self, agent: AgentId) -> Option<&Activation> {
        self.kill_switch
            .global()
            .or_else(|| self.kill_switch.get(KillScope::Agent(agent)))
    }

    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    /// The bytes of the set of used request ids and of the timeouts' times,
    /// unused room included: with the audit trail's
    /// [`AuditLog::footprint`], what the plane keeps for every request it
    /// has seen.
    pub fn used_ids_footprint(&self) -> usize {
        // One entry and one control byte per bucket.
        self.used_ids.capacity() * (std::mem::size_of::<RequestId>() + 1)
            + self.timed_out.capacity() * (std::mem::size_of::<(RequestId, Timestamp)>() + 1)
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
            limit: budget.map(|b| b.default.limit),
            threshold: budget.map(|b| b.default.threshold),
            remaining: budget.map(|b| b.default.limit.saturating_sub(total)),
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
    pub fn refusals(&self, agent: Option<&str>) -> Box<dyn Iterator<Item = AuditRecord> + '_> {
        match agent {
            None => Box::new(self.audit.refusals(None)),
            Some(name) => match self.agent_id(name) {
                Some(id) => Box::new(self.audit.refusals(Some(id))),
                None => Box::new(std::iter::empty()),
            },
        }
    }

    /// Hands each audit record held, oldest first, to `each` in its export
    /// form, then forgets them: decisions, counts and statistics are not
    /// affected, but queries of the trail see only what is recorded from
    /// then on. What a long replay does after every line, so its memory
    /// does not grow with its trail. If `each` fails, nothing is forgotten.
    pub fn drain_audit<E>(
        &mut self,
        mut each: impl FnMut(AuditLine) -> Result<(), E>,
    ) -> Result<(), E> {
        for record in self.audit.records() {
            each(self.audit_line(&record))?;
        }
        self.audit.forget();
        Ok(())
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
        let target = self.now.max(self.clock.now());
        // Time moves through each deadline in turn, so what a timeout does
        // (an allowed action, a trigger it fires) happens at its deadline.
        while let Some(pending) = self.escalations.pop_expired(target) {
            self.now = self.now.max(pending.deadline);
            let waited = pending.escalated_at.until(pending.deadline);
            let (decision, firing) = match pending.on_timeout {
                TimeoutOutcome::Deny => (
                    Decision::new(
                        Verdict::Denied,
                        DecidedBy::EscalationTimeout,
                        Reason::EscalationTimedOut { waited },
                    ),
                    None,
                ),
                // Silence approves, after the same re-check as a reviewer's
                // approval.
                TimeoutOutcome::Allow => match self.recheck_approval(&pending.request) {
                    Some(refusal) => (refusal, None),
                    None => {
                        let firing = self.execute(&pending.request);
                        let allowed = Decision::new(
                            Verdict::Approved,
                            DecidedBy::EscalationTimeout,
                            Reason::AllowedAtTimeout { waited },
                        );
                        (allowed, firing)
                    }
                },
            };
            let at = self.now;
            self.timed_out.insert(pending.request.id, at);
            self.finish(pending, decision, None, None, at);
            self.fire(firing);
        }
        self.now = target;
    }

    fn install(&mut self, config: Arc<GovernanceConfig>) {
        // Levels under the new risk settings, then the policies over them,
        // then the levels of types the policies named for the first time.
        self.risk_levels = (0..self.actions.len() as u32)
            .map(|i| config.risk.level_of(self.actions.name(i)).0)
            .collect();
        self.policies = PolicySet::compile(
            &config,
            &mut self.agents,
            &mut self.actions,
            &self.risk_levels,
        );
        self.config = config.clone();
        self.sync_risk_levels();
        self.escalation_timeout = Millis::from_secs_f64(config.escalation_timeout_secs);
        for needs in self.policies.state_needs() {
            if let Some(window) = needs.rate_window {
                self.rates.retain_at_least(window);
            }
            if let Some(window) = needs.spend_window {
                self.spend.use_window(window, self.now);
            }
        }
        self.config = config;
    }

    /// Validates and interns an input. Returns the request as received and
    /// what validation found. A rejected agent id or action type is never
    /// interned: the request is filed under [`INVALID_NAME_MARKER`] and the
    /// reason carries the rejected name's fingerprint.
    fn receive(
        &mut self,
        input: &RequestInput,
        given: Cow<'_, serde_json::Value>,
    ) -> (Request, Received) {
        let agent_name = canonical_name(&input.agent);
        let action_name = canonical_action_type(&input.action);
        let agent = AgentId(
            self.agents
                .intern(agent_name.as_deref().unwrap_or(INVALID_NAME_MARKER)),
        );
        let action = ActionType(
            self.actions
                .intern(action_name.as_deref().unwrap_or(INVALID_NAME_MARKER)),
        );
        self.sync_risk_levels();
        let risk = self.risk_levels[action.index()];
        let depth = nesting_depth(&given);
        let is_object = given.is_object();
        // Secrets are masked before anything keeps the parameters.
        let (parameters, detected) = match &*given {
            serde_json::Value::Object(map) if map.is_empty() => {
                (self.no_parameters.clone(), DataKinds::EMPTY)
            }
            serde_json::Value::Object(map) if depth <= MAX_PARAMETER_DEPTH => {
                let detected = detectors::scan(map);
                if detected.is_empty() {
                    let map = match given {
                        Cow::Owned(serde_json::Value::Object(map)) => map,
                        _ => map.clone(),
                    };
                    (Arc::new(map), detected)
                } else {
                    let (masked, detected) = detectors::mask(map);
                    (Arc::new(masked), detected)
                }
            }
            _ => (self.no_parameters.clone(), DataKinds::EMPTY),
        };
        let cost = Money::from_f64(input.cost);
        let request = Request {
            id: input.id,
            agent,
            action,
            risk,
            detected,
            parameters,
            cost: *cost.as_ref().unwrap_or(&Money::ZERO),
            received_at: self.now,
        };
        // A reused id is refused before anything else, so a submission can
        // never add a record under an id that belongs to another request.
        if !self.used_ids.insert_new(input.id, ()) {
            return (request, Received::Duplicate);
        }
        let invalid_name = |field, name: &str, problem: TextProblem| Reason::InvalidField {
            field,
            problem: FieldProblem::Name(problem),
            fingerprint: (problem != TextProblem::Empty).then(|| fingerprint(name)),
        };
        let reason = if let Err(problem) = agent_name {
            Some(invalid_name(RequestField::AgentId, &input.agent, problem))
        } else if let Err(problem) = action_name {
            Some(invalid_name(
                RequestField::ActionType,
                &input.action,
                problem,
            ))
        } else if !is_object {
            Some(Reason::InvalidField {
                field: RequestField::Parameters,
                problem: FieldProblem::NotAnObject,
                fingerprint: None,
            })
        } else if depth > MAX_PARAMETER_DEPTH {
            Some(Reason::InvalidField {
                field: RequestField::Parameters,
                problem: FieldProblem::TooDeep {
                    depth,
                    max: MAX_PARAMETER_DEPTH,
                },
                fingerprint: None,
            })
        } else if let Err(error) = cost {
            Some(Reason::InvalidCost {
                value: Submitted(input.cost),
                problem: error.problem(),
            })
        } else {
            None
        };
        let received = match reason {
            Some(reason) => Received::Invalid(Decision::new(
                Verdict::Denied,
                DecidedBy::Validation,
                reason,
            )),
            None => Received::Valid,
        };
        (request, received)
    }

    /// Gives action types interned since the last call their risk level, and
    /// the policies that cover that level.
    fn sync_risk_levels(&mut self) {
        for index in self.risk_levels.len()..self.actions.len() {
            let action = ActionType(index as u32);
            let level = self.config.risk.level_of(self.actions.name(action.0)).0;
            self.risk_levels.push(level);
            self.policies.note_action(action, level);
        }
    }

    /// An action type's risk level and where it came from.
    pub fn risk_of(&self, action: ActionType) -> (RiskLevel, RiskSource) {
        self.config.risk.level_of(self.actions.name(action.0))
    }

    fn context(&self) -> PolicyContext<'_> {
        PolicyContext {
            now: self.now,
            spend: &self.spend,
            rates: &self.rates,
            agents: &self.agents,
        }
    }

    fn judge(&self, request: &Request) -> Decision {
        if let Some(activation) = self.kill_switch.covering(request.agent, request.action) {
            return Decision::new(
                Verdict::Denied,
                DecidedBy::KillSwitch,
                Reason::KillSwitchActive {
                    reason: activation.reason.clone(),
                    target: self.kill_target(activation.scope).map(Box::new),
                },
            );
        }
        self.policies
            .evaluate(request, &self.context(), self.config.conflict_strategy)
    }

    /// What stops a reviewer's approval from executing now, if anything: the
    /// kill switch, or a refusal from a policy that must be re-checked.
    fn recheck_approval(&self, request: &Request) -> Option<Decision> {
        if self
            .kill_switch
            .covering(request.agent, request.action)
            .is_some()
        {
            return Some(Decision::new(
                Verdict::Denied,
                DecidedBy::KillSwitch,
                Reason::ApprovalDuringKillSwitch,
            ));
        }
        self.policies
            .recheck_approval(request, &self.context())
            .map(|overrule| {
                Decision::new(
                    Verdict::Denied,
                    DecidedBy::Policy(overrule.policy),
                    Reason::ApprovalOverruled {
                        refusal: Box::new(overrule.finding.reason),
                    },
                )
            })
    }

    /// Records an execution; `Some` when it makes a trigger fire.
    fn execute(&mut self, request: &Request) -> Option<Firing> {
        debug_assert!(
            self.kill_switch
                .covering(request.agent, request.action)
                .is_none(),
            "nothing executes while killed"
        );
        self.spend
            .record(request.agent, request.action, request.cost, self.now);
        self.rates.record(request.agent, request.action, self.now);
        self.triggers.executed(
            &self.config.triggers.spend_anomaly,
            request.agent,
            request.cost,
            self.now,
        )
    }

    fn finish(
        &mut self,
        pending: PendingEscalation,
        mut decision: Decision,
        reviewer: Option<Arc<str>>,
        comment: Option<Arc<str>>,
        at: Timestamp,
    ) {
        self.stats.record_resolution(
            pending.request.agent,
            &decision,
            pending.escalated_at.until(at),
        );
        self.audit
            .record_resolution(at, pending.request, &mut decision, reviewer, comment);
    }
}

/// One budget tier's usage, for the console.
#[derive(Clone, Debug, PartialEq)]
pub struct TierUsage {
    pub policy: Arc<str>,
    pub scope: BudgetScope,
    pub window: Option<Millis>,
    pub limit: Money,
    pub threshold: Money,
    /// Whose spend `spent` is, for a per-agent tier.
    pub agent: Option<Arc<str>>,
    /// Zero for a per-action cap, which has no running spend.
    pub spent: Money,
    pub resets_at: Option<Timestamp>,
}

/// What validation found in a submission.
enum Received {
    Valid,
    /// Malformed: denied, and filed under its (fresh) id.
    Invalid(Decision),
    /// Reuses an earlier request's id.
    Duplicate,
}

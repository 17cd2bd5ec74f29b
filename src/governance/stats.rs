//! Aggregates kept as decisions happen, so reports cost O(agents), not
//! O(history).

use super::decision::{DecidedBy, Decision, Reason, Verdict};
use super::ids::AgentId;
use super::money::Money;
use super::time::Millis;
use serde::Serialize;
use std::sync::Arc;

/// What one agent has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AgentStats {
    /// Requests submitted.
    pub requests: u64,
    /// Actions executed (approved on arrival or by a reviewer).
    pub executed: u64,
    /// Final refusals: denied or rate limited, on arrival or after review.
    pub refused: u64,
    pub escalated: u64,
    /// The agent's latest decision or resolution.
    pub last_verdict: Option<Verdict>,
}

/// How escalations have fared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EscalationStats {
    pub pending: usize,
    pub escalated: u64,
    pub approved: u64,
    pub denied_by_reviewer: u64,
    /// Approved by a reviewer, then denied by the re-check (a refusal in force
    /// at that moment, or the kill switch).
    pub approvals_overruled: u64,
    pub timed_out: u64,
    pub cancelled_by_kill_switch: u64,
    /// Summed time from escalation to resolution, over resolved items.
    pub total_wait: Millis,
}

impl EscalationStats {
    pub fn resolved(&self) -> u64 {
        self.approved
            + self.denied_by_reviewer
            + self.approvals_overruled
            + self.timed_out
            + self.cancelled_by_kill_switch
    }

    pub fn mean_wait(&self) -> Option<Millis> {
        let resolved = self.resolved();
        (resolved > 0).then(|| Millis(self.total_wait.0 / resolved))
    }
}

/// One agent's line in the spending report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgentSpend {
    pub agent: Arc<str>,
    pub spent: Money,
    pub executed: u64,
}

/// Spend against the budget in force.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpendingReport {
    pub total: Money,
    /// The highest-priority enabled budget's limit; `None` without a budget.
    pub limit: Option<Money>,
    pub threshold: Option<Money>,
    pub remaining: Option<Money>,
    pub per_agent: Vec<AgentSpend>,
}

/// Final outcome counts by verdict, and escalations raised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerdictCounts([u64; 4]);

impl VerdictCounts {
    pub fn get(&self, verdict: Verdict) -> u64 {
        self.0[verdict.index()]
    }

    pub(crate) fn add(&mut self, verdict: Verdict) {
        self.0[verdict.index()] += 1;
    }
}

/// Every aggregate the control plane keeps.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub agents: Vec<AgentStats>,
    pub escalations: EscalationStats,
    pub verdicts: VerdictCounts,
}

impl Stats {
    pub fn agent(&self, agent: AgentId) -> AgentStats {
        self.agents.get(agent.index()).copied().unwrap_or_default()
    }

    fn agent_mut(&mut self, agent: AgentId) -> &mut AgentStats {
        if self.agents.len() <= agent.index() {
            self.agents.resize(agent.index() + 1, AgentStats::default());
        }
        &mut self.agents[agent.index()]
    }

    pub(crate) fn record_arrival(&mut self, agent: AgentId, decision: &Decision) {
        self.agent_mut(agent).requests += 1;
        self.record_outcome(agent, decision.verdict);
        if decision.verdict == Verdict::Escalated {
            self.escalations.escalated += 1;
        }
    }

    pub(crate) fn record_resolution(
        &mut self,
        agent: AgentId,
        decision: &Decision,
        waited: Millis,
    ) {
        self.record_outcome(agent, decision.verdict);
        let escalations = &mut self.escalations;
        escalations.total_wait = Millis(escalations.total_wait.0 + waited.0);
        match (&decision.decided_by, &decision.reason) {
            (_, Reason::ApprovedByReviewer) => escalations.approved += 1,
            (_, Reason::DeniedByReviewer) => escalations.denied_by_reviewer += 1,
            (DecidedBy::EscalationTimeout, _) => escalations.timed_out += 1,
            (_, Reason::KillSwitchActivatedWhilePending) => {
                escalations.cancelled_by_kill_switch += 1
            }
            _ => escalations.approvals_overruled += 1,
        }
    }

    fn record_outcome(&mut self, agent: AgentId, verdict: Verdict) {
        self.verdicts.add(verdict);
        let stats = self.agent_mut(agent);
        stats.last_verdict = Some(verdict);
        match verdict {
            Verdict::Approved => stats.executed += 1,
            Verdict::Escalated => stats.escalated += 1,
            Verdict::Denied | Verdict::RateLimited => stats.refused += 1,
        }
    }
}

//! The audit trail: every decision, resolution, configuration change and
//! kill-switch action, in the order it happened.
//!
//! Invariants: records are only appended, never changed or dropped; sequence
//! numbers are consecutive from zero and timestamps never decrease; every
//! request id has exactly one *final* record (a non-escalated decision, or the
//! resolution of its escalation), and an escalation and its resolution carry
//! the same request id. A submission that reuses an id is recorded as a
//! [`AuditEvent::DuplicateRejected`]: it names the id it reused, but it is not
//! a record *of* that id, so it can neither be read as the original's outcome
//! nor add a second final record to it.
//!
//! Records hold interned ids; [`AuditLine`] is the canonical, self-contained
//! form with names spelled out, used for JSON Lines export.

use super::config::GovernanceConfig;
use super::decision::{Decision, Verdict};
use super::ids::{AgentId, Interner, RequestId};
use super::kill_switch::KillTarget;
use super::request::{Parameters, Request};
use super::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq)]
pub enum AuditEvent {
    /// The control plane's decision on a request when it arrived.
    Decision {
        request: Request,
        decision: Decision,
    },
    /// The final outcome of an escalated request: a reviewer's decision (as
    /// executed or overruled by the re-check), a timeout, or the kill switch.
    Resolution {
        request: Request,
        decision: Decision,
        /// The reviewer who acted, also when the re-check overruled an approval.
        reviewer: Option<Arc<str>>,
        comment: Option<Arc<str>>,
    },
    /// A submission that reused the id of an earlier request, refused by
    /// validation. `request.id` is the reused id; the record belongs to no
    /// request of its own.
    DuplicateRejected {
        request: Request,
        decision: Decision,
    },
    ConfigChanged {
        actor: Arc<str>,
        before: Arc<GovernanceConfig>,
        after: Arc<GovernanceConfig>,
    },
    KillSwitchActivated {
        actor: Arc<str>,
        reason: Arc<str>,
        /// `None` for the global kill switch.
        target: Option<KillTarget>,
    },
    KillSwitchDeactivated {
        actor: Arc<str>,
        target: Option<KillTarget>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct AuditRecord {
    pub seq: u64,
    pub at: Timestamp,
    pub event: AuditEvent,
}

impl AuditRecord {
    /// The request this record is about: decisions and resolutions. A
    /// rejected duplicate is about no request of its own.
    pub fn request(&self) -> Option<&Request> {
        match &self.event {
            AuditEvent::Decision { request, .. } | AuditEvent::Resolution { request, .. } => {
                Some(request)
            }
            _ => None,
        }
    }

    /// What an agent submitted: the request of a decision or resolution, or
    /// the rejected duplicate.
    pub fn submission(&self) -> Option<&Request> {
        match &self.event {
            AuditEvent::DuplicateRejected { request, .. } => Some(request),
            _ => self.request(),
        }
    }

    pub fn decision(&self) -> Option<&Decision> {
        match &self.event {
            AuditEvent::Decision { decision, .. }
            | AuditEvent::Resolution { decision, .. }
            | AuditEvent::DuplicateRejected { decision, .. } => Some(decision),
            _ => None,
        }
    }

    /// Whether this record is the final outcome of a request.
    pub fn is_final_outcome(&self) -> bool {
        self.request().is_some() && self.decision().is_some_and(Decision::is_final)
    }

    /// Whether this record refuses a submission: a final denial or rate
    /// limit, or a rejected duplicate.
    pub fn is_refusal(&self) -> bool {
        self.decision().is_some_and(|d| d.verdict.is_refusal())
    }

    /// Whether the action this record decides was executed.
    pub fn executed(&self) -> bool {
        self.decision()
            .is_some_and(|d| d.verdict == Verdict::Approved)
    }

    pub fn kind(&self) -> &'static str {
        match self.event {
            AuditEvent::Decision { .. } => "decision",
            AuditEvent::Resolution { .. } => "resolution",
            AuditEvent::DuplicateRejected { .. } => "duplicate_rejected",
            AuditEvent::ConfigChanged { .. } => "config_changed",
            AuditEvent::KillSwitchActivated { .. } => "kill_switch_activated",
            AuditEvent::KillSwitchDeactivated { .. } => "kill_switch_deactivated",
        }
    }
}

/// The append-only trail, with indexes of refusals (all, and per agent) for
/// the denied-actions query, so it costs what it returns, not the history.
#[derive(Clone, Debug, Default)]
pub struct AuditLog {
    records: Vec<AuditRecord>,
    refusals: Vec<u32>,
    /// Refusals by interned agent id.
    refusals_by_agent: Vec<Vec<u32>>,
    resolutions: Vec<u32>,
}

impl AuditLog {
    pub(crate) fn append(&mut self, at: Timestamp, event: AuditEvent) -> &AuditRecord {
        let seq = self.records.len() as u64;
        let record = AuditRecord { seq, at, event };
        if record.is_refusal() {
            self.refusals.push(seq as u32);
            if let Some(request) = record.submission() {
                let agent = request.agent.0 as usize;
                if self.refusals_by_agent.len() <= agent {
                    self.refusals_by_agent.resize_with(agent + 1, Vec::new);
                }
                self.refusals_by_agent[agent].push(seq as u32);
            }
        }
        if let AuditEvent::Resolution { .. } = record.event {
            self.resolutions.push(seq as u32);
        }
        self.records.push(record);
        &self.records[seq as usize]
    }

    pub fn records(&self) -> &[AuditRecord] {
        &self.records
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Records that refused a submission (final denials and rate limits,
    /// rejected duplicates), optionally for one agent, oldest first.
    pub fn refusals(&self, agent: Option<AgentId>) -> impl Iterator<Item = &AuditRecord> {
        let seqs: &[u32] = match agent {
            None => &self.refusals,
            Some(agent) => self
                .refusals_by_agent
                .get(agent.0 as usize)
                .map_or(&[], Vec::as_slice),
        };
        seqs.iter().map(|&seq| &self.records[seq as usize])
    }

    /// How many final outcomes refused the action.
    pub fn refusal_count(&self) -> usize {
        self.refusals.len()
    }

    /// Resolutions of escalations, newest first.
    pub fn latest_resolutions(&self) -> impl Iterator<Item = &AuditRecord> {
        self.resolutions
            .iter()
            .rev()
            .map(|&seq| &self.records[seq as usize])
    }

    /// Every record about one request, oldest first.
    pub fn of_request(&self, id: RequestId) -> impl Iterator<Item = &AuditRecord> {
        self.records
            .iter()
            .filter(move |record| record.request().is_some_and(|r| r.id == id))
    }
}

/// One audit record with every name spelled out: the export format (one JSON
/// object per line). Fields that do not apply to a record's kind are omitted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditLine {
    pub seq: u64,
    pub timestamp_ms: u64,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_id: Option<RequestId>,
    /// On a `duplicate_rejected` record: the id the submission reused, which
    /// belongs to an earlier request.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reused_request_id: Option<RequestId>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub action_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cost: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parameters: Option<Parameters>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub verdict: Option<Verdict>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub is_final: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reviewer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub actor: Option<String>,
    /// On kill-switch records: what it stops; absent for the global one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub scope: Option<KillTarget>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config_before: Option<GovernanceConfig>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config_after: Option<GovernanceConfig>,
}

impl AuditLine {
    pub fn from_record(record: &AuditRecord, agents: &Interner, actions: &Interner) -> AuditLine {
        let mut line = AuditLine {
            seq: record.seq,
            timestamp_ms: record.at.millis(),
            kind: record.kind().to_owned(),
            request_id: None,
            reused_request_id: None,
            agent: None,
            action_type: None,
            cost: None,
            parameters: None,
            verdict: None,
            is_final: None,
            policy: None,
            reason_code: None,
            reason: None,
            reviewer: None,
            comment: None,
            actor: None,
            scope: None,
            config_before: None,
            config_after: None,
        };
        if let (Some(request), Some(decision)) = (record.submission(), record.decision()) {
            if record.request().is_some() {
                line.request_id = Some(request.id);
                line.is_final = Some(decision.is_final());
            } else {
                line.reused_request_id = Some(request.id);
            }
            line.agent = Some(agents.name(request.agent.0).to_string());
            line.action_type = Some(actions.name(request.action.0).to_string());
            line.cost = Some(request.cost.as_f64());
            line.parameters = Some(request.parameters.clone());
            line.verdict = Some(decision.verdict);
            line.policy = Some(decision.decided_by.policy_name().to_owned());
            line.reason_code = Some(decision.reason.code().to_owned());
            line.reason = Some(decision.reason.to_string());
        }
        match &record.event {
            AuditEvent::Resolution {
                reviewer, comment, ..
            } => {
                line.reviewer = reviewer.as_deref().map(str::to_owned);
                line.comment = comment.as_deref().map(str::to_owned);
            }
            AuditEvent::ConfigChanged {
                actor,
                before,
                after,
            } => {
                line.actor = Some(actor.to_string());
                line.config_before = Some((**before).clone());
                line.config_after = Some((**after).clone());
            }
            AuditEvent::KillSwitchActivated {
                actor,
                reason,
                target,
            } => {
                line.actor = Some(actor.to_string());
                line.reason = Some(reason.to_string());
                line.scope = target.clone();
            }
            AuditEvent::KillSwitchDeactivated { actor, target } => {
                line.actor = Some(actor.to_string());
                line.scope = target.clone();
            }
            AuditEvent::Decision { .. } | AuditEvent::DuplicateRejected { .. } => {}
        }
        line
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an audit line always serialises")
    }
}

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
use super::fast_hash::FastMap;
use super::ids::{ActionType, AgentId, Interner, RequestId};
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

mod parameters;
mod rows;

use parameters::ParameterStore;
use rows::{Row, Rows};

/// What a stored record is, in one byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Decision,
    Resolution,
    DuplicateRejected,
    /// Any other event: kept whole in `AuditLog::events`.
    Other,
}

/// Decision templates kept across [`AuditLog::forget`] at most.
const MAX_KEPT_TEMPLATES: usize = 4_096;

/// Who resolved an escalation and what they wrote, kept only for the
/// resolutions that have either: a timeout has neither, and in a busy fleet
/// most resolutions are timeouts.
#[derive(Clone, Debug)]
struct Remark {
    /// The resolution's place in [`AuditLog::resolutions`].
    resolution: u32,
    reviewer: Option<Arc<str>>,
    comment: Option<Arc<str>>,
}

/// The append-only trail, stored compactly (64 bytes a record, plus each
/// distinct decision once and each request's parameters shared with the
/// request), with indexes of refusals (all, and per agent) and resolutions,
/// so those queries cost what they return, not the history.
///
/// Records are handed out as [`AuditRecord`] values, built on demand.
#[derive(Clone, Debug, Default)]
pub struct AuditLog {
    /// One row a record: the request's own fields, the decision's template
    /// (its verdict, who decided and the reason without its figure, stored
    /// once in `decisions` however often it repeats) and the figure. A record
    /// that is not about a request keeps its event whole in `events`.
    rows: Rows,
    /// Each distinct decision template, and its index.
    decisions: Vec<Decision>,
    decision_index: FastMap<Decision, u32>,
    parameters: ParameterStore,
    /// Events that are not about a request, and their positions.
    events: Vec<AuditEvent>,
    event_seqs: Vec<u32>,
    refusals: Vec<u32>,
    /// Refusals by interned agent id.
    refusals_by_agent: Vec<Vec<u32>>,
    /// Positions of resolutions, ascending; beside them, when each resolved
    /// request was received (its row holds the resolution's time), and the
    /// reviewers and comments of those that have them, by resolution. Kept
    /// apart, a timeout costs 12 bytes here instead of 44 (a note of its
    /// receipt, reviewer and comment each): with a few hundred thousand
    /// escalations timing out, the notes' vector grew to tens of megabytes,
    /// and copying it to grow made the slowest slice of the simulation.
    resolutions: Vec<u32>,
    received: Vec<Timestamp>,
    remarks: Vec<Remark>,
    /// How many records were handed out and forgotten (see
    /// [`AuditLog::forget`]): the position of the oldest record held.
    /// Positions inside the log (rows, indexes) count from here.
    base: usize,
}

impl AuditLog {
    /// Records a decision on a request when it arrived.
    pub(crate) fn record_decision(
        &mut self,
        at: Timestamp,
        request: Request,
        decision: &mut Decision,
    ) {
        self.push_request(at, Kind::Decision, request, decision);
    }

    /// Records a submission refused for reusing `request.id`.
    pub(crate) fn record_duplicate(
        &mut self,
        at: Timestamp,
        request: Request,
        decision: &mut Decision,
    ) {
        self.push_request(at, Kind::DuplicateRejected, request, decision);
    }

    /// Records the final outcome of an escalated request.
    pub(crate) fn record_resolution(
        &mut self,
        at: Timestamp,
        request: Request,
        decision: &mut Decision,
        reviewer: Option<Arc<str>>,
        comment: Option<Arc<str>>,
    ) {
        let resolution =
            u32::try_from(self.resolutions.len()).expect("fewer than 2^32 resolutions held");
        self.resolutions.push(self.next_seq());
        self.received.push(request.received_at);
        if reviewer.is_some() || comment.is_some() {
            self.remarks.push(Remark {
                resolution,
                reviewer,
                comment,
            });
        }
        self.push_request(at, Kind::Resolution, request, decision);
    }

    /// Records an event that is not about a request.
    pub(crate) fn record_event(&mut self, at: Timestamp, event: AuditEvent) {
        debug_assert!(
            !matches!(
                event,
                AuditEvent::Decision { .. }
                    | AuditEvent::Resolution { .. }
                    | AuditEvent::DuplicateRejected { .. }
            ),
            "requests' records go through their own methods"
        );
        let detail = u32::try_from(self.events.len()).expect("fewer than 2^32 events");
        self.events.push(event);
        self.event_seqs.push(self.next_seq());
        self.rows.push(
            at,
            Row {
                detail,
                ..Row::EMPTY
            },
        );
    }

    /// The position the next record takes among those held.
    fn next_seq(&self) -> u32 {
        u32::try_from(self.rows.len()).expect("fewer than 2^32 audit records held")
    }

    /// Forgets every record held, once they have been handed out: positions
    /// go on from where they were, and queries of the trail see only what
    /// is recorded from now on. What a long replay does to stream its trail
    /// instead of holding it.
    pub(crate) fn forget(&mut self) {
        self.base += self.rows.len();
        self.rows.clear();
        self.parameters.clear();
        self.events.clear();
        self.event_seqs.clear();
        self.refusals.clear();
        self.refusals_by_agent.clear();
        self.resolutions.clear();
        self.received.clear();
        self.remarks.clear();
        // Templates are kept to be shared with records to come, unless
        // they pile up (a template per kill switch or per rejected name).
        if self.decisions.len() > MAX_KEPT_TEMPLATES {
            self.decisions.clear();
            self.decision_index.clear();
        }
    }

    /// The position of the oldest record held: zero unless records were
    /// forgotten.
    pub fn first(&self) -> usize {
        self.base
    }

    /// Where the record at position `seq` is held.
    ///
    /// # Panics
    /// When it is not held.
    fn index_of(&self, seq: usize) -> usize {
        match seq.checked_sub(self.base) {
            Some(index) if index < self.rows.len() => index,
            _ => panic!("audit record {seq} is not held"),
        }
    }

    /// Stores a record of `request` and `decision`. The decision is handed
    /// back as it came: its figure is taken out only while its template is
    /// looked up, so no decision is copied unless its template is new.
    fn push_request(
        &mut self,
        at: Timestamp,
        kind: Kind,
        request: Request,
        decision: &mut Decision,
    ) {
        // A resolution's arrival is kept beside it; any other record is made
        // when its request arrives, and is read back so.
        debug_assert!(
            kind == Kind::Resolution || request.received_at == at,
            "a decision is recorded when its request arrives"
        );
        let seq = self.next_seq();
        if decision.verdict.is_refusal() {
            self.refusals.push(seq);
            let agent = request.agent.0 as usize;
            if self.refusals_by_agent.len() <= agent {
                self.refusals_by_agent.resize_with(agent + 1, Vec::new);
            }
            self.refusals_by_agent[agent].push(seq);
        }
        let figure = decision.reason.take_figure();
        let detail = match self.decision_index.get(&*decision) {
            Some(&index) => index,
            None => {
                let index = u32::try_from(self.decisions.len()).expect("fewer than 2^32 decisions");
                self.decisions.push(decision.clone());
                self.decision_index.insert(decision.clone(), index);
                index
            }
        };
        decision.reason.put_figure(figure);
        let parameters = self.parameters.store(request.parameters);
        let (high, low) = request.id.0.as_u64_pair();
        self.rows.push(
            at,
            Row {
                id: [high, low],
                cost: request.cost,
                figure,
                offset: 0,
                agent: request.agent,
                action: request.action,
                parameters,
                detail,
                kind,
                risk: request.risk,
                detected: request.detected,
            },
        );
    }

    /// The record at position `seq`, built from what is stored.
    ///
    /// # Panics
    /// When there is no such record.
    pub fn record(&self, seq: usize) -> AuditRecord {
        let index = self.index_of(seq);
        let row = self.rows.get(index);
        let at = self.rows.at(index);
        let event = match row.kind {
            Kind::Other => self.events[row.detail as usize].clone(),
            kind => {
                let mut decision = self.decisions[row.detail as usize].clone();
                decision.reason.put_figure(row.figure);
                let mut request = Request {
                    id: RequestId(uuid::Uuid::from_u64_pair(row.id[0], row.id[1])),
                    agent: row.agent,
                    action: row.action,
                    risk: row.risk,
                    detected: row.detected,
                    parameters: self.parameters.get(row.parameters),
                    cost: row.cost,
                    received_at: at,
                };
                match kind {
                    Kind::Decision => AuditEvent::Decision { request, decision },
                    Kind::DuplicateRejected => AuditEvent::DuplicateRejected { request, decision },
                    _ => {
                        let resolution = self.resolution_of(index);
                        request.received_at = self.received[resolution];
                        let remark = self
                            .remarks
                            .binary_search_by_key(&(resolution as u32), |r| r.resolution)
                            .ok()
                            .map(|at| &self.remarks[at]);
                        AuditEvent::Resolution {
                            request,
                            decision,
                            reviewer: remark.and_then(|r| r.reviewer.clone()),
                            comment: remark.and_then(|r| r.comment.clone()),
                        }
                    }
                }
            }
        };
        AuditRecord {
            seq: seq as u64,
            at,
            event,
        }
    }

    /// The place in `resolutions` of the resolution held at `index`.
    fn resolution_of(&self, index: usize) -> usize {
        self.resolutions
            .binary_search(&(index as u32))
            .expect("every resolution is listed")
    }

    /// The record at position `seq`, if there is one.
    pub fn get(&self, seq: usize) -> Option<AuditRecord> {
        (self.base..self.len())
            .contains(&seq)
            .then(|| self.record(seq))
    }

    /// Every record held, oldest first.
    pub fn records(&self) -> Records<'_> {
        self.records_from(self.base)
    }

    /// The records from position `seq` on, oldest first.
    pub fn records_from(&self, seq: usize) -> Records<'_> {
        Records {
            log: self,
            seqs: seq.clamp(self.base, self.len())..self.len(),
        }
    }

    /// The newest record.
    pub fn last(&self) -> Option<AuditRecord> {
        (self.rows.len() > 0).then(|| self.record(self.len() - 1))
    }

    /// A record's time, kind and (for records of submissions) agent, action
    /// type and verdict, read without building the record: for scanning
    /// many.
    pub fn head(&self, seq: usize) -> RecordHead {
        let index = self.index_of(seq);
        let row = self.rows.get(index);
        let submission = (row.kind != Kind::Other).then(|| {
            (
                row.agent,
                row.action,
                self.decisions[row.detail as usize].verdict,
            )
        });
        RecordHead {
            at: self.rows.at(index),
            submission,
        }
    }

    /// How many records were ever recorded, forgotten ones included: the
    /// position the next record takes.
    pub fn len(&self) -> usize {
        self.base + self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Records that refused a submission (final denials and rate limits,
    /// rejected duplicates), optionally for one agent, oldest first.
    pub fn refusals(&self, agent: Option<AgentId>) -> impl Iterator<Item = AuditRecord> + '_ {
        self.refusal_seqs(agent)
            .iter()
            .map(|&index| self.record(self.base + index as usize))
    }

    fn refusal_seqs(&self, agent: Option<AgentId>) -> &[u32] {
        match agent {
            None => &self.refusals,
            Some(agent) => self
                .refusals_by_agent
                .get(agent.0 as usize)
                .map_or(&[], Vec::as_slice),
        }
    }

    /// How many records refused a submission, optionally of one agent.
    pub fn refusal_count_of(&self, agent: Option<AgentId>) -> usize {
        self.refusal_seqs(agent).len()
    }

    /// How many final outcomes refused the action.
    pub fn refusal_count(&self) -> usize {
        self.refusals.len()
    }

    /// Resolutions of escalations, newest first.
    pub fn latest_resolutions(&self) -> impl Iterator<Item = AuditRecord> + '_ {
        self.resolutions
            .iter()
            .rev()
            .map(|&index| self.record(self.base + index as usize))
    }

    /// The events that are not about a request (configuration changes, kill
    /// switches) from position `seq` on, oldest first, with their positions
    /// and times.
    pub fn events_from(&self, seq: usize) -> impl Iterator<Item = (usize, Timestamp, &AuditEvent)> {
        let first = self
            .event_seqs
            .partition_point(|&index| self.base + (index as usize) < seq);
        self.event_seqs[first..]
            .iter()
            .zip(&self.events[first..])
            .map(|(&index, event)| {
                let index = index as usize;
                (self.base + index, self.rows.at(index), event)
            })
    }

    /// Every record about one request, oldest first.
    pub fn of_request(&self, id: RequestId) -> impl Iterator<Item = AuditRecord> + '_ {
        let (high, low) = id.0.as_u64_pair();
        (0..self.rows.len())
            .filter(move |&index| {
                let row = self.rows.get(index);
                matches!(row.kind, Kind::Decision | Kind::Resolution) && row.id == [high, low]
            })
            .map(|index| self.record(self.base + index))
    }

    /// The bytes this log holds beyond the parameters it shares with the
    /// requests: its rows, indexes, receipts and remarks, decision templates and other
    /// events (their own heap data not counted).
    pub fn footprint(&self) -> usize {
        use std::mem::size_of;
        self.rows.footprint()
            + self.decisions.capacity() * size_of::<Decision>()
            + self.decision_index.capacity() * (size_of::<Decision>() + size_of::<u32>() + 1)
            + self.parameters.footprint()
            + self.events.capacity() * size_of::<AuditEvent>()
            + (self.refusals.capacity() + self.resolutions.capacity() + self.event_seqs.capacity())
                * size_of::<u32>()
            + self
                .refusals_by_agent
                .iter()
                .map(|seqs| size_of::<Vec<u32>>() + seqs.capacity() * size_of::<u32>())
                .sum::<usize>()
            + self.received.capacity() * size_of::<Timestamp>()
            + self.remarks.capacity() * size_of::<Remark>()
    }
}

/// What [`AuditLog::head`] reads of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordHead {
    pub at: Timestamp,
    /// For a decision, resolution or rejected duplicate: the submitting
    /// agent, the action type and the verdict.
    pub submission: Option<(AgentId, ActionType, Verdict)>,
}

/// The records in a range of positions, built one at a time.
#[derive(Clone, Debug)]
pub struct Records<'a> {
    log: &'a AuditLog,
    seqs: std::ops::Range<usize>,
}

impl Iterator for Records<'_> {
    type Item = AuditRecord;

    fn next(&mut self) -> Option<AuditRecord> {
        self.seqs.next().map(|seq| self.log.record(seq))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.seqs.size_hint()
    }

    fn nth(&mut self, n: usize) -> Option<AuditRecord> {
        self.seqs.nth(n).map(|seq| self.log.record(seq))
    }

    fn last(mut self) -> Option<AuditRecord> {
        self.next_back()
    }
}

impl DoubleEndedIterator for Records<'_> {
    fn next_back(&mut self) -> Option<AuditRecord> {
        self.seqs.next_back().map(|seq| self.log.record(seq))
    }
}

impl ExactSizeIterator for Records<'_> {}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::decision::{sample_reasons, DecidedBy, Reason};
    use crate::governance::detectors::{DataKind, DataKinds};
    use crate::governance::money::Money;
    use crate::governance::risk::RiskLevel;
    use crate::governance::time::Millis;

    /// What `latest_resolutions` must return for a trail of `records`: its
    /// resolutions, newest first.
    fn newest_resolutions(records: &[AuditRecord]) -> Vec<AuditRecord> {
        records
            .iter()
            .rev()
            .filter(|r| r.kind() == "resolution")
            .cloned()
            .collect()
    }

    /// Appends a varied trail, keeping what each record should read as, and
    /// checks the log hands back exactly that, however it stores it.
    #[test]
    fn the_log_hands_back_every_record_as_it_was_recorded() {
        let mut log = AuditLog::default();
        let mut expected = Vec::new();
        let reasons = sample_reasons();
        let parameters: Parameters = Arc::new(
            serde_json::json!({"query": "x", "n": [1, 2]})
                .as_object()
                .unwrap()
                .clone(),
        );
        let deciders = [
            DecidedBy::Policy(Arc::from("budget")),
            DecidedBy::AllPolicies,
            DecidedBy::Reviewer(Arc::from("dana")),
            DecidedBy::EscalationTimeout,
        ];
        for i in 0..400u64 {
            let at = Timestamp(1_000 + i * 7);
            let mut reason = reasons[i as usize % reasons.len()].clone();
            // The same rule with another figure each time.
            let figure = reason.take_figure();
            reason.put_figure(if figure == 0 { 0 } else { figure + i });
            let decision = Decision::new(
                Verdict::ALL[i as usize % 4],
                deciders[i as usize % 3 % deciders.len()].clone(),
                reason,
            );
            let request = Request {
                id: RequestId(uuid::Uuid::from_u128((i as u128) << 70 | (i as u128 + 1))),
                agent: AgentId(i as u32 % 5),
                action: ActionType(i as u32 % 3),
                risk: [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High][i as usize % 3],
                detected: if i % 4 == 0 {
                    vec![DataKind::AwsAccessKey].into()
                } else {
                    DataKinds::EMPTY
                },
                parameters: if i % 2 == 0 {
                    parameters.clone()
                } else {
                    Arc::default()
                },
                cost: Money::from_micros(i * 1_001),
                received_at: at,
            };
            let event = match i % 5 {
                0 | 1 => {
                    log.record_decision(at, request.clone(), &mut decision.clone());
                    AuditEvent::Decision { request, decision }
                }
                2 => {
                    log.record_duplicate(at, request.clone(), &mut decision.clone());
                    AuditEvent::DuplicateRejected { request, decision }
                }
                3 => {
                    let request = Request {
                        received_at: Timestamp(at.0 - 500),
                        ..request
                    };
                    let reviewer = (i % 2 == 1).then(|| Arc::from("dana"));
                    let comment = (i % 3 == 0).then(|| Arc::from(format!("note {i}")));
                    log.record_resolution(
                        at,
                        request.clone(),
                        &mut decision.clone(),
                        reviewer.clone(),
                        comment.clone(),
                    );
                    AuditEvent::Resolution {
                        request,
                        decision,
                        reviewer,
                        comment,
                    }
                }
                _ => {
                    let event = AuditEvent::KillSwitchActivated {
                        actor: Arc::from("ops"),
                        reason: Arc::from(format!("drill {i}")),
                        target: None,
                    };
                    log.record_event(at, event.clone());
                    event
                }
            };
            expected.push(AuditRecord { seq: i, at, event });
        }
        let records: Vec<AuditRecord> = log.records().collect();
        assert_eq!(records, expected);
        assert_eq!(log.records().rev().collect::<Vec<_>>().len(), 400);
        assert_eq!(log.last().as_ref(), expected.last());
        assert_eq!(log.get(400), None);
        assert_eq!(log.records_from(398).count(), 2);
        // The queries read the same records.
        let refusals: Vec<_> = expected.iter().filter(|r| r.is_refusal()).collect();
        assert_eq!(
            log.refusals(None)
                .collect::<Vec<_>>()
                .iter()
                .collect::<Vec<_>>(),
            refusals
        );
        assert_eq!(log.refusal_count_of(Some(AgentId(2))), {
            refusals
                .iter()
                .filter(|r| r.submission().unwrap().agent == AgentId(2))
                .count()
        });
        assert_eq!(
            log.latest_resolutions().collect::<Vec<_>>(),
            newest_resolutions(&expected)
        );
        for record in &expected {
            let head = log.head(record.seq as usize);
            assert_eq!(head.at, record.at);
            assert_eq!(
                head.submission,
                record.submission().map(|r| (
                    r.agent,
                    r.action,
                    record.decision().unwrap().verdict
                ))
            );
        }
        let events: Vec<_> = log.events_from(10).map(|(seq, _, _)| seq).collect();
        assert_eq!(events, (14..400).step_by(5).collect::<Vec<_>>());
        // What repeats is stored once: 21 kinds of reason under a handful of
        // verdicts and deciders, not 400 decisions.
        assert!(
            log.decisions.len() <= 84,
            "{} templates",
            log.decisions.len()
        );
    }

    #[test]
    fn forgotten_records_leave_positions_going_on_and_only_new_records_held() {
        let mut log = AuditLog::default();
        let event = |n: u64| AuditEvent::KillSwitchDeactivated {
            actor: Arc::from(format!("ops-{n}")),
            target: None,
        };
        for n in 0..3 {
            log.record_event(Timestamp(n), event(n));
        }
        log.forget();
        assert_eq!((log.len(), log.first()), (3, 3));
        assert_eq!(log.records().count(), 0);
        assert_eq!(log.get(2), None);
        assert_eq!(log.last(), None);
        let decision = Decision::new(
            Verdict::Denied,
            DecidedBy::Validation,
            Reason::DuplicateRequestId,
        );
        let request = Request {
            id: RequestId(uuid::Uuid::from_u128(9)),
            agent: AgentId(1),
            action: ActionType(0),
            risk: RiskLevel::Low,
            detected: DataKinds::EMPTY,
            parameters: Arc::default(),
            cost: Money::ZERO,
            received_at: Timestamp(5),
        };
        log.record_duplicate(Timestamp(5), request.clone(), &mut decision.clone());
        log.record_event(Timestamp(6), event(6));
        let resolved = Decision::new(
            Verdict::Denied,
            DecidedBy::EscalationTimeout,
            Reason::EscalationTimedOut { waited: Millis(2) },
        );
        log.record_resolution(
            Timestamp(7),
            request.clone(),
            &mut resolved.clone(),
            None,
            Some(Arc::from("late")),
        );
        let seqs: Vec<u64> = log.records().map(|r| r.seq).collect();
        assert_eq!(seqs, [3, 4, 5]);
        assert_eq!(log.record(4).event, event(6));
        let resolutions: Vec<_> = log.latest_resolutions().collect();
        assert_eq!(resolutions.len(), 1);
        assert_eq!(resolutions[0].seq, 5);
        assert_eq!(
            resolutions[0].event,
            AuditEvent::Resolution {
                request,
                decision: resolved,
                reviewer: None,
                comment: Some(Arc::from("late")),
            }
        );
        assert_eq!(log.head(3).at, Timestamp(5));
        assert_eq!(
            log.events_from(0)
                .map(|(seq, _, _)| seq)
                .collect::<Vec<_>>(),
            [4]
        );
        assert_eq!(
            log.refusals(Some(AgentId(1)))
                .map(|r| r.seq)
                .collect::<Vec<_>>(),
            [3, 5]
        );
        assert_eq!(log.records_from(4).count(), 2);
    }

    /// Handed out and forgotten in rounds, across new epochs, the end of
    /// time and more templates than are kept: each round reads back as
    /// recorded, through the trail and the queries.
    #[test]
    fn every_round_between_forgets_reads_back_as_recorded() {
        let mut log = AuditLog::default();
        let reasons = sample_reasons();
        let (mut at, mut held) = (0u64, Vec::new());
        for i in 0..20_000u64 {
            at = at.saturating_add(match i % 97 {
                0 => u64::from(u32::MAX) + 3,
                _ => i % 5,
            });
            if i == 19_000 {
                at = u64::MAX - 10;
            }
            let mut reason = reasons[i as usize % reasons.len()].clone();
            let figure = reason.take_figure();
            reason.put_figure(if figure == 0 { 0 } else { figure + i });
            // More distinct templates than forgetting keeps.
            let decided = DecidedBy::Policy(Arc::from(format!("p{}", i % 5_000)));
            let decision = Decision::new(Verdict::ALL[i as usize % 4], decided, reason);
            let request = Request {
                id: RequestId(uuid::Uuid::from_u128(u128::from(i) * 7_919)),
                agent: AgentId((i % 7) as u32),
                action: ActionType((i % 3) as u32),
                risk: RiskLevel::Low,
                detected: DataKinds::EMPTY,
                parameters: Arc::new(
                    serde_json::json!({"i": i % 13})
                        .as_object()
                        .unwrap()
                        .clone(),
                ),
                cost: Money::from_micros(i),
                received_at: Timestamp(at),
            };
            let seq = log.len() as u64;
            let event = if i % 3 == 0 {
                let request = Request {
                    received_at: Timestamp(at / 2),
                    ..request
                };
                let reviewer = (i % 2 == 0).then(|| Arc::from(format!("r{i}")));
                log.record_resolution(
                    Timestamp(at),
                    request.clone(),
                    &mut decision.clone(),
                    reviewer.clone(),
                    None,
                );
                AuditEvent::Resolution {
                    request,
                    decision,
                    reviewer,
                    comment: None,
                }
            } else {
                log.record_decision(Timestamp(at), request.clone(), &mut decision.clone());
                AuditEvent::Decision { request, decision }
            };
            held.push(AuditRecord {
                seq,
                at: Timestamp(at),
                event,
            });
            if i % 1_237 == 1_236 {
                assert_eq!(log.records().collect::<Vec<_>>(), held);
                assert_eq!(
                    log.latest_resolutions().collect::<Vec<_>>(),
                    newest_resolutions(&held)
                );
                let refusals: Vec<_> = held.iter().filter(|r| r.is_refusal()).cloned().collect();
                assert_eq!(log.refusals(None).collect::<Vec<_>>(), refusals);
                log.forget();
                held.clear();
            }
        }
        assert_eq!(log.records().collect::<Vec<_>>(), held);
        assert_eq!(log.len(), 20_000);
    }
}

//! The human escalation queue.
//!
//! An escalated request waits here until a reviewer resolves it or its
//! deadline passes. Items are listed in arrival order (the inbox) and expire
//! in deadline order, which can differ when the timeout is reconfigured while
//! items wait: an item keeps the deadline it was given on arrival.

use super::decision::Decision;
use super::ids::RequestId;
use super::request::{Request, RequestHash};
use super::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What becomes of an escalation nobody decides before its deadline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeoutOutcome {
    /// Denied: the safe default.
    #[default]
    Deny,
    /// Approved, after the same re-check as a reviewer's approval: silence
    /// lets the action run. Risky; the console says so.
    Allow,
}

impl TimeoutOutcome {
    pub fn is_deny(&self) -> bool {
        *self == TimeoutOutcome::Deny
    }
}
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A request waiting for a human.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingEscalation {
    pub request: Request,
    /// The decision that escalated it: which policy, and why.
    pub escalation: Decision,
    pub escalated_at: Timestamp,
    pub deadline: Timestamp,
    /// What the reviewer is shown and an approval may be bound to.
    pub hash: RequestHash,
    /// The escalating policy's timeout outcome when it escalated.
    pub on_timeout: TimeoutOutcome,
}

#[derive(Clone, Debug, Default)]
pub struct EscalationQueue {
    by_arrival: BTreeMap<u64, PendingEscalation>,
    arrival_of: HashMap<RequestId, u64>,
    by_deadline: BTreeSet<(Timestamp, u64)>,
    next_arrival: u64,
}

impl EscalationQueue {
    pub fn push(&mut self, pending: PendingEscalation) {
        let arrival = self.next_arrival;
        self.next_arrival += 1;
        self.arrival_of.insert(pending.request.id, arrival);
        self.by_deadline.insert((pending.deadline, arrival));
        self.by_arrival.insert(arrival, pending);
    }

    pub fn get(&self, id: RequestId) -> Option<&PendingEscalation> {
        self.arrival_of
            .get(&id)
            .and_then(|arrival| self.by_arrival.get(arrival))
    }

    pub fn remove(&mut self, id: RequestId) -> Option<PendingEscalation> {
        let arrival = self.arrival_of.remove(&id)?;
        let pending = self.by_arrival.remove(&arrival)?;
        self.by_deadline.remove(&(pending.deadline, arrival));
        Some(pending)
    }

    /// Removes and returns the earliest item whose deadline is at or before `now`.
    pub fn pop_expired(&mut self, now: Timestamp) -> Option<PendingEscalation> {
        let &(deadline, arrival) = self.by_deadline.first()?;
        if deadline > now {
            return None;
        }
        self.by_deadline.remove(&(deadline, arrival));
        let pending = self.by_arrival.remove(&arrival)?;
        self.arrival_of.remove(&pending.request.id);
        Some(pending)
    }

    /// Removes the items `which` selects, in arrival order.
    pub fn drain_where(
        &mut self,
        mut which: impl FnMut(&PendingEscalation) -> bool,
    ) -> Vec<PendingEscalation> {
        let chosen: Vec<u64> = self
            .by_arrival
            .iter()
            .filter(|(_, pending)| which(pending))
            .map(|(&arrival, _)| arrival)
            .collect();
        chosen
            .into_iter()
            .filter_map(|arrival| {
                let pending = self.by_arrival.remove(&arrival)?;
                self.arrival_of.remove(&pending.request.id);
                self.by_deadline.remove(&(pending.deadline, arrival));
                Some(pending)
            })
            .collect()
    }

    /// Waiting items, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &PendingEscalation> {
        self.by_arrival.values()
    }

    pub fn len(&self) -> usize {
        self.by_arrival.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_arrival.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::decision::{DecidedBy, Reason, Verdict};
    use crate::governance::ids::{ActionType, AgentId};

    fn pending(byte: u8, deadline: u64) -> PendingEscalation {
        PendingEscalation {
            request: Request {
                id: RequestId::from_random_bytes([byte; 16]),
                agent: AgentId(0),
                action: ActionType(0),
                risk: crate::governance::risk::RiskLevel::Medium,
                detected: Default::default(),
                parameters: Default::default(),
                cost: Default::default(),
                received_at: Timestamp(0),
            },
            escalation: Decision::new(
                Verdict::Escalated,
                DecidedBy::Policy("p".into()),
                Reason::ApprovalRequired,
            ),
            escalated_at: Timestamp(0),
            deadline: Timestamp(deadline),
            hash: RequestHash([byte; 32]),
            on_timeout: TimeoutOutcome::Deny,
        }
    }

    #[test]
    fn lists_in_arrival_order_but_expires_in_deadline_order() {
        let mut queue = EscalationQueue::default();
        queue.push(pending(1, 500));
        queue.push(pending(2, 100));
        let arrival: Vec<_> = queue.iter().map(|p| p.deadline.0).collect();
        assert_eq!(arrival, [500, 100]);
        assert_eq!(queue.pop_expired(Timestamp(99)), None);
        assert_eq!(queue.pop_expired(Timestamp(100)).unwrap().deadline.0, 100);
        assert_eq!(queue.pop_expired(Timestamp(499)), None);
        assert_eq!(queue.len(), 1);
    }

    #[test]
    fn draining_takes_only_the_chosen_items() {
        let mut queue = EscalationQueue::default();
        queue.push(pending(1, 500));
        queue.push(pending(2, 100));
        queue.push(pending(3, 300));
        let taken = queue.drain_where(|p| p.deadline.0 >= 300);
        let deadlines: Vec<_> = taken.iter().map(|p| p.deadline.0).collect();
        assert_eq!(deadlines, [500, 300], "arrival order");
        assert_eq!(queue.len(), 1);
        assert_eq!(queue.pop_expired(Timestamp(1_000)).unwrap().deadline.0, 100);
        assert_eq!(queue.pop_expired(Timestamp(1_000)), None);
    }

    #[test]
    fn removing_an_item_forgets_its_deadline() {
        let mut queue = EscalationQueue::default();
        let item = pending(1, 100);
        let id = item.request.id;
        queue.push(item);
        assert!(!queue.is_empty());
        assert_eq!(queue.get(id).map(|p| p.deadline), Some(Timestamp(100)));
        assert!(queue.remove(id).is_some());
        assert!(queue.get(id).is_none());
        assert!(queue.drain_where(|_| true).is_empty());
        assert!(queue.remove(id).is_none());
        assert_eq!(queue.pop_expired(Timestamp(1_000)), None);
        assert!(queue.is_empty());
    }
}

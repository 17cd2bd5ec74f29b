//! The human escalation queue.
//!
//! An escalated request waits here until a reviewer resolves it or its
//! deadline passes. Items are listed in arrival order (the inbox) and expire
//! in deadline order, which can differ when the timeout is reconfigured while
//! items wait: an item keeps the deadline it was given on arrival.
//!
//! Items are also indexed by agent and by action type, so a scoped kill
//! switch takes what it covers without reading every waiting item: a long
//! queue and many agent halts would otherwise cost their product.

use super::decision::Decision;
use super::ids::RequestId;
use super::kill_switch::KillScope;
use super::request::{Request, RequestHash};
use super::time::Timestamp;
use crate::governance::fast_hash::FastMap;
use serde::Serialize;

/// What becomes of an escalation nobody decides before its deadline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeoutOutcome {
    /// Denied: the safe default.
    #[default]
    Deny,
    /// Approved, after the same re-check as a reviewer's approval: silence
    /// lets the action run. Risky; the console says so.
    Allow,
}

crate::governance::decode::deserialize_by!(TimeoutOutcome, TimeoutOutcome::decode);

impl TimeoutOutcome {
    /// Reads the name this is written as (snake case).
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<TimeoutOutcome> {
        crate::governance::decode::one_of(
            value,
            &[
                ("deny", TimeoutOutcome::Deny),
                ("allow", TimeoutOutcome::Allow),
            ],
        )
    }
}

impl TimeoutOutcome {
    pub fn is_deny(&self) -> bool {
        *self == TimeoutOutcome::Deny
    }
}
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

/// A request waiting for a human.
#[derive(Clone, Debug)]
pub struct PendingEscalation {
    pub request: Request,
    /// The decision that escalated it: which policy, and why.
    pub escalation: Decision,
    pub escalated_at: Timestamp,
    pub deadline: Timestamp,
    /// The escalating policy's timeout outcome when it escalated.
    pub on_timeout: TimeoutOutcome,
    /// The agent's and the action type's names, which the hash covers.
    names: (Arc<str>, Arc<str>),
    /// The hash, once asked for.
    hash: OnceLock<RequestHash>,
}

impl PendingEscalation {
    pub fn new(
        request: Request,
        escalation: Decision,
        escalated_at: Timestamp,
        deadline: Timestamp,
        on_timeout: TimeoutOutcome,
        (agent, action): (Arc<str>, Arc<str>),
    ) -> PendingEscalation {
        PendingEscalation {
            request,
            escalation,
            escalated_at,
            deadline,
            on_timeout,
            names: (agent, action),
            hash: OnceLock::new(),
        }
    }

    /// What the reviewer is shown and an approval may be bound to: the
    /// [`RequestHash`] of the request as it arrived (which never changes).
    /// Computed when first asked for: in a large fleet most escalations
    /// time out unseen, and hashing every one cost more than judging it.
    pub fn hash(&self) -> RequestHash {
        *self.hash.get_or_init(|| {
            RequestHash::of(
                &self.names.0,
                &self.names.1,
                &self.request.parameters,
                self.request.cost,
            )
        })
    }
}

/// Equal when they describe the same escalation, whether or not either hash
/// has been computed yet.
impl PartialEq for PendingEscalation {
    fn eq(&self, other: &PendingEscalation) -> bool {
        self.request == other.request
            && self.escalation == other.escalation
            && self.escalated_at == other.escalated_at
            && self.deadline == other.deadline
            && self.on_timeout == other.on_timeout
            && self.names == other.names
    }
}

/// The arrivals of one agent's (or one action type's) waiting items,
/// ascending. An item that leaves the queue stays listed, as stale, until
/// stale entries outnumber live ones and the list is rebuilt: removing each
/// from the middle of a long list would move the rest of it every time.
#[derive(Clone, Debug, Default)]
struct Listed {
    arrivals: Vec<u64>,
    stale: usize,
}

/// Notes that one item listed under `key` has left the queue; rebuilds the
/// list when half of it is stale, and drops it when nothing is left.
fn unlist(index: &mut FastMap<u32, Listed>, key: u32, waiting: &BTreeMap<u64, u32>) {
    let Some(listed) = index.get_mut(&key) else {
        return;
    };
    listed.stale += 1;
    if listed.stale * 2 >= listed.arrivals.len() {
        listed
            .arrivals
            .retain(|arrival| waiting.contains_key(arrival));
        listed.stale = 0;
        if listed.arrivals.is_empty() {
            index.remove(&key);
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct EscalationQueue {
    /// Each waiting item's slot, by arrival.
    by_arrival: BTreeMap<u64, u32>,
    /// The items, in slots that are reused once free: the ordered index
    /// moves small numbers, never the items themselves.
    slots: Vec<Option<PendingEscalation>>,
    free: Vec<u32>,
    arrival_of: FastMap<RequestId, u64>,
    by_deadline: BTreeSet<(Timestamp, u64)>,
    /// Arrivals of each agent's and each action type's waiting items, in
    /// ascending order: arrivals only grow, so a push keeps them sorted.
    /// Keyed by the interned number (`AgentId.0`, `ActionType.0`), so both
    /// indexes share one map type (one copy of its code in the browser).
    by_agent: FastMap<u32, Listed>,
    by_action: FastMap<u32, Listed>,
    next_arrival: u64,
}

impl EscalationQueue {
    pub fn push(&mut self, pending: PendingEscalation) {
        let arrival = self.next_arrival;
        self.next_arrival += 1;
        self.arrival_of.insert(pending.request.id, arrival);
        self.by_deadline.insert((pending.deadline, arrival));
        let request = &pending.request;
        self.by_agent
            .entry(request.agent.0)
            .or_default()
            .arrivals
            .push(arrival);
        self.by_action
            .entry(request.action.0)
            .or_default()
            .arrivals
            .push(arrival);
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(pending);
                slot
            }
            None => {
                self.slots.push(Some(pending));
                u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 waiting items")
            }
        };
        self.by_arrival.insert(arrival, slot);
    }

    fn item(&self, slot: u32) -> &PendingEscalation {
        self.slots[slot as usize]
            .as_ref()
            .expect("an indexed slot holds its item")
    }

    /// Takes `arrival` out of every index, once it is out of `by_arrival`.
    fn unindex(&mut self, arrival: u64, pending: &PendingEscalation) {
        self.arrival_of.remove(&pending.request.id);
        self.by_deadline.remove(&(pending.deadline, arrival));
        let request = &pending.request;
        unlist(&mut self.by_agent, request.agent.0, &self.by_arrival);
        unlist(&mut self.by_action, request.action.0, &self.by_arrival);
    }

    pub fn get(&self, id: RequestId) -> Option<&PendingEscalation> {
        self.arrival_of
            .get(&id)
            .and_then(|arrival| self.by_arrival.get(arrival))
            .map(|&slot| self.item(slot))
    }

    pub fn remove(&mut self, id: RequestId) -> Option<PendingEscalation> {
        let arrival = *self.arrival_of.get(&id)?;
        self.take(arrival)
    }

    fn take(&mut self, arrival: u64) -> Option<PendingEscalation> {
        let slot = self.by_arrival.remove(&arrival)?;
        let pending = self.slots[slot as usize]
            .take()
            .expect("an indexed slot holds its item");
        self.free.push(slot);
        self.unindex(arrival, &pending);
        Some(pending)
    }

    /// Removes and returns the earliest item whose deadline is at or before `now`.
    pub fn pop_expired(&mut self, now: Timestamp) -> Option<PendingEscalation> {
        let &(deadline, arrival) = self.by_deadline.first()?;
        if deadline > now {
            return None;
        }
        self.take(arrival)
    }

    /// Removes the items `which` selects, in arrival order.
    pub fn drain_where(
        &mut self,
        mut which: impl FnMut(&PendingEscalation) -> bool,
    ) -> Vec<PendingEscalation> {
        let chosen: Vec<u64> = self
            .by_arrival
            .iter()
            .filter(|(_, &slot)| which(self.item(slot)))
            .map(|(&arrival, _)| arrival)
            .collect();
        chosen
            .into_iter()
            .filter_map(|arrival| self.take(arrival))
            .collect()
    }

    /// Removes the items a kill switch of `scope` covers, in arrival order,
    /// reading only those (through the agent and action-type indexes).
    pub fn drain_scope(&mut self, scope: KillScope) -> Vec<PendingEscalation> {
        let arrivals: Vec<u64> = match scope {
            KillScope::Global => self.by_arrival.keys().copied().collect(),
            KillScope::Agent(agent) => self
                .by_agent
                .get(&agent.0)
                .map(|listed| listed.arrivals.clone())
                .unwrap_or_default(),
            KillScope::ActionType(action) => self
                .by_action
                .get(&action.0)
                .map(|listed| listed.arrivals.clone())
                .unwrap_or_default(),
        };
        // Stale arrivals are no longer waiting: `take` passes over them.
        arrivals
            .into_iter()
            .filter_map(|arrival| self.take(arrival))
            .collect()
    }

    /// Waiting items, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &PendingEscalation> {
        self.by_arrival.values().map(|&slot| self.item(slot))
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
    use crate::governance::money::Money;

    fn pending(byte: u8, deadline: u64) -> PendingEscalation {
        PendingEscalation::new(
            Request {
                id: RequestId::from_random_bytes([byte; 16]),
                agent: AgentId(0),
                action: ActionType(0),
                risk: crate::governance::risk::RiskLevel::Medium,
                detected: Default::default(),
                parameters: Default::default(),
                cost: Default::default(),
                received_at: Timestamp(0),
            },
            Decision::new(
                Verdict::Escalated,
                DecidedBy::Policy("p".into()),
                Reason::ApprovalRequired,
            ),
            Timestamp(0),
            Timestamp(deadline),
            TimeoutOutcome::Deny,
            ("agent".into(), "action".into()),
        )
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
    fn a_scoped_drain_takes_exactly_what_the_scope_covers_in_arrival_order() {
        // Items of agents 0..3 and actions 0..2, some resolved or expired
        // first: every scope takes what `covers` selects, and the queue's
        // indexes stay consistent for the scopes drained after it.
        let item = |n: u8| {
            let mut item = pending(n, u64::from(n) * 10);
            item.request.agent = AgentId(u32::from(n % 3));
            item.request.action = ActionType(u32::from(n % 2));
            item
        };
        for scopes in [
            vec![
                KillScope::Agent(AgentId(1)),
                KillScope::ActionType(ActionType(0)),
                KillScope::Global,
            ],
            vec![
                KillScope::ActionType(ActionType(1)),
                KillScope::Agent(AgentId(0)),
                KillScope::Global,
            ],
        ] {
            let mut queue = EscalationQueue::default();
            let mut reference = EscalationQueue::default();
            for n in 1..=30 {
                queue.push(item(n));
                reference.push(item(n));
            }
            for q in [&mut queue, &mut reference] {
                q.remove(item(4).request.id);
                q.pop_expired(Timestamp(25));
            }
            for scope in scopes {
                let taken: Vec<_> = queue
                    .drain_scope(scope)
                    .iter()
                    .map(|p| p.request.id)
                    .collect();
                let expected: Vec<_> = reference
                    .drain_where(|p| scope.covers(p.request.agent, p.request.action))
                    .iter()
                    .map(|p| p.request.id)
                    .collect();
                assert!(!expected.is_empty());
                assert_eq!(taken, expected, "{scope:?}");
                assert_eq!(queue.len(), reference.len());
            }
            assert!(queue.is_empty() && queue.by_agent.is_empty() && queue.by_action.is_empty());
        }
    }

    #[test]
    fn the_agent_and_action_lists_stay_within_twice_what_waits() {
        // Items leave in any order: by deadline, by review, by a kill switch.
        let mut queue = EscalationQueue::default();
        for n in 1..=200u8 {
            queue.push(pending(n, u64::from(n)));
        }
        let listed = |queue: &EscalationQueue| {
            queue
                .by_agent
                .values()
                .chain(queue.by_action.values())
                .map(|listed| listed.arrivals.len())
                .max()
                .unwrap_or(0)
        };
        for n in (2..=200u8).step_by(3) {
            queue.remove(pending(n, u64::from(n)).request.id);
            assert!(listed(&queue) <= 2 * queue.len() + 1, "{}", listed(&queue));
        }
        while queue.pop_expired(Timestamp(u64::MAX)).is_some() {
            assert!(listed(&queue) <= 2 * queue.len() + 1, "{}", listed(&queue));
        }
        assert!(queue.by_agent.is_empty() && queue.by_action.is_empty());
    }

    #[test]
    fn the_hash_is_the_request_hash_of_the_names_and_the_request_however_often_asked() {
        let item = pending(7, 100);
        let expected = RequestHash::of(
            "agent",
            "action",
            &item.request.parameters,
            item.request.cost,
        );
        let copy = item.clone();
        assert_eq!(item.hash(), expected);
        assert_eq!(item.hash(), expected);
        assert_eq!(copy, item, "a computed hash does not make it another item");
        assert_eq!(copy.hash(), expected);
    }

    #[test]
    fn items_differing_in_any_one_part_are_different_items() {
        let item = pending(7, 100);
        let changes: [fn(&mut PendingEscalation); 6] = [
            |p| p.request.cost = Money::from_micros(1),
            |p| {
                p.escalation.reason = Reason::ApprovalOverruled {
                    refusal: Box::new(Reason::ApprovalRequired),
                }
            },
            |p| p.escalated_at = Timestamp(1),
            |p| p.deadline = Timestamp(101),
            |p| p.on_timeout = TimeoutOutcome::Allow,
            |p| p.names.1 = "other_action".into(),
        ];
        for change in changes {
            let mut other = item.clone();
            change(&mut other);
            assert_ne!(other, item);
        }
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

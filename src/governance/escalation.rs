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
use crate::governance::parted_map::PartedMap;
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
use std::cmp::Reverse;
use std::collections::BinaryHeap;
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

/// Where an item waits: its arrival number and its slot. An entry whose
/// slot no longer holds that arrival is stale: the item has left.
type Entry = (u64, u32);

/// Entries in arrival order, stale ones included until they outnumber the
/// live ones and the list is rebuilt: removing each item from the middle of
/// a long list would move the rest of it every time.
#[derive(Clone, Debug, Default)]
struct Listed {
    entries: Vec<Entry>,
    stale: usize,
    /// Where the live entries begin: every entry before it is stale. Items
    /// mostly leave oldest first (they time out in arrival order), so the
    /// stale ones gather at the front, and reading the list from the start
    /// (the inbox's first few) would otherwise step over all of them.
    start: usize,
}

impl Listed {
    /// Notes that one listed item has left; rebuilds the list when half of
    /// it is stale. True when nothing is left.
    fn left(&mut self, slots: &[Option<Slot>]) -> bool {
        self.stale += 1;
        while self
            .entries
            .get(self.start)
            .is_some_and(|&entry| !is_live(slots, entry))
        {
            self.start += 1;
        }
        if self.stale * 2 >= self.entries.len() {
            // The live entries move to the front, in order. When every
            // stale entry is before `start` (the usual case: items time out
            // oldest first), none is looked up: looking up each entry's
            // slot, scattered over the slots, took 3 to 15 ms natively with
            // 300,000 waiting, a stall in a frame of the page; moving them
            // takes about half a millisecond.
            let look = self.start != self.stale;
            let mut kept = 0;
            for i in self.start..self.entries.len() {
                let entry = self.entries[i];
                if !look || is_live(slots, entry) {
                    self.entries[kept] = entry;
                    kept += 1;
                }
            }
            self.entries.truncate(kept);
            self.stale = 0;
            self.start = 0;
        }
        self.entries.is_empty()
    }

    fn live<'a>(&'a self, slots: &'a [Option<Slot>]) -> impl Iterator<Item = Entry> + 'a {
        self.entries[self.start..]
            .iter()
            .copied()
            .filter(move |&entry| is_live(slots, entry))
    }
}

/// A waiting item and the arrival it holds its slot for.
#[derive(Clone, Debug)]
struct Slot {
    arrival: u64,
    item: PendingEscalation,
}

fn is_live(slots: &[Option<Slot>], (arrival, slot): Entry) -> bool {
    slots[slot as usize]
        .as_ref()
        .is_some_and(|held| held.arrival == arrival)
}

/// Lists by interned number (`AgentId.0`, `ActionType.0`): the numbers are
/// dense, so a list is found by indexing, not hashing.
#[derive(Clone, Debug, Default)]
struct ListsByKey(Vec<Listed>);

impl ListsByKey {
    fn push(&mut self, key: u32, entry: Entry) {
        let key = key as usize;
        if self.0.len() <= key {
            self.0.resize_with(key + 1, Listed::default);
        }
        self.0[key].entries.push(entry);
    }

    fn get(&self, key: u32) -> Option<&Listed> {
        self.0
            .get(key as usize)
            .filter(|listed| !listed.entries.is_empty())
    }

    /// Notes that one item listed under `key` has left; frees the list's
    /// room when nothing is left in it.
    fn left(&mut self, key: u32, slots: &[Option<Slot>]) {
        if let Some(listed) = self.0.get_mut(key as usize) {
            if listed.left(slots) {
                *listed = Listed::default();
            }
        }
    }

    #[cfg(test)]
    fn values(&self) -> impl Iterator<Item = &Listed> {
        self.0.iter().filter(|listed| !listed.entries.is_empty())
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.values().next().is_none()
    }
}

/// Waiting items in arrival order, and by deadline, agent, action type and
/// request id. Items sit in slots that are reused once free; the indexes
/// hold (arrival, slot) entries and forget a left item lazily, each checked
/// in constant time against its slot.
#[derive(Clone, Debug, Default)]
pub struct EscalationQueue {
    slots: Vec<Option<Slot>>,
    free: Vec<u32>,
    /// Every item, in arrival order.
    order: Listed,
    /// Deadlines, earliest on top; an entry of an item that has left stays
    /// until it reaches the top (or the heap is rebuilt).
    by_deadline: BinaryHeap<Reverse<(Timestamp, u64, u32)>>,
    /// In parts, as the other maps that grow with the traffic: a few
    /// hundred thousand waiting items made one map's growth the longest
    /// slice of the simulation (6 to 12 ms natively).
    slot_of: PartedMap<RequestId, u32>,
    by_agent: ListsByKey,
    by_action: ListsByKey,
    next_arrival: u64,
    len: usize,
}

impl EscalationQueue {
    pub fn push(&mut self, pending: PendingEscalation) {
        let arrival = self.next_arrival;
        self.next_arrival += 1;
        let (id, deadline) = (pending.request.id, pending.deadline);
        let (agent, action) = (pending.request.agent.0, pending.request.action.0);
        let held = Some(Slot {
            arrival,
            item: pending,
        });
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = held;
                slot
            }
            None => {
                self.slots.push(held);
                u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 waiting items")
            }
        };
        let entry = (arrival, slot);
        self.order.entries.push(entry);
        self.by_deadline.push(Reverse((deadline, arrival, slot)));
        self.slot_of.insert(id, slot);
        self.by_agent.push(agent, entry);
        self.by_action.push(action, entry);
        self.len += 1;
    }

    fn item(&self, slot: u32) -> &PendingEscalation {
        &self.slots[slot as usize]
            .as_ref()
            .expect("an indexed slot holds its item")
            .item
    }

    pub fn get(&self, id: RequestId) -> Option<&PendingEscalation> {
        self.slot_of.get(&id).map(|&slot| self.item(slot))
    }

    pub fn remove(&mut self, id: RequestId) -> Option<PendingEscalation> {
        let slot = *self.slot_of.get(&id)?;
        Some(self.take(slot))
    }

    /// Takes the item in `slot` out of the queue.
    fn take(&mut self, slot: u32) -> PendingEscalation {
        let pending = self.slots[slot as usize]
            .take()
            .expect("an indexed slot holds its item")
            .item;
        self.free.push(slot);
        self.len -= 1;
        self.slot_of.remove(&pending.request.id);
        self.order.left(&self.slots);
        self.by_agent.left(pending.request.agent.0, &self.slots);
        self.by_action.left(pending.request.action.0, &self.slots);
        if self.by_deadline.len() > 2 * self.len + 64 {
            let slots = &self.slots;
            self.by_deadline
                .retain(|&Reverse((_, arrival, slot))| is_live(slots, (arrival, slot)));
        }
        pending
    }

    /// Removes and returns the earliest item whose deadline is at or before `now`.
    pub fn pop_expired(&mut self, now: Timestamp) -> Option<PendingEscalation> {
        while let Some(&Reverse((deadline, arrival, slot))) = self.by_deadline.peek() {
            if !is_live(&self.slots, (arrival, slot)) {
                self.by_deadline.pop();
                continue;
            }
            if deadline > now {
                return None;
            }
            self.by_deadline.pop();
            return Some(self.take(slot));
        }
        None
    }

    /// Removes the items `which` selects, in arrival order.
    pub fn drain_where(
        &mut self,
        mut which: impl FnMut(&PendingEscalation) -> bool,
    ) -> Vec<PendingEscalation> {
        let chosen: Vec<u32> = self
            .order
            .live(&self.slots)
            .filter(|&(_, slot)| which(self.item(slot)))
            .map(|(_, slot)| slot)
            .collect();
        chosen.into_iter().map(|slot| self.take(slot)).collect()
    }

    /// Removes the items a kill switch of `scope` covers, in arrival order,
    /// reading only those (through the agent and action-type indexes).
    pub fn drain_scope(&mut self, scope: KillScope) -> Vec<PendingEscalation> {
        let listed = match scope {
            KillScope::Global => Some(&self.order),
            KillScope::Agent(agent) => self.by_agent.get(agent.0),
            KillScope::ActionType(action) => self.by_action.get(action.0),
        };
        let chosen: Vec<u32> = listed
            .map(|listed| listed.live(&self.slots).map(|(_, slot)| slot).collect())
            .unwrap_or_default();
        chosen.into_iter().map(|slot| self.take(slot)).collect()
    }

    /// Waiting items, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &PendingEscalation> {
        self.order
            .live(&self.slots)
            .map(|(_, slot)| self.item(slot))
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
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
    fn an_item_in_a_reused_slot_keeps_its_own_deadline() {
        // The first item leaves early; the second takes its slot with a
        // later deadline; the first's deadline entry must not expire it.
        let mut queue = EscalationQueue::default();
        queue.push(pending(1, 100));
        queue.push(pending(2, 150));
        assert!(queue.remove(pending(1, 100).request.id).is_some());
        queue.push(pending(3, 500));
        assert_eq!(
            queue.pop_expired(Timestamp(200)).map(|p| p.request.id),
            Some(pending(2, 150).request.id)
        );
        assert!(queue.pop_expired(Timestamp(499)).is_none());
        assert_eq!(queue.len(), 1);
        assert_eq!(
            queue.iter().map(|p| p.request.id).collect::<Vec<_>>(),
            [pending(3, 500).request.id]
        );
        assert_eq!(
            queue.pop_expired(Timestamp(500)).map(|p| p.request.id),
            Some(pending(3, 500).request.id)
        );
        assert!(queue.is_empty());
    }

    #[test]
    fn the_agent_and_action_lists_stay_within_twice_what_waits() {
        // Items leave in any order: by deadline, by review, by a kill switch.
        // 201 items: an odd count, so the deadline heap's size never meets
        // its bound exactly on the way down.
        let mut queue = EscalationQueue::default();
        for n in 1..=201u8 {
            queue.push(pending(n, u64::from(n)));
        }
        let listed = |queue: &EscalationQueue| {
            queue
                .by_agent
                .values()
                .chain(queue.by_action.values())
                .chain([&queue.order])
                .map(|listed| listed.entries.len())
                .max()
                .unwrap_or(0)
        };
        // Reviews take two items in three, none of them at the top of the
        // deadline heap, so only rebuilding keeps the heap in bounds.
        for n in (1..=201u8).filter(|n| n % 3 != 1) {
            queue.remove(pending(n, u64::from(n)).request.id);
            assert!(listed(&queue) <= 2 * queue.len() + 1, "{}", listed(&queue));
            assert!(queue.by_deadline.len() <= 2 * queue.len() + 65);
        }
        while queue.pop_expired(Timestamp(u64::MAX)).is_some() {
            assert!(listed(&queue) <= 2 * queue.len() + 1, "{}", listed(&queue));
            assert!(queue.by_deadline.len() <= 2 * queue.len() + 65);
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

    /// What a test does to the queue.
    #[cfg(not(target_arch = "wasm32"))]
    #[derive(Clone, Debug)]
    enum Op {
        Push {
            deadline: u64,
            agent: u32,
            action: u32,
        },
        Remove(usize),
        Expire(u64),
        Drain(KillScope),
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            4 => (0..50u64, 0..3u32, 0..3u32)
                .prop_map(|(deadline, agent, action)| Op::Push { deadline, agent, action }),
            2 => any::<usize>().prop_map(Op::Remove),
            2 => (0..60u64).prop_map(Op::Expire),
            1 => prop_oneof![
                Just(KillScope::Global),
                (0..3u32).prop_map(|a| KillScope::Agent(AgentId(a))),
                (0..3u32).prop_map(|a| KillScope::ActionType(ActionType(a))),
            ]
            .prop_map(Op::Drain),
        ]
    }

    // proptest is a native dev-dependency only.
    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Against a plain list in arrival order: the same items leave in
        /// the same order whatever the mix of reviews, timeouts and kill
        /// switches (slots reused, index entries left stale), and the
        /// indexes stay within twice what waits.
        #[test]
        fn the_queue_behaves_as_a_list_in_arrival_order(ops in proptest::collection::vec(op(), 1..300)) {
            let mut queue = EscalationQueue::default();
            let mut model: Vec<PendingEscalation> = Vec::new();
            for op in ops {
                match op {
                    Op::Push { deadline, agent, action } => {
                        let mut item = pending(0, deadline);
                        item.request.id = RequestId(uuid::Uuid::from_u128(u128::from(queue.next_arrival) + 1));
                        item.request.agent = AgentId(agent);
                        item.request.action = ActionType(action);
                        queue.push(item.clone());
                        model.push(item);
                    }
                    Op::Remove(pick) => {
                        if !model.is_empty() {
                            let expected = model.remove(pick % model.len());
                            proptest::prop_assert_eq!(queue.remove(expected.request.id), Some(expected));
                        }
                    }
                    Op::Expire(now) => loop {
                        // The earliest deadline first; among equal deadlines, the
                        // earliest arrival.
                        let due = model
                            .iter()
                            .enumerate()
                            .filter(|(_, p)| p.deadline.0 <= now)
                            .min_by_key(|(i, p)| (p.deadline, *i))
                            .map(|(i, _)| i);
                        let expired = queue.pop_expired(Timestamp(now));
                        match due {
                            None => {
                                proptest::prop_assert!(expired.is_none());
                                break;
                            }
                            Some(i) => proptest::prop_assert_eq!(expired, Some(model.remove(i))),
                        }
                    },
                    Op::Drain(scope) => {
                        let (taken, kept): (Vec<_>, Vec<_>) = model
                            .drain(..)
                            .partition(|p| scope.covers(p.request.agent, p.request.action));
                        model = kept;
                        proptest::prop_assert_eq!(queue.drain_scope(scope), taken);
                    }
                }
                proptest::prop_assert_eq!(queue.len(), model.len());
                proptest::prop_assert!(queue.iter().eq(model.iter()));
                proptest::prop_assert!(queue.by_deadline.len() <= 2 * queue.len() + 65);
                for listed in queue.by_agent.values().chain(queue.by_action.values()).chain([&queue.order]) {
                    proptest::prop_assert!(listed.entries.len() <= 2 * queue.len() + 1);
                    // Only items that left come before where a list's live
                    // entries begin.
                    proptest::prop_assert!(listed.entries[..listed.start]
                        .iter()
                        .all(|&entry| !is_live(&queue.slots, entry)));
                }
            }
        }
    }
}

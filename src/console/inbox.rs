//! The inbox as the reviewer sees it: which waiting requests are listed, in
//! what order, and what happened to one that left while they were reading.
//!
//! Invariants:
//! - While the list is *held* (the pointer or the keyboard focus is in it),
//!   nothing moves under the reader: no entry is added, none changes place,
//!   and an entry whose request left the queue (a timeout, the kill switch, a
//!   decision in another tab) stays where it was, marked as gone. Arrivals
//!   are only counted ([`InboxList::new_count`]) until the reader asks for
//!   them ([`InboxList::show_new`]) or lets go.
//! - An entry the reader decided leaves at once: they moved on from it.
//! - Released, the list is the live queue in arrival order, at most `limit`
//!   entries, each built once for as long as it stays listed.

use super::Speed;
use crate::governance::{Clock, ControlPlane, Millis, RequestId};

/// The waiting requests within the inbox's filters, `policy` (the policy that
/// escalated) and `action` (the action type), each empty for any: the first
/// `limit` ids in arrival order, and how many match in all.
pub fn filtered_queue<C: Clock>(
    plane: &ControlPlane<C>,
    policy: &str,
    action: &str,
    limit: usize,
) -> (Vec<RequestId>, usize) {
    // Unfiltered, the count is the queue's: reading every waiting item on
    // every redraw cost more than a frame with a long queue.
    if policy.is_empty() && action.is_empty() {
        let first = plane
            .pending_escalations()
            .take(limit)
            .map(|pending| pending.request.id)
            .collect();
        return (first, plane.escalation_stats().pending);
    }
    let mut first = Vec::new();
    let mut total = 0;
    for pending in plane.pending_escalations() {
        let matches = (policy.is_empty() || pending.escalation.decided_by.policy_name() == policy)
            && (action.is_empty() || **plane.action_name(pending.request.action) == *action);
        if matches {
            if first.len() < limit {
                first.push(pending.request.id);
            }
            total += 1;
        }
    }
    (first, total)
}

/// Whether a request with `left` of its `window` (escalation to deadline)
/// remaining should stand out: the last quarter.
pub fn is_urgent(left: Millis, window: Millis) -> bool {
    left.0.saturating_mul(4) <= window.0
}

/// How long `left` of virtual time lasts in real time at `speed`, when that
/// differs from the countdown: "about 1.2 s at 10×".
pub fn real_time_left(left: Millis, speed: Speed) -> Option<String> {
    let factor = match speed {
        Speed::X1 => return None,
        Speed::X10 => 10,
        Speed::X100 => 100,
        Speed::Max => return Some("moments at Max".to_owned()),
    };
    let tenths = (left.0 / factor).div_ceil(100);
    Some(format!(
        "about {}.{} s at {}",
        tenths / 10,
        tenths % 10,
        speed.label()
    ))
}

/// One listed request and, once it left the queue, why.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry<T> {
    pub id: RequestId,
    pub item: T,
    /// Set once the request no longer waits.
    pub gone: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InboxList<T> {
    entries: Vec<Entry<T>>,
    held: bool,
    /// Waiting requests (within the filter) that are not listed.
    new: usize,
    limit: usize,
}

impl<T: Clone> InboxList<T> {
    pub fn new(limit: usize) -> InboxList<T> {
        InboxList {
            entries: Vec::new(),
            held: false,
            new: 0,
            limit,
        }
    }

    pub fn entries(&self) -> &[Entry<T>] {
        &self.entries
    }

    pub fn is_held(&self) -> bool {
        self.held
    }

    /// Requests that showing the new ones would list: arrivals (and, when
    /// some left, waiting ones beyond the limit) not listed while held.
    pub fn new_count(&self) -> usize {
        self.new
    }

    /// Brings the list up to date with the queue: `first`, its first waiting
    /// requests in arrival order (at least `limit` of them when there are),
    /// `total` waiting in all, and `waiting`, whether a request still waits.
    /// `make` builds an entry's item the first time it is listed.
    pub fn update(
        &mut self,
        first: &[RequestId],
        total: usize,
        waiting: impl Fn(RequestId) -> bool,
        make: impl FnMut(RequestId) -> T,
    ) {
        if self.held {
            for entry in &mut self.entries {
                entry.gone = !waiting(entry.id);
            }
            // Those that showing the new ones would add: the list never holds
            // more than `limit`, however many wait beyond it.
            let listed = self.entries.iter().filter(|e| !e.gone).count();
            self.new = total.min(self.limit).saturating_sub(listed);
        } else {
            self.relist(first, make);
        }
    }

    /// Holds the list still (pointer or focus came in) or lets it follow the
    /// queue again (both left); a release relists on the next update.
    pub fn hold(&mut self, held: bool) {
        self.held = held;
    }

    /// Lists what arrived meanwhile and drops what left, still held.
    pub fn show_new(&mut self, live: &[RequestId], make: impl FnMut(RequestId) -> T) {
        self.relist(live, make);
    }

    /// Takes out an entry the reader decided and says which to select next:
    /// the one that took its place, or the one before when it was the last.
    pub fn decided(&mut self, id: RequestId) -> Option<RequestId> {
        let position = self.entries.iter().position(|e| e.id == id)?;
        self.entries.remove(position);
        self.entries
            .get(position)
            .or_else(|| self.entries.last())
            .map(|e| e.id)
    }

    fn relist(&mut self, live: &[RequestId], mut make: impl FnMut(RequestId) -> T) {
        let previous = std::mem::take(&mut self.entries);
        self.entries = live
            .iter()
            .take(self.limit)
            .map(|&id| {
                let item = previous
                    .iter()
                    .find(|e| e.id == id)
                    .map(|e| e.item.clone())
                    .unwrap_or_else(|| make(id));
                Entry {
                    id,
                    item,
                    gone: false,
                }
            })
            .collect();
        self.new = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: u128) -> Vec<RequestId> {
        (1..=n)
            .map(|i| RequestId(uuid::Uuid::from_u128(i)))
            .collect()
    }

    /// Updates `list` from `live`, the whole queue in arrival order.
    fn update(list: &mut InboxList<u128>, live: &[RequestId]) {
        list.update(
            live,
            live.len(),
            |id| live.contains(&id),
            |id| id.0.as_u128(),
        );
    }

    fn listed(list: &InboxList<u128>) -> Vec<(u128, bool)> {
        list.entries().iter().map(|e| (e.item, e.gone)).collect()
    }

    #[test]
    fn the_queue_is_filtered_by_policy_and_action_type_and_cut_at_the_limit() {
        use crate::governance::{GovernanceConfig, ManualClock, RequestInput};
        let config = GovernanceConfig {
            escalation_timeout_secs: 3_600.0,
            ..GovernanceConfig::default()
        };
        let mut plane = ControlPlane::new(config, ManualClock::default()).unwrap();
        let all = ids(6);
        for (i, id) in all.iter().enumerate() {
            // email waits for approval by default; api_call runs.
            let action = if i % 3 == 2 { "api_call" } else { "email" };
            plane.submit(&RequestInput::new(*id, "agent", action, 0.01));
        }
        let emails = [all[0], all[1], all[3], all[4]];
        assert_eq!(filtered_queue(&plane, "", "", 10), (emails.to_vec(), 4));
        // Unfiltered, the first few and the whole count.
        assert_eq!(filtered_queue(&plane, "", "", 2), (emails[..2].to_vec(), 4));
        assert_eq!(
            filtered_queue(&plane, "", "email", 3),
            (emails[..3].to_vec(), 4)
        );
        assert_eq!(filtered_queue(&plane, "", "api_call", 10), (vec![], 0));
        let policy = plane
            .pending_escalation(all[0])
            .unwrap()
            .escalation
            .decided_by
            .policy_name()
            .to_owned();
        assert_eq!(
            filtered_queue(&plane, &policy, "email", 10),
            (emails.to_vec(), 4)
        );
        assert_eq!(filtered_queue(&plane, "budget", "", 10), (vec![], 0));
    }

    #[test]
    fn the_last_quarter_of_the_wait_is_urgent() {
        assert!(!is_urgent(Millis(75_001), Millis(300_000)));
        assert!(is_urgent(Millis(75_000), Millis(300_000)));
        assert!(is_urgent(Millis(0), Millis(300_000)));
    }

    #[test]
    fn the_countdown_says_how_long_it_lasts_in_real_time() {
        assert_eq!(real_time_left(Millis(12_000), Speed::X1), None);
        assert_eq!(
            real_time_left(Millis(12_000), Speed::X10).as_deref(),
            Some("about 1.2 s at 10×")
        );
        assert_eq!(
            real_time_left(Millis(12_001), Speed::X100).as_deref(),
            Some("about 0.2 s at 100×")
        );
        assert_eq!(
            real_time_left(Millis(61_000), Speed::X10).as_deref(),
            Some("about 6.1 s at 10×")
        );
    }

    #[test]
    fn released_the_list_is_the_live_queue_up_to_the_limit() {
        let all = ids(5);
        let mut list = InboxList::new(3);
        update(&mut list, &all);
        assert_eq!(listed(&list), vec![(1, false), (2, false), (3, false)]);
        update(&mut list, &all[1..]);
        assert_eq!(listed(&list), vec![(2, false), (3, false), (4, false)]);
        assert_eq!(list.new_count(), 0);
    }

    #[test]
    fn held_the_list_keeps_its_order_marks_what_left_and_counts_arrivals() {
        let all = ids(6);
        let mut list = InboxList::new(10);
        update(&mut list, &all[..3]);
        list.hold(true);
        // Request 2 timed out; 4, 5 and 6 arrived.
        let live = [all[0], all[2], all[3], all[4], all[5]];
        list.update(
            &live,
            5,
            |id| live.contains(&id),
            |_| unreachable!("nothing is listed while held"),
        );
        assert_eq!(listed(&list), vec![(1, false), (2, true), (3, false)]);
        assert_eq!(list.new_count(), 3);
        // Let go: the list follows the queue again.
        list.hold(false);
        update(&mut list, &live);
        assert_eq!(
            listed(&list),
            vec![(1, false), (3, false), (4, false), (5, false), (6, false)]
        );
        assert_eq!(list.new_count(), 0);
    }

    #[test]
    fn held_at_the_limit_nothing_beyond_it_counts_as_new() {
        let all = ids(10);
        let mut list = InboxList::new(3);
        update(&mut list, &all[..5]);
        list.hold(true);
        update(&mut list, &all);
        assert_eq!(list.new_count(), 0, "the three listed still wait");
        // One listed left: showing would list one more.
        let live: Vec<RequestId> = all.iter().copied().filter(|&id| id != all[1]).collect();
        update(&mut list, &live);
        assert_eq!(list.new_count(), 1);
    }

    #[test]
    fn showing_the_new_ones_lists_them_while_still_held() {
        let all = ids(3);
        let mut list = InboxList::new(10);
        update(&mut list, &all[..1]);
        list.hold(true);
        update(&mut list, &all[1..]);
        assert_eq!(list.new_count(), 2);
        list.show_new(&all[1..], |id| id.0.as_u128());
        assert_eq!(listed(&list), vec![(2, false), (3, false)]);
        assert!(list.is_held());
        assert_eq!(list.new_count(), 0);
    }

    #[test]
    fn an_item_is_built_once_while_it_stays_listed() {
        let all = ids(3);
        let mut list = InboxList::new(10);
        let mut built = 0;
        list.update(
            &all,
            3,
            |_| true,
            |id| {
                built += 1;
                id.0.as_u128()
            },
        );
        list.update(&all[1..], 2, |_| true, |_| panic!("already listed"));
        assert_eq!(built, 3);
    }

    #[test]
    fn deciding_selects_the_next_entry_or_the_one_before_at_the_end() {
        let all = ids(3);
        let mut list = InboxList::new(10);
        update(&mut list, &all);
        list.hold(true);
        assert_eq!(list.decided(all[1]), Some(all[2]));
        assert_eq!(list.decided(all[2]), Some(all[0]));
        assert_eq!(list.decided(all[0]), None);
        assert_eq!(list.decided(all[0]), None, "not listed any more");
    }
}

//! The audit log's storage: one fixed-size row per record, in chunks.
//!
//! Invariants: a row is 56 bytes and is never moved once written. The trail
//! grows a chunk at a time, so a long trail is never copied to grow (a copy
//! of a million rows would stall the page), and at most one chunk is partly
//! empty. A row's time is its epoch's base plus a 32-bit offset; a new epoch
//! begins wherever an offset would not fit, so every time is kept exactly.

use super::parameters::NO_PARAMETERS;
use super::Kind;
use crate::governance::detectors::DataKinds;
use crate::governance::ids::{ActionType, AgentId};
use crate::governance::money::Money;
use crate::governance::risk::RiskLevel;
use crate::governance::time::Timestamp;

/// One record's fixed-size part: see `AuditLog` for what each field holds.
#[derive(Clone, Copy, Debug)]
pub(super) struct Row {
    pub(super) id: [u64; 2],
    pub(super) cost: Money,
    pub(super) figure: u64,
    /// Milliseconds after the epoch's base; set by [`Rows::push`].
    pub(super) offset: u32,
    pub(super) agent: AgentId,
    pub(super) action: ActionType,
    pub(super) parameters: u32,
    pub(super) detail: u32,
    pub(super) detected: DataKinds,
    pub(super) kind: Kind,
    pub(super) risk: RiskLevel,
}

const _: () = assert!(std::mem::size_of::<Row>() == 56);

impl Row {
    /// A row about no request: what an event other than a decision fills
    /// in beside its `detail`.
    pub(super) const EMPTY: Row = Row {
        id: [0; 2],
        cost: Money::ZERO,
        figure: 0,
        offset: 0,
        agent: AgentId(0),
        action: ActionType(0),
        parameters: NO_PARAMETERS,
        detail: 0,
        detected: DataKinds::EMPTY,
        kind: Kind::Other,
        risk: RiskLevel::Low,
    };
}

/// Rows per chunk: 229 KB of them.
const CHUNK: usize = 4_096;

#[derive(Clone, Debug, Default)]
pub(super) struct Rows {
    chunks: Vec<Vec<Row>>,
    len: usize,
    /// Where each epoch begins, and its base time, ascending.
    epochs: Vec<(usize, Timestamp)>,
}

impl Rows {
    /// Appends `row`, recorded at `at` (never before the last row's time).
    pub(super) fn push(&mut self, at: Timestamp, mut row: Row) {
        debug_assert!(
            self.last_at().is_none_or(|last| last <= at),
            "timestamps never decrease"
        );
        let offset = self
            .epochs
            .last()
            .and_then(|&(_, base)| u32::try_from(at.0 - base.0).ok());
        row.offset = match offset {
            Some(offset) => offset,
            None => {
                self.epochs.push((self.len, at));
                0
            }
        };
        if self.chunks.len() * CHUNK == self.len {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        self.chunks[self.len / CHUNK].push(row);
        self.len += 1;
    }

    /// Drops every row, keeping the first chunk's room for the rows to come.
    pub(super) fn clear(&mut self) {
        self.chunks.truncate(1);
        if let Some(chunk) = self.chunks.first_mut() {
            chunk.clear();
        }
        self.len = 0;
        self.epochs.clear();
    }

    /// The row at position `seq`.
    ///
    /// # Panics
    /// When there is none.
    pub(super) fn get(&self, seq: usize) -> &Row {
        assert!(seq < self.len, "no audit record {seq}");
        &self.chunks[seq / CHUNK][seq % CHUNK]
    }

    /// When the record at position `seq` happened.
    pub(super) fn at(&self, seq: usize) -> Timestamp {
        let row = self.get(seq);
        let epoch = self.epochs.partition_point(|&(first, _)| first <= seq) - 1;
        Timestamp(self.epochs[epoch].1 .0 + u64::from(row.offset))
    }

    fn last_at(&self) -> Option<Timestamp> {
        self.len.checked_sub(1).map(|seq| self.at(seq))
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The bytes the rows take, unused room included.
    pub(super) fn footprint(&self) -> usize {
        self.chunks.capacity() * std::mem::size_of::<Vec<Row>>()
            + self
                .chunks
                .iter()
                .map(|chunk| chunk.capacity() * std::mem::size_of::<Row>())
                .sum::<usize>()
            + self.epochs.capacity() * std::mem::size_of::<(usize, Timestamp)>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> Row {
        Row::EMPTY
    }

    #[test]
    fn every_time_is_kept_exactly_across_epochs_and_chunks() {
        let mut rows = Rows::default();
        let mut times = Vec::new();
        let mut at = 5u64;
        for i in 0..(3 * CHUNK + 17) {
            // Small steps, and now and then a gap no 32-bit offset spans.
            at += match i % 1_000 {
                999 => u64::from(u32::MAX) + 1,
                500 => u64::from(u32::MAX),
                _ => (i % 3) as u64,
            };
            let mut r = row();
            r.detail = i as u32;
            rows.push(Timestamp(at), r);
            times.push(at);
        }
        rows.push(Timestamp(u64::MAX), row());
        times.push(u64::MAX);
        assert_eq!(rows.len(), times.len());
        for (seq, &at) in times.iter().enumerate() {
            assert_eq!(rows.at(seq), Timestamp(at), "record {seq}");
            if seq < times.len() - 1 {
                assert_eq!(rows.get(seq).detail, seq as u32);
            }
        }
        assert!(rows.epochs.len() > 3, "gaps began new epochs");
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "timestamps never decrease")]
    fn a_time_before_the_last_row_s_is_refused() {
        let mut rows = Rows::default();
        rows.push(Timestamp(10), row());
        rows.push(Timestamp(9), row());
    }
}

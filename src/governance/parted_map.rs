//! A hash map kept in parts, for the maps that grow with every request.
//!
//! Invariants: a key lives in exactly one part, chosen from the key alone, so
//! the map behaves as one map (what is inserted is found, whatever else was
//! inserted); and each part grows on its own. A hash map grows by moving
//! every entry into a table twice the size, all at once: a map of a million
//! request ids took tens of milliseconds to grow (80 ms for 150 MB on these
//! machines), a stall in the middle of a frame of the page. A part holds
//! about a 64th of the entries, so growing one costs about a 64th of that.
//! Keys an agent chose (request ids) may all fall in one part; that part
//! then grows as the whole map would have, which is slower but never wrong.

use crate::governance::fast_hash::FastMap;
use crate::governance::ids::RequestId;
use std::hash::Hash;

const PARTS: usize = 64;

/// How a key picks its part: any function of the key alone.
pub trait PartKey: Hash + Eq {
    fn part(&self) -> usize;
}

impl PartKey for RequestId {
    fn part(&self) -> usize {
        let (high, low) = self.0.as_u64_pair();
        (high ^ low) as usize % PARTS
    }
}

impl PartKey for u64 {
    /// Keys that are hashes already: their own low bits.
    fn part(&self) -> usize {
        *self as usize % PARTS
    }
}

#[derive(Clone, Debug)]
pub struct PartedMap<K, V> {
    parts: Vec<FastMap<K, V>>,
}

impl<K, V> Default for PartedMap<K, V> {
    fn default() -> Self {
        PartedMap {
            parts: (0..PARTS).map(|_| FastMap::default()).collect(),
        }
    }
}

impl<K: PartKey, V> PartedMap<K, V> {
    /// Inserts `value` under `key`; the value it replaces, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.parts[key.part()].insert(key, value)
    }

    /// Inserts `value` under `key` unless the key is present; true when
    /// inserted.
    pub fn insert_new(&mut self, key: K, value: V) -> bool {
        let part = &mut self.parts[key.part()];
        match part.entry(key) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(value);
                true
            }
        }
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.parts[key.part()].get(key)
    }

    pub fn contains_key(&self, key: &K) -> bool {
        self.parts[key.part()].contains_key(key)
    }

    pub fn clear(&mut self) {
        self.parts.iter_mut().for_each(FastMap::clear);
    }

    /// Entries the parts have room for, unused room included.
    pub fn capacity(&self) -> usize {
        self.parts.iter().map(FastMap::capacity).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // proptest is a native dev-dependency only.
    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// The parted map answers as one map does, for ids that crowd into
        /// one part as for any others.
        #[test]
        fn answers_as_one_map(ops in proptest::collection::vec((0u128..200, proptest::bool::ANY, 0u32..5), 1..400),
                              crowd in proptest::bool::ANY) {
            let id = |n: u128| RequestId(uuid::Uuid::from_u128(if crowd { n << 64 | n } else { n }));
            let mut parted = PartedMap::default();
            let mut one = std::collections::HashMap::new();
            for (n, insert, value) in ops {
                if insert {
                    proptest::prop_assert_eq!(parted.insert(id(n), value), one.insert(id(n), value));
                } else {
                    proptest::prop_assert_eq!(parted.insert_new(id(n), value), !one.contains_key(&id(n)));
                    one.entry(id(n)).or_insert(value);
                }
                proptest::prop_assert_eq!(parted.get(&id(n)), one.get(&id(n)));
                proptest::prop_assert_eq!(parted.contains_key(&id(n + 1)), one.contains_key(&id(n + 1)));
            }
            proptest::prop_assert!(parted.capacity() >= one.len());
        }
    }

    #[test]
    fn a_part_holds_a_share_of_sequential_and_random_ids() {
        let mut map = PartedMap::default();
        for n in 0..64_000u128 {
            map.insert(RequestId(uuid::Uuid::from_u128(n)), ());
            map.insert(
                RequestId(uuid::Uuid::from_u128(
                    n.wrapping_mul(0x9E37_79B9_7F4A_7C15) << 40,
                )),
                (),
            );
        }
        let largest = map.parts.iter().map(|part| part.len()).max().unwrap();
        assert!(largest < 2 * 128_000 / PARTS, "largest part {largest}");
    }
}

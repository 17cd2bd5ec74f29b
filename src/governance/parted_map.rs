//! A hash map kept in parts, for the maps that grow with every request.
//!
//! Invariants: a key lives in exactly one part, chosen from the key alone, so
//! the map behaves as one map (what is inserted is found, whatever else was
//! inserted); and each part grows on its own. A hash map grows by moving
//! every entry into a table twice the size, all at once: a map of a million
//! request ids took tens of milliseconds to grow (80 ms for 150 MB on these
//! machines), a stall in the middle of a frame of the page. A part holds
//! about a 256th of the entries, so growing one costs about a 256th of that:
//! with 64 parts, the parts of the used ids growing past 3.7 million still
//! made slices of the simulation of 5 to 10 ms (`governance-bench`).
//! Keys an agent chose (request ids) may all fall in one part; that part
//! then grows as the whole map would have, which is slower but never wrong.
//! Ids as generators make them (random, numbered in order, time-based)
//! spread evenly.

use crate::governance::fast_hash::FastMap;
use crate::governance::ids::RequestId;
use std::hash::Hash;

const PARTS: usize = 256;
// A request id's part is the top bits of a product: a power of two, and at
// least two (a shift by 64 would overflow).
const _: () = assert!(PARTS.is_power_of_two() && PARTS >= 2);

/// How a key picks its part: any function of the key alone.
pub trait PartKey: Hash + Eq {
    fn part(&self) -> usize;
}

impl PartKey for RequestId {
    /// The top bits of the id's halves, mixed by a multiplication (Fibonacci
    /// hashing), so every bit of the id counts: time-based ids (UUID
    /// version 1, as imported traffic may carry) keep their last bytes
    /// constant and all fell in one part when the part was their low bits.
    fn part(&self) -> usize {
        let (high, low) = self.0.as_u64_pair();
        ((high ^ low).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PARTS.ilog2())) as usize
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

    /// Removes `key`; its value, if it was present.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.parts[key.part()].remove(key)
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

        /// Removing answers as one map does, and a removed key is gone.
        #[test]
        fn removes_as_one_map(ops in proptest::collection::vec((0u128..100, proptest::bool::ANY), 1..400),
                              crowd in proptest::bool::ANY) {
            let id = |n: u128| RequestId(uuid::Uuid::from_u128(if crowd { n << 64 | n } else { n }));
            let mut parted = PartedMap::default();
            let mut one = std::collections::HashMap::new();
            for (n, insert) in ops {
                if insert {
                    proptest::prop_assert_eq!(parted.insert(id(n), n), one.insert(id(n), n));
                } else {
                    proptest::prop_assert_eq!(parted.remove(&id(n)), one.remove(&id(n)));
                    proptest::prop_assert!(!parted.contains_key(&id(n)));
                }
                proptest::prop_assert_eq!(parted.get(&id(n + 1)), one.get(&id(n + 1)));
            }
        }
    }

    /// A fixed sequence of well-mixed 64-bit numbers (splitmix64).
    fn mixed(n: u64) -> u64 {
        let mut z = n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn largest_part<K, V>(map: &PartedMap<K, V>) -> usize {
        map.parts.iter().map(|part| part.len()).max().unwrap_or(0)
    }

    #[test]
    fn a_part_holds_about_its_share_of_request_ids() {
        // Ids numbered in order (as a replay's) and random ones (as
        // agents' version 4 ids), 64,000 of each.
        let (mut sequential, mut random) = (PartedMap::default(), PartedMap::default());
        for n in 0..64_000u64 {
            sequential.insert(RequestId(uuid::Uuid::from_u128(u128::from(n))), ());
            let bits = u128::from(mixed(2 * n)) << 64 | u128::from(mixed(2 * n + 1));
            random.insert(RequestId(uuid::Uuid::from_u128(bits)), ());
        }
        // A part's share, and some room for chance.
        let share = 64_000 / PARTS;
        assert!(
            largest_part(&sequential) < share * 13 / 10,
            "{}",
            largest_part(&sequential)
        );
        assert!(
            largest_part(&random) < share * 13 / 10,
            "{}",
            largest_part(&random)
        );
    }

    #[test]
    fn time_based_request_ids_spread_over_the_parts() {
        // Version 1 UUIDs from one generator: the clock in the first half
        // (its fastest-moving part in the first four bytes), the clock
        // sequence and node, constant, in the second.
        // Clocks read at random moments, and a clock ticking one by one.
        for clock in [|n: u64| mixed(n) as u32, |n: u64| n as u32] {
            let mut ids = PartedMap::default();
            for n in 0..64_000u64 {
                let time_low = u128::from(clock(n)) << 96;
                let version_1 = 0x1000_u128 << 64;
                let clock_and_node = 0x8a4d_0242_ac12_0002_u128;
                ids.insert(
                    RequestId(uuid::Uuid::from_u128(time_low | version_1 | clock_and_node)),
                    (),
                );
            }
            let share = 64_000 / PARTS;
            assert!(
                largest_part(&ids) < share * 13 / 10,
                "{}",
                largest_part(&ids)
            );
        }
    }

    #[test]
    fn a_part_holds_about_its_share_of_hashes() {
        let mut hashes = PartedMap::default();
        for n in 0..64_000u64 {
            hashes.insert(mixed(n), ());
        }
        let share = 64_000 / PARTS;
        assert!(
            largest_part(&hashes) < share * 13 / 10,
            "{}",
            largest_part(&hashes)
        );
    }
}

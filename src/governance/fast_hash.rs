//! The maps and sets of the decision path.
//!
//! Invariants: nothing observable depends on their iteration order (every
//! report and export sorts or follows insertion order kept elsewhere); and
//! every map's seed is drawn from the platform's random source, so which
//! keys collide cannot be known in advance, in the browser as natively.
//!
//! They hash with foldhash instead of the standard SipHash: keys on the
//! decision path are small (interned ids, request ids, names), hashed several
//! times per request, and SipHash dominated their cost. Names and request ids
//! come from agents, so the seed matters. foldhash's own random state takes
//! its seed from addresses (of the stack, a function, an allocation) and the
//! clock: on `wasm32-unknown-unknown` there is no clock and the addresses are
//! the same at every page load, so every map in the page had the same seed
//! in every browser. [`RandomSeed`] takes one from the source UUIDs come
//! from (`crypto.getRandomValues` in the browser), once per thread, and gives
//! each map the next seed from there.

use std::cell::Cell;
use std::hash::BuildHasher;

pub type FastMap<K, V> = std::collections::HashMap<K, V, RandomSeed>;
pub type FastSet<K> = std::collections::HashSet<K, RandomSeed>;

/// foldhash with a seed of its own per map, from the platform's random
/// source.
#[derive(Clone, Debug)]
pub struct RandomSeed(foldhash::fast::FixedState);

impl Default for RandomSeed {
    fn default() -> RandomSeed {
        thread_local! {
            static NEXT: Cell<u64> = Cell::new(uuid::Uuid::new_v4().as_u64_pair().0);
        }
        // Consecutive maps get seeds an odd constant apart: all different.
        let seed = NEXT.with(|next| {
            let seed = next.get();
            next.set(seed.wrapping_add(0x9e37_79b9_7f4a_7c15));
            seed
        });
        RandomSeed(foldhash::fast::FixedState::with_seed(seed))
    }
}

impl BuildHasher for RandomSeed {
    type Hasher = foldhash::fast::FoldHasher<'static>;

    fn build_hasher(&self) -> Self::Hasher {
        self.0.build_hasher()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_map_hashes_with_a_seed_of_its_own() {
        let hashes: FastSet<u64> = (0..1_000)
            .map(|_| RandomSeed::default().hash_one("agent-7"))
            .collect();
        assert_eq!(hashes.len(), 1_000);
    }

    #[test]
    fn each_thread_starts_from_a_random_seed() {
        // Two threads that create the same maps in the same order: with a
        // seed from addresses or a counter they would agree.
        let first = || std::thread::spawn(|| RandomSeed::default().hash_one(7u64));
        let (a, b) = (first().join().unwrap(), first().join().unwrap());
        assert_ne!(a, b);
    }
}

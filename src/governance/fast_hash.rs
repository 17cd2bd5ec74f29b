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
//! in every browser. [`RandomSeed`] takes its seeds from the source UUIDs
//! come from (`crypto.getRandomValues` in the browser), once per thread:
//! the shared seed foldhash mixes into every hash, and a seed of its own for
//! each map. Both matter: with foldhash's fixed shared seed (its public
//! constants), any 16-byte key whose last eight bytes equal one of them
//! hashes to zero whatever the map's own seed, so request ids crafted that
//! way would all collide.

use foldhash::fast::{FoldHasher, SeedableRandomState};
use foldhash::SharedSeed;
use std::cell::Cell;
use std::hash::{BuildHasher, Hasher};

pub type FastMap<K, V> = std::collections::HashMap<K, V, RandomSeed>;
pub type FastSet<K> = std::collections::HashSet<K, RandomSeed>;

/// foldhash with this thread's random shared seed and a seed of its own per
/// map, both from the platform's random source.
#[derive(Clone, Debug)]
pub struct RandomSeed(SeedableRandomState);

impl Default for RandomSeed {
    fn default() -> RandomSeed {
        thread_local! {
            static SEEDS: (&'static SharedSeed, Cell<u64>) = {
                let (shared, first) = uuid::Uuid::new_v4().as_u64_pair();
                // Once per thread, for every map it makes: a few dozen bytes.
                (Box::leak(Box::new(SharedSeed::from_u64(shared))), Cell::new(first))
            };
        }
        SEEDS.with(|(shared, next)| {
            // Consecutive maps get seeds an odd constant apart: all different.
            let seed = next.get();
            next.set(seed.wrapping_add(0x9e37_79b9_7f4a_7c15));
            RandomSeed(SeedableRandomState::with_seed(seed, shared))
        })
    }
}

impl BuildHasher for RandomSeed {
    type Hasher = SeededHasher;

    fn build_hasher(&self) -> SeededHasher {
        SeededHasher(self.0.build_hasher())
    }
}

/// foldhash's hasher behind methods of our own. foldhash's are
/// `#[inline(always)]`, so each lookup of each map compiled its steps anew,
/// and with the shared seed read from memory rather than from constants that
/// cost 0.3 KB of the release wasm. These are inlined where the compiler
/// chooses: natively (speed) everywhere, as before; in the release wasm
/// (size) nowhere, which also took 1 KB off. Numbers of every width go
/// through `write_u64`.
pub struct SeededHasher(FoldHasher<'static>);

impl Hasher for SeededHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes)
    }

    fn write_u64(&mut self, n: u64) {
        self.0.write_u64(n)
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(n.into())
    }

    fn write_u16(&mut self, n: u16) {
        self.write_u64(n.into())
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(n.into())
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64)
    }

    fn finish(&self) -> u64 {
        self.0.finish()
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
    fn request_ids_crafted_against_the_public_constants_do_not_collide() {
        use crate::governance::ids::RequestId;
        // foldhash hashes a 16-byte key by multiplying (its first eight
        // bytes ^ the map's seed) by (its last eight ^ a shared constant):
        // with the public constants, these ids all hash to the same value.
        let constant = SharedSeed::global_fixed().clone();
        let crafted: Vec<RequestId> = (0..1_000u64)
            .map(|n| {
                let mut bytes = [0u8; 16];
                bytes[..8].copy_from_slice(&n.to_ne_bytes());
                bytes[8..].copy_from_slice(&0x3f84_d5b5_b547_0917u64.to_ne_bytes());
                RequestId(uuid::Uuid::from_bytes(bytes))
            })
            .collect();
        let fixed = SeedableRandomState::with_seed(7, Box::leak(Box::new(constant)));
        let under_fixed: FastSet<u64> = crafted.iter().map(|id| fixed.hash_one(id)).collect();
        assert_eq!(under_fixed.len(), 1, "the attack this test guards against");
        let seeded = RandomSeed::default();
        let under_ours: FastSet<u64> = crafted.iter().map(|id| seeded.hash_one(id)).collect();
        assert_eq!(under_ours.len(), crafted.len());
    }

    #[test]
    fn numbers_of_every_width_reach_the_hash() {
        // Keys that differ only in one number (an interned id, a length, an
        // enum's tag) must not all land in one bucket.
        let seeded = RandomSeed::default();
        assert_ne!(seeded.hash_one(1u8), seeded.hash_one(2u8));
        assert_ne!(seeded.hash_one(1u16), seeded.hash_one(2u16));
        assert_ne!(seeded.hash_one(1u32), seeded.hash_one(2u32));
        assert_ne!(seeded.hash_one(1u64), seeded.hash_one(2u64));
        assert_ne!(seeded.hash_one(1usize), seeded.hash_one(2usize));
        assert_ne!(seeded.hash_one("a"), seeded.hash_one("b"));
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

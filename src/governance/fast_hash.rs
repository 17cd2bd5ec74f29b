//! The maps and sets of the decision path.
//!
//! Invariant: nothing observable depends on their iteration order (every
//! report and export sorts or follows insertion order kept elsewhere).
//!
//! They hash with foldhash instead of the standard SipHash: keys on the
//! decision path are small (interned ids, request ids, names), hashed several
//! times per request, and SipHash dominated their cost. foldhash's random
//! seed per map keeps it resistant to inputs crafted to collide, as far as a
//! non-cryptographic hash can be; names and request ids come from agents.

pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

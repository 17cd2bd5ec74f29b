//! Identities: requests by UUID, agents and action types by interned name.
//!
//! Agent ids and action types arrive as strings but are compared on every
//! decision, so each distinct name is stored once and referred to by a dense
//! index. Dense indices also let per-agent aggregates live in a `Vec`.

use crate::governance::fast_hash::FastMap;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;
use uuid::Uuid;

/// A request's identity, chosen by whoever submits it (a UUID v4 in practice;
/// the simulation derives them from its seed so runs repeat exactly).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(pub Uuid);

impl RequestId {
    /// A version 4 UUID built from caller-supplied random bytes.
    pub fn from_random_bytes(bytes: [u8; 16]) -> RequestId {
        RequestId(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An agent, as an index into the control plane's agent names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgentId(pub(crate) u32);

/// An action type (`api_call`, `db_write`, or any user-defined name), as an
/// index into the control plane's action names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActionType(pub(crate) u32);

impl AgentId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl ActionType {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The action types every deployment knows; any other name is accepted too.
pub const BUILT_IN_ACTION_TYPES: [&str; 6] = [
    "api_call",
    "db_read",
    "db_write",
    "email",
    "code_exec",
    "deploy",
];

pub use super::names::MAX_NAME_LEN;

/// Distinct strings, each stored once, numbered in order of first sight.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    names: Vec<Arc<str>>,
    index: FastMap<Arc<str>, u32>,
}

impl Interner {
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 2^32 distinct names");
        let name: Arc<str> = Arc::from(name);
        self.names.push(name.clone());
        self.index.insert(name, id);
        id
    }

    pub fn get(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    pub fn name(&self, id: u32) -> &Arc<str> {
        &self.names[id as usize]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_the_same_name_twice_gives_one_id() {
        let mut names = Interner::default();
        let a = names.intern("agent-1");
        let b = names.intern("agent-2");
        assert_eq!(names.intern("agent-1"), a);
        assert_ne!(a, b);
        assert_eq!(&**names.name(b), "agent-2");
        assert_eq!(names.len(), 2);
    }

    #[test]
    fn request_ids_from_bytes_are_version_4() {
        let id = RequestId::from_random_bytes([7; 16]);
        assert_eq!(id.0.get_version_num(), 4);
    }
}

//! The audit log's parameters: each distinct parameter object kept once.
//!
//! Invariants: what is stored under an index is handed back equal; an object
//! equal to one stored before gets that one's index, so the templates a
//! simulated persona repeats, and the repeats in imported traffic, are kept
//! once however many records carry them. A hash collision costs a second
//! copy, never a wrong one: a candidate is compared whole before it is
//! shared.

use crate::governance::parted_map::PartedMap;
use crate::governance::request::Parameters;
use serde_json::Value;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

/// The index of "no parameters" (an empty object).
pub(super) const NO_PARAMETERS: u32 = u32::MAX;

#[derive(Clone, Debug, Default)]
pub(super) struct ParameterStore {
    values: Vec<Parameters>,
    /// The first index stored under each content hash.
    by_hash: PartedMap<u64, u32>,
    hasher: crate::governance::fast_hash::RandomSeed,
    empty: Parameters,
}

impl ParameterStore {
    /// Keeps `parameters` (or the equal object already kept) and returns its
    /// index.
    pub(super) fn store(&mut self, parameters: Parameters) -> u32 {
        if parameters.is_empty() {
            return NO_PARAMETERS;
        }
        let hash = self.hasher.hash_one(Content::Object(&parameters));
        if let Some(&index) = self.by_hash.get(&hash) {
            let kept = &self.values[index as usize];
            if Arc::ptr_eq(kept, &parameters) || **kept == *parameters {
                return index;
            }
        }
        let index = u32::try_from(self.values.len()).expect("fewer than 2^32 parameter objects");
        self.values.push(parameters);
        self.by_hash.insert_new(hash, index);
        index
    }

    pub(super) fn get(&self, index: u32) -> Parameters {
        match index {
            NO_PARAMETERS => self.empty.clone(),
            index => self.values[index as usize].clone(),
        }
    }

    pub(super) fn clear(&mut self) {
        self.values.clear();
        self.by_hash.clear();
    }

    /// The bytes of the index and of the references, unused room included
    /// (the objects themselves are shared with the requests).
    pub(super) fn footprint(&self) -> usize {
        self.values.capacity() * std::mem::size_of::<Parameters>()
            + self.by_hash.capacity() * (std::mem::size_of::<(u64, u32)>() + 1)
    }
}

/// A JSON value hashed by its content, consistently with its equality (equal
/// values hash alike; long texts by their length and ends).
enum Content<'a> {
    Value(&'a Value),
    Object(&'a serde_json::Map<String, Value>),
}

impl Hash for Content<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let value = match self {
            Content::Object(map) => {
                // Depth is bounded: the control plane does not keep
                // parameters nested past its limit.
                state.write_usize(map.len());
                for (key, value) in map.iter() {
                    hash_text(key, state);
                    Content::Value(value).hash(state);
                }
                return;
            }
            Content::Value(value) => value,
        };
        std::mem::discriminant(*value).hash(state);
        match value {
            Value::Null => {}
            Value::Bool(b) => b.hash(state),
            Value::Number(n) => {
                // Equal numbers have equal representations: the same variant
                // and payload.
                n.as_u64().hash(state);
                n.as_i64().hash(state);
                n.as_f64().map(f64::to_bits).hash(state);
            }
            Value::String(s) => hash_text(s, state),
            Value::Array(items) => {
                state.write_usize(items.len());
                for item in items {
                    Content::Value(item).hash(state);
                }
            }
            Value::Object(map) => Content::Object(map).hash(state),
        }
    }
}

/// A text's length and its ends: enough to tell apart the objects that
/// differ, at a cost that does not grow with long texts (the objects that
/// share a hash are compared whole anyway).
fn hash_text<H: Hasher>(text: &str, state: &mut H) {
    let bytes = text.as_bytes();
    state.write_usize(bytes.len());
    if bytes.len() <= 32 {
        state.write(bytes);
    } else {
        state.write(&bytes[..16]);
        state.write(&bytes[bytes.len() - 16..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Parameters {
        Arc::new(value.as_object().unwrap().clone())
    }

    #[test]
    fn equal_objects_are_kept_once_and_every_object_comes_back_equal() {
        let mut store = ParameterStore::default();
        let samples = [
            json!({"query": "SELECT 1", "n": 1}),
            json!({"n": 1, "query": "SELECT 1"}),
            json!({"query": "SELECT 1", "n": 1.0}),
            json!({"query": "SELECT 1", "n": -1}),
            json!({"nested": [1, {"a": null}], "flag": true}),
            json!({"nested": [1, {"a": false}], "flag": true}),
            json!({"nested": [{"a": null}, 1], "flag": true}),
            json!({}),
        ];
        let mut indexes = Vec::new();
        for round in 0..3 {
            for sample in &samples {
                let index = store.store(object(sample.clone()));
                assert_eq!(*store.get(index), *object(sample.clone()), "round {round}");
                indexes.push(index);
            }
        }
        // The first two are the same object written in another order; the
        // rest differ from each other; the empty object is no parameters.
        let first: Vec<u32> = indexes[..samples.len()].to_vec();
        assert_eq!(first[0], first[1]);
        let mut distinct = first[1..].to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), samples.len() - 1);
        assert_eq!(first[7], NO_PARAMETERS);
        assert_eq!(
            indexes[samples.len()..],
            [first.clone(), first].concat()[..]
        );
        assert_eq!(store.values.len(), samples.len() - 2);
    }

    #[test]
    fn objects_that_differ_only_in_a_text_are_told_apart_and_each_kept_once() {
        let mut store = ParameterStore::default();
        let long = "x".repeat(40);
        let texts = [
            "a".to_owned(),
            "b".to_owned(),
            format!("{long}1"),
            format!("{long}2"),
            format!("1{long}"),
            format!("2{long}"),
        ];
        let objects: Vec<Value> = texts
            .iter()
            .flat_map(|text| [json!({ "k": text }), json!({ text.as_str(): 1 })])
            .collect();
        for _ in 0..3 {
            for value in &objects {
                let index = store.store(object(value.clone()));
                assert_eq!(*store.get(index), *object(value.clone()));
            }
        }
        assert_eq!(store.values.len(), objects.len());
        // Cleared, it starts again from the first index.
        store.clear();
        assert_eq!(store.store(object(objects[3].clone())), 0);
        assert_eq!(store.values.len(), 1);
    }
}

//! Reading configuration documents: from a parsed `serde_json::Value` into
//! the configuration's types, naming the field of every problem.
//!
//! The configuration's types implement `Deserialize` through [`via_value`]:
//! the document is parsed to a `Value` by `serde_json`, then each type's
//! decoder (a plain function beside the type, in the type's own file) takes
//! its fields from it. serde's derived `Deserialize` did the same job, but
//! its generated visitors cost about 30 KB of the 300 KB gzipped budget of the
//! browser build (measured by building with and without them); these
//! decoders are not generic over the deserializer, so they are compiled once.
//! Writing stays with serde's derived `Serialize`; a property test checks
//! that everything written reads back equal.
//!
//! Invariants:
//! - every error names the path of the offending value, the way validation
//!   errors do (`policies[2].rule.limit: expected a number, found "12"`);
//! - a strict object (serde's `deny_unknown_fields`) rejects a key it does
//!   not know and says which keys it knows; a lenient one ignores it;
//! - a whole number out of its type's range is an error, never wrapped or
//!   clamped; a number with a fraction is not a whole number;
//! - text from the document is shown quoted and truncated ([`quoted`]),
//!   never as it came.

use super::names::quoted;
use serde::de::{Deserializer, Error as _};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// A problem in a document, with the path of the value it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// `policies[2].rule.limit`; empty for the document itself.
    path: String,
    message: String,
}

impl DecodeError {
    pub fn new(message: impl Into<String>) -> DecodeError {
        DecodeError {
            path: String::new(),
            message: message.into(),
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The same problem, one field further out.
    fn in_field(mut self, key: &str) -> DecodeError {
        self.path = match self.path.as_bytes().first() {
            None => key.to_owned(),
            Some(b'[') => format!("{key}{}", self.path),
            Some(_) => format!("{key}.{}", self.path),
        };
        self
    }

    /// The same problem, inside element `index` of a list.
    fn in_element(mut self, index: usize) -> DecodeError {
        self.path = match self.path.as_bytes().first() {
            None => format!("[{index}]"),
            Some(b'[') => format!("[{index}]{}", self.path),
            Some(_) => format!("[{index}].{}", self.path),
        };
        self
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for DecodeError {}

pub type Decoded<T> = Result<T, DecodeError>;

/// A type's decoder: from a parsed value to the type, or the problem.
pub type Decoder<T> = fn(Value) -> Decoded<T>;

/// `Deserialize` for a type with a decoder: parse a `Value`, refusing a key
/// repeated within one object, then decode it. The only part generic over
/// the deserializer is this function (and the parse).
pub fn via_value<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    decode: fn(Value) -> Decoded<T>,
) -> Result<T, D::Error> {
    let value = deserializer.deserialize_any(NoRepeatedKeys {
        path: String::new(),
    })?;
    decode(value).map_err(D::Error::custom)
}

/// Builds a `Value` as `Value::deserialize` does, except that a key repeated
/// within one object is an error naming its path. serde_json alone keeps the
/// last one, so `"limit": 1000000, "limit": 1` would mean whichever a reader
/// happened to keep; serde's derived code refused it, and so do these
/// decoders. (The replay command's line parser has its own, which also
/// tells the repeated key apart from a syntax error.)
struct NoRepeatedKeys {
    path: String,
}

impl<'de> serde::de::DeserializeSeed<'de> for NoRepeatedKeys {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for NoRepeatedKeys {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut values = Vec::new();
        loop {
            let path = format!("{}[{}]", self.path, values.len());
            match items.next_element_seed(NoRepeatedKeys { path })? {
                Some(value) => values.push(value),
                None => return Ok(Value::Array(values)),
            }
        }
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = entries.next_key::<String>()? {
            if object.contains_key(&key) {
                let at = if self.path.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", self.path)
                };
                return Err(A::Error::custom(format_args!(
                    "{at}duplicate key {}",
                    quoted(&key)
                )));
            }
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            let value = entries.next_value_seed(NoRepeatedKeys { path })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// Implements `Deserialize` for a type through its decoder.
macro_rules! deserialize_by {
    ($type:ty, $decode:path) => {
        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::governance::decode::via_value(deserializer, $decode)
            }
        }
    };
}
pub(crate) use deserialize_by;

/// A JSON document read as a plain value, parsed as every document is (a
/// key repeated within one object is refused), through the one parser the
/// wasm already has.
pub struct Document(pub Value);

impl Document {
    fn decode(value: Value) -> Decoded<Document> {
        Ok(Document(value))
    }
}

deserialize_by!(Document, Document::decode);

/// What a value is, for "expected …, found …".
fn found(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quoted(s),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

fn expected(what: &str, value: &Value) -> DecodeError {
    DecodeError::new(format!("expected {what}, found {}", found(value)))
}

pub fn string(value: Value) -> Decoded<String> {
    match value {
        Value::String(s) => Ok(s),
        other => Err(expected("a string", &other)),
    }
}

pub fn boolean(value: Value) -> Decoded<bool> {
    value
        .as_bool()
        .ok_or_else(|| expected("true or false", &value))
}

/// Any JSON number (range and sign are checked by validation, which names
/// the allowed range).
pub fn number(value: Value) -> Decoded<f64> {
    value.as_f64().ok_or_else(|| expected("a number", &value))
}

/// A whole number in the range of `T`.
pub fn whole<T: TryFrom<i64> + Bounded>(value: Value) -> Decoded<T> {
    value
        .as_i64()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| {
            expected(
                &format!("a whole number from {} to {}", T::MIN, T::MAX),
                &value,
            )
        })
}

/// A whole number up to `u64::MAX`.
pub fn whole_u64(value: Value) -> Decoded<u64> {
    value
        .as_u64()
        .ok_or_else(|| expected(&format!("a whole number from 0 to {}", u64::MAX), &value))
}

/// The range of a whole-number type, for messages.
pub trait Bounded {
    const MIN: i64;
    const MAX: i64;
}

macro_rules! bounded {
    ($($t:ty),*) => {$(
        impl Bounded for $t {
            const MIN: i64 = <$t>::MIN as i64;
            const MAX: i64 = <$t>::MAX as i64;
        }
    )*};
}
bounded!(u8, u32, i32);

/// A list, each element decoded by `item`. (Loops rather than iterator
/// chains here and below: the chains cost more code per element type.)
pub fn list<T>(value: Value, item: fn(Value) -> Decoded<T>) -> Decoded<Vec<T>> {
    let Value::Array(items) = value else {
        return Err(expected("a list", &value));
    };
    let mut out = Vec::with_capacity(items.len());
    for (index, v) in items.into_iter().enumerate() {
        out.push(item(v).map_err(|e| e.in_element(index))?);
    }
    Ok(out)
}

pub fn strings(value: Value) -> Decoded<Vec<String>> {
    list(value, string)
}

/// An object whose values are decoded by `item`, keyed by name.
pub fn map<T>(value: Value, item: fn(Value) -> Decoded<T>) -> Decoded<BTreeMap<String, T>> {
    let Value::Object(entries) = value else {
        return Err(expected("an object", &value));
    };
    let mut out = BTreeMap::new();
    for (key, v) in entries {
        match item(v) {
            Ok(decoded) => {
                out.insert(key, decoded);
            }
            Err(e) => return Err(e.in_field(&key)),
        }
    }
    Ok(out)
}

/// One of a fixed set of names (a unit enum written in snake case).
pub fn one_of<T: Copy>(value: Value, names: &[(&str, T)]) -> Decoded<T> {
    let Value::String(name) = value else {
        return Err(expected(&format!("one of {}", listed(names)), &value));
    };
    names
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            DecodeError::new(format!(
                "unknown value {}, expected one of {}",
                quoted(&name),
                listed(names)
            ))
        })
}

fn listed<T>(names: &[(&str, T)]) -> String {
    let names: Vec<String> = names.iter().map(|(n, _)| format!("`{n}`")).collect();
    names.join(", ")
}

/// An object being read field by field. Its few entries are kept in a list
/// and found by a linear search: cheaper in code than removing from the
/// parsed map, and as fast for a handful of keys.
#[derive(Debug)]
pub struct Object(Vec<(String, Value)>);

impl Object {
    /// An object that may hold only the keys in `known`.
    pub fn strict(value: Value, known: &[&str]) -> Decoded<Object> {
        let object = Object::lenient(value)?;
        if let Some((key, _)) = object.0.iter().find(|(k, _)| !known.contains(&k.as_str())) {
            let known: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            let expected = if known.is_empty() {
                "expected no fields".to_owned()
            } else {
                format!("expected one of {}", known.join(", "))
            };
            return Err(DecodeError::new(format!(
                "unknown field {}, {expected}",
                quoted(key)
            )));
        }
        Ok(object)
    }

    /// An object whose keys this decoder does not read are ignored.
    pub fn lenient(value: Value) -> Decoded<Object> {
        match value {
            Value::Object(map) => {
                let mut entries = Vec::with_capacity(map.len());
                for entry in map {
                    entries.push(entry);
                }
                Ok(Object(entries))
            }
            other => Err(expected("an object", &other)),
        }
    }

    /// The value of `key`, removed from the object.
    pub fn take(&mut self, key: &str) -> Option<Value> {
        let at = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.swap_remove(at).1)
    }

    /// What is left of the object, as a value.
    pub fn rest(self) -> Value {
        let mut map = Map::new();
        for (key, value) in self.0 {
            map.insert(key, value);
        }
        Value::Object(map)
    }

    pub fn required<T>(&mut self, key: &str, decode: fn(Value) -> Decoded<T>) -> Decoded<T> {
        match self.take(key) {
            Some(value) => decode(value).map_err(|e| e.in_field(key)),
            None => Err(DecodeError::new(format!("missing field `{key}`"))),
        }
    }

    /// `None` when `key` is absent or null.
    pub fn optional<T>(
        &mut self,
        key: &str,
        decode: fn(Value) -> Decoded<T>,
    ) -> Decoded<Option<T>> {
        match self.take(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => decode(value).map(Some).map_err(|e| e.in_field(key)),
        }
    }

    /// `default` when `key` is absent (null is an error, as for a required
    /// field: only an absent field takes the default).
    pub fn or<T>(&mut self, key: &str, decode: fn(Value) -> Decoded<T>, default: T) -> Decoded<T> {
        match self.take(key) {
            None => Ok(default),
            Some(value) => decode(value).map_err(|e| e.in_field(key)),
        }
    }

    /// Like [`Object::or`], with the default made only when needed.
    pub fn or_else<T>(
        &mut self,
        key: &str,
        decode: fn(Value) -> Decoded<T>,
        default: fn() -> T,
    ) -> Decoded<T> {
        match self.take(key) {
            None => Ok(default()),
            Some(value) => decode(value).map_err(|e| e.in_field(key)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_name_the_path_of_the_value() {
        fn inner(v: Value) -> Decoded<f64> {
            Object::strict(v, &["limit"])?.required("limit", number)
        }
        fn outer(v: Value) -> Decoded<Vec<f64>> {
            Object::strict(v, &["policies"])?.required("policies", |v| list(v, inner))
        }
        let error = outer(json!({"policies": [{"limit": 1}, {"limit": "12"}]})).unwrap_err();
        assert_eq!(error.path(), "policies[1].limit");
        assert_eq!(
            error.to_string(),
            "policies[1].limit: expected a number, found \"12\""
        );
        let error = outer(json!({"policies": [{"limt": 1}]})).unwrap_err();
        assert_eq!(
            error.to_string(),
            "policies[0]: unknown field \"limt\", expected one of `limit`"
        );
        let error = outer(json!({"policies": [{}]})).unwrap_err();
        assert_eq!(error.to_string(), "policies[0]: missing field `limit`");
        assert_eq!(
            list(json!([[1], [2, "x"]]), |v| list(v, number))
                .unwrap_err()
                .to_string(),
            "[1][1]: expected a number, found \"x\""
        );
        assert_eq!(
            map(json!({"a": 1, "b": true}), number)
                .unwrap_err()
                .to_string(),
            "b: expected a number, found true"
        );
    }

    #[test]
    fn whole_numbers_stay_in_their_range() {
        assert_eq!(whole::<u8>(json!(23)), Ok(23));
        assert_eq!(
            whole::<u8>(json!(256)).unwrap_err().to_string(),
            "expected a whole number from 0 to 255, found 256"
        );
        assert!(whole::<u32>(json!(-1)).is_err());
        assert!(whole::<u32>(json!(1.5)).is_err());
        assert!(
            whole::<u32>(json!(3.0)).is_err(),
            "a float is not a whole number"
        );
        assert_eq!(whole::<i32>(json!(-5)), Ok(-5));
        assert!(whole::<i32>(json!(i64::from(i32::MAX) + 1)).is_err());
        assert_eq!(whole_u64(json!(u64::MAX)), Ok(u64::MAX));
        assert_eq!(
            whole_u64(json!(-1)).unwrap_err().to_string(),
            "expected a whole number from 0 to 18446744073709551615, found -1"
        );
        assert_eq!(number(json!(3)), Ok(3.0));
        assert!(number(json!(null)).is_err());
    }

    #[test]
    fn names_absent_fields_and_null() {
        let mut object = Object::lenient(json!({"a": null, "b": 2, "extra": 1})).unwrap();
        assert_eq!(object.optional("a", number), Ok(None));
        assert_eq!(object.optional("missing", number), Ok(None));
        assert_eq!(object.or("b", number, 7.0), Ok(2.0));
        assert_eq!(object.or("c", number, 7.0), Ok(7.0));
        let mut object = Object::lenient(json!({"a": null})).unwrap();
        assert!(object.or("a", number, 7.0).is_err(), "null is not absent");
        assert!(Object::lenient(json!([1])).is_err());
    }

    #[test]
    fn names_are_exact_and_shown_quoted() {
        let names = [("deny", false), ("allow", true)];
        assert_eq!(one_of(json!("allow"), &names), Ok(true));
        assert_eq!(
            one_of(json!("Allow"), &names).unwrap_err().to_string(),
            "unknown value \"Allow\", expected one of `deny`, `allow`"
        );
        assert_eq!(
            one_of(json!("a\nb"), &names).unwrap_err().to_string(),
            "unknown value \"a\\nb\", expected one of `deny`, `allow`"
        );
        assert!(one_of(json!(1), &names).is_err());
        let long = "x".repeat(1_000);
        assert!(one_of(json!(long), &names).unwrap_err().to_string().len() < 200);
    }
}

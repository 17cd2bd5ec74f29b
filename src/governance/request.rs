//! What an agent asks to do.
//!
//! [`RequestInput`] is the request as it arrives: strings and a float, possibly
//! wrong. The control plane validates it into a [`Request`] (interned names,
//! exact [`Money`]); an input that fails validation is still recorded, as a
//! denial, so nothing an agent sends goes unaudited.

use super::detectors::DataKinds;
use super::ids::{ActionType, AgentId, RequestId};
use super::money::Money;
use super::risk::RiskLevel;
use super::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Parameters may nest at most this deep (the parameter object itself is level
/// 1). Deeper parameters are refused by validation and not recorded.
pub const MAX_PARAMETER_DEPTH: usize = 32;

/// How deeply a JSON value nests: a scalar is 0, `{}` and `[]` are 1,
/// `{"a": [1]}` is 2. Iterative, so no value can exhaust the stack.
pub fn nesting_depth(value: &serde_json::Value) -> usize {
    use serde_json::Value;
    /// Stacks the containers directly inside `value`, at `depth`: flat
    /// parameters push nothing, and an empty stack allocates nothing.
    fn push_nested<'a>(value: &'a Value, depth: usize, stack: &mut Vec<(&'a Value, usize)>) {
        let nested = |child: &&Value| child.is_array() || child.is_object();
        match value {
            Value::Array(items) => stack.extend(items.iter().filter(nested).map(|c| (c, depth))),
            Value::Object(fields) => {
                stack.extend(fields.values().filter(nested).map(|c| (c, depth)))
            }
            _ => {}
        }
    }
    if !(value.is_array() || value.is_object()) {
        return 0;
    }
    let mut deepest = 1;
    let mut stack = Vec::new();
    push_nested(value, 2, &mut stack);
    while let Some((value, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        push_nested(value, depth + 1, &mut stack);
    }
    deepest
}

/// The request's parameters, a JSON object. Shared, because the audit trail and
/// the escalation queue hold the same parameters the agent sent.
pub type Parameters = Arc<serde_json::Map<String, serde_json::Value>>;

/// A request as submitted, before any validation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestInput {
    pub id: RequestId,
    pub agent: String,
    pub action: String,
    #[serde(default = "empty_object")]
    pub parameters: serde_json::Value,
    pub cost: f64,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(Default::default())
}

impl RequestInput {
    pub fn new(
        id: RequestId,
        agent: impl Into<String>,
        action: impl Into<String>,
        cost: f64,
    ) -> RequestInput {
        RequestInput {
            id,
            agent: agent.into(),
            action: action.into(),
            parameters: empty_object(),
            cost,
        }
    }

    pub fn with_parameters(mut self, parameters: serde_json::Value) -> RequestInput {
        self.parameters = parameters;
        self
    }
}

/// A request the control plane has received: names interned, cost exact (zero
/// when the submitted cost was invalid; the denial's reason carries it), and
/// stamped with the control plane's clock at receipt.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub id: RequestId,
    pub agent: AgentId,
    pub action: ActionType,
    /// The action type's risk level when the request arrived.
    pub risk: RiskLevel,
    /// Credentials and personal data found in the parameters (which are
    /// recorded masked when any is found).
    pub detected: DataKinds,
    pub parameters: Parameters,
    pub cost: Money,
    pub received_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nesting_depth_counts_containers() {
        assert_eq!(nesting_depth(&json!(1)), 0);
        assert_eq!(nesting_depth(&json!({})), 1);
        assert_eq!(nesting_depth(&json!({"a": [1, {"b": []}], "c": 2})), 4);
        let mut deep = json!({});
        for _ in 0..9 {
            deep = json!({ "x": deep });
        }
        assert_eq!(nesting_depth(&deep), 10);
    }
}

/// A SHA-256 of exactly what a request asks: agent, action type, parameters
/// in canonical JSON (keys sorted, no spaces) and cost in micro-units. An
/// approval can carry the hash the reviewer saw, and is refused when it does
/// not match the request waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RequestHash(pub [u8; 32]);

impl RequestHash {
    pub fn of(
        agent: &str,
        action: &str,
        parameters: &serde_json::Map<String, serde_json::Value>,
        cost: Money,
    ) -> RequestHash {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        // Lengths first, so no two different requests encode alike.
        for part in [agent.as_bytes(), action.as_bytes()] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part);
        }
        // serde_json's maps keep keys sorted: the serialisation is canonical.
        let parameters = serde_json::to_vec(parameters).unwrap_or_default();
        hasher.update((parameters.len() as u64).to_be_bytes());
        hasher.update(&parameters);
        hasher.update(cost.micros().to_be_bytes());
        RequestHash(hasher.finalize().into())
    }

    /// From 64 hexadecimal digits.
    pub fn parse(text: &str) -> Option<RequestHash> {
        let text = text.trim();
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(RequestHash(bytes))
    }
}

impl std::fmt::Display for RequestHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

#[cfg(test)]
mod hash_tests {
    use super::*;
    use serde_json::json;

    fn map(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn the_hash_binds_every_part_of_the_request() {
        let params = map(json!({"to": "a@example.com", "n": 1}));
        let base = RequestHash::of("agent-1", "email", &params, Money::from_units(1));
        // Key order does not matter; every value does.
        let reordered = map(json!({"n": 1, "to": "a@example.com"}));
        assert_eq!(
            RequestHash::of("agent-1", "email", &reordered, Money::from_units(1)),
            base
        );
        assert_ne!(
            RequestHash::of("agent-2", "email", &params, Money::from_units(1)),
            base
        );
        assert_ne!(
            RequestHash::of("agent-1", "emai", &params, Money::from_units(1)),
            base
        );
        assert_ne!(
            RequestHash::of(
                "agent-1",
                "email",
                &map(json!({"to": "b@example.com", "n": 1})),
                Money::from_units(1)
            ),
            base
        );
        assert_ne!(
            RequestHash::of("agent-1", "email", &params, Money::from_micros(1_000_001)),
            base
        );
        // Lengths keep the boundaries: "ab"+"c" is not "a"+"bc".
        assert_ne!(
            RequestHash::of("ab", "c", &params, Money::ZERO),
            RequestHash::of("a", "bc", &params, Money::ZERO)
        );
    }

    #[test]
    fn hashes_read_back_from_hex() {
        let hash = RequestHash::of("a", "b", &map(json!({})), Money::ZERO);
        let text = hash.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(RequestHash::parse(&text), Some(hash));
        assert_eq!(RequestHash::parse(&text.to_uppercase()), Some(hash));
        assert_eq!(RequestHash::parse("abc"), None);
        assert_eq!(RequestHash::parse(&"zz".repeat(32)), None);
        assert_eq!(RequestHash::parse(&"é".repeat(32)), None);
    }
}

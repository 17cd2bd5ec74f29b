//! What an agent asks to do.
//!
//! [`RequestInput`] is the request as it arrives: strings and a float, possibly
//! wrong. The control plane validates it into a [`Request`] (interned names,
//! exact [`Money`]); an input that fails validation is still recorded, as a
//! denial, so nothing an agent sends goes unaudited.

use super::ids::{ActionType, AgentId, RequestId};
use super::money::Money;
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

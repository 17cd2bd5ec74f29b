//! What a configuration change changed, field by field, for the audit trail.
//!
//! Both configurations are compared as the JSON documents they are saved as,
//! so every field a user can set is covered without a list kept by hand.
//! Policies (and any list of named entries) are matched by name, so moving a
//! policy up does not read as every policy changing.
//!
//! Invariant: two configurations that save to the same document have no
//! changes; every field whose saved value differs is listed exactly once,
//! with its value before and after (`None` where it did not exist); and a
//! change of the order policies judge in (a move among equal priorities, or
//! new priorities) is listed as `policies › order judged`.

use crate::governance::decode::Document;
use crate::governance::GovernanceConfig;
use serde_json::Value;

/// One changed field: where it is, in words, and its values as JSON text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    /// For example `policies › budget › rule › limit`.
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl FieldChange {
    /// `field: before → after`, with "added" and "removed" for the ends.
    pub fn sentence(&self) -> String {
        match (&self.before, &self.after) {
            (Some(b), Some(a)) => format!("{}: {b} → {a}", self.field),
            (None, Some(a)) => format!("{} added: {a}", self.field),
            (Some(b), None) => format!("{} removed (was {b})", self.field),
            (None, None) => self.field.clone(),
        }
    }
}

/// The fields that differ between `before` and `after`, sorted by field name
/// at each level (lists of named entries: by their order before, then added).
pub fn config_changes(before: &GovernanceConfig, after: &GovernanceConfig) -> Vec<FieldChange> {
    let document = |config: &GovernanceConfig| {
        // A configuration always serialises; read back as a plain document.
        serde_json::to_string(config)
            .ok()
            .and_then(|text| serde_json::from_str::<Document>(&text).ok())
            .map_or(Value::Null, |document| document.0)
    };
    let mut changes = Vec::new();
    compare(
        &mut Vec::new(),
        Some(&document(before)),
        Some(&document(after)),
        &mut changes,
    );
    // Policies are matched by name, so a move within the list reads as no
    // change; but among equal priorities the list decides which policy
    // judges first. The order they judge in, of those enabled before and
    // after, is one more field when it changed: compared as lists, shown as
    // JSON (names may hold commas, so joined text could read the same).
    fn judged<'a>(config: &'a GovernanceConfig, other: &GovernanceConfig) -> Vec<&'a str> {
        config
            .policies_in_order()
            .into_iter()
            .filter(|p| other.policy(&p.name).is_some_and(|o| o.enabled))
            .map(|p| p.name.as_str())
            .collect()
    }
    let (was, is) = (judged(before, after), judged(after, before));
    if was != is {
        let list = |names: Vec<&str>| text(&Value::from(names));
        changes.push(FieldChange {
            field: "policies › order judged".to_owned(),
            before: Some(list(was)),
            after: Some(list(is)),
        });
    }
    changes
}

/// A value as compact JSON text (serde's writer: `Display` would bring a
/// second one into the wasm).
fn text(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A list entry's name, when it has one (policies, tiers, windows with names).
fn name_of(value: &Value) -> Option<&str> {
    value.get("name")?.as_str()
}

fn compare(
    path: &mut Vec<String>,
    before: Option<&Value>,
    after: Option<&Value>,
    out: &mut Vec<FieldChange>,
) {
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            for (key, value) in b {
                path.push(key.clone());
                compare(path, Some(value), a.get(key), out);
                path.pop();
            }
            for (key, value) in a.iter().filter(|(k, _)| !b.contains_key(*k)) {
                path.push(key.clone());
                compare(path, None, Some(value), out);
                path.pop();
            }
        }
        (Some(Value::Array(b)), Some(Value::Array(a)))
            if b.iter().chain(a).all(|v| name_of(v).is_some()) =>
        {
            let find = |list: &'_ [Value], name: &str| {
                list.iter().find(|v| name_of(v) == Some(name)).cloned()
            };
            for value in b {
                let name = name_of(value).unwrap_or_default();
                path.push(name.to_owned());
                compare(path, Some(value), find(a, name).as_ref(), out);
                path.pop();
            }
            for value in a
                .iter()
                .filter(|v| find(b, name_of(v).unwrap_or_default()).is_none())
            {
                path.push(name_of(value).unwrap_or_default().to_owned());
                compare(path, None, Some(value), out);
                path.pop();
            }
        }
        (b, a) if b != a => out.push(FieldChange {
            field: path.join(" › "),
            before: b.map(text),
            after: a.map(text),
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::config::PolicyConfig;

    fn fields(changes: &[FieldChange]) -> Vec<String> {
        changes.iter().map(FieldChange::sentence).collect()
    }

    #[test]
    fn an_unchanged_configuration_has_no_changes() {
        let config = GovernanceConfig::default();
        assert!(config_changes(&config, &config.clone()).is_empty());
    }

    #[test]
    fn each_changed_field_is_named_with_its_values_before_and_after() {
        let before = GovernanceConfig::default();
        let mut after = before.clone();
        after.escalation_timeout_secs = 60.0;
        after.approval_fatigue.warn_above += 1;
        let changes = config_changes(&before, &after);
        assert_eq!(
            fields(&changes),
            vec![
                format!(
                    "approval_fatigue › warn_above: {} → {}",
                    before.approval_fatigue.warn_above, after.approval_fatigue.warn_above
                ),
                format!(
                    "escalation_timeout_secs: {} → 60.0",
                    serde_json::to_string(&before.escalation_timeout_secs).unwrap()
                ),
            ]
        );
    }

    #[test]
    fn a_move_among_equal_priorities_changes_the_order_policies_judge_in() {
        let mut before = GovernanceConfig::default();
        for policy in &mut before.policies {
            policy.priority = 10;
        }
        let names = |config: &GovernanceConfig| {
            let names: Vec<_> = config.policies.iter().map(|p| p.name.as_str()).collect();
            serde_json::to_string(&names).unwrap()
        };
        let mut after = before.clone();
        after.policies.swap(0, 1);
        assert_eq!(
            config_changes(&before, &after),
            [FieldChange {
                field: "policies › order judged".into(),
                before: Some(names(&before)),
                after: Some(names(&after)),
            }]
        );
        // A disabled policy judges nothing: moving it changes no order.
        let mut disabled = before.clone();
        disabled.policies[0].enabled = false;
        let mut moved = disabled.clone();
        let first = moved.policies.remove(0);
        moved.policies.push(first);
        assert!(config_changes(&disabled, &moved).is_empty());
        // Disabling one changes its field, not the others' order.
        let changes = fields(&config_changes(&before, &disabled));
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert!(changes[0].ends_with("enabled: true → false"), "{changes:?}");
        // A new priority that changes the order says so beside the priority.
        let mut raised = before.clone();
        let last = raised.policies.len() - 1;
        raised.policies[last].priority = 20;
        let changes = fields(&config_changes(&before, &raised));
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert!(changes[0].ends_with("priority: 10 → 20"), "{changes:?}");
        assert!(changes[1].starts_with(&format!(
            "policies › order judged: {} → [\"{}\",",
            names(&before),
            raised.policies[last].name
        )));
        // Names chosen so that joined text reads the same either way.
        let mut commas = before.clone();
        commas.policies.truncate(2);
        commas.policies[0].name = "a".into();
        commas.policies[1].name = "a, a".into();
        let mut swapped = commas.clone();
        swapped.policies.swap(0, 1);
        assert_eq!(
            fields(&config_changes(&commas, &swapped)),
            [r#"policies › order judged: ["a","a, a"] → ["a, a","a"]"#]
        );
    }

    #[test]
    fn policies_are_matched_by_name_so_reordering_changes_only_priorities() {
        let before = GovernanceConfig::default();
        let mut after = before.clone();
        after.policies.reverse();
        assert!(config_changes(&before, &after).is_empty());
        let removed: PolicyConfig = after.policies.remove(0);
        let mut renamed = removed.clone();
        renamed.name = "budget_copy".into();
        after.policies.push(renamed);
        let changes = fields(&config_changes(&before, &after));
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert!(changes[0].starts_with(&format!("policies › {} removed (was {{", removed.name)));
        assert!(changes[1].starts_with("policies › budget_copy added: {"));
    }
}

#![cfg(not(target_arch = "wasm32"))]
//! Configuration documents and saved sessions: whatever the console or the
//! replay command writes reads back equal, and a damaged document is refused
//! with the path of the value at fault.
//!
//! Writing is serde's derived `Serialize`; reading is the hand-written
//! decoders of `governance::decode`, so these properties are what keeps the
//! two in step: a field added to a type but not to its decoder fails here.

use agent_governance_console::console::session::{SavedKillSwitch, SavedSession, Speed};
use agent_governance_console::console::Currency;
use agent_governance_console::governance::config::{ApprovalFatigue, SensitiveDataConfig};
use agent_governance_console::governance::detectors::DataKind;
use agent_governance_console::governance::risk::{RiskConfig, RiskLevel};
use agent_governance_console::governance::triggers::{
    AnomalyScope, CredentialLeaks, RepeatedViolations, SpendAnomaly, TriggersConfig,
};
use agent_governance_console::governance::{
    BudgetConfig, BudgetScope, ChangeWindow, ChangeWindowConfig, ConflictStrategy,
    GovernanceConfig, KillTarget, Outside, PolicyConfig, PolicyRule, RateLimitConfig, RateScope,
    SensitiveActionsConfig, TimeoutOutcome, Weekday,
};
use agent_governance_console::sim::{FleetSettings, PersonaMix};
use proptest::prelude::*;

/// Text as people and agents type it: quotes, escapes, non-ASCII.
fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z_\"\\\\é€ \n]{0,12}").unwrap()
}

/// Numbers as documents hold them, including ones validation would refuse
/// (reading is not validating): amounts in micro-units up to a thousand times
/// the largest valid amount, negative ones, and whole seconds. (Numbers with
/// 17 significant digits do not always read back to the same f64: serde_json
/// parses them best-effort unless its `float_roundtrip` feature is on, and
/// no valid amount has more than 15.)
fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0u64..1_000_000_000_000_000).prop_map(|n| n as f64 / 1e6),
        (-1_000_000_000i64..0).prop_map(|n| n as f64 / 100.0),
        any::<u32>().prop_map(f64::from),
        Just(0.1),
        Just(1e-7),
    ]
}

fn kinds() -> impl Strategy<Value = Vec<DataKind>> {
    proptest::sample::subsequence(DataKind::ALL.to_vec(), 0..4)
}

fn rule() -> impl Strategy<Value = PolicyRule> {
    let budget = (
        proptest::sample::select(BudgetScope::ALL.to_vec()),
        number(),
        number(),
        proptest::option::of(any::<u64>()),
        proptest::collection::btree_map(text(), number(), 0..3),
    )
        .prop_map(
            |(scope, limit, escalate_at_percent, window_secs, agent_limits)| {
                PolicyRule::Budget(BudgetConfig {
                    scope,
                    limit,
                    escalate_at_percent,
                    window_secs,
                    agent_limits,
                })
            },
        );
    let rate = (
        proptest::sample::select(RateScope::ALL.to_vec()),
        any::<u32>(),
        number(),
    )
        .prop_map(|(scope, max_actions, window_secs)| {
            PolicyRule::RateLimit(RateLimitConfig {
                scope,
                max_actions,
                window_secs,
            })
        });
    let sensitive = (
        proptest::collection::vec(text(), 0..3),
        proptest::collection::vec(text(), 0..3),
    )
        .prop_map(|(blocked, approval_required)| {
            PolicyRule::SensitiveActions(SensitiveActionsConfig {
                blocked,
                approval_required,
            })
        });
    let window = (
        text(),
        proptest::collection::vec(text(), 0..3),
        proptest::collection::vec(
            (
                proptest::sample::subsequence(Weekday::ALL.to_vec(), 0..7),
                any::<u8>(),
                any::<u8>(),
            ),
            0..3,
        ),
        any::<bool>(),
    )
        .prop_map(|(parameter, values, windows, escalate)| {
            PolicyRule::ChangeWindow(ChangeWindowConfig {
                parameter,
                values,
                windows: windows
                    .into_iter()
                    .map(|(days, start_hour, end_hour)| ChangeWindow {
                        days,
                        start_hour,
                        end_hour,
                    })
                    .collect(),
                outside: if escalate {
                    Outside::Escalate
                } else {
                    Outside::Deny
                },
            })
        });
    let data = (kinds(), kinds()).prop_map(|(deny, escalate)| {
        PolicyRule::SensitiveData(SensitiveDataConfig { deny, escalate })
    });
    prop_oneof![
        budget,
        rate,
        sensitive,
        window,
        data,
        Just(PolicyRule::RequireApproval(Default::default())),
    ]
}

fn policy() -> impl Strategy<Value = PolicyConfig> {
    (
        (text(), text(), proptest::collection::vec(text(), 0..3)),
        any::<i32>(),
        any::<bool>(),
        rule(),
        proptest::sample::subsequence(RiskLevel::ALL.to_vec(), 0..3),
        any::<bool>(),
    )
        .prop_map(
            |((name, description, applies_to), priority, enabled, rule, risk_levels, allow)| {
                PolicyConfig {
                    name,
                    description,
                    applies_to,
                    priority,
                    enabled,
                    rule,
                    risk_levels,
                    on_timeout: if allow {
                        TimeoutOutcome::Allow
                    } else {
                        TimeoutOutcome::Deny
                    },
                }
            },
        )
}

fn triggers() -> impl Strategy<Value = TriggersConfig> {
    (
        (any::<bool>(), any::<u32>(), any::<u64>()),
        (
            any::<bool>(),
            number(),
            any::<u64>(),
            any::<u64>(),
            number(),
            any::<bool>(),
        ),
        (any::<bool>(), any::<u32>(), any::<u64>()),
    )
        .prop_map(|(r, s, c)| TriggersConfig {
            repeated_violations: RepeatedViolations {
                enabled: r.0,
                refusals: r.1,
                within_secs: r.2,
            },
            spend_anomaly: SpendAnomaly {
                enabled: s.0,
                factor: s.1,
                recent_secs: s.2,
                baseline_secs: s.3,
                min_baseline: s.4,
                scope: if s.5 {
                    AnomalyScope::Agent
                } else {
                    AnomalyScope::System
                },
            },
            credential_leaks: CredentialLeaks {
                enabled: c.0,
                hits: c.1,
                within_secs: c.2,
            },
        })
}

fn risk() -> impl Strategy<Value = RiskConfig> {
    let level = proptest::sample::select(RiskLevel::ALL.to_vec());
    (
        proptest::collection::btree_map(text(), level.clone(), 0..4),
        proptest::collection::vec(text(), 0..3),
        proptest::collection::vec(text(), 0..3),
        level,
    )
        .prop_map(
            |(levels, low_verbs, high_verbs, default_level)| RiskConfig {
                levels,
                low_verbs,
                high_verbs,
                default_level,
            },
        )
}

fn config() -> impl Strategy<Value = GovernanceConfig> {
    (
        any::<u32>().prop_filter("earlier versions read as the current one", |v| {
            *v == 0 || *v >= 2
        }),
        number(),
        any::<bool>(),
        proptest::collection::vec(policy(), 0..5),
        triggers(),
        (any::<u64>(), any::<u32>()),
        risk(),
    )
        .prop_map(
            |(version, timeout, first, policies, triggers, (window_secs, warn_above), risk)| {
                GovernanceConfig {
                    version,
                    escalation_timeout_secs: timeout,
                    conflict_strategy: if first {
                        ConflictStrategy::FirstApplicable
                    } else {
                        ConflictStrategy::DenyOverrides
                    },
                    policies,
                    triggers,
                    approval_fatigue: ApprovalFatigue {
                        window_secs,
                        warn_above,
                    },
                    risk,
                }
            },
        )
}

fn session() -> impl Strategy<Value = SavedSession> {
    let switch = (
        proptest::option::of((any::<bool>(), text())),
        text(),
        text(),
    )
        .prop_map(|(scope, actor, reason)| SavedKillSwitch {
            scope: scope.map(|(agent, name)| {
                if agent {
                    KillTarget::Agent(name)
                } else {
                    KillTarget::ActionType(name)
                }
            }),
            actor,
            reason,
        });
    (
        config(),
        (any::<u64>(), any::<u32>(), any::<[u32; 5]>()),
        text(),
        proptest::sample::select(Speed::ALL.to_vec()),
        (
            proptest::collection::vec(switch, 0..3),
            proptest::sample::select(Currency::ALL.to_vec()),
        ),
    )
        .prop_map(
            |(config, (seed, size, weights), reviewer, speed, (kill_switches, currency))| {
                SavedSession {
                    config,
                    fleet: FleetSettings {
                        seed,
                        size,
                        mix: PersonaMix { weights },
                    },
                    reviewer,
                    speed,
                    kill_switches,
                    currency,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_configuration_written_reads_back_equal(config in config()) {
        let compact: GovernanceConfig =
            serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
        prop_assert_eq!(&compact, &config);
        let pretty: GovernanceConfig = serde_json::from_str(&config.to_json_pretty()).unwrap();
        prop_assert_eq!(&pretty, &config);
    }

    #[test]
    fn every_session_written_reads_back_equal(session in session()) {
        let text = session.to_json();
        let read: SavedSession = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(read, session);
    }

    /// Dropping any one field of a written configuration either reads back
    /// (the field has a default) or is refused naming that field; never a
    /// panic, never a silent misread of another field.
    #[test]
    fn a_missing_field_is_named_or_defaulted(config in config(), pick in any::<prop::sample::Index>()) {
        let mut value = serde_json::to_value(&config).unwrap();
        let mut paths = Vec::new();
        object_paths(&value, String::new(), &mut paths);
        let path = &paths[pick.index(paths.len())];
        remove_at(&mut value, path);
        match serde_json::from_value::<GovernanceConfig>(value) {
            Ok(read) => prop_assert_ne!(path.as_str(), "version", "{:?}", read),
            Err(error) => {
                let message = error.to_string();
                let field = path.rsplit('/').next().unwrap();
                prop_assert!(message.contains(&format!("missing field `{field}`")), "{message} for {path}");
            }
        }
    }
}

/// Every object field in `value`, as `/`-separated paths (list elements by
/// index).
fn object_paths(value: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                let path = format!("{at}/{key}");
                out.push(path.clone());
                object_paths(v, path, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                object_paths(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn remove_at(value: &mut serde_json::Value, path: &str) {
    let (parent, key) = path.rsplit_once('/').unwrap();
    if let Some(serde_json::Value::Object(map)) = value.pointer_mut(parent) {
        map.remove(key);
    }
}

#[test]
fn errors_name_the_path_of_the_bad_value() {
    let config = GovernanceConfig::default();
    let rate = config
        .policies
        .iter()
        .position(|p| p.rule.kind() == "rate_limit")
        .unwrap();
    let mut value = serde_json::to_value(&config).unwrap();
    value["policies"][rate]["rule"]["max_actions"] = serde_json::json!("lots");
    let error = serde_json::from_value::<GovernanceConfig>(value).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "policies[{rate}].rule.max_actions: expected a whole number from 0 to 4294967295, found \"lots\""
        )
    );

    let mut value = serde_json::to_value(&config).unwrap();
    value["policies"][0]["rule"]["kind"] = serde_json::json!("budgett");
    let error = serde_json::from_value::<GovernanceConfig>(value).unwrap_err();
    assert!(
        error.to_string().starts_with(
            "policies[0].rule.kind: unknown value \"budgett\", expected one of `budget`"
        ),
        "{error}"
    );

    let mut value = serde_json::to_value(&config).unwrap();
    value["triggers"]["spend_anomaly"]["factr"] = serde_json::json!(3);
    let error = serde_json::from_value::<GovernanceConfig>(value).unwrap_err();
    assert!(
        error.to_string().starts_with(
            "triggers.spend_anomaly: unknown field \"factr\", expected one of `enabled`"
        ),
        "{error}"
    );

    let mut value = serde_json::to_value(&config).unwrap();
    value["risk"]["levels"]["db_write"] = serde_json::json!("severe");
    let error = serde_json::from_value::<GovernanceConfig>(value).unwrap_err();
    assert_eq!(
        error.to_string(),
        "risk.levels.db_write: unknown value \"severe\", expected one of `low`, `medium`, `high`"
    );

    // A rule's kind may not be followed by another kind's fields.
    let mut value = serde_json::to_value(&config).unwrap();
    value["policies"][0]["rule"]["max_actions"] = serde_json::json!(3);
    assert!(serde_json::from_value::<GovernanceConfig>(value).is_err());
    let mut value = serde_json::to_value(&config).unwrap();
    value["policies"][0]["rule"] = serde_json::json!({"kind": "require_approval", "limit": 3});
    assert_eq!(
        serde_json::from_value::<GovernanceConfig>(value)
            .unwrap_err()
            .to_string(),
        "policies[0].rule: unknown field \"limit\", expected no fields"
    );
}

#[test]
fn kill_switch_scopes_name_exactly_one_target() {
    let read = |text: &str| serde_json::from_str::<KillTarget>(text).map_err(|e| e.to_string());
    assert_eq!(read(r#"{"agent": "a"}"#), Ok(KillTarget::Agent("a".into())));
    assert_eq!(
        read(r#"{"action_type": "deploy"}"#),
        Ok(KillTarget::ActionType("deploy".into()))
    );
    assert!(read(r#"{"agent": "a", "action_type": "deploy"}"#).is_err());
    assert!(read("{}").is_err());
    assert!(read(r#"{"agnt": "a"}"#).is_err());
    assert!(read(r#""agent""#).is_err());
}

#[test]
fn a_saved_session_names_the_field_at_fault() {
    let session = SavedSession::default();
    let mut value = serde_json::to_value(&session).unwrap();
    value["fleet"]["mix"]["weights"] = serde_json::json!([1, 2, 3]);
    assert_eq!(
        serde_json::from_value::<SavedSession>(value)
            .unwrap_err()
            .to_string(),
        "fleet.mix.weights: expected 5 weights, found 3"
    );
    let mut value = serde_json::to_value(&session).unwrap();
    value["speed"] = serde_json::json!("x1000");
    assert_eq!(
        serde_json::from_value::<SavedSession>(value)
            .unwrap_err()
            .to_string(),
        "speed: unknown value \"x1000\", expected one of `x1`, `x10`, `x100`, `max`"
    );
    let mut value = serde_json::to_value(&session).unwrap();
    value["kill_switches"] = serde_json::json!([{"actor": "riley"}]);
    assert_eq!(
        serde_json::from_value::<SavedSession>(value)
            .unwrap_err()
            .to_string(),
        "kill_switches[0]: missing field `reason`"
    );
}

#[test]
fn absent_sections_take_their_defaults() {
    let text = r#"{"version": 2, "escalation_timeout_secs": 300, "policies": []}"#;
    let config = GovernanceConfig::from_json(text).unwrap();
    assert_eq!(config.triggers, TriggersConfig::default());
    assert_eq!(config.risk, RiskConfig::default());
    assert_eq!(config.approval_fatigue, ApprovalFatigue::default());
    assert_eq!(config.conflict_strategy, ConflictStrategy::DenyOverrides);
    let text = r#"{"version": 2, "escalation_timeout_secs": 300, "policies": [],
        "triggers": {"spend_anomaly": {"factor": 4}}}"#;
    let config = GovernanceConfig::from_json(text).unwrap();
    assert_eq!(config.triggers.spend_anomaly.factor, 4.0);
    assert_eq!(
        config.triggers.spend_anomaly.recent_secs,
        SpendAnomaly::default().recent_secs
    );
    assert_eq!(
        config.triggers.repeated_violations,
        RepeatedViolations::default()
    );
}

/// A document that says one thing twice is ambiguous: a reader that keeps the
/// first and one that keeps the last would govern differently. It is
/// refused, naming the key, wherever it is repeated.
#[test]
fn a_key_repeated_in_one_object_is_refused() {
    let config = GovernanceConfig::default().to_json_pretty();
    let twice = config.replacen("\"limit\": ", "\"limit\": 1000000, \"limit\": ", 1);
    let error = GovernanceConfig::from_json(&twice).unwrap_err().to_string();
    assert!(error.contains("duplicate key \"limit\""), "{error}");
    let twice = config.replacen("\"version\": ", "\"version\": 1, \"version\": ", 1);
    assert!(GovernanceConfig::from_json(&twice).is_err());
    // In a map too: the same agent given two limits.
    let mut value = serde_json::to_value(GovernanceConfig::default()).unwrap();
    let tier = value["policies"]
        .as_array()
        .unwrap()
        .iter()
        .position(|p| p["rule"]["kind"] == "budget")
        .unwrap();
    value["policies"][tier]["rule"]["agent_limits"] = serde_json::json!({"agent-7": 5.0});
    let text =
        value
            .to_string()
            .replacen("\"agent-7\":5.0", "\"agent-7\":5.0,\"agent-7\":500.0", 1);
    assert!(text.contains("\"agent-7\":500.0"), "{text}");
    let error = GovernanceConfig::from_json(&text).unwrap_err().to_string();
    assert!(error.contains("duplicate key \"agent-7\""), "{error}");
    // And in a saved session.
    let session = SavedSession::default().to_json();
    let twice = session.replacen("\"reviewer\":", "\"reviewer\":\"mallory\",\"reviewer\":", 1);
    assert!(SavedSession::from_json(&twice).is_err());
}

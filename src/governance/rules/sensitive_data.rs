//! Sensitive data in parameters: credentials and personal data a request
//! carries are refused or sent to a human, per kind.
//!
//! The control plane scans every request's parameters when it arrives
//! (`detectors`) and records them masked whenever anything is found, whether
//! or not a policy like this one is enabled: the secret never reaches a
//! reason, the audit trail, an export or a screen. This rule decides what the
//! kinds found mean: a kind listed in `deny` refuses the request, one in
//! `escalate` sends it to a human, others pass (still masked). The reason
//! names the kinds, never the values.

use crate::governance::config_error::{Entry, FieldPath, Problems};
use crate::governance::decision::{Reason, Verdict};
use crate::governance::detectors::{DataKind, DataKinds};
use crate::governance::policy::{Finding, Policy, PolicyContext};
use crate::governance::request::Request;
use crate::governance::state::Types;
use serde::Serialize;

pub const DENY: &str = "deny";
pub const ESCALATE: &str = "escalate";

fn credentials() -> Vec<DataKind> {
    DataKind::ALL
        .into_iter()
        .filter(|k| k.is_credential() || *k == DataKind::PaymentCard)
        .collect()
}

fn personal() -> Vec<DataKind> {
    vec![DataKind::Email, DataKind::Phone]
}

/// A sensitive-data policy's configuration: by default credentials and card
/// numbers are denied, email addresses and phone numbers escalated.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SensitiveDataConfig {
    pub deny: Vec<DataKind>,
    pub escalate: Vec<DataKind>,
}

crate::governance::decode::deserialize_by!(SensitiveDataConfig, SensitiveDataConfig::decode);

impl SensitiveDataConfig {
    /// Reads the kinds denied and escalated (beside the `kind`).
    pub fn decode(
        value: serde_json::Value,
    ) -> crate::governance::decode::Decoded<SensitiveDataConfig> {
        use crate::governance::decode::{list, Object};
        let mut o = Object::strict(value, &["deny", "escalate"])?;
        Ok(SensitiveDataConfig {
            deny: o.or_else("deny", |v| list(v, DataKind::decode), credentials)?,
            escalate: o.or_else("escalate", |v| list(v, DataKind::decode), personal)?,
        })
    }
}

impl Default for SensitiveDataConfig {
    fn default() -> SensitiveDataConfig {
        SensitiveDataConfig {
            deny: credentials(),
            escalate: personal(),
        }
    }
}

impl SensitiveDataConfig {
    pub fn validate(&self, index: usize, problems: &mut Problems) {
        for (field, kinds) in [(DENY, &self.deny), (ESCALATE, &self.escalate)] {
            let mut seen = DataKinds::EMPTY;
            for (i, kind) in kinds.iter().enumerate() {
                if seen.contains(*kind) {
                    problems.add(
                        FieldPath::rule_entry(index, field, Entry::Index(i)),
                        kind.as_str(),
                        "is listed twice",
                    );
                }
                seen.insert(*kind);
            }
        }
        for kind in self.escalate.iter().filter(|k| self.deny.contains(k)) {
            problems.add(
                FieldPath::rule(index, ESCALATE),
                kind.as_str(),
                "cannot be both denied and escalated",
            );
        }
    }

    pub fn compile(&self) -> SensitiveDataRule {
        SensitiveDataRule {
            deny: self.deny.iter().copied().collect(),
            escalate: self.escalate.iter().copied().collect(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SensitiveDataRule {
    pub deny: DataKinds,
    pub escalate: DataKinds,
}

fn only(found: DataKinds, wanted: DataKinds) -> DataKinds {
    found.iter().filter(|k| wanted.contains(*k)).collect()
}

impl Policy for SensitiveDataRule {
    fn evaluate(
        &self,
        request: &Request,
        _covers: &Types,
        _context: &PolicyContext<'_>,
    ) -> Option<Finding> {
        let denied = only(request.detected, self.deny);
        if !denied.is_empty() {
            return Some(Finding::new(
                Verdict::Denied,
                Reason::SensitiveData { kinds: denied },
            ));
        }
        let escalated = only(request.detected, self.escalate);
        (!escalated.is_empty()).then(|| {
            Finding::new(
                Verdict::Escalated,
                Reason::SensitiveData { kinds: escalated },
            )
        })
    }

    /// A kind denied while the request waited is denied for it too.
    fn recheck_on_approval(&self) -> bool {
        true
    }
}

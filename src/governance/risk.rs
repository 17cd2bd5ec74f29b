//! Risk levels: how dangerous an action type is, low, medium or high.
//!
//! Every action type has a level, including the ones nobody configured: an
//! agent may call any tool it likes, and a type nobody has heard of must not
//! slip through as harmless. [`RiskConfig::level_of`] decides, in this order:
//!
//! 1. **Configured.** The level [`RiskConfig::levels`] sets for the name. The
//!    built-in table: `api_call` and `db_read` medium; `db_write`, `email`,
//!    `code_exec`, `deploy`, `shell_exec` and `read_secrets` high;
//!    `web_search` and `generate_text` (reading public data, generating text)
//!    low.
//! 2. **A high verb as any word.** The name is split into words at every
//!    `_ - . : /`; if any word is exactly a high verb, the level is high.
//!    `get_and_delete_file`, `deploy/get_status` and `github.delete_repo` are
//!    high.
//! 3. **A low verb as the first word.** The namespace is everything up to the
//!    last `.`, `:` or `/`; the first word of what follows it (split at `_`
//!    and `-`) names the verb. If that word is exactly a low verb, the level
//!    is low: `search_emails`, `github.list_issues`, `mcp:files/read`.
//! 4. **A high verb as a prefix of the first word.** Canonical names are lower
//!    case, so `sendMoney` arrives as `sendmoney`, with no separator to find
//!    the verb by. If the first word *starts with* a high verb, the level is
//!    high: `sendmoney`, `deleteall`, and (wrongly, but harmlessly)
//!    `sendgrid_stats` and `settings_get`.
//! 5. **The default.** Anything else gets [`RiskConfig::default_level`], high
//!    out of the box: `getweather`, `getaway`, `readme`, `listen`, `checkout`,
//!    `frobnicate`, `db_read` without its configured level.
//!
//! Why this shape: a wrong "low" is the dangerous mistake, because it lets an
//! irreversible action skip review; a wrong "high" only costs a reviewer's
//! time. So every rule that can err errs toward high:
//! - low needs an exact word: `checkout` starts with `check` but is a
//!   purchase, `listen` starts with `list`, `readme` with `read`; a read
//!   named without separators (`getweather`) falls to the default, which an
//!   operator can fix by listing it in `levels`;
//! - high also matches as a prefix, and anywhere in the name, namespace
//!   included, so a high verb cannot hide behind a low one;
//! - only words are compared, never substrings: `list_posts` is low, because
//!   `posts` is not the verb `post`, while `get_post` is (wrongly) high;
//! - the verb lists are configuration: a word listed as low by the operator
//!   is taken at its word even if it starts with a high verb (step 3 runs
//!   before step 4), but a high verb elsewhere in the name still wins.
//!
//! What the verb cannot see: *what* is read. `read_secrets` and
//! `get_password` start with read verbs; the first is high only because the
//! built-in table says so. Sensitive reads belong in `levels` (or, since every
//! word is compared against it, their noun in `high_verbs`).
//!
//! Invariants:
//! - [`RiskConfig::level_of`] is total and pure: every string gets a level, the
//!   same one every time; a string that is not an acceptable action type gets
//!   [`RiskLevel::High`] whatever the default (such names are refused before
//!   they reach the engine, so this only guards misuse);
//! - it allocates only to canonicalise a name that is not yet canonical and
//!   to return the deciding verb;
//! - a configuration that validates has canonical level names, one-word
//!   lower-case verbs, no verb twice or in both lists, and at most
//!   [`MAX_RISK_ENTRIES`] entries per table or list.

use super::fast_hash::FastMap;
use super::names::{canonical_action_type, quoted, TextProblem, ACTION_TYPE_PUNCTUATION};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use thiserror::Error;

/// Entries in `levels`, `low_verbs` or `high_verbs`: as many as any other
/// list of action types in the configuration.
pub const MAX_RISK_ENTRIES: usize = 100;

/// The characters that end a namespace: `github.create_issue`,
/// `mcp:files/read`.
const NAMESPACE_SEPARATORS: [char; 3] = ['.', ':', '/'];

/// The characters that separate words within a name (besides the namespace
/// separators).
const WORD_SEPARATORS: [char; 2] = ['_', '-'];

/// How much harm an action can do. Ordered: `Low < Medium < High`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// Reads and text generation: nothing outside the agent changes.
    Low,
    /// Calls that reach other systems but are not expected to change them.
    Medium,
    /// Changes that are hard or impossible to undo: sending, deleting,
    /// paying, running code, deploying.
    High,
}

crate::governance::decode::deserialize_by!(RiskLevel, RiskLevel::decode);

impl RiskLevel {
    /// Reads the name this is written as (snake case).
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<RiskLevel> {
        crate::governance::decode::one_of(
            value,
            &[
                ("low", RiskLevel::Low),
                ("medium", RiskLevel::Medium),
                ("high", RiskLevel::High),
            ],
        )
    }
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 3] = [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High];

    /// The name used in configuration documents and on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }

    /// The level [`as_str`](RiskLevel::as_str) names; exactly as written
    /// there, as in a configuration document.
    pub fn parse(text: &str) -> Option<RiskLevel> {
        RiskLevel::ALL
            .into_iter()
            .find(|level| level.as_str() == text)
    }
}

impl fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which rule gave an action type its level, for showing why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RiskSource {
    /// [`RiskConfig::levels`] names the type.
    Configured,
    /// The verb, as listed in the configuration, that decided.
    Verb(String),
    /// No rule decided: the configured default level (or high, for a string
    /// that is not an action type at all).
    Default,
}

/// The risk section of the configuration: levels by name, the verbs that
/// decide for names not listed, and the level of everything else.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RiskConfig {
    /// Levels set for action types by name (canonical names). Absent from a
    /// document: the built-in table, because an absent table must not turn
    /// `read_secrets` into a low-risk read by its verb.
    pub levels: BTreeMap<String, RiskLevel>,
    /// Words that make a name low when they are its first word (after the
    /// namespace) and no high verb appears in it.
    pub low_verbs: Vec<String>,
    /// Words that make a name high wherever they appear as a word, or when
    /// its first word starts with one.
    pub high_verbs: Vec<String>,
    /// The level of a name no rule decides: high out of the box, so the
    /// unknown is reviewed.
    pub default_level: RiskLevel,
}

crate::governance::decode::deserialize_by!(RiskConfig, RiskConfig::decode);

impl RiskConfig {
    /// Reads the risk section; an absent part takes its built-in value.
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<RiskConfig> {
        use crate::governance::decode::{map, strings, Object};
        let mut o = Object::strict(
            value,
            &["levels", "low_verbs", "high_verbs", "default_level"],
        )?;
        Ok(RiskConfig {
            levels: o.or_else("levels", |v| map(v, RiskLevel::decode), built_in_levels)?,
            low_verbs: o.or_else("low_verbs", strings, built_in_low_verbs)?,
            high_verbs: o.or_else("high_verbs", strings, built_in_high_verbs)?,
            default_level: o.or_else("default_level", RiskLevel::decode, built_in_default_level)?,
        })
    }
}

fn built_in_levels() -> BTreeMap<String, RiskLevel> {
    use RiskLevel::{High, Low, Medium};
    // Inserted one by one: collecting would sort, and the browser build
    // would carry a sort for these pairs just for this table.
    let mut levels = BTreeMap::new();
    for (name, level) in [
        ("web_search", Low),
        ("generate_text", Low),
        ("api_call", Medium),
        ("db_read", Medium),
        ("db_write", High),
        ("email", High),
        ("code_exec", High),
        ("deploy", High),
        ("shell_exec", High),
        ("read_secrets", High),
    ] {
        levels.insert(name.to_owned(), level);
    }
    levels
}

/// Verbs that only look: they change nothing outside the agent.
///
/// Left out on purpose, so they fall to the default: `query` (a query tool
/// usually runs whatever statement it is handed, `DELETE` included, and a
/// database read is medium anyway), `download` (writes to disk), `load`,
/// `analyze` and `generate` (`generate_api_key` makes a credential).
const LOW_VERBS: &[&str] = &[
    "get",
    "read",
    "search",
    "list",
    "check",
    "find",
    "fetch",
    "retrieve",
    "lookup",
    "view",
    "show",
    "preview",
    "browse",
    "inspect",
    "describe",
    "count",
    "summarize",
    "summarise",
    "translate",
    "classify",
];

/// Verbs whose effect leaves the agent and is hard or impossible to undo.
/// Short ones (`add`, `set`, `run`, `pay`, `put`) also match as prefixes
/// (`address_book`, `settings`, `runtime`): false highs, which cost review
/// time only.
const HIGH_VERBS: &[&str] = &[
    // Something leaves: once sent, it cannot be unsent.
    "send",
    "email",
    "post",
    "publish",
    "share",
    "forward",
    "reply",
    "invite",
    "notify",
    "upload",
    "export",
    "push",
    // Something is destroyed or stopped.
    "delete",
    "remove",
    "drop",
    "destroy",
    "erase",
    "purge",
    "truncate",
    "wipe",
    "kill",
    "terminate",
    "cancel",
    "reset",
    "revoke",
    "uninstall",
    "shutdown",
    "disable",
    // Something is written, changed or granted.
    "write",
    "create",
    "insert",
    "upsert",
    "update",
    "modify",
    "edit",
    "patch",
    "put",
    "set",
    "replace",
    "rename",
    "move",
    "merge",
    "commit",
    "add",
    "assign",
    "grant",
    "approve",
    "enable",
    "install",
    "submit",
    "sign",
    // Money moves.
    "pay",
    "transfer",
    "purchase",
    "buy",
    "sell",
    "withdraw",
    "refund",
    "charge",
    // Code runs.
    "execute",
    "exec",
    "run",
    "deploy",
    "launch",
    "invoke",
    "restart",
    "spawn",
];

fn built_in_low_verbs() -> Vec<String> {
    LOW_VERBS.iter().map(|&verb| verb.to_owned()).collect()
}

fn built_in_high_verbs() -> Vec<String> {
    HIGH_VERBS.iter().map(|&verb| verb.to_owned()).collect()
}

fn built_in_default_level() -> RiskLevel {
    RiskLevel::High
}

impl Default for RiskConfig {
    fn default() -> RiskConfig {
        RiskConfig {
            levels: built_in_levels(),
            low_verbs: built_in_low_verbs(),
            high_verbs: built_in_high_verbs(),
            default_level: built_in_default_level(),
        }
    }
}

/// One of the two verb lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VerbList {
    Low,
    High,
}

impl VerbList {
    /// The list's field name in the configuration.
    pub fn field_name(self) -> &'static str {
        match self {
            VerbList::Low => "low_verbs",
            VerbList::High => "high_verbs",
        }
    }
}

/// The field of the risk section an error is about, for placing the message
/// beside it. Displayed as a path under `risk`, the section's name in the
/// configuration: `risk.levels["Deploy"]`, `risk.high_verbs[3]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RiskField {
    /// The `levels` table as a whole.
    Levels,
    /// One entry of `levels`, by its name as written.
    Level(String),
    /// A verb list as a whole.
    Verbs(VerbList),
    /// One verb, by its position in its list.
    Verb(VerbList, usize),
}

impl fmt::Display for RiskField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RiskField::Levels => f.write_str("risk.levels"),
            RiskField::Level(name) => write!(f, "risk.levels[{}]", quoted(name)),
            RiskField::Verbs(list) => write!(f, "risk.{}", list.field_name()),
            RiskField::Verb(list, i) => write!(f, "risk.{}[{i}]", list.field_name()),
        }
    }
}

/// Why a risk configuration is not acceptable; each names its field.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RiskConfigError {
    #[error("{field}: has {len} entries; the limit is {MAX_RISK_ENTRIES}")]
    TooManyEntries { field: RiskField, len: usize },
    /// A name or verb that could never match an action type.
    #[error("{field}: {} {problem}", quoted(.text))]
    NotAnActionName {
        field: RiskField,
        text: String,
        problem: TextProblem,
    },
    /// Names are compared in canonical form, so any other spelling would
    /// never match.
    #[error("{field}: must be written {}", quoted(.canonical))]
    NotCanonical { field: RiskField, canonical: String },
    /// Names are split into words at separators, so a verb holding one would
    /// never equal a word.
    #[error("{field}: {} contains '{separator}', which separates words; a verb is one word", quoted(.verb))]
    VerbNotOneWord {
        field: RiskField,
        verb: String,
        separator: char,
    },
    #[error("{field}: {} is listed twice", quoted(.verb))]
    VerbListedTwice { field: RiskField, verb: String },
    /// A verb has one level; in both lists, the high one would always win
    /// and the low entry would only mislead.
    #[error("{field}: {} is also a low verb (risk.low_verbs[{low_index}])", quoted(.verb))]
    VerbInBothLists {
        field: RiskField,
        verb: String,
        low_index: usize,
    },
}

impl RiskConfigError {
    /// The field the error is about.
    pub fn field(&self) -> &RiskField {
        match self {
            RiskConfigError::TooManyEntries { field, .. }
            | RiskConfigError::NotAnActionName { field, .. }
            | RiskConfigError::NotCanonical { field, .. }
            | RiskConfigError::VerbNotOneWord { field, .. }
            | RiskConfigError::VerbListedTwice { field, .. }
            | RiskConfigError::VerbInBothLists { field, .. } => field,
        }
    }
}

/// `text` in its canonical action-type spelling, or why it has none.
fn check_canonical(field: &RiskField, text: &str) -> Result<(), RiskConfigError> {
    match canonical_action_type(text) {
        Err(problem) => Err(RiskConfigError::NotAnActionName {
            field: field.clone(),
            text: text.to_owned(),
            problem,
        }),
        Ok(canonical) if canonical != text => Err(RiskConfigError::NotCanonical {
            field: field.clone(),
            canonical: canonical.into_owned(),
        }),
        Ok(_) => Ok(()),
    }
}

/// One list of verbs: short enough, each one canonical word, none twice.
/// Returns each verb's position, for finding verbs listed in both lists.
fn check_verbs(list: VerbList, verbs: &[String]) -> Result<FastMap<&str, usize>, RiskConfigError> {
    if verbs.len() > MAX_RISK_ENTRIES {
        return Err(RiskConfigError::TooManyEntries {
            field: RiskField::Verbs(list),
            len: verbs.len(),
        });
    }
    let mut seen = FastMap::default();
    for (i, verb) in verbs.iter().enumerate() {
        let field = RiskField::Verb(list, i);
        // Separators first: "Send_Money" is two words before it is a
        // spelling problem.
        if let Some(separator) = verb.chars().find(|c| ACTION_TYPE_PUNCTUATION.contains(*c)) {
            return Err(RiskConfigError::VerbNotOneWord {
                field,
                verb: verb.clone(),
                separator,
            });
        }
        check_canonical(&field, verb)?;
        if seen.insert(verb.as_str(), i).is_some() {
            return Err(RiskConfigError::VerbListedTwice {
                field,
                verb: verb.clone(),
            });
        }
    }
    Ok(seen)
}

/// The words of a name, split at every separator; empty words (`a__b`) are
/// not words.
fn words(name: &str) -> impl Iterator<Item = &str> {
    name.split(|c| ACTION_TYPE_PUNCTUATION.contains(c))
        .filter(|word| !word.is_empty())
}

/// The first word after the namespace: the verb, if the name has one.
fn first_word(name: &str) -> Option<&str> {
    let local = match name.rfind(NAMESPACE_SEPARATORS) {
        Some(at) => &name[at + 1..],
        None => name,
    };
    local.split(WORD_SEPARATORS).find(|word| !word.is_empty())
}

impl RiskConfig {
    /// Checks every field and names the first one that is wrong.
    pub fn validate(&self) -> Result<(), RiskConfigError> {
        if self.levels.len() > MAX_RISK_ENTRIES {
            return Err(RiskConfigError::TooManyEntries {
                field: RiskField::Levels,
                len: self.levels.len(),
            });
        }
        for name in self.levels.keys() {
            check_canonical(&RiskField::Level(name.clone()), name)?;
        }
        let low = check_verbs(VerbList::Low, &self.low_verbs)?;
        check_verbs(VerbList::High, &self.high_verbs)?;
        for (i, verb) in self.high_verbs.iter().enumerate() {
            if let Some(&low_index) = low.get(verb.as_str()) {
                return Err(RiskConfigError::VerbInBothLists {
                    field: RiskField::Verb(VerbList::High, i),
                    verb: verb.clone(),
                    low_index,
                });
            }
        }
        Ok(())
    }

    /// The level of an action type and the rule that decided it (see the
    /// module documentation for the rules and their order).
    pub fn level_of(&self, action: &str) -> (RiskLevel, RiskSource) {
        let Ok(name) = canonical_action_type(action) else {
            return (RiskLevel::High, RiskSource::Default);
        };
        if let Some(&level) = self.levels.get(name.as_ref()) {
            return (level, RiskSource::Configured);
        }
        match self.level_by_verb(&name) {
            Some((level, verb)) => (level, RiskSource::Verb(verb.to_owned())),
            None => (self.default_level, RiskSource::Default),
        }
    }

    /// Rules 2 to 4: the level a verb gives a canonical name, and that verb.
    fn level_by_verb(&self, name: &str) -> Option<(RiskLevel, &str)> {
        let is_high = |word: &str| self.high_verbs.iter().find(|verb| *verb == word);
        if let Some(verb) = words(name).find_map(is_high) {
            return Some((RiskLevel::High, verb));
        }
        let first = first_word(name)?;
        if let Some(verb) = self.low_verbs.iter().find(|verb| *verb == first) {
            return Some((RiskLevel::Low, verb));
        }
        // The longest prefix, so `executeall` reports `execute`, not `exec`.
        self.high_verbs
            .iter()
            .filter(|verb| first.starts_with(verb.as_str()))
            .max_by_key(|verb| verb.len())
            .map(|verb| (RiskLevel::High, verb.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RiskLevel::{High, Low, Medium};

    fn level(action: &str) -> RiskLevel {
        RiskConfig::default().level_of(action).0
    }

    fn decided_by_verb(action: &str, verb: &str) -> (RiskLevel, RiskSource) {
        let (level, source) = RiskConfig::default().level_of(action);
        assert_eq!(source, RiskSource::Verb(verb.into()), "{action}");
        (level, source)
    }

    #[test]
    fn built_in_types_have_the_levels_the_product_documents() {
        let config = RiskConfig::default();
        for (action, expected) in [
            ("web_search", Low),
            ("generate_text", Low),
            ("api_call", Medium),
            ("db_read", Medium),
            ("db_write", High),
            ("email", High),
            ("code_exec", High),
            ("deploy", High),
            ("shell_exec", High),
            ("read_secrets", High),
        ] {
            assert_eq!(
                config.level_of(action),
                (expected, RiskSource::Configured),
                "{action}"
            );
        }
        assert_eq!(config.default_level, High);
        assert_eq!(config.validate(), Ok(()));
    }

    #[test]
    fn every_action_type_the_product_ships_has_a_configured_level() {
        let config = RiskConfig::default();
        for action in crate::governance::ids::BUILT_IN_ACTION_TYPES {
            assert_eq!(
                config.level_of(action).1,
                RiskSource::Configured,
                "{action}"
            );
        }
    }

    #[test]
    fn tools_named_for_an_irreversible_verb_are_high() {
        for (action, verb) in [
            ("send_money", "send"),
            ("delete_file", "delete"),
            ("update_password", "update"),
            ("post_webpage", "post"),
            ("github.create_issue", "create"),
            ("stripe:refund-charge", "refund"),
            ("transfer_funds", "transfer"),
        ] {
            assert_eq!(decided_by_verb(action, verb).0, High, "{action}");
        }
    }

    #[test]
    fn tools_named_for_a_read_are_low() {
        for (action, verb) in [
            ("search_emails", "search"),
            ("get_weather", "get"),
            ("list_files", "list"),
            ("mcp:files/read", "read"),
            ("github.list_issues", "list"),
            ("check-status", "check"),
            ("fetch_url", "fetch"),
        ] {
            assert_eq!(decided_by_verb(action, verb).0, Low, "{action}");
        }
    }

    #[test]
    fn a_high_verb_anywhere_outweighs_a_low_first_verb() {
        assert_eq!(decided_by_verb("get_and_delete_file", "delete").0, High);
        assert_eq!(decided_by_verb("find-and-replace", "replace").0, High);
        // The namespace is searched too: a read of a deploy is reviewed.
        assert_eq!(decided_by_verb("deploy/get_status", "deploy").0, High);
        assert_eq!(decided_by_verb("email.search", "email").0, High);
    }

    #[test]
    fn verbs_match_whole_words_not_substrings() {
        // `posts` is a noun, not the verb `post`; `emails` not `email`.
        assert_eq!(decided_by_verb("list_posts", "list").0, Low);
        assert_eq!(decided_by_verb("search_emails", "search").0, Low);
        // Only the first word is matched by prefix: `payments` is not `pay`.
        assert_eq!(level("list_payments"), Low);
    }

    #[test]
    fn a_name_without_separators_is_high_when_it_starts_with_a_high_verb() {
        // `sendMoney` arrives canonical, as `sendmoney`.
        assert_eq!(decided_by_verb("sendMoney", "send").0, High);
        assert_eq!(decided_by_verb("deleteall", "delete").0, High);
        assert_eq!(decided_by_verb("executeall", "execute").0, High);
        assert_eq!(decided_by_verb("bank/sendmoney", "send").0, High);
        // Vendors named like verbs are reviewed: a harmless mistake.
        assert_eq!(decided_by_verb("sendgrid_stats", "send").0, High);
    }

    #[test]
    fn a_name_that_only_starts_like_a_read_gets_the_default() {
        // `checkout` is a purchase; the others merely look like reads, and
        // `getweather` is a read the rules cannot tell from them.
        for action in ["getaway", "readme", "listen", "checkout", "getweather"] {
            assert_eq!(
                RiskConfig::default().level_of(action),
                (High, RiskSource::Default),
                "{action}"
            );
        }
    }

    #[test]
    fn names_that_fit_no_rule_get_the_default() {
        let config = RiskConfig {
            default_level: Medium,
            ..RiskConfig::default()
        };
        for action in [
            "frobnicate",
            "weather_today",
            "query_orders",
            "tools/",
            "v2",
        ] {
            assert_eq!(
                config.level_of(action),
                (Medium, RiskSource::Default),
                "{action}"
            );
        }
    }

    #[test]
    fn the_default_level_is_configurable_but_verbs_still_decide() {
        let config = RiskConfig {
            default_level: Low,
            ..RiskConfig::default()
        };
        assert_eq!(config.level_of("frobnicate"), (Low, RiskSource::Default));
        assert_eq!(config.level_of("sendmoney").0, High);
        assert_eq!(config.level_of("deploy").0, High);
    }

    #[test]
    fn a_configured_level_wins_over_the_verb() {
        let mut config = RiskConfig::default();
        config.levels.insert("send_test_email".into(), Low);
        config.levels.insert("get_balance".into(), High);
        assert_eq!(
            config.level_of("send_test_email"),
            (Low, RiskSource::Configured)
        );
        assert_eq!(
            config.level_of("get_balance"),
            (High, RiskSource::Configured)
        );
    }

    #[test]
    fn without_its_configured_level_a_sensitive_read_is_low() {
        // What the verb rules cannot see, and why the table lists it.
        let mut config = RiskConfig::default();
        config.levels.clear();
        assert_eq!(
            config.level_of("read_secrets"),
            (Low, RiskSource::Verb("read".into()))
        );
        // Every word is compared against the high list, so a noun there works.
        config.high_verbs.push("secrets".into());
        assert_eq!(config.level_of("read_secrets").0, High);
    }

    #[test]
    fn the_verb_lists_are_configuration() {
        let mut config = RiskConfig::default();
        config.low_verbs.push("query".into());
        config.low_verbs.retain(|verb| verb != "get");
        assert_eq!(config.level_of("query_orders").0, Low);
        assert_eq!(config.level_of("get_weather"), (High, RiskSource::Default));
        // A listed low word is taken at its word, even if it starts like a
        // high verb; a high word elsewhere still wins.
        config.low_verbs.push("settle".into());
        assert_eq!(config.level_of("settle_score").0, Low);
        assert_eq!(config.level_of("settle_and_pay").0, High);
    }

    #[test]
    fn names_are_compared_in_canonical_form() {
        assert_eq!(level(" Deploy "), High);
        assert_eq!(decided_by_verb("Search_Emails", "search").0, Low);
        // Not an action type at all: high, even when the default is low.
        let lenient = RiskConfig {
            default_level: Low,
            ..RiskConfig::default()
        };
        for bad in ["get weather", "get_wéather", "", "*"] {
            assert_eq!(
                lenient.level_of(bad),
                (High, RiskSource::Default),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn levels_are_ordered_and_named() {
        assert!(Low < Medium && Medium < High);
        for level in RiskLevel::ALL {
            assert_eq!(RiskLevel::parse(level.as_str()), Some(level));
            assert_eq!(
                serde_json::to_string(&level).unwrap(),
                format!("\"{level}\"")
            );
        }
        assert_eq!(RiskLevel::parse("High"), None);
    }

    #[test]
    fn the_configuration_round_trips_through_json() {
        let mut config = RiskConfig::default();
        config.levels.insert("sendmoney".into(), Medium);
        config.default_level = Medium;
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(serde_json::from_str::<RiskConfig>(&json).unwrap(), config);
    }

    #[test]
    fn a_document_with_only_levels_gets_the_built_in_verbs_and_default() {
        let config: RiskConfig =
            serde_json::from_str(r#"{"levels": {"deploy": "medium"}}"#).unwrap();
        assert_eq!(config.levels.len(), 1);
        assert_eq!(config.low_verbs, RiskConfig::default().low_verbs);
        assert_eq!(config.high_verbs, RiskConfig::default().high_verbs);
        assert_eq!(config.default_level, High);
        // Absent, the table is the built-in one: `read_secrets` stays high.
        let empty: RiskConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, RiskConfig::default());
        assert!(serde_json::from_str::<RiskConfig>(r#"{"level": {}}"#).is_err());
        assert!(serde_json::from_str::<RiskConfig>(r#"{"default_level": "severe"}"#).is_err());
    }

    fn error_of(change: impl FnOnce(&mut RiskConfig)) -> String {
        let mut config = RiskConfig::default();
        change(&mut config);
        config.validate().unwrap_err().to_string()
    }

    #[test]
    fn validation_names_the_field_and_the_problem() {
        assert_eq!(
            error_of(|c| {
                c.levels.insert("Deploy".into(), Low);
            }),
            r#"risk.levels["Deploy"]: must be written "deploy""#
        );
        assert_eq!(
            error_of(|c| {
                c.levels.insert("db write".into(), Low);
            }),
            r#"risk.levels["db write"]: "db write" must not contain spaces"#
        );
        assert_eq!(
            error_of(|c| c.low_verbs[1] = "Read".into()),
            r#"risk.low_verbs[1]: must be written "read""#
        );
        assert_eq!(
            error_of(|c| c.high_verbs[0] = String::new()),
            r#"risk.high_verbs[0]: "" must not be empty"#
        );
        assert_eq!(
            error_of(|c| c.high_verbs[0] = "send_money".into()),
            r#"risk.high_verbs[0]: "send_money" contains '_', which separates words; a verb is one word"#
        );
        assert_eq!(
            error_of(|c| c.low_verbs.push("get".into())),
            format!(
                r#"risk.low_verbs[{}]: "get" is listed twice"#,
                LOW_VERBS.len()
            )
        );
        assert_eq!(
            error_of(|c| c.low_verbs.push("send".into())),
            format!(
                r#"risk.high_verbs[0]: "send" is also a low verb (risk.low_verbs[{}])"#,
                LOW_VERBS.len()
            )
        );
        assert_eq!(
            error_of(|c| c.high_verbs = (0..=MAX_RISK_ENTRIES).map(|i| format!("v{i}")).collect()),
            "risk.high_verbs: has 101 entries; the limit is 100"
        );
    }

    #[test]
    fn validation_errors_carry_a_typed_field_for_the_form() {
        let too_many = RiskConfig {
            levels: (0..=MAX_RISK_ENTRIES)
                .map(|i| (format!("t{i}"), Low))
                .collect(),
            ..RiskConfig::default()
        };
        assert_eq!(too_many.validate().unwrap_err().field(), &RiskField::Levels);
        let mut misspelt = RiskConfig::default();
        misspelt.high_verbs.push("Wipe_All".into());
        assert_eq!(
            misspelt.validate().unwrap_err().field(),
            &RiskField::Verb(VerbList::High, HIGH_VERBS.len())
        );
    }
}

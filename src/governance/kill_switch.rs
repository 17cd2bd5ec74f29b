//! Kill switches: controls that stop agents before any policy runs.
//!
//! A kill switch is global (every agent), for one agent, or for one action
//! type; several can be active at once, one per scope. While one that covers
//! a request is active, the control plane denies the request before any
//! policy runs (so no configuration can let an action through), denies the
//! waiting escalations it covers when it is activated (and no others), and
//! refuses to execute approvals it covers. Activation needs an actor and a
//! reason; activation and deactivation are audited with both.
//!
//! Invariant: nothing executes while a kill switch that covers it is active.

use super::ids::{ActionType, AgentId};
use super::names::{clean_text, quoted, Actor, TextProblem};
use super::time::Timestamp;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

/// What a kill switch stops, as an operator names it: `None` (global), or
/// `{"agent": "…"}` / `{"action_type": "…"}` in JSON.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KillTarget {
    Agent(String),
    ActionType(String),
}

crate::governance::decode::deserialize_by!(KillTarget, KillTarget::decode);

impl KillTarget {
    /// Reads `{"agent": "…"}` or `{"action_type": "…"}`: exactly one of them.
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<KillTarget> {
        use crate::governance::decode::{string, DecodeError, Object};
        let mut o = Object::strict(value, &["agent", "action_type"])?;
        match (
            o.optional("agent", string)?,
            o.optional("action_type", string)?,
        ) {
            (Some(agent), None) => Ok(KillTarget::Agent(agent)),
            (None, Some(action_type)) => Ok(KillTarget::ActionType(action_type)),
            _ => Err(DecodeError::new(
                "expected exactly one of `agent` and `action_type`",
            )),
        }
    }
}

impl fmt::Display for KillTarget {
    /// " for agent \"x\"": how messages name the scope after "kill switch".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KillTarget::Agent(name) => write!(f, " for agent {}", quoted(name)),
            KillTarget::ActionType(name) => write!(f, " for action type {}", quoted(name)),
        }
    }
}

/// The longest reason accepted for activating a kill switch, in characters.
pub const MAX_KILL_REASON_LEN: usize = 500;

/// What a kill switch stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KillScope {
    Global,
    Agent(AgentId),
    ActionType(ActionType),
}

impl KillScope {
    /// Whether a request by `agent` for `action` is stopped by this scope.
    pub fn covers(self, agent: AgentId, action: ActionType) -> bool {
        match self {
            KillScope::Global => true,
            KillScope::Agent(a) => a == agent,
            KillScope::ActionType(t) => t == action,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Activation {
    pub scope: KillScope,
    pub actor: Arc<str>,
    pub reason: Arc<str>,
    pub at: Timestamp,
}

/// The active kill switches, at most one per scope, global first; a
/// request's covering switch is found in three binary searches, however many
/// are active. (A sorted list rather than a map: switches change rarely, and
/// the browser build carries no map code for them.)
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KillSwitch {
    /// Sorted by scope, one activation per scope.
    active: Vec<Activation>,
}

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum KillSwitchError {
    #[error("actor: {actor} {problem}")]
    InvalidActor { actor: String, problem: TextProblem },
    #[error("scope: {name} {problem}")]
    InvalidScope { name: String, problem: TextProblem },
    #[error("reason: a reason is required to activate the kill switch")]
    MissingReason,
    #[error("reason: {0}")]
    InvalidReason(TextProblem),
    #[error("the kill switch{scope} is already active (activated by {by})")]
    AlreadyActive { scope: String, by: String },
    #[error("the kill switch{scope} is not active")]
    NotActive { scope: String },
}

/// An actor's name, checked: a canonical name (see `names`).
pub(crate) fn check_actor(actor: &str) -> Result<Actor, KillSwitchError> {
    Actor::new(actor).map_err(|problem| KillSwitchError::InvalidActor {
        actor: quoted(actor),
        problem,
    })
}

impl KillSwitch {
    fn position(&self, scope: KillScope) -> Result<usize, usize> {
        self.active.binary_search_by_key(&scope, |a| a.scope)
    }

    /// The global kill switch, if active.
    pub fn global(&self) -> Option<&Activation> {
        self.get(KillScope::Global)
    }

    /// Every active kill switch, global first, then in order of scope.
    pub fn all(&self) -> impl Iterator<Item = &Activation> {
        self.active.iter()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.active.len()
    }

    /// The kill switch of exactly this scope, if active.
    pub fn get(&self, scope: KillScope) -> Option<&Activation> {
        self.position(scope).ok().map(|at| &self.active[at])
    }

    /// The first active kill switch that stops this request: global, the
    /// agent's, the action type's.
    pub fn covering(&self, agent: AgentId, action: ActionType) -> Option<&Activation> {
        [
            KillScope::Global,
            KillScope::Agent(agent),
            KillScope::ActionType(action),
        ]
        .into_iter()
        .find_map(|scope| self.get(scope))
    }

    /// `scope_label` names the scope in messages (" for agent \"x\"").
    pub fn activate(
        &mut self,
        scope: KillScope,
        scope_label: &str,
        actor: &str,
        reason: &str,
        at: Timestamp,
    ) -> Result<&Activation, KillSwitchError> {
        let actor = check_actor(actor)?;
        let reason = clean_text(reason, MAX_KILL_REASON_LEN, false)
            .map_err(KillSwitchError::InvalidReason)?;
        if reason.is_empty() {
            return Err(KillSwitchError::MissingReason);
        }
        let at_index = match self.position(scope) {
            Ok(active) => {
                return Err(KillSwitchError::AlreadyActive {
                    scope: scope_label.to_owned(),
                    by: self.active[active].actor.to_string(),
                })
            }
            Err(free) => free,
        };
        self.active.insert(
            at_index,
            Activation {
                scope,
                actor: actor.name().clone(),
                reason: Arc::from(reason),
                at,
            },
        );
        Ok(&self.active[at_index])
    }

    pub fn deactivate(
        &mut self,
        scope: KillScope,
        scope_label: &str,
        actor: &str,
    ) -> Result<(Actor, Activation), KillSwitchError> {
        let actor = check_actor(actor)?;
        let at = self
            .position(scope)
            .map_err(|_| KillSwitchError::NotActive {
                scope: scope_label.to_owned(),
            })?;
        let was = self.active.remove(at);
        Ok((actor, was))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: KillScope = KillScope::Global;

    #[test]
    fn activation_needs_an_actor_and_a_reason() {
        let mut switch = KillSwitch::default();
        assert!(matches!(
            switch.activate(G, "", "", "runaway", Timestamp(0)),
            Err(KillSwitchError::InvalidActor { .. })
        ));
        assert_eq!(
            switch.activate(G, "", "ops", "  ", Timestamp(0)),
            Err(KillSwitchError::MissingReason)
        );
        assert!(switch.global().is_none());
        let activation = switch
            .activate(G, "", "ops", "runaway spend", Timestamp(7))
            .unwrap();
        assert_eq!(&*activation.reason, "runaway spend");
        assert!(switch.global().is_some());
    }

    #[test]
    fn actors_and_reasons_are_visible_text_within_their_limits() {
        let mut switch = KillSwitch::default();
        assert_eq!(
            switch
                .activate(G, "", "ops\u{200B}", "drill", Timestamp(0))
                .unwrap_err()
                .to_string(),
            "actor: \"ops\\u{200b}\" contains U+200B, an invisible or formatting character"
        );
        assert_eq!(
            switch
                .activate(G, "", "ops", "stop\u{1b}[2J", Timestamp(0))
                .unwrap_err()
                .to_string(),
            "reason: contains U+001B, a control character"
        );
        let at_limit = "é".repeat(MAX_KILL_REASON_LEN);
        assert_eq!(
            switch
                .activate(G, "", "ops", &format!("{at_limit}é"), Timestamp(0))
                .unwrap_err()
                .to_string(),
            "reason: is 501 characters long; the limit is 500"
        );
        assert!(switch.global().is_none());
        let activation = switch
            .activate(G, "", " ops ", &at_limit, Timestamp(0))
            .unwrap();
        assert_eq!(&*activation.actor, "ops");
        assert_eq!(activation.reason.chars().count(), MAX_KILL_REASON_LEN);
    }

    #[test]
    fn cannot_activate_a_scope_twice_or_deactivate_one_that_is_off() {
        let mut switch = KillSwitch::default();
        assert_eq!(
            switch.deactivate(G, "", "ops").unwrap_err().to_string(),
            "the kill switch is not active"
        );
        switch.activate(G, "", "ops", "test", Timestamp(0)).unwrap();
        assert_eq!(
            switch.activate(G, "", "sec", "again", Timestamp(1)),
            Err(KillSwitchError::AlreadyActive {
                scope: String::new(),
                by: "ops".into()
            })
        );
        let (by, was) = switch.deactivate(G, "", "sec").unwrap();
        assert_eq!(by.name().as_ref(), "sec");
        assert_eq!(was.actor.as_ref(), "ops");
        assert!(switch.global().is_none());
    }

    #[test]
    fn scopes_cover_their_agent_or_type_and_stack() {
        let mut switch = KillSwitch::default();
        let agent = KillScope::Agent(AgentId(3));
        let deploys = KillScope::ActionType(ActionType(5));
        switch
            .activate(agent, " for agent 3", "ops", "loop", Timestamp(0))
            .unwrap();
        switch
            .activate(deploys, " for deploy", "ops", "freeze", Timestamp(0))
            .unwrap();
        assert_eq!(switch.len(), 2);
        assert!(switch.covering(AgentId(3), ActionType(0)).is_some());
        assert!(switch.covering(AgentId(1), ActionType(5)).is_some());
        assert!(switch.covering(AgentId(1), ActionType(0)).is_none());
        assert!(switch.global().is_none());
        switch
            .activate(G, "", "ops", "all stop", Timestamp(0))
            .unwrap();
        assert_eq!(switch.all().next().unwrap().scope, G, "global first");
        assert_eq!(switch.covering(AgentId(3), ActionType(0)).unwrap().scope, G);
        switch.deactivate(agent, " for agent 3", "ops").unwrap();
        assert_eq!(switch.len(), 2);
        assert!(switch.get(deploys).is_some());
        assert!(switch.get(agent).is_none());
    }
}

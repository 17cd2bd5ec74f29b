//! The kill switch: one control that stops every agent at once.
//!
//! While it is active the control plane denies every request before any policy
//! runs (so no configuration can let an action through), denies escalations
//! that were waiting, and refuses to execute approvals. Activation needs an
//! actor and a reason; both activation and deactivation are audited.

use super::names::{clean_text, quoted, Actor, TextProblem};
use super::time::Timestamp;
use std::sync::Arc;
use thiserror::Error;

/// The longest reason accepted for activating the kill switch, in characters.
pub const MAX_KILL_REASON_LEN: usize = 500;

#[derive(Clone, Debug, PartialEq)]
pub struct Activation {
    pub actor: Arc<str>,
    pub reason: Arc<str>,
    pub at: Timestamp,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct KillSwitch {
    active: Option<Activation>,
}

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum KillSwitchError {
    #[error("actor: {actor} {problem}")]
    InvalidActor { actor: String, problem: TextProblem },
    #[error("reason: a reason is required to activate the kill switch")]
    MissingReason,
    #[error("reason: {0}")]
    InvalidReason(TextProblem),
    #[error("the kill switch is already active (activated by {by})")]
    AlreadyActive { by: String },
    #[error("the kill switch is not active")]
    NotActive,
}

/// An actor's name, checked: a canonical name (see `names`).
pub(crate) fn check_actor(actor: &str) -> Result<Actor, KillSwitchError> {
    Actor::new(actor).map_err(|problem| KillSwitchError::InvalidActor {
        actor: quoted(actor),
        problem,
    })
}

impl KillSwitch {
    pub fn activation(&self) -> Option<&Activation> {
        self.active.as_ref()
    }

    pub fn is_active(&self) -> bool {
        self.active.is_some()
    }

    pub fn activate(
        &mut self,
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
        if let Some(active) = &self.active {
            return Err(KillSwitchError::AlreadyActive {
                by: active.actor.to_string(),
            });
        }
        Ok(self.active.insert(Activation {
            actor: actor.name().clone(),
            reason: Arc::from(reason),
            at,
        }))
    }

    pub fn deactivate(&mut self, actor: &str) -> Result<Activation, KillSwitchError> {
        check_actor(actor)?;
        self.active.take().ok_or(KillSwitchError::NotActive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_needs_an_actor_and_a_reason() {
        let mut switch = KillSwitch::default();
        assert!(matches!(
            switch.activate("", "runaway", Timestamp(0)),
            Err(KillSwitchError::InvalidActor { .. })
        ));
        assert_eq!(
            switch.activate("ops", "  ", Timestamp(0)),
            Err(KillSwitchError::MissingReason)
        );
        assert!(!switch.is_active());
        let activation = switch
            .activate("ops", "runaway spend", Timestamp(7))
            .unwrap();
        assert_eq!(&*activation.reason, "runaway spend");
        assert!(switch.is_active());
    }

    #[test]
    fn actors_and_reasons_are_visible_text_within_their_limits() {
        let mut switch = KillSwitch::default();
        assert_eq!(
            switch
                .activate("ops\u{200B}", "drill", Timestamp(0))
                .unwrap_err()
                .to_string(),
            "actor: \"ops\\u{200b}\" contains U+200B, an invisible or formatting character"
        );
        assert_eq!(
            switch
                .activate("ops", "stop\u{1b}[2J", Timestamp(0))
                .unwrap_err()
                .to_string(),
            "reason: contains U+001B, a control character"
        );
        let at_limit = "é".repeat(MAX_KILL_REASON_LEN);
        assert_eq!(
            switch
                .activate("ops", &format!("{at_limit}é"), Timestamp(0))
                .unwrap_err()
                .to_string(),
            "reason: is 501 characters long; the limit is 500"
        );
        assert!(!switch.is_active());
        let activation = switch.activate(" ops ", &at_limit, Timestamp(0)).unwrap();
        assert_eq!(&*activation.actor, "ops");
        assert_eq!(activation.reason.chars().count(), MAX_KILL_REASON_LEN);
    }

    #[test]
    fn cannot_activate_twice_or_deactivate_when_off() {
        let mut switch = KillSwitch::default();
        assert_eq!(switch.deactivate("ops"), Err(KillSwitchError::NotActive));
        switch.activate("ops", "test", Timestamp(0)).unwrap();
        assert_eq!(
            switch.activate("sec", "again", Timestamp(1)),
            Err(KillSwitchError::AlreadyActive { by: "ops".into() })
        );
        assert_eq!(switch.deactivate("sec").unwrap().actor.as_ref(), "ops");
        assert!(!switch.is_active());
    }
}

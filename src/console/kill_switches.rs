//! How the console names kill switches: the scope a reviewer picks in the
//! form, each active switch as a row (scope, actor, reason), what stops one
//! agent, and the header's count of scoped switches.
//!
//! Invariant: a trigger's activation reads as "trigger: …" wherever an actor
//! is shown, so a reviewer never mistakes an automatic stop for a person's.

use crate::governance::{Activation, Clock, ControlPlane, KillScope, KillTarget};

/// The scope select's choices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ScopeChoice {
    #[default]
    Global,
    Agent,
    ActionType,
}

impl ScopeChoice {
    pub const ALL: [ScopeChoice; 3] = [
        ScopeChoice::Global,
        ScopeChoice::Agent,
        ScopeChoice::ActionType,
    ];

    /// The select's option value.
    pub fn key(self) -> &'static str {
        match self {
            ScopeChoice::Global => "global",
            ScopeChoice::Agent => "agent",
            ScopeChoice::ActionType => "action_type",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ScopeChoice::Global => "Every agent (global)",
            ScopeChoice::Agent => "One agent",
            ScopeChoice::ActionType => "One action type",
        }
    }

    pub fn from_key(key: &str) -> Option<ScopeChoice> {
        ScopeChoice::ALL.into_iter().find(|c| c.key() == key)
    }

    /// The target the form names; the core checks the name itself. `Err`
    /// when a scoped choice has no name.
    pub fn target(self, name: &str) -> Result<Option<KillTarget>, String> {
        let name = name.trim();
        match self {
            ScopeChoice::Global => Ok(None),
            _ if name.is_empty() => Err(format!(
                "name: type the {} to stop",
                if self == ScopeChoice::Agent {
                    "agent"
                } else {
                    "action type"
                }
            )),
            ScopeChoice::Agent => Ok(Some(KillTarget::Agent(name.to_owned()))),
            ScopeChoice::ActionType => Ok(Some(KillTarget::ActionType(name.to_owned()))),
        }
    }

    /// The confirm button's words.
    pub fn confirm_label(self, name: &str) -> String {
        match self {
            ScopeChoice::Global => "Confirm: stop all agents".to_owned(),
            ScopeChoice::Agent => format!("Confirm: halt agent {}", name.trim()),
            ScopeChoice::ActionType => format!("Confirm: stop action type {}", name.trim()),
        }
    }
}

/// An actor as shown: `trigger:repeated_violations` reads as
/// "trigger: repeated violations"; people's names as they are.
pub fn actor_label(actor: &str) -> String {
    match actor.strip_prefix("trigger:") {
        Some(name) => format!("trigger: {}", name.replace('_', " ")),
        None => actor.to_owned(),
    }
}

/// A target in words: "global", "agent x", "action type y".
pub fn target_label(target: Option<&KillTarget>) -> String {
    match target {
        None => "global".to_owned(),
        Some(KillTarget::Agent(name)) => format!("agent {name}"),
        Some(KillTarget::ActionType(name)) => format!("action type {name}"),
    }
}

/// One active kill switch, as the panel lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwitchRow {
    /// `None`: the global switch.
    pub target: Option<KillTarget>,
    pub scope: String,
    pub actor: String,
    pub reason: String,
    pub at: String,
}

impl SwitchRow {
    /// Its key in a keyed list: the same while the switch stays as it is,
    /// another when the switch is deactivated and activated again (by
    /// someone else, at another time, for another reason), so its row is
    /// redrawn then and only then.
    pub fn key(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}",
            self.scope, self.at, self.actor, self.reason
        )
    }
}

fn row<C: Clock>(plane: &ControlPlane<C>, activation: &Activation) -> SwitchRow {
    let target = plane.kill_target(activation.scope);
    SwitchRow {
        scope: target_label(target.as_ref()),
        target,
        actor: actor_label(&activation.actor),
        reason: activation.reason.to_string(),
        at: activation.at.to_string(),
    }
}

/// The active scoped switches (agents and action types), in the core's order
/// (the panel lists them through [`listed_switches`]).
#[cfg(test)]
pub fn scoped_switches<C: Clock>(plane: &ControlPlane<C>) -> Vec<SwitchRow> {
    plane
        .kill_switches()
        .iter()
        .filter(|a| a.scope != KillScope::Global)
        .map(|a| row(plane, a))
        .collect()
}

/// The panel lists at most this many scoped switches at once. A busy fleet's
/// triggers can halt hundreds of agents in seconds, and hundreds of rows
/// neither fit a reviewer's screen nor lay out within a frame; the others
/// are found by name.
pub const LISTED_SWITCHES: usize = 50;

/// The scoped switches the panel lists: those whose agent or action type
/// name contains what the reviewer typed to find one (ignoring ASCII case;
/// all when nothing is typed), at most [`LISTED_SWITCHES`] of them. Action
/// types come first (they are few, and usually a person's), then agents in
/// the order the control plane first saw them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListedSwitches {
    pub rows: Vec<SwitchRow>,
    /// How many more match but are not listed.
    pub unlisted: usize,
}

impl ListedSwitches {
    /// The line under a capped list, e.g. "Showing 50 of 618 matching
    /// switches: find one by name to see it."; `None` when every match is
    /// listed.
    pub fn more(&self) -> Option<String> {
        (self.unlisted > 0).then(|| {
            format!(
                "Showing {} of {} matching switches: find one by name to see it.",
                self.rows.len(),
                self.rows.len() + self.unlisted
            )
        })
    }
}

/// The switches to list for `find` (see [`ListedSwitches`]). Only the
/// listed ones are formatted; while something is typed, each name is
/// lower-cased to compare it.
pub fn listed_switches<C: Clock>(plane: &ControlPlane<C>, find: &str) -> ListedSwitches {
    let find = find.trim().to_ascii_lowercase();
    let switches = plane.kill_switches();
    let of_types = switches
        .iter()
        .filter(|a| matches!(a.scope, KillScope::ActionType(_)));
    let of_agents = switches
        .iter()
        .filter(|a| matches!(a.scope, KillScope::Agent(_)));
    let mut listed = ListedSwitches::default();
    for activation in of_types.chain(of_agents) {
        let name = match activation.scope {
            KillScope::Agent(agent) => plane.agent_name(agent),
            KillScope::ActionType(action) => plane.action_name(action),
            KillScope::Global => continue,
        };
        if !find.is_empty() && !name.to_ascii_lowercase().contains(&find) {
            continue;
        }
        if listed.rows.len() < LISTED_SWITCHES {
            listed.rows.push(row(plane, activation));
        } else {
            listed.unlisted += 1;
        }
    }
    listed
}

/// The header's line for scoped switches, e.g. "2 agents halted, 1 action
/// type stopped"; `None` when there are none.
pub fn scoped_summary<C: Clock>(plane: &ControlPlane<C>) -> Option<String> {
    let switches = plane.kill_switches();
    let agents = switches
        .iter()
        .filter(|a| matches!(a.scope, KillScope::Agent(_)))
        .count();
    let types = switches
        .iter()
        .filter(|a| matches!(a.scope, KillScope::ActionType(_)))
        .count();
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let parts: Vec<String> = [
        (agents > 0).then(|| format!("{} halted", plural(agents, "agent"))),
        (types > 0).then(|| format!("{} stopped", plural(types, "action type"))),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// What stops an agent, for the fleet table.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Halt {
    /// The agent's own switch, rather than the global one.
    pub own: bool,
    pub actor: String,
    pub reason: String,
}

impl Halt {
    /// "global switch (riley: drill)", "own switch (trigger: …: 20 refusals …)".
    pub fn describe(&self) -> String {
        let which = if self.own {
            "own switch"
        } else {
            "global switch"
        };
        format!("{which} ({}: {})", self.actor, self.reason)
    }
}

/// The switch that stops the agent named `name`, if any; and whether its own
/// switch is active (even when the global one also is).
pub fn halt_of<C: Clock>(plane: &ControlPlane<C>, name: &str) -> (Option<Halt>, bool) {
    let Some(id) = plane.agent_id(name) else {
        return (
            plane.kill_switch().map(|a| Halt {
                own: false,
                actor: actor_label(&a.actor),
                reason: a.reason.to_string(),
            }),
            false,
        );
    };
    let own = plane
        .kill_switches()
        .iter()
        .any(|a| a.scope == KillScope::Agent(id));
    let halt = plane.agent_halted_by(id).map(|a| Halt {
        own: a.scope != KillScope::Global,
        actor: actor_label(&a.actor),
        reason: a.reason.to_string(),
    });
    (halt, own)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::{GovernanceConfig, ManualClock, RequestId, RequestInput};

    fn plane() -> ControlPlane<ManualClock> {
        ControlPlane::new(GovernanceConfig::default(), ManualClock::default()).unwrap()
    }

    #[test]
    fn a_trigger_reads_as_a_trigger_and_a_person_as_themselves() {
        assert_eq!(
            actor_label("trigger:repeated_violations"),
            "trigger: repeated violations"
        );
        assert_eq!(actor_label("riley"), "riley");
    }

    #[test]
    fn a_scoped_choice_needs_a_name_and_global_none() {
        assert_eq!(ScopeChoice::Global.target("ignored"), Ok(None));
        assert_eq!(
            ScopeChoice::Agent.target(" mailer "),
            Ok(Some(KillTarget::Agent("mailer".into())))
        );
        assert_eq!(
            ScopeChoice::ActionType.target("  ").unwrap_err(),
            "name: type the action type to stop"
        );
        assert_eq!(
            ScopeChoice::from_key("action_type"),
            Some(ScopeChoice::ActionType)
        );
        assert_eq!(
            ScopeChoice::Agent.confirm_label("mailer"),
            "Confirm: halt agent mailer"
        );
    }

    #[test]
    fn scoped_switches_are_listed_and_counted_without_the_global_one() {
        let mut plane = plane();
        assert_eq!(scoped_summary(&plane), None);
        plane.activate_kill_switch("riley", "drill").unwrap();
        let mailer = KillTarget::Agent("mailer".into());
        plane
            .activate_kill_switch_for(Some(&mailer), "riley", "loops")
            .unwrap();
        plane
            .activate_kill_switch_for(Some(&KillTarget::Agent("b".into())), "riley", "x")
            .unwrap();
        plane
            .activate_kill_switch_for(Some(&KillTarget::ActionType("email".into())), "riley", "y")
            .unwrap();
        let rows = scoped_switches(&plane);
        let scopes: Vec<_> = rows.iter().map(|r| r.scope.as_str()).collect();
        assert_eq!(scopes, ["agent mailer", "agent b", "action type email"]);
        assert_eq!(rows[0].target, Some(mailer));
        assert_eq!(rows[0].reason, "loops");
        assert_eq!(
            scoped_summary(&plane).as_deref(),
            Some("2 agents halted, 1 action type stopped")
        );
    }

    #[test]
    fn at_most_fifty_switches_are_listed_and_the_others_found_by_name() {
        let mut plane = plane();
        plane.activate_kill_switch("riley", "drill").unwrap();
        for n in 0..120 {
            let target = KillTarget::Agent(format!("Worker-{n:03}"));
            plane
                .activate_kill_switch_for(Some(&target), "trigger:repeated_violations", "x")
                .unwrap();
        }
        // A person's switch for an action type, after 120 halted agents.
        let email = KillTarget::ActionType("email".into());
        plane
            .activate_kill_switch_for(Some(&email), "riley", "y")
            .unwrap();
        let all = listed_switches(&plane, "");
        assert_eq!(all.rows.len(), LISTED_SWITCHES);
        assert_eq!(all.unlisted, 71, "the global switch is not a scoped one");
        assert_eq!(
            all.rows[0].target,
            Some(email.clone()),
            "action types first"
        );
        assert_eq!(
            all.rows[1].scope, "agent Worker-000",
            "then agents, in order"
        );
        assert_eq!(all.rows[49].scope, "agent Worker-048");
        assert_eq!(
            all.more().as_deref(),
            Some("Showing 50 of 121 matching switches: find one by name to see it.")
        );
        // The last agents halted are beyond the list, and found by name, in
        // any case, with spaces around it.
        let found = listed_switches(&plane, "  worker-11 ");
        let scopes: Vec<_> = found.rows.iter().map(|r| r.scope.as_str()).collect();
        let expected: Vec<_> = (110..120).map(|n| format!("agent Worker-{n}")).collect();
        assert_eq!(scopes, expected);
        assert_eq!((found.unlisted, found.more()), (0, None));
        // The name is matched, not the words around it.
        assert_eq!(listed_switches(&plane, "agent").rows, []);
        assert_eq!(listed_switches(&plane, "EMAIL").rows.len(), 1);
        assert_eq!(listed_switches(&plane, "nobody").rows, []);
        // Nothing hidden when there are few.
        plane
            .deactivate_kill_switch_for(Some(&email), "riley")
            .unwrap();
        let few = listed_switches(&plane, "worker-00");
        assert_eq!((few.rows.len(), few.unlisted, few.more()), (10, 0, None));
    }

    #[test]
    fn a_switch_keeps_its_key_until_it_is_switched_again_differently() {
        let mut plane = plane();
        let mailer = KillTarget::Agent("mailer".into());
        let b = KillTarget::Agent("b".into());
        for target in [&mailer, &b] {
            plane
                .activate_kill_switch_for(Some(target), "riley", "loops")
                .unwrap();
        }
        let keys = |plane: &ControlPlane| -> Vec<String> {
            scoped_switches(plane).iter().map(SwitchRow::key).collect()
        };
        let before = keys(&plane);
        assert_ne!(before[0], before[1], "one key per switch");
        assert_eq!(keys(&plane), before, "the same while nothing changes");
        // Off and on again for another reason: a new key, so a new row.
        plane
            .deactivate_kill_switch_for(Some(&mailer), "riley")
            .unwrap();
        plane
            .activate_kill_switch_for(Some(&mailer), "riley", "still looping")
            .unwrap();
        let after = keys(&plane);
        assert!(!after.contains(&before[0]));
        assert!(after.contains(&before[1]));
    }

    #[test]
    fn an_agent_is_halted_by_the_global_switch_or_its_own() {
        let mut plane = plane();
        plane.submit(&RequestInput::new(
            RequestId(uuid::Uuid::from_u128(1)),
            "mailer",
            "web_search",
            0.1,
        ));
        assert_eq!(halt_of(&plane, "mailer"), (None, false));
        plane.activate_kill_switch("riley", "drill").unwrap();
        let (halt, own) = halt_of(&plane, "mailer");
        assert_eq!(halt.unwrap().describe(), "global switch (riley: drill)");
        assert!(!own);
        // An agent that never asked anything is stopped by the global switch too.
        assert!(halt_of(&plane, "newcomer").0.is_some());
        plane.deactivate_kill_switch("riley").unwrap();
        plane
            .activate_kill_switch_for(
                Some(&KillTarget::Agent("mailer".into())),
                "trigger:repeated_violations",
                "20 refusals",
            )
            .unwrap();
        let (halt, own) = halt_of(&plane, "mailer");
        assert!(own);
        assert_eq!(
            halt.unwrap().describe(),
            "own switch (trigger: repeated violations: 20 refusals)"
        );
    }
}

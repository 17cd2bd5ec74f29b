//! The simulation: a fleet of agents sending requests to a control plane on a
//! virtual clock.
//!
//! Everything random comes from one PCG generator (`Pcg64Mcg`) seeded from the
//! settings, and agents act in virtual-time order (ties broken by agent
//! number), so the same seed, settings and operator actions give the same
//! requests, verdicts and audit trail, on any machine.
//!
//! Agents keep asking while the kill switch is active, and are denied: the
//! console shows the switch holding rather than a quiet fleet.

use super::fleet::{assign_personas, name_agents, FleetSettings, SimAgent, SimError};
use super::timeline::Timeline;
use crate::governance::{
    Clock, ControlPlane, GovernanceConfig, ManualClock, Millis, RequestId, RequestInput, Timestamp,
};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AgentStatus {
    Running,
    Paused,
    /// A kill switch that covers the agent (global or its own) is active:
    /// its requests are all denied.
    Halted,
}

/// How far a run got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub submitted: usize,
    pub reached: Timestamp,
}

/// An agent's next turn. `generation` tells a stale turn (from before a pause)
/// from the current one.
type Turn = Reverse<(Timestamp, usize, u64)>;

pub struct Simulation {
    settings: FleetSettings,
    clock: ManualClock,
    plane: ControlPlane<ManualClock>,
    agents: Vec<SimAgent>,
    generations: Vec<u64>,
    turns: BinaryHeap<Turn>,
    rng: Pcg64Mcg,
    timeline: Timeline,
}

impl Simulation {
    pub fn new(settings: FleetSettings, config: GovernanceConfig) -> Result<Simulation, SimError> {
        settings.validate()?;
        let clock = ManualClock::default();
        let plane = ControlPlane::new(config, clock.clone())?;
        let mut rng = Pcg64Mcg::seed_from_u64(settings.seed);
        let agents = name_agents(&assign_personas(&settings, &mut rng));
        let mut simulation = Simulation {
            settings,
            clock,
            plane,
            generations: vec![0; agents.len()],
            agents,
            turns: BinaryHeap::new(),
            rng,
            timeline: Timeline::default(),
        };
        for index in 0..simulation.agents.len() {
            simulation.schedule(index, Timestamp(0));
        }
        simulation.timeline.observe(Timestamp(0), &simulation.plane);
        Ok(simulation)
    }

    pub fn settings(&self) -> &FleetSettings {
        &self.settings
    }

    /// The simulation's time: the clock, which the control plane never runs
    /// ahead of.
    pub fn now(&self) -> Timestamp {
        self.plane.now().max(self.clock.now())
    }

    pub fn agents(&self) -> &[SimAgent] {
        &self.agents
    }

    pub fn agent_status(&self, index: usize) -> AgentStatus {
        let halted = self.plane.kill_switch().is_some()
            || self.agents.get(index).is_some_and(|agent| {
                self.plane
                    .agent_id(&agent.name)
                    .is_some_and(|id| self.plane.agent_halted_by(id).is_some())
            });
        if halted {
            AgentStatus::Halted
        } else if self.agents.get(index).is_some_and(|a| a.paused) {
            AgentStatus::Paused
        } else {
            AgentStatus::Running
        }
    }

    pub fn plane(&self) -> &ControlPlane<ManualClock> {
        &self.plane
    }

    pub fn plane_mut(&mut self) -> &mut ControlPlane<ManualClock> {
        &mut self.plane
    }

    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Records the current totals on the timeline: for changes made through
    /// [`Simulation::plane_mut`] (a reviewer's approval spends too).
    pub fn observe(&mut self) {
        self.timeline.observe(self.plane.now(), &self.plane);
    }

    /// Pauses or resumes an agent. A resumed agent picks up from now, with no
    /// burst of the requests it would have made while paused.
    pub fn set_paused(&mut self, index: usize, paused: bool) -> Result<(), SimError> {
        let agent = self
            .agents
            .get_mut(index)
            .ok_or(SimError::UnknownAgent(index))?;
        if agent.paused == paused {
            return Ok(());
        }
        agent.paused = paused;
        self.generations[index] += 1;
        if !paused {
            let now = self.now();
            self.schedule(index, now);
        }
        Ok(())
    }

    /// Runs agents' turns in time order up to `target`, stopping early after
    /// `max_requests`; the clock ends at the last turn taken if it stopped
    /// early, at `target` otherwise.
    pub fn run_until(&mut self, target: Timestamp, max_requests: usize) -> Progress {
        let mut submitted = 0;
        let mut reached = target.max(self.now());
        while let Some(&Reverse((at, index, generation))) = self.turns.peek() {
            if at > target {
                break;
            }
            if submitted == max_requests {
                reached = self.now();
                break;
            }
            self.turns.pop();
            if generation != self.generations[index] {
                continue;
            }
            self.take_turn(index, at);
            submitted += 1;
        }
        self.clock.set(reached);
        self.plane.expire_due();
        self.timeline.observe(self.plane.now(), &self.plane);
        Progress {
            submitted,
            reached: self.plane.now(),
        }
    }

    pub fn advance(&mut self, span: Millis) -> Progress {
        let target = self.now().saturating_add(span);
        self.run_until(target, usize::MAX)
    }

    /// Exactly the next agent turn (none when every agent is paused).
    pub fn step(&mut self) -> Progress {
        while let Some(&Reverse((at, index, generation))) = self.turns.peek() {
            if generation == self.generations[index] {
                return self.run_until(at, 1);
            }
            self.turns.pop();
        }
        Progress {
            submitted: 0,
            reached: self.now(),
        }
    }

    /// Starts again: the same settings and the control plane's current
    /// configuration, a fresh control plane and the clock at zero, so the same
    /// requests come again.
    pub fn reset(&mut self) {
        let config = self.plane.config().clone();
        *self = Simulation::new(self.settings, config)
            .expect("settings and configuration were valid when this simulation was built");
    }

    fn take_turn(&mut self, index: usize, at: Timestamp) {
        self.clock.set(at);
        let agent = &mut self.agents[index];
        let intent = agent.persona.next_intent(agent.requests, &mut self.rng);
        agent.requests += 1;
        let id = RequestId::from_random_bytes(self.rng.random());
        let input = RequestInput::new(id, agent.name.clone(), intent.action, intent.cost)
            .with_parameters(intent.parameters);
        self.plane.submit_owned(input);
        self.timeline.observe(at, &self.plane);
        self.schedule(index, at);
    }

    /// Schedules an agent's next turn a random interval after `after`
    /// (between half and one and a half times its persona's pace).
    fn schedule(&mut self, index: usize, after: Timestamp) {
        let mean = self.agents[index].persona.mean_interval_ms();
        let delay = self.rng.random_range(mean / 2..=mean + mean / 2).max(1);
        self.turns.push(Reverse((
            after.saturating_add(Millis(delay)),
            index,
            self.generations[index],
        )));
    }
}

//! The fleet: which agents exist, and their personas.
//!
//! Settings are validated before a simulation starts. Personas are assigned
//! from the mix by the seed, and every persona with a non-zero weight gets at
//! least one agent when the fleet is large enough, so a small demo fleet still
//! shows every behaviour.

use super::persona::Persona;
use rand::Rng;
use serde::Serialize;
use thiserror::Error;

pub const MAX_FLEET_SIZE: u32 = 1_000;

/// Relative weights of the personas, in [`Persona::ALL`] order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PersonaMix {
    pub weights: [u32; 5],
}

crate::governance::decode::deserialize_by!(PersonaMix, PersonaMix::decode);

impl PersonaMix {
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<PersonaMix> {
        use crate::governance::decode::{list, whole, DecodeError, Object};
        let mut o = Object::lenient(value)?;
        let weights = o.required("weights", |v| {
            let weights: Vec<u32> = list(v, whole)?;
            <[u32; 5]>::try_from(weights)
                .map_err(|w| DecodeError::new(format!("expected 5 weights, found {}", w.len())))
        })?;
        Ok(PersonaMix { weights })
    }
}

impl Default for PersonaMix {
    fn default() -> PersonaMix {
        PersonaMix {
            weights: [4, 2, 1, 2, 1],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FleetSettings {
    pub seed: u64,
    pub size: u32,
    pub mix: PersonaMix,
}

crate::governance::decode::deserialize_by!(FleetSettings, FleetSettings::decode);

impl FleetSettings {
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<FleetSettings> {
        use crate::governance::decode::{whole, whole_u64, Object};
        let mut o = Object::lenient(value)?;
        Ok(FleetSettings {
            seed: o.required("seed", whole_u64)?,
            size: o.required("size", whole)?,
            mix: o.required("mix", PersonaMix::decode)?,
        })
    }
}

impl Default for FleetSettings {
    fn default() -> FleetSettings {
        FleetSettings {
            seed: 42,
            size: 12,
            mix: PersonaMix::default(),
        }
    }
}

#[derive(Clone, Debug, Error, PartialEq)]
pub enum SimError {
    #[error("fleet size: {0} must be between 1 and 1000")]
    FleetSize(u32),
    #[error("persona mix: at least one persona needs a weight above 0")]
    EmptyMix,
    #[error("persona mix: weight {weight} for {persona} is above the maximum of 1000")]
    WeightTooLarge { persona: &'static str, weight: u32 },
    #[error("agent: there is no agent number {0}")]
    UnknownAgent(usize),
    #[error("configuration: {0}")]
    Config(#[from] crate::governance::ConfigError),
}

impl FleetSettings {
    pub fn validate(&self) -> Result<(), SimError> {
        if self.size == 0 || self.size > MAX_FLEET_SIZE {
            return Err(SimError::FleetSize(self.size));
        }
        if let Some((persona, &weight)) = Persona::ALL
            .iter()
            .zip(&self.mix.weights)
            .find(|(_, &w)| w > 1_000)
        {
            return Err(SimError::WeightTooLarge {
                persona: persona.label(),
                weight,
            });
        }
        if self.mix.weights.iter().all(|&w| w == 0) {
            return Err(SimError::EmptyMix);
        }
        Ok(())
    }
}

/// One simulated agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimAgent {
    pub name: String,
    pub persona: Persona,
    pub paused: bool,
    /// Requests made so far.
    pub requests: u64,
}

/// Personas for a validated fleet, in agent order.
pub(crate) fn assign_personas(settings: &FleetSettings, rng: &mut impl Rng) -> Vec<Persona> {
    let weights = settings.mix.weights;
    let total: u32 = weights.iter().sum();
    let mut personas: Vec<Persona> = Persona::ALL
        .iter()
        .copied()
        .filter(|p| weights[p.index()] > 0)
        .take(settings.size as usize)
        .collect();
    while personas.len() < settings.size as usize {
        let mut ticket = rng.random_range(0..total);
        let persona = Persona::ALL
            .iter()
            .copied()
            .find(|p| {
                let weight = weights[p.index()];
                if ticket < weight {
                    true
                } else {
                    ticket -= weight;
                    false
                }
            })
            .expect("the ticket falls within the total weight");
        personas.push(persona);
    }
    personas
}

/// Agents named after their persona: `steady-worker-01`, `rogue-03`.
pub(crate) fn name_agents(personas: &[Persona]) -> Vec<SimAgent> {
    let mut counts = [0u32; 5];
    personas
        .iter()
        .map(|&persona| {
            counts[persona.index()] += 1;
            SimAgent {
                name: format!("{}-{:02}", persona.slug(), counts[persona.index()]),
                persona,
                paused: false,
                requests: 0,
            }
        })
        .collect()
}

//! The simulated fleet: agents with distinct behaviours driving the control
//! plane on a virtual clock, deterministic from a seed.
//!
//! Pure Rust like the core: no browser crates, time from the simulation's own
//! [`ManualClock`](crate::governance::ManualClock), randomness from the seed.

pub mod fleet;
pub mod persona;
pub mod simulation;
pub mod timeline;

pub use fleet::{FleetSettings, PersonaMix, SimAgent, SimError, MAX_FLEET_SIZE};
pub use persona::Persona;
pub use simulation::{AgentStatus, Progress, Simulation};
pub use timeline::{Timeline, TimelinePoint};

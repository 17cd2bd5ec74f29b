#![cfg(not(target_arch = "wasm32"))]
//! The simulated fleet: deterministic from its seed, with every persona
//! behaving as described.

use agent_governance_console::governance::{
    DecidedBy, GovernanceConfig, Millis, Review, Timestamp, Verdict,
};
use agent_governance_console::sim::timeline::MAX_POINTS;
use agent_governance_console::sim::{
    AgentStatus, FleetSettings, Persona, PersonaMix, SimError, Simulation, MAX_FLEET_SIZE,
};

fn simulation(seed: u64, size: u32) -> Simulation {
    let settings = FleetSettings {
        seed,
        size,
        mix: PersonaMix::default(),
    };
    Simulation::new(settings, GovernanceConfig::default()).unwrap()
}

fn trail(sim: &Simulation) -> Vec<String> {
    let plane = sim.plane();
    plane
        .audit()
        .records()
        .map(|r| plane.audit_line(&r).to_json())
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_audit_trail() {
    let mut a = simulation(7, 40);
    let mut b = simulation(7, 40);
    a.advance(Millis::from_secs(600));
    // The same span in uneven slices and single steps ends the same way.
    for _ in 0..50 {
        b.step();
    }
    b.run_until(Timestamp(123_456), 1_000);
    b.run_until(Timestamp(600_000), usize::MAX);
    assert!(a.plane().audit().len() > 1_000);
    assert_eq!(trail(&a), trail(&b));
}

#[test]
fn a_different_seed_gives_a_different_trail() {
    let mut a = simulation(7, 20);
    let mut b = simulation(8, 20);
    a.advance(Millis::from_secs(60));
    b.advance(Millis::from_secs(60));
    assert_ne!(trail(&a), trail(&b));
}

#[test]
fn reset_replays_the_same_requests() {
    let mut sim = simulation(3, 15);
    sim.advance(Millis::from_secs(120));
    let first = trail(&sim);
    sim.reset();
    assert_eq!(sim.now(), Timestamp(0));
    assert!(sim.plane().audit().is_empty());
    sim.advance(Millis::from_secs(120));
    assert_eq!(trail(&sim), first);
}

fn verdicts_of(sim: &Simulation, persona: Persona) -> Vec<(Verdict, String)> {
    let plane = sim.plane();
    plane
        .audit()
        .records()
        .filter(|r| r.kind() == "decision")
        .filter_map(|r| {
            let request = r.request()?;
            let name = plane.agent_name(request.agent);
            let agent = sim.agents().iter().find(|a| *a.name == **name)?;
            let decision = r.decision()?;
            (agent.persona == persona).then(|| {
                (
                    decision.verdict,
                    decision.decided_by.policy_name().to_owned(),
                )
            })
        })
        .collect()
}

#[test]
fn every_persona_shows_its_behaviour_under_the_default_policies() {
    let mut sim = simulation(42, 12);
    sim.advance(Millis::from_secs(15 * 60));
    let has = |persona, verdict, policy: &str| {
        verdicts_of(&sim, persona)
            .iter()
            .any(|(v, p)| *v == verdict && p == policy)
    };
    assert!(has(
        Persona::RunawayLoop,
        Verdict::RateLimited,
        "rate_limit"
    ));
    assert!(has(Persona::Rogue, Verdict::Denied, "sensitive_actions"));
    assert!(has(
        Persona::SensitiveActor,
        Verdict::Escalated,
        "sensitive_actions"
    ));
    // The burner's calls pass the per-action cap of 1.00 as their cost rises
    // (and the refusals soon halt it).
    assert!(has(Persona::BudgetBurner, Verdict::Denied, "action_cap"));
    assert!(has(
        Persona::SteadyWorker,
        Verdict::Approved,
        "all_policies"
    ));
    // Escalations nobody answers time out.
    assert!(sim.plane().audit().records().any(|r| r
        .decision()
        .is_some_and(|d| d.decided_by == DecidedBy::EscalationTimeout)));
}

#[test]
fn a_small_fleet_still_has_every_persona() {
    let sim = simulation(1, 5);
    let mut personas: Vec<_> = sim.agents().iter().map(|a| a.persona).collect();
    personas.sort_by_key(|p| p.index());
    assert_eq!(personas, Persona::ALL);
    assert_eq!(sim.agents()[0].name, "steady-worker-01");
}

#[test]
fn requests_carry_parameters_a_reviewer_can_judge() {
    let mut sim = simulation(42, 12);
    sim.advance(Millis::from_secs(300));
    let pending = sim
        .plane()
        .pending_escalations()
        .next()
        .expect("an escalation");
    assert!(!pending.request.parameters.is_empty());
}

#[test]
fn a_paused_agent_makes_no_requests_and_resumes_without_a_burst() {
    let mut sim = simulation(42, 12);
    let loop_index = sim
        .agents()
        .iter()
        .position(|a| a.persona == Persona::RunawayLoop)
        .unwrap();
    sim.set_paused(loop_index, true).unwrap();
    assert_eq!(sim.agent_status(loop_index), AgentStatus::Paused);
    sim.advance(Millis::from_secs(60));
    assert_eq!(sim.agents()[loop_index].requests, 0);
    sim.set_paused(loop_index, false).unwrap();
    sim.advance(Millis::from_secs(1));
    assert!(sim.agents()[loop_index].requests <= 8);
    assert_eq!(sim.set_paused(99, true), Err(SimError::UnknownAgent(99)));
}

#[test]
fn the_kill_switch_halts_the_fleet_and_nothing_executes() {
    let mut sim = simulation(42, 12);
    sim.advance(Millis::from_secs(30));
    sim.plane_mut()
        .activate_kill_switch("ops", "drill")
        .unwrap();
    assert_eq!(sim.agent_status(0), AgentStatus::Halted);
    let spend = sim.plane().total_spend();
    let before = sim.plane().audit().len();
    sim.advance(Millis::from_secs(60));
    assert!(sim.plane().audit().len() > before, "agents keep asking");
    assert_eq!(sim.plane().total_spend(), spend);
}

#[test]
fn reviewers_act_through_the_control_plane() {
    let mut sim = simulation(42, 12);
    sim.advance(Millis::from_secs(120));
    let id = sim.plane().pending_escalations().next().unwrap().request.id;
    let decision = sim.plane_mut().resolve(id, &Review::deny("alice")).unwrap();
    assert_eq!(decision.verdict, Verdict::Denied);
}

#[test]
fn run_until_stops_after_the_request_budget() {
    let mut sim = simulation(42, 100);
    let progress = sim.run_until(Timestamp(3_600_000), 250);
    assert_eq!(progress.submitted, 250);
    assert!(progress.reached < Timestamp(3_600_000));
    assert_eq!(sim.now(), progress.reached);
    let rest = sim.run_until(Timestamp(3_600_000), usize::MAX);
    assert_eq!(rest.reached, Timestamp(3_600_000));
}

#[test]
fn fleet_settings_are_validated() {
    let invalid = |size, weights| {
        Simulation::new(
            FleetSettings {
                seed: 0,
                size,
                mix: PersonaMix { weights },
            },
            GovernanceConfig::default(),
        )
        .err()
        .map(|e| e.to_string())
    };
    assert_eq!(
        invalid(0, [1; 5]).as_deref(),
        Some("fleet size: 0 must be between 1 and 1000")
    );
    assert!(invalid(MAX_FLEET_SIZE + 1, [1; 5]).is_some());
    assert_eq!(
        invalid(10, [0; 5]).as_deref(),
        Some("persona mix: at least one persona needs a weight above 0")
    );
    assert!(invalid(MAX_FLEET_SIZE, [1; 5]).is_none());
}

#[test]
fn the_timeline_stays_bounded_and_ends_at_the_latest_totals() {
    let mut sim = simulation(42, 50);
    sim.advance(Millis::from_secs(3 * 3_600));
    let points = sim.timeline().points();
    assert!(points.len() <= MAX_POINTS);
    assert!(points.len() > 100);
    assert_eq!(points[0].at, Timestamp(0));
    let last = points.last().unwrap();
    assert_eq!(last.total_spend, sim.plane().total_spend());
    assert_eq!(
        last.approved,
        sim.plane().verdict_counts().get(Verdict::Approved)
    );
    assert!(points.windows(2).all(|w| w[0].at < w[1].at));
}

#[test]
fn under_the_default_settings_the_runaway_loop_halts_itself() {
    let settings = FleetSettings {
        seed: 11,
        size: 10,
        mix: PersonaMix::default(),
    };
    let mut sim = Simulation::new(settings, GovernanceConfig::default()).unwrap();
    sim.advance(Millis::from_secs(30 * 60));
    let plane = sim.plane();
    let looper = sim
        .agents()
        .iter()
        .position(|a| a.persona == Persona::RunawayLoop)
        .expect("the default mix has a runaway loop");
    assert_eq!(sim.agent_status(looper), AgentStatus::Halted);
    let id = plane.agent_id(&sim.agents()[looper].name).unwrap();
    let halt = plane.agent_halted_by(id).unwrap();
    assert_eq!(&*halt.actor, "trigger:repeated_violations");
    assert!(
        halt.reason.contains("refusals within 300s"),
        "{}",
        halt.reason
    );
    assert!(plane.kill_switch().is_none(), "only that agent stops");
    let others_running = (0..sim.agents().len())
        .filter(|&i| sim.agents()[i].persona == Persona::SteadyWorker)
        .all(|i| sim.agent_status(i) == AgentStatus::Running);
    assert!(others_running);
}

//! Replaying a simulation's emitted event lines reproduces the simulation, lead by lead: every
//! shipped playbook is simulated briefly with `emit_events`, its lines go through
//! `replay::Replay` (the ledger of `run --clock events`) up to the horizon, and each lead's
//! engine actions must equal the simulator's, in order.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use handoff::engine::{Action, Engine, Input, LeadState};
use handoff::events::{decode_line, Effect};
use handoff::replay::Replay;
use handoff::sim::record::Recording;
use handoff::sim::{simulate, SimOptions, START};
use std::collections::BTreeMap;

fn options(days: f64, seed: u64) -> SimOptions {
    SimOptions {
        scenario: None,
        leads: None,
        days: Some(days),
        replications: 1,
        seed,
        threads: 1,
        max_events: handoff::sim::DEFAULT_MAX_EVENTS,
        max_leads_alive: handoff::sim::DEFAULT_MAX_LEADS_ALIVE,
        emit_events: true,
        warmup: None,
    }
}

/// The simulator renders no context package; a replay does. Nothing else may differ.
fn bare(action: &Action) -> Action {
    match action {
        Action::AttachContext { context, .. } => Action::AttachContext {
            context: *context,
            package: None,
        },
        other => other.clone(),
    }
}

fn playbook(path: &str) -> handoff::ir::Playbook {
    let text = std::fs::read_to_string(path).unwrap();
    handoff::check::compile(handoff::span::FileId(0), &text)
        .playbook
        .unwrap()
}

/// The first second at which the simulator applied an input of a lead while one of its own
/// timers due at that same second was pending, by lead. Every reader of event lines fires the
/// timer first (`docs/events.md`, the driver), so from that second on the replay may differ,
/// and only there (`docs/replay.md`).
fn ties(recording: &Recording) -> BTreeMap<String, i64> {
    let mut ties = BTreeMap::new();
    for step in recording.in_time_order().into_iter().filter(|s| s.tie) {
        ties.entry(recording.lead_id(step.lead)).or_insert(step.at);
    }
    ties
}

/// Simulates, replays the emitted lines and compares lead by lead; returns the number of leads
/// and of leads with a tie.
fn agree(path: &str, days: f64, seed: u64) -> (usize, usize) {
    let playbook = playbook(path);
    let engine = Engine::new(&playbook).unwrap();
    let summary = simulate(&engine, &options(days, seed), &|| {}).unwrap();
    let recording = summary.recording.expect("a recording was asked for");
    let ties = ties(&recording);
    let before_tie = |lead: &str, at: i64| ties.get(lead).is_none_or(|tie| at < *tie);
    let mut simulated: BTreeMap<String, Vec<Action>> = BTreeMap::new();
    for step in recording.in_time_order() {
        let lead = recording.lead_id(step.lead);
        if before_tie(&lead, step.at) {
            (simulated.entry(lead).or_default()).extend(step.actions.iter().map(bare));
        }
    }
    let lines = recording.event_lines(&playbook);
    let mut replay = Replay::new(Engine::new(&playbook).unwrap());
    let mut emitted = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let decoded = decode_line(&playbook, i + 1, line).unwrap();
        let accepted = replay.apply(&decoded, &mut emitted).unwrap().unwrap();
        assert!(!accepted.late, "{path}: line {} is late: {line}", i + 1);
    }
    let horizon = START + (days * 86_400.0).round() as i64;
    replay.advance(horizon, &mut emitted);
    let mut replayed: BTreeMap<String, Vec<Action>> = BTreeMap::new();
    for e in &emitted {
        let lead = replay.ledger().lead(e.lead).unwrap().key.clone();
        if let (Effect::Engine(action), true) = (&e.effect, before_tie(&lead, e.at)) {
            replayed.entry(lead).or_default().push(bare(action));
        }
    }
    assert_eq!(
        simulated.len(),
        replay.ledger().len(),
        "{path}: leads simulated and replayed"
    );
    for (lead, actions) in &simulated {
        let got = replayed.get(lead).map_or(&[][..], Vec::as_slice);
        let first = actions.iter().zip(got).position(|(a, b)| a != b);
        assert!(
            actions.as_slice() == got,
            "{path}: lead `{lead}` differs at action {:?}: simulated {:?}, replayed {:?}",
            first.unwrap_or(actions.len().min(got.len())),
            first.map(|i| &actions[i]),
            first.map(|i| &got[i]),
        );
    }
    if ties.is_empty() {
        // Without ties the outcomes agree exactly, counts included.
        let report = replay.report();
        let count = |name: &str| {
            let done = |a: &Action| match name {
                "converted" => matches!(a, Action::Converted { .. }),
                "closed" => matches!(a, Action::Closed { .. }),
                _ => matches!(a, Action::Disqualified { .. }),
            };
            simulated.values().flatten().filter(|a| done(a)).count() as u64
        };
        for name in ["converted", "closed", "disqualified"] {
            let replayed: u64 = (report.outcomes.iter())
                .filter(|o| o.outcome == name)
                .map(|o| o.count)
                .sum();
            assert_eq!(replayed, count(name), "{path}: {name}");
        }
        let handoffs = (simulated.values().flatten())
            .filter(|a| matches!(a, Action::CreateTask { .. }))
            .count() as u64;
        assert_eq!(report.handoffs, handoffs, "{path}: handoffs");
    }
    (simulated.len(), ties.len())
}

#[test]
fn replaying_emitted_events_reproduces_every_shipped_playbook() {
    let mut shipped: Vec<_> = std::fs::read_dir("playbooks")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "playbook"))
        .collect();
    shipped.sort();
    assert!(shipped.len() >= 4);
    for path in shipped {
        let (leads, ties) = agree(path.to_str().unwrap(), 10.0, 7);
        eprintln!("{}: {leads} leads, {ties} with a tie", path.display());
        assert!(leads > 20, "{}: only {leads} leads", path.display());
        assert!(
            ties * 50 <= leads,
            "{}: {ties} of {leads} leads tie",
            path.display()
        );
    }
}

/// The simulator admits a lead in place (`Engine::admit`); a reader of event lines steps it
/// with `Input::Arrive`. Both must leave the same state and take the same actions, track exits
/// that hold on arrival included.
#[test]
fn admitting_a_lead_is_the_arrival_step() {
    for path in [
        "playbooks/enterprise-abm.playbook",
        "playbooks/seed-matrix.playbook",
    ] {
        let playbook = playbook(path);
        let engine = Engine::new(&playbook).unwrap();
        let summary = simulate(&engine, &options(3.0, 7), &|| {}).unwrap();
        let recording = summary.recording.unwrap();
        let arrivals = (recording.steps.iter()).filter_map(|s| match &s.input {
            Some(Input::Arrive { attributes, source }) => Some((s.at, attributes, source)),
            _ => None,
        });
        let mut seen = 0;
        for (at, attributes, source) in arrivals {
            let (mut admitted, mut stepped) = (LeadState::new(), LeadState::new());
            let (mut by_admit, mut by_step) = (Vec::new(), Vec::new());
            engine.admit(
                &mut admitted,
                attributes.clone(),
                source.clone(),
                at,
                &mut by_admit,
            );
            let input = Input::Arrive {
                attributes: attributes.clone(),
                source: source.clone(),
            };
            engine.step(&mut stepped, &input, at, &mut by_step);
            assert_eq!(by_admit, by_step, "{path}: actions of an arrival at {at}");
            assert_eq!(admitted, stepped, "{path}: state after an arrival at {at}");
            seen += 1;
        }
        assert!(seen > 50, "{path}: {seen} arrivals");
    }
}

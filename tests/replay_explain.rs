//! `replay --explain`: the followed lead's story is told from the engine's tracer, and the
//! traced steps are the untraced ones: on every shipped playbook's emitted log, each followed
//! lead's story holds exactly the actions the ledger took for it, and ends in its stage. One
//! story per shipped playbook is snapshotted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use handoff::engine::{Action, Engine};
use handoff::events::{decode_line, Effect};
use handoff::ledger::Emitted;
use handoff::replay::explain::Story;
use handoff::replay::sources::SourceMap;
use handoff::replay::Replay;
use handoff::sim::{simulate, SimOptions, START};

const PLAYBOOKS: [&str; 4] = [
    "playbooks/seed-matrix.playbook",
    "playbooks/inbound-plg.playbook",
    "playbooks/enterprise-abm.playbook",
    "playbooks/mmc.playbook",
];
const DAYS: f64 = 5.0;

fn options() -> SimOptions {
    SimOptions {
        scenario: None,
        leads: None,
        days: Some(DAYS),
        replications: 1,
        seed: 7,
        threads: 1,
        max_events: handoff::sim::DEFAULT_MAX_EVENTS,
        max_leads_alive: handoff::sim::DEFAULT_MAX_LEADS_ALIVE,
        emit_events: true,
        warmup: None,
    }
}

/// A shipped playbook, its text and its emitted event lines.
fn emitted(path: &str) -> (handoff::ir::Playbook, String, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let playbook = handoff::check::compile(handoff::span::FileId(0), &text)
        .playbook
        .unwrap();
    let engine = Engine::new(&playbook).unwrap();
    let summary = simulate(&engine, &options(), &|| {}).unwrap();
    let lines = summary.recording.unwrap().event_lines(&playbook);
    (playbook, text, lines)
}

/// Replays every line with `lead` followed; returns its story and what the ledger emitted.
fn replay(
    playbook: &handoff::ir::Playbook,
    text: &str,
    lines: &[String],
    lead: Option<&str>,
) -> (Replay, Option<Story>, Vec<Emitted>) {
    let mut replay = Replay::new(Engine::new(playbook).unwrap());
    if let Some(lead) = lead {
        replay.explain(lead, SourceMap::new("PLAYBOOK", text));
    }
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let decoded = decode_line(playbook, i + 1, line).unwrap();
        replay.apply(&decoded, &mut out).unwrap();
    }
    replay.advance(START + (DAYS * 86_400.0) as i64, &mut out);
    let story = replay.story();
    (replay, story, out)
}

/// The ledger's actions for a lead, as a story words them (timers are the ledger's own).
fn ledger_actions(replay: &Replay, out: &[Emitted], lead: &str) -> Vec<String> {
    let no = replay.ledger().find(lead).unwrap();
    let playbook = replay.ledger().engine().playbook();
    (out.iter().filter(|e| e.lead == no))
        .filter_map(|e| match &e.effect {
            Effect::Engine(Action::StartTimer { .. }) => None,
            Effect::Engine(a) => Some(a.describe(playbook).to_string()),
            _ => None,
        })
        .collect()
}

/// Leads handed off at least once, in creation order.
fn handed_off(replay: &Replay, out: &[Emitted]) -> Vec<String> {
    let mut leads: Vec<u32> = (out.iter())
        .filter(|e| matches!(e.effect, Effect::Engine(Action::CreateTask { .. })))
        .map(|e| e.lead)
        .collect();
    leads.sort_unstable();
    leads.dedup();
    let ledger = replay.ledger();
    leads
        .into_iter()
        .map(|no| ledger.lead(no).unwrap().key.clone())
        .collect()
}

#[test]
fn a_followed_lead_takes_exactly_the_ledgers_steps_on_every_shipped_playbook() {
    for path in PLAYBOOKS {
        let (playbook, text, lines) = emitted(path);
        let (plain, _, out) = replay(&playbook, &text, &lines, None);
        let leads = handed_off(&plain, &out);
        assert!(!leads.is_empty(), "{path}: no handoff in {DAYS} days");
        // Followed leads: handed off ones (the tracer's busiest), spread over the history.
        let step = (leads.len() / 8).max(1);
        for lead in leads.iter().step_by(step) {
            let (_, story, _) = replay(&playbook, &text, &lines, Some(lead));
            let story = story.unwrap();
            let told: Vec<String> = (story.chapters.iter())
                .filter(|c| c.input != "routing")
                .flat_map(|c| c.actions.clone())
                .collect();
            assert_eq!(
                told,
                ledger_actions(&plain, &out, lead),
                "{path}: lead {lead}"
            );
            let no = plain.ledger().find(lead).unwrap();
            let stage = plain.ledger().lead(no).unwrap().record.state.stage_name();
            assert_eq!(story.stage, stage, "{path}: lead {lead}");
        }
    }
}

/// The story of the first lead whose handoff breached its SLA, else of the first handed off.
fn story_of_interest(path: &str) -> String {
    let (playbook, text, lines) = emitted(path);
    let (plain, _, out) = replay(&playbook, &text, &lines, None);
    let breached: Vec<u32> = (out.iter())
        .filter(|e| matches!(e.effect, Effect::Engine(Action::SlaBreached { .. })))
        .map(|e| e.lead)
        .collect();
    let leads = handed_off(&plain, &out);
    let lead = (breached.iter().min())
        .map(|no| plain.ledger().lead(*no).unwrap().key.clone())
        .unwrap_or_else(|| leads[0].clone());
    let (_, story, _) = replay(&playbook, &text, &lines, Some(&lead));
    serde_json::to_string_pretty(&story.unwrap()).unwrap()
}

#[test]
fn one_story_per_shipped_playbook() {
    for path in PLAYBOOKS {
        let name = path
            .trim_start_matches("playbooks/")
            .trim_end_matches(".playbook");
        insta::assert_snapshot!(format!("explain_{name}"), story_of_interest(path));
    }
}

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! Random logs with repeats, late lines and malformed lines never stop the runner and never
//! lose a valid line: every line read is accepted, a duplicate or a dead letter, and the store
//! ends where the in-process ledger does.

mod live_support;

use handoff::engine::{Engine, Renames};
use handoff::live::input::Source;
use handoff::live::store::{Durability, Store};
use handoff::live::{run, Clock, RunOptions};
use live_support::{as_stored, reference, seed_log};
use proptest::prelude::*;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

fn playbook() -> handoff::ir::Playbook {
    let text = std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap();
    handoff::check::compile(handoff::span::FileId(0), &text)
        .playbook
        .unwrap()
}

/// Damage that a sender, a network or a person can do to a line.
fn damage() -> impl Strategy<Value = (usize, u8, String)> {
    (any::<usize>(), 0u8..4, "[ -~]{0,40}")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn every_line_is_accepted_a_duplicate_or_a_dead_letter(
        seed in any::<u64>(),
        leads in 5usize..40,
        damages in proptest::collection::vec(damage(), 0..12),
        batch in 1usize..50,
    ) {
        let mut lines = seed_log(seed, leads);
        for (at, how, junk) in damages {
            let at = at % lines.len();
            match how {
                0 => lines.insert(at, junk),
                1 => { let copy = lines[at].clone(); lines.push(copy); }
                2 => { let cut = lines[at].len() / 3; let part = lines[at][..cut].to_owned(); lines.insert(at, part); }
                _ => { let moved = lines.remove(at); lines.insert(at / 2, moved); }
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let events = dir.path().join("events.jsonl");
        std::fs::write(&events, lines.join("\n") + "\n").unwrap();
        let store = dir.path().join("s.db");
        let options = RunOptions {
            store: store.clone(),
            events: Source::File(events),
            follow: false,
            actions: None,
            clock: Clock::Events,
            durability: Durability::Normal,
            batch_lines: batch,
            batch_wait: Duration::from_millis(1),
            renames: Renames::none(),
        };
        let p = playbook();
        let report = run(&p, options, Arc::new(AtomicBool::new(false))).unwrap();
        prop_assert_eq!(report.lines as usize, lines.len());
        prop_assert_eq!(report.accepted + report.duplicates + report.dead, report.lines);
        let (expected, actions) = reference(&p, &lines);
        let stored = Store::open_read(&store).unwrap().load(Engine::new(&p).unwrap()).unwrap();
        prop_assert_eq!(as_stored(stored.leads()), as_stored(expected.leads()));
        prop_assert_eq!(report.actions as usize, actions.len());
    }
}

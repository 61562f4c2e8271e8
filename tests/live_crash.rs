#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! Crash safety: a log of thousands of events over hundreds of leads, with timers firing
//! throughout, is fed to `handoff run`, which is killed with SIGKILL at seeded random moments
//! and restarted each time. At the end every lead equals one uninterrupted in-process run over
//! the accepted lines, the delivered actions (deduplicated by key) equal that run's exactly, no
//! timer is forgotten and re-sent lines are dropped.
//!
//! `HANDOFF_CRASH_TRIALS` sets the number of kills (CI runs a few; `.ci/crash-trials` runs 100).

mod live_support;

use handoff::engine::Engine;
use handoff::live::store::Store;
use live_support::{as_stored, delivered, reference, seed_log};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SEED: &str = "playbooks/seed-matrix.playbook";

fn trials() -> usize {
    std::env::var("HANDOFF_CRASH_TRIALS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(6)
}

#[test]
fn sigkill_at_random_moments_loses_nothing_and_repeats_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let lines = seed_log(11, 500);
    assert!(lines.len() > 2500, "{} lines", lines.len());
    let events = dir.path().join("events.jsonl");
    std::fs::write(&events, lines.join("\n") + "\n").unwrap();
    let (store, actions) = (dir.path().join("s.db"), dir.path().join("actions.jsonl"));
    let spawn = |store: &Path, actions: &Path| {
        Command::new(assert_cmd::cargo::cargo_bin("handoff"))
            .args(["run", SEED, "--clock", "events", "--quiet", "--batch", "40"])
            .arg("--store")
            .arg(store)
            .arg("--events")
            .arg(&events)
            .arg("--actions")
            .arg(actions)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let runner = || spawn(&store, &actions);
    // Kills land at uniform moments of one uninterrupted run's length.
    let started = Instant::now();
    let scratch = spawn(
        &dir.path().join("scratch.db"),
        &dir.path().join("scratch.jsonl"),
    );
    assert!(scratch.wait_with_output().unwrap().status.success());
    let whole = started.elapsed().as_millis().max(10) as u64;
    let mut rng = StdRng::seed_from_u64(2026);
    let mut kills = 0;
    let mut finished = 0;
    while kills < trials() {
        let mut child = runner();
        std::thread::sleep(Duration::from_millis(rng.random_range(1..whole)));
        if child.try_wait().unwrap().is_some() {
            // It finished before the kill: start over on a fresh store, so that kills keep
            // landing in the middle of the work.
            finished += 1;
            assert!(finished < 50, "the runner always finishes before the kill");
            std::fs::remove_file(&store).ok();
            std::fs::remove_file(&actions).ok();
            for suffix in ["-wal", "-shm"] {
                let mut p = store.clone().into_os_string();
                p.push(suffix);
                std::fs::remove_file(p).ok();
            }
            continue;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
    }
    eprintln!("{kills} kills, {finished} runs finished before their kill");
    let out = runner().wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let text = std::fs::read_to_string(SEED).unwrap();
    let playbook = handoff::check::compile(handoff::span::FileId(0), &text)
        .playbook
        .unwrap();
    let (expected, expected_actions) = reference(&playbook, &lines);
    let store = Store::open_read(&store).unwrap();
    let stored = store.load(Engine::new(&playbook).unwrap()).unwrap();
    assert_eq!(stored.len(), expected.len());
    for (got, want) in as_stored(stored.leads())
        .iter()
        .zip(as_stored(expected.leads()))
    {
        assert_eq!(got, &want, "lead {}", want.key);
    }
    assert_eq!(
        stored.pending_timers(),
        expected.pending_timers(),
        "no timer forgotten"
    );
    let status = handoff::live::status::status(&store, 0).unwrap();
    assert_eq!(status.timers, expected.pending_timers() as u64);
    assert_eq!(status.undelivered, 0);
    let got = delivered(&std::fs::read_to_string(&actions).unwrap());
    let missing: Vec<&String> = expected_actions
        .keys()
        .filter(|k| !got.contains_key(*k))
        .collect();
    let extra: Vec<&String> = got
        .keys()
        .filter(|k| !expected_actions.contains_key(*k))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
    for (key, line) in &expected_actions {
        assert_eq!(&got[key], line, "action {key}");
    }
}

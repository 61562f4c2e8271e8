#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! How fast `handoff replay` goes through history, in memory on one core:
//! `cargo bench --bench replay`.
//!
//! The seed playbook is simulated with `--emit-events` for about 400,000 leads (some 1M event
//! lines); the lines are then replayed as `handoff replay PLAYBOOK EVENTS --until HORIZON` does,
//! through `replay::Replay` (the ledger of `run --clock events`). Two figures, best of three runs:
//!
//! 1. lines per second from text: each line decoded (`events::decode_line`) and applied;
//! 2. lines per second already decoded: only the ledger, driver and engine.
//!
//! `HANDOFF_BENCH_LEADS` sets the number of leads simulated.

use handoff::engine::Engine;
use handoff::events::{decode_line, Decoded};
use handoff::replay::Replay;
use handoff::sim::{simulate, SimOptions, START};
use std::time::{Duration, Instant};

/// The allocator the `handoff` binary installs, so the figures are those of `handoff replay`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PLAYBOOK: &str = "playbooks/seed-matrix.playbook";
const RUNS: usize = 3;

fn leads() -> u64 {
    std::env::var("HANDOFF_BENCH_LEADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400_000)
}

fn main() {
    let text = std::fs::read_to_string(PLAYBOOK).unwrap();
    let playbook = handoff::check::compile(handoff::span::FileId(0), &text)
        .playbook
        .unwrap();
    let engine = Engine::new(&playbook).unwrap();
    let options = SimOptions {
        scenario: None,
        leads: Some(leads()),
        days: None,
        replications: 1,
        seed: 1,
        threads: 1,
        max_events: handoff::sim::DEFAULT_MAX_EVENTS,
        max_leads_alive: handoff::sim::DEFAULT_MAX_LEADS_ALIVE,
        emit_events: true,
        warmup: None,
    };
    let summary = simulate(&engine, &options, &|| {}).unwrap();
    let horizon = START + summary.inputs.horizon_secs;
    let lines = summary.recording.unwrap().event_lines(&playbook);
    let decoded: Vec<Decoded> = (lines.iter().enumerate())
        .map(|(i, l)| decode_line(&playbook, i + 1, l).unwrap())
        .collect();
    println!(
        "replay bench: {} lines of {} leads of `{PLAYBOOK}`, one core, best of {RUNS}",
        lines.len(),
        leads()
    );

    let from_text = best(|| {
        let mut replay = Replay::new(engine.clone());
        let mut out = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let line = decode_line(&playbook, i + 1, line).unwrap();
            let _ = replay.apply(&line, &mut out);
            out.clear();
        }
        replay.advance(horizon, &mut out);
        replay.report().leads
    });
    let decoded_only = best(|| {
        let mut replay = Replay::new(engine.clone());
        let mut out = Vec::new();
        for line in &decoded {
            let _ = replay.apply(line, &mut out);
            out.clear();
        }
        replay.advance(horizon, &mut out);
        replay.report().leads
    });
    let rate = |d: Duration| lines.len() as f64 / d.as_secs_f64();
    println!(
        "from text (decode and apply): {:>10.0} lines/s ({:.2?})",
        rate(from_text),
        from_text
    );
    println!(
        "already decoded (apply only): {:>10.0} lines/s ({:.2?})",
        rate(decoded_only),
        decoded_only
    );
}

/// The shortest of [`RUNS`] timed runs of `f`.
fn best(f: impl Fn() -> u64) -> Duration {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! How fast `simulate` is: `cargo bench --bench simulate`.
//!
//! The reference load is scenario `scale` of the shipped seed playbook: about a million leads
//! over one simulated year (2,740 a day) with a sales floor sized to match. Reports engine events
//! per second on one core, the speed-up of two threads over one on replications, and the peak
//! memory per simulated lead (growth of the process's peak resident set, `VmHWM`, during one
//! replication, divided by the leads that arrived). `HANDOFF_BENCH_DAYS` shortens the span for a
//! quick look; the figures in `docs/benchmarks.md` use the full year.

use std::time::Instant;

use handoff::engine::Engine;
use handoff::sim::{replicate, simulate, Plan, SimOptions, WARMUP_SHARE};
use handoff::span::FileId;

/// Peak resident set size of this process in KiB, from `/proc/self/status`.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() {
    let days: f64 = std::env::var("HANDOFF_BENCH_DAYS")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(365.0);
    let src = std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap();
    let playbook = handoff::check::compile(FileId(0), &src).playbook.unwrap();
    let engine = Engine::new(&playbook).unwrap();
    let scenario = playbook
        .scenarios
        .iter()
        .find(|s| s.name == "scale")
        .unwrap();
    let horizon_secs = (days * 86_400.0) as i64;
    let plan = Plan {
        horizon_secs,
        warmup_secs: (horizon_secs as f64 * WARMUP_SHARE) as i64,
    };

    let before = peak_kib();
    let started = Instant::now();
    let one = replicate(&engine, scenario, plan, 1, 0);
    let elapsed = started.elapsed().as_secs_f64();
    let after = peak_kib();
    println!("scenario `scale` of seed-matrix, {days} days, one replication on one thread");
    println!(
        "  leads {}  engine events {}  time {elapsed:.2}s",
        one.leads_arrived, one.events
    );
    println!(
        "  engine events/s/core {:.2} M   leads/s {:.0}",
        one.events as f64 / elapsed / 1e6,
        one.leads_arrived as f64 / elapsed
    );
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "  peak memory growth {:.1} MiB = {:.0} bytes per simulated lead",
            (a.saturating_sub(b)) as f64 / 1024.0,
            (a.saturating_sub(b) * 1024) as f64 / one.leads_arrived as f64
        );
    }

    let run = |threads: usize| {
        let options = SimOptions {
            scenario: Some("scale".into()),
            leads: None,
            days: Some(days),
            replications: 2,
            seed: 1,
            threads,
        };
        let started = Instant::now();
        let report = simulate(&engine, &options, &|| {}).unwrap();
        (started.elapsed().as_secs_f64(), report)
    };
    let (t1, r1) = run(1);
    let (t2, r2) = run(2);
    assert_eq!(
        serde_json::to_string(&r1).unwrap(),
        serde_json::to_string(&r2).unwrap(),
        "thread count changed the report"
    );
    println!(
        "two replications: 1 thread {t1:.2}s, 2 threads {t2:.2}s, speed-up {:.2}x",
        t1 / t2
    );
    println!(
        "  engine events/s: 1 thread {:.2} M, 2 threads {:.2} M",
        r1.events_processed as f64 / t1 / 1e6,
        r2.events_processed as f64 / t2 / 1e6
    );
}

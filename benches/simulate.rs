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

/// The allocator the `handoff` binary uses, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use handoff::engine::{Engine, Input, LeadState};
use handoff::ir::{EventId, Playbook, Value};
use handoff::sim::{find_scenario, replicate, simulate, Plan, SimOptions, WARMUP_SHARE};
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

/// Nanoseconds per engine step for a page view on `n` leads of the seed playbook, visited in a
/// pseudo-random order: with a thousand leads every state is in cache and this is the engine's
/// own work; with a million it adds the memory latency of reaching a lead's state.
fn engine_step_ns(engine: &Engine, playbook: &Playbook, n: usize) -> f64 {
    let event = |name: &str| {
        let index = playbook.events.iter().position(|e| e.name == name).unwrap();
        EventId(u32::try_from(index).unwrap())
    };
    let attributes = vec![
        Value::Enum(0),
        Value::Enum(0),
        Value::Number(50.0),
        Value::text("GB"),
        Value::text("customer.com"),
        Value::text("VP Sales"),
        Value::Flag(false),
    ];
    let start = handoff::sim::START;
    let mut out = Vec::new();
    let mut leads: Vec<LeadState> = (0..n)
        .map(|_| engine.admit(attributes.clone(), None, start, &mut out).0)
        .collect();
    // A docs page view: scored, counted and tested against every state rule, firing none.
    let input = Input::Event {
        event: event("page_view"),
        fields: vec![Value::Enum(5)],
    };
    let steps = 4_000_000;
    let mut x = 0x9E37_79B9_7F4A_7C15_u64;
    let started = Instant::now();
    for k in 0..steps {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let lead = &mut leads[(x % n as u64) as usize];
        out.clear();
        engine.step(lead, &input, start + k, &mut out);
    }
    started.elapsed().as_secs_f64() * 1e9 / steps as f64
}

fn main() {
    let days: f64 = std::env::var("HANDOFF_BENCH_DAYS")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(365.0);
    let src = std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap();
    let playbook = handoff::check::compile(FileId(0), &src).playbook.unwrap();
    let engine = Engine::new(&playbook).unwrap();
    let scenario = find_scenario(&engine, Some("scale")).unwrap();
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

    // The same engine on a small working set: the M/M/c playbook keeps only the few leads in the
    // queue alive, so its throughput shows the cost of the work itself rather than of memory.
    let mmc_src = std::fs::read_to_string("playbooks/mmc.playbook").unwrap();
    let mmc = handoff::check::compile(FileId(0), &mmc_src)
        .playbook
        .unwrap();
    let mmc_engine = Engine::new(&mmc).unwrap();
    let mmc_plan = Plan {
        horizon_secs: 10 * 365 * 86_400,
        warmup_secs: 365 * 86_400,
    };
    let started = Instant::now();
    let small = replicate(&mmc_engine, &mmc.scenarios[0], mmc_plan, 1, 0);
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "playbook mmc, 10 years, one replication: leads {}  engine events {}  time {elapsed:.3}s",
        small.leads_arrived, small.events,
    );
    println!(
        "  {:.2} M events/s   leads/s {:.0} (compare: bash benches/simpy/run.sh)",
        small.events as f64 / elapsed / 1e6,
        small.leads_arrived as f64 / elapsed
    );

    println!(
        "engine step alone (docs page view): 1 000 leads {:.0} ns, 1 000 000 leads {:.0} ns",
        engine_step_ns(&engine, &playbook, 1_000),
        engine_step_ns(&engine, &playbook, 1_000_000)
    );

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

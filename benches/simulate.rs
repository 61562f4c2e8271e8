#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! How fast `simulate` is: `cargo bench --bench simulate`.
//!
//! The reference load is scenario `scale` of the shipped seed playbook: about a million leads
//! over one simulated year (2,740 a day) with a sales floor sized to match. Reports engine events
//! per second on one core, the speed-up of two threads over one on replications, and the peak
//! memory per simulated lead (growth of the process's peak resident set, `VmHWM`, during one
//! replication, divided by the leads that arrived). Timed runs are repeated and the fastest
//! kept, since the machines this runs on are shared. `HANDOFF_BENCH_DAYS` shortens the span for a
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
        .map(|_| {
            let mut lead = LeadState::new();
            engine.admit(&mut lead, attributes.clone(), None, start, &mut out);
            lead
        })
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

/// Runs of the reference load; the fastest is reported (see `main`).
const REFERENCE_RUNS: usize = 3;

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
        max_events: u64::MAX,
        max_leads_alive: usize::MAX,
    };

    // The machine this runs on is shared, and a neighbour's load can slow one run by a third
    // (docs/benchmarks.md): the reference load runs three times, and the fastest run, the one
    // least disturbed, is the code's speed; every run is printed. Peak memory is read around
    // the first run, since the process's peak only grows.
    println!("scenario `scale` of seed-matrix, {days} days, one replication on one thread");
    let mut secs = Vec::new();
    for attempt in 0..REFERENCE_RUNS {
        let before = peak_kib();
        let started = Instant::now();
        let one = replicate(&engine, scenario, plan, 1, 0).expect("within budget");
        let elapsed = started.elapsed().as_secs_f64();
        let after = peak_kib();
        println!(
            "  run {}: leads {}  engine events {}  time {elapsed:.2}s  {:.2} M events/s",
            attempt + 1,
            one.leads_arrived,
            one.events,
            one.events as f64 / elapsed / 1e6
        );
        if let (0, Some(b), Some(a)) = (attempt, before, after) {
            println!(
                "  peak memory growth {:.1} MiB = {:.0} bytes per simulated lead",
                (a.saturating_sub(b)) as f64 / 1024.0,
                (a.saturating_sub(b) * 1024) as f64 / one.leads_arrived as f64
            );
        }
        secs.push((elapsed, one.events, one.leads_arrived));
    }
    secs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (fastest, events, leads) = secs[0];
    let median = secs[secs.len() / 2].0;
    println!(
        "  engine events/s/core {:.2} M (fastest of {REFERENCE_RUNS}; median {:.2} M)   leads/s {:.0}",
        events as f64 / fastest / 1e6,
        events as f64 / median / 1e6,
        leads as f64 / fastest
    );

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
        max_events: u64::MAX,
        max_leads_alive: usize::MAX,
    };
    let started = Instant::now();
    let small = replicate(&mmc_engine, &mmc.scenarios[0], mmc_plan, 1, 0).expect("within budget");
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
            max_events: u64::MAX,
            max_leads_alive: usize::MAX,
            emit_events: false,
            warmup: None,
        };
        let started = Instant::now();
        let report = simulate(&engine, &options, &|| {}).unwrap();
        (started.elapsed().as_secs_f64(), report)
    };
    // Interleaved and twice each, the fastest of each kept, for the same reason as above.
    let (mut t1, mut t2) = (f64::INFINITY, f64::INFINITY);
    let (mut r1, mut r2) = (None, None);
    for _ in 0..2 {
        let (t, r) = run(1);
        t1 = t1.min(t);
        r1 = Some(r);
        let (t, r) = run(2);
        t2 = t2.min(t);
        r2 = Some(r);
    }
    let (r1, r2) = (r1.unwrap(), r2.unwrap());
    assert_eq!(
        serde_json::to_string(&r1).unwrap(),
        serde_json::to_string(&r2).unwrap(),
        "thread count changed the report"
    );
    println!(
        "two replications (fastest of two runs each): 1 thread {t1:.2}s, 2 threads {t2:.2}s, speed-up {:.2}x",
        t1 / t2
    );
    println!(
        "  engine events/s: 1 thread {:.2} M, 2 threads {:.2} M",
        r1.events_processed as f64 / t1 / 1e6,
        r2.events_processed as f64 / t2 / 1e6
    );
}

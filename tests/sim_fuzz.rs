#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The simulator on scenarios drawn from the whole legal range of their values (rates,
//! horizons, handling times, seller counts, probabilities): every run ends in time, within a
//! memory bound, with a report or a clear error, and never panics (issue 19).
//!
//! A run is bounded by its event budget and its cap on leads alive, so the test sets both low
//! and checks that every scenario the checker accepts respects them.

use std::sync::mpsc;
use std::time::Duration;

use handoff::engine::Engine;
use handoff::sim::{simulate, SimError, SimOptions};
use handoff::span::FileId;
use proptest::prelude::*;

/// Generous for a debug build on a busy machine; a run that ignores its budget takes far longer.
const DEADLINE: Duration = Duration::from_secs(60);

/// The budget each run gets: small, so a case takes well under a second when it is respected.
const MAX_EVENTS: u64 = 100_000;
const MAX_LEADS_ALIVE: usize = 20_000;

/// One scenario's values, each drawn across its legal range.
#[derive(Debug, Clone)]
struct Values {
    horizon_hours: u32,
    arrivals_per_hour: f64,
    signals_per_hour: f64,
    intent_hours: f64,
    sellers: u32,
    handle_minutes: f64,
    connect_percent: f64,
    capacity: u32,
}

/// Log-uniform between `lo` and `hi`, so every order of magnitude is tried.
fn log_uniform(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    (lo.ln()..hi.ln()).prop_map(f64::exp)
}

prop_compose! {
    fn values()(
        horizon_hours in 1u32..876_000,
        arrivals_per_hour in log_uniform(2e-6, 3.6e6),
        signals_per_hour in log_uniform(2e-6, 3600.0),
        intent_hours in log_uniform(1e-3, 1e5),
        sellers in prop_oneof![1u32..10, 1u32..1_000_000],
        handle_minutes in log_uniform(0.01, 1e6),
        connect_percent in 0.0f64..=100.0,
        capacity in prop_oneof![1u32..5, 1u32..1_000_000],
    ) -> Values {
        Values {
            horizon_hours,
            arrivals_per_hour,
            signals_per_hour,
            intent_hours,
            sellers,
            handle_minutes,
            connect_percent,
            capacity,
        }
    }
}

/// The M/M/c reference playbook with the drawn values, plus a repeating signal.
fn playbook(v: &Values) -> String {
    format!(
        "lead {{
  company: text
}}

event hand_raise

handoff hand_raise {{
  on hand_raise
  route to desk
  sla 30m
  on breach {{
    notify desk_lead
  }}
}}

queue desk {{
  order fifo
  capacity {capacity} per seller
}}

reason done {{
  close
}}

scenario drawn {{
  horizon {horizon}h
  source inbound {arrivals:.9} per hour
  profile hand_raiser 100% {{
    signal hand_raise on arrival
    signal hand_raise {signals:.9} per hour
    intent lasts exponential(mean {intent:.6}h)
  }}
  staff desk {{
    sellers {sellers}
    handle exponential(mean {handle:.6}m)
    around the clock
  }}
  connect {connect:.3}%
  after connect {{ done 100% }}
}}
",
        capacity = v.capacity,
        horizon = v.horizon_hours,
        arrivals = v.arrivals_per_hour,
        signals = v.signals_per_hour,
        intent = v.intent_hours,
        sellers = v.sellers,
        handle = v.handle_minutes,
        connect = v.connect_percent,
    )
}

/// Checks and simulates on a thread with a deadline: `None` if the checker refused it (with its
/// findings on standard error).
fn run(src: String) -> Option<Result<u64, SimError>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let compiled = handoff::check::compile(FileId(0), &src);
        if compiled.playbook.is_none() {
            eprintln!("{:#?}", compiled.diagnostics);
        }
        let result = compiled.playbook.map(|p| {
            let engine = Engine::new(&p).unwrap();
            let options = SimOptions {
                scenario: None,
                leads: None,
                days: None,
                replications: 1,
                seed: 3,
                threads: 1,
                max_events: MAX_EVENTS,
                max_leads_alive: MAX_LEADS_ALIVE,
                emit_events: false,
                warmup: None,
            };
            simulate(&engine, &options, &|| {}).map(|r| r.events_processed)
        });
        let _ = tx.send(result);
    });
    rx.recv_timeout(DEADLINE)
        .unwrap_or_else(|e| panic!("no answer within {DEADLINE:?}: {e}"))
}

/// Peak resident memory of this process in KiB (Linux), to bound what the runs took.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn any_legal_scenario_ends_within_its_budget(v in values()) {
        let src = playbook(&v);
        match run(src.clone()) {
            None => prop_assert!(false, "the checker refused legal values\n{src}"),
            // The warm-up pilot runs first, on the same budgets, so it may be the one to stop.
            Some(Err(
                SimError::TooManyLeads(_) | SimError::Overrun { .. } | SimError::Pilot { .. },
            )) => {}
            Some(Ok(events)) => {
                // The budget is checked after each event and its follow-up work, which a few
                // steps can exceed.
                prop_assert!(events <= MAX_EVENTS + 1_000, "{events} events\n{src}");
            }
            Some(Err(e)) => prop_assert!(false, "unexpected error {e}\n{src}"),
        }
        if let Some(kib) = peak_kib() {
            prop_assert!(kib < 3 * 1024 * 1024, "peak {kib} KiB\n{src}");
        }
    }
}

/// The values at the edges of their ranges, together: the checker accepts each, and the runs
/// stop with a clear error at the budget rather than hang.
#[test]
fn the_edges_of_every_range_end_in_time() {
    let edges = Values {
        horizon_hours: 876_000,
        arrivals_per_hour: 3.6e6,
        signals_per_hour: 3600.0,
        intent_hours: 1e5,
        sellers: 1_000_000,
        handle_minutes: 0.01,
        connect_percent: 100.0,
        capacity: 1_000_000,
    };
    let result = run(playbook(&edges)).expect("the checker accepts the edges");
    assert!(
        matches!(result, Err(SimError::TooManyLeads(_))),
        "{result:?}"
    );
    let busy = Values {
        horizon_hours: 24,
        arrivals_per_hour: 3600.0,
        ..edges.clone()
    };
    let result = run(playbook(&busy)).expect("the checker accepts it");
    assert!(
        matches!(
            result,
            Err(SimError::Overrun { .. } | SimError::Pilot { .. })
        ),
        "{result:?}"
    );
    let unstaffed = Values {
        sellers: 1,
        handle_minutes: 1e6,
        signals_per_hour: 1e-3,
        ..busy
    };
    let result = run(playbook(&unstaffed)).expect("the checker accepts it");
    assert!(
        matches!(
            result,
            Err(SimError::Overrun { .. } | SimError::Pilot { .. })
        ),
        "{result:?}"
    );
}

//! The warm-up and the growth warning on M/M/c queues whose behaviour theory knows: a stable
//! queue near ρ = 0.9 is not reported as growing (over several seeds, as the test's 1% level
//! promises), an overloaded one at ρ = 1.2 is; the warm-up is decided once, the same for any
//! thread count, and a scenario's `warm-up` wins over MSER-5.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use handoff::engine::Engine;
use handoff::sim::{decide_warmup, simulate, SimError, SimOptions, WarmupMethod};
use support::compile;

/// The shipped M/M/c playbook with `arrivals` leads an hour for 3 sellers of mean 1h: ρ is
/// `arrivals / 3`.
fn mmc(arrivals: &str, extra: &str) -> Engine {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/playbooks/mmc.playbook"
    ))
    .unwrap();
    assert!(text.contains("source inbound 2 per hour"));
    let text = text.replace(
        "source inbound 2 per hour",
        &format!("source inbound {arrivals} per hour\n  {extra}"),
    );
    Engine::new(&compile(&text)).unwrap()
}

fn options(seed: u64, threads: usize) -> SimOptions {
    SimOptions {
        scenario: None,
        leads: None,
        days: Some(60.0),
        replications: 10,
        seed,
        threads,
        max_events: handoff::sim::DEFAULT_MAX_EVENTS,
        max_leads_alive: handoff::sim::DEFAULT_MAX_LEADS_ALIVE,
        emit_events: false,
        warmup: None,
    }
}

fn growth_warnings(engine: &Engine, seed: u64) -> Vec<String> {
    let report = simulate(engine, &options(seed, 2), &|| {}).unwrap();
    report
        .warnings
        .into_iter()
        .filter(|w| w.contains("grows"))
        .collect()
}

#[test]
fn a_stable_queue_near_capacity_is_not_reported_growing() {
    let engine = mmc("2.7", "");
    for seed in 1..=4 {
        assert_eq!(
            growth_warnings(&engine, seed),
            Vec::<String>::new(),
            "seed {seed}"
        );
    }
}

#[test]
fn an_overloaded_queue_is_reported_with_its_growth() {
    // ρ = 1.2: the queue gains 0.6 leads an hour, 14.4 a day.
    let engine = mmc("3.6", "");
    for seed in 1..=2 {
        let warnings = growth_warnings(&engine, seed);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let w = &warnings[0];
        assert!(
            w.starts_with("queue `desk` grows in scenario `mmc`: about "),
            "{w}"
        );
        assert!(w.contains("t-test on the slopes of 10 replications"), "{w}");
        let per_day: f64 = w
            .split("about ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .unwrap()
            .parse()
            .unwrap();
        assert!((8.0..=20.0).contains(&per_day), "{w}");
    }
}

#[test]
fn one_replication_is_tested_by_mann_kendall() {
    let engine = mmc("3.6", "");
    let one = SimOptions {
        replications: 1,
        ..options(1, 1)
    };
    let warnings = simulate(&engine, &one, &|| {}).unwrap().warnings;
    assert!(
        warnings.iter().any(|w| w.starts_with("queue `desk` grows")
            && w.contains("Mann–Kendall test on batch means")),
        "{warnings:?}"
    );
    let stable = mmc("2.7", "");
    let warnings = simulate(&stable, &one, &|| {}).unwrap().warnings;
    assert!(
        !warnings.iter().any(|w| w.contains("grows")),
        "{warnings:?}"
    );
}

#[test]
fn the_warmup_is_the_same_for_any_thread_count_and_reported() {
    let engine = mmc("2.7", "");
    let one = decide_warmup(&engine, &options(5, 1)).unwrap();
    let two = decide_warmup(&engine, &options(5, 2)).unwrap();
    assert_eq!(one, two);
    assert_eq!(one.method, WarmupMethod::Mser5);
    // A queue starting empty at ρ = 0.9 settles within days, well inside the first half.
    assert!(one.secs < 30 * 86_400, "{one:?}");
    let report = simulate(&engine, &options(5, 2), &|| {}).unwrap();
    assert_eq!(report.inputs.warmup_secs, one.secs);
    assert_eq!(report.inputs.warmup_method, WarmupMethod::Mser5);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["inputs"]["warmup_method"], "mser-5");
}

#[test]
fn a_decided_warmup_keeps_the_replications_values() {
    // The pilot draws from streams of its own: a run given the warm-up the pilot chose reports
    // exactly what a run that chose it reports.
    let engine = mmc("2.7", "");
    let chosen = decide_warmup(&engine, &options(3, 2)).unwrap();
    let given = SimOptions {
        warmup: Some(chosen),
        ..options(3, 2)
    };
    let a = simulate(&engine, &options(3, 2), &|| {}).unwrap();
    let b = simulate(&engine, &given, &|| {}).unwrap();
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

#[test]
fn the_scenarios_warmup_wins_and_must_leave_time_to_measure() {
    let engine = mmc("2.7", "warm-up 5d");
    let w = decide_warmup(&engine, &options(1, 1)).unwrap();
    assert_eq!((w.secs, w.method), (5 * 86_400, WarmupMethod::Scenario));
    let report = simulate(&engine, &options(1, 2), &|| {}).unwrap();
    assert_eq!(report.inputs.warmup_secs, 5 * 86_400);
    // `--days 4` leaves nothing after a 5-day warm-up: an error of the run, not a clamp.
    let short = SimOptions {
        days: Some(4.0),
        ..options(1, 1)
    };
    let e = simulate(&engine, &short, &|| {}).unwrap_err();
    assert!(matches!(e, SimError::WarmupTooLong { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "the warm-up of 5.0 days set by the scenario is not shorter than the 4.0 days simulated: shorten the warm-up or simulate longer"
    );
    let none = mmc("2.7", "warm-up 0d");
    let report = simulate(&none, &options(1, 2), &|| {}).unwrap();
    assert_eq!(report.inputs.warmup_secs, 0);
}

#[test]
fn a_queue_that_never_settles_caps_the_warmup_at_half_and_says_so() {
    let engine = mmc("3.6", "");
    let w = decide_warmup(&engine, &options(1, 2)).unwrap();
    assert_eq!(
        w,
        handoff::sim::Warmup {
            secs: 30 * 86_400,
            method: WarmupMethod::Mser5Capped
        }
    );
    let report = simulate(&engine, &options(1, 2), &|| {}).unwrap();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("reached no steady state in the first half")),
        "{:?}",
        report.warnings
    );
}

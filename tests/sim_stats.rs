//! The simulator against queueing theory: on the M/M/c playbook the simulated probability of
//! waiting, probability of waiting longer than the SLA and mean wait must agree with Erlang C
//! within the 95% confidence interval across replications, and Little's law must hold on every
//! sample path. Tolerances come from the theory and the replications, never from tuning.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use handoff::engine::Engine;
use handoff::ir::scenario::Dist;
use handoff::ir::Playbook;
use handoff::sim::kpi::ROWS;
use handoff::sim::stats::{estimate, Estimate};
use handoff::sim::theory::MMc;
use handoff::sim::{replicate, Plan, ReplicationResult, WARMUP_SHARE};
use support::*;

/// The shipped M/M/c playbook with λ per hour, c sellers and mean handling 1/μ hours.
fn mmc(lambda_per_hour: f64, sellers: u32, mean_handle_hours: f64) -> Playbook {
    let mut p = compile(&std::fs::read_to_string("playbooks/mmc.playbook").unwrap());
    let scenario = &mut p.scenarios[0];
    scenario.sources[0].rate_per_sec = lambda_per_hour / 3600.0;
    scenario.staff[0].sellers = sellers;
    scenario.staff[0].handle = Dist::Exponential {
        mean: mean_handle_hours * 3600.0,
    };
    p
}

struct Case {
    lambda: f64,
    sellers: u32,
    mean_handle: f64,
    /// Hours simulated per replication.
    hours: i64,
    replications: u32,
}

fn run(case: &Case, seed: u64) -> (MMc, Vec<ReplicationResult>) {
    let p = mmc(case.lambda, case.sellers, case.mean_handle);
    let engine = Engine::new(&p).unwrap();
    let horizon_secs = case.hours * HOUR;
    let plan = Plan {
        horizon_secs,
        warmup_secs: (horizon_secs as f64 * WARMUP_SHARE) as i64,
        max_events: handoff::sim::DEFAULT_MAX_EVENTS,
        max_leads_alive: handoff::sim::DEFAULT_MAX_LEADS_ALIVE,
    };
    let results = (0..case.replications)
        .map(|r| replicate(&engine, &p.scenarios[0], plan, seed, r).unwrap())
        .collect();
    let theory = MMc::new(case.lambda, 1.0 / case.mean_handle, case.sellers).unwrap();
    (theory, results)
}

fn ci(samples: &[f64]) -> Estimate {
    estimate(samples).unwrap()
}

fn within(what: &str, e: &Estimate, expected: f64) {
    assert!(
        e.ci_low <= expected && expected <= e.ci_high,
        "{what}: theory {expected:.5} outside the 95% CI [{:.5}, {:.5}] (mean {:.5}, n {})",
        e.ci_low,
        e.ci_high,
        e.mean,
        e.n
    );
}

/// Waits in hours of the handoffs counted in each replication.
fn waits(r: &ReplicationResult) -> Vec<f64> {
    r.tallies
        .overall
        .delays
        .iter()
        .map(|d| d / 3600.0)
        .collect()
}

fn check_erlang_c(case: &Case, seed: u64) {
    let (theory, results) = run(case, seed);
    // The SLA of the playbook's rule (30m), in hours.
    let sla = 0.5;
    let p_wait: Vec<f64> = results
        .iter()
        .map(|r| {
            let w = waits(r);
            w.iter().filter(|&&x| x > 0.0).count() as f64 / w.len() as f64
        })
        .collect();
    let p_late: Vec<f64> = results
        .iter()
        .map(|r| {
            let w = waits(r);
            w.iter().filter(|&&x| x > sla).count() as f64 / w.len() as f64
        })
        .collect();
    let mean_wait: Vec<f64> = results
        .iter()
        .map(|r| {
            let w = waits(r);
            w.iter().sum::<f64>() / w.len() as f64
        })
        .collect();
    let label = format!("c={} rho={:.2}", case.sellers, theory.utilisation());
    within(
        &format!("{label} P(wait > 0)"),
        &ci(&p_wait),
        theory.prob_wait(),
    );
    within(
        &format!("{label} P(wait > SLA)"),
        &ci(&p_late),
        theory.prob_wait_longer_than(sla),
    );
    within(
        &format!("{label} mean wait"),
        &ci(&mean_wait),
        theory.mean_wait(),
    );
    // The report's own KPIs agree with the raw samples: share_waited is P(wait > 0) and SLA
    // attainment is 1 - P(wait > SLA) (no breach moves a lead in this playbook).
    for r in &results {
        let t = &r.tallies.overall;
        let touched = t.delays.len() as u64;
        assert_eq!(
            t.waited,
            t.delays.iter().filter(|&&d| d > 0.0).count() as u64
        );
        let late = t.delays.iter().filter(|&&d| d > 1800.0).count() as u64;
        // A pickup in the very second of the deadline may come after the breach timer.
        let at_or_after = t.delays.iter().filter(|&&d| d >= 1800.0).count() as u64;
        assert!(t.sla_missed >= late && t.sla_missed <= at_or_after + (t.handoffs - touched));
    }
}

#[test]
fn single_seller_at_half_load_matches_erlang_c() {
    check_erlang_c(
        &Case {
            lambda: 0.5,
            sellers: 1,
            mean_handle: 1.0,
            hours: 8_000,
            replications: 30,
        },
        11,
    );
}

#[test]
fn three_sellers_at_80_percent_match_erlang_c() {
    check_erlang_c(
        &Case {
            lambda: 2.4,
            sellers: 3,
            mean_handle: 1.0,
            hours: 3_000,
            replications: 30,
        },
        12,
    );
}

#[test]
fn ten_sellers_at_90_percent_match_erlang_c() {
    check_erlang_c(
        &Case {
            lambda: 9.0,
            sellers: 10,
            mean_handle: 1.0,
            hours: 2_000,
            replications: 30,
        },
        13,
    );
}

/// Little's law on each sample path: the time-average number waiting equals the arrival rate into
/// the queue times the mean wait, up to the leads already waiting when the window opened. Those
/// contribute at most `waiting at warm-up × their longest stay` to the area, which bounds the gap.
#[test]
fn littles_law_holds_on_every_sample_path() {
    let case = Case {
        lambda: 2.4,
        sellers: 3,
        mean_handle: 1.0,
        hours: 1_000,
        replications: 10,
    };
    let (_, results) = run(&case, 21);
    for r in &results {
        let l = &r.little[0];
        let length = l.area / l.window;
        let rate = l.started as f64 / l.window;
        let mean_wait = l.sum / l.started as f64;
        let gap = (length - rate * mean_wait) * l.window;
        let bound = f64::from(l.at_warmup) * l.max_boundary;
        assert!(
            gap >= -1e-6 * l.area && gap <= bound + 1e-6 * l.area,
            "L = {length:.4}, λW = {:.4}: gap {gap:.1} outside [0, {bound:.1}]",
            rate * mean_wait
        );
        // The queue-length KPI is that same time average.
        let at = ROWS.iter().position(|k| k.name == "queue_length").unwrap();
        let kpi = r.tallies.overall.values(r.window)[at];
        assert!((kpi - length).abs() <= 1e-9 * length.max(1.0));
    }
}

//! The warm-up pilot: a few replications with no warm-up, on streams of their own, whose mean
//! work in progress per period MSER-5 truncates ([`super::steady::mser5`]).
//!
//! The pilot runs once per command, before any replication, so every batch and shard of the
//! run counts its KPIs from the same time. Its replications are numbered from [`FIRST_PILOT`],
//! far above any replication a run may ask for, so the run's own replications draw the same
//! numbers whatever the warm-up, and a report's values for a given warm-up never move.

use super::rng::Replication;
use super::run::{Plan, Run};
use super::steady::{self, Warmup, WarmupMethod};
use super::timeline::Periods;
use super::world::World;
use super::{SimError, SimOptions, START};
use crate::engine::Engine;
use rayon::prelude::*;

/// Most pilot replications; a run of fewer replications uses as many as it has, so the pilot
/// never costs more than the run.
pub const PILOTS: u32 = 5;

/// The replication number of the first pilot; the others follow it.
pub const FIRST_PILOT: u32 = u32::MAX - PILOTS;

/// Periods the pilot's series has at least, when the horizon is shorter than that many days.
const MIN_PERIODS: i64 = 50;

const DAY: i64 = 86_400;

/// How the pilot cuts the horizon: days, or shorter periods when days would give fewer than
/// [`MIN_PERIODS`] (MSER-5 needs a few batches of five).
pub fn periods(horizon_secs: i64) -> Periods {
    let width = if horizon_secs >= MIN_PERIODS * DAY {
        DAY
    } else {
        (horizon_secs + MIN_PERIODS - 1) / MIN_PERIODS
    };
    Periods::of_width(START, horizon_secs, width)
}

/// The warm-up MSER-5 finds on the pilot's mean work in progress; capped at half the horizon
/// when the series has not settled in its first half.
pub(super) fn mser5_warmup(
    engine: &Engine,
    world: &World,
    plan: Plan,
    options: &SimOptions,
    pool: &rayon::ThreadPool,
) -> Result<Warmup, SimError> {
    let pilots = options.replications.clamp(1, PILOTS);
    let periods = periods(plan.horizon_secs);
    let plan = Plan {
        warmup_secs: 0,
        ..plan
    };
    let series: Vec<Vec<f64>> = pool
        .install(|| {
            (FIRST_PILOT..FIRST_PILOT + pilots)
                .into_par_iter()
                .map(|r| {
                    let rep = Replication::new(options.seed, r);
                    let run = Run::new(engine, world, rep, plan).observing_wip(periods);
                    run.run()
                        .map(|result| result.work_in_progress.unwrap_or_default())
                        .map_err(|overrun| SimError::Pilot { overrun })
                })
                .collect::<Vec<_>>()
        })
        .into_iter()
        .collect::<Result<_, _>>()?;
    let cut = steady::mser5(&mean(&series, periods.count));
    let secs = i64::try_from(cut.periods)
        .unwrap_or(i64::MAX)
        .saturating_mul(periods.width)
        .min(plan.horizon_secs / 2);
    Ok(Warmup {
        secs,
        method: if cut.at_edge {
            WarmupMethod::Mser5Capped
        } else {
            WarmupMethod::Mser5
        },
    })
}

/// The mean of the pilots' series, period by period, in pilot order.
fn mean(series: &[Vec<f64>], count: usize) -> Vec<f64> {
    let n = series.len().max(1) as f64;
    (0..count)
        .map(|i| series.iter().filter_map(|s| s.get(i)).sum::<f64>() / n)
        .collect()
}

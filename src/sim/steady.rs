//! Where a run's steady state starts: the MSER-5 truncation rule (White 1997; Franklin and White
//! 2008) applied to a per-period series of the work in progress, and the warm-up it gives.
//!
//! The rule cuts a series into batch means of five periods and truncates the `d` batches that
//! minimise the squared standard error of the mean of what is left,
//! `MSER(d) = Σ_{j>d} (Z_j − Z̄_d)² / (m − d)²`, searching only the first half of the batches.
//! A minimum at the last candidate means the series had not settled within its first half.

use serde::Serialize;

/// Periods per batch of MSER-5.
pub const BATCH: usize = 5;

/// Fewest batches MSER-5 is applied to; a shorter series is given no warm-up, as there is no
/// second half to compare a truncated first half with.
pub const MIN_BATCHES: usize = 4;

/// A truncation point chosen by MSER-5.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Truncation {
    /// Periods to drop from the start of the series.
    pub periods: usize,
    /// The minimum fell on the last candidate: the series had not settled within its first
    /// half, and `periods` is half of it.
    pub at_edge: bool,
}

/// MSER-5 on `series` (one value per period, in time order): how many leading periods to drop.
/// Non-finite values are read as zero (a period nothing was measured in).
pub fn mser5(series: &[f64]) -> Truncation {
    let batches: Vec<f64> = series
        .chunks_exact(BATCH)
        .map(|c| c.iter().map(|v| finite(*v)).sum::<f64>() / BATCH as f64)
        .collect();
    let m = batches.len();
    if m < MIN_BATCHES {
        return Truncation {
            periods: 0,
            at_edge: false,
        };
    }
    let candidates = m / 2;
    let mut best = (0, f64::INFINITY);
    for d in 0..candidates {
        let kept = batches.get(d..).unwrap_or_default();
        let statistic = mser(kept);
        // Ties keep the shortest warm-up.
        if statistic < best.1 {
            best = (d, statistic);
        }
    }
    let at_edge = candidates > 1 && best.0 + 1 == candidates;
    Truncation {
        periods: if at_edge {
            series.len() / 2
        } else {
            best.0 * BATCH
        },
        at_edge,
    }
}

fn finite(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        0.0
    }
}

/// The MSER statistic of the batch means kept.
fn mser(kept: &[f64]) -> f64 {
    let n = kept.len() as f64;
    let mean = kept.iter().sum::<f64>() / n;
    kept.iter().map(|z| (z - mean).powi(2)).sum::<f64>() / (n * n)
}

/// How a run's warm-up was decided, as reports state it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarmupMethod {
    /// MSER-5 on pilot replications found where the work in progress settles.
    #[serde(rename = "mser-5")]
    Mser5,
    /// MSER-5 found no steady state in the first half of the horizon; the warm-up is half of it.
    #[serde(rename = "mser-5-capped")]
    Mser5Capped,
    /// The scenario's `warm-up` statement.
    Scenario,
    /// The `--warm-up` option.
    Option,
}

impl WarmupMethod {
    /// How the text report names the method.
    pub fn describe(self) -> &'static str {
        match self {
            WarmupMethod::Mser5 => "chosen by MSER-5",
            WarmupMethod::Mser5Capped => {
                "MSER-5 found no steady state in the first half: capped at half the span"
            }
            WarmupMethod::Scenario => "set by the scenario",
            WarmupMethod::Option => "set by `--warm-up`",
        }
    }
}

/// A run's warm-up: the span simulated before KPIs count, and how it was chosen. It is decided
/// once per command, before any replication runs, and carried in [`super::SimOptions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Warmup {
    /// Seconds from the start.
    pub secs: i64,
    /// How it was chosen.
    pub method: WarmupMethod,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
pub(crate) mod tests {
    use super::*;

    /// Deterministic noise in [-1, 1], so the tests need no random generator.
    pub(crate) fn noise(i: usize) -> f64 {
        let x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11;
        (x as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }

    #[test]
    fn a_decaying_transient_is_cut_where_it_settles() {
        // 30 + 40·e^(−t/8) plus noise: within one unit of noise of 30 from about t = 30.
        let series: Vec<f64> = (0..200)
            .map(|t| 30.0 + 40.0 * (-(t as f64) / 8.0).exp() + noise(t))
            .collect();
        let cut = mser5(&series);
        assert!(!cut.at_edge);
        assert!((15..=45).contains(&cut.periods), "{cut:?}");
    }

    #[test]
    fn a_series_starting_empty_and_rising_to_its_level_is_cut_after_the_rise() {
        let series: Vec<f64> = (0..120)
            .map(|t| 50.0 * (1.0 - (-(t as f64) / 5.0).exp()) + 2.0 * noise(t))
            .collect();
        let cut = mser5(&series);
        assert!((10..=30).contains(&cut.periods), "{cut:?}");
    }

    #[test]
    fn a_stationary_series_keeps_almost_everything() {
        for offset in [0, 1000, 5000] {
            let series: Vec<f64> = (0..150).map(|t| 10.0 + noise(t + offset)).collect();
            let cut = mser5(&series);
            assert!(!cut.at_edge);
            assert!(cut.periods <= 25, "{cut:?}");
        }
    }

    #[test]
    fn a_series_that_keeps_growing_is_capped_at_half() {
        let series: Vec<f64> = (0..100).map(|t| t as f64 + noise(t)).collect();
        let cut = mser5(&series);
        assert_eq!(
            cut,
            Truncation {
                periods: 50,
                at_edge: true
            }
        );
    }

    #[test]
    fn a_short_series_is_not_cut() {
        assert_eq!(mser5(&[5.0; 19]).periods, 0);
        assert_eq!(mser5(&[]).periods, 0);
    }
}

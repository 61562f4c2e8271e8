//! Whether a queue grows: trend tests on the number waiting per period after the warm-up.
//!
//! Daily series of two weeks or more are read with one level per weekday, so a weekly staffing
//! cycle cannot read as a trend: over a part of a cycle every replication would share the same
//! spurious slope. Each replication gives the least-squares slope of its series; replications are independent, so with two or more the mean slope is
//! tested by a one-sided Student t-test. One replication alone is tested by Mann–Kendall on
//! batch means of its series (batching weakens the serial correlation the test assumes away).
//! Both tests run at [`LEVEL`].

use serde::{Deserialize, Serialize};

/// The one-sided significance level of the growth tests: a queue in steady state is flagged in
/// about one run in a hundred.
pub const LEVEL: f64 = 0.01;

/// Batches Mann–Kendall is run on (fewer when the series is shorter).
pub const MK_BATCHES: usize = 10;

/// The standard normal 0.99 quantile.
const Z_99: f64 = 2.326_347_874_040_841;

/// Student t 0.99 quantiles for 1 to 30 degrees of freedom.
const T_99: [f64; 30] = [
    31.820_515_953_773_96,
    6.964_556_734_283_274,
    4.540_702_858_568_132,
    3.746_947_387_979_196,
    3.364_929_998_907_217,
    3.142_668_403_290_713,
    2.997_951_566_868_529,
    2.896_459_446_796_162,
    2.821_437_925_699_289,
    2.763_769_457_447_889,
    2.718_079_183_165_18,
    2.680_997_992_714_658,
    2.650_308_837_912_663,
    2.624_494_067_560_23,
    2.602_480_295_291_94,
    2.583_487_185_275_358,
    2.566_933_975_353_387,
    2.552_379_630_182_251,
    2.539_483_190_648_288,
    2.527_977_116_797_17,
    2.517_648_016_451_61,
    2.508_324_552_215_28,
    2.499_866_736_549_84,
    2.492_159_473_695_55,
    2.485_107_175_410_107,
    2.478_629_823_216_5,
    2.472_659_342_088_3,
    2.467_140_115_089_03,
    2.462_021_464_276_9,
    2.457_261_655_3,
];

/// The one-sided critical value of Student's t at [`LEVEL`]: exact to print precision for df up
/// to 30, then Hill's (1970) Cornish–Fisher expansion, as `stats::t_quantile_975` does.
pub fn t_quantile_99(df: usize) -> f64 {
    super::stats::t_quantile(&T_99, Z_99, df)
}

/// One replication's trend of a queue's number waiting after the warm-up.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    /// Least-squares slope in leads a day; NaN with fewer than two periods.
    #[serde(with = "super::values::float")]
    pub slope_per_day: f64,
    /// Mann–Kendall's normal score on batch means; NaN with fewer than three batches.
    #[serde(with = "super::values::float")]
    pub mann_kendall_z: f64,
}

impl Trend {
    /// The trend of `series`, one value per period of `period_days` days; daily series of two
    /// weeks or more are freed of their weekday levels first.
    pub fn of(series: &[f64], period_days: f64) -> Trend {
        let per_week = (WEEK_DAYS / period_days).round() as usize;
        let cycle = if per_week > 1 && series.len() >= 2 * per_week {
            per_week
        } else {
            1
        };
        let adjusted = without_cycle(series, cycle);
        Trend {
            slope_per_day: cycle_slope(series, cycle) / period_days,
            mann_kendall_z: mann_kendall_z(&batch_means(&adjusted, MK_BATCHES)),
        }
    }
}

const WEEK_DAYS: f64 = 7.0;

/// The least-squares slope of `series` against its index; NaN with fewer than two points.
pub fn ols_slope(series: &[f64]) -> f64 {
    cycle_slope(series, 1)
}

/// The least-squares slope of `series` against its index in a regression with one level per
/// phase of a cycle of `length` periods: index and value are measured from their phase's means,
/// so the cycle's shape does not lean on the slope whichever part of a cycle the series ends in.
/// NaN when no phase has two points.
pub fn cycle_slope(series: &[f64], length: usize) -> f64 {
    let length = length.max(1);
    let means = phase_means(series, length);
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, y) in series.iter().enumerate() {
        let (mean_x, mean_y) = means.get(i % length).copied().unwrap_or_default();
        let dx = i as f64 - mean_x;
        sxy += dx * (y - mean_y);
        sxx += dx * dx;
    }
    if sxx > 0.0 {
        sxy / sxx
    } else {
        f64::NAN
    }
}

/// The mean index and mean value of each phase of a cycle of `length` periods.
fn phase_means(series: &[f64], length: usize) -> Vec<(f64, f64)> {
    let mut sums = vec![(0.0, 0.0, 0.0); length.max(1)];
    for (i, y) in series.iter().enumerate() {
        if let Some((sx, sy, n)) = sums.get_mut(i % length.max(1)) {
            *sx += i as f64;
            *sy += y;
            *n += 1.0;
        }
    }
    sums.into_iter()
        .map(|(sx, sy, n)| {
            if n > 0.0 {
                (sx / n, sy / n)
            } else {
                (0.0, 0.0)
            }
        })
        .collect()
}

/// `series` less the mean of its phase in a cycle of `length` periods, plus the overall mean:
/// what Mann–Kendall reads, so the cycle does not pass for a rise.
pub fn without_cycle(series: &[f64], length: usize) -> Vec<f64> {
    let length = length.max(1);
    let means = phase_means(series, length);
    let overall = series.iter().sum::<f64>() / series.len().max(1) as f64;
    series
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let (_, mean) = means.get(i % length).copied().unwrap_or_default();
            y - mean + overall
        })
        .collect()
}

/// `series` cut into at most `batches` equal batches (the first few periods left out when the
/// length does not divide), each replaced by its mean.
pub fn batch_means(series: &[f64], batches: usize) -> Vec<f64> {
    let size = (series.len() / batches.max(1)).max(1);
    let skip = series.len() % size;
    series
        .get(skip..)
        .unwrap_or_default()
        .chunks_exact(size)
        .map(|c| c.iter().sum::<f64>() / size as f64)
        .collect()
}

/// Mann–Kendall's statistic as a normal score (continuity-corrected, with the variance
/// corrected for ties); NaN with fewer than three values.
pub fn mann_kendall_z(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 3 {
        return f64::NAN;
    }
    let mut s = 0i64;
    for (i, a) in values.iter().enumerate() {
        for b in values.iter().skip(i + 1) {
            s += match b.partial_cmp(a) {
                Some(std::cmp::Ordering::Greater) => 1,
                Some(std::cmp::Ordering::Less) => -1,
                _ => 0,
            };
        }
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let ties: f64 = sorted
        .chunk_by(|a, b| a == b)
        .map(|g| g.len() as f64)
        .filter(|t| *t > 1.0)
        .map(|t| t * (t - 1.0) * (2.0 * t + 5.0))
        .sum();
    let nf = n as f64;
    let variance = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0;
    if variance <= 0.0 {
        return 0.0;
    }
    let s = s as f64;
    (s - s.signum()) / variance.sqrt()
}

/// The verdict of the growth test on one queue across replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Growth {
    /// The mean slope is positive at [`LEVEL`] by a t-test over replications.
    TTest {
        /// Mean slope in leads a day.
        per_day: f64,
        /// The t statistic.
        t: f64,
        /// Replications tested.
        n: usize,
    },
    /// One replication's batch means rise at [`LEVEL`] by Mann–Kendall.
    MannKendall {
        /// Its slope in leads a day.
        per_day: f64,
        /// The normal score.
        z: f64,
    },
}

/// Whether the trends of one queue's replications show it growing; `None` when the test finds
/// no upward trend (or has too little to go on).
pub fn growing(trends: &[Trend]) -> Option<Growth> {
    let slopes: Vec<f64> = trends
        .iter()
        .map(|t| t.slope_per_day)
        .filter(|s| s.is_finite())
        .collect();
    match slopes.as_slice() {
        [] => None,
        [per_day] => {
            let z = trends.first()?.mann_kendall_z;
            (z > Z_99 && *per_day > 0.0).then_some(Growth::MannKendall {
                per_day: *per_day,
                z,
            })
        }
        _ => t_test(&slopes),
    }
}

/// The one-sided t-test of a positive mean slope.
fn t_test(slopes: &[f64]) -> Option<Growth> {
    let n = slopes.len();
    let mean = slopes.iter().sum::<f64>() / n as f64;
    let variance = slopes.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let t = mean / (variance / n as f64).sqrt();
    // Every replication with the same positive slope has infinite t: growth beyond doubt.
    let significant = mean > 0.0 && (t > t_quantile_99(n - 1) || variance == 0.0);
    significant.then_some(Growth::TTest {
        per_day: mean,
        t,
        n,
    })
}

impl Growth {
    /// The estimated growth in leads a day.
    pub fn per_day(self) -> f64 {
        match self {
            Growth::TTest { per_day, .. } | Growth::MannKendall { per_day, .. } => per_day,
        }
    }

    /// The test and its statistic, as the warning states them.
    pub fn describe(self) -> String {
        let level = LEVEL * 100.0;
        match self {
            Growth::TTest { t, n, .. } => format!(
                "one-sided t-test on the slopes of {n} replications, t = {t:.1}, significant at {level:.0}%"
            ),
            Growth::MannKendall { z, .. } => format!(
                "Mann–Kendall test on batch means, z = {z:.1}, significant at {level:.0}%"
            ),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    use crate::sim::steady::tests::noise;

    #[test]
    fn the_quantiles_match_their_tables_and_the_normal_limit() {
        assert!((t_quantile_99(1) - 31.8205).abs() < 1e-3);
        assert!((t_quantile_99(19) - 2.5395).abs() < 1e-3);
        // df 31 from the expansion, against the tabulated 2.4528.
        assert!((t_quantile_99(31) - 2.4528).abs() < 1e-3);
        assert!((t_quantile_99(1_000_000) - Z_99).abs() < 1e-5);
        assert!(t_quantile_99(30) > t_quantile_99(31));
    }

    #[test]
    fn the_slope_of_a_line_is_its_slope() {
        let line: Vec<f64> = (0..10).map(|i| 3.0 + 0.5 * i as f64).collect();
        assert!((ols_slope(&line) - 0.5).abs() < 1e-12);
        assert!(ols_slope(&[1.0]).is_nan());
        assert!((Trend::of(&line, 7.0).slope_per_day - 0.5 / 7.0).abs() < 1e-12);
        let daily: Vec<f64> = (0..30).map(|i| 2.0 * i as f64).collect();
        assert!((Trend::of(&daily, 1.0).slope_per_day - 2.0).abs() < 1e-12);
    }

    #[test]
    fn a_weekly_cycle_over_part_of_a_week_is_no_trend() {
        // Five busy days and a quiet weekend, for ten weeks and three days.
        let cycle = |i: usize| if i % 7 < 5 { 10.0 } else { 0.0 };
        let series: Vec<f64> = (0..73).map(cycle).collect();
        assert!(ols_slope(&series).abs() > 1e-3);
        assert_eq!(Trend::of(&series, 1.0).slope_per_day, 0.0);
        let rising: Vec<f64> = (0..17).map(|i| cycle(i) + 0.5 * i as f64).collect();
        assert!((Trend::of(&rising, 1.0).slope_per_day - 0.5).abs() < 1e-12);
        // Weekly periods have no cycle within them to take out.
        assert!((Trend::of(&rising, 7.0).slope_per_day - ols_slope(&rising) / 7.0).abs() < 1e-12);
    }

    #[test]
    fn mann_kendall_sees_a_rise_and_not_noise() {
        let rising: Vec<f64> = (0..10).map(|i| i as f64 + noise(i)).collect();
        assert!(mann_kendall_z(&rising) > Z_99);
        let flat: Vec<f64> = (0..10).map(noise).collect();
        assert!(mann_kendall_z(&flat).abs() < Z_99);
        assert_eq!(mann_kendall_z(&[2.0; 6]), 0.0);
        assert!(mann_kendall_z(&[1.0, 2.0]).is_nan());
    }

    #[test]
    fn batches_drop_the_first_periods_that_do_not_fill_one() {
        assert_eq!(
            without_cycle(&[1.0, 5.0, 3.0, 7.0], 2),
            [3.0, 3.0, 5.0, 5.0]
        );
        assert_eq!(batch_means(&[9.0, 1.0, 3.0, 5.0, 7.0], 2), [2.0, 6.0]);
        assert_eq!(batch_means(&[1.0, 2.0], 10), [1.0, 2.0]);
    }

    #[test]
    fn the_t_test_flags_growth_and_not_noise_around_zero() {
        let trend = |slope: f64| Trend {
            slope_per_day: slope,
            mann_kendall_z: 0.0,
        };
        let rising: Vec<Trend> = (0..20).map(|i| trend(0.5 + 0.3 * noise(i))).collect();
        let g = growing(&rising).unwrap();
        assert!((g.per_day() - 0.5).abs() < 0.1);
        let flat: Vec<Trend> = (0..20).map(|i| trend(0.3 * noise(i))).collect();
        assert_eq!(growing(&flat), None);
        assert_eq!(growing(&[trend(0.0), trend(0.0)]), None);
        assert!(growing(&[trend(1.0), trend(1.0)]).is_some());
    }

    #[test]
    fn one_replication_is_tested_by_mann_kendall() {
        let one = |z: f64| {
            growing(&[Trend {
                slope_per_day: 0.2,
                mann_kendall_z: z,
            }])
        };
        assert!(matches!(one(3.0), Some(Growth::MannKendall { .. })));
        assert_eq!(one(1.0), None);
    }
}

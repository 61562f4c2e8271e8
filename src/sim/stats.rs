//! The statistics the simulator reports: confidence intervals across replications, quantiles,
//! time averages of queue lengths and streaming moments.
//!
//! Everything here is a pure function of its inputs, so a report computed from the same
//! replications is identical bit for bit, whatever the thread count.

use serde::Serialize;
use std::cmp::Ordering;

/// A KPI's mean over replications with its 95% confidence interval, as every report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Mean of the finite samples.
    pub mean: f64,
    /// Lower end of the 95% two-sided Student-t interval.
    pub ci_low: f64,
    /// Upper end of the 95% two-sided Student-t interval.
    pub ci_high: f64,
    /// Number of samples used, after dropping the undefined ones.
    pub n: usize,
}

/// Summarises one KPI across replications so a report can say how sure it is.
///
/// Non-finite samples are skipped: a KPI can be undefined in a replication (a mean delay with no
/// handoffs is NaN), and the remaining replications still say something.
/// Returns `None` when no finite sample is left.
/// With a single sample there is no spread to estimate, so the interval collapses to the mean
/// rather than becoming infinite; `n == 1` tells the reader why.
/// When all samples are equal the interval has exactly zero width (`ci_low`, `mean` and `ci_high`
/// are the same bits), so comparing a variant with itself shows no difference at all.
pub fn estimate(samples: &[f64]) -> Option<Estimate> {
    let mut acc = Welford::new();
    for &x in samples.iter().filter(|x| x.is_finite()) {
        acc.push(x);
    }
    let mean = acc.mean()?;
    let n = acc.count();
    let half_width = match acc.variance() {
        Some(variance) => t_quantile_975(n - 1) * (variance / n as f64).sqrt(),
        None => 0.0,
    };
    let (ci_low, ci_high) = if half_width > 0.0 {
        (mean - half_width, mean + half_width)
    } else {
        (mean, mean)
    };
    Some(Estimate {
        mean,
        ci_low,
        ci_high,
        n,
    })
}

impl Estimate {
    /// The interval cut to the values the quantity can take, `range` (a Student-t interval
    /// around a share near 0% would otherwise reach below zero), on a side where the mean is
    /// within it: a seller utilisation can pass 100% when pickups run past working hours, and
    /// then the range says nothing about its spread.
    pub fn within(self, (lo, hi): (f64, f64)) -> Estimate {
        Estimate {
            ci_low: if self.mean >= lo {
                self.ci_low.max(lo)
            } else {
                self.ci_low
            },
            ci_high: if self.mean <= hi {
                self.ci_high.min(hi)
            } else {
                self.ci_high
            },
            ..self
        }
    }
}

/// Student's t 0.975 quantiles for df = 1..=30, where the asymptotic expansion is least accurate.
const T_975: [f64; 30] = [
    12.706204736174705,
    4.302652729749464,
    3.1824463052837095,
    2.7764451051977943,
    2.5705818356363155,
    2.44691185114497,
    2.3646242515927853,
    2.3060041352041667,
    2.2621571627982053,
    2.228138851986275,
    2.2009851600916397,
    2.178812829667229,
    2.1603686564627926,
    2.144786687917804,
    2.1314495455597755,
    2.1199052992212546,
    2.109815577833317,
    2.1009220402410387,
    2.0930240544083096,
    2.085963447265865,
    2.0796138447276804,
    2.0738730679040263,
    2.0686576104190486,
    2.063898561628026,
    2.0595385527532977,
    2.055529438642873,
    2.0518305164802855,
    2.048407141795245,
    2.0452296421327043,
    2.042272456301238,
];

/// The standard normal 0.975 quantile, the limit of the t quantile as df grows.
const Z_975: f64 = 1.959963984540054;

/// The critical value for 95% two-sided intervals, computed in-crate to avoid a statistics
/// dependency.
///
/// Exact (to f64) for df 1..=30; above that the Cornish–Fisher expansion of Hill (1970) in powers
/// of 1/df, whose relative error is below 2e-8 at df = 31 and shrinks quickly.
/// `df == 0` has no finite quantile and returns infinity.
pub fn t_quantile_975(df: usize) -> f64 {
    t_quantile(&T_975, Z_975, df)
}

/// Student's t quantile for `df` degrees of freedom: from `table` (exact values for df 1, 2, ...)
/// while it lasts, then Hill's (1970) Cornish–Fisher expansion around `z`, the normal quantile
/// of the same probability.
pub(crate) fn t_quantile(table: &[f64], z: f64, df: usize) -> f64 {
    if df == 0 {
        return f64::INFINITY;
    }
    if let Some(&t) = table.get(df - 1) {
        return t;
    }
    let z2 = z * z;
    let g1 = z * (z2 + 1.0) / 4.0;
    let g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
    let g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
    let g4 = z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0;
    let inv = 1.0 / df as f64;
    z + inv * (g1 + inv * (g2 + inv * (g3 + inv * g4)))
}

/// Compares two variants run on common random numbers, where the per-replication difference has
/// far less noise than either KPI alone.
///
/// The interval is that of the mean of `candidate[i] - base[i]`; pairs where either side is
/// non-finite are dropped, as in [`estimate`].
/// Identical inputs give exactly zero mean and zero width.
/// Returns `None` when the slices differ in length (the replications would be mispaired) or when
/// no finite pair is left.
pub fn paired_estimate(base: &[f64], candidate: &[f64]) -> Option<Estimate> {
    if base.len() != candidate.len() {
        return None;
    }
    let differences: Vec<f64> = base
        .iter()
        .zip(candidate)
        .filter(|(b, c)| b.is_finite() && c.is_finite())
        .map(|(b, c)| c - b)
        .collect();
    estimate(&differences)
}

/// Where quantile `q` falls in `n` sorted values: the lower index and the interpolation weight.
fn rank(n: usize, q: f64) -> Option<(usize, f64)> {
    if n == 0 || !(0.0..=1.0).contains(&q) {
        return None;
    }
    let h = (n - 1) as f64 * q;
    let lower = (h.floor() as usize).min(n - 1);
    Some((lower, h - lower as f64))
}

/// Linear interpolation between neighbours; the weight is zero at exact ranks, returning `a` as is.
fn interpolate(a: f64, b: f64, weight: f64) -> f64 {
    if weight > 0.0 {
        a + weight * (b - a)
    } else {
        a
    }
}

/// Percentiles of a KPI (p50/p90 handoff delay) matching R's and numpy's default (type 7), so
/// numbers can be checked against a notebook.
///
/// `sorted` must be ascending (e.g. by `f64::total_cmp`); NaNs are not filtered.
/// Returns `None` for an empty slice or `q` outside `[0, 1]`.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let (lower, weight) = rank(sorted.len(), q)?;
    let a = *sorted.get(lower)?;
    let b = sorted.get(lower + 1).copied().unwrap_or(a);
    Some(interpolate(a, b, weight))
}

/// [`quantile`] without sorting first: O(n) selection for the large per-lead sample vectors.
///
/// Reorders `values`; orders by `f64::total_cmp`, so a positive NaN counts as the largest value.
pub fn quantile_unsorted(values: &mut [f64], q: f64) -> Option<f64> {
    let (lower, weight) = rank(values.len(), q)?;
    let (_, a, above) = values.select_nth_unstable_by(lower, f64::total_cmp);
    let a = *a;
    if weight > 0.0 {
        let b = above.iter().copied().min_by(f64::total_cmp).unwrap_or(a);
        Some(interpolate(a, b, weight))
    } else {
        Some(a)
    }
}

/// The time integral of a piecewise-constant quantity such as a queue length, giving its time
/// average for Little's law (L = λW) checks and its peak.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeWeighted {
    start: f64,
    last_time: f64,
    value: f64,
    integral: f64,
    max: f64,
}

impl TimeWeighted {
    /// Starts observing at time `start` with the quantity at `initial`.
    pub fn new(start: f64, initial: f64) -> Self {
        TimeWeighted {
            start,
            last_time: start,
            value: initial,
            integral: 0.0,
            max: initial,
        }
    }

    /// Records that the quantity changes to `new_value` at time `t`.
    ///
    /// A `t` earlier than the previous update (or NaN) is clamped to it, so a rounding slip in the
    /// caller changes the value without adding negative time.
    pub fn update(&mut self, t: f64, new_value: f64) {
        let t = t.max(self.last_time);
        self.integral += self.value * (t - self.last_time);
        self.last_time = t;
        self.value = new_value;
        self.max = self.max.max(new_value);
    }

    /// Time average over `[start, end]`, the current value extending to `end`.
    ///
    /// `end` before the last update is clamped to it; over an empty interval the average of a
    /// constant is that constant, so the current value is returned.
    pub fn mean(&self, end: f64) -> f64 {
        let end = end.max(self.last_time);
        let duration = end - self.start;
        if duration > 0.0 {
            (self.integral + self.value * (end - self.last_time)) / duration
        } else {
            self.value
        }
    }

    /// The largest value held so far, including the initial one.
    pub fn max(&self) -> f64 {
        self.max
    }
}

/// Streaming mean and variance (Welford 1962), numerically stable where the textbook
/// sum-of-squares formula cancels, and mergeable so replications can be reduced in parallel.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Welford {
    count: usize,
    mean: f64,
    m2: f64,
}

impl Welford {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one observation.
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// How many observations were added.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Mean of the observations; `None` when there are none.
    /// Equal observations give exactly that value back.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then_some(self.mean)
    }

    /// Sample variance (divisor n − 1); `None` with fewer than two observations.
    pub fn variance(&self) -> Option<f64> {
        (self.count > 1).then(|| self.m2 / (self.count - 1) as f64)
    }

    /// Combines two accumulators as if all observations had been pushed into one (Chan et al.).
    ///
    /// The result does not depend on which side is `self`: the operands are put in a canonical
    /// order first, so `a.merge(b)` and `b.merge(a)` agree bit for bit.
    /// Merging is not associative in floating point, so the simulator merges per-replication
    /// accumulators in replication order, never in the order threads finish.
    pub fn merge(&mut self, other: &Welford) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = other.clone();
            return;
        }
        let (a, b) = if Self::canonical_cmp(self, other) == Ordering::Less {
            (other, &*self)
        } else {
            (&*self, other)
        };
        let count = a.count + b.count;
        let n = count as f64;
        let (na, nb) = (a.count as f64, b.count as f64);
        let delta = b.mean - a.mean;
        let mean = a.mean + delta * (nb / n);
        let m2 = a.m2 + b.m2 + delta * delta * (na * nb / n);
        *self = Welford { count, mean, m2 };
    }

    /// A total order on accumulators, so merge always treats the larger one as the base.
    fn canonical_cmp(x: &Welford, y: &Welford) -> Ordering {
        x.count
            .cmp(&y.count)
            .then(x.mean.total_cmp(&y.mean))
            .then(x.m2.total_cmp(&y.m2))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Normal};

    fn close(actual: f64, expected: f64, rel: f64) -> bool {
        ((actual - expected) / expected).abs() <= rel
    }

    #[test]
    fn t_quantiles_match_published_values() {
        let known = [
            (1, 12.706204736),
            (2, 4.302652730),
            (5, 2.570581836),
            (10, 2.228138852),
            (30, 2.042272456),
            (31, 2.039513446),
            (40, 2.021075390),
            (100, 1.983971519),
            (1000, 1.962339081),
        ];
        for (df, expected) in known {
            let t = t_quantile_975(df);
            assert!(close(t, expected, 1e-6), "df={df}: {t} vs {expected}");
        }
    }

    #[test]
    fn t_quantile_decreases_to_the_normal_quantile() {
        assert_eq!(t_quantile_975(0), f64::INFINITY);
        let mut previous = f64::INFINITY;
        for df in 1..=2000 {
            let t = t_quantile_975(df);
            assert!(t < previous && t > Z_975, "df={df}: {t}");
            previous = t;
        }
        assert!(close(t_quantile_975(usize::MAX), Z_975, 1e-15));
    }

    #[test]
    fn estimate_hand_computed() {
        // Mean 2.5, sample sd sqrt(5/3), half-width t(3) * sd / 2.
        let e = estimate(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        let half = 3.1824463052837095 * (5.0f64 / 3.0).sqrt() / 2.0;
        assert_eq!(e.n, 4);
        assert!(close(e.mean, 2.5, 1e-15));
        assert!(close(e.ci_low, 2.5 - half, 1e-12));
        assert!(close(e.ci_high, 2.5 + half, 1e-12));
    }

    #[test]
    fn estimate_edge_cases() {
        assert_eq!(estimate(&[]), None);
        assert_eq!(estimate(&[f64::NAN, f64::INFINITY]), None);
        let single = estimate(&[f64::NAN, 7.5]).unwrap();
        assert_eq!(
            single,
            Estimate {
                mean: 7.5,
                ci_low: 7.5,
                ci_high: 7.5,
                n: 1
            }
        );
        let skipped = estimate(&[1.0, f64::NAN, 3.0]).unwrap();
        assert_eq!(skipped.n, 2);
        assert_eq!(skipped.mean, 2.0);
    }

    #[test]
    fn zero_variance_gives_zero_width_exactly() {
        for x in [0.1, -0.0, 1e-300, 123456.789, -7.3] {
            let e = estimate(&[x; 37]).unwrap();
            assert_eq!(e.mean, x);
            assert_eq!(e.ci_low.to_bits(), e.mean.to_bits());
            assert_eq!(e.ci_high.to_bits(), e.mean.to_bits());
        }
    }

    #[test]
    fn paired_identical_inputs_are_exactly_zero() {
        let xs = [0.1, 2.7, f64::NAN, 1e9, -3.3];
        let e = paired_estimate(&xs, &xs).unwrap();
        assert_eq!(
            e,
            Estimate {
                mean: 0.0,
                ci_low: 0.0,
                ci_high: 0.0,
                n: 4
            }
        );
    }

    #[test]
    fn paired_differences_and_mismatches() {
        let e = paired_estimate(&[1.0, 2.0, f64::NAN], &[2.0, 4.0, 1.0]).unwrap();
        assert_eq!(e.n, 2);
        assert_eq!(e.mean, 1.5);
        assert_eq!(paired_estimate(&[1.0], &[1.0, 2.0]), None);
        assert_eq!(paired_estimate(&[f64::NAN], &[1.0]), None);
    }

    #[test]
    fn quantiles_match_numpy() {
        // numpy.quantile with the default method="linear".
        let cases: [(&[f64], f64, f64); 8] = [
            (&[1.0, 2.0, 3.0, 4.0], 0.5, 2.5),
            (&[1.0, 2.0, 3.0, 4.0], 0.25, 1.75),
            (&[1.0, 2.0, 3.0, 4.0], 0.9, 3.7),
            (&[15.0, 20.0, 35.0, 40.0, 50.0], 0.4, 29.0),
            (
                &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
                0.9,
                9.1,
            ),
            (
                &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
                0.0,
                1.0,
            ),
            (
                &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
                1.0,
                10.0,
            ),
            (&[42.0], 0.3, 42.0),
        ];
        for (sorted, q, expected) in cases {
            let got = quantile(sorted, q).unwrap();
            assert!((got - expected).abs() < 1e-12, "{sorted:?} q={q}: {got}");
            let mut shuffled: Vec<f64> = sorted.iter().rev().copied().collect();
            let got = quantile_unsorted(&mut shuffled, q).unwrap();
            assert!(
                (got - expected).abs() < 1e-12,
                "unsorted {sorted:?} q={q}: {got}"
            );
        }
    }

    #[test]
    fn quantile_rejects_bad_input() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[1.0], -0.1), None);
        assert_eq!(quantile(&[1.0], 1.1), None);
        assert_eq!(quantile(&[1.0], f64::NAN), None);
        assert_eq!(quantile_unsorted(&mut [], 0.5), None);
        assert_eq!(quantile_unsorted(&mut [1.0], f64::NAN), None);
    }

    #[test]
    fn time_weighted_hand_computed() {
        // Queue: 0 on [0,2), 3 on [2,5), 1 on [5,6), 0 on [6,10]; integral 0 + 9 + 1 + 0 = 10.
        let mut q = TimeWeighted::new(0.0, 0.0);
        q.update(2.0, 3.0);
        q.update(5.0, 1.0);
        q.update(6.0, 0.0);
        assert_eq!(q.mean(10.0), 1.0);
        assert_eq!(q.max(), 3.0);
        // The current value extends to the end: 10 + 0 * 4.
        assert_eq!(q.mean(6.0), 10.0 / 6.0);
    }

    #[test]
    fn time_weighted_clamps_out_of_order_times() {
        let mut q = TimeWeighted::new(1.0, 2.0);
        assert_eq!(q.mean(1.0), 2.0);
        q.update(3.0, 4.0);
        q.update(2.0, 6.0);
        q.update(f64::NAN, 5.0);
        // 2 on [1,3), then 5 from 3 on; an end before the last update is clamped to it.
        assert_eq!(q.mean(5.0), (4.0 + 10.0) / 4.0);
        assert_eq!(q.mean(0.0), 2.0);
        assert_eq!(q.max(), 6.0);
    }

    #[test]
    fn welford_matches_two_pass() {
        let xs = [1e9 + 4.0, 1e9 + 7.0, 1e9 + 13.0, 1e9 + 16.0];
        let mut w = Welford::new();
        assert_eq!(w.mean(), None);
        xs.iter().for_each(|&x| w.push(x));
        assert_eq!(w.count(), 4);
        assert_eq!(w.mean(), Some(1e9 + 10.0));
        assert_eq!(w.variance(), Some(30.0));
    }

    #[test]
    fn welford_merge_with_empty() {
        let mut a = Welford::new();
        a.push(3.0);
        let mut b = Welford::new();
        b.merge(&a);
        assert_eq!(b, a);
        a.merge(&Welford::new());
        assert_eq!(b, a);
        assert_eq!(a.variance(), None);
    }

    /// Deterministic draws from a seeded ChaCha stream, as the simulator draws them, so the
    /// statistical tests below never flake.
    fn normal_draws(seed: u64, n: usize, mean: f64, sd: f64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let normal = Normal::new(mean, sd).unwrap();
        (0..n).map(|_| normal.sample(&mut rng)).collect()
    }

    #[test]
    fn sampling_helper_is_deterministic() {
        assert_eq!(normal_draws(7, 5, 0.0, 1.0), normal_draws(7, 5, 0.0, 1.0));
        assert_ne!(normal_draws(7, 5, 0.0, 1.0), normal_draws(8, 5, 0.0, 1.0));
    }

    #[test]
    fn intervals_cover_the_true_mean_about_95_percent_of_the_time() {
        let trials = 4000;
        let covered = (0..trials)
            .filter(|&seed| {
                let e = estimate(&normal_draws(seed, 5, 10.0, 3.0)).unwrap();
                e.ci_low <= 10.0 && 10.0 <= e.ci_high
            })
            .count();
        let coverage = covered as f64 / trials as f64;
        assert!((0.935..=0.965).contains(&coverage), "coverage {coverage}");
    }

    fn finite() -> impl Strategy<Value = f64> {
        -1e6..1e6f64
    }

    proptest! {
        #[test]
        fn quantile_unsorted_agrees_with_sorted(
            mut xs in prop::collection::vec(finite(), 1..60),
            q in 0.0..=1.0f64,
        ) {
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            let expected = quantile(&sorted, q).unwrap();
            prop_assert_eq!(quantile_unsorted(&mut xs, q).unwrap(), expected);
            prop_assert!(sorted[0] <= expected && expected <= sorted[sorted.len() - 1]);
        }

        #[test]
        fn welford_merge_is_commutative_and_matches_pushing(
            xs in prop::collection::vec(finite(), 0..40),
            ys in prop::collection::vec(finite(), 0..40),
        ) {
            let mut a = Welford::new();
            xs.iter().for_each(|&x| a.push(x));
            let mut b = Welford::new();
            ys.iter().for_each(|&y| b.push(y));
            let mut ab = a.clone();
            ab.merge(&b);
            let mut ba = b.clone();
            ba.merge(&a);
            prop_assert_eq!(&ab, &ba);
            let mut all = Welford::new();
            xs.iter().chain(&ys).for_each(|&x| all.push(x));
            prop_assert_eq!(ab.count(), all.count());
            if let (Some(m1), Some(m2)) = (ab.mean(), all.mean()) {
                prop_assert!((m1 - m2).abs() <= 1e-9 * (1.0 + m2.abs()));
            }
            if let (Some(v1), Some(v2)) = (ab.variance(), all.variance()) {
                prop_assert!((v1 - v2).abs() <= 1e-7 * (1.0 + v2));
            }
        }
    }
}

use super::*;
use rand::{Rng, SeedableRng};

/// 2026-01-05 00:00 UTC, a Monday: the simulator's start.
const ORIGIN: Timestamp = 1_767_571_200;
const DAY: f64 = 86_400.0;
const WEEK: f64 = 7.0 * DAY;

fn day_mean(day: &[(u16, f64)]) -> f64 {
    let ends = day.iter().skip(1).map(|(m, _)| *m).chain([1440]);
    day.iter()
        .zip(ends)
        .map(|((from, l), to)| l * f64::from(to - from))
        .sum::<f64>()
        / 1440.0
}

/// Office hours with an evening and night trickle and quiet weekends, normalised to a weekly
/// mean of 1 as the checker does.
fn office(timezone: &str) -> Shape {
    let weekday = vec![(0, 0.1), (9 * 60, 1.0), (17 * 60 + 30, 0.2), (20 * 60, 0.1)];
    let mut days = vec![weekday; 5];
    days.push(vec![(0, 0.05)]);
    days.push(vec![(0, 0.05)]);
    let week: f64 = days.iter().map(|d| day_mean(d)).sum::<f64>() / 7.0;
    for d in &mut days {
        for (_, l) in d.iter_mut() {
            *l /= week;
        }
    }
    Shape {
        name: "office".into(),
        timezone: timezone.into(),
        days,
        holiday_calendar: None,
        holidays: Vec::new(),
        holiday_level: 0.05 / week,
        growth_per_year: 0.0,
    }
}

fn flat_shape() -> Shape {
    Shape {
        name: "flat".into(),
        timezone: "UTC".into(),
        days: vec![vec![(0, 1.0)]; 7],
        holiday_calendar: None,
        holidays: Vec::new(),
        holiday_level: 1.0,
        growth_per_year: 0.0,
    }
}

#[test]
fn a_flat_shape_is_the_identity() {
    let w = Warp::new(&flat_shape(), ORIGIN, 30 * 86_400);
    for t in [0.0, 1.5, 3_600.0, 10.0 * DAY + 17.0, 29.0 * DAY] {
        assert!((w.flat(t) - t).abs() < 1e-6, "{t}");
        assert!((w.real(t) - t).abs() < 1e-6, "{t}");
    }
}

#[test]
fn an_ordinary_week_keeps_the_rate_on_average() {
    // London keeps GMT (UTC) in January, so the week is exactly 7 × 24 hours.
    let w = Warp::new(&office("Europe/London"), ORIGIN, 21 * 86_400);
    assert!((w.flat(WEEK) - WEEK).abs() < 1e-6 * WEEK);
    assert!((w.flat(2.0 * WEEK) - 2.0 * WEEK).abs() < 1e-6 * WEEK);
    // Monday 09:00 to 17:30 carries most of the day.
    let office_hours = w.flat(17.5 * 3_600.0) - w.flat(9.0 * 3_600.0);
    let night = w.flat(9.0 * 3_600.0) - w.flat(0.0);
    assert!(office_hours > 5.0 * night, "{office_hours} vs {night}");
}

#[test]
fn real_inverts_flat() {
    let w = Warp::new(&office("America/New_York"), ORIGIN, 60 * 86_400);
    let mut t = 0.0;
    while t < 59.0 * DAY {
        let back = w.real(w.flat(t));
        assert!((back - t).abs() < 1e-6, "{t} → {back}");
        t += 3_331.7;
    }
}

#[test]
fn breakpoints_follow_the_zone_across_daylight_saving() {
    let mut shape = flat_shape();
    shape.timezone = "Europe/London".into();
    shape.days = vec![vec![(0, 0.0), (9 * 60, 1.0), (17 * 60, 0.0)]; 7];
    let w = Warp::new(&shape, ORIGIN, 120 * 86_400);
    let at = |utc: &str| {
        let t = chrono::DateTime::parse_from_rfc3339(utc)
            .unwrap()
            .timestamp();
        (t - ORIGIN) as f64
    };
    // January: 09:00 in London is 09:00 UTC; April (BST): 08:00 UTC.
    for (opens, before) in [
        ("2026-01-12T09:00:00Z", "2026-01-12T08:59:00Z"),
        ("2026-04-06T08:00:00Z", "2026-04-06T07:59:00Z"),
    ] {
        let (opens, before) = (at(opens), at(before));
        assert_eq!(w.flat(opens), w.flat(before), "closed before {opens}");
        assert!(w.flat(opens + 60.0) > w.flat(opens), "open after {opens}");
    }
}

#[test]
fn holidays_take_their_level_and_the_trend_compounds() {
    let mut shape = flat_shape();
    shape.holidays = vec![NaiveDate::from_ymd_opt(2026, 1, 7).unwrap()];
    shape.holiday_level = 0.25;
    shape.growth_per_year = 1.0;
    let w = Warp::new(&shape, ORIGIN, 800 * 86_400);
    let day_weight = |d: f64| w.flat((d + 1.0) * DAY) - w.flat(d * DAY);
    let trend = |d: f64| 2f64.powf(d / 365.25);
    assert!((day_weight(1.0) - DAY * trend(1.0)).abs() < 1e-6 * DAY);
    assert!((day_weight(2.0) - 0.25 * DAY * trend(2.0)).abs() < 1e-6 * DAY);
    assert!((day_weight(730.0) / DAY - 4.0).abs() < 0.01);
}

#[test]
fn a_level_at_zero_for_ever_ends_the_process() {
    let mut shape = flat_shape();
    shape.days = vec![vec![(0, 0.0)]; 7];
    let w = Warp::new(&shape, ORIGIN, 10 * 86_400);
    assert_eq!(w.real(1.0), f64::INFINITY);
}

/// Points of a Poisson process of `per_day` following `warp`, drawn by inversion as the
/// simulator draws arrivals, over `weeks`.
fn points(warp: &Warp, per_day: f64, weeks: f64, seed: u64) -> Vec<f64> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut flat = 0.0;
    let mut out = Vec::new();
    loop {
        let u: f64 = rng.random();
        flat += -(1.0 - u).ln() * DAY / per_day;
        let t = warp.real(flat);
        if t >= weeks * WEEK {
            return out;
        }
        out.push(t);
    }
}

/// Pearson's chi-squared of counts by hour of the week against the shape's intensity.
fn chi_squared(counts: &[f64; 168], warp: &Warp, per_day: f64, weeks: usize) -> f64 {
    let mut stat = 0.0;
    for (h, observed) in counts.iter().enumerate() {
        let expected: f64 = (0..weeks)
            .map(|w| {
                let from = w as f64 * WEEK + h as f64 * 3_600.0;
                warp.flat(from + 3_600.0) - warp.flat(from)
            })
            .sum::<f64>()
            * per_day
            / DAY;
        assert!(expected >= 5.0, "hour {h}: {expected}");
        stat += (observed - expected).powi(2) / expected;
    }
    stat
}

fn by_hour_of_week(points: &[f64]) -> [f64; 168] {
    let mut counts = [0.0; 168];
    for t in points {
        counts[((t % WEEK) / 3_600.0) as usize] += 1.0;
    }
    counts
}

/// Counts per hour of the week agree with the shape's intensity (chi-squared, 167 degrees of
/// freedom, below its 0.999 quantile of 229.9), and arrivals spread around the clock do not.
#[test]
fn counts_per_hour_follow_the_shape() {
    let weeks = 52;
    let per_day = 80.0;
    let shaped = Warp::new(&office("UTC"), ORIGIN, weeks * 7 * 86_400);
    let flat = Warp::new(&flat_shape(), ORIGIN, weeks * 7 * 86_400);
    const CRITICAL: f64 = 229.9;
    for seed in 0..3 {
        let counts = by_hour_of_week(&points(&shaped, per_day, weeks as f64, seed));
        let total: f64 = counts.iter().sum();
        assert!(
            (total / (weeks as f64 * 7.0 * per_day) - 1.0).abs() < 0.03,
            "{total}"
        );
        let stat = chi_squared(&counts, &shaped, per_day, weeks as usize);
        assert!(stat < CRITICAL, "seed {seed}: chi-squared {stat}");
        let uniform = by_hour_of_week(&points(&flat, per_day, weeks as f64, seed));
        let wrong = chi_squared(&uniform, &shaped, per_day, weeks as usize);
        assert!(
            wrong > 10.0 * CRITICAL,
            "seed {seed}: uniform arrivals pass with {wrong}"
        );
    }
}

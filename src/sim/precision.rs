//! Precision instead of a fixed count: replicate in blocks until every named KPI's 95% interval
//! is as narrow as asked (`--precision leakage=1pp`).
//!
//! The rule is sequential in the manner of Law & Kelton's sequential procedure (Law, *Simulation
//! Modeling and Analysis*, 5th ed., §9.4.1): a first block of [`FIRST_BLOCK`] replications, then
//! blocks of [`BLOCK`], stopping at the first block boundary where every target holds, or at the
//! cap. The first block is large because a small sample's variance is itself noisy: two or three
//! replications that happen to agree would give a narrow interval and stop the run early, and
//! the interval would then cover the true mean far less often than 95% of the time.
//!
//! Decisions are taken only at block boundaries, from the replications in replication order, and
//! a replication's values depend only on the seed and its index, so the number of replications
//! (and so the report) is the same for any thread count. Everything here is pure.

use super::kpi::{Unit, ROWS};
use super::stats::estimate;
use serde::Serialize;
use std::fmt;
use std::ops::Range;

/// Replications of the first block: enough that the first variance estimate is not a fluke.
pub const FIRST_BLOCK: u32 = 10;
/// Replications added per later block: small, so a run stops soon after its targets hold.
pub const BLOCK: u32 = 5;
/// The default cap, five times the default fixed count: a target that needs more is usually
/// one asked too tightly, and the report says so.
pub const DEFAULT_MAX_REPLICATIONS: u32 = 100;
/// The targets `--precision default` stands for: the headline KPIs at their kind's default.
pub const DEFAULT_SET: [&str; 3] = ["leakage", "sla_attainment", "speed_to_lead.median"];

/// How wide a KPI's interval may be on either side of its mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum HalfWidth {
    /// In the KPI's own unit (a fraction for percentages, seconds for durations).
    Absolute(f64),
    /// A share of the absolute mean (`5%` of a duration or a count).
    Relative(f64),
}

/// One KPI's precision target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// KPI name as in reports.
    pub kpi: &'static str,
    /// Its unit.
    pub unit: Unit,
    /// The half-width asked for (`target` in JSON, beside the `half_width` reached).
    #[serde(rename = "target")]
    pub half_width: HalfWidth,
    /// Position of the KPI in [`ROWS`].
    #[serde(skip)]
    pub index: usize,
}

/// Why a `--precision` value cannot be used; shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrecisionError(pub String);

impl fmt::Display for PrecisionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PrecisionError {}

/// Reads `--precision` values: comma-separated `KPI=HALF_WIDTH`, a bare `KPI` at its kind's
/// default half-width ([`default_half_width`]), or `default` for [`DEFAULT_SET`]. A KPI named
/// twice keeps its last target.
pub fn parse(specs: &[String]) -> Result<Vec<Target>, PrecisionError> {
    let mut targets: Vec<Target> = Vec::new();
    for item in specs.iter().flat_map(|s| s.split(',')).map(str::trim) {
        let parsed = if item == "default" {
            DEFAULT_SET
                .iter()
                .map(|k| target(k))
                .collect::<Result<Vec<_>, _>>()?
        } else {
            vec![target(item)?]
        };
        for t in parsed {
            targets.retain(|x| x.kpi != t.kpi);
            targets.push(t);
        }
    }
    Ok(targets)
}

/// The half-width a KPI named without one gets: one percentage point for a share, 5% of the
/// mean for a duration or a count (whose scale differs from one playbook to the next).
pub fn default_half_width(unit: Unit) -> HalfWidth {
    match unit {
        Unit::Fraction => HalfWidth::Absolute(0.01),
        Unit::Seconds | Unit::Count => HalfWidth::Relative(0.05),
    }
}

fn target(item: &str) -> Result<Target, PrecisionError> {
    let fail = |m: String| Err(PrecisionError(format!("`--precision {item}`: {m}")));
    let (name, value) = match item.split_once('=') {
        Some((name, value)) => (name.trim(), Some(value.trim())),
        None => (item, None),
    };
    let Some((index, row)) = ROWS.iter().enumerate().find(|(_, r)| r.name == name) else {
        let names = ROWS.iter().map(|r| r.name);
        let hint = crate::diagnostics::suggest::did_you_mean(name, names.clone())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        let all: Vec<&str> = names.collect();
        return fail(format!(
            "unknown kpi `{name}`{hint} (kpis: {}, or `default`)",
            all.join(", ")
        ));
    };
    let half_width = match value {
        None => default_half_width(row.unit),
        Some(value) => match half_width(value, row.unit) {
            Ok(h) => h,
            Err(m) => return fail(m),
        },
    };
    Ok(Target {
        kpi: row.name,
        unit: row.unit,
        half_width,
        index,
    })
}

/// A half-width as written: `1pp`, `1%` or `0.01` for a share; `5m` (`s`, `m`, `h`, `d`) for a
/// duration; a plain number for a count; `N%` of the mean for a duration or a count.
fn half_width(value: &str, unit: Unit) -> Result<HalfWidth, String> {
    let end = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(value.len());
    let (num, suffix) = value.split_at(end);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{value}` is not a positive number with a unit"))?;
    if !(n.is_finite() && n > 0.0) {
        return Err(format!("`{value}` must be more than zero"));
    }
    let wrong = |want: &str| Err(format!("`{value}` is not {want}"));
    Ok(match (unit, suffix) {
        (Unit::Fraction, "pp" | "%") => HalfWidth::Absolute(n / 100.0),
        (Unit::Fraction, "") if n < 1.0 => HalfWidth::Absolute(n),
        (Unit::Fraction, _) => {
            return wrong("a share in percentage points (`1pp`) or a fraction below 1 (`0.01`)")
        }
        (_, "%") => HalfWidth::Relative(n / 100.0),
        (Unit::Seconds, "s") => HalfWidth::Absolute(n),
        (Unit::Seconds, "m") => HalfWidth::Absolute(n * 60.0),
        (Unit::Seconds, "h") => HalfWidth::Absolute(n * 3600.0),
        (Unit::Seconds, "d") => HalfWidth::Absolute(n * 86_400.0),
        (Unit::Seconds, _) => return wrong("a duration (`5m`) or a share of the mean (`5%`)"),
        (Unit::Count, "") => HalfWidth::Absolute(n),
        (Unit::Count, _) => return wrong("a plain number or a share of the mean (`5%`)"),
    })
}

/// When to stop: blocks of replications, and a cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Replications of the first block.
    pub first_block: u32,
    /// Replications of each later block.
    pub block: u32,
    /// Most replications a run may take.
    pub max_replications: u32,
}

impl Rule {
    /// The documented rule with a cap of `max_replications`.
    pub fn new(max_replications: u32) -> Rule {
        Rule {
            first_block: FIRST_BLOCK,
            block: BLOCK,
            max_replications,
        }
    }

    /// The replications of the block after the first `done`, cut at the cap; empty at the cap.
    pub fn block_after(&self, done: u32) -> Range<u32> {
        let size = if done == 0 {
            self.first_block
        } else {
            self.block
        };
        let end = done.saturating_add(size.max(1)).min(self.max_replications);
        done..end.max(done)
    }
}

/// One target at the end of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reached {
    /// The target.
    #[serde(flatten)]
    pub target: Target,
    /// Mean of the KPI over the replications it was defined in; `None` when it was defined in
    /// none (then there is nothing to estimate and the target counts as held).
    pub mean: Option<f64>,
    /// The 95% Student-t half-width reached (before an interval is cut to the KPI's range);
    /// `None` with fewer than two defined replications.
    pub half_width: Option<f64>,
    /// The half-width allowed, in the KPI's unit (a relative target times the mean).
    pub allowed: Option<f64>,
    /// Whether the target holds.
    pub met: bool,
}

/// How a run replicated under a [`Rule`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The rule applied.
    pub rule: Rule,
    /// Replications run.
    pub replications: u32,
    /// The cap stopped the run before every target held.
    pub capped: bool,
    /// Every target at the stop.
    pub targets: Vec<Reached>,
}

/// Each target against the replications' values (one row per replication, KPIs in [`ROWS`]
/// order; NaN where undefined).
pub fn assess(targets: &[Target], samples: &[Vec<f64>]) -> Vec<Reached> {
    targets
        .iter()
        .map(|t| {
            let column: Vec<f64> = samples
                .iter()
                .map(|row| row.get(t.index).copied().unwrap_or(f64::NAN))
                .collect();
            let e = estimate(&column);
            let mean = e.as_ref().map(|e| e.mean);
            let half_width = e.filter(|e| e.n >= 2).map(|e| e.ci_high - e.mean);
            let allowed = match t.half_width {
                HalfWidth::Absolute(h) => Some(h),
                HalfWidth::Relative(r) => mean.map(|m| r * m.abs()),
            };
            let met = match (mean, half_width, allowed) {
                (None, _, _) => true,
                (Some(_), Some(h), Some(a)) => h <= a,
                _ => false,
            };
            Reached {
                target: t.clone(),
                mean,
                half_width,
                allowed,
                met,
            }
        })
        .collect()
}

/// Runs blocks under `rule` until every target holds or the cap is reached. `run` runs the
/// replications of a block and gives each one's KPI values in replication order (for a
/// comparison, the paired differences); decisions use nothing else, so the outcome depends only
/// on those values.
pub fn sequential<E>(
    rule: Rule,
    targets: &[Target],
    mut run: impl FnMut(Range<u32>) -> Result<Vec<Vec<f64>>, E>,
) -> Result<Outcome, E> {
    let mut samples: Vec<Vec<f64>> = Vec::new();
    let mut done = 0;
    loop {
        let block = rule.block_after(done);
        if !block.is_empty() {
            samples.extend(run(block.clone())?);
        }
        done = block.end;
        let reached = assess(targets, &samples);
        let held = reached.iter().all(|r| r.met);
        if held || block.is_empty() || done >= rule.max_replications {
            return Ok(Outcome {
                rule,
                replications: done,
                capped: !held,
                targets: reached,
            });
        }
    }
}

/// Per-replication differences `candidate − base` of every KPI, NaN where either is undefined:
/// what a comparison's targets are judged on.
pub fn differences(base: &[Vec<f64>], candidate: &[Vec<f64>]) -> Vec<Vec<f64>> {
    base.iter()
        .zip(candidate)
        .map(|(b, c)| {
            b.iter()
                .zip(c)
                .map(|(b, c)| {
                    if b.is_finite() && c.is_finite() {
                        c - b
                    } else {
                        f64::NAN
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    fn leakage(spec: &str) -> Vec<Target> {
        parse(&[spec.to_string()]).unwrap()
    }

    fn index(name: &str) -> usize {
        ROWS.iter().position(|r| r.name == name).unwrap()
    }

    /// Replication `r`'s values: leakage from `f(r)`, everything else undefined.
    fn rows(range: Range<u32>, f: impl Fn(u32) -> f64) -> Vec<Vec<f64>> {
        range
            .map(|r| {
                let mut row = vec![f64::NAN; ROWS.len()];
                row[index("leakage")] = f(r);
                row
            })
            .collect()
    }

    fn run_with(max: u32, spec: &str, f: impl Fn(u32) -> f64) -> (Outcome, Vec<Range<u32>>) {
        let mut blocks = Vec::new();
        let outcome = sequential::<()>(Rule::new(max), &leakage(spec), |block| {
            blocks.push(block.clone());
            Ok(rows(block, &f))
        })
        .unwrap();
        (outcome, blocks)
    }

    /// A deterministic spread: values cycle around 0.5 with a standard deviation near `sd`.
    fn noisy(sd: f64) -> impl Fn(u32) -> f64 {
        move |r| 0.5 + sd * [1.2, -0.9, 0.4, -1.5, 0.8, 0.1, -0.3, 1.6, -1.1, -0.3][r as usize % 10]
    }

    #[test]
    fn zero_variance_stops_after_the_first_block() {
        let (outcome, blocks) = run_with(100, "leakage=1pp", |_| 0.25);
        assert_eq!(outcome.replications, FIRST_BLOCK);
        assert_eq!(blocks.first(), Some(&(0..FIRST_BLOCK)));
        assert_eq!(blocks.len(), 1);
        assert!(!outcome.capped);
        assert_eq!(outcome.targets[0].half_width, Some(0.0));
        assert!(outcome.targets[0].met);
    }

    #[test]
    fn a_noisy_kpi_takes_more_blocks_and_stops_when_its_target_holds() {
        let (outcome, blocks) = run_with(100, "leakage=1pp", noisy(0.03));
        assert!(outcome.replications > FIRST_BLOCK, "{outcome:?}");
        assert!(!outcome.capped);
        let reached = &outcome.targets[0];
        assert!(reached.half_width.unwrap() <= 0.01, "{reached:?}");
        // Blocks follow each other in order, and the block before the last did not suffice.
        assert_eq!(blocks[0], 0..FIRST_BLOCK);
        for pair in blocks.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            assert_eq!(pair[1].len() as u32, BLOCK);
        }
        let before: Vec<Vec<f64>> = rows(0..outcome.replications - BLOCK, noisy(0.03));
        assert!(!assess(&leakage("leakage=1pp"), &before)[0].met);
    }

    #[test]
    fn the_cap_is_respected_and_reported() {
        let (outcome, blocks) = run_with(23, "leakage=0.1pp", noisy(0.2));
        assert_eq!(outcome.replications, 23);
        assert_eq!(blocks.last(), Some(&(20..23)));
        assert!(outcome.capped);
        assert!(!outcome.targets[0].met);
        // A cap below the first block cuts the first block.
        let (outcome, blocks) = run_with(4, "leakage=0.1pp", noisy(0.2));
        assert_eq!(outcome.replications, 4);
        assert_eq!(blocks.first(), Some(&(0..4)));
        assert_eq!(blocks.len(), 1);
    }

    #[test]
    fn a_kpi_undefined_everywhere_has_nothing_to_estimate() {
        let targets = leakage("speed_to_lead.p90=5m");
        let samples = rows(0..10, |_| 0.5);
        let reached = assess(&targets, &samples);
        assert!(reached[0].met && reached[0].mean.is_none());
    }

    #[test]
    fn relative_targets_scale_with_the_mean() {
        let targets = leakage("queue_length=10%");
        let mut samples = vec![vec![f64::NAN; ROWS.len()]; 10];
        for (r, row) in samples.iter_mut().enumerate() {
            row[index("queue_length")] = 100.0 + (r as f64 - 4.5);
        }
        let reached = &assess(&targets, &samples)[0];
        assert_eq!(reached.allowed, Some(10.0));
        assert!(reached.met, "{reached:?}");
    }

    #[test]
    fn half_widths_read_in_the_kpi_unit() {
        let hw = |s: &str| leakage(s)[0].half_width;
        assert_eq!(hw("leakage=1pp"), HalfWidth::Absolute(0.01));
        assert_eq!(hw("leakage=1%"), HalfWidth::Absolute(0.01));
        assert_eq!(hw("leakage=0.02"), HalfWidth::Absolute(0.02));
        assert_eq!(hw("leakage"), HalfWidth::Absolute(0.01));
        assert_eq!(hw("speed_to_lead.median=5m"), HalfWidth::Absolute(300.0));
        assert_eq!(hw("speed_to_lead.median=10%"), HalfWidth::Relative(0.1));
        assert_eq!(hw("speed_to_lead.median"), HalfWidth::Relative(0.05));
        assert_eq!(hw("meetings=2"), HalfWidth::Absolute(2.0));
        let all = parse(&["default,leakage=2pp".to_string()]).unwrap();
        let names: Vec<&str> = all.iter().map(|t| t.kpi).collect();
        assert_eq!(names, ["sla_attainment", "speed_to_lead.median", "leakage"]);
    }

    #[test]
    fn bad_targets_say_what_is_wrong() {
        let err = |s: &str| parse(&[s.to_string()]).unwrap_err().0;
        assert!(
            err("leakag=1pp").contains("did you mean `leakage`?"),
            "{}",
            err("leakag=1pp")
        );
        assert!(err("leakage=2").contains("percentage points"));
        assert!(err("leakage=0pp").contains("more than zero"));
        assert!(err("speed_to_lead.median=5").contains("a duration"));
        assert!(err("meetings=2m").contains("a plain number"));
        assert!(err("leakage=-1pp").contains("not a positive number"));
    }
}

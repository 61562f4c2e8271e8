//! Paired comparison of two simulation runs: what a change does, with its uncertainty.
//!
//! Both runs use the same seed, so replication `r` of the base and replication `r` of the
//! candidate see the same leads behaving the same way (common random numbers). The difference
//! of each KPI is therefore taken per replication and its confidence interval comes from those
//! paired differences, which is much narrower than comparing two independent intervals.

use crate::guardrail::{Guardrail, KpiUnit, Threshold};
use crate::report::format_value;
use crate::sim::kpi::ROWS;
use crate::sim::stats::{estimate, paired_estimate, Estimate};
use crate::sim::Summary;
use serde::Serialize;

/// One KPI's per-replication values in both runs (NaN where undefined in a replication).
#[derive(Debug, Clone)]
pub struct Paired {
    /// KPI key (`leakage`, `speed_to_lead.p90`, ...).
    pub key: String,
    /// Unit of the values.
    pub unit: KpiUnit,
    /// Base values by replication.
    pub base: Vec<f64>,
    /// Candidate values by replication, same order.
    pub candidate: Vec<f64>,
}

/// The comparison of one KPI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delta {
    /// KPI key.
    pub key: String,
    /// Unit of the values.
    pub unit: KpiUnit,
    /// Base mean and 95% CI across replications.
    pub base: Estimate,
    /// Candidate mean and 95% CI.
    pub candidate: Estimate,
    /// Mean of the paired differences (candidate − base) and its 95% CI.
    pub delta: Estimate,
    /// The delta's interval excludes zero (never with one replication, which has no interval).
    pub significant: bool,
}

/// Pairs the per-replication KPI values of two simulation reports run with the same seed and
/// replication count.
pub fn paired(base: &Summary, candidate: &Summary) -> Vec<Paired> {
    ROWS.iter()
        .enumerate()
        .map(|(i, row)| {
            let column = |r: &Summary| -> Vec<f64> {
                r.replications
                    .iter()
                    .map(|v| v.get(i).copied().unwrap_or(f64::NAN))
                    .collect()
            };
            Paired {
                key: row.name.to_string(),
                unit: row.unit,
                base: column(base),
                candidate: column(candidate),
            }
        })
        .collect()
}

/// The KPI keys guardrails may name, with their units.
pub fn guardrail_kpis() -> Vec<(String, KpiUnit)> {
    ROWS.iter().map(|r| (r.name.to_string(), r.unit)).collect()
}

/// Estimates base, candidate and paired delta for every KPI defined in both runs.
pub fn compare(kpis: &[Paired]) -> Vec<Delta> {
    kpis.iter()
        .filter_map(|k| {
            let base = estimate(&k.base)?.within(k.unit.range());
            let candidate = estimate(&k.candidate)?.within(k.unit.range());
            let delta = paired_estimate(&k.base, &k.candidate)?;
            // One replication gives no interval, so no change can be told apart from noise.
            let significant = delta.n >= 2 && (delta.ci_low > 0.0 || delta.ci_high < 0.0);
            Some(Delta {
                key: k.key.clone(),
                unit: k.unit,
                base,
                candidate,
                delta,
                significant,
            })
        })
        .collect()
}

/// A change in the KPI's own terms: `-3.1 pp`, `+41m 00s`, `+2.5`.
pub fn format_change(unit: KpiUnit, v: f64) -> String {
    if !v.is_finite() {
        return format_value(unit, v);
    }
    let magnitude = match unit {
        KpiUnit::Fraction => format!("{:.1} pp", (v * 100.0).abs()),
        _ => format_value(unit, v.abs()),
    };
    // A change that rounds to nothing gets no sign: `−0.0 pp` would suggest a direction.
    let zero = magnitude
        .chars()
        .filter(char::is_ascii_digit)
        .all(|c| c == '0');
    let sign = match (zero, v < 0.0) {
        (true, _) => "±",
        (false, true) => "−",
        (false, false) => "+",
    };
    format!("{sign}{magnitude}")
}

/// The one-line verdict printed at the end, in the spirit of a plan: significant changes first,
/// each with its interval, e.g. `leakage −3.1 pp [−3.4, −2.8], speed_to_lead.p90 −41m 00s [...]`.
pub fn summary_line(deltas: &[Delta]) -> String {
    let significant: Vec<String> = deltas
        .iter()
        .filter(|d| d.significant)
        .map(|d| {
            format!(
                "{} {} [{}, {}]",
                d.key,
                format_change(d.unit, d.delta.mean),
                format_change(d.unit, d.delta.ci_low),
                format_change(d.unit, d.delta.ci_high)
            )
        })
        .collect();
    if significant.is_empty() {
        "no significant change in any kpi".to_string()
    } else {
        let quiet = deltas.len() - significant.len();
        let rest = if quiet > 0 {
            format!(
                "; {quiet} other kpi{} unchanged",
                if quiet == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        };
        format!("{}{rest}", significant.join(", "))
    }
}

/// A guardrail that a comparison breached, with the values that breached it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breach {
    /// The guardrail as written.
    pub guardrail: String,
    /// Why, in words.
    pub reason: String,
}

/// Evaluates guardrails on the means (or the intervals, for `confidently`); a guardrail on a
/// KPI undefined in these runs is a breach (a CI gate must not pass silently because a number
/// is missing).
pub fn breaches(guardrails: &[Guardrail], deltas: &[Delta]) -> Vec<Breach> {
    guardrails
        .iter()
        .filter_map(|g| {
            let breach = |reason: String| {
                Some(Breach {
                    guardrail: g.text.clone(),
                    reason,
                })
            };
            let Some(d) = deltas.iter().find(|d| d.key == g.kpi) else {
                return breach(format!("`{}` is undefined in these runs", g.kpi));
            };
            let Some(tested) = g.tested(&d.base, &d.candidate, &d.delta) else {
                return breach(format!(
                    "`{}` has no defined relative change (zero or undefined base)",
                    g.kpi
                ));
            };
            match g.breached(&tested) {
                Some(false) => None,
                Some(true) => breach(breach_reason(g, d, &tested)),
                None if g.confidently => breach(format!(
                    "`{}` has no defined 95% interval of its {} (one replication has none)",
                    g.kpi,
                    g.quantity()
                )),
                None => breach(format!("`{}` has no defined {}", g.kpi, g.quantity())),
            }
        })
        .collect()
}

/// `leakage: base 12.0%, candidate 10.1%, relative change −15.8% [−20.1%, −11.5%]`: the
/// tested quantity in the unit the guardrail was written in, with its interval.
fn breach_reason(g: &Guardrail, d: &Delta, tested: &Estimate) -> String {
    let shown = |v: f64| match g.threshold {
        Threshold::Absolute(_) => format_value(d.unit, v),
        Threshold::Delta(_) => format_change(d.unit, v),
        Threshold::Relative(_) => format_relative(v),
    };
    let mut reason = format!(
        "{}: base {}, candidate {}",
        d.key,
        format_value(d.unit, d.base.mean),
        format_value(d.unit, d.candidate.mean)
    );
    if !matches!(g.threshold, Threshold::Absolute(_)) {
        reason.push_str(&format!(", {} {}", g.quantity(), shown(tested.mean)));
    }
    if g.confidently {
        reason.push_str(&format!(
            ", 95% CI of the {} [{}, {}]",
            g.quantity(),
            shown(tested.ci_low),
            shown(tested.ci_high)
        ));
    }
    reason
}

/// A relative change as a signed percentage, `−15.8%`.
fn format_relative(v: f64) -> String {
    let magnitude = format!("{:.1}%", (v * 100.0).abs());
    let sign = if magnitude
        .chars()
        .filter(char::is_ascii_digit)
        .all(|c| c == '0')
    {
        "±"
    } else if v < 0.0 {
        "−"
    } else {
        "+"
    };
    format!("{sign}{magnitude}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn paired(key: &str, unit: KpiUnit, base: &[f64], cand: &[f64]) -> Paired {
        Paired {
            key: key.into(),
            unit,
            base: base.to_vec(),
            candidate: cand.to_vec(),
        }
    }

    #[test]
    fn identical_runs_have_exactly_zero_deltas() {
        let v = [0.1, 0.12, 0.09, 0.11];
        let d = compare(&[paired("leakage", KpiUnit::Fraction, &v, &v)]);
        assert_eq!(d[0].delta.mean, 0.0);
        assert_eq!(d[0].delta.ci_low, 0.0);
        assert_eq!(d[0].delta.ci_high, 0.0);
        assert!(!d[0].significant);
        assert_eq!(summary_line(&d), "no significant change in any kpi");
    }

    #[test]
    fn each_side_stays_within_the_kpi_while_the_delta_may_be_negative() {
        let base = [0.0, 0.004, 0.0, 0.0];
        let cand = [0.002, 0.0, 0.0, 0.0];
        let d = compare(&[paired("leakage", KpiUnit::Fraction, &base, &cand)]);
        assert!(estimate(&base).unwrap().ci_low < 0.0);
        assert_eq!(d[0].base.ci_low, 0.0);
        assert_eq!(d[0].candidate.ci_low, 0.0);
        assert!(d[0].delta.ci_low < 0.0 && d[0].delta.ci_high > 0.0);
    }

    #[test]
    fn a_consistent_paired_shift_is_significant_and_summarised() {
        let base = [0.10, 0.14, 0.08, 0.12, 0.11];
        let cand: Vec<f64> = base.iter().map(|b| b - 0.031).collect();
        let d = compare(&[
            paired("leakage", KpiUnit::Fraction, &base, &cand),
            paired("queue_length", KpiUnit::Count, &[1.0, 2.0], &[2.0, 1.0]),
        ]);
        assert!(d[0].significant);
        let line = summary_line(&d);
        assert!(line.starts_with("leakage −3.1 pp"), "{line}");
        assert!(line.ends_with("1 other kpi unchanged"), "{line}");
    }

    #[test]
    fn guardrails_breach_on_means_and_on_missing_kpis() {
        let kpis = vec![("leakage".to_string(), KpiUnit::Fraction)];
        let g = crate::guardrail::parse("leakage > +0.5pp", &kpis).unwrap();
        let up = compare(&[paired(
            "leakage",
            KpiUnit::Fraction,
            &[0.1, 0.1],
            &[0.11, 0.11],
        )]);
        assert_eq!(breaches(std::slice::from_ref(&g), &up).len(), 1);
        let flat = compare(&[paired(
            "leakage",
            KpiUnit::Fraction,
            &[0.1, 0.1],
            &[0.1, 0.1],
        )]);
        assert!(breaches(std::slice::from_ref(&g), &flat).is_empty());
        assert_eq!(breaches(&[g], &[]).len(), 1);
    }

    #[test]
    fn a_breach_speaks_the_unit_the_guardrail_was_written_in() {
        let kpis = vec![("leakage".to_string(), KpiUnit::Fraction)];
        let down = compare(&[paired(
            "leakage",
            KpiUnit::Fraction,
            &[0.20, 0.20, 0.20],
            &[0.16, 0.17, 0.15],
        )]);
        let reason = |text: &str| {
            let g = crate::guardrail::parse(text, &kpis).unwrap();
            breaches(&[g], &down).pop().map(|b| b.reason)
        };
        assert_eq!(
            reason("leakage < -15%").unwrap(),
            "leakage: base 20.0%, candidate 16.0%, relative change −20.0%"
        );
        assert_eq!(
            reason("leakage < -3pp").unwrap(),
            "leakage: base 20.0%, candidate 16.0%, change −4.0 pp"
        );
        let sure = reason("leakage < -1pp confidently").unwrap();
        assert!(
            sure.starts_with(
                "leakage: base 20.0%, candidate 16.0%, change −4.0 pp, 95% CI of the change [−"
            ),
            "{sure}"
        );
        // The mean is past -3.5pp but the interval is not wholly past it.
        assert_eq!(reason("leakage < -3.5pp confidently"), None);
    }

    #[test]
    fn changes_read_in_the_kpi_unit() {
        assert_eq!(format_change(KpiUnit::Fraction, -0.031), "−3.1 pp");
        assert!(format_change(KpiUnit::Seconds, -2460.0).starts_with('−'));
        assert_eq!(format_change(KpiUnit::Count, 2.0), "+2");
        assert_eq!(format_change(KpiUnit::Fraction, -0.0001), "±0.0 pp");
        assert_eq!(format_change(KpiUnit::Count, 0.0), "±0");
    }
}

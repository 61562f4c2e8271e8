//! CI guardrails for `handoff compare`: `--fail-if 'leakage > +0.5pp'`.
//!
//! A guardrail names a KPI, a comparison and a threshold (the grammar is in
//! `docs/simulation.md`). An unsigned threshold is absolute (`sla_attainment < 95%`: the
//! candidate's mean is below 95%); a signed one in the KPI's unit is a change from the base
//! (`leakage > +0.5pp`: the paired delta's mean rises by more than half a percentage point;
//! `speed_to_lead.p90 > +10m`); a signed percentage is a relative change, for every KPI
//! (`mql_to_sql < -5%`: the candidate is more than 5% below the base, not 5 points).
//! A guardrail tests the mean; ending it with `confidently` tests the 95% interval instead: it
//! is breached only when the whole interval lies beyond the threshold.

use std::fmt;

use crate::sim::stats::Estimate;

pub use crate::ir::KpiUnit;

/// Comparison of a guardrail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
}

/// What the threshold is compared with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// The candidate's value, in the KPI's unit.
    Absolute(f64),
    /// Candidate minus base, in the KPI's unit.
    Delta(f64),
    /// (Candidate − base) / base.
    Relative(f64),
}

/// One parsed `--fail-if`.
#[derive(Debug, Clone, PartialEq)]
pub struct Guardrail {
    /// The expression as written, for messages.
    pub text: String,
    /// KPI key as reported by the simulator (e.g. `leakage`, `speed_to_lead.p90`).
    pub kpi: String,
    /// How the KPI is compared with the threshold.
    pub op: Op,
    /// What the KPI is compared with: a value or a change from the base.
    pub threshold: Threshold,
    /// Breached only when the whole 95% interval, not just the mean, lies beyond the threshold
    /// (`… confidently`), so noise alone cannot fail a CI run.
    pub confidently: bool,
}

/// The keyword that makes a guardrail test the 95% interval instead of the mean.
const CONFIDENTLY: &str = "confidently";

/// Why a guardrail could not be read; shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardrailError(pub String);

impl fmt::Display for GuardrailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GuardrailError {}

/// Parses a guardrail against the KPIs the simulator reports (`kpis`: key and unit).
pub fn parse(text: &str, kpis: &[(String, KpiUnit)]) -> Result<Guardrail, GuardrailError> {
    let fail = |m: String| Err(GuardrailError(format!("`--fail-if {text}`: {m}")));
    let (expr, confidently) = match text.trim_end().strip_suffix(CONFIDENTLY) {
        Some(rest) if rest.ends_with(char::is_whitespace) => (rest, true),
        _ => (text, false),
    };
    let ops = [(">=", Op::Ge), ("<=", Op::Le), (">", Op::Gt), ("<", Op::Lt)];
    let Some((pos, sym, op)) = ops
        .iter()
        .filter_map(|(s, o)| expr.find(s).map(|p| (p, *s, *o)))
        .min_by_key(|(p, s, _)| (*p, std::cmp::Reverse(s.len())))
    else {
        return fail(
            "expected `KPI > VALUE` (or `>=`, `<`, `<=`), optionally followed by `confidently`"
                .into(),
        );
    };
    let kpi = expr.get(..pos).unwrap_or("").trim();
    let value = expr.get(pos + sym.len()..).unwrap_or("").trim();
    let Some((_, unit)) = kpis.iter().find(|(k, _)| k == kpi) else {
        let names: Vec<&str> = kpis.iter().map(|(k, _)| k.as_str()).collect();
        let hint = crate::diagnostics::suggest::did_you_mean(kpi, names.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return fail(format!(
            "unknown kpi `{kpi}`{hint} (kpis: {})",
            names.join(", ")
        ));
    };
    let threshold = match threshold(value, *unit) {
        Ok(t) => t,
        Err(m) => return fail(m),
    };
    Ok(Guardrail {
        text: text.to_string(),
        kpi: kpi.to_string(),
        op,
        threshold,
        confidently,
    })
}

fn threshold(value: &str, unit: KpiUnit) -> Result<Threshold, String> {
    // One sign at most: `+-1` or `--1` must not read as a number.
    let (signed, negative, body) = match value.strip_prefix('+') {
        Some(rest) => (true, false, rest),
        None => match value.strip_prefix('-') {
            Some(rest) => (true, true, rest),
            None => (false, false, value),
        },
    };
    let num_end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (num, suffix) = body.split_at(num_end);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{value}` is not a number with a unit"))?;
    let n = if negative { -n } else { n };
    let wrong = |want: &str| Err(format!("`{value}` is not {want}"));
    let v = match (unit, suffix, signed) {
        (_, "%", true) => return Ok(Threshold::Relative(n / 100.0)),
        (KpiUnit::Fraction, "%", false) => n / 100.0,
        (KpiUnit::Fraction, "pp", true) => n / 100.0,
        (KpiUnit::Fraction, "pp", false) => {
            return wrong("an absolute value: percentage points are a change, write `+0.5pp`")
        }
        (KpiUnit::Fraction, _, _) => {
            return wrong("a percentage (`95%`) or a change in points (`+0.5pp`)")
        }
        (KpiUnit::Seconds, "s", _) => n,
        (KpiUnit::Seconds, "m", _) => n * 60.0,
        (KpiUnit::Seconds, "h", _) => n * 3600.0,
        (KpiUnit::Seconds, "d", _) => n * 86_400.0,
        (KpiUnit::Seconds, _, _) => return wrong("a duration such as `30m` or `+10m`"),
        (KpiUnit::Count, "", _) => n,
        (KpiUnit::Count, _, _) => return wrong("a plain number"),
    };
    Ok(if signed {
        Threshold::Delta(v)
    } else {
        Threshold::Absolute(v)
    })
}

impl Guardrail {
    /// What the guardrail tests, in the words of its breach messages: `candidate`, `change` or
    /// `relative change`.
    pub fn quantity(&self) -> &'static str {
        match self.threshold {
            Threshold::Absolute(_) => "candidate",
            Threshold::Delta(_) => "change",
            Threshold::Relative(_) => "relative change",
        }
    }

    /// The tested quantity (see [`Guardrail::quantity`]) as a mean and a 95% interval, from
    /// the base, candidate and paired-delta estimates; a relative change divides the delta and
    /// its interval by the base's mean, so it is `None` when that is zero.
    pub fn tested(
        &self,
        base: &Estimate,
        candidate: &Estimate,
        delta: &Estimate,
    ) -> Option<Estimate> {
        match self.threshold {
            Threshold::Absolute(_) => Some(candidate.clone()),
            Threshold::Delta(_) => Some(delta.clone()),
            Threshold::Relative(_) if base.mean != 0.0 && base.mean.is_finite() => {
                let scale = base.mean.abs();
                Some(Estimate {
                    mean: delta.mean / scale,
                    ci_low: delta.ci_low / scale,
                    ci_high: delta.ci_high / scale,
                    n: delta.n,
                })
            }
            Threshold::Relative(_) => None,
        }
    }

    /// Whether the tested quantity breaches the guardrail: its mean, or with `confidently` its
    /// whole interval (the low end for `>`, the high end for `<`); `None` when a needed value
    /// is undefined (NaN).
    pub fn breached(&self, tested: &Estimate) -> Option<bool> {
        let lhs = match (self.confidently, self.op) {
            (false, _) => tested.mean,
            (true, Op::Gt | Op::Ge) => tested.ci_low,
            (true, Op::Lt | Op::Le) => tested.ci_high,
        };
        let rhs = match self.threshold {
            Threshold::Absolute(v) | Threshold::Delta(v) | Threshold::Relative(v) => v,
        };
        if lhs.is_nan() {
            return None;
        }
        Some(match self.op {
            Op::Gt => lhs > rhs,
            Op::Ge => lhs >= rhs,
            Op::Lt => lhs < rhs,
            Op::Le => lhs <= rhs,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn kpis() -> Vec<(String, KpiUnit)> {
        vec![
            ("leakage".into(), KpiUnit::Fraction),
            ("sla_attainment".into(), KpiUnit::Fraction),
            ("speed_to_lead.p90".into(), KpiUnit::Seconds),
            ("queue_length".into(), KpiUnit::Count),
        ]
    }

    fn est(mean: f64, ci_low: f64, ci_high: f64) -> Estimate {
        Estimate {
            mean,
            ci_low,
            ci_high,
            n: 10,
        }
    }

    /// Whether `g` is breached by these base and candidate means, with a delta interval of
    /// ±`half` around the change.
    fn breached(g: &Guardrail, base: f64, cand: f64, half: f64) -> Option<bool> {
        let delta = est(cand - base, cand - base - half, cand - base + half);
        let tested = g.tested(&est(base, base, base), &est(cand, cand, cand), &delta)?;
        g.breached(&tested)
    }

    #[test]
    fn reads_absolute_delta_and_relative_thresholds() {
        let g = parse("leakage > +0.5pp", &kpis()).unwrap();
        assert_eq!(g.threshold, Threshold::Delta(0.005));
        assert_eq!(breached(&g, 0.10, 0.106, 0.0), Some(true));
        assert_eq!(breached(&g, 0.10, 0.104, 0.0), Some(false));
        let g = parse("sla_attainment < 95%", &kpis()).unwrap();
        assert_eq!(g.threshold, Threshold::Absolute(0.95));
        assert_eq!(breached(&g, 0.99, 0.94, 0.0), Some(true));
        let g = parse("speed_to_lead.p90 > +10m", &kpis()).unwrap();
        assert_eq!(g.threshold, Threshold::Delta(600.0));
        let g = parse("queue_length >= -5%", &kpis()).unwrap();
        assert_eq!(g.threshold, Threshold::Relative(-0.05));
        assert_eq!(breached(&g, 0.0, 1.0, 0.0), None);
    }

    #[test]
    fn a_signed_percentage_is_a_relative_change_even_for_a_percentage_kpi() {
        // From 20% to 18%: two points, but a relative change of -10%.
        let g = parse("leakage < -15%", &kpis()).unwrap();
        assert_eq!(g.threshold, Threshold::Relative(-0.15));
        assert_eq!(g.quantity(), "relative change");
        assert_eq!(breached(&g, 0.20, 0.18, 0.0), Some(false));
        assert_eq!(breached(&g, 0.20, 0.16, 0.0), Some(true));
        let g = parse("leakage < -15pp", &kpis()).unwrap();
        assert_eq!(g.threshold, Threshold::Delta(-0.15));
    }

    #[test]
    fn confidently_tests_the_whole_interval() {
        let g = parse("leakage > +0.5pp confidently", &kpis()).unwrap();
        assert!(g.confidently);
        assert_eq!(g.kpi, "leakage");
        // A mean rise of 1pp whose interval reaches down to 0.2pp is not a sure breach.
        assert_eq!(breached(&g, 0.10, 0.11, 0.008), Some(false));
        assert_eq!(breached(&g, 0.10, 0.11, 0.004), Some(true));
        let g = parse("sla_attainment < 95% confidently", &kpis()).unwrap();
        let tested = g
            .tested(
                &est(0.99, 0.98, 1.0),
                &est(0.94, 0.92, 0.96),
                &est(-0.05, -0.06, -0.04),
            )
            .unwrap();
        assert_eq!(g.breached(&tested), Some(false));
        assert!(parse("leakage > +1ppconfidently", &kpis()).is_err());
    }

    #[test]
    fn refuses_unknown_kpis_and_wrong_units() {
        let e = parse("leakag > +1pp", &kpis()).unwrap_err();
        assert!(e.0.contains("did you mean `leakage`"), "{e}");
        assert!(parse("leakage > 5m", &kpis()).is_err());
        assert!(parse("speed_to_lead.p90 > 5pp", &kpis()).is_err());
        assert!(parse("leakage 5%", &kpis()).is_err());
        assert!(parse("leakage > 0.5pp", &kpis()).is_err());
    }

    #[test]
    fn a_number_takes_one_sign_at_most() {
        for value in ["+-1", "--1", "-+1", "++1"] {
            let e = parse(&format!("queue_length > {value}"), &kpis()).unwrap_err();
            assert_eq!(
                e.0,
                format!(
                    "`--fail-if queue_length > {value}`: `{value}` is not a number with a unit"
                )
            );
        }
        let g = parse("queue_length > -1", &kpis()).unwrap();
        assert_eq!(g.threshold, Threshold::Delta(-1.0));
    }
}

//! CI guardrails for `handoff compare`: `--fail-if 'leakage > +0.5pp'`.
//!
//! A guardrail names a KPI, a comparison and a threshold. An unsigned threshold is absolute
//! (`sla_attainment < 95%`: the candidate's mean is below 95%); a signed one is a change from
//! the base (`leakage > +0.5pp`: the paired delta's mean rises by more than half a percentage
//! point; `speed_to_lead.p90 > +10m`); a signed percentage is a relative change
//! (`mql_to_sql < -5%`: the candidate is more than 5% below the base).

use std::fmt;

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
}

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
    let ops = [(">=", Op::Ge), ("<=", Op::Le), (">", Op::Gt), ("<", Op::Lt)];
    let Some((pos, sym, op)) = ops
        .iter()
        .filter_map(|(s, o)| text.find(s).map(|p| (p, *s, *o)))
        .min_by_key(|(p, s, _)| (*p, std::cmp::Reverse(s.len())))
    else {
        return fail("expected `KPI > VALUE` (or `>=`, `<`, `<=`)".into());
    };
    let kpi = text.get(..pos).unwrap_or("").trim();
    let value = text.get(pos + sym.len()..).unwrap_or("").trim();
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
    /// Whether the guardrail is breached by these means; `None` when a needed value is
    /// undefined (NaN) or a relative change has a zero base.
    pub fn breached(&self, base: f64, candidate: f64) -> Option<bool> {
        let lhs = match self.threshold {
            Threshold::Absolute(_) => candidate,
            Threshold::Delta(_) => candidate - base,
            Threshold::Relative(_) if base != 0.0 => (candidate - base) / base.abs(),
            Threshold::Relative(_) => return None,
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

    #[test]
    fn reads_absolute_delta_and_relative_thresholds() {
        let g = parse("leakage > +0.5pp", &kpis()).unwrap();
        assert_eq!(g.threshold, Threshold::Delta(0.005));
        assert_eq!(g.breached(0.10, 0.106), Some(true));
        assert_eq!(g.breached(0.10, 0.104), Some(false));
        let g = parse("sla_attainment < 95%", &kpis()).unwrap();
        assert_eq!(g.threshold, Threshold::Absolute(0.95));
        assert_eq!(g.breached(0.99, 0.94), Some(true));
        let g = parse("speed_to_lead.p90 > +10m", &kpis()).unwrap();
        assert_eq!(g.threshold, Threshold::Delta(600.0));
        let g = parse("queue_length >= -5%", &kpis()).unwrap();
        assert_eq!(g.threshold, Threshold::Relative(-0.05));
        assert_eq!(g.breached(0.0, 1.0), None);
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

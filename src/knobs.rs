//! Knobs: named, typed parameters of a checked playbook and scenario that `handoff sweep`
//! varies (`--set sla.hand_raise=5m,15m,30m`).
//!
//! A knob edits the IR, never the text, so a sweep point is exactly the playbook the analyst
//! would get by editing that one value, with every other rule untouched. Each knob knows its
//! unit, so `--set sla.hand_raise=40%` is refused with a clear message instead of simulating
//! nonsense.

use crate::ir::{self, Playbook, Sla};
use std::fmt;

/// What a knob changes.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// `sla.HANDOFF`: the SLA of a handoff rule (a duration; `bh`/`bd` make it business time).
    Sla(ir::HandoffId),
    /// `band.BANDS.BAND`: the lower threshold of a band; the band below it moves with it.
    BandFrom(ir::BandSetId, usize),
    /// `suppress.REASON`: the suppression window of a reason (a duration).
    Suppress(ir::ReasonId),
    /// `breaches.HANDOFF`: breaches tolerated before the breach limit recycles (a count).
    Breaches(ir::HandoffId),
    /// `capacity.QUEUE`: open leads per seller (a count).
    Capacity(ir::QueueId),
    /// `sellers.QUEUE`: sellers staffing a queue in the scenario (a count).
    Sellers(ir::QueueId),
    /// `rate.SOURCE`: arrivals per day of a scenario source (a number).
    Rate(usize),
    /// `connect`: connect probability at zero delay (a percentage).
    Connect,
    /// `meeting`: meeting probability given a connect (a percentage).
    Meeting,
}

/// A knob's value, already in IR units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A plain number or count.
    Number(f64),
    /// Seconds, with whether they were business units (`bh`, `bd`).
    Duration {
        /// Seconds (for `bd`: days × 86 400).
        secs: i64,
        /// Unit as written, for SLAs.
        unit: DurationKind,
    },
    /// A fraction 0..1 written as a percentage.
    Fraction(f64),
}

/// How a duration value was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationKind {
    /// `m`, `h`, `d`, `w`.
    Wall,
    /// `bh`.
    BusinessHours,
    /// `bd`.
    BusinessDays,
}

/// One `--set NAME=VALUES`.
#[derive(Debug, Clone, PartialEq)]
pub struct Knob {
    /// The name as written, for tables and charts.
    pub name: String,
    /// What it changes.
    pub target: Target,
    /// The values to try, in order, as written.
    pub values: Vec<(String, Value)>,
}

/// Why a `--set` was refused; shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnobError(pub String);

impl fmt::Display for KnobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KnobError {}

fn err<T>(msg: impl Into<String>) -> Result<T, KnobError> {
    Err(KnobError(msg.into()))
}

/// The unit a knob takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Duration,
    Count,
    Number,
    Percent,
}

impl Target {
    fn unit(&self) -> Unit {
        match self {
            Target::Sla(_) | Target::Suppress(_) => Unit::Duration,
            Target::Breaches(_) | Target::Capacity(_) | Target::Sellers(_) => Unit::Count,
            Target::BandFrom(..) | Target::Rate(_) => Unit::Number,
            Target::Connect | Target::Meeting => Unit::Percent,
        }
    }
}

/// Knob names a playbook offers, for help texts and "did you mean".
pub fn available(p: &Playbook, scenario: Option<&ir::Scenario>) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(p.handoffs.iter().map(|h| format!("sla.{}", h.name)));
    out.extend(
        p.handoffs
            .iter()
            .filter(|h| h.breach_limit.is_some())
            .map(|h| format!("breaches.{}", h.name)),
    );
    for b in &p.band_sets {
        out.extend(
            b.bands
                .iter()
                .filter(|x| x.from.is_some())
                .map(|x| format!("band.{}.{}", b.name, x.name)),
        );
    }
    out.extend(
        p.reasons
            .iter()
            .filter(|r| r.suppression.is_some())
            .map(|r| format!("suppress.{}", r.name)),
    );
    out.extend(p.queues.iter().map(|q| format!("capacity.{}", q.name)));
    if let Some(s) = scenario {
        out.extend(s.staff.iter().filter_map(|st| {
            p.queues
                .get(st.queue.index())
                .map(|q| format!("sellers.{}", q.name))
        }));
        out.extend(s.sources.iter().map(|src| format!("rate.{}", src.name)));
        out.push("connect".into());
        out.push("meeting".into());
    }
    out
}

/// Parses `NAME=VALUES` against a playbook and (for scenario knobs) its scenario.
///
/// VALUES is a comma-separated list (`5m,15m,30m`) or a range `FROM..TO` with an optional
/// step `FROM..TO/STEP` (`3..6`, `5m..30m/5m`, `50..80/10`); a range includes both ends.
pub fn parse(spec: &str, p: &Playbook, scenario: Option<&ir::Scenario>) -> Result<Knob, KnobError> {
    let Some((name, values)) = spec.split_once('=') else {
        return err(format!(
            "`--set {spec}` needs the form NAME=VALUES, e.g. `sla.hand_raise=5m,15m`"
        ));
    };
    let name = name.trim();
    let target = target(name, p, scenario)?;
    let unit = target.unit();
    let values =
        expand(values.trim(), unit).map_err(|e| KnobError(format!("`--set {name}`: {}", e.0)))?;
    if values.is_empty() {
        return err(format!("`--set {name}` has no values"));
    }
    for (written, v) in &values {
        admit(&target, *v, p).map_err(|e| KnobError(format!("`--set {name}={written}`: {e}")))?;
    }
    if values.len() > 1000 {
        return err(format!(
            "`--set {name}` expands to {} values; at most 1000 are allowed",
            values.len()
        ));
    }
    Ok(Knob {
        name: name.to_string(),
        target,
        values,
    })
}

/// Holds a value to the limits the checker applies to the same value written in the playbook
/// (`ir::limits`), so a sweep never runs what `check` would refuse.
fn admit(target: &Target, v: Value, p: &Playbook) -> Result<(), String> {
    use ir::limits;
    let message = |e: limits::OutOfRange| e.message;
    match (target, v) {
        (Target::Sellers(_), Value::Number(n)) => limits::count(n, "a seller count", 1)
            .map(drop)
            .map_err(message),
        (Target::Capacity(_), Value::Number(n)) => {
            limits::count(n, "a capacity", 1).map(drop).map_err(message)
        }
        (Target::Breaches(_), Value::Number(n)) => limits::count(n, "a breach count", 1)
            .map(drop)
            .map_err(message),
        (Target::Rate(_), Value::Number(n)) => {
            limits::rate(n, (86_400.0, "day"), limits::RateOf::Arrivals)
                .map(drop)
                .map_err(message)
        }
        (Target::Sla(_) | Target::Suppress(_), Value::Duration { secs, .. }) => {
            limits::duration_secs(secs as f64)
                .map(drop)
                .map_err(|e| format!("{}: {}", e.message, e.label))
        }
        (Target::BandFrom(set, band), Value::Number(n)) => band_from(p, *set, *band, n),
        _ => Ok(()),
    }
}

/// A band's new lower bound must stay above the band below it and below the band's own upper
/// bound, so the bands neither overlap nor swap (what E0308 checks in the text).
fn band_from(p: &Playbook, set: ir::BandSetId, band: usize, n: f64) -> Result<(), String> {
    let Some(bands) = p.band_sets.get(set.index()).map(|s| &s.bands) else {
        return Ok(());
    };
    let Some(this) = bands.get(band) else {
        return Ok(());
    };
    let below = bands
        .iter()
        .find(|b| this.from.is_some() && b.to == this.from)
        .and_then(|b| b.from);
    let (low, high) = (
        below.unwrap_or(f64::NEG_INFINITY),
        this.to.unwrap_or(f64::INFINITY),
    );
    if n > low && n < high {
        return Ok(());
    }
    let bound = |v: f64| {
        if v.is_finite() {
            format!("{v}")
        } else {
            "no bound".to_string()
        }
    };
    Err(format!(
        "band `{}` must start above {} and below {}, or the bands would overlap",
        this.name,
        bound(low),
        bound(high)
    ))
}

fn target(name: &str, p: &Playbook, scenario: Option<&ir::Scenario>) -> Result<Target, KnobError> {
    let parts: Vec<&str> = name.split('.').collect();
    let unknown = || -> KnobError {
        let names = available(p, scenario);
        let hint =
            crate::diagnostics::suggest::did_you_mean(name, names.iter().map(String::as_str))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
        KnobError(format!(
            "unknown parameter `{name}`{hint} (available: {})",
            names.join(", ")
        ))
    };
    let handoff = |n: &str| {
        p.handoffs
            .iter()
            .position(|h| h.name == n)
            .map(|i| ir::HandoffId(i as u32))
    };
    let queue = |n: &str| {
        p.queues
            .iter()
            .position(|q| q.name == n)
            .map(|i| ir::QueueId(i as u32))
    };
    let found = match parts.as_slice() {
        ["sla", h] => handoff(h).map(Target::Sla),
        ["breaches", h] => handoff(h)
            .filter(|id| {
                p.handoffs
                    .get(id.index())
                    .is_some_and(|x| x.breach_limit.is_some())
            })
            .map(Target::Breaches),
        ["suppress", r] => p
            .reasons
            .iter()
            .position(|x| x.name == *r && x.suppression.is_some())
            .map(|i| Target::Suppress(ir::ReasonId(i as u32))),
        ["band", set, band] => p
            .band_sets
            .iter()
            .position(|b| b.name == *set)
            .and_then(|si| {
                p.band_sets
                    .get(si)?
                    .bands
                    .iter()
                    .position(|b| b.name == *band && b.from.is_some())
                    .map(|bi| Target::BandFrom(ir::BandSetId(si as u32), bi))
            }),
        ["capacity", q] => queue(q).map(Target::Capacity),
        ["sellers", q] => queue(q)
            .filter(|id| scenario.is_some_and(|s| s.staff.iter().any(|st| st.queue == *id)))
            .map(Target::Sellers),
        ["rate", src] => scenario
            .and_then(|s| s.sources.iter().position(|x| x.name == *src))
            .map(Target::Rate),
        ["connect"] if scenario.is_some() => Some(Target::Connect),
        ["meeting"] if scenario.is_some() => Some(Target::Meeting),
        _ => None,
    };
    found.ok_or_else(unknown)
}

fn expand(values: &str, unit: Unit) -> Result<Vec<(String, Value)>, KnobError> {
    if let Some((from, rest)) = values.split_once("..") {
        let (to, step) = match rest.split_once('/') {
            Some((t, s)) => (t, Some(s)),
            None => (rest, None),
        };
        let a = value(from.trim(), unit)?;
        let b = value(to.trim(), unit)?;
        let step = match step {
            Some(s) => value(s.trim(), unit)?,
            None if matches!(unit, Unit::Count | Unit::Number) => Value::Number(1.0),
            None => {
                return err("a range of durations or percentages needs a step, e.g. `5m..30m/5m`")
            }
        };
        let (fa, fb, fs) = (magnitude(a), magnitude(b), magnitude(step));
        if fs <= 0.0 || !fs.is_finite() {
            return err("the step of a range must be above zero");
        }
        if fb < fa {
            return err("a range must go upwards (`FROM..TO` with FROM ≤ TO)");
        }
        let n = ((fb - fa) / fs + 1e-9).floor() as usize + 1;
        if n > 1000 {
            return err(format!(
                "the range has {n} values; at most 1000 are allowed"
            ));
        }
        return Ok((0..n)
            .map(|i| {
                let v = with_magnitude(a, fa + fs * i as f64);
                (display(v), v)
            })
            .collect());
    }
    values
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| value(s, unit).map(|v| (s.to_string(), v)))
        .collect()
}

fn magnitude(v: Value) -> f64 {
    match v {
        Value::Number(n) | Value::Fraction(n) => n,
        Value::Duration { secs, .. } => secs as f64,
    }
}

fn with_magnitude(like: Value, m: f64) -> Value {
    match like {
        Value::Number(_) => Value::Number(m),
        Value::Fraction(_) => Value::Fraction(m),
        Value::Duration { unit, .. } => Value::Duration {
            secs: m.round() as i64,
            unit,
        },
    }
}

fn display(v: Value) -> String {
    match v {
        Value::Number(n) => format!("{n}"),
        Value::Fraction(f) => format!("{}%", (f * 10_000.0).round() / 100.0),
        Value::Duration { secs, unit } => match unit {
            DurationKind::BusinessDays => format!("{}bd", secs / 86_400),
            DurationKind::BusinessHours => format!("{}bh", secs as f64 / 3600.0),
            DurationKind::Wall if secs % 86_400 == 0 => format!("{}d", secs / 86_400),
            DurationKind::Wall if secs % 3600 == 0 => format!("{}h", secs / 3600),
            DurationKind::Wall => format!("{}m", secs as f64 / 60.0),
        },
    }
}

fn value(s: &str, unit: Unit) -> Result<Value, KnobError> {
    let num_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(num_end);
    let Ok(n) = num.parse::<f64>() else {
        return err(format!("`{s}` is not a value"));
    };
    if !n.is_finite() {
        return err(format!("`{s}` is not a finite value"));
    }
    let wanted = match unit {
        Unit::Duration => "a duration such as `15m`, `4h`, `2d` or `1bd`",
        Unit::Count => "a whole number",
        Unit::Number => "a number",
        Unit::Percent => "a percentage such as `40%`",
    };
    let v = match (unit, suffix) {
        (Unit::Duration, "m") => wall(n * 60.0),
        (Unit::Duration, "h") => wall(n * 3600.0),
        (Unit::Duration, "d") => wall(n * 86_400.0),
        (Unit::Duration, "w") => wall(n * 604_800.0),
        (Unit::Duration, "bh") => Value::Duration {
            secs: (n * 3600.0).round() as i64,
            unit: DurationKind::BusinessHours,
        },
        (Unit::Duration, "bd") if n.fract() == 0.0 => Value::Duration {
            secs: (n * 86_400.0).round() as i64,
            unit: DurationKind::BusinessDays,
        },
        (Unit::Count, "") if n.fract() == 0.0 && n >= 0.0 => Value::Number(n),
        (Unit::Number, "") => Value::Number(n),
        (Unit::Percent, "%") if (0.0..=100.0).contains(&n) => Value::Fraction(n / 100.0),
        _ => return err(format!("`{s}` is not {wanted}")),
    };
    if let Value::Duration { secs, .. } = v {
        if secs <= 0 {
            return err(format!("`{s}` must be longer than zero"));
        }
    }
    Ok(v)
}

fn wall(secs: f64) -> Value {
    Value::Duration {
        secs: secs.round() as i64,
        unit: DurationKind::Wall,
    }
}

/// Applies one value of a knob to a copy of the playbook and scenario.
pub fn apply(p: &mut Playbook, scenario: &mut Option<ir::Scenario>, target: &Target, v: Value) {
    match (target, v) {
        (Target::Sla(h), Value::Duration { secs, unit }) => {
            if let Some(h) = p.handoffs.get_mut(h.index()) {
                h.sla = match unit {
                    DurationKind::Wall => Sla::Wall(secs),
                    DurationKind::BusinessHours => Sla::BusinessSeconds(secs),
                    DurationKind::BusinessDays => {
                        Sla::BusinessDays(u32::try_from(secs / 86_400).unwrap_or(u32::MAX))
                    }
                };
            }
        }
        (Target::Suppress(r), Value::Duration { secs, .. }) => {
            if let Some(s) = p
                .reasons
                .get_mut(r.index())
                .and_then(|r| r.suppression.as_mut())
            {
                s.window_secs = secs;
            }
        }
        (Target::Breaches(h), Value::Number(n)) => {
            if let Some(l) = p
                .handoffs
                .get_mut(h.index())
                .and_then(|h| h.breach_limit.as_mut())
            {
                l.breaches = (n as u32).max(1);
            }
        }
        (Target::Capacity(q), Value::Number(n)) => {
            if let Some(q) = p.queues.get_mut(q.index()) {
                q.capacity_per_seller = Some((n as u32).max(1));
            }
        }
        (Target::BandFrom(set, band), Value::Number(n)) => {
            if let Some(set) = p.band_sets.get_mut(set.index()) {
                let old = set.bands.get(*band).and_then(|b| b.from);
                for b in set.bands.iter_mut() {
                    if old.is_some() && b.to == old {
                        b.to = Some(n);
                    }
                }
                if let Some(b) = set.bands.get_mut(*band) {
                    b.from = Some(n);
                }
            }
        }
        (Target::Sellers(q), Value::Number(n)) => {
            if let Some(st) = scenario
                .as_mut()
                .and_then(|s| s.staff.iter_mut().find(|st| st.queue == *q))
            {
                st.sellers = n as u32;
            }
        }
        (Target::Rate(i), Value::Number(n)) => {
            if let Some(src) = scenario.as_mut().and_then(|s| s.sources.get_mut(*i)) {
                src.rate_per_sec = n.max(0.0) / 86_400.0;
            }
        }
        (Target::Connect, Value::Fraction(f)) => {
            if let Some(s) = scenario.as_mut() {
                s.connect.chance = f;
            }
        }
        (Target::Meeting, Value::Fraction(f)) => {
            if let Some(s) = scenario.as_mut() {
                s.meeting.chance = f;
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::span::FileId;

    fn seed() -> Playbook {
        let src = include_str!("../playbooks/seed-matrix.playbook");
        crate::check::compile(FileId(0), src).playbook.unwrap()
    }

    #[test]
    fn expands_lists_and_ranges_in_the_knob_unit() {
        let p = seed();
        let k = parse("sla.hand_raise=5m,15m,1bd", &p, None).unwrap();
        assert_eq!(k.values.len(), 3);
        assert_eq!(
            k.values[0].1,
            Value::Duration {
                secs: 300,
                unit: DurationKind::Wall
            }
        );
        let k = parse("sla.hand_raise=5m..30m/5m", &p, None).unwrap();
        let labels: Vec<_> = k.values.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["5m", "10m", "15m", "20m", "25m", "30m"]);
        let k = parse("band.grade.A=60..80/10", &p, None).unwrap();
        assert_eq!(k.values.len(), 3);
    }

    #[test]
    fn refuses_unknown_names_and_wrong_units() {
        let p = seed();
        let e = parse("sla.hand_rise=5m", &p, None).unwrap_err();
        assert!(e.0.contains("did you mean `sla.hand_raise`"), "{e}");
        let e = parse("sla.hand_raise=40%", &p, None).unwrap_err();
        assert!(e.0.contains("is not a duration"), "{e}");
        assert!(parse("capacity.inbound_sdr=2.5", &p, None).is_err());
        assert!(parse("sla.hand_raise", &p, None).is_err());
        assert!(parse("sla.hand_raise=30m..5m/5m", &p, None).is_err());
        assert!(
            parse("sellers.inbound_sdr=3", &p, None).is_err(),
            "scenario knob without a scenario"
        );
    }

    /// Issue 19: a swept value passes the checks the same value written in the playbook
    /// passes, with the checker's words.
    #[test]
    fn values_are_held_to_the_checker_limits() {
        let p = seed();
        let scenario = p.scenarios.first();
        let refused = |spec: &str| parse(spec, &p, scenario).unwrap_err().0;
        assert_eq!(
            refused("sellers.inbound_sdr=4294967296"),
            "`--set sellers.inbound_sdr=4294967296`: a seller count must be at most 1000000"
        );
        assert_eq!(
            refused("sellers.inbound_sdr=2,0"),
            "`--set sellers.inbound_sdr=0`: a seller count must be a whole number of at least 1"
        );
        assert!(refused("sla.hand_raise=1000000000000000000d").contains("duration out of range"));
        assert!(refused("suppress.no_response=200000w").contains("duration out of range"));
        assert!(refused("capacity.inbound_sdr=0").contains("at least 1"));
        assert!(refused("rate.web=0").contains("above zero"));
        assert!(refused("rate.web=100000000000").contains("more than the 1000 arrivals a second"));
        assert!(
            refused("band.grade.A=30").contains("band `A` must start above 40 and below no bound")
        );
        assert!(
            refused("band.grade.B=70").contains("band `B` must start above no bound and below 70")
        );
        assert!(parse("sellers.inbound_sdr=1..6", &p, scenario).is_ok());
        assert!(parse("band.grade.A=41..99", &p, scenario).is_ok());
    }

    #[test]
    fn moving_a_band_threshold_moves_the_band_below() {
        let mut p = seed();
        let k = parse("band.grade.A=60", &p, None).unwrap();
        apply(&mut p, &mut None, &k.target, k.values[0].1);
        let grade = &p.band_sets[0];
        assert_eq!(grade.bands[0].from, Some(60.0));
        assert_eq!(grade.bands[1].to, Some(60.0));
    }

    #[test]
    fn business_units_make_business_slas() {
        let mut p = seed();
        let k = parse("sla.hand_raise=2bh", &p, None).unwrap();
        apply(&mut p, &mut None, &k.target, k.values[0].1);
        assert_eq!(p.handoffs[0].sla, Sla::BusinessSeconds(7200));
    }
}

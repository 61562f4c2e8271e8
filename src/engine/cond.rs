//! Evaluation of checked conditions against one lead (and the event being processed).
//!
//! Missing or mistyped values make a comparison false instead of failing, so a malformed input can
//! never stop the engine; the checker is what rejects ill-typed playbooks.

use super::scoring;
use super::state::LeadState;
use crate::calendar::Timestamp;
use crate::ir::{Cmp, Cond, FieldRef, Num, Playbook, Value};

/// Everything a condition may look at.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub playbook: &'a Playbook,
    pub lead: &'a LeadState,
    /// Field values of the event being processed; empty outside event handling.
    pub event: &'a [Value],
    pub now: Timestamp,
}

impl<'a> Scope<'a> {
    /// A scope with no event, for state conditions.
    pub fn state(playbook: &'a Playbook, lead: &'a LeadState, now: Timestamp) -> Self {
        Scope {
            playbook,
            lead,
            event: &[],
            now,
        }
    }

    /// Whether a condition holds.
    pub fn holds(&self, cond: &Cond) -> bool {
        match cond {
            Cond::True => true,
            Cond::And { all } => all.iter().all(|c| self.holds(c)),
            Cond::Or { any } => any.iter().any(|c| self.holds(c)),
            Cond::Not { cond } => !self.holds(cond),
            Cond::Compare { lhs, cmp, rhs } => match (self.num(lhs), self.num(rhs)) {
                (Some(a), Some(b)) => compare(*cmp, a, b),
                _ => false,
            },
            Cond::Flag { field } => matches!(self.field(*field), Some(Value::Flag(true))),
            Cond::EnumIn { field, mask } => match self.field(*field) {
                Some(Value::Enum(v)) => 1u64
                    .checked_shl(u32::from(*v))
                    .is_some_and(|b| mask & b != 0),
                _ => false,
            },
            Cond::TextIn { field, values } => match self.field(*field) {
                Some(Value::Text(t)) => values.iter().any(|v| eq_ci(t, v)),
                _ => false,
            },
            Cond::Contains { field, needle } => match self.field(*field) {
                Some(Value::Text(t)) => contains_ci(t, needle),
                _ => false,
            },
            Cond::EndsWith { field, suffix } => match self.field(*field) {
                Some(Value::Text(t)) => ends_with_ci(t, suffix),
                _ => false,
            },
            Cond::BandIn { bands, mask } => {
                scoring::band_index(self.playbook, self.lead, *bands, self.now).is_some_and(|i| {
                    u32::try_from(i)
                        .ok()
                        .and_then(|i| 1u64.checked_shl(i))
                        .is_some_and(|b| mask & b != 0)
                })
            }
            Cond::InAccounts { field, accounts } => match (
                self.field(*field),
                self.playbook.accounts.get(accounts.index()),
            ) {
                (Some(Value::Text(t)), Some(set)) => set.owner_of(t).is_some(),
                _ => false,
            },
        }
    }

    /// A numeric operand's value; `None` when the field is missing or not a number.
    fn num(&self, num: &Num) -> Option<f64> {
        match num {
            Num::Const(c) => Some(*c),
            Num::Field(field) => match self.field(*field)? {
                Value::Number(n) => Some(*n),
                _ => None,
            },
            Num::Score(score) => scoring::score_value(self.playbook, self.lead, *score, self.now),
            Num::Count(counter) => {
                scoring::count(self.playbook, self.lead, *counter, self.now).map(|n| n as f64)
            }
        }
    }

    fn field(&self, field: FieldRef) -> Option<&'a Value> {
        match field {
            FieldRef::Lead(id) => self.lead.attributes.get(id.index()),
            FieldRef::Event(i) => self.event.get(usize::from(i)),
        }
    }
}

/// Numeric comparison; equality uses a relative tolerance because scores are decayed floats and
/// `score = 50` should not depend on the last bit of an exponential.
pub(crate) fn compare(cmp: Cmp, a: f64, b: f64) -> bool {
    let close = || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    match cmp {
        Cmp::Eq => close(),
        Cmp::Ne => !close(),
        Cmp::Le => a <= b || close(),
        Cmp::Ge => a >= b || close(),
        Cmp::Lt => a < b && !close(),
        Cmp::Gt => a > b && !close(),
    }
}

/// Case-insensitive equality against an already lowercased candidate, without allocating for
/// ASCII text (the common case: domains, countries, titles).
pub(crate) fn eq_ci(text: &str, lower: &str) -> bool {
    if text.is_ascii() {
        text.eq_ignore_ascii_case(lower)
    } else {
        text.to_lowercase() == lower
    }
}

/// Case-insensitive substring test against a lowercased needle.
pub(crate) fn contains_ci(text: &str, needle: &str) -> bool {
    if text.is_ascii() && needle.is_ascii() {
        let (hay, pin) = (text.as_bytes(), needle.as_bytes());
        let Some(&first) = pin.first() else {
            return true;
        };
        // Most windows fail on their first byte: test it before the whole window.
        hay.windows(pin.len()).any(|w| {
            w.first().is_some_and(|b| b.eq_ignore_ascii_case(&first)) && w.eq_ignore_ascii_case(pin)
        })
    } else {
        text.to_lowercase().contains(needle)
    }
}

/// Case-insensitive suffix test against a lowercased suffix.
pub(crate) fn ends_with_ci(text: &str, suffix: &str) -> bool {
    if text.is_ascii() && suffix.is_ascii() {
        text.len() >= suffix.len()
            && text
                .as_bytes()
                .get(text.len() - suffix.len()..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix.as_bytes()))
    } else {
        text.to_lowercase().ends_with(suffix)
    }
}

/// Whether a condition reads only lead attributes and account sets, so its value changes only
/// when attributes do and it need not be re-evaluated on every event.
pub(crate) fn is_static(cond: &Cond) -> bool {
    let static_num = |n: &Num| matches!(n, Num::Const(_) | Num::Field(FieldRef::Lead(_)));
    let lead_field = |f: &FieldRef| matches!(f, FieldRef::Lead(_));
    match cond {
        Cond::True => true,
        Cond::And { all } => all.iter().all(is_static),
        Cond::Or { any } => any.iter().all(is_static),
        Cond::Not { cond } => is_static(cond),
        Cond::Compare { lhs, rhs, .. } => static_num(lhs) && static_num(rhs),
        Cond::Flag { field }
        | Cond::EnumIn { field, .. }
        | Cond::TextIn { field, .. }
        | Cond::Contains { field, .. }
        | Cond::EndsWith { field, .. }
        | Cond::InAccounts { field, .. } => lead_field(field),
        Cond::BandIn { .. } => false,
    }
}

/// Whether a state condition can turn from false to true only at a step that gives a score
/// points, counts an event, sets attributes or changes the lead's track, never by time passing.
///
/// Time only lowers what such a condition reads: event points decay towards zero (so no score
/// it reads may have negative event points), windowed counts lose old events, and attributes do
/// not change. So it must read those values only in the rising direction: a score or count at
/// least a steady value, a band set whose selected bands are everything above some score, and
/// `not` only of attribute conditions. The engine relies on this to skip re-testing state rules
/// and track exits that were false at the lead's last step when nothing could have raised them.
pub(crate) fn rises_only(playbook: &Playbook, cond: &Cond) -> bool {
    let steady = |n: &Num| matches!(n, Num::Const(_) | Num::Field(FieldRef::Lead(_)));
    let rising = |n: &Num| match n {
        Num::Count(_) => true,
        Num::Score(score) => score_rises_only(playbook, *score),
        n => steady(n),
    };
    match cond {
        Cond::True => true,
        Cond::And { all } => all.iter().all(|c| rises_only(playbook, c)),
        Cond::Or { any } => any.iter().all(|c| rises_only(playbook, c)),
        Cond::Not { cond } => is_static(cond),
        Cond::Compare { lhs, cmp, rhs } => match cmp {
            Cmp::Ge | Cmp::Gt => rising(lhs) && steady(rhs),
            Cmp::Le | Cmp::Lt => steady(lhs) && rising(rhs),
            Cmp::Eq | Cmp::Ne => steady(lhs) && steady(rhs),
        },
        Cond::BandIn { bands, mask } => playbook.band_sets.get(bands.index()).is_some_and(|set| {
            set.scores.iter().all(|s| score_rises_only(playbook, *s))
                && band_threshold(&set.bands, *mask).is_some()
        }),
        Cond::Flag { .. }
        | Cond::EnumIn { .. }
        | Cond::TextIn { .. }
        | Cond::Contains { .. }
        | Cond::EndsWith { .. }
        | Cond::InAccounts { .. } => is_static(cond),
    }
}

/// Whether a score only falls between the events that give it points.
fn score_rises_only(playbook: &Playbook, score: crate::ir::ScoreId) -> bool {
    playbook
        .scores
        .get(score.index())
        .is_some_and(|def| def.per_event.iter().all(|p| p.points >= 0.0))
}

/// The lowest sum whose first matching band is selected by `mask`, when the selected sums are
/// all the sums from it up (`-∞`: every sum, `+∞`: none); `None` when they are not. Membership
/// only changes at a band bound, so testing each bound and one value below them all tells.
pub(crate) fn band_threshold(bands: &[crate::ir::Band], mask: u64) -> Option<f64> {
    let selected = |sum: f64| {
        bands
            .iter()
            .position(|b| b.contains(sum))
            .and_then(|i| u32::try_from(i).ok())
            .and_then(|i| 1u64.checked_shl(i))
            .is_some_and(|bit| mask & bit != 0)
    };
    let mut bounds: Vec<f64> = bands
        .iter()
        .flat_map(|b| [b.from, b.to])
        .flatten()
        .filter(|b| b.is_finite())
        .collect();
    bounds.sort_by(f64::total_cmp);
    let below = bounds.first().map_or(0.0, |b| b - 1.0);
    let mut threshold = None;
    for (sum, lowest) in
        std::iter::once((below, f64::NEG_INFINITY)).chain(bounds.iter().map(|b| (*b, *b)))
    {
        match (selected(sum), threshold) {
            (true, None) => threshold = Some(lowest),
            (false, Some(_)) => return None,
            _ => {}
        }
    }
    Some(threshold.unwrap_or(f64::INFINITY))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn text_comparisons_ignore_case() {
        assert!(eq_ci("Globex.COM", "globex.com"));
        assert!(!eq_ci("globex.co", "globex.com"));
        assert!(eq_ci("ÉCOLE", "école"));
        assert!(contains_ci("PhD Student", "student"));
        assert!(contains_ci("anything", ""));
        assert!(!contains_ci("stud", "student"));
        assert!(contains_ci("ÉTUDIANT en Master", "étudiant"));
        assert!(ends_with_ci("mit.EDU", ".edu"));
        assert!(!ends_with_ci("edu", ".edu"));
        assert!(ends_with_ci("université.FR", ".fr"));
    }

    /// Whether the `when` of a state rule in a small playbook only rises.
    fn rises(when: &str) -> bool {
        let src = format!(
            r#"
playbook probe {{
  calendar office
}}

calendar office {{
  timezone "Europe/London"
  hours mon to fri 09:00 to 17:30
}}

lead {{
  segment: one of smb, enterprise
}}

event visit

event unsubscribe

score fit {{
  add 20 when segment = enterprise
}}

score intent {{
  decay half-life 1d
  add 10 per visit
}}

score mood {{
  decay half-life 1d
  add -5 per unsubscribe
}}

bands grade by fit + intent {{
  band A from 40
  band B from 15 to 40
  band C below 15
}}

handoff probe {{
  when {when}
  route to sdr
  sla 1h
  on breach {{
    notify manager
  }}
}}

queue sdr {{
  members ann
}}
"#
        );
        let compiled = crate::check::compile(crate::span::FileId(0), &src);
        let playbook = compiled.playbook.expect("the probe compiles");
        rises_only(&playbook, &playbook.handoffs[0].trigger.when)
    }

    #[test]
    fn conditions_that_time_can_only_lower_rise_only() {
        for when in [
            "intent >= 15",
            "intent > 15",
            "15 <= intent",
            "count visit within 2d >= 1",
            "grade = A",
            "grade in [A, B]",
            "segment = enterprise",
            "not (segment = enterprise)",
            "intent >= 15 and segment = smb",
            "grade = A or count visit within 1d > 2",
        ] {
            assert!(rises(when), "{when}");
        }
        for when in [
            "intent < 15",
            "intent = 15",
            "intent != 15",
            "count visit within 2d = 1",
            "count visit within 2d < 3",
            "grade = B",
            "grade = C",
            "grade in [A, C]",
            "not (intent >= 15)",
            "mood >= -5",
            "segment = smb and intent <= 10",
        ] {
            assert!(!rises(when), "{when}");
        }
    }

    #[test]
    fn equality_tolerates_float_noise() {
        assert!(compare(Cmp::Eq, 50.0, 50.0 + 1e-12));
        assert!(compare(Cmp::Ge, 40.0 - 1e-12, 40.0));
        assert!(!compare(Cmp::Gt, 40.0 + 1e-12, 40.0));
        assert!(compare(Cmp::Lt, 1.0, 2.0));
        assert!(!compare(Cmp::Ne, 3.0, 3.0));
    }
}

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

    /// A score's value at the scope's time, as conditions read it.
    pub(crate) fn score(&self, score: crate::ir::ScoreId) -> Option<f64> {
        scoring::score_value(self.playbook, self.lead, score, self.now)
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
    pub(crate) fn num(&self, num: &Num) -> Option<f64> {
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

    /// A field's value: the lead's attribute or the event's field.
    pub(crate) fn field(&self, field: FieldRef) -> Option<&'a Value> {
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

    #[test]
    fn equality_tolerates_float_noise() {
        assert!(compare(Cmp::Eq, 50.0, 50.0 + 1e-12));
        assert!(compare(Cmp::Ge, 40.0 - 1e-12, 40.0));
        assert!(!compare(Cmp::Gt, 40.0 + 1e-12, 40.0));
        assert!(compare(Cmp::Lt, 1.0, 2.0));
        assert!(!compare(Cmp::Ne, 3.0, 3.0));
    }
}

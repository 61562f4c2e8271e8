//! What the engine knows of a condition without testing it: whether only attribute changes can
//! change it, whether time can only lower it, and the simple shapes that compile to bitmasks and
//! thresholds.

use crate::ir::{Cmp, Cond, FieldRef, Num, Playbook};

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

/// The one event field a condition reads, if it is built only of `and`, `or`, `not` and
/// enum tests of that field.
pub(super) fn single_enum_field(cond: &Cond) -> Option<u16> {
    fn visit(cond: &Cond, seen: &mut Option<u16>) -> bool {
        match cond {
            Cond::True => true,
            Cond::And { all: parts } | Cond::Or { any: parts } => {
                parts.iter().all(|c| visit(c, seen))
            }
            Cond::Not { cond } => visit(cond, seen),
            Cond::EnumIn {
                field: FieldRef::Event(i),
                ..
            } => *seen.get_or_insert(*i) == *i,
            _ => false,
        }
    }
    let mut seen = None;
    if visit(cond, &mut seen) {
        seen
    } else {
        None
    }
}

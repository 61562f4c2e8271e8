//! Track entry conditions that hold for every new lead, so the tracks after them and the
//! default track never take one.
//!
//! The engine tests `enter when` once, as the lead arrives and before any event
//! (`arrive` in `engine`): event points and windowed counts are zero then, and a score holds
//! only its `when` points. The analysis here bounds every number at that moment and decides a
//! condition only when the bounds settle it.

use super::*;

pub(super) fn entry_always_holds(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
    // Without every score block a score's bounds are unknown.
    if o.scores_incomplete {
        return;
    }
    let default = p.default_track.map(|d| d.index());
    for (i, t) in p.tracks.iter().enumerate() {
        let Some(cond) = &t.enter_when else { continue };
        if on_arrival(p, cond) != Some(true) {
            continue;
        }
        let at = o
            .track_entries
            .get(i)
            .copied()
            .flatten()
            .unwrap_or_else(|| span_of(&o.tracks, i));
        let starved = default.filter(|d| *d != i).map(|d| {
            let name = p.tracks.get(d).map_or("", |t| t.name.as_str());
            (span_of(&o.tracks, d), name)
        });
        out.push(messages::entry_always_holds(at, &t.name, starved));
    }
}

/// Whether a condition holds (`Some(true)`) or fails (`Some(false)`) for every lead at the
/// moment it arrives, or `None` when that depends on the lead.
fn on_arrival(p: &Playbook, c: &Cond) -> Option<bool> {
    match c {
        // Lowering puts `True` in place of a condition it could not type, after reporting
        // it, so it says nothing about what the author wrote.
        Cond::True => None,
        Cond::And { all } => {
            let each: Vec<Option<bool>> = all.iter().map(|x| on_arrival(p, x)).collect();
            if each.contains(&Some(false)) {
                Some(false)
            } else if each.iter().all(|x| *x == Some(true)) {
                Some(true)
            } else {
                None
            }
        }
        Cond::Or { any } => {
            let each: Vec<Option<bool>> = any.iter().map(|x| on_arrival(p, x)).collect();
            if each.contains(&Some(true)) {
                Some(true)
            } else if each.iter().all(|x| *x == Some(false)) {
                Some(false)
            } else {
                None
            }
        }
        Cond::Not { cond } => on_arrival(p, cond).map(|b| !b),
        Cond::Compare { lhs, cmp, rhs } => compare(*cmp, bounds(p, lhs)?, bounds(p, rhs)?),
        _ => None,
    }
}

/// Lowest and highest value a number can have as a lead arrives, or `None` when unbounded
/// by anything the playbook says (a number field).
fn bounds(p: &Playbook, n: &ir::Num) -> Option<(f64, f64)> {
    match n {
        ir::Num::Const(v) => Some((*v, *v)),
        ir::Num::Count(_) => Some((0.0, 0.0)),
        ir::Num::Score(s) => {
            let s = p.scores.get(s.index())?;
            let lo: f64 = s.when.iter().map(|(v, _)| v.min(0.0)).sum();
            let hi: f64 = s.when.iter().map(|(v, _)| v.max(0.0)).sum();
            Some(match s.cap {
                Some(cap) => (lo.min(cap), hi.min(cap)),
                None => (lo, hi),
            })
        }
        ir::Num::Field(_) => None,
    }
}

/// Whether `a CMP b` holds for every pair of values in the two ranges, fails for every pair,
/// or depends on them.
fn compare(cmp: ir::Cmp, (alo, ahi): (f64, f64), (blo, bhi): (f64, f64)) -> Option<bool> {
    let (always, never) = match cmp {
        ir::Cmp::Ge => (alo >= bhi, ahi < blo),
        ir::Cmp::Gt => (alo > bhi, ahi <= blo),
        ir::Cmp::Le => (ahi <= blo, alo > bhi),
        ir::Cmp::Lt => (ahi < blo, alo >= bhi),
        ir::Cmp::Eq => (
            alo == ahi && blo == bhi && alo == blo,
            ahi < blo || bhi < alo,
        ),
        ir::Cmp::Ne => (
            ahi < blo || bhi < alo,
            alo == ahi && blo == bhi && alo == blo,
        ),
    };
    if always {
        Some(true)
    } else if never {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_settle_a_comparison_only_when_they_do_not_overlap() {
        assert_eq!(compare(ir::Cmp::Ge, (0.0, 60.0), (0.0, 0.0)), Some(true));
        assert_eq!(compare(ir::Cmp::Ge, (0.0, 60.0), (40.0, 40.0)), None);
        assert_eq!(compare(ir::Cmp::Lt, (0.0, 0.0), (1.0, 1.0)), Some(true));
        assert_eq!(compare(ir::Cmp::Gt, (0.0, 30.0), (30.0, 30.0)), Some(false));
        assert_eq!(compare(ir::Cmp::Eq, (0.0, 0.0), (0.0, 0.0)), Some(true));
        assert_eq!(compare(ir::Cmp::Ne, (0.0, 0.0), (0.0, 0.0)), Some(false));
    }
}

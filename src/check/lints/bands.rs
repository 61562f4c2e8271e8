//! Score bands that overlap or leave gaps over the range the scores can reach.

use super::*;

/// Lowest and highest score a band set's sum can reach.
pub(super) fn score_range(p: &Playbook, set: &ir::BandSet) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0, 0.0);
    for s in set.scores.iter().filter_map(|s| p.scores.get(s.index())) {
        let neg_when: f64 = s.when.iter().map(|(v, _)| v.min(0.0)).sum();
        let pos_when: f64 = s.when.iter().map(|(v, _)| v.max(0.0)).sum();
        let neg_event = s.per_event.iter().any(|e| e.points < 0.0);
        let pos_event = s.per_event.iter().any(|e| e.points > 0.0);
        lo += if neg_event {
            f64::NEG_INFINITY
        } else {
            neg_when
        };
        hi += match (pos_event, s.cap) {
            (_, Some(cap)) => cap.min(if pos_event { f64::INFINITY } else { pos_when }),
            (true, None) => f64::INFINITY,
            (false, None) => pos_when,
        };
    }
    (lo, hi)
}

pub(super) fn bands(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
    let lower = |b: &ir::Band| b.from.unwrap_or(f64::NEG_INFINITY);
    let upper = |b: &ir::Band| b.to.unwrap_or(f64::INFINITY);
    for (si, set) in p.band_sets.iter().enumerate() {
        // An empty band (reported while lowering) says nothing reliable about coverage.
        if set.bands.iter().any(|b| upper(b) <= lower(b)) {
            continue;
        }
        let spans = o.bands.get(si).map_or(&[][..], Vec::as_slice);
        let mut sorted: Vec<(usize, &ir::Band)> = set.bands.iter().enumerate().collect();
        sorted.sort_by(|(_, x), (_, y)| lower(x).total_cmp(&lower(y)));
        // Without every score block the reachable range is unknown; inner gaps still show.
        if !o.scores_incomplete {
            let (lo, hi) = score_range(p, set);
            if let Some((i, first)) = sorted.first() {
                if lower(first) > lo {
                    out.push(messages::gap_below(
                        span_of(spans, *i),
                        &set.name,
                        lo,
                        lower(first),
                    ));
                }
            }
            if let Some((i, last)) = sorted.last() {
                if upper(last) <= hi && upper(last).is_finite() {
                    out.push(messages::gap_above(
                        span_of(spans, *i),
                        &set.name,
                        &last.name,
                        upper(last),
                        hi,
                    ));
                }
            }
        }
        for pair in sorted.windows(2) {
            let [(ia, a), (ib, b)] = pair else { continue };
            if upper(a) > lower(b) {
                out.push(messages::bands_overlap(
                    span_of(spans, *ib),
                    &set.name,
                    &a.name,
                    &b.name,
                    lower(b),
                    span_of(spans, *ia),
                    upper(a),
                ));
            } else if upper(a) < lower(b) {
                out.push(messages::gap_between(
                    span_of(spans, *ia),
                    &set.name,
                    &a.name,
                    upper(a),
                    lower(b),
                    span_of(spans, *ib),
                ));
            }
        }
    }
}

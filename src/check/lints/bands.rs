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

/// A band bound for messages: `70`, or words for the open ends.
pub(super) fn bound(v: f64) -> String {
    if v == f64::INFINITY {
        "no upper end".to_string()
    } else if v == f64::NEG_INFINITY {
        "no lower end".to_string()
    } else {
        v.to_string()
    }
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
                    let what = if lo.is_finite() {
                        format!("scores from {lo} to {} fall in no band", lower(first))
                    } else {
                        format!("scores below {} fall in no band", lower(first))
                    };
                    out.push(
                        gap(
                            set,
                            spans,
                            *i,
                            what,
                            format!("the lowest band starts at {}", lower(first)),
                        )
                        .with_help(format!(
                            "add `band X below {}` for the lowest scores",
                            lower(first)
                        )),
                    );
                }
            }
            if let Some((i, last)) = sorted.last() {
                if upper(last) <= hi && upper(last).is_finite() {
                    let what = if hi.is_finite() {
                        format!("scores from {} to {hi} fall in no band", upper(last))
                    } else {
                        format!("scores from {} up fall in no band", upper(last))
                    };
                    out.push(
                        gap(
                            set,
                            spans,
                            *i,
                            what,
                            format!("the highest band ends at {}", upper(last)),
                        )
                        .with_help(format!(
                            "drop `to {}` so `{}` has no upper end, or add `band X from {}`",
                            upper(last),
                            last.name,
                            upper(last)
                        )),
                    );
                }
            }
        }
        for pair in sorted.windows(2) {
            let [(ia, a), (ib, b)] = pair else { continue };
            if upper(a) > lower(b) {
                out.push(
                    Diagnostic::new(
                        Code::BandOverlap,
                        span_of(spans, *ib),
                        format!(
                            "bands `{}` and `{}` of `{}` overlap",
                            a.name, b.name, set.name
                        ),
                    )
                    .with_primary_message(format!("starts at {}", lower(b)))
                    .with_label(
                        span_of(spans, *ia),
                        if upper(a).is_finite() {
                            format!("still runs to {}", upper(a))
                        } else {
                            format!("runs on with {}", bound(upper(a)))
                        },
                    )
                    .with_help(format!(
                        "end `{}` at {} (ranges are `from LOW to HIGH`, HIGH excluded)",
                        a.name,
                        lower(b)
                    )),
                );
            } else if upper(a) < lower(b) {
                out.push(
                    gap(
                        set,
                        spans,
                        *ia,
                        format!("scores from {} to {} fall in no band", upper(a), lower(b)),
                        format!("ends at {}", upper(a)),
                    )
                    .with_label(
                        span_of(spans, *ib),
                        format!("the next band starts at {}", lower(b)),
                    )
                    .with_help(format!(
                        "end `{}` at {}, or add `band X from {} to {}`",
                        a.name,
                        lower(b),
                        upper(a),
                        lower(b)
                    )),
                );
            }
        }
    }
}

pub(super) fn gap(
    set: &ir::BandSet,
    spans: &[Span],
    i: usize,
    what: String,
    label: String,
) -> Diagnostic {
    Diagnostic::new(
        Code::BandGap,
        span_of(spans, i),
        format!("bands of `{}` leave a gap: {what}", set.name),
    )
    .with_primary_message(label)
}

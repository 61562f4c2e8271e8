//! Time to first touch as a survival time: handoffs never touched are censored observations,
//! not left out, so a queue that touches only its easy leads cannot read fast.

/// Quantile `q` (0 to 1) of the Kaplan–Meier estimate of the distribution of first-touch
/// delays, from the delays of touched handoffs (`events`) and the time each untouched handoff
/// was watched (`censored`): until the run ended, or infinite for one that ended untouched and
/// so will never be touched.
///
/// It is the smallest observed delay at which the estimated share touched reaches `q`; a
/// handoff censored at the same time as a touch counts as still at risk then. `None` when no
/// handoff was observed, or when too many were never touched for the share to reach `q`.
pub fn km_quantile(events: &[f64], censored: &[f64], q: f64) -> Option<f64> {
    let mut times: Vec<(f64, bool)> = events
        .iter()
        .map(|t| (*t, true))
        .chain(censored.iter().map(|t| (*t, false)))
        .filter(|(t, _)| !t.is_nan())
        .collect();
    // Touches before censorings at the same time: the censored handoff was at risk then.
    times.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut at_risk = times.len() as f64;
    let mut survival = 1.0;
    let mut i = 0;
    while let Some(&(t, _)) = times.get(i) {
        let mut touched = 0.0;
        let mut leaving = 0.0;
        while let Some(&(u, event)) = times.get(i) {
            if u != t {
                break;
            }
            touched += f64::from(u8::from(event));
            leaving += 1.0;
            i += 1;
        }
        if touched > 0.0 {
            survival *= 1.0 - touched / at_risk;
            if 1.0 - survival >= q - 1e-12 {
                return Some(t);
            }
        }
        at_risk -= leaving;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::km_quantile;

    #[test]
    fn without_censoring_it_is_the_empirical_quantile() {
        let d = [5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(km_quantile(&d, &[], 0.5), Some(3.0));
        assert_eq!(km_quantile(&d, &[], 0.9), Some(5.0));
        assert_eq!(km_quantile(&d, &[], 0.2), Some(1.0));
    }

    #[test]
    fn untouched_handoffs_push_the_median_out() {
        // Two touched quickly, three never touched though watched for a day: most leads were
        // not touched, so there is no median; ignoring them would say 1 minute.
        let touched = [60.0, 60.0];
        let untouched = [86_400.0; 3];
        assert_eq!(km_quantile(&touched, &untouched, 0.5), None);
        assert_eq!(km_quantile(&touched, &untouched, 0.4), Some(60.0));
    }

    #[test]
    fn early_censoring_is_not_never_touched() {
        // Watched for 5 seconds when the run ended: at risk until then, then out of the
        // estimate. Counted as never touched, the 90th percentile would not exist.
        assert_eq!(km_quantile(&[1.0, 10.0], &[5.0], 0.9), Some(10.0));
    }

    #[test]
    fn a_censoring_tied_with_a_touch_was_at_risk() {
        // Both at risk at 2, one touched: half touched by 2, never 60%.
        assert_eq!(km_quantile(&[2.0], &[2.0], 0.5), Some(2.0));
        assert_eq!(km_quantile(&[2.0], &[2.0], 0.6), None);
    }

    #[test]
    fn a_handoff_that_ended_untouched_stays_untouched() {
        // Closed untouched after an hour: never touched, not censored at an hour, so half
        // are never touched and the share touched never reaches 60%.
        let ended = [f64::INFINITY, f64::INFINITY];
        assert_eq!(km_quantile(&[60.0, 7_200.0], &ended, 0.6), None);
        // Censored at an hour (the run ended), the two might be touched later like the rest.
        assert_eq!(
            km_quantile(&[60.0, 7_200.0], &[3_600.0; 2], 0.6),
            Some(7_200.0)
        );
    }

    #[test]
    fn nothing_observed_has_no_quantile() {
        assert_eq!(km_quantile(&[], &[], 0.5), None);
        assert_eq!(km_quantile(&[], &[10.0], 0.5), None);
    }
}

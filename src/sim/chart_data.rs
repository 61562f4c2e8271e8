//! The numbers behind a simulation's charts, merged from replications in replication order so
//! they are the same for any thread count.
//!
//! Kept out of the JSON report: they are either large (pooled first-touch delays) or a view of
//! the KPIs over time that only charts need.

use super::values::{Detail, RepValues, Touches};
use crate::ir::Playbook;

/// The funnel stages, widest first, each a subset of the one before (counted per lead that
/// arrived after the warm-up):
/// `leads` arrived; `MQL` a handoff rule fired for them (routed or not); `handed off` they
/// entered a queue; `touched` a seller touched them; `connected` a seller reached them;
/// `SQL` they converted.
pub const FUNNEL_STAGES: [&str; 6] = ["leads", "MQL", "handed off", "touched", "connected", "SQL"];

/// Share of a period's handoffs whose leakage must be known by the horizon for the period's
/// leakage to be charted: handoffs that fail end sooner than those being worked, so an
/// unsettled period overstates leakage.
pub const SETTLED_SHARE: f64 = 0.9;

/// What the charts of one run are drawn from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartData {
    /// Time to first touch of every handoff after the warm-up, pooled over replications, per
    /// band at handoff (`band A`; one `all handoffs` series without bands), ascending; `+inf`
    /// for handoffs no seller touched before the horizon, so a CDF levels off below 100%.
    pub first_touch: Vec<(String, Vec<f64>)>,
    /// Leads per [`FUNNEL_STAGES`] stage, mean per replication.
    pub funnel: Vec<(&'static str, f64)>,
    /// Length of a period (a day, or a week for long runs), in days.
    pub period_days: f64,
    /// The start of each period in simulated days, warm-up included.
    pub days: Vec<f64>,
    /// Share of the handoffs started in each period that leaked, the mean over the replications
    /// where at least [`SETTLED_SHARE`] of them were decided by the horizon; NaN where none
    /// was, so the last days, where mostly quick failures are decided yet, are not drawn.
    pub leakage: Vec<f64>,
    /// Mean number of leads waiting per period, per queue, mean over replications.
    pub queue_length: Vec<(String, Vec<f64>)>,
}

/// Merges the replications' tallies and timelines.
pub(crate) fn build(playbook: &Playbook, results: &[RepValues]) -> ChartData {
    let details: Vec<_> = results.iter().filter_map(|r| r.detail.as_ref()).collect();
    let periods = details.first().map(|d| d.timeline.periods);
    let count = periods.map_or(0, |p| p.count);
    let leakage = (0..count)
        .map(|i| {
            mean(details.iter().filter_map(|d| {
                let started = f64::from(*d.timeline.started.get(i)?);
                let decided = f64::from(*d.timeline.decided.get(i)?);
                let leaked = f64::from(*d.timeline.leaked.get(i)?);
                (decided > 0.0 && decided >= SETTLED_SHARE * started).then(|| leaked / decided)
            }))
        })
        .collect();
    let queue_length = playbook
        .queues
        .iter()
        .enumerate()
        .map(|(q, queue)| {
            let series = (0..count)
                .map(|i| {
                    mean(
                        details
                            .iter()
                            .filter_map(|d| d.timeline.queue_length.get(q)?.get(i).copied()),
                    )
                })
                .collect();
            (queue.name.clone(), series)
        })
        .collect();
    ChartData {
        first_touch: first_touch(playbook, &details),
        funnel: funnel(&details),
        period_days: periods.map_or(1.0, |p| p.width as f64 / 86_400.0),
        days: periods.map_or_else(Vec::new, |p| (0..p.count).map(|i| p.day(i)).collect()),
        leakage,
        queue_length,
    }
}

/// Pooled delays per band, bands with no handoff left out.
fn first_touch(playbook: &Playbook, details: &[&Detail]) -> Vec<(String, Vec<f64>)> {
    let Some(bands) = playbook.band_sets.first() else {
        // Without a band set every handoff is tallied in the one entry for no band.
        return vec![(
            "all handoffs".to_string(),
            pooled(details.iter().filter_map(|d| d.first_touch.first())),
        )];
    };
    bands
        .bands
        .iter()
        .map(|b| format!("band {}", b.name))
        .chain(std::iter::once("no band".to_string()))
        .enumerate()
        .map(|(i, name)| {
            (
                name,
                pooled(details.iter().filter_map(|d| d.first_touch.get(i))),
            )
        })
        .filter(|(_, samples)| !samples.is_empty())
        .collect()
}

/// The touched delays plus one `+inf` per untouched handoff, ascending.
fn pooled<'a>(touches: impl Iterator<Item = &'a Touches>) -> Vec<f64> {
    let mut samples = Vec::new();
    for t in touches {
        samples.extend_from_slice(&t.delays);
        samples.extend(std::iter::repeat_n(
            f64::INFINITY,
            usize::try_from(t.untouched).unwrap_or(0),
        ));
    }
    samples.sort_by(f64::total_cmp);
    samples
}

fn funnel(details: &[&Detail]) -> Vec<(&'static str, f64)> {
    let counts: [f64; 6] = std::array::from_fn(|stage| {
        mean(
            details
                .iter()
                .map(|d| d.funnel.get(stage).copied().unwrap_or(0) as f64),
        )
    });
    FUNNEL_STAGES.into_iter().zip(counts).collect()
}

/// The mean of the values, NaN when there are none.
fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        f64::NAN
    } else {
        sum / f64::from(n)
    }
}

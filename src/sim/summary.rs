//! The simulation summary (`summary.json`): every KPI as a mean with its 95% confidence interval across
//! replications, overall, by band and by queue, plus the playbook's KPI targets and warnings.
//!
//! Replications are merged in replication order and nothing here depends on the thread count,
//! so the serialized report is byte-identical for any `--threads`.

use super::chart_data::{self, ChartData};
use super::kpi::{Row, Unit, ROWS};
use super::stats::{estimate, Estimate};
use super::trend;
use super::values::RepValues;
use crate::ir::{Kpi, Playbook, Stat, TargetCmp};
use serde::Serialize;

/// Version of the JSON shape; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// A whole simulation report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Version of this shape.
    pub format_version: u32,
    /// What was simulated.
    pub inputs: Inputs,
    /// Leads that arrived, summed over replications.
    pub leads_arrived: u64,
    /// Inputs the engine processed, summed over replications.
    pub events_processed: u64,
    /// KPIs over all leads.
    pub kpis: Vec<KpiEstimate>,
    /// KPIs by band of the first band set (band at arrival for lead KPIs, at handoff for handoff
    /// KPIs); `none` collects leads in no band.
    pub by_band: Vec<Group>,
    /// KPIs by queue (routed queue for handoff KPIs, physical queue for seller time and length).
    pub by_queue: Vec<Group>,
    /// The playbook's `kpi` targets against the simulated means.
    pub targets: Vec<TargetCheck>,
    /// Things the analyst should know (overloaded queues, unstaffed queues).
    pub warnings: Vec<String>,
    /// Overall KPI values of each replication, in replication order and [`ROWS`] order: what
    /// `compare` pairs across two runs (common random numbers make replication `r` of both runs
    /// see the same leads). Not part of the JSON report.
    #[serde(skip)]
    pub replications: Vec<Vec<f64>>,
    /// What the charts of `--out` are drawn from; not part of the JSON report.
    #[serde(skip)]
    pub charts: ChartData,
    /// Every step of replication 1 with its input, when `SimOptions::emit_events` asked for
    /// it; not part of the JSON report.
    #[serde(skip)]
    pub recording: Option<super::record::Recording>,
}

/// The inputs of a run, so a report can be reproduced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inputs {
    /// Playbook name.
    pub playbook: String,
    /// Scenario name.
    pub scenario: String,
    /// Master seed.
    pub seed: u64,
    /// Replications run, the sample size of every interval.
    pub replications: u32,
    /// `--leads`, if given.
    pub leads: Option<u64>,
    /// `--days`, if given.
    pub days: Option<f64>,
    /// Simulated span in seconds.
    pub horizon_secs: i64,
    /// Warm-up excluded from KPIs, in seconds.
    pub warmup_secs: i64,
    /// How the warm-up was chosen (`mser-5`, `mser-5-capped`, `scenario`, `option`).
    pub warmup_method: super::WarmupMethod,
    /// Simulated start time (UTC).
    pub start: String,
}

/// One KPI's estimate; `null` mean when no replication defined it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiEstimate {
    /// KPI name.
    pub name: &'static str,
    /// Unit, which says how to print the KPI and what range its interval is cut to.
    pub unit: Unit,
    /// Mean over replications.
    pub mean: Option<f64>,
    /// Lower end of the 95% confidence interval.
    pub ci_low: Option<f64>,
    /// Upper end.
    pub ci_high: Option<f64>,
    /// Replications in which the KPI was defined.
    pub n: usize,
}

impl KpiEstimate {
    /// The estimate for charts and tables, NaN where the KPI was undefined in every replication
    /// (the formatters print NaN as `n/a`).
    pub fn estimate(&self) -> Estimate {
        Estimate {
            mean: self.mean.unwrap_or(f64::NAN),
            ci_low: self.ci_low.unwrap_or(f64::NAN),
            ci_high: self.ci_high.unwrap_or(f64::NAN),
            n: self.n,
        }
    }
}

/// KPIs of one band or queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Band or queue name.
    pub name: String,
    /// Its KPIs.
    pub kpis: Vec<KpiEstimate>,
}

/// A `kpi NAME { target ... }` of the playbook checked against the simulated mean.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetCheck {
    /// The KPI row compared.
    pub kpi: String,
    /// The target's label.
    pub label: Option<String>,
    /// Which side of the value meets the target.
    pub cmp: TargetCmp,
    /// Threshold, in the KPI's unit.
    pub value: f64,
    /// The simulated mean.
    pub mean: Option<f64>,
    /// Whether the mean meets the target (`null` when the KPI was undefined).
    pub met: Option<bool>,
}

fn estimates(rows: &[Row], samples: impl Fn(usize) -> Vec<f64>) -> Vec<KpiEstimate> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let e = estimate(&samples(i)).map(|e| e.within(row.unit.range()));
            KpiEstimate {
                name: row.name,
                unit: row.unit,
                mean: e.as_ref().map(|e| e.mean),
                ci_low: e.as_ref().map(|e| e.ci_low),
                ci_high: e.as_ref().map(|e| e.ci_high),
                n: e.map_or(0, |e| e.n),
            }
        })
        .collect()
}

/// The report row a KPI target is checked against.
fn target_row(kpi: Kpi, stat: Stat) -> &'static str {
    match (kpi, stat) {
        (Kpi::SpeedToLead, Stat::Median) => "speed_to_lead.median",
        (Kpi::SpeedToLead, Stat::P90) => "speed_to_lead.p90",
        (Kpi::SpeedToLead, Stat::Mean) => "speed_to_lead.mean",
        (kpi, _) => kpi.name(),
    }
}

/// Merges the values of replications (in replication order) into a report.
pub(crate) fn build(playbook: &Playbook, inputs: Inputs, results: &[RepValues]) -> Summary {
    let values = |select: &dyn Fn(&RepValues) -> Option<&[f64]>| {
        results
            .iter()
            .map(|r| {
                let mut row = [f64::NAN; ROWS.len()];
                if let Some(v) = select(r) {
                    row.iter_mut().zip(v).for_each(|(slot, v)| *slot = *v);
                }
                row
            })
            .collect::<Vec<_>>()
    };
    let column = |table: &[[f64; ROWS.len()]], rows: &[Row]| {
        let indices: Vec<usize> = rows
            .iter()
            .filter_map(|r| ROWS.iter().position(|x| x.name == r.name))
            .collect();
        estimates(rows, |i| {
            let k = indices.get(i).copied().unwrap_or(0);
            table
                .iter()
                .map(|v| v.get(k).copied().unwrap_or(f64::NAN))
                .collect()
        })
    };
    let overall = values(&|r| Some(&r.overall));
    let kpis = column(&overall, &ROWS);
    let band_rows: Vec<Row> = ROWS.iter().copied().filter(|r| r.by_band).collect();
    let queue_rows: Vec<Row> = ROWS.iter().copied().filter(|r| r.by_queue).collect();
    let band_names: Vec<String> = playbook
        .band_sets
        .first()
        .map(|b| b.bands.iter().map(|b| b.name.clone()).collect())
        .unwrap_or_default();
    let by_band = if playbook.band_sets.is_empty() {
        Vec::new()
    } else {
        band_names
            .iter()
            .cloned()
            .chain(std::iter::once("none".to_string()))
            .enumerate()
            .map(|(i, name)| Group {
                name,
                kpis: column(&values(&|r| r.band(i)), &band_rows),
            })
            .collect()
    };
    let by_queue = playbook
        .queues
        .iter()
        .enumerate()
        .map(|(i, q)| Group {
            name: q.name.clone(),
            kpis: column(&values(&|r| r.queue(i)), &queue_rows),
        })
        .collect();
    let targets = playbook
        .kpi_targets
        .iter()
        .map(|t| {
            let name = target_row(t.kpi, t.stat);
            let mean = kpis.iter().find(|k| k.name == name).and_then(|k| k.mean);
            TargetCheck {
                kpi: name.to_string(),
                label: t.label.clone(),
                cmp: t.cmp,
                value: t.value,
                mean,
                met: mean.map(|m| match t.cmp {
                    TargetCmp::AtLeast => m >= t.value,
                    TargetCmp::AtMost => m <= t.value,
                    TargetCmp::Below => m < t.value,
                }),
            }
        })
        .collect();
    let window_days = (inputs.horizon_secs - inputs.warmup_secs) as f64 / 86_400.0;
    let mut warnings = warnings(playbook, &inputs.scenario, window_days, results);
    if inputs.warmup_method == super::WarmupMethod::Mser5Capped {
        warnings.push(format!(
            "scenario `{}` reached no steady state in the first half of the span: the warm-up is capped at half of it, and the KPIs describe a system still changing",
            inputs.scenario
        ));
    }
    Summary {
        format_version: FORMAT_VERSION,
        inputs,
        leads_arrived: results.iter().map(|r| r.leads_arrived).sum(),
        events_processed: results.iter().map(|r| r.events).sum(),
        kpis,
        by_band,
        by_queue,
        targets,
        warnings,
        replications: overall.iter().map(|v| v.to_vec()).collect(),
        charts: chart_data::build(playbook, results),
        recording: None,
    }
}

/// Growing or unstaffed queues: the run stayed finite (the horizon bounds it), but its
/// waiting-time KPIs describe a queue that grows without limit. Growth is a trend test on the
/// number waiting after the warm-up ([`trend::growing`]), not a threshold on utilisation, which
/// misses queues bound by capacity rather than by seller time. A growth the test finds but that
/// adds up to less than one lead over the `window_days` counted is no backlog worth a warning.
fn warnings(
    playbook: &Playbook,
    scenario: &str,
    window_days: f64,
    results: &[RepValues],
) -> Vec<String> {
    let mut out = Vec::new();
    for (i, queue) in playbook.queues.iter().enumerate() {
        let loads: Vec<_> = results.iter().filter_map(|r| r.queues.get(i)).collect();
        let waiting: f64 = loads.iter().map(|q| f64::from(q.still_waiting)).sum();
        let mean_waiting = waiting / results.len().max(1) as f64;
        let available: f64 = loads.iter().map(|t| t.available_secs).sum();
        if available <= 0.0 {
            if mean_waiting >= 1.0 {
                out.push(format!(
                    "queue `{}` has no sellers in scenario `{scenario}`: {mean_waiting:.0} leads were still waiting at the end",
                    queue.name
                ));
            }
            continue;
        }
        let trends: Vec<_> = loads.iter().map(|q| q.trend).collect();
        let growth = trend::growing(&trends).filter(|g| g.per_day() * window_days >= 1.0);
        if let Some(growth) = growth {
            out.push(format!(
                "queue `{}` grows in scenario `{scenario}`: about {:.2} more leads waiting each day after the warm-up ({}) and {mean_waiting:.0} still waiting at the end; arrivals exceed what its sellers can take, so waits grow with the horizon",
                queue.name,
                growth.per_day(),
                growth.describe()
            ));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn row(name: &'static str, unit: Unit) -> Row {
        Row {
            name,
            unit,
            by_band: false,
            by_queue: false,
        }
    }

    #[test]
    fn intervals_stay_within_what_a_kpi_can_take() {
        let rows = [
            row("leakage", Unit::Fraction),
            row("sla_attainment", Unit::Fraction),
            row("queue_length", Unit::Count),
            row("speed_to_lead.mean", Unit::Seconds),
            row("seller_utilisation", Unit::Fraction),
        ];
        let samples = [
            vec![0.0, 0.0, 0.004, 0.0],
            vec![1.0, 1.0, 0.996, 1.0],
            vec![0.0, 0.1, 0.0, 0.0],
            vec![0.0, 0.0, 30.0, 0.0],
            // Above 100% (pickups past working hours): the interval is left as it is.
            vec![1.02, 1.03, 1.05, 1.04],
        ];
        // Student-t intervals of these samples cross the bounds.
        for s in &samples[..4] {
            let e = estimate(s).unwrap();
            assert!(e.ci_low < 0.0 || e.ci_high > 1.0, "{s:?}: {e:?}");
        }
        let got = estimates(&rows, |i| samples[i].clone());
        let bounds = |k: &KpiEstimate| (k.ci_low.unwrap(), k.ci_high.unwrap());
        let e = |i: usize| estimate(&samples[i]).unwrap();
        assert_eq!(bounds(&got[0]), (0.0, e(0).ci_high));
        assert_eq!(bounds(&got[1]), (e(1).ci_low, 1.0));
        assert_eq!(bounds(&got[2]), (0.0, e(2).ci_high));
        assert_eq!(bounds(&got[3]), (0.0, e(3).ci_high));
        assert_eq!(bounds(&got[4]), (e(4).ci_low, e(4).ci_high));
        assert!(e(4).ci_high > 1.0);
    }
}

//! What one replication contributes to a report, and nothing more: the KPI values of its
//! tallies, its queues' load, and the numbers behind the charts.
//!
//! A replication's result is reduced to these values as soon as it ends, so a run holds no
//! more than the report needs, and a shard can write them to a part file that `handoff merge`
//! turns into the same report as one run of every replication ([`crate::shard`]). They
//! serialize exactly: JSON numbers round-trip (serde_json's `float_roundtrip`), and NaN, which
//! JSON cannot hold, is written as `null`.

use super::kpi::Tally;
use super::run::ReplicationResult;
use super::timeline::Timeline;
use super::trend::Trend;
use serde::{Deserialize, Serialize};

/// The values of one replication; KPI values are in the order of [`super::kpi::ROWS`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepValues {
    /// Leads that arrived (including the warm-up).
    pub leads_arrived: u64,
    /// Inputs delivered to the engine.
    pub events: u64,
    /// Every KPI over all leads; NaN where the replication does not define it.
    #[serde(with = "floats")]
    pub overall: Vec<f64>,
    /// Per queue in playbook order: what the overload warnings read.
    pub queues: Vec<QueueLoad>,
    /// KPIs by group and chart numbers: what `simulate` reports beyond the overall KPIs.
    /// `compare` and `sweep` read only the overall KPIs, so their parts leave this out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Detail>,
}

/// One queue's load at the end of a replication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueLoad {
    /// Leads still waiting at the horizon.
    pub still_waiting: u32,
    /// Seller time spent handling pickups within the window.
    pub busy_secs: f64,
    /// Seller working time within the window.
    pub available_secs: f64,
    /// How the number waiting trends after the warm-up, for the growth warning.
    pub trend: Trend,
}

/// The values behind the by-band and by-queue tables and the charts of `simulate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// KPIs by band of the reporting band set, the last entry for leads in no band.
    #[serde(with = "float_rows")]
    pub bands: Vec<Vec<f64>>,
    /// KPIs by queue in playbook order.
    #[serde(with = "float_rows")]
    pub queues: Vec<Vec<f64>>,
    /// Leads at each funnel stage ([`super::chart_data::FUNNEL_STAGES`]).
    pub funnel: [u64; 6],
    /// Per-period series.
    pub timeline: Timeline,
    /// First-touch delays per band, as [`Detail::bands`]; with no band set, the one entry holds
    /// every handoff.
    pub first_touch: Vec<Touches>,
}

/// First touches of one group of handoffs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Touches {
    /// Delays of touched handoffs in seconds, in the order they were tallied.
    pub delays: Vec<f64>,
    /// Handoffs no seller touched before the horizon.
    pub untouched: u64,
}

impl RepValues {
    /// Reduces a replication's result to its values; the recording, if any, is dropped.
    pub fn new(result: ReplicationResult) -> RepValues {
        let window = result.window;
        let tallies = result.tallies;
        let kpis = |t: &Tally| t.values(window).to_vec();
        let o = &tallies.overall;
        let trends = result.timeline.trends(window);
        let queues = result
            .still_waiting
            .iter()
            .zip(&tallies.queues)
            .zip(trends)
            .map(|((&still_waiting, t), trend)| QueueLoad {
                still_waiting,
                busy_secs: t.busy_secs,
                available_secs: t.available_secs,
                trend,
            })
            .collect();
        let overall = kpis(o);
        let funnel = [
            o.leads,
            o.mql_leads,
            o.handed_off,
            o.touched_leads,
            o.connected_leads,
            o.converted,
        ];
        let bands = tallies.bands.iter().map(kpis).collect();
        let detail = Detail {
            bands,
            queues: tallies.queues.iter().map(kpis).collect(),
            funnel,
            timeline: result.timeline,
            first_touch: tallies.bands.into_iter().map(Touches::of).collect(),
        };
        RepValues {
            leads_arrived: result.leads_arrived,
            events: result.events,
            overall,
            queues,
            detail: Some(detail),
        }
    }

    /// The values without their [`Detail`], for a part of a run that reads only the overall
    /// KPIs (`compare`, `sweep`).
    pub fn without_detail(self) -> RepValues {
        RepValues {
            detail: None,
            ..self
        }
    }

    /// The KPI values of band `i`, if the replication kept them.
    pub fn band(&self, i: usize) -> Option<&[f64]> {
        self.detail.as_ref()?.bands.get(i).map(Vec::as_slice)
    }

    /// The KPI values of queue `i`, if the replication kept them.
    pub fn queue(&self, i: usize) -> Option<&[f64]> {
        self.detail.as_ref()?.queues.get(i).map(Vec::as_slice)
    }
}

impl Touches {
    fn of(tally: Tally) -> Touches {
        let untouched = tally.handoffs.saturating_sub(tally.delays.len() as u64);
        Touches {
            delays: tally.delays,
            untouched,
        }
    }
}

/// `Vec<f64>` with NaN as `null`.
pub(crate) mod floats {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes NaN as `null`.
    pub fn serialize<S: Serializer>(values: &[f64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(values.iter().map(|v| (!v.is_nan()).then_some(*v)))
    }

    /// Reads `null` as NaN.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        let values = Vec::<Option<f64>>::deserialize(d)?;
        Ok(values.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
    }
}

/// `f64` with NaN as `null`.
pub(crate) mod float {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes NaN as `null`.
    pub fn serialize<S: Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
        if value.is_nan() {
            s.serialize_none()
        } else {
            s.serialize_f64(*value)
        }
    }

    /// Reads `null` as NaN.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// `Vec<Vec<f64>>` with NaN as `null`.
pub(crate) mod float_rows {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Row(#[serde(with = "super::floats")] Vec<f64>);

    /// Writes NaN as `null`.
    pub fn serialize<S: Serializer>(rows: &[Vec<f64>], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(rows.iter().map(|r| Row(r.clone())))
    }

    /// Reads `null` as NaN.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<f64>>, D::Error> {
        let rows = Vec::<Row>::deserialize(d)?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn nan_and_negative_zero_survive_json() {
        #[derive(Serialize, Deserialize)]
        struct Probe(#[serde(with = "floats")] Vec<f64>);
        let values = vec![f64::NAN, -0.0, 0.1 + 0.2, 1e-300, 123_456.789];
        let text = serde_json::to_string(&Probe(values.clone())).unwrap();
        let back: Probe = serde_json::from_str(&text).unwrap();
        assert_eq!(back.0.len(), values.len());
        for (a, b) in values.iter().zip(&back.0) {
            assert_eq!(a.to_bits(), b.to_bits(), "{text}");
        }
    }
}

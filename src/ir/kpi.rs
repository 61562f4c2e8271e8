//! KPIs, their units and targets.

use super::*;

named_enum! {
/// The KPIs the tool knows how to measure; names are fixed so reports compare across playbooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kpi {
    /// Share of leads that engaged (any signal) after an automated touch.
    EngagementRate = "engagement_rate",
    /// Share of handed-off leads that converted.
    MqlToSql = "mql_to_sql",
    /// Time from handoff to first touch.
    SpeedToLead = "speed_to_lead",
    /// Share of handoffs touched within their SLA.
    SlaAttainment = "sla_attainment",
    /// Share of handed-off leads lost without being worked (see docs/kpis.md).
    Leakage = "leakage",
    /// Share of recycled leads that showed intent again.
    ReEngagement = "re_engagement",
    /// Share of suppressed ("not now") leads that returned to intent after suppression.
    ReturnToIntent = "return_to_intent",
    /// Meetings booked with target (ABM) accounts.
    TargetAccountMeetings = "target_account_meetings",
    /// Share of seller time spent working leads.
    SellerUtilisation = "seller_utilisation",
    /// Leads waiting in queues (time average).
    QueueLength = "queue_length",
}
}

impl Kpi {
    /// Looks a KPI up by source name.
    pub fn parse(name: &str) -> Option<Kpi> {
        Kpi::ALL.iter().find(|(_, n)| *n == name).map(|(k, _)| *k)
    }

    /// The unit its values and targets are in.
    pub fn unit(self) -> KpiUnit {
        match self {
            Kpi::SpeedToLead => KpiUnit::Seconds,
            Kpi::TargetAccountMeetings | Kpi::QueueLength => KpiUnit::Count,
            _ => KpiUnit::Fraction,
        }
    }
}

/// What a KPI measures, which decides how targets are written, values printed and charts scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiUnit {
    /// A share between 0 and 1 (SLA attainment, leakage), written as a percentage.
    Fraction,
    /// A duration in seconds (speed-to-lead), written as a duration.
    Seconds,
    /// A plain quantity (meetings, queue length).
    Count,
}

impl KpiUnit {
    /// The values a KPI in this unit can take, which bound its confidence interval
    /// ([`crate::sim::stats::Estimate::within`]).
    pub fn range(self) -> (f64, f64) {
        match self {
            KpiUnit::Fraction => (0.0, 1.0),
            KpiUnit::Seconds | KpiUnit::Count => (0.0, f64::INFINITY),
        }
    }

    /// The lowercase name machine-readable outputs (CSV, JSON) use for the unit.
    pub fn name(self) -> &'static str {
        match self {
            KpiUnit::Fraction => "fraction",
            KpiUnit::Seconds => "seconds",
            KpiUnit::Count => "count",
        }
    }
}

/// `kpi NAME { target [STAT] at least|at most|below VALUE }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiTarget {
    /// The KPI the target applies to.
    pub kpi: Kpi,
    /// Human label.
    pub label: Option<String>,
    /// Statistic for distributions (speed-to-lead); `Mean` otherwise.
    pub stat: Stat,
    /// Direction.
    pub cmp: TargetCmp,
    /// Threshold in the KPI's unit (fractions, seconds).
    pub value: f64,
}

/// Statistics of a distribution KPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stat {
    /// Mean.
    Mean,
    /// Median.
    Median,
    /// 90th percentile.
    P90,
}

/// Direction of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetCmp {
    /// `>=`
    AtLeast,
    /// `<=`
    AtMost,
    /// `<`
    Below,
}

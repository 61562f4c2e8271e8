//! What a replay reports: the figures of `docs/replay.md`, built from what the replay counted.

use super::{LeadTally, Tally};
use crate::engine::utc;
use crate::ir::Playbook;
use crate::ledger::Ledger;
use crate::sim::stats::quantile_unsorted;
use serde::Serialize;
use std::collections::BTreeMap;

/// What a replayed history did (`docs/replay.md`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The playbook's name.
    pub playbook: String,
    /// The first and last times of the lines applied, RFC 3339.
    pub from: Option<String>,
    /// See `from`.
    pub to: Option<String>,
    /// Leads created.
    pub leads: u64,
    /// What became of the lines.
    pub inputs: Inputs,
    /// Handoffs started (a rule fired and the lead was routed to a queue).
    pub handoffs: u64,
    /// Handoffs by the rule that fired, in playbook order.
    pub handoffs_by_rule: Vec<Count>,
    /// Handoffs touched before any SLA breach.
    pub sla_met: u64,
    /// Handoffs that breached their SLA at least once.
    pub sla_missed: u64,
    /// `sla_met / (sla_met + sla_missed)`.
    pub sla_attainment: Option<f64>,
    /// Seconds from handoff to first touch of every touched handoff.
    pub speed_to_lead: Speed,
    /// Handoffs that leaked (`docs/kpis.md`, without the lapse of intent history cannot see).
    pub leaked: u64,
    /// Handoffs whose outcome is decided.
    pub decided: u64,
    /// `leaked / decided`.
    pub leakage: Option<f64>,
    /// Leads handed off at least once.
    pub handed_off_leads: u64,
    /// Of those, leads that converted.
    pub converted_leads: u64,
    /// `converted_leads / handed_off_leads`.
    pub mql_to_sql: Option<f64>,
    /// Touches that booked a meeting.
    pub meetings: u64,
    /// Of those, meetings on target-account handoffs (`docs/kpis.md`).
    pub target_account_meetings: u64,
    /// Touched handoffs whose first touch came after a wait (`share_waited`).
    pub share_waited: Option<f64>,
    /// Leads that emitted an event after an automated touch, of those touched.
    pub engagement_rate: Rate,
    /// Leads recycled to automation that emitted an event afterwards, of those recycled.
    pub re_engagement: Rate,
    /// Leads given a suppression window that were handed off again, of those given one.
    pub return_to_intent: Rate,
    /// The KPIs of `docs/kpis.md` history cannot give, and why.
    pub not_computed: Vec<NotComputed>,
    /// Every first-touch delay in seconds, sorted, for the chart of `--out` (not in the JSON).
    #[serde(skip)]
    pub first_touch_secs: Vec<f64>,
    /// How leads left a handoff or the funnel, by outcome and reason.
    pub outcomes: Vec<Outcome>,
    /// Leads by their stage at the end.
    pub stages: Vec<Count>,
}

/// What became of the lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Inputs {
    /// Applied by the engine.
    pub applied: u64,
    /// Ignored by the engine (they did not fit the lead's stage).
    pub ignored: u64,
    /// Of those applied or ignored, older than their lead's last step.
    pub late: u64,
    /// About a lead nobody created, or creating one that exists.
    pub refused: u64,
    /// Re-sent lines (a `(source, id)` applied before), dropped.
    pub duplicates: u64,
    /// Lines that could not be decoded (`docs/events.md`), skipped.
    pub bad_lines: u64,
    /// Of those ignored, seller pickups, touches and dispositions (a pickup of a lead this
    /// playbook never handed off, say).
    pub seller_ignored: u64,
    /// Pickups naming a seller this playbook does not have, applied as by an unnamed seller.
    pub unnamed_pickups: u64,
}

/// A share of leads: `count` of `of`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    /// The share, undefined when `of` is zero.
    pub value: Option<f64>,
    /// Leads counted.
    pub count: u64,
    /// Leads it is a share of.
    pub of: u64,
}

impl Rate {
    fn of(
        leads: &[LeadTally],
        whole: impl Fn(&LeadTally) -> bool,
        part: impl Fn(&LeadTally) -> bool,
    ) -> Rate {
        let of = leads.iter().filter(|l| whole(l)).count() as u64;
        let count = leads.iter().filter(|l| whole(l) && part(l)).count() as u64;
        Rate {
            value: share(count, of),
            count,
            of,
        }
    }
}

/// A KPI of `docs/kpis.md` that a replay does not report, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotComputed {
    /// The KPI.
    pub kpi: &'static str,
    /// Why history cannot give it.
    pub why: &'static str,
}

/// What history lacks for the KPIs replay leaves out.
const NOT_COMPUTED: [NotComputed; 2] = [
    NotComputed {
        kpi: "seller_utilisation",
        why: "event lines say when a seller picked a lead up, not how long the seller then worked on it, nor the seller's working hours",
    },
    NotComputed {
        kpi: "queue_length",
        why: "replay counts handoffs, not the number of leads waiting at every moment; a wait is only known per lead, from its handoff to its first touch",
    },
];

/// Speed to lead in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Speed {
    /// Touched handoffs.
    pub touched: u64,
    /// Median (type 7).
    pub median: Option<f64>,
    /// 90th percentile (type 7).
    pub p90: Option<f64>,
    /// Mean.
    pub mean: Option<f64>,
}

/// A count of something named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Its name.
    pub name: String,
    /// How many.
    pub count: u64,
}

/// How many leads left with one outcome and reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// `converted`, `closed`, `disqualified` or `recycled`.
    pub outcome: &'static str,
    /// The reason code.
    pub reason: String,
    /// How many.
    pub count: u64,
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

pub(super) fn build(
    playbook: &Playbook,
    ledger: &Ledger,
    leads: &[LeadTally],
    mut t: Tally,
) -> Report {
    let rule_name = |id: u32| {
        (playbook
            .handoffs
            .get(usize::try_from(id).unwrap_or(usize::MAX)))
        .map(|h| h.name.clone())
        .or_else(|| t.retired.get(&id).cloned())
        .unwrap_or_else(|| format!("#{id}"))
    };
    let reason_name = |id: u32| {
        (playbook
            .reasons
            .get(usize::try_from(id).unwrap_or(usize::MAX)))
        .map(|r| r.name.clone())
        .or_else(|| t.retired.get(&id).cloned())
        .unwrap_or_else(|| "-".to_owned())
    };
    let mut first_touch_secs = t.delays.clone();
    first_touch_secs.sort_by(f64::total_cmp);
    let touched = t.delays.len() as u64;
    let waited = t.delays.iter().filter(|d| **d > 0.0).count() as u64;
    let mean = (touched > 0).then(|| t.delays.iter().sum::<f64>() / touched as f64);
    let speed_to_lead = Speed {
        touched,
        median: quantile_unsorted(&mut t.delays, 0.5),
        p90: quantile_unsorted(&mut t.delays, 0.9),
        mean,
    };
    let mut stages: BTreeMap<&str, u64> = BTreeMap::new();
    for lead in ledger.leads() {
        *stages.entry(lead.record.state.stage_name()).or_default() += 1;
    }
    let handed_off = leads.iter().filter(|l| l.handed_off).count() as u64;
    let converted = (leads.iter())
        .filter(|l| l.handed_off && l.converted)
        .count() as u64;
    Report {
        playbook: playbook.name.clone(),
        from: t.first.map(utc),
        to: t.last.map(utc),
        leads: ledger.len() as u64,
        inputs: Inputs {
            applied: t.applied,
            ignored: t.ignored,
            late: t.late,
            refused: t.refused,
            duplicates: t.duplicates,
            bad_lines: t.bad,
            seller_ignored: t.seller_ignored,
            unnamed_pickups: t.unnamed_pickups,
        },
        handoffs: t.by_rule.values().sum(),
        handoffs_by_rule: (t.by_rule.iter())
            .map(|(rule, count)| Count {
                name: rule_name(*rule),
                count: *count,
            })
            .collect(),
        sla_met: t.sla_met,
        sla_missed: t.sla_missed,
        sla_attainment: share(t.sla_met, t.sla_met + t.sla_missed),
        speed_to_lead,
        leaked: t.leaked,
        decided: t.decided,
        leakage: share(t.leaked, t.decided),
        handed_off_leads: handed_off,
        converted_leads: converted,
        mql_to_sql: share(converted, handed_off),
        meetings: t.meetings,
        target_account_meetings: t.target_account_meetings,
        share_waited: share(waited, touched),
        engagement_rate: Rate::of(leads, |l| l.auto_touched, |l| l.engaged),
        re_engagement: Rate::of(leads, |l| l.recycled, |l| l.re_engaged),
        return_to_intent: Rate::of(leads, |l| l.suppressed, |l| l.returned),
        not_computed: NOT_COMPUTED.to_vec(),
        first_touch_secs,
        outcomes: (t.outcomes.iter())
            .map(|((outcome, reason), count)| Outcome {
                outcome,
                reason: reason_name(*reason),
                count: *count,
            })
            .collect(),
        stages: (stages.into_iter())
            .map(|(name, count)| Count {
                name: name.to_owned(),
                count,
            })
            .collect(),
    }
}

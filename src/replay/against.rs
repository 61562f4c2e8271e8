//! `replay --against NEW.playbook`: the same history through two playbooks, and what the new
//! one would have done differently, lead by lead and KPI by KPI (`docs/replay.md`).
//!
//! Both replays read the same lines; how recorded seller actions meet a lead the new playbook
//! routes or times differently is the engine's own rule for inputs that do not fit a lead's
//! stage, documented with its approximations in `docs/replay.md`. KPI changes reuse
//! `compare`'s deltas and guardrails: a history is one run, not a sample, so every interval is
//! the value itself.

use super::report::Report;
use super::LeadTally;
use crate::compare::{breaches, format_change, Breach, Delta};
use crate::engine::{utc, LeadState};
use crate::guardrail::{Guardrail, KpiUnit};
use crate::ir::Playbook;
use crate::sim::stats::Estimate;
use serde::Serialize;

/// What became of one lead in one replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeadOutcome {
    /// The lead's CRM id.
    pub lead: String,
    /// The queue of its first handoff.
    pub route: Option<String>,
    /// The seller routing assigned its first handoff to, or its named-account owner.
    pub owner: Option<String>,
    /// The SLA deadline of its first handoff, RFC 3339.
    pub sla_due: Option<String>,
    /// SLA breaches over all its handoffs.
    pub breaches: u32,
    /// The reason of its latest disposition or breach limit.
    pub reason: Option<String>,
    /// Its stage at the end.
    pub stage: &'static str,
}

impl LeadOutcome {
    /// The outcome of lead `key` from what the replay kept of it, names from `playbook`.
    pub(super) fn new(playbook: &Playbook, key: &str, state: &LeadState, t: &LeadTally) -> Self {
        LeadOutcome {
            lead: key.to_owned(),
            route: (t.first_queue)
                .and_then(|q| playbook.queues.get(q.index()))
                .map(|q| q.name.clone()),
            owner: (t.owner)
                .and_then(|s| playbook.sellers.get(s.index()))
                .map(|s| s.name.clone()),
            sla_due: t.first_due.map(utc),
            breaches: t.breaches,
            reason: (t.reason)
                .and_then(|r| playbook.reasons.get(r.index()))
                .map(|r| r.name.clone()),
            stage: state.stage_name(),
        }
    }
}

/// One way a lead fared differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `route`, `owner`, `sla_due`, `breaches`, `reason` or `stage`.
    pub what: &'static str,
    /// Under the recorded playbook (`-` for none).
    pub base: String,
    /// Under the new playbook.
    pub candidate: String,
}

/// A lead that fared differently under the new playbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeadDiff {
    /// The lead's CRM id.
    pub lead: String,
    /// What differs.
    pub changes: Vec<Change>,
}

/// The leads whose outcomes differ, in the base replay's order; a lead one replay never
/// created (its creation did not decode under that playbook) differs in every way.
pub fn diff(base: &[LeadOutcome], candidate: &[LeadOutcome]) -> Vec<LeadDiff> {
    let by_key: std::collections::HashMap<&str, &LeadOutcome> =
        candidate.iter().map(|o| (o.lead.as_str(), o)).collect();
    let missing = |lead: &str| LeadOutcome {
        lead: lead.to_owned(),
        route: None,
        owner: None,
        sla_due: None,
        breaches: 0,
        reason: None,
        stage: "absent",
    };
    let mut diffs: Vec<LeadDiff> = base
        .iter()
        .filter_map(|b| {
            let c = by_key.get(b.lead.as_str()).copied().cloned();
            changes(b, &c.unwrap_or_else(|| missing(&b.lead)))
        })
        .collect();
    let in_base: std::collections::HashSet<&str> = base.iter().map(|o| o.lead.as_str()).collect();
    diffs.extend(
        (candidate.iter())
            .filter(|c| !in_base.contains(c.lead.as_str()))
            .filter_map(|c| changes(&missing(&c.lead), c)),
    );
    diffs
}

fn changes(b: &LeadOutcome, c: &LeadOutcome) -> Option<LeadDiff> {
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
    let pairs = [
        ("route", text(&b.route), text(&c.route)),
        ("owner", text(&b.owner), text(&c.owner)),
        ("sla_due", text(&b.sla_due), text(&c.sla_due)),
        ("breaches", b.breaches.to_string(), c.breaches.to_string()),
        ("reason", text(&b.reason), text(&c.reason)),
        ("stage", b.stage.to_owned(), c.stage.to_owned()),
    ];
    let changes: Vec<Change> = (pairs.into_iter())
        .filter(|(_, b, c)| b != c)
        .map(|(what, base, candidate)| Change {
            what,
            base,
            candidate,
        })
        .collect();
    (!changes.is_empty()).then(|| LeadDiff {
        lead: b.lead.clone(),
        changes,
    })
}

/// The KPIs a replay reports, by the keys `compare` and guardrails use, with their units.
const KPIS: [(&str, KpiUnit); 14] = [
    ("leads", KpiUnit::Count),
    ("handoffs", KpiUnit::Count),
    ("sla_attainment", KpiUnit::Fraction),
    ("speed_to_lead.median", KpiUnit::Seconds),
    ("speed_to_lead.p90", KpiUnit::Seconds),
    ("speed_to_lead.mean", KpiUnit::Seconds),
    ("share_waited", KpiUnit::Fraction),
    ("leakage", KpiUnit::Fraction),
    ("mql_to_sql", KpiUnit::Fraction),
    ("meetings", KpiUnit::Count),
    ("target_account_meetings", KpiUnit::Count),
    ("engagement_rate", KpiUnit::Fraction),
    ("re_engagement", KpiUnit::Fraction),
    ("return_to_intent", KpiUnit::Fraction),
];

/// A report's values of [`KPIS`], in order.
fn values(r: &Report) -> [Option<f64>; 14] {
    let count = |n: u64| Some(n as f64);
    [
        count(r.leads),
        count(r.handoffs),
        r.sla_attainment,
        r.speed_to_lead.median,
        r.speed_to_lead.p90,
        r.speed_to_lead.mean,
        r.share_waited,
        r.leakage,
        r.mql_to_sql,
        count(r.meetings),
        count(r.target_account_meetings),
        r.engagement_rate.value,
        r.re_engagement.value,
        r.return_to_intent.value,
    ]
}

/// A report's KPIs by the keys of its JSON, with their units and values (`None` undefined).
pub fn kpi_values(r: &Report) -> Vec<(&'static str, KpiUnit, Option<f64>)> {
    (KPIS.iter().zip(values(r)))
        .map(|((key, unit), value)| (*key, *unit, value))
        .collect()
}

/// The KPI keys `--fail-if` may name with `--against`, with their units.
pub fn guardrail_kpis() -> Vec<(String, KpiUnit)> {
    (KPIS.iter())
        .map(|(key, unit)| ((*key).to_owned(), *unit))
        .collect()
}

/// A value as an estimate with no spread: history is what happened, not a sample.
fn exact(v: f64) -> Estimate {
    Estimate {
        mean: v,
        ci_low: v,
        ci_high: v,
        n: 1,
    }
}

/// Every KPI defined in both replays, with its change (`significant` when it changed at all).
pub fn deltas(base: &Report, candidate: &Report) -> Vec<Delta> {
    (KPIS.iter().zip(values(base)).zip(values(candidate)))
        .filter_map(|(((key, unit), b), c)| {
            let (b, c) = (b?, c?);
            Some(Delta {
                key: (*key).to_owned(),
                unit: *unit,
                base: exact(b),
                candidate: exact(c),
                delta: exact(c - b),
                significant: c != b,
            })
        })
        .collect()
}

/// The comparison of two replays of the same history.
#[derive(Debug, Clone, Serialize)]
pub struct Against {
    /// The recorded playbook's report.
    pub base: Report,
    /// The new playbook's report.
    pub candidate: Report,
    /// KPI changes (candidate − base).
    pub kpis: Vec<Delta>,
    /// Leads in either replay.
    pub leads: usize,
    /// The leads that fared differently, with how.
    pub differing: Vec<LeadDiff>,
    /// One line: the KPIs that changed.
    pub summary: String,
    /// Guardrails breached.
    pub breaches: Vec<Breach>,
}

impl Against {
    /// Compares two replays of the same lines and applies the guardrails.
    pub fn new(
        base: (Report, Vec<LeadOutcome>),
        candidate: (Report, Vec<LeadOutcome>),
        guardrails: &[Guardrail],
    ) -> Against {
        let kpis = deltas(&base.0, &candidate.0);
        let differing = diff(&base.1, &candidate.1);
        let changed: Vec<String> = (kpis.iter())
            .filter(|d| d.significant)
            .map(|d| format!("{} {}", d.key, format_change(d.unit, d.delta.mean)))
            .collect();
        let summary = match changed.is_empty() {
            true => "no kpi changed".to_owned(),
            false => changed.join(", "),
        };
        let leads = base.1.len().max(candidate.1.len());
        Against {
            breaches: breaches(guardrails, &kpis),
            base: base.0,
            candidate: candidate.0,
            kpis,
            leads,
            differing,
            summary,
        }
    }
}

//! The history's report as text: an aligned table for people and CSV for spreadsheets.

use super::super::columns;
use crate::ir::KpiUnit;
use crate::replay::{Rate, Report};
use crate::report::format_value;

/// The report as CSV: `kpi,group,unit,value,n`, one line per figure, `group` empty for the whole
/// history or `rule:NAME`, `OUTCOME:REASON`, `stage:NAME`; a value that is undefined (no
/// handoffs, say) is empty, and `n` is the count the value is of.
pub fn csv(r: &Report) -> String {
    fn quoted(text: &str) -> String {
        if text.contains([',', '"', '\n']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        }
    }
    let number = |v: Option<f64>| v.map_or_else(String::new, |v| v.to_string());
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut row = |kpi: &str, group: &str, unit: &str, value: String, n: u64| {
        rows.push([kpi.into(), quoted(group), unit.into(), value, n.to_string()]);
    };
    let s = &r.speed_to_lead;
    row("leads", "", "count", r.leads.to_string(), r.leads);
    row("handoffs", "", "count", r.handoffs.to_string(), r.handoffs);
    row(
        "sla_attainment",
        "",
        "fraction",
        number(r.sla_attainment),
        r.sla_met + r.sla_missed,
    );
    row(
        "speed_to_lead.median",
        "",
        "seconds",
        number(s.median),
        s.touched,
    );
    row("speed_to_lead.p90", "", "seconds", number(s.p90), s.touched);
    row(
        "speed_to_lead.mean",
        "",
        "seconds",
        number(s.mean),
        s.touched,
    );
    row("leakage", "", "fraction", number(r.leakage), r.decided);
    row(
        "mql_to_sql",
        "",
        "fraction",
        number(r.mql_to_sql),
        r.handed_off_leads,
    );
    row("meetings", "", "count", r.meetings.to_string(), r.meetings);
    row(
        "target_account_meetings",
        "",
        "count",
        r.target_account_meetings.to_string(),
        r.target_account_meetings,
    );
    row(
        "share_waited",
        "",
        "fraction",
        number(r.share_waited),
        s.touched,
    );
    for (kpi, rate) in rates(r) {
        row(kpi, "", "fraction", number(rate.value), rate.of);
    }
    for c in &r.handoffs_by_rule {
        row(
            "handoffs",
            &format!("rule:{}", c.name),
            "count",
            c.count.to_string(),
            c.count,
        );
    }
    for o in &r.outcomes {
        let group = format!("{}:{}", o.outcome, o.reason);
        row("outcomes", &group, "count", o.count.to_string(), o.count);
    }
    for c in &r.stages {
        row(
            "leads",
            &format!("stage:{}", c.name),
            "count",
            c.count.to_string(),
            c.count,
        );
    }
    let mut out = String::from("kpi,group,unit,value,n\n");
    for r in rows {
        out.push_str(&r.join(","));
        out.push('\n');
    }
    out
}

/// The shares of leads, by KPI name.
fn rates(r: &Report) -> [(&'static str, Rate); 3] {
    [
        ("engagement_rate", r.engagement_rate),
        ("re_engagement", r.re_engagement),
        ("return_to_intent", r.return_to_intent),
    ]
}

/// The human report.
pub fn table(r: &Report) -> String {
    let value = |unit: KpiUnit, v: Option<f64>| format_value(unit, v.unwrap_or(f64::NAN));
    let share = |v: Option<f64>| value(KpiUnit::Fraction, v);
    let secs = |v: Option<f64>| value(KpiUnit::Seconds, v);
    let mut out = format!(
        "{} · {} leads · from {} to {}\ninputs: {} applied, {} ignored by the engine, {} late, {} refused, {} duplicates, {} bad lines\n\n",
        r.playbook,
        r.leads,
        r.from.as_deref().unwrap_or("-"),
        r.to.as_deref().unwrap_or("-"),
        r.inputs.applied,
        r.inputs.ignored,
        r.inputs.late,
        r.inputs.refused,
        r.inputs.duplicates,
        r.inputs.bad_lines,
    );
    let rows = vec![
        vec!["KPI".to_owned(), "value".to_owned(), "of".to_owned()],
        vec!["handoffs".into(), r.handoffs.to_string(), String::new()],
        vec![
            "sla_attainment".into(),
            share(r.sla_attainment),
            format!("{} met, {} missed", r.sla_met, r.sla_missed),
        ],
        vec![
            "speed_to_lead.median".into(),
            secs(r.speed_to_lead.median),
            format!("{} touched", r.speed_to_lead.touched),
        ],
        vec![
            "speed_to_lead.p90".into(),
            secs(r.speed_to_lead.p90),
            String::new(),
        ],
        vec![
            "speed_to_lead.mean".into(),
            secs(r.speed_to_lead.mean),
            String::new(),
        ],
        vec![
            "leakage".into(),
            share(r.leakage),
            format!("{} of {} decided", r.leaked, r.decided),
        ],
        vec![
            "mql_to_sql".into(),
            share(r.mql_to_sql),
            format!("{} of {} handed off", r.converted_leads, r.handed_off_leads),
        ],
        vec!["meetings".into(), r.meetings.to_string(), String::new()],
        vec![
            "target_account_meetings".into(),
            r.target_account_meetings.to_string(),
            String::new(),
        ],
        vec![
            "share_waited".into(),
            share(r.share_waited),
            format!("{} touched", r.speed_to_lead.touched),
        ],
    ];
    let mut rows = rows;
    for (kpi, rate) in rates(r) {
        rows.push(vec![
            kpi.to_owned(),
            share(rate.value),
            format!("{} of {}", rate.count, rate.of),
        ]);
    }
    out.push_str(&columns(&rows));
    out.push_str("\nnot computed from history:\n");
    for n in &r.not_computed {
        out.push_str(&format!("  {}: {}\n", n.kpi, n.why));
    }
    let mut rules = vec![vec!["handoffs by rule".to_owned(), "count".to_owned()]];
    rules.extend(
        r.handoffs_by_rule
            .iter()
            .map(|c| vec![c.name.clone(), c.count.to_string()]),
    );
    out.push('\n');
    out.push_str(&columns(&rules));
    let mut outcomes = vec![vec![
        "outcome".to_owned(),
        "reason".to_owned(),
        "count".to_owned(),
    ]];
    outcomes.extend(
        (r.outcomes.iter())
            .map(|o| vec![o.outcome.to_owned(), o.reason.clone(), o.count.to_string()]),
    );
    out.push('\n');
    out.push_str(&columns(&outcomes));
    let mut stages = vec![vec!["stage now".to_owned(), "leads".to_owned()]];
    stages.extend(
        r.stages
            .iter()
            .map(|c| vec![c.name.clone(), c.count.to_string()]),
    );
    out.push('\n');
    out.push_str(&columns(&stages));
    out
}

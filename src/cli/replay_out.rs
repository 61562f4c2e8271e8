//! `replay --out DIR`: the report of a replay as files, with `simulate --out`'s machinery
//! (`report.json`, `kpis.csv`, the charts that apply to history, `report.html`).

use std::path::Path;

use super::super::{out_dir, write_stderr, CliError};
use crate::replay::against::kpi_values;
use crate::replay::Report;
use crate::report::charts::{self, Axis, Bar, CdfSeries, ChartError};
use crate::report::{html, html_report, KpiRow, Unit};
use crate::sim::stats::Estimate;

type Rendered = (&'static str, String, Result<String, ChartError>);

/// Writes the report into `dir`, replacing what was there as a whole; a chart that fails to
/// render is reported on standard error and left out.
pub fn write(dir: &Path, report: &Report, json: &str) -> Result<(), CliError> {
    let rows = rows(report);
    out_dir::replace(dir, |out| {
        out.write("report.json", json.as_bytes())?;
        out.write("kpis.csv", crate::report::to_csv(&rows).as_bytes())?;
        let mut drawn = Vec::new();
        for (file, caption, result) in charts(report) {
            match result {
                Ok(svg) => {
                    out.write(file, svg.as_bytes())?;
                    drawn.push((format!("{caption} ({file})"), svg));
                }
                Err(e) => write_stderr(&format!("warning: replay: {file} skipped: {e}\n")),
            }
        }
        out.write(
            "report.html",
            html_report(&page(report, rows, drawn)).as_bytes(),
        )
    })
}

/// A value of history: exact, so it has no interval (the page and the CSV print the value).
fn exact(v: Option<f64>) -> Estimate {
    let v = v.unwrap_or(f64::NAN);
    Estimate {
        mean: v,
        ci_low: f64::NAN,
        ci_high: f64::NAN,
        n: 1,
    }
}

/// Every KPI of the report, overall; handoffs also by rule.
fn rows(r: &Report) -> Vec<KpiRow> {
    kpi_values(r)
        .into_iter()
        .map(|(key, unit, value)| KpiRow {
            name: key.to_owned(),
            unit,
            overall: exact(value),
            by_group: match key {
                "handoffs" => (r.handoffs_by_rule.iter())
                    .map(|c| (format!("rule {}", c.name), exact(Some(c.count as f64))))
                    .collect(),
                _ => Vec::new(),
            },
        })
        .collect()
}

/// The charts that apply to history: time to first touch, the funnel and handoffs by rule.
fn charts(r: &Report) -> Vec<Rendered> {
    let touched = [CdfSeries {
        label: "all handoffs".to_owned(),
        sorted_samples: r.first_touch_secs.clone(),
    }];
    let funnel = vec![
        ("leads".to_owned(), r.leads as f64),
        ("handed off".to_owned(), r.handed_off_leads as f64),
        ("converted".to_owned(), r.converted_leads as f64),
    ];
    let by_rule: Vec<Bar> = (r.handoffs_by_rule.iter())
        .map(|c| Bar {
            label: c.name.clone(),
            estimate: exact(Some(c.count as f64)),
        })
        .collect();
    vec![
        (
            "cdf-first-touch.svg",
            "Share of touched handoffs touched within a given time of the handoff.".to_owned(),
            charts::cdf("Time to first touch", "time to first touch", &touched),
        ),
        (
            "funnel.svg",
            "Leads created, handed off at least once, and converted.".to_owned(),
            charts::funnel("Lead funnel", &funnel),
        ),
        (
            "handoffs-by-rule.svg",
            "Handoffs started, by the rule that fired.".to_owned(),
            charts::bars_with_ci(
                "Handoffs by rule",
                &Axis::new("handoffs", Unit::Count),
                &by_rule,
            ),
        ),
    ]
}

/// The page: what was replayed, the KPIs, outcomes and stages, the charts, and what history
/// cannot tell.
fn page(r: &Report, rows: Vec<KpiRow>, charts: Vec<(String, String)>) -> html::HtmlReport {
    let i = &r.inputs;
    let inputs = vec![
        ("playbook".to_owned(), r.playbook.clone()),
        (
            "history".to_owned(),
            format!(
                "{} leads, from {} to {}",
                r.leads,
                r.from.as_deref().unwrap_or("-"),
                r.to.as_deref().unwrap_or("-")
            ),
        ),
        (
            "inputs".to_owned(),
            format!(
                "{} applied, {} ignored by the engine, {} late, {} refused, {} duplicates, {} bad lines",
                i.applied, i.ignored, i.late, i.refused, i.duplicates, i.bad_lines
            ),
        ),
        (
            "handoff version".to_owned(),
            env!("CARGO_PKG_VERSION").to_owned(),
        ),
    ];
    let text = |heading: &str, header: [&str; 3], rows: Vec<Vec<String>>| html::TextTable {
        heading: heading.to_owned(),
        hint: None,
        header: header.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    };
    let outcomes = (r.outcomes.iter())
        .map(|o| vec![o.outcome.to_owned(), o.reason.clone(), o.count.to_string()])
        .collect();
    let stages = (r.stages.iter())
        .map(|c| vec![c.name.clone(), c.count.to_string(), String::new()])
        .collect();
    html::HtmlReport {
        title: format!("{} · replay", r.playbook),
        inputs,
        warnings: Vec::new(),
        text_tables: vec![
            text("Outcomes", ["outcome", "reason", "leads"], outcomes),
            text("Stages now", ["stage", "leads", ""], stages),
        ],
        tables: vec![("Overall".to_owned(), rows)],
        charts,
        notes: (r.not_computed.iter())
            .map(|n| format!("`{}` is not computed from history: {}.", n.kpi, n.why))
            .collect(),
    }
}

//! The charts and the HTML page of `simulate --out DIR`, built from a simulation report.
//!
//! Rendering is pure; only [`write`] touches the file system, through [`out_dir::replace`], so a
//! reader finds one run's report, never a half-written one or a mix of two runs.

use std::path::Path;

use super::{out_dir, write_stderr, CliError};
use crate::report::charts::{self, Axis, Bar, CdfSeries, ChartError, TimeSeries};
use crate::report::{html, html_report, replications, KpiRow, Unit, NO_INTERVAL};
use crate::sim::chart_data::SETTLED_SHARE;
use crate::sim::stats::Estimate;
use crate::sim::Summary;

/// One rendered chart: its file name, its caption in the HTML page and its SVG.
struct Chart {
    file: &'static str,
    caption: String,
    svg: String,
}

/// Writes `summary.json`, `kpis.csv`, every chart that renders and `report.html` as the report
/// in `dir`.
///
/// A chart that fails to render is reported on standard error and left out, so one awkward
/// chart never costs the analyst the rest of the report.
pub(super) fn write(
    dir: &Path,
    report: &Summary,
    json: &str,
    rows: &[KpiRow],
) -> Result<(), CliError> {
    out_dir::replace(dir, |out| {
        out.write("summary.json", json.as_bytes())?;
        out.write("kpis.csv", crate::report::to_csv(rows).as_bytes())?;
        let mut drawn = Vec::new();
        for (file, caption, result) in charts(report) {
            match result {
                Ok(svg) => {
                    out.write(file, svg.as_bytes())?;
                    drawn.push(Chart { file, caption, svg });
                }
                Err(e) => write_stderr(&format!("warning: simulate: {file} skipped: {e}\n")),
            }
        }
        out.write(
            "report.html",
            html_report(&page(report, rows, &drawn)).as_bytes(),
        )
    })
}

type Rendered = (&'static str, String, Result<String, ChartError>);

/// Every chart of a simulation, in page order.
fn charts(report: &Summary) -> Vec<Rendered> {
    let data = &report.charts;
    let warmup = report.inputs.warmup_secs as f64 / 86_400.0;
    let period = if data.period_days > 1.0 {
        "week"
    } else {
        "day"
    };
    let over_time = |values: &[f64]| -> Vec<(f64, f64)> {
        data.days
            .iter()
            .copied()
            .zip(values.iter().copied())
            .collect()
    };
    let cdf_series: Vec<CdfSeries> = data
        .first_touch
        .iter()
        .map(|(label, samples)| CdfSeries {
            label: label.clone(),
            sorted_samples: samples.clone(),
        })
        .collect();
    let sla: Vec<Bar> = report
        .by_queue
        .iter()
        .filter_map(|g| {
            let k = g.kpis.iter().find(|k| k.name == "sla_attainment")?;
            Some(Bar {
                label: g.name.clone(),
                estimate: k.estimate(),
            })
        })
        .collect();
    let stages: Vec<(String, f64)> = data
        .funnel
        .iter()
        .map(|(name, v)| ((*name).to_string(), *v))
        .collect();
    let leakage = [TimeSeries {
        label: "all queues".to_string(),
        points: over_time(&data.leakage),
    }];
    let queues: Vec<TimeSeries> = data
        .queue_length
        .iter()
        .map(|(name, values)| TimeSeries {
            label: name.clone(),
            points: over_time(values),
        })
        .collect();
    let open = 100.0 * (1.0 - SETTLED_SHARE);
    let warmup_note = format!("the first {warmup:.1} days are warm-up, left out of the KPIs");
    vec![
        (
            "cdf-by-band.svg",
            "Share of handoffs touched within a given time, by band at handoff, pooled over replications; handoffs never touched keep a curve below 100%.".to_string(),
            charts::cdf("Time to first touch by band", "time to first touch", &cdf_series),
        ),
        (
            "sla-by-queue.svg",
            format!("SLA attainment by routed queue: {}.", mean_with_interval(report.inputs.replications)),
            charts::bars_with_ci(
                "SLA attainment by queue",
                &Axis::new("SLA attainment", Unit::Fraction),
                &sla,
            ),
        ),
        (
            "funnel.svg",
            "Leads arriving after the warm-up that reached each stage, mean per replication: MQL = a handoff rule fired, handed off = entered a queue, touched and connected by a seller, SQL = converted.".to_string(),
            charts::funnel("Lead funnel", &stages),
        ),
        (
            "leakage-over-time.svg",
            format!("Share of handoffs that leaked, by the {period} they started, mean over replications; {warmup_note}; the last {period}s are left out while more than {open:.0}% of their handoffs are still open at the horizon."),
            charts::time_series(
                &format!("Leakage by {period} of handoff"),
                &Axis::new("leakage", Unit::Fraction),
                &leakage,
            ),
        ),
        (
            "queue-length-over-time.svg",
            format!("Mean number of leads waiting per {period} in each queue, mean over replications; {warmup_note}."),
            charts::time_series(
                &format!("Leads waiting by {period}"),
                &Axis::new("leads waiting", Unit::Count),
                &queues,
            ),
        ),
    ]
}

/// How a bar with a whisker reads: a mean with its interval, or one replication's value.
fn mean_with_interval(replications: u32) -> String {
    if replications < 2 {
        format!("the value of the single replication ({NO_INTERVAL})")
    } else {
        "mean over replications with its 95% confidence interval".to_string()
    }
}

/// The HTML page: inputs, warnings, the playbook's targets (met or missed), KPI tables overall,
/// by band and by queue, and the charts.
fn page(report: &Summary, rows: &[KpiRow], charts: &[Chart]) -> html::HtmlReport {
    let i = &report.inputs;
    let days = |secs: i64| secs as f64 / 86_400.0;
    let per_replication = report.leads_arrived as f64 / f64::from(i.replications.max(1));
    let mut inputs = vec![
        ("playbook".to_string(), i.playbook.clone()),
        ("scenario".to_string(), i.scenario.clone()),
        ("seed".to_string(), i.seed.to_string()),
        ("replications".to_string(), replications(i.replications)),
        (
            "span".to_string(),
            format!(
                "{:.1} days from {} (the first {:.1} days are warm-up, {})",
                days(i.horizon_secs),
                i.start,
                days(i.warmup_secs),
                i.warmup_method.describe()
            ),
        ),
        (
            "leads".to_string(),
            format!(
                "{} over all replications ({per_replication:.0} per replication)",
                report.leads_arrived
            ),
        ),
    ];
    if let Some(leads) = i.leads {
        inputs.push(("--leads".to_string(), leads.to_string()));
    }
    inputs.push((
        "handoff version".to_string(),
        env!("CARGO_PKG_VERSION").to_string(),
    ));
    let overall: Vec<KpiRow> = rows
        .iter()
        .map(|r| KpiRow {
            by_group: Vec::new(),
            ..r.clone()
        })
        .collect();
    html::HtmlReport {
        title: format!("{} · scenario {}", i.playbook, i.scenario),
        inputs,
        tables: [
            ("Overall".to_string(), overall),
            ("By band".to_string(), grouped(rows, "band ")),
            ("By queue".to_string(), grouped(rows, "queue ")),
        ]
        .into_iter()
        .filter(|(_, rows)| !rows.is_empty())
        .collect(),
        charts: charts
            .iter()
            .map(|c| (format!("{} ({})", c.caption, c.file), c.svg.clone()))
            .collect(),
        warnings: report.warnings.clone(),
        text_tables: targets(report).into_iter().collect(),
        notes: Vec::new(),
    }
}

/// The targets section, as the terminal prints it; `None` when the playbook sets no target.
fn targets(report: &Summary) -> Option<html::TextTable> {
    if report.targets.is_empty() {
        return None;
    }
    let mut rows = super::simulate::target_rows(report);
    let header = if rows.is_empty() {
        Vec::new()
    } else {
        rows.remove(0)
    };
    Some(html::TextTable {
        heading: "Targets".to_string(),
        hint: Some("The playbook's `kpi` targets against the simulated means.".to_string()),
        header,
        rows,
    })
}

/// The rows broken down by the groups named `prefix…`, the prefix dropped from the column
/// headings; KPIs not reported for such groups are left out.
fn grouped(rows: &[KpiRow], prefix: &str) -> Vec<KpiRow> {
    rows.iter()
        .filter_map(|r| {
            let by_group: Vec<(String, Estimate)> = r
                .by_group
                .iter()
                .filter_map(|(g, e)| Some((g.strip_prefix(prefix)?.to_string(), e.clone())))
                .collect();
            (!by_group.is_empty()).then(|| KpiRow {
                by_group,
                ..r.clone()
            })
        })
        .collect()
}

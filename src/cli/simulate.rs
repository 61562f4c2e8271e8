//! `handoff simulate FILE`: run a scenario of the playbook through the engine and report KPIs
//! with 95% confidence intervals.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{
    files, finish, report, report_error, write_stderr, CliError, ColorChoice, Exit, Format,
};
use crate::diagnostics::render::Sources;
use crate::engine::Engine;
use crate::report::{format_ci, format_value, to_csv, KpiRow};
use crate::sim::report::{KpiEstimate, Report};
use crate::sim::stats::Estimate;
use crate::sim::{self, SimError, SimOptions};

/// Simulate a scenario of a playbook and report its KPIs with 95% confidence intervals.
///
/// Runs independent replications of the scenario (a synthetic lead population) through the same
/// engine live mode runs, in parallel; the output depends only on the playbook, the scenario, the
/// seed and the replications, never on `--threads`. Progress goes to standard error on a
/// terminal. Exits with 0 when simulated, 1 when the playbook has errors and 2 on bad options or
/// I/O errors.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The playbook to simulate
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Scenario to run (default: the first one in the playbook)
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Simulate about this many leads per replication (sets the span from the arrival rates)
    #[arg(long, value_name = "N", conflicts_with = "days")]
    pub leads: Option<u64>,
    /// Simulate this many days instead of the scenario's horizon
    #[arg(long, value_name = "D")]
    pub days: Option<f64>,
    /// Independent replications, each with its own random streams
    #[arg(long, default_value_t = 20, value_name = "R")]
    pub replications: u32,
    /// Master seed: the same seed gives the same report
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Worker threads (default: the available cores); results do not depend on it
    #[arg(long, value_name = "T")]
    pub threads: Option<usize>,
    /// Output format
    #[arg(long, value_enum, default_value_t, value_name = "FORMAT")]
    pub format: SimFormat,
    /// Also write `summary.json` and `kpis.csv` into this directory
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Output formats of `simulate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SimFormat {
    /// KPI tables for people
    #[default]
    Table,
    /// The documented JSON report (`docs/json-output.md`)
    Json,
    /// One line per KPI and group: `kpi,group,unit,mean,ci_low,ci_high,n`
    Csv,
}

/// Runs the simulation and writes the report.
pub fn run(args: &Args, color: ColorChoice) -> Exit {
    let mut sources = Sources::new();
    let compiled = match report::check_file(&args.file, &mut sources) {
        Ok(compiled) => compiled,
        Err(e) => {
            report_error(&e);
            return Exit::Failure;
        }
    };
    if !compiled.diagnostics.is_empty() {
        write_stderr(&report::render(
            &compiled.diagnostics,
            &sources,
            &[],
            Format::Human,
            color.for_stderr(),
        ));
    }
    let Some(playbook) = compiled.playbook else {
        return Exit::Findings;
    };
    let engine = match Engine::new(&playbook) {
        Ok(engine) => engine,
        Err(e) => {
            report_error(&CliError::new(e.to_string()));
            return Exit::Findings;
        }
    };
    let options = SimOptions {
        scenario: args.scenario.clone(),
        leads: args.leads,
        days: args.days,
        replications: args.replications,
        seed: args.seed,
        threads: args
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)),
    };
    if let Err(e) = check_options(&engine, &options) {
        report_error(&CliError::new(e.to_string()));
        return Exit::Failure;
    }
    let bar = progress_bar(options.replications);
    let started = Instant::now();
    let result = sim::simulate(&engine, &options, &|| bar.inc(1));
    bar.finish_and_clear();
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            report_error(&CliError::new(e.to_string()));
            return Exit::Failure;
        }
    };
    for warning in &report.warnings {
        write_stderr(&format!("warning: {warning}\n"));
    }
    write_stderr(&format!(
        "simulated {} leads and {} engine events in {} replications of `{}` ({:.1}s)\n",
        report.leads_arrived,
        report.events_processed,
        report.inputs.replications,
        report.inputs.scenario,
        started.elapsed().as_secs_f64()
    ));
    if let Some(dir) = &args.out {
        if let Err(e) = write_out(dir, &report) {
            report_error(&e);
            return Exit::Failure;
        }
    }
    let text = match args.format {
        SimFormat::Table => table(&report),
        SimFormat::Json => json(&report),
        SimFormat::Csv => to_csv(&kpi_rows(&report)),
    };
    finish(text.as_bytes(), Exit::Ok)
}

/// Validates the options before any work, so a usage error never shows a progress bar.
fn check_options(engine: &Engine, options: &SimOptions) -> Result<(), SimError> {
    let scenario = sim::find_scenario(engine, options.scenario.as_deref())?;
    sim::plan(scenario, options).map(|_| ())
}

/// A bar counting replications on standard error, drawn only on a terminal.
fn progress_bar(replications: u32) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(u64::from(replications)), target);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} replications {pos}/{len} {wide_bar} {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

fn json(report: &Report) -> String {
    // A report holds only strings, numbers and options, so serialising cannot fail.
    let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
    text.push('\n');
    text
}

fn write_out(dir: &std::path::Path, report: &Report) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        CliError::new(format!(
            "cannot create `{}`: {}",
            files::display_path(dir),
            files::describe_io(&e)
        ))
    })?;
    files::write_atomically(&dir.join("summary.json"), json(report).as_bytes())?;
    files::write_atomically(&dir.join("kpis.csv"), to_csv(&kpi_rows(report)).as_bytes())
}

fn to_estimate(k: &KpiEstimate) -> Estimate {
    Estimate {
        mean: k.mean.unwrap_or(f64::NAN),
        ci_low: k.ci_low.unwrap_or(f64::NAN),
        ci_high: k.ci_high.unwrap_or(f64::NAN),
        n: k.n,
    }
}

/// One row per KPI with its breakdown, groups named `band A` and `queue inbound_sdr`.
fn kpi_rows(report: &Report) -> Vec<KpiRow> {
    report
        .kpis
        .iter()
        .map(|k| {
            let groups = report
                .by_band
                .iter()
                .map(|g| (format!("band {}", g.name), g))
                .chain(
                    report
                        .by_queue
                        .iter()
                        .map(|g| (format!("queue {}", g.name), g)),
                );
            KpiRow {
                name: k.name.to_string(),
                unit: k.unit,
                overall: to_estimate(k),
                by_group: groups
                    .filter_map(|(name, g)| {
                        g.kpis
                            .iter()
                            .find(|x| x.name == k.name)
                            .map(|x| (name, to_estimate(x)))
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Lays out rows of cells with columns padded to their widest cell.
fn columns(rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..rows.iter().map(Vec::len).max().unwrap_or(0))
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn group_table(title: &str, groups: &[crate::sim::report::Group]) -> String {
    let Some(first) = groups.first() else {
        return String::new();
    };
    let mut rows = vec![std::iter::once(title.to_string())
        .chain(groups.iter().map(|g| g.name.clone()))
        .collect::<Vec<_>>()];
    for (i, k) in first.kpis.iter().enumerate() {
        let mut row = vec![k.name.to_string()];
        for g in groups {
            row.push(
                g.kpis
                    .get(i)
                    .map_or(String::new(), |x| format_ci(x.unit, &to_estimate(x))),
            );
        }
        rows.push(row);
    }
    format!("\n{}", columns(&rows))
}

/// The human report: inputs, KPIs overall, by band, by queue, and the playbook's targets.
fn table(report: &Report) -> String {
    let i = &report.inputs;
    let days = |secs: i64| format!("{:.1}d", secs as f64 / 86_400.0);
    let mut out = format!(
        "{} · scenario `{}` · {} replications · seed {}\nspan {} from {} (first {} are warm-up) · {} leads · {} engine events\n\n",
        i.playbook,
        i.scenario,
        i.replications,
        i.seed,
        days(i.horizon_secs),
        i.start,
        days(i.warmup_secs),
        report.leads_arrived,
        report.events_processed
    );
    let mut rows = vec![vec!["KPI".to_string(), "mean [95% CI]".to_string()]];
    rows.extend(
        report
            .kpis
            .iter()
            .map(|k| vec![k.name.to_string(), format_ci(k.unit, &to_estimate(k))]),
    );
    out.push_str(&columns(&rows));
    out.push_str(&group_table("by band", &report.by_band));
    out.push_str(&group_table("by queue", &report.by_queue));
    if !report.targets.is_empty() {
        let unit = |name: &str| {
            report
                .kpis
                .iter()
                .find(|k| k.name == name)
                .map_or(crate::ir::KpiUnit::Count, |k| k.unit)
        };
        let mut rows = vec![vec![
            "target".to_string(),
            "goal".to_string(),
            "simulated".to_string(),
            String::new(),
        ]];
        for t in &report.targets {
            let u = unit(&t.kpi);
            let cmp = match t.cmp {
                crate::ir::TargetCmp::AtLeast => "at least",
                crate::ir::TargetCmp::AtMost => "at most",
                crate::ir::TargetCmp::Below => "below",
            };
            rows.push(vec![
                t.kpi.clone(),
                format!("{cmp} {}", format_value(u, t.value)),
                t.mean.map_or("n/a".to_string(), |m| format_value(u, m)),
                match t.met {
                    Some(true) => "met".to_string(),
                    Some(false) => "missed".to_string(),
                    None => String::new(),
                },
            ]);
        }
        out.push('\n');
        out.push_str(&columns(&rows));
    }
    out
}

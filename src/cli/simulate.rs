//! `handoff simulate FILE`: run a scenario of the playbook through the engine and report KPIs
//! with 95% confidence intervals.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::precision;
use super::sim_runner::{self, ShardArgs, SimArgs};
use super::{finish, report_dir, report_error, write_stderr, ColorChoice, Exit};
use crate::engine::Engine;
use crate::ir::Playbook;
use crate::report::{format_ci, format_value, interval_heading, replications, to_csv, KpiRow};
use crate::shard::part::{Inputs, Part, UnitValues};
use crate::shard::Shard;
use crate::sim::precision::Outcome;
use crate::sim::{SimOptions, Summary};

/// Simulate a scenario of a playbook and report its KPIs with 95% confidence intervals.
///
/// Runs independent replications of the scenario (a synthetic lead population) through the same
/// engine live mode runs, in parallel; the output depends only on the playbook, the scenario, the
/// seed and the replications, never on `--threads`. Progress goes to standard error on a
/// terminal. Exits with 0 when simulated, 1 when the playbook has errors and 2 on bad options or
/// I/O errors.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The playbook to simulate, or `-` for standard input
    #[arg(value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub file: PathBuf,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub shard: ShardArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t, value_name = "FORMAT")]
    pub format: SimFormat,
    /// Also write `summary.json`, `kpis.csv`, SVG charts and a self-contained `report.html` into
    /// this directory
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath, conflicts_with = "shard")]
    pub out: Option<PathBuf>,
    /// Also write the simulated population of replication 1 as event lines (docs/events.md)
    /// into this file, for `replay` and `run`
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath,
          conflicts_with = "shard")]
    pub emit_events: Option<PathBuf>,
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
    match simulate_run(args, color) {
        Ok(exit) | Err(exit) => exit,
    }
}

fn simulate_run(args: &Args, color: ColorChoice) -> Result<Exit, Exit> {
    sim_runner::check_out(args.out.as_deref())?;
    let playbook = sim_runner::load_file(&args.file, &args.sim.stdin, color)?;
    let mut options = args.sim.options();
    options.emit_events = args.emit_events.is_some();
    let precision = args.sim.precision()?;
    let engine = sim_runner::engine(&playbook, &options)?;
    sim_runner::settle_warmup(&engine, &mut options)?;
    if let Some(shard) = args.shard.shard()? {
        let options = precision::for_shards(&options, precision.as_ref());
        return run_shard(args, shard, playbook, &engine, &options);
    }
    let started = Instant::now();
    let (report, outcome) = match &precision {
        Some(p) => {
            let (report, outcome) = precision::simulate(&engine, &options, p, "simulate")?;
            (report, Some(outcome))
        }
        None => (sim_runner::run(&engine, &options, "simulate")?, None),
    };
    write_stderr(&format!(
        "simulated {} leads and {} engine events in {} of `{}` ({:.1}s)\n",
        report.leads_arrived,
        report.events_processed,
        replications(report.inputs.replications),
        report.inputs.scenario,
        started.elapsed().as_secs_f64()
    ));
    if let (Some(path), Some(recording)) = (&args.emit_events, &report.recording) {
        if let Err(e) = write_events(path, recording, &engine) {
            report_error(&e);
            return Err(Exit::Failure);
        }
    }
    Ok(write_report(
        &report,
        outcome.as_ref(),
        args.format,
        args.out.as_deref(),
    ))
}

/// Runs one shard's replications and writes its part.
fn run_shard(
    args: &Args,
    shard: Shard,
    playbook: Playbook,
    engine: &Engine,
    options: &SimOptions,
) -> Result<Exit, Exit> {
    let range = shard.range(options.replications);
    let values = sim_runner::run_share(engine, options, range.clone(), &format!("shard {shard}"))?;
    let units = range
        .zip(values)
        .map(|(unit, values)| UnitValues {
            unit,
            values: vec![values],
        })
        .collect();
    let inputs = Inputs::Simulate {
        version: sim_runner::part_version(),
        playbook: Box::new(playbook),
        options: precision::part_options(options, &args.sim),
    };
    let part = Part::new(inputs, shard, options.replications, units);
    Ok(args.shard.write_part(&part))
}

/// Writes a simulation report, with how `--precision` stopped the run when it did: `--out DIR`
/// first, then standard output in `format`. `merge` writes the report of a sharded run through
/// here too.
pub(super) fn write_report(
    report: &Summary,
    outcome: Option<&Outcome>,
    format: SimFormat,
    out: Option<&Path>,
) -> Exit {
    let json = json(report, outcome);
    if let Some(dir) = out {
        if let Err(e) = report_dir::write(dir, report, &json, &kpi_rows(report)) {
            report_error(&e);
            return Exit::Failure;
        }
    }
    let text = match format {
        SimFormat::Table => {
            table(report) + &outcome.map_or(String::new(), |o| precision::table(o, "replications"))
        }
        SimFormat::Json => json,
        SimFormat::Csv => to_csv(&kpi_rows(report)),
    };
    finish(text.as_bytes(), Exit::Ok)
}

/// Writes the recorded population as event lines, one per line.
fn write_events(
    path: &std::path::Path,
    recording: &crate::sim::record::Recording,
    engine: &crate::engine::Engine,
) -> Result<(), super::CliError> {
    let text: String = (recording.event_lines(engine.playbook()).into_iter())
        .map(|line| line + "\n")
        .collect();
    super::files::write_atomically(path, text.as_bytes())
}

/// The report with, after a run with `--precision`, how it stopped.
#[derive(serde::Serialize)]
struct WithPrecision<'a> {
    #[serde(flatten)]
    report: &'a Summary,
    precision: &'a Outcome,
}

fn json(report: &Summary, outcome: Option<&Outcome>) -> String {
    // A report holds only strings, numbers and options, so serialising cannot fail.
    let mut text = match outcome {
        Some(precision) => serde_json::to_string_pretty(&WithPrecision { report, precision }),
        None => serde_json::to_string_pretty(report),
    }
    .unwrap_or_default();
    text.push('\n');
    text
}

/// One row per KPI with its breakdown, groups named `band A` and `queue inbound_sdr`.
fn kpi_rows(report: &Summary) -> Vec<KpiRow> {
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
                overall: k.estimate(),
                by_group: groups
                    .filter_map(|(name, g)| {
                        g.kpis
                            .iter()
                            .find(|x| x.name == k.name)
                            .map(|x| (name, x.estimate()))
                    })
                    .collect(),
            }
        })
        .collect()
}

fn group_table(title: &str, groups: &[crate::sim::summary::Group]) -> String {
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
                    .map_or(String::new(), |x| format_ci(x.unit, &x.estimate())),
            );
        }
        rows.push(row);
    }
    format!("\n{}", super::columns(&rows))
}

/// The human report: inputs, KPIs overall, by band, by queue, and the playbook's targets.
fn table(report: &Summary) -> String {
    let i = &report.inputs;
    let days = |secs: i64| format!("{:.1}d", secs as f64 / 86_400.0);
    let mut out = format!(
        "{} · scenario `{}` · {} · seed {}\nspan {} from {} (first {} are warm-up, {}) · {} leads · {} engine events\n\n",
        i.playbook,
        i.scenario,
        replications(i.replications),
        i.seed,
        days(i.horizon_secs),
        i.start,
        days(i.warmup_secs),
        i.warmup_method.describe(),
        report.leads_arrived,
        report.events_processed
    );
    let mut rows = vec![vec![
        "KPI".to_string(),
        interval_heading("mean", i.replications),
    ]];
    rows.extend(
        report
            .kpis
            .iter()
            .map(|k| vec![k.name.to_string(), format_ci(k.unit, &k.estimate())]),
    );
    out.push_str(&super::columns(&rows));
    out.push_str(&group_table("by band", &report.by_band));
    out.push_str(&group_table("by queue", &report.by_queue));
    if !report.targets.is_empty() {
        out.push('\n');
        out.push_str(&super::columns(&target_rows(report)));
    }
    out
}

/// The playbook's targets against the simulated means, a heading row first: the same words on
/// the terminal and in `report.html`.
pub(super) fn target_rows(report: &Summary) -> Vec<Vec<String>> {
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
    rows
}

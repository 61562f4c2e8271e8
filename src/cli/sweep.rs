//! `handoff sweep FILE --set NAME=VALUES`: KPIs across a range of one or two parameters.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::out_dir::{self, Staging};
use super::precision;
use super::sim_runner::{self, ShardArgs, SimArgs};
use super::{finish, report_error, write_stderr, CliError, ColorChoice, Exit};
use crate::ir::Playbook;
use crate::knobs::{self, Knob, Value};
use crate::report::charts::{self, Axis, SweepSeries};
use crate::report::{format_ci, html_report, replications, to_csv, HtmlReport, KpiRow, Unit};
use crate::shard::part::{Inputs, Part, UnitValues};
use crate::shard::Shard;
use crate::sim::kpi::ROWS;
use crate::sim::precision::Outcome;
use crate::sim::stats::Estimate;
use crate::sim::{RepValues, SimOptions, Summary};

/// Simulate a playbook over a range of one or two parameters.
///
/// `--set NAME=VALUES` names a parameter (`sla.HANDOFF`, `band.BANDS.BAND`, `suppress.REASON`,
/// `breaches.HANDOFF`, `capacity.QUEUE`, `sellers.QUEUE`, `rate.SOURCE`, `connect`, `meeting`)
/// and its values: a list (`5m,15m,30m`) or a range (`3..6`, `5m..30m/5m`). Every point runs with
/// the same seed, so points differ only by the parameter. Exits with 1 when the playbook has
/// errors and 2 on bad options or I/O errors.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The playbook to sweep, or `-` for standard input
    #[arg(value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub file: PathBuf,
    /// A parameter and its values, e.g. `sla.hand_raise=5m,15m,30m` (once or twice)
    #[arg(long = "set", value_name = "NAME=VALUES", required = true)]
    pub set: Vec<String>,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub shard: ShardArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t, value_name = "FORMAT")]
    pub format: SweepFormat,
    /// Also write `summary.json`, `kpis.csv`, one chart per KPI and `report.html` into this
    /// directory
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath, conflicts_with = "shard")]
    pub out: Option<PathBuf>,
}

/// The `format_version` of the `--format json` document (`docs/json-output.md`).
pub const FORMAT_VERSION: u32 = 1;

/// Output formats of `sweep`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SweepFormat {
    /// One row per KPI, one column per point
    #[default]
    Table,
    /// The documented JSON sweep (`docs/json-output.md`)
    Json,
    /// One line per point and KPI
    Csv,
}

/// Most points one sweep may simulate.
const MAX_POINTS: usize = 400;

/// One simulated point of the grid.
#[derive(Debug, Serialize)]
struct Point {
    /// Parameter name → value as written.
    settings: Vec<(String, String)>,
    kpis: Vec<PointKpi>,
    /// How `--precision` stopped this point's replications.
    #[serde(skip_serializing_if = "Option::is_none")]
    precision: Option<Outcome>,
}

#[derive(Debug, Serialize)]
struct PointKpi {
    name: &'static str,
    unit: Unit,
    #[serde(flatten)]
    estimate: Option<Estimate>,
}

#[derive(Debug, Serialize)]
struct Sweep<'a> {
    format_version: u32,
    playbook: &'a str,
    scenario: String,
    seed: u64,
    replications: u32,
    parameters: Vec<&'a str>,
    points: Vec<Point>,
}

/// Runs every point of the grid and reports its KPIs.
pub fn run(args: &Args, color: ColorChoice) -> Exit {
    match sweep_run(args, color) {
        Ok(exit) | Err(exit) => exit,
    }
}

fn usage(message: &str) -> Exit {
    report_error(&CliError::new(message));
    Exit::Failure
}

fn sweep_run(args: &Args, color: ColorChoice) -> Result<Exit, Exit> {
    sim_runner::check_out(args.out.as_deref())?;
    let playbook = sim_runner::load_file(&args.file, &args.sim.stdin, color)?;
    let mut options = args.sim.options();
    let precision = args.sim.precision()?;
    let plan = Plan::new(&playbook, &args.set, &options)?;
    // One warm-up for every point, the playbook's before `--set`, so points count over the
    // same window.
    sim_runner::settle_warmup(&sim_runner::engine(&playbook, &options)?, &mut options)?;
    if let Some(shard) = args.shard.shard()? {
        let options = precision::for_shards(&options, precision.as_ref());
        return run_shard(args, shard, playbook, &plan, &options);
    }
    let points = plan.len();
    let summaries = plan.each_point(&playbook, |n, label, variant| {
        let engine = sim_runner::engine(variant, &options)?;
        let what = format!("point {}/{points} ({label})", n + 1);
        match &precision {
            Some(p) => precision::simulate(&engine, &options, p, &what).map(|(s, o)| (s, Some(o))),
            None => sim_runner::run(&engine, &options, &what).map(|s| (s, None)),
        }
    })?;
    Ok(write_sweep(
        &playbook,
        &plan,
        &options,
        summaries,
        args.format,
        args.out.as_deref(),
    ))
}

/// What a sweep runs: the scenario, the parameters and every point of their grid.
struct Plan {
    scenario_index: Option<usize>,
    knobs: Vec<Knob>,
    grid: Vec<Vec<usize>>,
}

impl Plan {
    /// Checks the scenario and the `--set` parameters against the playbook.
    fn new(playbook: &Playbook, set: &[String], options: &SimOptions) -> Result<Plan, Exit> {
        let scenario_index = match &options.scenario {
            Some(name) => playbook.scenarios.iter().position(|s| &s.name == name),
            None => (!playbook.scenarios.is_empty()).then_some(0),
        };
        if let (Some(name), None) = (&options.scenario, scenario_index) {
            let names: Vec<String> = playbook
                .scenarios
                .iter()
                .map(|s| format!("`{}`", s.name))
                .collect();
            return Err(usage(&format!(
                "no scenario `{name}`; the playbook has {}",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            )));
        }
        let scenario = scenario_index.and_then(|i| playbook.scenarios.get(i));
        if set.len() > 2 {
            return Err(usage(
                "`sweep` varies one or two parameters; give `--set` at most twice",
            ));
        }
        let knobs: Vec<Knob> = set
            .iter()
            .map(|s| knobs::parse(s, playbook, scenario))
            .collect::<Result<_, _>>()
            .map_err(|e| usage(&e.to_string()))?;
        if let [a, b] = knobs.as_slice() {
            if a.target == b.target {
                return Err(usage(&format!("`{}` is set twice", a.name)));
            }
        }
        let grid = grid(&knobs);
        if grid.len() > MAX_POINTS {
            return Err(usage(&format!(
                "the sweep has {} points; at most {MAX_POINTS} are allowed",
                grid.len()
            )));
        }
        Ok(Plan {
            scenario_index,
            knobs,
            grid,
        })
    }

    /// Number of points.
    fn len(&self) -> usize {
        self.grid.len()
    }

    /// Point `n`'s playbook and its settings (parameter name, value as written).
    fn variant(&self, playbook: &Playbook, n: usize) -> (Playbook, Vec<(String, String)>) {
        let mut variant = playbook.clone();
        let mut settings = Vec::new();
        let Some(choice) = self.grid.get(n) else {
            return (variant, settings);
        };
        let mut sc = self
            .scenario_index
            .and_then(|i| variant.scenarios.get(i).cloned());
        for (knob, &value_index) in self.knobs.iter().zip(choice) {
            if let Some((label, value)) = knob.values.get(value_index) {
                knobs::apply(&mut variant, &mut sc, &knob.target, *value);
                settings.push((knob.name.clone(), label.clone()));
            }
        }
        if let (Some(i), Some(sc)) = (self.scenario_index, sc) {
            if let Some(slot) = variant.scenarios.get_mut(i) {
                *slot = sc;
            }
        }
        (variant, settings)
    }

    /// Every point's report, from `report(point, label, playbook)`, with its settings.
    fn each_point(
        &self,
        playbook: &Playbook,
        mut report: impl FnMut(usize, &str, &Playbook) -> Result<(Summary, Option<Outcome>), Exit>,
    ) -> Result<Vec<PointReport>, Exit> {
        (0..self.len())
            .map(|n| {
                let (variant, settings) = self.variant(playbook, n);
                let (summary, outcome) = report(n, &label(&settings), &variant)?;
                Ok((settings, summary, outcome))
            })
            .collect()
    }
}

/// A point's settings (parameter name, value as written), its report and how `--precision`
/// stopped it.
type PointReport = (Vec<(String, String)>, Summary, Option<Outcome>);

/// `sla.x=5m capacity.q=3`: a point's settings on one line.
fn label(settings: &[(String, String)]) -> String {
    settings
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs one shard's units (point by point, `point × replications + replication`) and writes
/// its part: cutting across points keeps shards even when points are fewer than shards.
fn run_shard(
    args: &Args,
    shard: Shard,
    playbook: Playbook,
    plan: &Plan,
    options: &SimOptions,
) -> Result<Exit, Exit> {
    let per_point = options.replications;
    let total = u32::try_from(plan.len())
        .unwrap_or(u32::MAX)
        .saturating_mul(per_point);
    let range = shard.range(total);
    let mut units = Vec::new();
    for n in 0..u32::try_from(plan.len()).unwrap_or(u32::MAX) {
        let first = n * per_point;
        let reps =
            range.start.max(first) - first..range.end.min(first + per_point).max(first) - first;
        if reps.is_empty() {
            continue;
        }
        let (variant, settings) = plan.variant(&playbook, n as usize);
        let engine = sim_runner::engine(&variant, options)?;
        let what = format!(
            "shard {shard}, point {}/{} ({})",
            n + 1,
            plan.len(),
            label(&settings)
        );
        let values = sim_runner::run_share(&engine, options, reps.clone(), &what)?;
        units.extend(reps.zip(values).map(|(r, v)| UnitValues {
            unit: first + r,
            values: vec![v.without_detail()],
        }));
    }
    let inputs = Inputs::Sweep {
        version: sim_runner::part_version(),
        playbook: Box::new(playbook),
        set: args.set.clone(),
        options: precision::part_options(options, &args.sim),
    };
    Ok(args
        .shard
        .write_part(&Part::new(inputs, shard, total, units)))
}

/// The report of a sharded sweep from its merged units, each point cut to the replications its
/// `--precision` targets (`precision`, as written) took: what `sweep` without `--shard` writes.
pub(super) fn write_merged(
    playbook: &Playbook,
    (set, precision): (&[String], &[String]),
    options: &SimOptions,
    units: &[Vec<RepValues>],
    format: SweepFormat,
    out: Option<&Path>,
) -> Exit {
    let merged = || -> Result<Exit, Exit> {
        let plan = Plan::new(playbook, set, options)?;
        let per_point = usize::try_from(options.replications).unwrap_or(usize::MAX);
        let summaries = plan.each_point(playbook, |n, label, variant| {
            let values: Vec<RepValues> = units
                .iter()
                .skip(n * per_point)
                .take(per_point)
                .filter_map(|u| u.first().cloned())
                .collect();
            let what = format!("point {}/{} ({label})", n + 1, plan.len());
            let rows: Vec<Vec<f64>> = values.iter().map(|v| v.overall.clone()).collect();
            let outcome = precision::merged(precision, options.replications, &rows, &what)?;
            let (options, values) = precision::keep(outcome.as_ref(), options, values);
            sim_runner::summarise(variant, &options, &values, &what).map(|s| (s, outcome))
        })?;
        Ok(write_sweep(
            playbook, &plan, options, summaries, format, out,
        ))
    };
    match merged() {
        Ok(exit) | Err(exit) => exit,
    }
}

/// Writes the sweep's report from every point's settings and report: `--out DIR`, then
/// standard output in `format`.
fn write_sweep(
    playbook: &Playbook,
    plan: &Plan,
    options: &SimOptions,
    summaries: Vec<PointReport>,
    format: SweepFormat,
    out: Option<&Path>,
) -> Exit {
    let scenario = summaries
        .last()
        .map(|(_, s, _)| s.inputs.scenario.clone())
        .unwrap_or_default();
    // With `--precision`, the most replications any point took.
    let replications = summaries
        .iter()
        .map(|(_, s, _)| s.inputs.replications)
        .max()
        .unwrap_or(options.replications);
    let points = summaries
        .into_iter()
        .map(|(settings, report, precision)| Point {
            settings,
            kpis: report
                .kpis
                .iter()
                .map(|k| PointKpi {
                    name: k.name,
                    unit: k.unit,
                    estimate: k.mean.is_some().then(|| k.estimate()),
                })
                .collect(),
            precision,
        })
        .collect();
    let doc = Sweep {
        format_version: FORMAT_VERSION,
        playbook: &playbook.name,
        scenario,
        seed: options.seed,
        replications,
        parameters: plan.knobs.iter().map(|k| k.name.as_str()).collect(),
        points,
    };
    if let Some(dir) = out {
        if let Err(e) = write_out(dir, &doc, &plan.knobs, &plan.grid) {
            report_error(&e);
            return Exit::Failure;
        }
    }
    let text = match format {
        SweepFormat::Table => table(&doc),
        SweepFormat::Json => json(&doc),
        SweepFormat::Csv => csv(&doc),
    };
    finish(text.as_bytes(), Exit::Ok)
}

/// Every combination of value indices, the first parameter varying slowest.
fn grid(knobs: &[Knob]) -> Vec<Vec<usize>> {
    knobs.iter().fold(vec![Vec::new()], |acc, knob| {
        acc.iter()
            .flat_map(|prefix| {
                (0..knob.values.len()).map(move |i| {
                    let mut p = prefix.clone();
                    p.push(i);
                    p
                })
            })
            .collect()
    })
}

/// A point's settings one per line, so a two-parameter column heading stays narrow.
fn point_heading(p: &Point) -> String {
    p.settings
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn point_label(p: &Point) -> String {
    p.settings
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn table(doc: &Sweep) -> String {
    let mut rows = vec![std::iter::once("KPI".to_string())
        .chain(doc.points.iter().map(point_label))
        .collect::<Vec<_>>()];
    for (i, row) in ROWS.iter().enumerate() {
        let mut cells = vec![row.name.to_string()];
        for p in &doc.points {
            cells.push(
                p.kpis
                    .get(i)
                    .and_then(|k| k.estimate.as_ref())
                    .map_or("n/a".to_string(), |e| format_ci(row.unit, e)),
            );
        }
        rows.push(cells);
    }
    let outcomes: Vec<(String, &Outcome)> = doc
        .points
        .iter()
        .filter_map(|p| Some((point_label(p), p.precision.as_ref()?)))
        .collect();
    let (count, precision) = if outcomes.is_empty() {
        (replications(doc.replications), String::new())
    } else {
        (
            format!("up to {}", replications(doc.replications)),
            precision::sweep_table(&outcomes),
        )
    };
    format!(
        "{} · scenario `{}` · {count} per point · seed {}\n\n{}{precision}",
        doc.playbook,
        doc.scenario,
        doc.seed,
        super::columns(&rows)
    )
}

fn json(doc: &Sweep) -> String {
    // Strings and numbers only: serialising cannot fail.
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}

/// KPI rows with one group per point, for the shared CSV and HTML table writers; `label` names
/// a point.
fn kpi_rows(doc: &Sweep, label: fn(&Point) -> String) -> Vec<KpiRow> {
    ROWS.iter()
        .enumerate()
        .map(|(i, row)| KpiRow {
            name: row.name.to_string(),
            unit: row.unit,
            overall: Estimate {
                mean: f64::NAN,
                ci_low: f64::NAN,
                ci_high: f64::NAN,
                n: 0,
            },
            by_group: doc
                .points
                .iter()
                .filter_map(|p| {
                    let e = p.kpis.get(i)?.estimate.clone()?;
                    Some((label(p), e))
                })
                .collect(),
        })
        .collect()
}

/// One line per point and KPI (`group` is the point's settings); points with an undefined KPI
/// are left out.
fn csv(doc: &Sweep) -> String {
    let full = to_csv(&kpi_rows(doc, point_label));
    let mut lines = full.split_inclusive("\r\n");
    let header = lines.next().unwrap_or_default().to_string();
    // The overall rows of `to_csv` are empty for a sweep (each point is its own group).
    header + &lines.filter(|l| !l.contains(",,")).collect::<String>()
}

fn x_value(v: Value) -> f64 {
    match v {
        Value::Number(n) | Value::Fraction(n) => n,
        Value::Duration { secs, .. } => secs as f64,
    }
}

fn x_unit(v: Option<Value>) -> Unit {
    match v {
        Some(Value::Fraction(_)) => Unit::Fraction,
        Some(Value::Duration { .. }) => Unit::Seconds,
        _ => Unit::Count,
    }
}

/// Writes the report of `--out DIR` as a whole (see [`out_dir::replace`]).
fn write_out(dir: &Path, doc: &Sweep, knobs: &[Knob], grid: &[Vec<usize>]) -> Result<(), CliError> {
    out_dir::replace(dir, |out| write_report(out, doc, knobs, grid))
}

fn write_report(
    out: &Staging,
    doc: &Sweep,
    knobs: &[Knob],
    grid: &[Vec<usize>],
) -> Result<(), CliError> {
    out.write("summary.json", json(doc).as_bytes())?;
    out.write("kpis.csv", csv(doc).as_bytes())?;
    let mut html = HtmlReport {
        title: format!(
            "handoff sweep: {} over {}",
            doc.playbook,
            doc.parameters.join(" × ")
        ),
        inputs: vec![
            ("playbook".into(), doc.playbook.to_string()),
            ("scenario".into(), doc.scenario.clone()),
            ("parameters".into(), doc.parameters.join(", ")),
            ("seed".into(), doc.seed.to_string()),
            (
                "replications".into(),
                if doc.points.iter().any(|p| p.precision.is_some()) {
                    format!("up to {} per point", replications(doc.replications))
                } else {
                    format!("{} per point", replications(doc.replications))
                },
            ),
            ("version".into(), env!("CARGO_PKG_VERSION").into()),
        ],
        tables: vec![("KPIs per point".into(), kpi_rows(doc, point_heading))],
        ..HtmlReport::default()
    };
    let Some(first) = knobs.first() else {
        return out.write("report.html", html_report(&html).as_bytes());
    };
    let x_axis = Axis::new(
        first.name.clone(),
        x_unit(first.values.first().map(|(_, v)| *v)),
    );
    for (i, row) in ROWS.iter().enumerate() {
        let mut series: Vec<SweepSeries> = Vec::new();
        for (choice, point) in grid.iter().zip(&doc.points) {
            let label = match (knobs.get(1), choice.get(1)) {
                (Some(k), Some(&j)) => {
                    format!("{}={}", k.name, k.values.get(j).map_or("", |(l, _)| l))
                }
                _ => row.name.to_string(),
            };
            let x = choice
                .first()
                .and_then(|&j| first.values.get(j))
                .map_or(f64::NAN, |(_, v)| x_value(*v));
            let Some(e) = point.kpis.get(i).and_then(|k| k.estimate.clone()) else {
                continue;
            };
            match series.iter_mut().find(|s| s.label == label) {
                Some(s) => s.points.push((x, e)),
                None => series.push(SweepSeries {
                    label,
                    points: vec![(x, e)],
                }),
            }
        }
        let y_axis = Axis::new(row.name.to_string(), row.unit);
        let title = format!("{} by {}", row.name, first.name);
        match charts::sweep_curve(&title, &x_axis, &y_axis, &series) {
            Ok(svg) => {
                let file = format!("sweep-{}.svg", row.name.replace('.', "-"));
                out.write(&file, svg.as_bytes())?;
                html.charts.push((title, svg));
            }
            Err(e) => write_stderr(&format!("warning: chart `{title}` skipped: {e}\n")),
        }
    }
    out.write("report.html", html_report(&html).as_bytes())
}

//! What `simulate`, `compare` and `sweep` share: the simulation options, turning a playbook
//! into an engine (printing its findings), and running replications with a progress bar.

use std::io::IsTerminal;
use std::ops::Range;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{
    findings, numbers, report_error, stdin, write_stderr, CliError, ColorChoice, Exit, Format,
};
use crate::check::{self, Compiled};
use crate::diagnostics::render::{SourceFile, Sources};
use crate::engine::Engine;
use crate::ir::Playbook;
use crate::ir::Scenario;
use crate::shard::part::Part;
use crate::shard::Shard;
use crate::sim::Summary;
use crate::sim::{self, RepValues, SimError, SimOptions};
use crate::span::FileId;

/// Options of a simulation run, shared by every command that simulates.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    #[command(flatten)]
    pub stdin: stdin::Name,
    /// Scenario to run (default: the first one in the playbook)
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Simulate about this many leads per replication (sets the span from the arrival rates)
    #[arg(long, value_name = "N", conflicts_with = "days", allow_negative_numbers = true,
          value_parser = numbers::whole::<u64>(1u8, sim::MAX_LEADS as u64))]
    pub leads: Option<u64>,
    /// Simulate this many days instead of the scenario's horizon
    #[arg(long, value_name = "D", allow_negative_numbers = true,
          value_parser = numbers::days(sim::MAX_HORIZON_SECS as f64 / 86_400.0))]
    pub days: Option<f64>,
    /// Independent replications, each with its own random streams
    #[arg(long, default_value_t = 20, value_name = "R", allow_negative_numbers = true,
          value_parser = numbers::whole::<u32>(1u8, sim::MAX_REPLICATIONS))]
    pub replications: u32,
    /// Replicate until each KPI's 95% interval is this narrow on either side instead of a fixed
    /// count: `leakage=1pp`, `speed_to_lead.median=5m`, `queue_length=5%` (of the mean); a KPI
    /// alone takes 1pp for a share and 5% of the mean otherwise, and `default` stands for
    /// leakage, sla_attainment and speed_to_lead.median. Comma-separated or repeated. Blocks of
    /// replications (10, then 5 at a time) run until every target holds (docs/simulation.md);
    /// `compare` judges the paired change, `sweep` each point. Not with `--replications`; with
    /// `--shard`, the shards run every replication up to the cap and `merge` applies the rule
    #[arg(long, value_name = "KPI[=HALF_WIDTH]", conflicts_with = "replications")]
    pub precision: Vec<String>,
    /// With `--precision`, the most replications a run (or a sweep point) may take
    #[arg(long, value_name = "N", requires = "precision", allow_negative_numbers = true,
          default_value_t = sim::precision::DEFAULT_MAX_REPLICATIONS,
          value_parser = numbers::whole::<u32>(2u8, sim::MAX_REPLICATIONS))]
    pub max_replications: u32,
    /// Master seed: the same seed gives the same report
    #[arg(long, default_value_t = 1, value_name = "S", allow_negative_numbers = true,
          value_parser = numbers::whole::<u64>(0u8, u64::MAX))]
    pub seed: u64,
    /// Worker threads (default: the available cores); results do not depend on it
    #[arg(long, value_name = "T", allow_negative_numbers = true,
          value_parser = numbers::whole::<usize>(1u8, sim::MAX_THREADS as u64))]
    pub threads: Option<usize>,
    /// Engine events one replication may take before the run stops with an error, so that a
    /// scenario far busier than intended ends at once rather than after hours
    #[arg(long, default_value_t = sim::DEFAULT_MAX_EVENTS, value_name = "N",
          allow_negative_numbers = true, value_parser = numbers::whole::<u64>(1u8, u64::MAX))]
    pub max_events: u64,
    /// Leads one replication may hold alive at once (about a kilobyte each) before the run
    /// stops with an error, so that queues growing without bound end the run rather than
    /// exhaust memory
    #[arg(long, default_value_t = sim::DEFAULT_MAX_LEADS_ALIVE, value_name = "N",
          allow_negative_numbers = true,
          value_parser = numbers::whole::<usize>(1u8, usize::MAX as u64))]
    pub max_leads_alive: usize,
    /// Simulate this span before KPIs count (`14d`, `36h`, `0d`), instead of the scenario's
    /// `warm-up` or the one MSER-5 chooses from pilot replications
    #[arg(long = "warm-up", value_name = "DURATION", allow_negative_numbers = true,
          value_parser = numbers::span(sim::MAX_HORIZON_SECS))]
    pub warm_up: Option<i64>,
}

impl SimArgs {
    /// The library's options, with the thread count defaulted to the available cores and cut to
    /// what the address-space limit leaves room for (with a warning: results do not depend on it).
    pub fn options(&self) -> SimOptions {
        let asked = self
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
        let used = asked.min(usize::try_from(self.replications).unwrap_or(usize::MAX));
        let threads = match threads_that_fit() {
            // An out-of-range count is left for the validation to refuse.
            Some(fit) if fit < used && asked <= sim::MAX_THREADS => {
                write_stderr(&format!(
                    "warning: using {fit} worker thread{} instead of {used}: the address-space limit (`ulimit -v`) leaves room for no more\n",
                    if fit == 1 { "" } else { "s" }
                ));
                fit
            }
            _ => asked,
        };
        SimOptions {
            scenario: self.scenario.clone(),
            leads: self.leads,
            days: self.days,
            replications: self.replications,
            seed: self.seed,
            threads,
            max_events: self.max_events,
            max_leads_alive: self.max_leads_alive,
            emit_events: false,
            warmup: self.warm_up.map(|secs| sim::Warmup {
                secs,
                method: sim::WarmupMethod::Option,
            }),
        }
    }
}

/// Address space a worker thread takes before it runs anything: its stack, the C library's
/// malloc arena that starting a thread reserves, and a segment of the Rust allocator.
#[cfg(target_os = "linux")]
const THREAD_ADDRESS_SPACE: u64 = 96 << 20;

/// Address space kept free for the simulation's own data.
#[cfg(target_os = "linux")]
const WORK_ADDRESS_SPACE: u64 = 64 << 20;

/// How many worker threads fit under the address-space limit (`ulimit -v`), when there is one.
///
/// A thread whose start-up reservation the limit refuses aborts the process inside the
/// allocator, where no error can be caught, so the count is estimated before any thread starts.
#[cfg(target_os = "linux")]
fn threads_that_fit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    // `Max address space  SOFT  HARD  bytes`, where a limit may read `unlimited`.
    let limit: u64 = limits
        .lines()
        .find_map(|l| l.strip_prefix("Max address space"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let used_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmSize:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let free = limit
        .saturating_sub(used_kib.saturating_mul(1024))
        .saturating_sub(WORK_ADDRESS_SPACE);
    Some(usize::try_from(free / THREAD_ADDRESS_SPACE).map_or(usize::MAX, |n| n.max(1)))
}

/// Elsewhere the limit is not read, and the pool's own start-up checks are what is left.
#[cfg(not(target_os = "linux"))]
fn threads_that_fit() -> Option<usize> {
    None
}

/// Checks a playbook file (standard input for `-`) and returns its IR, printing findings on
/// standard error; the exit code says why there is none (1: the playbook has errors, 2: it
/// could not be read).
pub fn load_file(path: &Path, name: &stdin::Name, color: ColorChoice) -> Result<Playbook, Exit> {
    let mut sources = Sources::new();
    match findings::check_file(path, name, &mut sources) {
        Ok(compiled) => accept(compiled, &sources, color),
        Err(e) => {
            report_error(&e);
            Err(Exit::Failure)
        }
    }
}

/// Like [`load_file`], also giving back the file's name as shown and its text, for a caller
/// that points into the source (`replay --explain`).
pub fn load_file_with_source(
    path: &Path,
    name: &stdin::Name,
    color: ColorChoice,
) -> Result<(Playbook, SourceFile), Exit> {
    let mut sources = Sources::new();
    match findings::check_file(path, name, &mut sources) {
        Ok(compiled) => {
            let file = sources.get(FileId(0)).cloned();
            let playbook = accept(compiled, &sources, color)?;
            Ok((playbook, file.ok_or(Exit::Failure)?))
        }
        Err(e) => {
            report_error(&e);
            Err(Exit::Failure)
        }
    }
}

/// Like [`load_file`] for text that is not a file of the work tree (`compare --base REF`).
pub fn load_text(name: &str, text: String, color: ColorChoice) -> Result<Playbook, Exit> {
    let mut sources = Sources::new();
    let id = sources.add(name, text);
    let text = sources.get(id).map_or("", |f| f.text.as_str());
    let compiled = check::compile(id, text);
    accept(compiled, &sources, color)
}

fn accept(compiled: Compiled, sources: &Sources, color: ColorChoice) -> Result<Playbook, Exit> {
    if !compiled.diagnostics.is_empty() {
        write_stderr(&findings::render(
            &compiled.diagnostics,
            sources,
            &[],
            Format::Human,
            color.for_stderr(),
        ));
    }
    compiled.playbook.ok_or(Exit::Findings)
}

/// Refuses an `--out` directory that could not take the report, before any simulation runs.
pub fn check_out(out: Option<&Path>) -> Result<(), Exit> {
    out.map_or(Ok(()), |dir| {
        super::out_dir::check(dir).map_err(|e| {
            report_error(&e);
            Exit::Failure
        })
    })
}

/// Prepares the engine and validates the options before any work, so a usage error never shows
/// a progress bar.
pub fn engine(playbook: &Playbook, options: &SimOptions) -> Result<Engine, Exit> {
    let engine = Engine::new(playbook).map_err(|e| {
        report_error(&CliError::new(e.to_string()));
        Exit::Findings
    })?;
    let checked = match sim::find_scenario(&engine, options.scenario.as_deref()) {
        Ok(scenario) => sim::plan(scenario, options).map_err(|e| match e {
            SimError::Horizon(secs) => horizon_message(scenario, options, secs),
            other => other.to_string(),
        }),
        Err(e) => Err(e.to_string()),
    };
    if let Err(message) = checked {
        report_error(&CliError::new(message));
        return Err(Exit::Failure);
    }
    Ok(engine)
}

/// Decides the run's warm-up once, before any replication, and keeps it in `options`, so every
/// batch and shard of the command counts from the same time (`sim::decide_warmup`; the pilot it
/// may run shows no progress bar: it is a few replications).
pub fn settle_warmup(engine: &Engine, options: &mut SimOptions) -> Result<(), Exit> {
    let warmup = sim::decide_warmup(engine, options).map_err(|e| {
        report_error(&CliError::new(e.to_string()));
        Exit::Failure
    })?;
    options.warmup = Some(warmup);
    Ok(())
}

/// Why a span is too long, saying where it came from: a span derived from `--leads` names the
/// arrival rate it was derived with and the most leads that fit.
fn horizon_message(scenario: &Scenario, options: &SimOptions, secs: i64) -> String {
    let days = secs as f64 / 86_400.0;
    let limit_days = sim::MAX_HORIZON_SECS / 86_400;
    let Some(leads) = options.leads else {
        return format!(
            "scenario `{}` spans {days:.0} days, longer than the {limit_days} days (a century) a run may simulate: give `--days` or `--leads`",
            scenario.name
        );
    };
    let per_day: f64 = scenario
        .sources
        .iter()
        .map(|s| s.rate_per_sec)
        .filter(|r| r.is_finite() && *r > 0.0)
        .sum::<f64>()
        * 86_400.0;
    let fit = (per_day * limit_days as f64).floor();
    format!(
        "`--leads {leads}` needs a span of {days:.0} days at scenario `{}`'s arrival rate of {per_day:.1} leads a day, longer than the {limit_days} days (a century) a run may simulate: ask for at most {fit:.0} leads, or give `--days`",
        scenario.name
    )
}

/// Runs the replications with a progress bar titled `what`, printing the report's warnings.
pub fn run(engine: &Engine, options: &SimOptions, what: &str) -> Result<Summary, Exit> {
    let bar = progress_bar(options.replications, what);
    let result = sim::simulate(engine, options, &|| bar.inc(1));
    bar.finish_and_clear();
    let report = result.map_err(|e| {
        report_error(&CliError::new(e.to_string()));
        Exit::Failure
    })?;
    for warning in &report.warnings {
        write_stderr(&format!("warning: {what}: {warning}\n"));
    }
    Ok(report)
}

/// A bar counting replications on standard error, drawn only on a terminal.
pub(super) fn progress_bar(replications: u32, what: &str) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(u64::from(replications)), target);
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{{spinner}} {what}: replications {{pos}}/{{len}} {{wide_bar}} {{elapsed}}"
    )) {
        bar.set_style(style);
    }
    bar
}

/// How a run is cut into shards, shared by `simulate`, `compare` and `sweep`.
#[derive(Debug, Clone, clap::Args)]
pub struct ShardArgs {
    /// Run only shard I of N (counting from 0: `0/4` to `3/4`) and write its part to `--part`
    /// instead of a report; `auto` takes the shard from a Kubernetes Indexed Job or a Slurm
    /// array job. `handoff merge` makes the report from the parts of every shard
    #[arg(long, value_name = "I/N|auto", requires = "part")]
    pub shard: Option<String>,
    /// The number of shards for `--shard auto` in a Kubernetes Indexed Job (default: the
    /// `HANDOFF_SHARD_COUNT` variable)
    #[arg(long, value_name = "N", requires = "shard", allow_negative_numbers = true,
          value_parser = numbers::whole::<u32>(1u8, crate::shard::MAX_SHARDS))]
    pub shard_count: Option<u32>,
    /// Where `--shard` writes its part: a file, or an existing directory to write
    /// `part-I-of-N.json` into
    #[arg(long, value_name = "FILE", requires = "shard", value_hint = clap::ValueHint::AnyPath)]
    pub part: Option<PathBuf>,
}

impl ShardArgs {
    /// The shard this process runs, if the run is sharded; a bad `--shard` or scheduler
    /// variable is a usage error.
    pub fn shard(&self) -> Result<Option<Shard>, Exit> {
        let Some(text) = &self.shard else {
            return Ok(None);
        };
        let env = |name: &str| std::env::var(name).ok();
        Shard::parse(text, self.shard_count, &env)
            .map(Some)
            .map_err(|e| {
                report_error(&CliError::new(e.to_string()));
                Exit::Failure
            })
    }

    /// Writes a shard's part (atomically, so a merge never reads half a part) and says so on
    /// standard error; standard output stays empty.
    pub fn write_part(&self, part: &Part) -> Exit {
        let Some(path) = &self.part else {
            return Exit::Failure;
        };
        let path = if path.is_dir() {
            path.join(format!(
                "part-{}-of-{}.json",
                part.shard.index, part.shard.count
            ))
        } else {
            path.clone()
        };
        // Numbers, strings and the IR (string keys only): serialising cannot fail.
        let mut bytes = serde_json::to_vec(part).unwrap_or_default();
        bytes.push(b'\n');
        if let Err(e) = super::files::write_atomically(&path, &bytes) {
            report_error(&e);
            return Exit::Failure;
        }
        write_stderr(&format!(
            "wrote shard {} ({} of {} units) to `{}`\n",
            part.shard,
            part.units.len(),
            part.units_total,
            super::files::display_path(&path)
        ));
        Exit::Ok
    }
}

/// The `handoff` version a part records, with the commit it was built from when known: a
/// simulator changed between two commits of one version may give other values, so parts of
/// two builds are not merged.
pub fn part_version() -> String {
    match option_env!("HANDOFF_GIT_COMMIT") {
        Some(commit) => format!("{} (commit {commit})", env!("CARGO_PKG_VERSION")),
        None => env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// Runs the replications `replications` of a run with a progress bar titled `what`, reduced to
/// their values.
pub fn run_share(
    engine: &Engine,
    options: &SimOptions,
    replications: Range<u32>,
    what: &str,
) -> Result<Vec<RepValues>, Exit> {
    let bar = progress_bar(u32::try_from(replications.len()).unwrap_or(u32::MAX), what);
    let result = sim::run_share(engine, options, replications, &|| bar.inc(1));
    bar.finish_and_clear();
    result.map(|share| share.values).map_err(|e| {
        report_error(&CliError::new(e.to_string()));
        Exit::Failure
    })
}

/// The report of a run from every replication's values, printing its warnings as a run does.
pub fn summarise(
    playbook: &Playbook,
    options: &SimOptions,
    values: &[RepValues],
    what: &str,
) -> Result<Summary, Exit> {
    let inputs = sim::inputs(playbook, options).map_err(|e| {
        report_error(&CliError::new(e.to_string()));
        Exit::Failure
    })?;
    let report = sim::summarise(playbook, inputs, values);
    for warning in &report.warnings {
        write_stderr(&format!("warning: {what}: {warning}\n"));
    }
    Ok(report)
}

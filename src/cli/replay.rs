//! `handoff replay PLAYBOOK EVENTS...` and `handoff replay --store FILE [--verify]`: recorded
//! history through the playbook in memory, and what actually happened (`docs/replay.md`).

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

#[path = "replay_against.rs"]
mod against;
#[path = "replay_out.rs"]
mod out;
#[path = "replay_story.rs"]
mod story;
#[path = "replay_text.rs"]
mod text;

use super::{finish, report_error, sim_runner, stdin, write_stderr, CliError, ColorChoice, Exit};
use crate::calendar::Timestamp;
use crate::engine::Engine;
use crate::engine::Renames;
use crate::ir::Playbook;
use crate::live::renames_key;
use crate::live::store::Store;
use crate::replay::sources::SourceMap;
use crate::replay::verify::{self, wall_clock, Version};
use crate::replay::{Replay, Report};

/// Replay recorded history through a playbook and report what happened.
///
/// Event lines (docs/events.md) go through the same driver and engine as `run --clock events`,
/// in memory; a bad line is reported with its line number and skipped. The report counts leads,
/// handoffs by rule, SLA attainment, speed to lead, leakage and outcomes by reason. With
/// `--store`, the input log of a live store is replayed under the playbook it ran, and
/// `--verify` checks that it gives back the store's actions exactly.
///
/// Exits with 1 when the playbook has errors or `--verify` finds a divergence, and 2 when the
/// inputs cannot be read or the store cannot be verified.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The playbook to replay the events through
    #[arg(value_name = "PLAYBOOK", value_hint = clap::ValueHint::FilePath,
          required_unless_present = "store", conflicts_with = "store")]
    pub playbook: Option<PathBuf>,
    /// Files of event lines, replayed in the order given; `-` for standard input
    #[arg(value_name = "EVENTS", required_unless_present = "store")]
    pub events: Vec<PathBuf>,
    #[command(flatten)]
    pub stdin: stdin::Name,
    /// Replay the input log of this live store under the playbook it ran
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub store: Option<PathBuf>,
    /// Check that the store's input log gives back its outbox exactly (a store written with
    /// `run --clock events`, across its deploys)
    #[arg(long, requires = "store")]
    pub verify: bool,
    /// Fire the timers due by this time (RFC 3339) after the last line, as a simulation runs to
    /// its horizon
    #[arg(long, value_name = "TIME", value_parser = parse_time, conflicts_with = "store")]
    pub until: Option<Timestamp>,
    /// Tell this lead's story instead of the report: every input, what the engine considered
    /// and why, and what it did, with the lines of the rules involved
    #[arg(long, value_name = "LEAD", conflicts_with = "store")]
    pub explain: Option<String>,
    /// Also replay the history through this playbook and report what it would have done
    /// differently: per-lead differences and KPI changes (docs/replay.md)
    #[arg(long, value_name = "NEW", value_hint = clap::ValueHint::FilePath,
          conflicts_with_all = ["store", "explain"])]
    pub against: Option<PathBuf>,
    /// With `--against`: fail when a KPI crosses a threshold, as `compare --fail-if` (e.g.
    /// `leakage > +0.5pp`; repeatable)
    #[arg(long = "fail-if", value_name = "EXPR", requires = "against")]
    pub fail_if: Vec<String>,
    /// Also write `report.json`, `kpis.csv`, charts and `report.html` into this directory, as
    /// `simulate --out` does
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath,
          conflicts_with_all = ["explain", "against"])]
    pub out: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Output formats of `replay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Aligned text for people
    #[default]
    Table,
    /// One JSON document
    Json,
    /// One line per figure: `kpi,group,unit,value,n`, for spreadsheets
    Csv,
    /// A Markdown comparison, with `--against`, for a pull-request comment
    Markdown,
}

fn parse_time(text: &str) -> Result<Timestamp, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp())
        .map_err(|_| format!("`{text}` is not an RFC 3339 time (e.g. `2026-06-01T10:00:00Z`)"))
}

/// The formats the history report is printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReportFormat {
    Table,
    Json,
    Csv,
}

/// What `replay` prints, each kind with only the formats it can be printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output<'a> {
    /// A lead's story (`--explain`), as JSON or text.
    Story { lead: &'a str, json: bool },
    /// A comparison with a new playbook (`--against`).
    Against(&'a Path, against::ComparisonFormat),
    /// The history's report.
    Report(ReportFormat),
}

/// What to print from the options, or why they cannot go together.
fn output(args: &Args) -> Result<Output<'_>, &'static str> {
    use against::ComparisonFormat as Comparison;
    let (lead, new) = (args.explain.as_deref(), args.against.as_deref());
    Ok(match (lead, new, args.format) {
        (Some(lead), _, Format::Table) => Output::Story { lead, json: false },
        (Some(lead), _, Format::Json) => Output::Story { lead, json: true },
        (Some(_), _, Format::Csv | Format::Markdown) => {
            return Err("`--explain` tells a story as a table or JSON")
        }
        (None, Some(new), Format::Table) => Output::Against(new, Comparison::Table),
        (None, Some(new), Format::Json) => Output::Against(new, Comparison::Json),
        (None, Some(new), Format::Markdown) => Output::Against(new, Comparison::Markdown),
        (None, Some(_), Format::Csv) => {
            return Err("`--against` compares as a table, JSON or Markdown")
        }
        (None, None, Format::Table) => Output::Report(ReportFormat::Table),
        (None, None, Format::Json) => Output::Report(ReportFormat::Json),
        (None, None, Format::Csv) => Output::Report(ReportFormat::Csv),
        (None, None, Format::Markdown) => {
            return Err(
                "`--format markdown` is for `--against`; the report is a table, JSON or CSV",
            )
        }
    })
}

/// Replays and prints the report.
pub fn run(args: &Args, color: ColorChoice) -> Exit {
    let output = match output(args) {
        Ok(output) => output,
        Err(why) => {
            report_error(&CliError::new(why));
            return Exit::Failure;
        }
    };
    if let Err(exit) = sim_runner::check_out(args.out.as_deref()) {
        return exit;
    }
    // `--store` goes with neither `--explain` nor `--against`, so it always prints a report.
    match (&args.store, output) {
        (Some(store), Output::Report(format)) => from_store(args, store, format),
        (_, output) => from_events(args, output, color),
    }
}

fn from_events(args: &Args, output: Output<'_>, color: ColorChoice) -> Exit {
    let Some(path) = &args.playbook else {
        return Exit::Failure;
    };
    if path.as_os_str() == "-" && args.events.iter().any(|e| e.as_os_str() == "-") {
        report_error(&CliError::new(
            "the playbook and the events cannot both come from standard input",
        ));
        return Exit::Failure;
    }
    let guardrails = match against::guardrails(&args.fail_if) {
        Ok(guardrails) => guardrails,
        Err(exit) => return exit,
    };
    let (playbook, source) = match sim_runner::load_file_with_source(path, &args.stdin, color) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    let mut files = Vec::new();
    for file in &args.events {
        match read(file) {
            Ok(text) => files.push((file.clone(), text)),
            Err(e) => {
                report_error(&e);
                return Exit::Failure;
            }
        }
    }
    let mut reported = BTreeSet::new();
    let Some(mut replay) = replay_all(&playbook, args, &files, &mut reported, |replay| {
        if let Output::Story { lead, .. } = output {
            replay.explain(lead, SourceMap::new(&source.path, &source.text));
        }
    }) else {
        return Exit::Findings;
    };
    match output {
        // The lead was followed above, so there is a story to tell.
        Output::Story { json, .. } => match replay.story() {
            Some(story) => story::print(&story, json),
            None => Exit::Failure,
        },
        Output::Against(new, format) => {
            let candidate = match sim_runner::load_file(new, &args.stdin, color) {
                Ok(candidate) => candidate,
                Err(exit) => return exit,
            };
            let Some(other) = replay_all(&candidate, args, &files, &mut reported, |_| {}) else {
                return Exit::Findings;
            };
            against::print(&replay, &other, &guardrails, format)
        }
        Output::Report(format) => print(&replay.report(), args, format),
    }
}

/// Replays every file's lines through `playbook` (prepared by `setup`), then the timers due by
/// `--until`; reports bad lines on standard error, each `(file, line)` once however many
/// playbooks refuse it (`reported` keeps those already reported). `None` when the playbook
/// cannot run.
fn replay_all(
    playbook: &Playbook,
    args: &Args,
    files: &[(PathBuf, String)],
    reported: &mut BTreeSet<(usize, usize)>,
    setup: impl FnOnce(&mut Replay),
) -> Option<Replay> {
    let mut replay = match Engine::new(playbook) {
        Ok(engine) => Replay::new(engine),
        Err(e) => {
            report_error(&CliError::new(e.to_string()));
            return None;
        }
    };
    setup(&mut replay);
    let mut skipped = 0u64;
    let mut emitted = Vec::new();
    for (index, (file, text)) in files.iter().enumerate() {
        let mut report = |number: usize, why: &str| {
            if reported.insert((index, number)) {
                write_stderr(&format!("error: {}: {why}\n", file.display()));
            }
        };
        skipped += replay_lines(playbook, &mut replay, text, &mut emitted, &mut report);
    }
    if let Some(until) = args.until {
        replay.advance(until, &mut emitted);
    }
    if skipped > 0 {
        write_stderr(&format!(
            "replay through `{}`: {skipped} line{} skipped\n",
            playbook.name,
            if skipped == 1 { "" } else { "s" }
        ));
    }
    Some(replay)
}

/// Replays one file's lines, telling `report` each bad or refused line's number and why;
/// returns how many were skipped.
fn replay_lines(
    playbook: &Playbook,
    replay: &mut Replay,
    text: &str,
    emitted: &mut Vec<crate::ledger::Emitted>,
    report: &mut impl FnMut(usize, &str),
) -> u64 {
    let mut bad = 0;
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let number = index + 1;
        let refused = match against::decode(playbook, replay, number, line) {
            Ok(decoded) => replay
                .apply(&decoded, emitted)
                .err()
                .map(|r| format!("line {number}: `lead`: {}", r.message())),
            Err(e) => {
                replay.skip_bad_line();
                Some(e.to_string())
            }
        };
        if let Some(why) = refused {
            bad += 1;
            report(number, &why);
        }
        // The report is computed as lines go; what they decided is not kept.
        emitted.clear();
    }
    bad
}

fn read(path: &Path) -> Result<String, CliError> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        return std::io::stdin()
            .read_to_string(&mut text)
            .map(|_| text)
            .map_err(|e| CliError::new(format!("cannot read standard input: {e}")));
    }
    std::fs::read_to_string(path)
        .map_err(|e| CliError::new(format!("cannot read `{}`: {e}", path.display())))
}

fn from_store(args: &Args, path: &Path, format: ReportFormat) -> Exit {
    let read = || -> Result<_, CliError> {
        let store = Store::open_read(path).map_err(|e| CliError::new(e.to_string()))?;
        let fail = |e: crate::live::store::StoreError| CliError::new(e.to_string());
        let mut versions = Vec::new();
        for (number, playbook) in store.versions().map_err(fail)? {
            let unreadable = || {
                CliError::new(format!(
                    "cannot replay `{}`: the renames of the deploy to version {number} do not read back",
                    path.display()
                ))
            };
            let entries: Vec<String> = match store.meta(&renames_key(number)).map_err(fail)? {
                Some(e) => serde_json::from_str(&e).map_err(|_| unreadable())?,
                None => Vec::new(),
            };
            let renames = Renames::parse(&entries).map_err(|_| unreadable())?;
            versions.push(Version {
                number,
                playbook,
                renames,
            });
        }
        if versions.is_empty() {
            return Err(CliError::new(format!(
                "cannot replay `{}`: {}",
                path.display(),
                verify::Unverifiable::Empty
            )));
        }
        let inputs = store.inputs().map_err(fail)?;
        let outbox = store.outbox().map_err(fail)?;
        let clock = store
            .meta("clock")
            .map_err(fail)?
            .and_then(|c| c.parse().ok());
        Ok((versions, inputs, outbox, clock))
    };
    let (versions, inputs, outbox, clock) = match read() {
        Ok(read) => read,
        Err(e) => {
            report_error(&e);
            return Exit::Failure;
        }
    };
    if wall_clock(&versions, &inputs, clock) {
        report_error(&CliError::new(format!(
            "cannot replay `{}`: {}",
            path.display(),
            verify::Unverifiable::WallClock
        )));
        return Exit::Failure;
    }
    // Without `--verify` the outbox is not compared: nothing in it can diverge.
    let outbox = if args.verify { outbox } else { Vec::new() };
    match verify::verify(&versions, &inputs, &outbox) {
        Ok(replay) => {
            if args.verify {
                write_stderr(&format!(
                    "verified: {} inputs give back the store's {} actions\n",
                    inputs.len(),
                    outbox.len()
                ));
            }
            print(&replay.report(), args, format)
        }
        Err(divergence) => {
            report_error(&CliError::new(divergence.to_string()));
            // Without `--verify` the only divergence is an input the store accepted that no
            // longer applies: the store cannot be replayed.
            if args.verify {
                Exit::Findings
            } else {
                Exit::Failure
            }
        }
    }
}

/// Prints the report in `format`, after writing it into `--out DIR` if asked.
fn print(report: &Report, args: &Args, format: ReportFormat) -> Exit {
    let json = || {
        // A report holds only strings, numbers and options, so serialising cannot fail.
        let mut json = serde_json::to_string_pretty(report).unwrap_or_default();
        json.push('\n');
        json
    };
    if let Some(dir) = &args.out {
        if let Err(e) = out::write(dir, report, &json()) {
            report_error(&e);
            return Exit::Failure;
        }
    }
    let text = match format {
        ReportFormat::Json => json(),
        ReportFormat::Table => text::table(report),
        ReportFormat::Csv => text::csv(report),
    };
    finish(text.as_bytes(), Exit::Ok)
}

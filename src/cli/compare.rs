//! `handoff compare BASE CANDIDATE`: what a change does, before rollout, with CI guardrails.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::out_dir::{self, Staging};
use super::precision;
use super::sim_runner::{self, ShardArgs, SimArgs};
use super::{files, finish, git, report_error, stdin, write_stderr, CliError, ColorChoice, Exit};
use crate::compare::{self, breaches, format_change, summary_line, Breach, Delta};
use crate::guardrail::{self, Guardrail};
use crate::ir::Playbook;
use crate::report::charts::{self, ChartError};
use crate::report::{
    format_ci, html_report, interval_heading, replications, HtmlReport, TextTable, NO_INTERVAL,
};
use crate::shard::part::{Inputs, Part, Side as PartSide, UnitValues};
use crate::shard::Shard;
use crate::sim::precision::Outcome;
use crate::sim::{RepValues, SimOptions, Summary};

/// Compare two versions of a playbook on the same synthetic leads.
///
/// Both playbooks run their scenario (by name, or their first) with the same seed, so each
/// replication sees the same leads behaving the same way in both (common random numbers) and
/// every KPI's change is estimated from paired differences. With `--base REF` the base is the
/// file as it is at a git revision and only the candidate is named. Exits with 1 when a
/// `--fail-if` guardrail is breached or a playbook has errors, 2 on bad options or I/O errors.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// BASE and CANDIDATE playbooks (only CANDIDATE with `--base`); `-` reads one of them from
    /// standard input
    #[arg(value_name = "FILE", num_args = 1..=2, required = true,
          value_hint = clap::ValueHint::FilePath)]
    pub files: Vec<PathBuf>,
    /// Take the base from this git revision of the candidate's file (e.g. `main`), following
    /// a rename; a candidate new since then has nothing to compare with and passes
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub shard: ShardArgs,
    /// Fail when a KPI crosses a threshold, e.g. `leakage > +0.5pp` or `sla_attainment < 95%`
    /// (repeatable; a signed value is a change from the base, a signed `%` a relative change;
    /// the mean is tested, or the whole 95% interval with a final `confidently`)
    #[arg(long = "fail-if", value_name = "EXPR")]
    pub fail_if: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t, value_name = "FORMAT")]
    pub format: CompareFormat,
    /// Also write `summary.json`, `kpis.csv`, `delta.svg`, `compare.svg` and `report.html` into
    /// this directory
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath, conflicts_with = "shard")]
    pub out: Option<PathBuf>,
}

/// The `format_version` of the `--format json` document (`docs/json-output.md`).
pub const FORMAT_VERSION: u32 = 1;

/// Output formats of `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CompareFormat {
    /// A table for people
    #[default]
    Table,
    /// The documented JSON comparison (`docs/json-output.md`)
    Json,
    /// A Markdown table for a pull-request comment or a CI job summary
    Markdown,
}

/// The comparison as JSON: stable keys for scripts.
#[derive(Debug, Serialize)]
struct Comparison<'a> {
    format_version: u32,
    base: Side<'a>,
    candidate: Side<'a>,
    scenario: &'a str,
    seed: u64,
    replications: u32,
    kpis: &'a [Delta],
    summary: String,
    guardrails: Vec<GuardrailResult>,
    /// How `--precision` stopped the run, judged on the paired changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    precision: Option<&'a Outcome>,
}

#[derive(Debug, Serialize)]
struct Side<'a> {
    source: String,
    playbook: &'a str,
    leads_arrived: u64,
}

#[derive(Debug, Serialize)]
struct GuardrailResult {
    guardrail: String,
    breached: bool,
    reason: Option<String>,
}

/// Runs both simulations, compares them and applies the guardrails.
pub fn run(args: &Args, color: ColorChoice) -> Exit {
    match compare_run(args, color) {
        Ok(exit) | Err(exit) => exit,
    }
}

fn compare_run(args: &Args, color: ColorChoice) -> Result<Exit, Exit> {
    let guardrails = parse_guardrails(&args.fail_if)?;
    sim_runner::check_out(args.out.as_deref())?;
    let (base_name, base, cand_name, candidate) = match load(args, color)? {
        Loaded::Pair(pair) => *pair,
        Loaded::New { candidate, rev } => return Ok(report_new(args, &candidate, &rev)),
    };
    let mut options = args.sim.options();
    options.scenario = Some(common_scenario(args, &base, &candidate)?);
    let precision = args.sim.precision()?;
    let base_engine = sim_runner::engine(&base, &options)?;
    let cand_engine = sim_runner::engine(&candidate, &options)?;
    // One warm-up for both sides, the base's, so the paired deltas compare the same window.
    sim_runner::settle_warmup(&base_engine, &mut options)?;
    if let Some(shard) = args.shard.shard()? {
        let options = precision::for_shards(&options, precision.as_ref());
        let range = shard.range(options.replications);
        let values = [
            sim_runner::run_share(&base_engine, &options, range.clone(), "base")?,
            sim_runner::run_share(&cand_engine, &options, range.clone(), "candidate")?,
        ];
        let sides = [(base_name, base), (cand_name, candidate)];
        let part = shard_part(args, shard, &options, sides, values, range);
        return Ok(args.shard.write_part(&part));
    }
    let engines = [&base_engine, &cand_engine];
    let ([base_report, cand_report], outcome) =
        precision::compare(engines, &mut options, precision.as_ref())?;
    let runs = Runs {
        base: (base_name, &base, &base_report),
        candidate: (cand_name, &candidate, &cand_report),
        options: &options,
        precision: outcome.as_ref(),
    };
    Ok(write_comparison(
        &runs,
        &guardrails,
        args.format,
        args.out.as_deref(),
    ))
}

/// The `--fail-if` guardrails, each checked against the KPI keys.
fn parse_guardrails(fail_if: &[String]) -> Result<Vec<Guardrail>, Exit> {
    let kpis = compare::guardrail_kpis();
    fail_if
        .iter()
        .map(|g| guardrail::parse(g, &kpis))
        .collect::<Result<_, _>>()
        .map_err(|e| usage(&e.to_string()))
}

/// A shard's part: both playbooks as named, and per replication the overall KPIs of base and
/// candidate.
fn shard_part(
    args: &Args,
    shard: Shard,
    options: &SimOptions,
    [(base_name, base), (cand_name, candidate)]: [(String, Playbook); 2],
    [base_values, cand_values]: [Vec<RepValues>; 2],
    range: std::ops::Range<u32>,
) -> Part {
    let units = range
        .zip(base_values.into_iter().zip(cand_values))
        .map(|(unit, (b, c))| UnitValues {
            unit,
            values: vec![b.without_detail(), c.without_detail()],
        })
        .collect();
    let side = |source: String, playbook: Playbook| PartSide {
        source,
        playbook: Box::new(playbook),
    };
    let inputs = Inputs::Compare {
        version: sim_runner::part_version(),
        base: side(base_name, base),
        candidate: side(cand_name, candidate),
        options: precision::part_options(options, &args.sim),
        fail_if: args.fail_if.clone(),
    };
    Part::new(inputs, shard, options.replications, units)
}

/// The report of a sharded comparison from its merged units (base and candidate values of each
/// replication, those `--precision` kept) and how precision stopped it: what `compare` without
/// `--shard` writes.
pub(super) fn write_merged(
    [base, candidate]: [&PartSide; 2],
    (options, outcome): (&SimOptions, Option<&Outcome>),
    fail_if: &[String],
    units: &[Vec<RepValues>],
    format: CompareFormat,
    out: Option<&Path>,
) -> Exit {
    let merged = || -> Result<Exit, Exit> {
        let guardrails = parse_guardrails(fail_if)?;
        let side = |i: usize| -> Vec<RepValues> {
            units.iter().filter_map(|u| u.get(i).cloned()).collect()
        };
        let base_report = sim_runner::summarise(&base.playbook, options, &side(0), "base")?;
        let cand_report =
            sim_runner::summarise(&candidate.playbook, options, &side(1), "candidate")?;
        let runs = Runs {
            base: (base.source.clone(), &base.playbook, &base_report),
            candidate: (candidate.source.clone(), &candidate.playbook, &cand_report),
            options,
            precision: outcome,
        };
        Ok(write_comparison(&runs, &guardrails, format, out))
    };
    match merged() {
        Ok(exit) | Err(exit) => exit,
    }
}

/// Base and candidate as named, checked and simulated, with the options they ran with.
struct Runs<'a> {
    base: (String, &'a Playbook, &'a Summary),
    candidate: (String, &'a Playbook, &'a Summary),
    options: &'a SimOptions,
    precision: Option<&'a Outcome>,
}

/// Compares the two runs, applies the guardrails and writes the report: `--out DIR`, the
/// breached guardrails on standard error, then standard output in `format`.
fn write_comparison(
    runs: &Runs,
    guardrails: &[Guardrail],
    format: CompareFormat,
    out: Option<&Path>,
) -> Exit {
    let (base_name, base, base_report) = &runs.base;
    let (cand_name, candidate, cand_report) = &runs.candidate;
    let deltas = compare::compare(&compare::paired(base_report, cand_report));
    let breached = breaches(guardrails, &deltas);
    let summary = summary_line(&deltas);
    let doc = Comparison {
        format_version: FORMAT_VERSION,
        base: side(base_name.clone(), base, base_report),
        candidate: side(cand_name.clone(), candidate, cand_report),
        scenario: &cand_report.inputs.scenario,
        seed: runs.options.seed,
        replications: runs.options.replications,
        kpis: &deltas,
        summary: summary.clone(),
        guardrails: guardrails
            .iter()
            .map(|g| {
                let b = breached.iter().find(|b| b.guardrail == g.text);
                GuardrailResult {
                    guardrail: g.text.clone(),
                    breached: b.is_some(),
                    reason: b.map(|b| b.reason.clone()),
                }
            })
            .collect(),
        precision: runs.precision,
    };
    if let Some(dir) = out {
        if let Err(e) = write_out(dir, &doc) {
            report_error(&e);
            return Exit::Failure;
        }
    }
    for b in &breached {
        write_stderr(&format!(
            "guardrail breached: {}: {}\n",
            b.guardrail, b.reason
        ));
    }
    let text = match format {
        CompareFormat::Table => table(&doc, &breached),
        CompareFormat::Json => json(&doc),
        CompareFormat::Markdown => markdown(&doc, &breached),
    };
    let exit = if breached.is_empty() {
        Exit::Ok
    } else {
        Exit::Findings
    };
    finish(text.as_bytes(), exit)
}

fn usage(message: &str) -> Exit {
    report_error(&CliError::new(message));
    Exit::Failure
}

/// The playbooks to compare, with the names shown for them.
enum Loaded {
    /// Base and candidate: `(base name, base, candidate name, candidate)`.
    Pair(Box<(String, Playbook, String, Playbook)>),
    /// The candidate (checked, named here) is new since the base revision `rev`.
    New { candidate: String, rev: String },
}

/// The base and candidate playbooks, either of them read from standard input for `-`.
fn load(args: &Args, color: ColorChoice) -> Result<Loaded, Exit> {
    let name = &args.sim.stdin;
    if args.files.iter().filter(|p| stdin::is_stdin(p)).count() > 1 {
        return Err(usage(
            "only one playbook can be read from standard input (`-`)",
        ));
    }
    match (args.base.as_deref(), args.files.as_slice()) {
        (Some(rev), [candidate]) => load_with_base(args, rev, candidate, color),
        (Some(_), _) => Err(usage("with `--base REF`, name only the candidate playbook")),
        (None, [base, candidate]) => Ok(Loaded::Pair(Box::new((
            stdin::shown(base, name),
            sim_runner::load_file(base, name, color)?,
            stdin::shown(candidate, name),
            sim_runner::load_file(candidate, name, color)?,
        )))),
        (None, _) => Err(usage(
            "name a BASE and a CANDIDATE playbook, or one playbook with `--base REF`",
        )),
    }
}

/// The candidate and its base at `rev`: the same path there, the path it had before a rename,
/// or none when the playbook is new.
fn load_with_base(
    args: &Args,
    rev: &str,
    candidate: &Path,
    color: ColorChoice,
) -> Result<Loaded, Exit> {
    let name = &args.sim.stdin;
    let in_work_tree = if stdin::is_stdin(candidate) {
        let Some(path) = &name.stdin_filename else {
            return Err(usage(
                "`--base` with a candidate read from standard input needs `--stdin-filename PATH`, its path in the repository",
            ));
        };
        PathBuf::from(path)
    } else {
        candidate.to_path_buf()
    };
    let found = git::base(rev, &in_work_tree).map_err(|e| {
        report_error(&e);
        Exit::Failure
    })?;
    let cand = sim_runner::load_file(candidate, name, color)?;
    let cand_name = stdin::shown(candidate, name);
    match found {
        git::Base::New => Ok(Loaded::New {
            candidate: cand_name,
            rev: rev.to_string(),
        }),
        git::Base::At { path, text } => {
            let base_name = format!("{rev}:{path}");
            let base = sim_runner::load_text(&base_name, text, color)?;
            Ok(Loaded::Pair(Box::new((base_name, base, cand_name, cand))))
        }
    }
}

/// Says that a candidate new since the base has nothing to compare with, in the chosen format;
/// no guardrail can be breached and no report is written.
fn report_new(args: &Args, candidate: &str, rev: &str) -> Exit {
    let line = format!("`{candidate}` is new since `{rev}`: there is no base to compare with");
    if let Some(dir) = &args.out {
        write_stderr(&format!(
            "note: no report written into `{}`: nothing to compare\n",
            files::display_path(dir)
        ));
    }
    let text = match args.format {
        CompareFormat::Table | CompareFormat::Markdown => format!("{line}\n"),
        CompareFormat::Json => {
            let doc = serde_json::json!({
                "format_version": FORMAT_VERSION,
                "base": null,
                "candidate": { "source": candidate },
                "kpis": [],
                "summary": line,
                "guardrails": [],
            });
            let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            text.push('\n');
            text
        }
    };
    finish(text.as_bytes(), Exit::Ok)
}

/// The scenario both runs simulate: the one named, or the base's first; the candidate must have
/// a scenario of the same name, or the comparison would pair unrelated populations.
fn common_scenario(args: &Args, base: &Playbook, candidate: &Playbook) -> Result<String, Exit> {
    let names = |p: &Playbook| -> String {
        let names: Vec<String> = p
            .scenarios
            .iter()
            .map(|s| format!("`{}`", s.name))
            .collect();
        if names.is_empty() {
            "no scenario".to_string()
        } else {
            names.join(", ")
        }
    };
    let name = match &args.sim.scenario {
        Some(name) => name.clone(),
        None => match base.scenarios.first() {
            Some(s) => s.name.clone(),
            None => return Err(usage("the base playbook has no `scenario` to simulate")),
        },
    };
    for (role, p) in [("base", base), ("candidate", candidate)] {
        if !p.scenarios.iter().any(|s| s.name == name) {
            return Err(usage(&format!(
                "the {role} playbook has no scenario `{name}` (it has {}); base and candidate must simulate the same scenario, chosen with `--scenario`",
                names(p)
            )));
        }
    }
    Ok(name)
}

fn side<'a>(source: String, playbook: &'a Playbook, report: &Summary) -> Side<'a> {
    Side {
        source,
        playbook: &playbook.name,
        leads_arrived: report.leads_arrived,
    }
}

fn rows(doc: &Comparison) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "KPI".to_string(),
        "base".to_string(),
        "candidate".to_string(),
        interval_heading("change", doc.replications),
        String::new(),
    ]];
    for d in doc.kpis {
        rows.push(vec![
            d.key.clone(),
            format_ci(d.unit, &d.base),
            format_ci(d.unit, &d.candidate),
            change_cell(d),
            if d.significant {
                "significant".to_string()
            } else {
                String::new()
            },
        ]);
    }
    rows
}

/// The change with its interval, `−3.1 pp [−3.4, −2.8]`, or the change alone when one
/// replication gives no interval.
fn change_cell(d: &Delta) -> String {
    let change = format_change(d.unit, d.delta.mean);
    if d.delta.n < 2 {
        return change;
    }
    format!(
        "{change} [{}, {}]",
        format_change(d.unit, d.delta.ci_low),
        format_change(d.unit, d.delta.ci_high)
    )
}

fn header(doc: &Comparison) -> String {
    format!(
        "{} → {} · scenario `{}` · {} · seed {}",
        doc.base.source,
        doc.candidate.source,
        doc.scenario,
        paired_replications(doc.replications),
        doc.seed
    )
}

/// `1 paired replication`, `20 paired replications`.
fn paired_replications(n: u32) -> String {
    replications(n).replacen(' ', " paired ", 1)
}

fn table(doc: &Comparison, breached: &[Breach]) -> String {
    let mut out = format!("{}\n\n{}", header(doc), super::columns(&rows(doc)));
    if let Some(outcome) = doc.precision {
        out.push_str(&precision::table(outcome, "paired replications"));
    }
    out.push_str(&format!("\n{}\n", doc.summary));
    for b in breached {
        out.push_str(&format!(
            "guardrail breached: {}: {}\n",
            b.guardrail, b.reason
        ));
    }
    out
}

fn markdown(doc: &Comparison, breached: &[Breach]) -> String {
    let escape = |s: &str| s.replace('|', "\\|");
    let mut out = format!("### handoff compare\n\n{}\n\n", escape(&header(doc)));
    for (i, row) in rows(doc).iter().enumerate() {
        let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
        if i == 0 {
            out.push_str("|---|---:|---:|---:|---|\n");
        }
    }
    if let Some(outcome) = doc.precision {
        out.push_str(&precision::markdown(outcome, "paired replications"));
    }
    out.push_str(&format!("\n**Summary:** {}\n", escape(&doc.summary)));
    if !doc.guardrails.is_empty() {
        out.push_str("\n**Guardrails**\n\n");
        for g in &doc.guardrails {
            let mark = if g.breached { "❌" } else { "✅" };
            out.push_str(&format!("- {mark} `{}`", g.guardrail));
            if let Some(b) = breached.iter().find(|b| b.guardrail == g.guardrail) {
                out.push_str(&format!(": {}", escape(&b.reason)));
            }
            out.push('\n');
        }
    }
    out
}

fn json(doc: &Comparison) -> String {
    // Strings, numbers and booleans only: serialising cannot fail.
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}

/// `base,candidate,delta` columns per KPI, each with mean and interval.
fn csv(doc: &Comparison) -> String {
    let mut out = String::from(
        "kpi,unit,base_mean,base_ci_low,base_ci_high,candidate_mean,candidate_ci_low,candidate_ci_high,delta_mean,delta_ci_low,delta_ci_high,significant,n\r\n",
    );
    for d in doc.kpis {
        let num = |v: f64| {
            if v.is_finite() {
                format!("{v}")
            } else {
                String::new()
            }
        };
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
            d.key,
            d.unit.name(),
            num(d.base.mean),
            num(d.base.ci_low),
            num(d.base.ci_high),
            num(d.candidate.mean),
            num(d.candidate.ci_low),
            num(d.candidate.ci_high),
            num(d.delta.mean),
            num(d.delta.ci_low),
            num(d.delta.ci_high),
            d.significant,
            d.delta.n
        ));
    }
    out
}

/// Writes the report of `--out DIR` as a whole (see [`out_dir::replace`]).
fn write_out(dir: &Path, doc: &Comparison) -> Result<(), CliError> {
    out_dir::replace(dir, |out| write_report(out, doc))
}

fn write_report(out: &Staging, doc: &Comparison) -> Result<(), CliError> {
    out.write("summary.json", json(doc).as_bytes())?;
    out.write("kpis.csv", csv(doc).as_bytes())?;
    let mut html = HtmlReport {
        title: format!(
            "handoff compare: `{}` → `{}` · scenario `{}`",
            doc.base.source, doc.candidate.source, doc.scenario
        ),
        inputs: vec![
            ("base".into(), doc.base.source.clone()),
            ("candidate".into(), doc.candidate.source.clone()),
            ("scenario".into(), doc.scenario.to_string()),
            ("seed".into(), doc.seed.to_string()),
            ("replications".into(), paired_replications(doc.replications)),
            ("version".into(), env!("CARGO_PKG_VERSION").into()),
        ],
        text_tables: vec![change_table(doc)],
        notes: vec![format!("Summary: {}", doc.summary)],
        ..HtmlReport::default()
    };
    if let Some(outcome) = doc.precision {
        let (head, _) = precision::summary(outcome, "paired replications");
        html.notes.push(format!("Precision: {head}"));
    }
    html.notes.extend(doc.guardrails.iter().map(|g| {
        format!(
            "Guardrail `{}`: {}",
            g.guardrail,
            g.reason
                .as_deref()
                .map_or("held".to_string(), |r| format!("breached ({r})"))
        )
    }));
    for (file, caption, chart) in compare_charts(doc) {
        match chart {
            Ok(svg) => {
                out.write(file, svg.as_bytes())?;
                html.charts.push((format!("{caption} ({file})"), svg));
            }
            Err(e) => write_stderr(&format!("warning: compare: {file} skipped: {e}\n")),
        }
    }
    out.write("report.html", html_report(&html).as_bytes())
}

/// The terminal's comparison table as a section of the HTML page.
fn change_table(doc: &Comparison) -> TextTable {
    let mut rows = rows(doc);
    let header = if rows.is_empty() {
        Vec::new()
    } else {
        rows.remove(0)
    };
    let hint = if doc.replications < 2 {
        format!("Candidate − base; {NO_INTERVAL}, so no change is marked significant.")
    } else {
        "Candidate − base, from the paired differences of each replication; `significant` marks a change whose 95% interval excludes zero.".to_string()
    };
    TextTable {
        heading: "Change per KPI".to_string(),
        hint: Some(hint),
        header,
        rows,
    }
}

/// The charts of the report: the paired change per KPI with its interval, what `compare`
/// estimates, then base and candidate side by side.
fn compare_charts(doc: &Comparison) -> [(&'static str, String, Result<String, ChartError>); 2] {
    let deltas: Vec<charts::DeltaRow> = doc
        .kpis
        .iter()
        .map(|d| charts::DeltaRow {
            kpi: d.key.clone(),
            unit: d.unit,
            delta: d.delta.clone(),
        })
        .collect();
    let sides: Vec<charts::CompareRow> = doc
        .kpis
        .iter()
        .map(|d| charts::CompareRow {
            kpi: d.key.clone(),
            unit: d.unit,
            base: d.base.clone(),
            candidate: d.candidate.clone(),
        })
        .collect();
    let interval = if doc.replications < 2 {
        NO_INTERVAL.to_string()
    } else {
        "its 95% interval from the paired differences; a whisker that does not cross the zero line is a significant change".to_string()
    };
    [
        (
            "delta.svg",
            format!("Change per KPI (candidate − base) with {interval}."),
            charts::delta_intervals("change per KPI (candidate − base)", &deltas),
        ),
        (
            "compare.svg",
            if doc.replications < 2 {
                format!("Base and candidate per KPI; {NO_INTERVAL}.")
            } else {
                "Base and candidate per KPI, each with its own 95% interval.".to_string()
            },
            charts::compare_bars("base vs candidate (95% CI)", &sides),
        ),
    ]
}

//! `handoff test PATH...`: run the `test` blocks of playbooks, cargo-test style.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::json;

use super::config::{self, Project};
use super::{
    files, findings, finish, report_error, stdin, write_stderr, CliError, ColorChoice, Exit, Format,
};
use crate::check::Compiled;
use crate::diagnostics::render::Sources;
use crate::diagnostics::{Diagnostic, Severity};
use crate::engine::Engine;
use crate::span::FileId;
use crate::testing::{self, Outcome, Reached};

mod coverage;
use coverage::Measured;

/// Run the tests written in playbooks (`test "NAME" { ... }` blocks).
///
/// Each test gives a lead, feeds it inputs on a virtual clock and checks what must hold; a
/// failure shows the expectation, what held instead and the lead's trace. Exits with 0 when
/// every test passed, 1 when one failed, none ran or a playbook has errors, and 2 when the
/// tests could not run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Playbook and test files, or directories searched recursively for `*.playbook` and
    /// `*.tests` files (default: the `include` paths of `handoff.toml`, else the current
    /// directory)
    #[arg(value_name = "PATH", value_hint = clap::ValueHint::AnyPath)]
    pub paths: Vec<PathBuf>,
    /// Run only the tests whose full name (`PLAYBOOK::TEST`) matches this regular expression
    #[arg(long, value_name = "REGEX")]
    pub run: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: TestFormat,
    /// Report coverage of each playbook: the rules, router lines, breach steps, reasons,
    /// tracks, bands, disqualifiers and sequence steps the tests reached, and where the rest are
    #[arg(long)]
    pub coverage: bool,
    /// Exit with 1 when a playbook's coverage is under this percentage (`90%`); implies
    /// `--coverage`
    #[arg(long, value_name = "PERCENT", value_parser = coverage::parse_percent)]
    pub fail_under: Option<f64>,
    // `--config FILE` and `--no-config`.
    #[command(flatten)]
    pub config: config::Args,
}

/// The `format_version` of the `--format json` document (`docs/json-output.md`).
pub const FORMAT_VERSION: u32 = 1;

/// How test results are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TestFormat {
    /// One line per test, failures with their trace, and a summary line.
    #[default]
    Human,
    /// One JSON document with every test's result (`docs/json-output.md`).
    Json,
    /// JUnit XML, one test suite per playbook file, for CI servers' test reports.
    Junit,
    /// GitHub Actions annotations on the failed expectations, and the summary line.
    Github,
}

/// One test's result with where it is.
struct Ran {
    name: String,
    file: FileId,
    line: usize,
    lead: String,
    outcome: Outcome,
}

/// Runs every selected test of every playbook found.
pub fn run(args: &Args, color: ColorChoice) -> Exit {
    match collect(args) {
        Ok(Collected::Findings(diags, sources)) => {
            let format = match args.format {
                TestFormat::Human | TestFormat::Junit => Format::Human,
                TestFormat::Json => Format::Json,
                TestFormat::Github => Format::Github,
            };
            let out = findings::render(&diags, &sources, &[], format, color.for_stdout());
            finish(out.as_bytes(), Exit::Findings)
        }
        Ok(Collected::Tests(report)) => {
            let Report {
                ran,
                filtered,
                sources,
                measured,
            } = &report;
            let (ran, filtered) = (ran.as_slice(), *filtered);
            let failed = ran.iter().any(|r| r.outcome.failure.is_some());
            let measured = (args.coverage || args.fail_under.is_some()).then_some(measured);
            let mut out = match args.format {
                TestFormat::Human => human(ran, filtered, sources),
                TestFormat::Json => json_report(ran, filtered, sources, measured),
                TestFormat::Junit => junit(ran, sources),
                TestFormat::Github => github(ran, filtered, sources),
            };
            match (args.format, measured) {
                (TestFormat::Human, Some(m)) => out.push_str(&coverage::human(m, sources)),
                (TestFormat::Github, Some(m)) => out.push_str(&coverage::github(m, sources)),
                _ => {}
            }
            let under = match (args.fail_under, measured) {
                (Some(threshold), Some(m)) => coverage::below(m, threshold),
                _ => Vec::new(),
            };
            for message in &under {
                write_stderr(&format!("error: {message}\n"));
            }
            let exit = if failed || ran.is_empty() || !under.is_empty() {
                Exit::Findings
            } else {
                Exit::Ok
            };
            finish(out.as_bytes(), exit)
        }
        Err(e) => {
            report_error(&e);
            Exit::Failure
        }
    }
}

/// What reading the playbooks gave: errors to show, or tests run.
enum Collected {
    Findings(Vec<Diagnostic>, Sources),
    Tests(Report),
}

/// The tests run and the coverage of the playbooks they test.
struct Report {
    ran: Vec<Ran>,
    filtered: usize,
    sources: Sources,
    measured: Vec<Measured>,
}

fn collect(args: &Args) -> Result<Collected, CliError> {
    let filter = match &args.run {
        Some(re) => Some(regex::Regex::new(re).map_err(|e| {
            CliError::new(format!("`--run {re}` is not a regular expression: {e}"))
        })?),
        None => None,
    };
    let project = Project::load(&args.config, &args.paths).map_err(|errors| {
        errors
            .into_iter()
            .next()
            .unwrap_or_else(|| CliError::new("cannot read the configuration"))
    })?;
    let paths =
        files::collect_playbooks_excluding(&project.paths(&args.paths), &project.exclusions())?;
    let mut sources = Sources::new();
    let mut compiled: Vec<Compiled> = Vec::new();
    for path in &paths {
        compiled.push(findings::check_file(
            path,
            &stdin::Name::default(),
            &mut sources,
        )?);
    }
    let diags: Vec<Diagnostic> = compiled
        .iter()
        .flat_map(|c| c.diagnostics.clone())
        .collect();
    let diags = project.config().lints.apply(diags);
    if diags.iter().any(|d| d.severity() == Severity::Error) {
        return Ok(Collected::Findings(diags, sources));
    }
    if !diags.is_empty() {
        write_stderr(&crate::diagnostics::render::human(&diags, &sources, false));
    }
    let mut ran = Vec::new();
    let mut filtered = 0;
    let mut measured: Vec<Measured> = Vec::new();
    for c in &compiled {
        let Some(playbook) = &c.playbook else {
            continue;
        };
        let mut reached = Reached::default();
        // A playbook with nothing to cover still has its tests, whose file names it.
        let file = (c.coverage.first().map(|i| i.span.file))
            .or_else(|| c.tests.first().map(|t| t.span.file));
        let playbook_name = name_of(&playbook.name, file.map(|f| path(&sources, f)));
        let engine = Engine::new(playbook).map_err(|e| {
            CliError::new(format!("cannot run the tests of `{playbook_name}`: {e}"))
        })?;
        for case in &c.tests {
            let name = format!("{playbook_name}::{}", case.name);
            if filter.as_ref().is_some_and(|f| !f.is_match(&name)) {
                filtered += 1;
                continue;
            }
            let line = sources
                .line_col(case.span.file, case.span.start as usize)
                .map_or(0, |(l, _)| l);
            let outcome = testing::run(&engine, case);
            reached.extend(&outcome.reached);
            ran.push(Ran {
                name,
                file: case.span.file,
                line,
                lead: case.lead.clone(),
                outcome,
            });
        }
        // Tests of one playbook from several files count towards it once.
        match measured.iter_mut().find(|m| Some(m.file) == file) {
            Some(m) => m.reached.extend(&reached),
            None => measured.push(Measured {
                name: playbook_name,
                file: file.unwrap_or(FileId(0)),
                items: c.coverage.clone(),
                reached,
            }),
        }
    }
    Ok(Collected::Tests(Report {
        ran,
        filtered,
        sources,
        measured,
    }))
}

/// A playbook's name in test names: its `playbook` header's, else its file's stem.
fn name_of(declared: &str, file: Option<&str>) -> String {
    if !declared.is_empty() {
        return declared.to_string();
    }
    let stem = file.and_then(|f| std::path::Path::new(f).file_stem());
    stem.map_or_else(String::new, |s| s.to_string_lossy().into_owned())
}

fn path(sources: &Sources, file: FileId) -> &str {
    sources.get(file).map_or("", |f| f.path.as_str())
}

/// The text of a failed statement, as written.
fn statement(sources: &Sources, span: crate::span::Span) -> &str {
    sources
        .get(span.file)
        .and_then(|f| f.text.get(span.range()))
        .unwrap_or("")
}

fn human(ran: &[Ran], filtered: usize, sources: &Sources) -> String {
    let mut out = String::new();
    let plural = if ran.len() == 1 { "" } else { "s" };
    let _ = writeln!(out, "running {} test{plural}", ran.len());
    for r in ran {
        let status = if r.outcome.failure.is_some() {
            "FAILED"
        } else {
            "ok"
        };
        let _ = writeln!(out, "test {} ... {status}", r.name);
    }
    let failed: Vec<&Ran> = ran.iter().filter(|r| r.outcome.failure.is_some()).collect();
    if !failed.is_empty() {
        out.push_str("\nfailures:\n");
        for r in &failed {
            failure(&mut out, r, sources);
        }
        out.push_str("\nfailures:\n");
        for r in &failed {
            let _ = writeln!(out, "    {}", r.name);
        }
    }
    let verdict = if failed.is_empty() && !ran.is_empty() {
        "ok"
    } else {
        "FAILED"
    };
    let _ = writeln!(
        out,
        "\ntest result: {verdict}. {} passed; {} failed; {filtered} filtered out",
        ran.len() - failed.len(),
        failed.len()
    );
    if ran.is_empty() {
        out.push_str("no test ran\n");
    }
    out
}

fn failure(out: &mut String, r: &Ran, sources: &Sources) {
    let Some(f) = &r.outcome.failure else { return };
    let (line, column) = sources
        .line_col(f.span.file, f.span.start as usize)
        .unwrap_or((r.line, 1));
    let _ = writeln!(out, "\n---- {} ----", r.name);
    let _ = writeln!(
        out,
        "{}:{line}:{column}: {}",
        path(sources, f.span.file),
        statement(sources, f.span)
    );
    let _ = writeln!(out, "  expected: {}", f.expected);
    let _ = writeln!(out, "    actual: {}", f.actual);
    let _ = writeln!(out, "  trace of lead {}:", r.lead);
    for t in &r.outcome.trace {
        let _ = writeln!(out, "    {}  {}", t.at, t.text);
    }
}

fn json_report(
    ran: &[Ran],
    filtered: usize,
    sources: &Sources,
    measured: Option<&Vec<Measured>>,
) -> String {
    let tests: Vec<serde_json::Value> = ran
        .iter()
        .map(|r| {
            let failure = r.outcome.failure.as_ref().map(|f| {
                let (line, column) = sources
                    .line_col(f.span.file, f.span.start as usize)
                    .unwrap_or((r.line, 1));
                json!({
                    "line": line,
                    "column": column,
                    "statement": statement(sources, f.span),
                    "expected": f.expected,
                    "actual": f.actual,
                })
            });
            json!({
                "name": r.name,
                "file": path(sources, r.file),
                "line": r.line,
                "lead": r.lead,
                "status": if failure.is_some() { "failed" } else { "passed" },
                "failure": failure,
                "trace": r.outcome.trace,
            })
        })
        .collect();
    let failed = ran.iter().filter(|r| r.outcome.failure.is_some()).count();
    let mut doc = json!({
        "format_version": FORMAT_VERSION,
        "tests": tests,
        "summary": {
            "passed": ran.len() - failed,
            "failed": failed,
            "filtered_out": filtered,
        },
    });
    if let (Some(m), Some(map)) = (measured, doc.as_object_mut()) {
        map.insert("coverage".to_string(), coverage::json(m, sources));
    }
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// JUnit XML: a suite per playbook file, a case per test (class name the playbook), a failure
/// with the expectation as its message and the failure block of the human format as its text.
fn junit(ran: &[Ran], sources: &Sources) -> String {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("handoff test");
    let mut suites: Vec<(FileId, TestSuite)> = Vec::new();
    for r in ran {
        let (playbook, test) = r.name.split_once("::").unwrap_or(("", r.name.as_str()));
        let status = match &r.outcome.failure {
            None => TestCaseStatus::success(),
            Some(f) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let mut text = String::new();
                failure(&mut text, r, sources);
                status
                    .set_message(format!("expected {}, actual {}", f.expected, f.actual))
                    .set_description(text.trim_start());
                status
            }
        };
        let mut case = TestCase::new(test, status);
        case.set_classname(playbook);
        match suites.iter_mut().find(|(file, _)| *file == r.file) {
            Some((_, suite)) => {
                suite.add_test_case(case);
            }
            None => {
                let mut suite = TestSuite::new(path(sources, r.file));
                suite.add_test_case(case);
                suites.push((r.file, suite));
            }
        }
    }
    report.add_test_suites(suites.into_iter().map(|(_, suite)| suite));
    report.to_string().unwrap_or_default()
}

/// GitHub Actions annotations: an error on each failed expectation, then the summary line.
fn github(ran: &[Ran], filtered: usize, sources: &Sources) -> String {
    let escape = |text: &str| {
        text.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let mut out = String::new();
    for r in ran {
        let Some(f) = &r.outcome.failure else {
            continue;
        };
        let (line, column) = sources
            .line_col(f.span.file, f.span.start as usize)
            .unwrap_or((r.line, 1));
        let _ = writeln!(
            out,
            "::error file={},line={line},col={column},title={}::{}",
            escape(path(sources, f.span.file)).replace(',', "%2C"),
            escape(&r.name).replace(',', "%2C").replace(':', "%3A"),
            escape(&format!("expected {}, actual {}", f.expected, f.actual)),
        );
    }
    let failed = ran.iter().filter(|r| r.outcome.failure.is_some()).count();
    let _ = writeln!(
        out,
        "test result: {} passed; {failed} failed; {filtered} filtered out",
        ran.len() - failed
    );
    out
}

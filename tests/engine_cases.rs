//! Engine behaviour as data: runs every case file under `tests/engine_cases/` and compares the
//! actions the engine takes with the ones the file expects.
//!
//! A case file names a playbook (`playbook PATH`, relative to the crate root), then has
//! directives, each followed by its expected output indented by two spaces:
//!
//! - an event line (`docs/events.md`): timers of that lead due at or before its time fire first
//!   (printed `at TIME: action`), then the input is applied at its time (its actions printed
//!   bare, or `ignored: why`); a new `lead` id starts a new lead, and later directives act on the
//!   lead of the last event line;
//! - `advance TIME`: fires that lead's timers due at or before `TIME`, in time order;
//! - `state`: the lead's stage, rule or track.
//!
//! Lines starting with `#` are comments. `UPDATE_CASES=1` rewrites the expected lines from what
//! the engine does; review the diff before committing it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use handoff::engine::{utc, LeadState, Stage, Step};
use handoff::ir::Playbook;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use support::{compile, Driver};

/// One line of a case file, as the runner sees it.
enum Line<'a> {
    /// A comment or blank line, kept as it is.
    Keep(&'a str),
    /// An expected output line (without its indent).
    Expect(&'a str),
    /// `playbook PATH`.
    Playbook(&'a str),
    /// An event line.
    Event(&'a str),
    /// `advance TIME`.
    Advance(&'a str),
    /// `state`.
    State,
}

fn classify<'a>(file: &str, number: usize, text: &'a str) -> Line<'a> {
    if let Some(expect) = text.strip_prefix("  ") {
        return Line::Expect(expect);
    }
    if text.is_empty() || text.starts_with('#') {
        return Line::Keep(text);
    }
    if text.starts_with('{') {
        return Line::Event(text);
    }
    if let Some(path) = text.strip_prefix("playbook ") {
        return Line::Playbook(path.trim());
    }
    if let Some(time) = text.strip_prefix("advance ") {
        return Line::Advance(time.trim());
    }
    if text == "state" {
        return Line::State;
    }
    panic!("{file}:{number}: expected an event line, `advance TIME`, `state` or `playbook PATH`, found `{text}`");
}

/// The result of running one case file.
struct Outcome {
    /// The file with the expected lines replaced by what the engine did.
    rendered: String,
    /// One message per directive whose output differs, naming the file and line.
    mismatches: Vec<String>,
}

/// Leads by CRM id, and the one directives act on.
struct Leads {
    playbook: Playbook,
    drivers: BTreeMap<String, Driver>,
    current: Option<String>,
}

impl Leads {
    fn current(&mut self, file: &str, number: usize) -> &mut Driver {
        let Some(lead) = &self.current else {
            panic!("{file}:{number}: no lead yet: an event line must come first");
        };
        self.drivers.get_mut(lead).unwrap()
    }
}

/// Runs one case file's text, `file` naming it in messages.
fn run_case(file: &str, text: &str) -> Outcome {
    let lines: Vec<&str> = text.lines().collect();
    let mut rendered = String::new();
    let mut mismatches = Vec::new();
    let mut leads: Option<Leads> = None;
    let mut i = 0;
    while i < lines.len() {
        let number = i + 1;
        let line = classify(file, number, lines[i]);
        i += 1;
        let mut expected = Vec::new();
        while i < lines.len() {
            match classify(file, i + 1, lines[i]) {
                Line::Expect(e) => expected.push(e.to_owned()),
                _ => break,
            }
            i += 1;
        }
        let actual = match line {
            Line::Keep(text) => {
                rendered.push_str(text);
                rendered.push('\n');
                continue;
            }
            Line::Expect(text) => {
                panic!("{file}:{number}: expected output before any directive: `{text}`")
            }
            Line::Playbook(path) => {
                let src = std::fs::read_to_string(path)
                    .unwrap_or_else(|e| panic!("{file}:{number}: cannot read `{path}`: {e}"));
                leads = Some(Leads {
                    playbook: compile(&src),
                    drivers: BTreeMap::new(),
                    current: None,
                });
                Vec::new()
            }
            Line::Event(event) => {
                let leads = leads
                    .as_mut()
                    .unwrap_or_else(|| panic!("{file}:{number}: no `playbook` line yet"));
                run_event(file, number, leads, event)
            }
            Line::Advance(time) => {
                let leads = leads
                    .as_mut()
                    .unwrap_or_else(|| panic!("{file}:{number}: no `playbook` line yet"));
                let until = parse_time(file, number, time);
                let playbook = leads.playbook.clone();
                let fired = leads.current(file, number).advance(until);
                fired_lines(&playbook, &fired)
            }
            Line::State => {
                let leads = leads
                    .as_mut()
                    .unwrap_or_else(|| panic!("{file}:{number}: no `playbook` line yet"));
                let playbook = leads.playbook.clone();
                vec![state_line(&playbook, &leads.current(file, number).lead)]
            }
        };
        rendered.push_str(lines[number - 1]);
        rendered.push('\n');
        for a in &actual {
            let _ = writeln!(rendered, "  {a}");
        }
        if actual != expected {
            mismatches.push(mismatch(
                file,
                number,
                lines[number - 1],
                &expected,
                &actual,
            ));
        }
    }
    Outcome {
        rendered,
        mismatches,
    }
}

/// Applies one event line to its lead, after that lead's timers due by its time.
fn run_event(file: &str, number: usize, leads: &mut Leads, event: &str) -> Vec<String> {
    let decoded = handoff::events::decode_line(&leads.playbook, number, event)
        .unwrap_or_else(|e| panic!("{file}:{number}: {e}"));
    let playbook = leads.playbook.clone();
    let handoff::events::Subject::Lead { lead, input } = decoded.subject else {
        panic!("{file}:{number}: case files hold lines about leads");
    };
    let driver = leads
        .drivers
        .entry(lead.clone())
        .or_insert_with(|| Driver::new(&playbook));
    leads.current = Some(lead);
    let mut out = fired_lines(&playbook, &driver.advance(decoded.time));
    match driver.try_input(input, decoded.time) {
        Step::Applied => out.extend(driver.out.iter().map(|a| a.describe(&playbook).to_string())),
        Step::Ignored(why) => out.push(format!("ignored: {}", why.name())),
    }
    out
}

fn fired_lines(playbook: &Playbook, fired: &[(i64, handoff::engine::Action)]) -> Vec<String> {
    fired
        .iter()
        .map(|(at, a)| format!("at {}: {}", utc(*at), a.describe(playbook)))
        .collect()
}

/// The lead's stage in words, with its handoff rule or parking, and its track.
fn state_line(p: &Playbook, lead: &LeadState) -> String {
    let track = |id: handoff::ir::TrackId| p.tracks[id.index()].name.clone();
    let rule = |id: handoff::ir::HandoffId| p.handoffs[id.index()].name.clone();
    let reason = |id: handoff::ir::ReasonId| p.reasons[id.index()].name.clone();
    let stage = match &lead.stage {
        Stage::New => "new".to_owned(),
        Stage::Nurture => "nurture".to_owned(),
        Stage::Parked { track: t, until } => {
            format!("parked until {} then {}", utc(*until), track(*t))
        }
        Stage::HandedOff(run) if run.is_queued() => format!("queued by {}", rule(run.rule)),
        Stage::HandedOff(run) => format!("working by {}", rule(run.rule)),
        Stage::Done(d) => match d {
            handoff::engine::Departure::Converted { reason: r } => {
                format!("converted {}", reason(*r))
            }
            handoff::engine::Departure::Closed { reason: r } => format!("closed {}", reason(*r)),
            handoff::engine::Departure::Disqualified { reason: r } => {
                format!("disqualified {}", reason(*r))
            }
        },
    };
    match &lead.track {
        Some(run) => format!("{stage}; track {}", track(run.track)),
        None => format!("{stage}; no track"),
    }
}

fn parse_time(file: &str, number: usize, text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{file}:{number}: `{text}` is not an RFC 3339 time: {e}"))
        .timestamp()
}

fn mismatch(
    file: &str,
    number: usize,
    directive: &str,
    expected: &[String],
    actual: &[String],
) -> String {
    let expected = expected.join("\n") + "\n";
    let actual = actual.join("\n") + "\n";
    let diff = similar::TextDiff::from_lines(&expected, &actual);
    let mut message = format!("{file}:{number}: `{directive}` (- expected, + actual)\n");
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => "-",
            similar::ChangeTag::Insert => "+",
            similar::ChangeTag::Equal => " ",
        };
        let _ = write!(message, "  {sign} {change}");
    }
    message
}

fn case_files() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir("tests/engine_cases")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_case_file_holds() {
    let update = std::env::var_os("UPDATE_CASES").is_some_and(|v| v == "1");
    let files = case_files();
    assert!(!files.is_empty(), "no case files under tests/engine_cases");
    let mut failures = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let outcome = run_case(&name, &text);
        if update && outcome.rendered != text {
            std::fs::write(path, &outcome.rendered).unwrap();
        } else {
            failures.extend(outcome.mismatches);
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches (UPDATE_CASES=1 rewrites the expectations):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A runner that passed whatever the engine did would prove nothing.
#[test]
fn a_wrong_expectation_fails_with_the_file_and_line() {
    let text = "playbook playbooks/seed-matrix.playbook\n\
        {\"id\":\"1\",\"source\":\"t\",\"type\":\"handoff.lead.created\",\"lead\":\"L\",\"time\":\"2026-06-01T09:00:00Z\"}\n\
        \x20 entered track long_cycle\n";
    let outcome = run_case("wrong.case", text);
    assert_eq!(outcome.mismatches.len(), 1);
    let message = &outcome.mismatches[0];
    assert!(message.starts_with("wrong.case:2: "), "{message}");
    assert!(message.contains("- entered track long_cycle"), "{message}");
    assert!(
        message.contains("+ entered track early_awareness"),
        "{message}"
    );
    // Missing expectations fail too.
    let bare = text.lines().take(2).collect::<Vec<_>>().join("\n");
    assert_eq!(run_case("bare.case", &bare).mismatches.len(), 1);
    assert!(Path::new("tests/engine_cases").is_dir());
}

//! AST → checked IR, with every problem reported as a coded diagnostic.
//!
//! Three passes: collect declarations (so order in the file never matters), lower each block
//! (resolving names, typing conditions, normalising units), then run whole-playbook lints over
//! the IR. Lowering never stops at an error; it substitutes a neutral value and goes on, so
//! one run reports everything. The IR is returned only when there are no errors.

mod blocks;
mod cases;
mod coverage;
mod expr;
mod lints;
mod load;
mod names;
mod origins;
mod scenario;
mod test_file;

use crate::diagnostics::{messages, Code, Diagnostic, Severity};
use crate::ir;
use crate::span::{FileId, Span};
use crate::syntax::{self, ast};
use names::Names;
use origins::Origins;
pub use test_file::{compile_tests, tested_playbook, TEST_FILE_EXTENSION};

/// The result of checking one playbook.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The checked IR, present when there are no errors (warnings allowed).
    pub playbook: Option<ir::Playbook>,
    /// Every finding, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// The file's `test` blocks, checked; kept out of the IR so a playbook's IR and fingerprint
    /// do not depend on its tests. Runnable only when `playbook` is present.
    pub tests: Vec<crate::testing::Case>,
    /// The playbook's parts tests can reach, with their spans, for `handoff test --coverage`.
    pub coverage: Vec<crate::testing::CoverageItem>,
}

/// Parses and checks a playbook source.
pub fn compile(file: FileId, src: &str) -> Compiled {
    compile_with(file, src, Pilot::Run)
}

/// Whether a check runs the scenarios' load pilot (W0402, [`crate::sim::load`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pilot {
    /// Run it: every finding, as `handoff check` reports them.
    Run,
    /// Skip it, for an editor re-checking on each keystroke, where a pilot of every scenario
    /// would cost more than the rest of the check.
    Skip,
}

/// Parses and checks a playbook source, with or without the load pilot.
pub fn compile_with(file: FileId, src: &str, pilot: Pilot) -> Compiled {
    let parsed = syntax::parse(file, src);
    let mut diagnostics = parsed.diagnostics;
    test_file::tests_lines_in_playbook(&parsed.file, &mut diagnostics);
    let (playbook, origins, tests, mut found) = lower(&parsed.file, &parsed.broken);
    found.extend(lints::run(&playbook, &origins));
    let errors = (diagnostics.iter().chain(&found)).any(|d| d.severity() == Severity::Error);
    let piloted = !errors && !origins.incomplete;
    if piloted {
        found.extend(load::lint(&playbook, &origins, pilot));
    }
    // Without the pilot, a suppression of W0402 cannot be judged.
    let unchecked: &[Code] = if piloted && pilot == Pilot::Run {
        &[]
    } else {
        &[Code::OverloadedScenario]
    };
    let coverage = coverage::items(&playbook, &origins);
    diagnostics.append(&mut found);
    if diagnostics.is_empty() && parsed.file.items.is_empty() && parsed.broken.is_empty() {
        diagnostics.push(declares_nothing(file, src));
    }
    let diagnostics = settle(file, src, diagnostics, unchecked);
    let clean = !diagnostics.iter().any(|d| d.severity() == Severity::Error);
    Compiled {
        playbook: clean.then_some(playbook),
        diagnostics,
        tests,
        coverage,
    }
}

/// Findings in position order, repeats dropped, and those the file suppresses removed.
fn settle(
    file: FileId,
    src: &str,
    mut diagnostics: Vec<Diagnostic>,
    unchecked: &[Code],
) -> Vec<Diagnostic> {
    diagnostics.sort_by_key(|d| (d.span().file, d.span().start, d.code));
    diagnostics.dedup();
    crate::diagnostics::suppress::apply(file, src, diagnostics, unchecked)
}

/// The warning for a file with no blocks (empty, or only comments): a playbook cut short must
/// not pass `check` as if it were a clean one.
fn declares_nothing(file: FileId, src: &str) -> Diagnostic {
    let end = src.len();
    messages::declares_nothing(Span::new(file, end, end))
}

/// Parses and checks a source, keeping only the findings (what `handoff check` needs).
pub fn check_source(file: FileId, src: &str) -> Vec<Diagnostic> {
    compile(file, src).diagnostics
}

/// [`check_source`] without the load pilot, for an editor (see [`Pilot::Skip`]).
pub fn check_source_while_editing(file: FileId, src: &str) -> Vec<Diagnostic> {
    compile_with(file, src, Pilot::Skip).diagnostics
}

/// State of the lowering pass.
pub(crate) struct Lowerer<'a> {
    names: &'a Names,
    playbook: ir::Playbook,
    origins: Origins,
    diags: Vec<Diagnostic>,
    /// Band labels per band set, filled before conditions are lowered.
    band_labels: Vec<Vec<String>>,
}

fn lower(
    file: &ast::File,
    broken: &[syntax::BrokenBlock],
) -> (
    ir::Playbook,
    Origins,
    Vec<crate::testing::Case>,
    Vec<Diagnostic>,
) {
    let mut diags = Vec::new();
    let names = Names::collect(file, broken, &mut diags);
    let mut l = Lowerer {
        names: &names,
        playbook: empty_playbook(),
        origins: Origins::default(),
        diags,
        band_labels: Vec::new(),
    };
    l.lower_file(file);
    let tests = l.tests(file);
    l.origins.incomplete = names.incomplete();
    l.origins.misreferenced = names.take_misreferenced();
    l.origins.scores_incomplete = names.kind_incomplete(names::Kind::Score);
    (l.playbook, l.origins, tests, l.diags)
}

fn empty_playbook() -> ir::Playbook {
    ir::Playbook {
        name: String::new(),
        title: None,
        calendars: Vec::new(),
        default_calendar: None,
        fields: Vec::new(),
        events: Vec::new(),
        scores: Vec::new(),
        band_sets: Vec::new(),
        counters: Vec::new(),
        disqualifiers: Vec::new(),
        tracks: Vec::new(),
        default_track: None,
        handoffs: Vec::new(),
        routers: Vec::new(),
        queues: Vec::new(),
        sellers: Vec::new(),
        accounts: Vec::new(),
        contexts: Vec::new(),
        sequences: Vec::new(),
        reasons: Vec::new(),
        kpi_targets: Vec::new(),
        shapes: Vec::new(),
        scenarios: Vec::new(),
    }
}

impl Lowerer<'_> {
    /// Resolves a reference to a declaration of `T`'s kind, reporting a name that does not
    /// resolve; the one resolver for every kind, so each reports alike.
    fn resolve<T: names::Declared>(&mut self, id: &ast::Ident) -> Option<T> {
        self.names.resolve(T::KIND, id, &mut self.diags).map(T::at)
    }

    /// Reports a statement that may appear once but appears again.
    fn repeated(&mut self, what: &str, first: crate::span::Span, again: crate::span::Span) {
        self.diags.push(messages::given_twice(again, what, first));
    }

    /// A duration that must be wall time: business units only make sense for SLAs.
    fn wall_secs(&mut self, d: &ast::DurationLit, what: &str) -> i64 {
        if d.unit.is_business() {
            self.diags.push(messages::business_unit_outside_sla(
                *d.loc,
                what,
                d.unit.suffix(),
            ));
        }
        // A business unit, once reported, counts as if always open: a stand-in of zero would
        // add "must be longer than zero" to the one mistake.
        self.duration_secs(d).unwrap_or(0)
    }

    /// Seconds of a duration in any unit (business units counted as if always open), or
    /// `None` after reporting an impossible value.
    fn duration_secs(&mut self, d: &ast::DurationLit) -> Option<i64> {
        let per_unit = match d.unit {
            ast::DurationUnit::Minutes => 60.0,
            ast::DurationUnit::Hours | ast::DurationUnit::BusinessHours => 3600.0,
            ast::DurationUnit::Days | ast::DurationUnit::BusinessDays => 86_400.0,
            ast::DurationUnit::Weeks => 604_800.0,
        };
        match ir::limits::duration_secs(d.value * per_unit) {
            Ok(secs) => Some(secs),
            Err(e) => {
                self.out_of_range(Code::BadLiteral, *d.loc, e);
                None
            }
        }
    }

    /// A percentage literal as a fraction, reported when outside 0–100%.
    fn percent(&mut self, p: &ast::NumberLit) -> f64 {
        ir::limits::percent(p.value).unwrap_or_else(|e| {
            self.out_of_range(Code::BadLiteral, *p.loc, e);
            p.value.clamp(0.0, 100.0) / 100.0
        })
    }

    /// A whole number from `min` to [`ir::limits::MAX_COUNT`], reported otherwise.
    fn count(&mut self, n: &ast::NumberLit, what: &str, min: u32) -> u32 {
        ir::limits::count(n.value, what, min).unwrap_or_else(|e| {
            self.out_of_range(Code::BadLiteral, *n.loc, e);
            min
        })
    }

    fn out_of_range(&mut self, code: Code, span: Span, e: ir::limits::OutOfRange) {
        self.diags
            .push(messages::out_of_range(code, span, e.message, e.label));
    }

    fn bad_unit(&mut self, t: &ast::Token) {
        if t.text.is_empty() {
            return;
        }
        let unit: String = t
            .text
            .chars()
            .skip_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        self.diags
            .push(messages::unknown_unit(*t.loc, &unit, &t.text));
    }
}

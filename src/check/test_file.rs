//! Test files (`NAME.tests`): a `tests "PLAYBOOK"` line, then `fixture` and `test` blocks
//! checked against the playbook it names, with every finding pointing into the test file.
//!
//! The playbook's own findings stay with the playbook (reported when it is checked itself),
//! so checking a directory with both reports each mistake once.

use super::{lints, lower, Compiled};
use crate::diagnostics::{messages, Diagnostic, Severity};
use crate::span::{FileId, Span};
use crate::syntax::{self, ast};

/// The file extension of test files.
pub const TEST_FILE_EXTENSION: &str = "tests";

/// The playbook a test file names, as written, with the span of its string; `None` when the
/// file does not start with a `tests` line (checking it then says so).
pub fn tested_playbook(file: FileId, src: &str) -> Option<(String, Span)> {
    match syntax::parse(file, src).file.items.first() {
        Some(ast::Item::Tests(t)) => Some((t.path.name.clone(), *t.path.loc)),
        _ => None,
    }
}

/// Checks a test file against the playbook it names, which the caller read (or could not
/// read, and says why).
pub fn compile_tests(tests: (FileId, &str), playbook: Result<(FileId, &str), String>) -> Compiled {
    let (tests_file, tests_src) = tests;
    let parsed = syntax::parse(tests_file, tests_src);
    let mut diagnostics = parsed.diagnostics;
    let header = structure(&parsed.file, tests_file, &mut diagnostics).cloned();
    let playbook = match (playbook, &header) {
        (Ok(playbook), Some(_)) => playbook,
        (Err(why), Some(h)) => {
            let d = messages::tested_playbook_unreadable(*h.path.loc, &h.path.name, &why);
            return unrunnable(tests_file, tests_src, diagnostics, d);
        }
        (_, None) => return unrunnable(tests_file, tests_src, diagnostics, None),
    };
    let parsed_playbook = syntax::parse(playbook.0, playbook.1);
    // The playbook's fixtures serve the test file too; its own tests run from the playbook.
    let mut merged = parsed_playbook.file.clone();
    merged.items.retain(|i| !matches!(i, ast::Item::Test(_)));
    merged.items.extend(
        (parsed.file.items.into_iter())
            .filter(|i| matches!(i, ast::Item::Test(_) | ast::Item::Fixture(_))),
    );
    let (ir, origins, cases, mut found) = lower(&merged, &parsed_playbook.broken);
    found.extend(lints::run(&ir, &origins));
    let playbook_broken = (parsed_playbook.diagnostics.iter().chain(&found))
        .any(|d| d.span().file == playbook.0 && d.severity() == Severity::Error);
    diagnostics.extend(found.into_iter().filter(|d| d.span().file == tests_file));
    if let (true, Some(h)) = (playbook_broken, &header) {
        diagnostics.push(messages::tested_playbook_has_errors(
            *h.path.loc,
            &h.path.name,
        ));
    }
    let coverage = super::coverage::items(&ir, &origins);
    let diagnostics = super::settle(tests_file, tests_src, diagnostics, &[]);
    let clean = !diagnostics.iter().any(|d| d.severity() == Severity::Error);
    Compiled {
        playbook: clean.then_some(ir),
        diagnostics,
        tests: cases,
        coverage,
    }
}

/// A test file none of whose tests can run, with its findings (and `more`).
fn unrunnable(
    file: FileId,
    src: &str,
    mut diagnostics: Vec<Diagnostic>,
    more: impl Into<Option<Diagnostic>>,
) -> Compiled {
    diagnostics.extend(more.into());
    Compiled {
        playbook: None,
        diagnostics: super::settle(file, src, diagnostics, &[]),
        tests: Vec::new(),
        coverage: Vec::new(),
    }
}

/// Reports a test file whose first item is not its `tests` line, and blocks that do not
/// belong in one; returns the `tests` line.
fn structure<'a>(
    file: &'a ast::File,
    id: FileId,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a ast::TestsDecl> {
    let header = match file.items.first() {
        Some(ast::Item::Tests(t)) => Some(t),
        first => {
            let at = first.map_or(Span::new(id, 0, 0), |i| i.loc().0);
            diags.push(messages::test_file_without_playbook(at));
            None
        }
    };
    for (i, item) in file.items.iter().enumerate() {
        let misplaced = match item {
            ast::Item::Test(_) | ast::Item::Fixture(_) => false,
            ast::Item::Tests(_) => i > 0,
            _ => true,
        };
        if misplaced {
            let (kind, _) = item.name();
            diags.push(messages::not_in_a_test_file(item.loc().0, kind));
        }
    }
    header
}

/// Reports `tests` lines in a playbook: they open test files only.
pub(super) fn tests_lines_in_playbook(file: &ast::File, diags: &mut Vec<Diagnostic>) {
    for item in &file.items {
        if let ast::Item::Tests(t) = item {
            diags.push(messages::tests_line_in_playbook(t.loc.0));
        }
    }
}

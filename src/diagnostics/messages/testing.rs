//! Playbook tests (`E0701`–`W0707`), and the instants they name.

use super::Diagnostic;
use crate::diagnostics::Code;
use crate::span::Span;

/// `E0003`: a local date and time skipped by a clock change in `zone`.
pub(crate) fn skipped_local_time(at: Span, written: &str, zone: &str) -> Diagnostic {
    Diagnostic::new(
        Code::BadLiteral,
        at,
        format!("`{written}` does not exist in `{zone}`"),
    )
    .with_primary_message("skipped by a clock change")
    .with_help("pick a time an hour later")
}

/// `E0701`: a test with no `given lead` line.
pub(crate) fn test_without_lead(at: Span, test: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TestWithoutLead,
        at,
        format!("test `{test}` has no lead"),
    )
    .with_primary_message("no `given lead` line")
    .with_help("add `given lead NAME { field value ... }` and `at DATE TIME`")
}

/// `E0701`: a second `given lead` in one test.
pub(crate) fn lead_given_twice(at: Span, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TestWithoutLead,
        at,
        "a test runs one lead".to_string(),
    )
    .with_primary_message("a second lead")
    .with_label(first, "the test's lead")
    .with_help("split it into two tests")
}

/// `E0701`: `what` (`event`, `expect`, ...) before the lead has arrived.
pub(crate) fn before_arrival(at: Span, what: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TestWithoutLead,
        at,
        format!("`{what}` comes before the lead arrives"),
    )
    .with_primary_message("no lead yet")
    .with_help("the lead arrives once `given lead` and `at DATE TIME` have both been written")
}

/// `E0702`: an `at` earlier than the one before it.
pub(crate) fn time_goes_back(at: Span, written: &str, previous: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TestTimeGoesBack,
        at,
        format!("`{written}` is earlier than the test's clock"),
    )
    .with_primary_message("goes back in time")
    .with_label(previous, "the clock was already here")
    .with_help("use `after DURATION` to move on from the current time")
}

/// `W0703`: a test with no `expect` line.
pub(crate) fn test_expects_nothing(at: Span, test: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TestExpectsNothing,
        at,
        format!("test `{test}` expects nothing"),
    )
    .with_primary_message("passes whatever the playbook does")
    .with_help("add an `expect` line, such as `expect no handoff`")
}

/// `E0702`: an `at` earlier than the clock after `after` moved it.
pub(crate) fn time_behind_after(at: Span, written: &str, after: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TestTimeGoesBack,
        at,
        format!("`{written}` is earlier than the test's clock"),
    )
    .with_primary_message("goes back in time")
    .with_label(after, "`after` already moved the clock past it")
    .with_help("drop the `at`, or shorten the `after` before it")
}

/// `E0704`: a test file without its `tests "PLAYBOOK"` first line.
pub(crate) fn test_file_without_playbook(at: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TestFileMisplaced,
        at,
        "a test file starts with the playbook it tests".to_string(),
    )
    .with_primary_message("no `tests` line before this")
    .with_help("start the file with `tests \"NAME.playbook\"`, the path relative to this file")
}

/// `E0704`: a block other than `fixture` or `test` in a test file, or a second `tests` line.
pub(crate) fn not_in_a_test_file(at: Span, kind: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TestFileMisplaced,
        at,
        format!("a test file holds no `{kind}` block"),
    )
    .with_primary_message("only `fixture` and `test` blocks follow the `tests` line")
    .with_help("move it into the playbook the test file names")
}

/// `E0704`: `tests "PATH"` in a playbook.
pub(crate) fn tests_line_in_playbook(at: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TestFileMisplaced,
        at,
        "a playbook names no playbook to test".to_string(),
    )
    .with_primary_message("`tests` opens a test file")
    .with_help("write tests in the playbook directly, or move them into a `NAME.tests` file starting with this line")
}

/// `E0705`: the playbook a test file names (`path` as written) could not be read, and why.
pub(crate) fn tested_playbook_unreadable(at: Span, path: &str, why: &str) -> Diagnostic {
    Diagnostic::new(Code::TestedPlaybookUnusable, at, why.to_string())
        .with_primary_message("the playbook these tests run against")
        .with_help(format!("`{path}` is relative to the test file"))
}

/// `E0705`: the playbook a test file names has errors.
pub(crate) fn tested_playbook_has_errors(at: Span, path: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TestedPlaybookUnusable,
        at,
        format!("`{path}` has errors, so its tests cannot run"),
    )
    .with_primary_message("the playbook these tests run against")
    .with_help("`handoff check` on the playbook shows them")
}

/// `E0706`: an expectation the playbook can never make true, and why.
pub(crate) fn impossible_expectation(at: Span, why: String, help: String) -> Diagnostic {
    Diagnostic::new(Code::ImpossibleExpectation, at, why)
        .with_primary_message("can never hold")
        .with_help(help)
}

/// `W0707`: an expectation naming a time the test's clock has already passed.
pub(crate) fn time_already_past(at: Span, written: &str, clock: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TestTimeAlreadyPast,
        at,
        format!("`{written}` is already past"),
    )
    .with_primary_message("earlier than the test's clock")
    .with_label(clock, "the clock is already later from here")
    .with_help("name a time after the test's clock")
}

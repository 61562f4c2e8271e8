//! Playbook tests (`E0701`–`W0703`), and the instants they name.

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

//! Reading the file: grammar, nesting, literals, escapes, size (`E0001`–`W0007`).

use super::{did_you_mean, suggest, Diagnostic};
use crate::diagnostics::Code;
use crate::span::Span;

/// What the parser met where it expected something else.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Unexpected<'a> {
    /// The file ended.
    EndOfFile,
    /// A quoted string.
    Text,
    /// A word at the start of a line that looks like a misspelt keyword.
    Keyword(&'a str),
    /// Any other token, as written.
    Token(&'a str),
}

/// Advice the parser can add to a syntax error, chosen from what it met.
#[derive(Debug, Clone)]
pub(crate) enum SyntaxHint<'a> {
    /// `==` written for `=`.
    DoubleEquals,
    /// `&&`, `||` or `!` written for `and`, `or`, `not`.
    SymbolicLogic,
    /// The keyword closest to a misspelt one.
    Keyword(String),
    /// A number with a suffix that is no duration unit.
    NotAUnit(&'a str),
    /// A number where a duration was expected.
    MissingUnit,
    /// A name after `lead`, the one block without a name.
    NamedLead,
}

impl SyntaxHint<'_> {
    /// The help line.
    fn text(&self) -> String {
        match self {
            SyntaxHint::DoubleEquals => "comparisons use a single `=`".to_string(),
            SyntaxHint::SymbolicLogic => "write conditions with `and`, `or` and `not`".to_string(),
            SyntaxHint::Keyword(k) => did_you_mean(k),
            SyntaxHint::NotAUnit(unit) => {
                format!("`{unit}` is not a unit; durations use `m`, `h`, `d`, `w`, `bh` or `bd`")
            }
            SyntaxHint::MissingUnit => {
                "durations need a unit: `m`, `h`, `d`, `w`, `bh` or `bd`".to_string()
            }
            SyntaxHint::NamedLead => "the `lead` block has no name: write `lead {`".to_string(),
        }
    }
}

/// `E0001`: the grammar expected `expected` (already in words) where `found` stands.
pub(crate) fn unexpected(
    at: Span,
    found: Unexpected<'_>,
    expected: &str,
    hint: Option<SyntaxHint<'_>>,
) -> Diagnostic {
    let message = match found {
        Unexpected::EndOfFile => "unexpected end of file".to_string(),
        Unexpected::Text => "unexpected text".to_string(),
        Unexpected::Keyword(word) => format!("unknown keyword `{word}`"),
        Unexpected::Token(token) => format!("unexpected `{token}`"),
    };
    let diag = Diagnostic::new(Code::Syntax, at, message)
        .with_primary_message(format!("expected {expected}"));
    match hint {
        Some(hint) => diag.with_help(hint.text()),
        None => diag,
    }
}

/// `E0001`: a string opened at `at` runs to the end of its line at `line_end`.
pub(crate) fn unterminated_string(at: Span, line_end: Span) -> Diagnostic {
    Diagnostic::new(Code::Syntax, at, "unterminated string")
        .with_primary_message("the string starts here")
        .with_label(line_end, "the line ends here, with the string still open")
        .with_help("add the closing `\"`; text cannot span lines")
}

/// `E0001`: the `{` at `at` of a block (its keyword and name when known) is never closed;
/// `next_block` is where the following block starts, if one does.
pub(crate) fn unclosed_brace(
    at: Span,
    keyword: Option<&str>,
    name: Option<&str>,
    next_block: Option<Span>,
) -> Diagnostic {
    let what = match (keyword, name) {
        (Some(k), Some(n)) => format!("{k} `{n}`"),
        (Some(k), None) => format!("the `{k}` block"),
        _ => "this block".to_string(),
    };
    let diag = Diagnostic::new(Code::Syntax, at, format!("unclosed `{{` in {what}"))
        .with_primary_message("this `{` has no matching `}`");
    match next_block {
        Some(next) => diag
            .with_label(next, "the next block starts here")
            .with_help("add `}` before the next block"),
        None => diag.with_help("add `}` at the end of the block"),
    }
}

/// `E0002`: pest gave up (recursion or backtracking limit) with `reason`.
pub(crate) fn too_complex(at: Span, reason: &str) -> Diagnostic {
    Diagnostic::new(Code::TooDeep, at, "this block is too complex to read")
        .with_primary_message("the parser gave up here")
        .with_note(format!("the parser stopped with \"{reason}\""))
        .with_help("split the block or its conditions into smaller parts")
}

/// `E0002`: brackets or `not` nest deeper than `max` levels.
pub(crate) fn nested_too_deeply(at: Span, max: usize) -> Diagnostic {
    Diagnostic::new(
        Code::TooDeep,
        at,
        format!("nesting deeper than {max} levels"),
    )
    .with_primary_message("nested too deeply here")
    .with_help("split the condition into smaller rules")
}

/// `E0003`: a value outside its limits, worded by `ir::limits` (also `E0401` in scenarios).
pub(crate) fn out_of_range(code: Code, at: Span, message: String, label: String) -> Diagnostic {
    Diagnostic::new(code, at, message).with_primary_message(label)
}

/// `E0003`: a duration or number with a suffix that is no unit.
pub(crate) fn unknown_unit(at: Span, unit: &str, written: &str) -> Diagnostic {
    Diagnostic::new(
        Code::BadLiteral,
        at,
        format!("unknown unit `{unit}` in `{written}`"),
    )
    .with_primary_message("not a duration unit")
    .with_help(
        "durations use `m`, `h`, `d`, `w`, `bh` or `bd`, percentages end in `%`, and plain numbers have no suffix",
    )
}

/// `E0003`: a holiday that is no date on the calendar.
pub(crate) fn not_a_date(at: Span, written: &str) -> Diagnostic {
    Diagnostic::new(
        Code::BadLiteral,
        at,
        format!("`{written}` is not a calendar date"),
    )
    .with_primary_message("no such date")
}

/// `E0003`: a day name in `hours` that is no weekday.
pub(crate) fn not_a_weekday(at: Span, written: &str, near: Option<&str>) -> Diagnostic {
    let diag = Diagnostic::new(
        Code::BadLiteral,
        at,
        format!("`{written}` is not a weekday"),
    )
    .with_primary_message("expected `mon` to `sun`");
    suggest(diag, near)
}

/// `E0003`: a time in `hours` that is no time of day.
pub(crate) fn not_a_time_of_day(at: Span, written: &str) -> Diagnostic {
    Diagnostic::new(
        Code::BadLiteral,
        at,
        format!("`{written}` is not a time of day"),
    )
    .with_primary_message("expected `00:00` to `24:00`")
}

/// `E0003`: a `one of` field lists more values than a bitmask holds.
pub(crate) fn too_many_values(at: Span) -> Diagnostic {
    Diagnostic::new(
        Code::BadLiteral,
        at,
        "a `one of` field may list at most 64 values",
    )
    .with_primary_message("too many values")
    .with_help("use a `text` field for open-ended values")
}

/// `E0003`: a handoff priority with a fraction or out of range.
pub(crate) fn priority_not_whole(at: Span) -> Diagnostic {
    Diagnostic::new(Code::BadLiteral, at, "a priority is a whole number")
        .with_primary_message("not a whole number")
}

/// `E0003`: an SLA of zero.
pub(crate) fn zero_sla(at: Span) -> Diagnostic {
    Diagnostic::new(Code::BadLiteral, at, "an SLA must be longer than zero")
        .with_primary_message("zero SLA")
}

/// `E0003`: business days with a fraction.
pub(crate) fn fractional_business_days(at: Span) -> Diagnostic {
    Diagnostic::new(Code::BadLiteral, at, "business days are whole days")
        .with_primary_message("fractional business days")
        .with_help("use business hours, e.g. `4bh`")
}

/// `E0003`: a touch cadence of zero.
pub(crate) fn zero_cadence(at: Span) -> Diagnostic {
    Diagnostic::new(
        Code::BadLiteral,
        at,
        "a touch cadence must be longer than zero",
    )
    .with_primary_message("zero interval")
}

/// `E0003`: a score half-life of zero.
pub(crate) fn zero_half_life(at: Span) -> Diagnostic {
    Diagnostic::new(Code::BadLiteral, at, "a half-life must be longer than zero")
        .with_primary_message("zero half-life")
}

/// `E0004`: a backslash before `next`, which starts no escape.
pub(crate) fn unknown_escape(at: Span, next: char) -> Diagnostic {
    let message = if next.is_control() {
        format!(
            "unknown escape: a backslash before {}",
            describe_control(next)
        )
    } else {
        format!("unknown escape `\\{next}`")
    };
    Diagnostic::new(Code::BadEscape, at, message)
        .with_primary_message("not an escape")
        .with_help("the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`; write `\\\\` for a backslash")
}

/// A control character in words, since printing it would show nothing or break the line.
fn describe_control(c: char) -> String {
    match c {
        '\n' | '\r' => "a line end".to_string(),
        _ => format!("the control character U+{:04X}", u32::from(c)),
    }
}

/// `E0005`: a file of `len` bytes over the `max_mib` MiB (`max_bytes`) limit.
pub(crate) fn file_too_large(at: Span, len: usize, max_mib: usize, max_bytes: usize) -> Diagnostic {
    Diagnostic::new(
        Code::TooLarge,
        at,
        format!("the file is larger than the {max_mib} MiB limit"),
    )
    .with_primary_message("this file was not read")
    .with_note(format!(
        "the file has {len} bytes; the limit is {max_bytes} bytes"
    ))
    .with_help("check that this is the intended file, or split it into smaller playbooks")
}

/// `W0007`: a file with no blocks, reported at its end.
pub(crate) fn declares_nothing(at: Span) -> Diagnostic {
    Diagnostic::new(Code::DeclaresNothing, at, "the file declares nothing")
        .with_primary_message("the file ends here without a single block")
        .with_help("check that the file is complete: a playbook declares blocks such as `lead { ... }` and `track NAME { ... }`")
}

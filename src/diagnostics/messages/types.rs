//! Values of the wrong type, unit or set (`E0201`–`E0203`).
//!
//! Operand descriptions ("a text field", "`employees` is a number field") are phrased by the
//! condition checker and passed in whole.

use super::{backticked, suggest, Diagnostic};
use crate::diagnostics::Code;
use crate::span::Span;

/// `E0201`: `contains` or `ends with` (`op`) on something that is not a text field.
pub(crate) fn text_operator_on(at: Span, op: &str, found: &str, is_what: String) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        at,
        format!("`{op}` needs a text field, found {found}"),
    )
    .with_primary_message(is_what)
}

/// `E0201`: something that is not true or false where a condition belongs.
pub(crate) fn not_a_condition(
    at: Span,
    found: &str,
    is_what: &str,
    help: Option<String>,
) -> Diagnostic {
    let diag = Diagnostic::new(
        Code::TypeMismatch,
        at,
        format!("expected a condition, found {found}"),
    )
    .with_primary_message(format!("{is_what}, not true or false"));
    match help {
        Some(help) => diag.with_help(help),
        None => diag,
    }
}

/// `E0201`: an account-set lookup of something that is not a text field.
pub(crate) fn account_lookup_of(at: Span, found: &str, is_what: String) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        at,
        format!("only text fields can be looked up in an account set, found {found}"),
    )
    .with_primary_message(is_what)
}

/// `E0201`: an unquoted item in the list of a text field (`subject`).
pub(crate) fn expected_text_in_list(at: Span, subject: &str) -> Diagnostic {
    Diagnostic::new(Code::TypeMismatch, at, "expected quoted text in this list")
        .with_primary_message(format!("{subject} is a text field"))
        .with_help("quote every value, as in `[\"software\", \"fintech\"]`")
}

/// `E0201`: a non-number in the list of a number or flag field (`subject`).
pub(crate) fn expected_number_in_list(at: Span, subject: &str) -> Diagnostic {
    Diagnostic::new(Code::TypeMismatch, at, "expected a number in this list")
        .with_primary_message(format!("{subject} is not text"))
}

/// `E0201`: `in` on something that is neither a field nor a band set.
pub(crate) fn in_list_of(at: Span, found: &str, is_what: String) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        at,
        format!("`in` needs a field or band set, found {found}"),
    )
    .with_primary_message(is_what)
}

/// `E0201`: a list item that should be a plain value name.
pub(crate) fn expected_value_name_in_list(at: Span) -> Diagnostic {
    Diagnostic::new(Code::TypeMismatch, at, "expected a value name in this list")
        .with_primary_message("not a plain name")
        .with_help("write the values as plain names, as in `[smb, enterprise]`")
}

/// `E0201`: a comparison of two operands of different types; `takes` is what the left
/// side (`subject`) accepts, when that can be said.
pub(crate) fn cannot_compare(
    at: Span,
    left: &str,
    right: &str,
    right_is: String,
    left_at: Span,
    left_is: String,
    takes: Option<(&str, &str)>,
) -> Diagnostic {
    let diag = Diagnostic::new(
        Code::TypeMismatch,
        at,
        format!("cannot compare {left} with {right}"),
    )
    .with_primary_message(right_is)
    .with_label(left_at, left_is);
    match takes {
        Some((subject, takes)) => diag.with_help(format!("{subject} takes {takes}")),
        None => diag,
    }
}

/// `E0201`: an ordering comparison (`op`) on `subject`, whose values have no order.
pub(crate) fn no_order(at: Span, op: &str, subject: &str) -> Diagnostic {
    Diagnostic::new(Code::TypeMismatch, at, format!("`{op}` needs numbers"))
        .with_primary_message(format!("{subject} has no order"))
        .with_help("use `=`, `!=` or `in [...]`")
}

/// `E0201`: a statistic other than the mean on a kpi that is a single number.
pub(crate) fn statistic_needs_speed_to_lead(at: Span, stat: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        at,
        format!("`{stat}` only applies to `speed_to_lead`"),
    )
    .with_primary_message("this kpi is a single number")
}

/// `E0201`: an account set keyed on a field that is not text.
pub(crate) fn account_key_not_text(at: Span, key: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        at,
        format!("account key `{key}` must be a text field"),
    )
    .with_primary_message("not a text field")
}

/// `E0201`: fit points whose condition reads scores, bands or counts.
pub(crate) fn points_depend_on_scores(at: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        at,
        "score points cannot depend on scores, bands or counts",
    )
    .with_primary_message("uses a score, band or count")
    .with_help("use `add N per EVENT` for behaviour; fit points read lead fields")
}

/// `E0201`: a scenario `mix` value that does not match its field's type.
pub(crate) fn mix_value_type(at: Span, field: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        at,
        format!("`mix` values of `{field}` must match its type"),
    )
    .with_primary_message("wrong kind of value")
    .with_help("`one of` fields take value names, text fields quoted text; use `draw` for numbers and `chance` for flags")
}

/// `E0201`: a scenario generator on a field of another type (`want`, e.g. "a number field").
pub(crate) fn wrong_field_type(at: Span, field: &str, want: &str) -> Diagnostic {
    Diagnostic::new(Code::TypeMismatch, at, format!("`{field}` is not {want}"))
        .with_primary_message("wrong field type")
}

/// `E0201`: a signal value that does not match its event field's type.
pub(crate) fn wrong_value_kind(at: Span, field: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        at,
        format!("wrong kind of value for field `{field}`"),
    )
    .with_primary_message("does not match the field's type")
}

/// `E0202`: `wall` on an SLA written in a business unit (`suffix`).
pub(crate) fn business_unit_on_wall_sla(at: Span, suffix: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnitMismatch,
        at,
        format!("`{suffix}` counts business time but the SLA says `wall`"),
    )
    .with_primary_message("business unit")
    .with_help("drop `wall`, or use `m`, `h` or `d`")
}

/// `E0202`: a business unit (`suffix`) for `what`, which is wall time.
pub(crate) fn business_unit_outside_sla(at: Span, what: &str, suffix: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnitMismatch,
        at,
        format!("{what} is measured in wall time, not business time"),
    )
    .with_primary_message(format!("`{suffix}` counts business time"))
    .with_help("use `m`, `h`, `d` or `w` here; business units are for `sla`")
}

/// `E0202`: a kpi target written as `found` where the kpi needs `wanted`.
pub(crate) fn kpi_target_unit(at: Span, kpi: &str, wanted: &str, found: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnitMismatch,
        at,
        format!("the target of `{kpi}` needs {wanted}"),
    )
    .with_primary_message(format!("this is {found}"))
}

/// `E0202`: a number compared with a duration or percentage (`other`).
pub(crate) fn number_compared_with(at: Span, other: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnitMismatch,
        at,
        format!("cannot compare a number with {other}"),
    )
    .with_primary_message("write a plain number here")
}

/// `E0203`: a channel name that is not among `channels`.
pub(crate) fn unknown_channel(
    at: Span,
    name: &str,
    channels: &[String],
    near: Option<&str>,
) -> Diagnostic {
    unknown_choice(at, "channel", name, channels, near)
}

/// `E0203`: a call outcome that is not among `outcomes`.
pub(crate) fn unknown_outcome(
    at: Span,
    name: &str,
    outcomes: &[String],
    near: Option<&str>,
) -> Diagnostic {
    unknown_choice(at, "outcome", name, outcomes, near)
}

/// "unknown WHAT `name`", listing the choices under it.
fn unknown_choice(
    at: Span,
    what: &str,
    name: &str,
    choices: &[String],
    near: Option<&str>,
) -> Diagnostic {
    let diag = Diagnostic::new(Code::UnknownValue, at, format!("unknown {what} `{name}`"))
        .with_primary_message(format!("expected {}", backticked(choices)));
    suggest(diag, near)
}

/// `E0203`: a kpi statistic that is none of `mean`, `median`, `p90`.
pub(crate) fn unknown_statistic(at: Span, stat: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownValue,
        at,
        format!("unknown statistic `{stat}`"),
    )
    .with_primary_message("expected `mean`, `median` or `p90`")
}

/// `E0203`: a scenario value that is not among the `values` of `one of` field `field`.
pub(crate) fn not_a_value_of(at: Span, value: &str, field: &str, values: &[String]) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownValue,
        at,
        format!("`{value}` is not a value of `{field}`"),
    )
    .with_primary_message(format!("expected one of {}", backticked(values)))
}

/// `E0203`: a name in a condition that is not among the `values` of the field `subject`
/// (already phrased, e.g. "`segment`") written at `field_at`.
pub(crate) fn unknown_field_value(
    at: Span,
    name: &str,
    subject: &str,
    values: &[String],
    field_at: Span,
    near: Option<&str>,
) -> Diagnostic {
    let diag = Diagnostic::new(
        Code::UnknownValue,
        at,
        format!("`{name}` is not a value of {subject}"),
    )
    .with_primary_message("unknown value")
    .with_label(field_at, format!("one of {}", backticked(values)));
    suggest(diag, near)
}

/// `E0203`: a band name that is not among the `bands` of band set `set` (`None` if unnamed).
pub(crate) fn unknown_band(
    at: Span,
    name: &str,
    set: Option<&str>,
    bands: &[String],
    near: Option<&str>,
) -> Diagnostic {
    let set = set.map_or_else(|| "this band set".to_string(), |s| format!("`{s}`"));
    let diag = Diagnostic::new(
        Code::UnknownValue,
        at,
        format!("`{name}` is not a band of {set}"),
    )
    .with_primary_message("unknown band")
    .with_note(format!("bands: {}", backticked(bands)));
    suggest(diag, near)
}

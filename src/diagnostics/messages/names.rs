//! Names: undefined, declared twice, of the wrong kind (`E0101`–`E0103`).

use super::{backticked, did_you_mean, suggest, Diagnostic};
use crate::diagnostics::Code;
use crate::span::Span;

/// `E0101`: no declaration of `kind` is called `name`. The help is the closest spelling,
/// else for a role the header's `roles` line, else (when none of the kind exists) the block
/// that declares one.
pub(crate) fn undefined(
    at: Span,
    kind: &str,
    name: &str,
    near: Option<&str>,
    is_role: bool,
    declared_by: Option<&str>,
) -> Diagnostic {
    let diag = Diagnostic::new(Code::Undefined, at, format!("undefined {kind} `{name}`"))
        .with_primary_message(format!("no {kind} has this name"));
    if let Some(s) = near {
        diag.with_help(did_you_mean(s))
    } else if is_role {
        diag.with_help(format!(
            "add `{name}` to the `roles` line of the `playbook` header"
        ))
    } else if let Some(block) = declared_by {
        diag.with_help(format!("declare it with a `{block}` block"))
    } else {
        diag
    }
}

/// `E0101`: a name in a condition that is no lead field, score or band set. The advice is the
/// closest spelling, else the event that has such a field (`field_of_event`), else counting it
/// when it is an event, else declaring it.
pub(crate) fn undefined_name(
    at: Span,
    name: &str,
    near: Option<&str>,
    field_of_event: Option<&str>,
    is_event: bool,
) -> Diagnostic {
    let diag = Diagnostic::new(Code::Undefined, at, format!("undefined name `{name}`"))
        .with_primary_message("not a lead field, score or band set");
    if let Some(s) = near {
        diag.with_help(did_you_mean(s))
    } else if let Some(event) = field_of_event {
        diag.with_note(format!(
            "`{name}` is a field of event `{event}`, readable only after `on {event} where`"
        ))
    } else if is_event {
        diag.with_help(format!(
            "`{name}` is an event: count it, as in `count {name} within 7d >= 1`"
        ))
    } else {
        diag.with_help(format!(
            "declare it in the `lead` block, for example `{name}: text`"
        ))
    }
}

/// `E0101`: a kpi name that is not among `kpis`.
pub(crate) fn unknown_kpi(at: Span, name: &str, kpis: &[String], near: Option<&str>) -> Diagnostic {
    let diag = Diagnostic::new(Code::Undefined, at, format!("unknown kpi `{name}`"))
        .with_primary_message("not a kpi handoff can measure")
        .with_note(format!("kpis: {}", backticked(kpis)));
    suggest(diag, near)
}

/// `E0101`: a scenario signal sets a field its event does not have.
pub(crate) fn event_has_no_field(at: Span, event: &str, field: &str) -> Diagnostic {
    Diagnostic::new(
        Code::Undefined,
        at,
        format!("event `{event}` has no field `{field}`"),
    )
    .with_primary_message("unknown field")
}

/// `E0102`: a second declaration of `kind` `name`; `first` is the previous one.
pub(crate) fn duplicate_declaration(at: Span, kind: &str, name: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::Duplicate,
        at,
        format!("{kind} `{name}` is declared twice"),
    )
    .with_primary_message("declared again here")
    .with_label(first, "previously declared here")
    .with_help(format!("rename one of the {kind}s"))
}

/// `E0102`: a field of `owner` ("the lead", "event `x`") declared twice.
pub(crate) fn duplicate_field(at: Span, name: &str, owner: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::Duplicate,
        at,
        format!("field `{name}` of {owner} is declared twice"),
    )
    .with_primary_message("declared again here")
    .with_label(first, "previously declared here")
}

/// `E0102`: a `one of` value listed twice.
pub(crate) fn duplicate_value(at: Span, value: &str) -> Diagnostic {
    Diagnostic::new(
        Code::Duplicate,
        at,
        format!("value `{value}` is listed twice"),
    )
    .with_primary_message("repeated value")
}

/// `E0102`: a second `lead` block.
pub(crate) fn duplicate_lead_block(at: Span) -> Diagnostic {
    Diagnostic::new(Code::Duplicate, at, "the `lead` block is declared twice")
        .with_primary_message("second `lead` block")
        .with_help("declare every lead field in one `lead` block")
}

/// `E0102`: a band declared twice in one band set.
pub(crate) fn duplicate_band(at: Span, name: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::Duplicate,
        at,
        format!("band `{name}` is declared twice"),
    )
    .with_primary_message("declared again here")
    .with_label(first, "previously declared here")
}

/// `E0102`: an account key listed twice in an account set.
pub(crate) fn duplicate_account(at: Span, key: &str) -> Diagnostic {
    Diagnostic::new(
        Code::Duplicate,
        at,
        format!("account `{key}` is listed twice"),
    )
    .with_primary_message("listed again here")
}

/// `E0103`: `name` is a `found` where a `wanted` is expected; `declared` points at it when
/// worth showing, and the help is the closest `wanted` name, else a short list of them.
pub(crate) fn wrong_kind(
    at: Span,
    name: &str,
    found: &str,
    wanted: &str,
    declared: Option<Span>,
    near: Option<&str>,
    wanted_names: &[String],
) -> Diagnostic {
    let mut diag = Diagnostic::new(
        Code::WrongKind,
        at,
        format!("`{name}` is a {found}, not a {wanted}"),
    )
    .with_primary_message(format!("expected a {wanted}"));
    if let Some(span) = declared {
        diag = diag.with_label(span, format!("`{name}` is declared here"));
    }
    if let Some(s) = near {
        diag.with_help(did_you_mean(s))
    } else if !wanted_names.is_empty() && wanted_names.len() <= 6 {
        diag.with_note(format!("{wanted}s: {}", backticked(wanted_names)))
    } else {
        diag
    }
}

/// `E0103`: `route to` names a router or `route via` a queue (`to_queue` says which was
/// written); `declared` points at the target when worth showing.
pub(crate) fn wrong_route_target(
    at: Span,
    target: &str,
    to_queue: bool,
    declared: Option<Span>,
) -> Diagnostic {
    let (written, fix, what, found) = if to_queue {
        ("to", "via", "a queue", "a router")
    } else {
        ("via", "to", "a router", "a queue")
    };
    let diag = Diagnostic::new(
        Code::WrongKind,
        at,
        format!("`{target}` is {found}, not {what}"),
    )
    .with_primary_message(format!("`route {written}` takes {what}"))
    .with_help(format!("write `route {fix} {target}`"));
    match declared {
        Some(span) => diag.with_label(span, format!("`{target}` is declared here")),
        None => diag,
    }
}

/// `E0103`: a queue that overflows into itself.
pub(crate) fn overflows_into_itself(at: Span, queue: &str) -> Diagnostic {
    Diagnostic::new(
        Code::WrongKind,
        at,
        format!("queue `{queue}` overflows into itself"),
    )
    .with_primary_message("same queue")
    .with_help("overflow to another queue, or remove the statement")
}

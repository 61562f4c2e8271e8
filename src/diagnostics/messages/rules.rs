//! Playbook rules: paths, SLAs, reachability, bands, calendars, missing and conflicting
//! statements, unused declarations (`E0301`–`W0318`).

use super::{did_you_mean, Diagnostic};
use crate::diagnostics::Code;
use crate::span::Span;

/// A mandatory statement missing from a block, reported on the block's name.
fn missing(code: Code, at: Span, message: String, help: &str) -> Diagnostic {
    Diagnostic::new(code, at, message)
        .with_primary_message("declared here")
        .with_help(help)
}

/// `E0301`: a reason with no recycle path.
pub(crate) fn reason_without_recycle(at: Span, reason: &str) -> Diagnostic {
    missing(
        Code::ReasonWithoutRecycle,
        at,
        format!("reason `{reason}` has no recycle path"),
        "add `recycle to TRACK`, `convert` or `close`",
    )
}

/// `E0302`: a handoff with no SLA.
pub(crate) fn handoff_without_sla(at: Span, handoff: &str) -> Diagnostic {
    missing(
        Code::HandoffWithoutSla,
        at,
        format!("handoff `{handoff}` has no SLA"),
        "add `sla 15m`, `sla 4h business`, `sla 1bd` or `sla same day`",
    )
}

/// `E0303`: the SLA at `at` of a handoff (named at `handoff_at`) has no breach path.
pub(crate) fn sla_without_breach(at: Span, handoff: &str, handoff_at: Span) -> Diagnostic {
    Diagnostic::new(
        Code::SlaWithoutBreach,
        at,
        format!("the SLA of handoff `{handoff}` has no breach path"),
    )
    .with_primary_message("nothing happens when this is missed")
    .with_label(handoff_at, "in this handoff")
    .with_help("add an `on breach { ... }` block, for example with `notify ROLE` and `after 2 breaches recycle to TRACK as REASON`")
}

/// `W0304`: a reason recycles to `track` with no suppression window, so the standing-state
/// `handoff` can take the lead straight back; `handoff_at` labels the handoff when not yet shown.
pub(crate) fn ping_pong_unsuppressed(
    at: Span,
    reason: &str,
    track: &str,
    handoff: &str,
    handoff_at: Option<Span>,
) -> Diagnostic {
    let diag = Diagnostic::new(
        Code::PingPong,
        at,
        format!("reason `{reason}` recycles to `{track}` with no suppression and can bounce straight back to a seller"),
    )
    .with_primary_message("recycled with no suppression window")
    .with_help(format!(
        "add `suppress for 30d` to the reason, or make `{handoff}` wait for a fresh event with `on EVENT`"
    ));
    standing_state_label(diag, handoff, handoff_at)
}

/// `W0304`: the standing-state `handoff` is exempt from a reason's suppression and takes the
/// lead straight back; `handoff_at` labels the handoff when not yet shown.
pub(crate) fn ping_pong_exempt(
    at: Span,
    reason: &str,
    handoff: &str,
    handoff_at: Option<Span>,
) -> Diagnostic {
    let diag = Diagnostic::new(
        Code::PingPong,
        at,
        format!("reason `{reason}` lets `{handoff}` take the lead straight back despite its suppression"),
    )
    .with_primary_message(format!("`{handoff}` is exempt from the suppression"))
    .with_help(format!(
        "keep `unless` for hand-raise rules; remove `{handoff}` from it"
    ));
    standing_state_label(diag, handoff, handoff_at)
}

/// Labels the handoff that takes a recycled lead back, if given.
fn standing_state_label(diag: Diagnostic, handoff: &str, at: Option<Span>) -> Diagnostic {
    match at {
        Some(at) => diag.with_label(
            at,
            format!("`{handoff}` fires on standing state and still holds"),
        ),
        None => diag,
    }
}

/// `W0305`: a track no rule leads to.
pub(crate) fn unreachable_track(at: Span, track: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnreachableTrack,
        at,
        format!("track `{track}` can never be entered"),
    )
    .with_primary_message("no rule leads here")
    .with_help("add `enter when ...`, or name it in `exit to`, `then move to`, `recycle to` or `rescue with`")
}

/// `W0306`: a router rule after a catch-all; `catch_all` is labelled on the first such rule.
pub(crate) fn rule_after_catch_all(at: Span, router: &str, catch_all: Option<Span>) -> Diagnostic {
    let diag = Diagnostic::new(
        Code::UnreachableRule,
        at,
        format!("this rule of router `{router}` can never apply"),
    )
    .with_primary_message("every lead is already routed above");
    match catch_all {
        Some(span) => diag.with_label(span, "this rule catches every lead"),
        None => diag,
    }
}

/// `W0306`: a routing condition that contradicts itself.
pub(crate) fn routing_condition_never_true(at: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnreachableRule,
        at,
        "this routing condition can never be true",
    )
    .with_primary_message("contradictory condition")
}

/// `W0306`: a handoff whose trigger contradicts itself; `handoff_at` labels its name when the
/// finding points at its condition.
pub(crate) fn handoff_never_fires(at: Span, handoff: &str, handoff_at: Option<Span>) -> Diagnostic {
    let diag = Diagnostic::new(
        Code::UnreachableRule,
        at,
        format!("handoff `{handoff}` can never fire"),
    )
    .with_primary_message("this condition contradicts itself")
    .with_help("a field holds one value at a time; `or` may be meant where `and` is written");
    match handoff_at {
        Some(span) => diag.with_label(span, "in this handoff"),
        None => diag,
    }
}

/// `E0307`: handoffs `first` (at `first_at`, routing to `first_route`) and `second` (at `at`,
/// routing to `second_route`) share a trigger and a `priority`.
pub(crate) fn overlapping_handoffs(
    at: Span,
    first: &str,
    second: &str,
    second_route: &str,
    first_at: Span,
    first_route: &str,
    priority: i64,
) -> Diagnostic {
    Diagnostic::new(
        Code::OverlappingHandoffs,
        at,
        format!("handoffs `{first}` and `{second}` can route the same lead two ways"),
    )
    .with_primary_message(format!("routes to {second_route}"))
    .with_label(first_at, format!("routes to {first_route}"))
    .with_note(format!(
        "both can fire on the same trigger, and both have priority {priority}"
    ))
    .with_help("give one a lower `priority` number (it wins), or make their conditions exclusive")
}

/// `E0308`: band `second` of `set` starts at `start` (at `at`) while band `first` (at
/// `first_at`) still runs to `first_end`.
pub(crate) fn bands_overlap(
    at: Span,
    set: &str,
    first: &str,
    second: &str,
    start: f64,
    first_at: Span,
    first_end: f64,
) -> Diagnostic {
    let runs = if first_end.is_finite() {
        format!("still runs to {first_end}")
    } else {
        format!("runs on with {}", bound(first_end))
    };
    Diagnostic::new(
        Code::BandOverlap,
        at,
        format!("bands `{first}` and `{second}` of `{set}` overlap"),
    )
    .with_primary_message(format!("starts at {start}"))
    .with_label(first_at, runs)
    .with_help(format!(
        "end `{first}` at {start} (ranges are `from LOW to HIGH`, HIGH excluded)"
    ))
}

/// A band bound for messages: `70`, or words for the open ends.
fn bound(v: f64) -> String {
    if v == f64::INFINITY {
        "no upper end".to_string()
    } else if v == f64::NEG_INFINITY {
        "no lower end".to_string()
    } else {
        v.to_string()
    }
}

/// `E0308`: a band whose range ends (`to`) at or before it starts (`from`).
pub(crate) fn empty_band(at: Span, band: &str, from: f64, to: f64) -> Diagnostic {
    Diagnostic::new(
        Code::BandOverlap,
        at,
        format!("band `{band}` is empty: it ends at {to}, not after {from}"),
    )
    .with_primary_message("empty range")
    .with_help("write `from LOW to HIGH` with LOW below HIGH")
}

/// `W0309`: reachable scores from `low` (possibly unbounded) up to the lowest band's `start`
/// fall in no band of `set`.
pub(crate) fn gap_below(at: Span, set: &str, low: f64, start: f64) -> Diagnostic {
    let what = if low.is_finite() {
        format!("scores from {low} to {start} fall in no band")
    } else {
        format!("scores below {start} fall in no band")
    };
    gap(at, set, what, format!("the lowest band starts at {start}"))
        .with_help(format!("add `band X below {start}` for the lowest scores"))
}

/// `W0309`: reachable scores from the highest band's `end` up to `high` (possibly unbounded)
/// fall in no band of `set`; `last` is that band.
pub(crate) fn gap_above(at: Span, set: &str, last: &str, end: f64, high: f64) -> Diagnostic {
    let what = if high.is_finite() {
        format!("scores from {end} to {high} fall in no band")
    } else {
        format!("scores from {end} up fall in no band")
    };
    gap(at, set, what, format!("the highest band ends at {end}")).with_help(format!(
        "drop `to {end}` so `{last}` has no upper end, or add `band X from {end}`"
    ))
}

/// `W0309`: scores between band `first`'s `end` (at `at`) and the next band's `start` (at
/// `next_at`) fall in no band of `set`.
pub(crate) fn gap_between(
    at: Span,
    set: &str,
    first: &str,
    end: f64,
    start: f64,
    next_at: Span,
) -> Diagnostic {
    gap(
        at,
        set,
        format!("scores from {end} to {start} fall in no band"),
        format!("ends at {end}"),
    )
    .with_label(next_at, format!("the next band starts at {start}"))
    .with_help(format!(
        "end `{first}` at {start}, or add `band X from {end} to {start}`"
    ))
}

/// The common head of the `W0309` findings.
fn gap(at: Span, set: &str, what: String, label: String) -> Diagnostic {
    Diagnostic::new(
        Code::BandGap,
        at,
        format!("bands of `{set}` leave a gap: {what}"),
    )
    .with_primary_message(label)
}

/// `E0310`: a handoff's SLA counts business time, but the listed `queues` have no calendar.
pub(crate) fn business_time_without_calendar(
    at: Span,
    handoff: &str,
    queues: &[String],
) -> Diagnostic {
    Diagnostic::new(
        Code::BusinessTimeWithoutCalendar,
        at,
        format!("the SLA of handoff `{handoff}` counts business time but has no calendar"),
    )
    .with_primary_message("business time")
    .with_note(format!("queues without a calendar: {}", queues.join(", ")))
    .with_help("declare a `calendar` and name it in the `playbook` header or in each queue")
}

/// `E0311`: a sequence with no `on exhausted disposition`.
pub(crate) fn sequence_without_disposition(at: Span, sequence: &str) -> Diagnostic {
    missing(
        Code::SequenceWithoutDisposition,
        at,
        format!("sequence `{sequence}` never ends in a disposition"),
        "add `on exhausted disposition no_response` (or another reason)",
    )
}

/// `W0312`: a breach path that requeues with no breach limit.
pub(crate) fn unbounded_requeue(at: Span, handoff: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnboundedRequeue,
        at,
        format!("the breach path of `{handoff}` can requeue a lead for ever"),
    )
    .with_primary_message("repeats on every breach, with no limit")
    .with_help("add `after 2 breaches recycle to TRACK as REASON` to the breach path")
}

/// `E0313`: working hours that `close` no later than they `open`.
pub(crate) fn empty_working_hours(at: Span, open: &str, close: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidCalendar,
        at,
        format!("working hours close at `{close}`, not after they open at `{open}`"),
    )
    .with_primary_message("empty working hours")
    .with_help("write opening time first; hours cannot run past midnight")
}

/// `E0313`: a calendar with no `timezone`.
pub(crate) fn calendar_without_timezone(at: Span, calendar: &str) -> Diagnostic {
    missing(
        Code::InvalidCalendar,
        at,
        format!("calendar `{calendar}` has no time zone"),
        "add `timezone \"Europe/London\"` (any IANA time zone)",
    )
}

/// `E0313`: a calendar with no `hours`.
pub(crate) fn calendar_without_hours(at: Span, calendar: &str) -> Diagnostic {
    missing(
        Code::InvalidCalendar,
        at,
        format!("calendar `{calendar}` has no working hours"),
        "add `hours mon to fri 09:00 to 17:30`",
    )
}

/// `E0313`: a time zone that is no IANA name; `message` is the calendar's own error.
pub(crate) fn unknown_timezone(at: Span, message: String, near: Option<&str>) -> Diagnostic {
    let help = match near {
        Some(s) => did_you_mean(s),
        None => {
            "time zones are IANA names such as `Europe/London` or `America/New_York`".to_string()
        }
    };
    Diagnostic::new(Code::InvalidCalendar, at, message)
        .with_primary_message("not an IANA time zone")
        .with_help(help)
}

/// `E0313`: any other invalid calendar; `message` is the calendar's own error.
pub(crate) fn invalid_calendar(at: Span, message: String, calendar_at: Span) -> Diagnostic {
    Diagnostic::new(Code::InvalidCalendar, at, message)
        .with_primary_message("in this calendar")
        .with_label(calendar_at, "calendar declared here")
}

/// `E0314`: a sequence with no steps.
pub(crate) fn sequence_without_steps(at: Span, sequence: &str) -> Diagnostic {
    missing(
        Code::MissingStatement,
        at,
        format!("sequence `{sequence}` has no steps"),
        "add steps such as `day 0 call`",
    )
}

/// `E0314`: tracks exist but none is `enter by default`; `at` is the first track's name.
pub(crate) fn no_default_track(at: Span) -> Diagnostic {
    missing(
        Code::MissingStatement,
        at,
        "no track is entered by default".to_string(),
        "add `enter by default` to the track that takes leads matching no `enter when`",
    )
}

/// `E0314`: a disqualifier with no condition.
pub(crate) fn disqualifier_without_condition(at: Span, disqualifier: &str) -> Diagnostic {
    missing(
        Code::MissingStatement,
        at,
        format!("disqualifier `{disqualifier}` has no condition"),
        "add `when CONDITION` or `on EVENT where CONDITION`",
    )
}

/// `E0314`: a disqualifier with no reason.
pub(crate) fn disqualifier_without_reason(at: Span, disqualifier: &str) -> Diagnostic {
    missing(
        Code::MissingStatement,
        at,
        format!("disqualifier `{disqualifier}` has no reason"),
        "add `reason REASON` (for example `reason not_icp`)",
    )
}

/// `E0314`: a handoff with no trigger.
pub(crate) fn handoff_without_trigger(at: Span, handoff: &str) -> Diagnostic {
    missing(
        Code::MissingStatement,
        at,
        format!("handoff `{handoff}` has no trigger"),
        "add `on EVENT` (a hand-raise) or `when CONDITION` (a score band, a count)",
    )
}

/// `E0314`: a handoff with no route.
pub(crate) fn handoff_without_route(at: Span, handoff: &str) -> Diagnostic {
    missing(
        Code::MissingStatement,
        at,
        format!("handoff `{handoff}` has no route"),
        "add `route to QUEUE` or `route via ROUTER`",
    )
}

/// `E0314`: an account set with no `key`.
pub(crate) fn accounts_without_key(at: Span, accounts: &str) -> Diagnostic {
    missing(
        Code::MissingStatement,
        at,
        format!("account set `{accounts}` has no `key`"),
        "add `key domain` (the lead field matched against the accounts)",
    )
}

/// `E0314`: a band set with no bands.
pub(crate) fn bands_without_bands(at: Span, set: &str) -> Diagnostic {
    missing(
        Code::MissingStatement,
        at,
        format!("band set `{set}` has no bands"),
        "add `band A from 70` and further bands",
    )
}

/// `E0314`: a router with no `otherwise` rule.
pub(crate) fn router_without_otherwise(at: Span, router: &str) -> Diagnostic {
    Diagnostic::new(
        Code::MissingStatement,
        at,
        format!("router `{router}` has no `otherwise` rule"),
    )
    .with_primary_message("a lead matching no rule would be stranded")
    .with_help("add `otherwise to QUEUE` as the last rule (the fallback queue)")
}

/// `E0315`: `what` ("the time zone") is given again at `at`, first at `first`.
pub(crate) fn given_twice(at: Span, what: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::ConflictingStatement,
        at,
        format!("{what} is given twice"),
    )
    .with_primary_message("given again here")
    .with_label(first, "first given here")
    .with_help("keep one of them")
}

/// `E0315`: a call outcome mapped to a reason twice.
pub(crate) fn outcome_mapped_twice(at: Span, outcome: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ConflictingStatement,
        at,
        format!("outcome `{outcome}` is mapped twice"),
    )
    .with_primary_message("mapped again here")
}

/// `E0315`: a second `enter by default` track; `first` is the first one.
pub(crate) fn two_default_tracks(at: Span, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::ConflictingStatement,
        at,
        "two tracks are entered by default",
    )
    .with_primary_message("second default track")
    .with_label(first, "the first default track")
    .with_help("exactly one track takes leads that match no `enter when`")
}

/// `E0315`: a reason with a second destination; `first` is the first one.
pub(crate) fn two_destinations(at: Span, reason: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::ConflictingStatement,
        at,
        format!("reason `{reason}` has two destinations"),
    )
    .with_primary_message("second destination")
    .with_label(first, "first destination")
    .with_help("a reason leads to exactly one of `recycle to`, `convert` or `close`")
}

/// `W0316`: a declaration of `kind` ("queue", "context package") nothing refers to.
pub(crate) fn unused_declaration(at: Span, kind: &str, name: &str) -> Diagnostic {
    let how = match kind {
        "context package" => format!("`context {name}` in a handoff sends it"),
        "sequence" => format!("`sequence {name}` in a handoff starts it"),
        "router" => format!("`route via {name}` in a handoff uses it"),
        "queue" => format!("`route to {name}`, `overflow to {name}` or a router rule fills it"),
        "account set" => {
            format!("`owner from {name}` in a router or `in {name}` in a condition uses it")
        }
        "calendar" => format!("`calendar {name}` in the `playbook` header or a queue uses it"),
        _ => "refer to it from a rule".to_string(),
    };
    Diagnostic::new(
        Code::UnusedDeclaration,
        at,
        format!("{kind} `{name}` is never used"),
    )
    .with_primary_message("declared here")
    .with_help(format!("{how}; otherwise delete it"))
}

/// `W0317`: a track's entry condition holds for every new lead; `default` is the default
/// track (its span and name) that therefore receives none.
pub(crate) fn entry_always_holds(
    at: Span,
    track: &str,
    default: Option<(Span, &str)>,
) -> Diagnostic {
    let diag = Diagnostic::new(
        Code::EntryAlwaysHolds,
        at,
        format!("the entry condition of track `{track}` holds for every new lead"),
    )
    .with_primary_message("true for every lead as it arrives")
    .with_note("a new lead enters the first track in file order whose `enter when` holds, and the default track only when none does")
    .with_help("`enter when` is tested once, on arrival, before any event: scores hold only their `when` points and counts are zero; use a condition a new lead can fail, or `enter by default`");
    match default {
        Some((span, name)) => diag.with_label(
            span,
            format!("so no new lead enters the default track `{name}`"),
        ),
        None => diag,
    }
}

/// `W0318`: `kpi target_account_meetings` in a `block` ("track", "sequence") counts nothing.
pub(crate) fn kpi_line_without_effect(at: Span, block: &str) -> Diagnostic {
    Diagnostic::new(
        Code::KpiLineWithoutEffect,
        at,
        format!("`kpi target_account_meetings` in a {block} counts nothing"),
    )
    .with_primary_message("a label here: it marks no lead as a target account")
    .with_note("the kpi counts meetings of handoffs routed to a named-account owner (`owner from`) or fired by a `handoff` rule with this line")
    .with_help("move the line into the `handoff` rules that hand target accounts to sellers")
}

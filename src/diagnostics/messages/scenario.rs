//! Simulation scenarios (`E0401`–`W0403`).

use super::Diagnostic;
use crate::diagnostics::Code;
use crate::span::Span;

/// `E0401`: the common form of an impossible scenario setting.
fn invalid(at: Span, message: String) -> Diagnostic {
    Diagnostic::new(Code::InvalidScenario, at, message).with_primary_message("impossible setting")
}

/// `E0401`: a scenario with no lead source.
pub(crate) fn scenario_without_source(at: Span, scenario: &str) -> Diagnostic {
    missing(
        at,
        format!("scenario `{scenario}` has no lead source"),
        "add `source web 100 per day` (Poisson arrivals)",
    )
}

/// `E0401`: a scenario with no behaviour profile.
pub(crate) fn scenario_without_profile(at: Span, scenario: &str) -> Diagnostic {
    missing(
        at,
        format!("scenario `{scenario}` has no behaviour profile"),
        "add `profile hot 100% { signal form_submit on arrival }`",
    )
}

/// `E0401`: a `staff` block with no handling time.
pub(crate) fn staff_without_handling(at: Span, queue: &str) -> Diagnostic {
    missing(
        at,
        format!("staff of `{queue}` has no handling time"),
        "add `handle exponential(mean 20m)`",
    )
}

/// A mandatory scenario statement missing, reported on the block's name.
fn missing(at: Span, message: String, help: &str) -> Diagnostic {
    Diagnostic::new(Code::InvalidScenario, at, message)
        .with_primary_message("declared here")
        .with_help(help)
}

/// `E0404`: a `warm-up` that leaves nothing of the horizon to measure.
pub(crate) fn warmup_too_long(
    at: Span,
    horizon: Option<Span>,
    warmup_days: f64,
    horizon_days: f64,
) -> Diagnostic {
    let d = Diagnostic::new(
        Code::WarmupTooLong,
        at,
        format!("a warm-up of {warmup_days} days is not shorter than the horizon of {horizon_days} days"),
    )
    .with_primary_message("no time left to measure")
    .with_help("shorten the warm-up, or leave it out to have the simulator choose one");
    match horizon {
        Some(h) => d.with_label(h, "the horizon"),
        None => d.with_note("a scenario without `horizon` simulates 90 days"),
    }
}

/// `E0401`: a reason in a scenario written as quoted text.
pub(crate) fn quoted_reason(at: Span) -> Diagnostic {
    invalid(at, "reasons are names, not quoted text".to_string())
}

/// `E0401`: more sources than can have their own random streams.
pub(crate) fn too_many_sources(at: Span, scenario: &str, sources: usize, max: usize) -> Diagnostic {
    invalid(
        at,
        format!("scenario `{scenario}` has {sources} sources, more than the {max} whose leads can each have their own random streams"),
    )
}

/// `E0401`: `what` ("a seller count") is zero, negative or not finite.
pub(crate) fn not_positive(at: Span, what: &str) -> Diagnostic {
    invalid(at, format!("{what} must be above zero"))
}

/// `E0401`: shares (`what`) that sum to `percent`; the first share is at `at`, the others
/// are labelled.
pub(crate) fn shares_not_whole(at: Span, others: &[Span], what: &str, percent: f64) -> Diagnostic {
    let mut diag = Diagnostic::new(
        Code::InvalidScenario,
        at,
        format!("{what} add up to {percent}%, not 100%"),
    )
    .with_primary_message("shares must sum to 100%");
    for span in others {
        diag = diag.with_label(*span, "also in the sum");
    }
    diag
}

/// `E0401`: a distribution parameter that is neither a number nor a duration.
pub(crate) fn distribution_parameter(at: Span) -> Diagnostic {
    invalid(
        at,
        "distribution parameters are numbers or durations".to_string(),
    )
}

/// `E0401`: `uniform(low, high)` written high first; `low` and `high` are as written.
pub(crate) fn uniform_bounds_swapped(at: Span, low: &str, high: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidScenario,
        at,
        "a uniform distribution needs its low bound first",
    )
    .with_primary_message("the low bound is above the high bound")
    .with_help(format!("swap them: `uniform({high}, {low})`"))
}

/// `E0401`: a lognormal sigma out of range.
pub(crate) fn lognormal_sigma(at: Span) -> Diagnostic {
    invalid(at, "a lognormal sigma lies between 0 and 10".to_string())
}

/// `E0401`: a distribution of times or counts that can draw below zero.
pub(crate) fn negative_distribution(at: Span) -> Diagnostic {
    invalid(
        at,
        "a distribution of times or counts cannot go below zero".to_string(),
    )
}

/// `E0401`: more signal lines in a profile than can have their own random streams.
pub(crate) fn too_many_signal_lines(
    at: Span,
    profile: &str,
    lines: usize,
    max: usize,
) -> Diagnostic {
    invalid(
        at,
        format!("profile `{profile}` has {lines} signal lines, more than the {max} that can each have their own random stream"),
    )
}

/// `W0402`: `queue`'s sellers are offered at least as many hours of work as they work.
pub(crate) fn overworked_queue(
    at: Span,
    scenario: &str,
    queue: &str,
    (asked, given): (f64, f64),
    sellers: u32,
) -> Diagnostic {
    overloaded(
        at,
        format!(
            "in scenario `{scenario}`, queue `{queue}` is offered {} seller-hours of work a day, \
             and its {sellers} seller{} work {} hours a day (load {})",
            figure(asked),
            plural(sellers),
            figure(given),
            figure(asked / given),
        ),
        "add sellers, shorten handling or follow-up work, or lower arrival rates",
    )
}

/// `W0402`: `queue`'s sellers would hold at least as many open leads as their `capacity` allows.
pub(crate) fn over_capacity_queue(
    at: Span,
    scenario: &str,
    queue: &str,
    (held, slots): (f64, f64),
    sellers: u32,
) -> Diagnostic {
    overloaded(
        at,
        format!(
            "in scenario `{scenario}`, queue `{queue}`'s handoffs would keep {} leads open \
             on average, and its {sellers} seller{} may hold {} at once (load {})",
            figure(held),
            plural(sellers),
            figure(slots),
            figure(held / slots),
        ),
        "add sellers, raise the queue's `capacity`, or end handoffs sooner",
    )
}

/// A queue over its load, whichever resource binds.
fn overloaded(at: Span, message: String, help: &str) -> Diagnostic {
    Diagnostic::new(Code::OverloadedScenario, at, message)
        .with_primary_message(BEYOND)
        .with_note(LOAD_NOTE)
        .with_help(help)
}

/// `W0402`: handoffs reach `queue`, which the scenario staffs with no seller.
pub(crate) fn unstaffed_load(at: Span, scenario: &str, queue: &str, per_day: f64) -> Diagnostic {
    Diagnostic::new(
        Code::OverloadedScenario,
        at,
        format!(
            "scenario `{scenario}` sends {} handoffs a day to queue `{queue}`, which no seller staffs",
            figure(per_day)
        ),
    )
    .with_primary_message("no seller takes them: they wait until a breach moves them on, or to the end of the run")
    .with_note(LOAD_NOTE)
    .with_help(format!("add a `staff {queue}` block with `sellers` and `handle` to the scenario"))
}

/// What an overloaded queue does to its leads.
const BEYOND: &str = "more than its sellers can take: the rest wait until a breach moves them on, or to the end of the run";

/// How W0402's figures were found, for every form of it.
const LOAD_NOTE: &str = "offered load from a pilot of the scenario: a cohort of leads living \
     out their lives with sellers to spare, its work per lead times the arrival rate";

/// A figure as a reader wants it: two significant decimals below 10, whole above.
fn figure(v: f64) -> String {
    if !v.is_finite() {
        "unbounded".to_string()
    } else if v.abs() < 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.0}")
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `W0403`: `queue`, where `handoff` routes leads, has no seller in the scenario.
pub(crate) fn unstaffed_queue(at: Span, scenario: &str, queue: &str, handoff: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnstaffedQueue,
        at,
        format!("scenario `{scenario}` staffs no seller for queue `{queue}`, which handoff `{handoff}` routes to"),
    )
    .with_primary_message("leads routed there wait for the whole horizon")
    .with_help(format!("add a `staff {queue}` block with `sellers` and `handle` to the scenario"))
}

/// `E0401`: a shape with day levels but no time zone to read them in.
pub(crate) fn shape_without_timezone(at: Span, shape: &str) -> Diagnostic {
    missing(
        at,
        format!("shape `{shape}` has no time zone"),
        "add `timezone \"Europe/London\"` (any IANA time zone)",
    )
}

/// `E0401`: a shape day whose first level has a time after midnight (`written`).
pub(crate) fn shape_day_starts_late(at: Span, written: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidScenario,
        at,
        format!("a shape's day starts at midnight, not at `{written}`"),
    )
    .with_primary_message("the first level of a day")
    .with_help(format!(
        "write the level before `{written}` first, with no time: `on mon 5%, {written} 100%`"
    ))
}

/// `E0401`: a level whose time (`written`) is not after the level before it (`previous`).
pub(crate) fn shape_levels_out_of_order(at: Span, written: &str, previous: Span) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidScenario,
        at,
        format!("the levels of a day go forward in time, but `{written}` is not after the level before it"),
    )
    .with_primary_message("out of order")
    .with_label(previous, "the level before")
}

/// `E0401`: a shape that is at 0% all week.
pub(crate) fn shape_never_active(at: Span, shape: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidScenario,
        at,
        format!("shape `{shape}` is at 0% all week, so nothing following it would ever happen"),
    )
    .with_primary_message("declared here")
    .with_help("give some hours of the week a level above 0%")
}

/// `E0401`: a yearly decline of 100% or more.
pub(crate) fn decline_too_steep(at: Span) -> Diagnostic {
    invalid(at, "a trend down must be below 100% per year".to_string())
}

/// `E0401`: a level after a day's first written without its time.
pub(crate) fn shape_level_without_time(at: Span) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidScenario,
        at,
        "only a day's first level may leave out its time",
    )
    .with_primary_message("from when?")
    .with_help("write the time the level starts at, as in `17:30 20%`")
}

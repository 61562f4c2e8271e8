//! Hover: what a name is and how it is defined, and what a finding's code means.

use super::analysis::Analysis;
use super::index::{Kind, Symbol};
use crate::span::Span;
use crate::syntax::ast::{self, Item};
use std::fmt::Write as _;

/// Lines of a declaration shown in a hover before it is cut short.
const MAX_LINES: usize = 20;

/// Markdown describing what is at byte `offset`, with the span it describes.
pub fn hover(a: &Analysis, offset: usize) -> Option<(Span, String)> {
    let mut out = String::new();
    let mut span = None;
    if let Some(id) = a.index.at(offset) {
        let s = a.index.symbol(id)?;
        span = a
            .index
            .references
            .iter()
            .find(|r| r.target == id && covers(r.span, offset))
            .map(|r| r.span)
            .or(Some(s.span));
        out.push_str(&describe(a, s));
    }
    for d in a.diagnostics.iter().filter(|d| covers(d.span(), offset)) {
        if !out.is_empty() {
            out.push_str("\n\n---\n\n");
        }
        let _ = write!(
            out,
            "**{}** ({}): {}\n\n{}",
            d.code.as_str(),
            d.severity().as_str(),
            d.message,
            d.code.explain()
        );
        span = span.or(Some(d.span()));
    }
    Some((span?, out))
}

fn covers(span: Span, offset: usize) -> bool {
    span.range().contains(&offset) || span.end as usize == offset
}

/// The hover text of a declared name: its kind, facts worth computing, and its declaration.
pub fn describe(a: &Analysis, s: &Symbol) -> String {
    let mut out = match s.kind {
        Kind::Test => format!("**test** \"{}\"", s.name),
        _ => format!("**{}** `{}`", s.kind.word(), s.name),
    };
    if !s.scope.is_empty() {
        let _ = write!(out, " of `{}`", s.scope);
    }
    let item = a.file.items.get(s.item);
    let facts = match (s.kind, item) {
        (Kind::Band, Some(Item::Bands(b))) => band_range(b, &s.name),
        (Kind::Handoff, Some(Item::Handoff(h))) => sla(a, h),
        (Kind::Queue, Some(Item::Queue(q))) => queue(a, q),
        (Kind::Reason, Some(Item::Reason(r))) => reason(r),
        _ => Vec::new(),
    };
    for f in facts {
        let _ = write!(out, "\n\n{f}");
    }
    let _ = write!(out, "\n\n```handoff\n{}\n```", excerpt(a.slice(s.decl)));
    out
}

/// The declaration's text, cut after [`MAX_LINES`] lines.
fn excerpt(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= MAX_LINES {
        return text.trim_end().to_owned();
    }
    let mut out = lines.get(..MAX_LINES).unwrap_or(&[]).join("\n");
    out.push_str("\n  # …");
    out
}

/// Which sums of the set's scores a band takes.
fn band_range(b: &ast::BandsDecl, name: &str) -> Vec<String> {
    let Some(band) = b
        .bands
        .iter()
        .map(|s| &s.kind)
        .find(|k| k.name.name == name)
    else {
        return Vec::new();
    };
    let scores: Vec<&str> = b.scores.iter().map(|s| s.name.as_str()).collect();
    let sum = format!("`{}`", scores.join(" + "));
    let range = match (&band.from, &band.to) {
        (Some(f), Some(t)) => format!("from {} up to (not including) {}", f.value, t.value),
        (Some(f), None) => format!("{} and above", f.value),
        (None, Some(t)) => format!("below {}", t.value),
        (None, None) => "any sum".to_owned(),
    };
    vec![format!("a lead is in band `{name}` when {sum} is {range}")]
}

/// A handoff's SLA, in the time it counts.
fn sla(a: &Analysis, h: &ast::Block<ast::HandoffStmt>) -> Vec<String> {
    let calendar = handoff_calendar(a, h);
    let on = |what: String| match &calendar {
        Some(c) => format!("SLA: {what}, on calendar `{c}`{}", hours(a, c)),
        None => format!("SLA: {what}, with no calendar to count it on"),
    };
    h.body
        .iter()
        .filter_map(|s| match &s.kind {
            ast::HandoffStmt::Sla { within, clock } => {
                let business = within.unit.is_business() || *clock == Some(ast::SlaClock::Business);
                let amount = duration_words(within);
                Some(if within.unit.is_business() {
                    on(amount)
                } else if business {
                    on(format!("{amount} of business time"))
                } else {
                    format!("SLA: {amount} of wall time")
                })
            }
            ast::HandoffStmt::SlaSameDay => Some(on("by the close of the business day".to_owned())),
            _ => None,
        })
        .collect()
}

/// `15m` as `15 minutes`, `1bd` as `1 business day`.
fn duration_words(d: &ast::DurationLit) -> String {
    let business = if d.unit.is_business() {
        "business "
    } else {
        ""
    };
    let unit = match d.unit {
        ast::DurationUnit::Minutes => "minute",
        ast::DurationUnit::Hours | ast::DurationUnit::BusinessHours => "hour",
        ast::DurationUnit::Days | ast::DurationUnit::BusinessDays => "day",
        ast::DurationUnit::Weeks => "week",
    };
    let plural = if d.value == 1.0 { "" } else { "s" };
    format!("{} {business}{unit}{plural}", d.value)
}

/// The calendar an SLA counts on: the queue's it routes to, else the playbook's default.
fn handoff_calendar(a: &Analysis, h: &ast::Block<ast::HandoffStmt>) -> Option<String> {
    let queue = h.body.iter().find_map(|s| match &s.kind {
        ast::HandoffStmt::RouteTo(q) => Some(q.name.as_str()),
        _ => None,
    });
    let of_queue = a.file.items.iter().find_map(|i| match i {
        Item::Queue(q) if Some(q.name.name.as_str()) == queue => queue_calendar(q),
        _ => None,
    });
    of_queue.or_else(|| default_calendar(a))
}

fn queue_calendar(q: &ast::Block<ast::QueueStmt>) -> Option<String> {
    q.body.iter().find_map(|s| match &s.kind {
        ast::QueueStmt::Calendar(c) => Some(c.name.clone()),
        _ => None,
    })
}

fn default_calendar(a: &Analysis) -> Option<String> {
    a.file.items.iter().find_map(|i| match i {
        Item::Playbook(p) => p.body.iter().find_map(|s| match &s.kind {
            ast::PlaybookStmt::Calendar(c) => Some(c.name.clone()),
            _ => None,
        }),
        _ => None,
    })
}

/// ` (mon to fri 09:00 to 17:30, Europe/London)`: a calendar's working hours, as written.
fn hours(a: &Analysis, calendar: &str) -> String {
    let Some(Item::Calendar(c)) = a
        .file
        .items
        .iter()
        .find(|i| matches!(i, Item::Calendar(c) if c.name.name == calendar))
    else {
        return String::new();
    };
    let parts: Vec<String> = c
        .body
        .iter()
        .filter_map(|s| match &s.kind {
            ast::CalendarStmt::Hours {
                from_day,
                to_day,
                open,
                close,
            } => Some(match to_day {
                Some(t) => format!(
                    "{} to {} {} to {}",
                    from_day.name, t.name, open.text, close.text
                ),
                None => format!("{} {} to {}", from_day.name, open.text, close.text),
            }),
            ast::CalendarStmt::Timezone(z) => Some(z.value.clone()),
            ast::CalendarStmt::Holiday { .. } => None,
        })
        .collect();
    format!(" ({})", parts.join(", "))
}

/// A queue's members and the calendar its SLAs count on.
fn queue(a: &Analysis, q: &ast::Block<ast::QueueStmt>) -> Vec<String> {
    let members: Vec<String> = q
        .body
        .iter()
        .filter_map(|s| match &s.kind {
            ast::QueueStmt::Members(m) => Some(m.iter().map(|i| format!("`{}`", i.name))),
            _ => None,
        })
        .flatten()
        .collect();
    let calendar = match (queue_calendar(q), default_calendar(a)) {
        (Some(c), _) => format!("calendar `{c}`{}", hours(a, &c)),
        (None, Some(c)) => format!("calendar `{c}` (the playbook's default){}", hours(a, &c)),
        (None, None) => "no calendar".to_owned(),
    };
    vec![format!("members: {}; {calendar}", members.join(", "))]
}

/// Where a reason sends a lead, and for how long it keeps it from handoffs.
fn reason(r: &ast::Block<ast::ReasonStmt>) -> Vec<String> {
    r.body
        .iter()
        .filter_map(|s| match &s.kind {
            ast::ReasonStmt::Recycle { to, after } => Some(match after {
                Some(d) => format!(
                    "recycles to track `{}` after {}",
                    to.name,
                    duration_words(d)
                ),
                None => format!("recycles to track `{}` at once", to.name),
            }),
            ast::ReasonStmt::Suppress { window, unless } => {
                let names: Vec<String> = unless.iter().map(|h| format!("`{}`", h.name)).collect();
                let except = if names.is_empty() {
                    String::new()
                } else {
                    format!(", except by {}", names.join(", "))
                };
                Some(format!(
                    "suppresses handoffs for {}{except}",
                    duration_words(window)
                ))
            }
            ast::ReasonStmt::Convert => Some("converts the lead".to_owned()),
            ast::ReasonStmt::Close => Some("closes the lead".to_owned()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    const SEED: &str = include_str!("../../playbooks/seed-matrix.playbook");

    fn hover_at(text: &str, needle: &str) -> String {
        let a = Analysis::new(text.to_owned());
        hover(&a, text.find(needle).unwrap() + 1).unwrap().1
    }

    #[test]
    fn a_band_shows_its_range() {
        let text = hover_at(SEED, "grade = A");
        assert!(text.contains("**band set** `grade`"), "{text}");
        let text = hover_at(SEED, "A from 70");
        assert!(text.contains("`fit + intent` is 70 and above"), "{text}");
    }

    #[test]
    fn a_handoff_shows_its_sla_in_the_time_it_counts() {
        let text = hover_at(SEED, "hand_raise {");
        assert!(text.contains("SLA: 15 minutes of wall time"), "{text}");
    }

    #[test]
    fn a_queue_shows_its_members_and_calendar() {
        let text = hover_at(SEED, "inbound_sdr {");
        assert!(
            text.contains("members: `ana`, `ben`, `chloe`, `dev`; calendar `london` (the playbook's default) (Europe/London, mon to fri 09:00 to 17:30)"),
            "{text}"
        );
    }

    #[test]
    fn a_reason_shows_its_recycle_path_and_suppression() {
        let text = hover_at(SEED, "no_response {");
        assert!(
            text.contains("recycles to track `re_engage` after 7 days"),
            "{text}"
        );
        assert!(
            text.contains("suppresses handoffs for 14 days, except by `hand_raise`"),
            "{text}"
        );
    }

    #[test]
    fn a_business_sla_names_its_calendar() {
        let text = hover_at(SEED, "mql {");
        assert!(
            text.contains("SLA: 1 business day, on calendar `london`"),
            "{text}"
        );
    }

    #[test]
    fn a_finding_shows_its_code_and_explanation() {
        let src = SEED.replacen("then move to long_cycle", "then move to long_cycel", 1);
        let text = hover_at(&src, "long_cycel");
        assert!(text.contains("**E0101**"), "{text}");
    }
}

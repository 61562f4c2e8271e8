//! The values a condition read when the engine tested it, and SLA deadlines, in words: what
//! `replay --explain` prints beside each rule it names. It reads values with the engine's own
//! accessors at the moment the engine reports; it decides nothing.

use crate::calendar::Timestamp;
use crate::engine::Scope;
use crate::ir::{
    BandSetId, Cond, EventId, FieldRef, FieldType, Num, Playbook, QueueId, Sla, Value,
};

/// A number as a person writes it: integers without a fraction, others to two places.
pub(super) fn number(n: f64) -> String {
    if (n - n.round()).abs() < 1e-9 {
        format!("{}", n.round())
    } else {
        format!("{n:.2}")
    }
}

/// The values a condition reads, one phrase per operand, in the order the condition names them.
pub(super) fn values(scope: &Scope<'_>, cond: &Cond, event: Option<EventId>) -> Vec<String> {
    let mut out = Vec::new();
    collect(scope, cond, event, &mut out);
    out.dedup();
    out
}

fn collect(scope: &Scope<'_>, cond: &Cond, event: Option<EventId>, out: &mut Vec<String>) {
    let mut push = |phrase: Option<String>| {
        if let Some(p) = phrase.filter(|p| !out.contains(p)) {
            out.push(p);
        }
    };
    match cond {
        Cond::True => {}
        Cond::And { all: list } | Cond::Or { any: list } => {
            for c in list {
                collect(scope, c, event, out);
            }
        }
        Cond::Not { cond } => collect(scope, cond, event, out),
        Cond::Compare { lhs, rhs, .. } => {
            push(operand(scope, lhs, event));
            push(operand(scope, rhs, event));
        }
        Cond::Flag { field }
        | Cond::EnumIn { field, .. }
        | Cond::TextIn { field, .. }
        | Cond::Contains { field, .. }
        | Cond::EndsWith { field, .. }
        | Cond::InAccounts { field, .. } => push(Some(field_value(scope, *field, event))),
        Cond::BandIn { bands, .. } => push(Some(band(scope, *bands))),
    }
}

fn operand(scope: &Scope<'_>, num: &Num, event: Option<EventId>) -> Option<String> {
    let p = scope.playbook;
    let value = scope.num(num).map_or_else(|| "unknown".to_owned(), number);
    match num {
        Num::Const(_) => None,
        Num::Field(field) => Some(field_value(scope, *field, event)),
        Num::Score(id) => {
            let name = p.scores.get(id.index()).map_or("?", |s| s.name.as_str());
            Some(format!("`{name}` = {value}"))
        }
        Num::Count(id) => {
            let counter = p.counters.get(id.index())?;
            let what = (counter.event)
                .and_then(|e| p.events.get(e.index()))
                .map_or("events", |e| e.name.as_str());
            let days = counter.window_secs as f64 / 86_400.0;
            Some(format!(
                "`{what}` counted within {}d = {value}",
                number(days)
            ))
        }
    }
}

fn field_value(scope: &Scope<'_>, field: FieldRef, event: Option<EventId>) -> String {
    let p = scope.playbook;
    let def = match field {
        FieldRef::Lead(id) => p.fields.get(id.index()),
        FieldRef::Event(i) => event
            .and_then(|e| p.events.get(e.index()))
            .and_then(|e| e.fields.get(usize::from(i))),
    };
    let name = def.map_or("?", |d| d.name.as_str());
    let value = match (scope.field(field), def.map(|d| &d.ty)) {
        (None, _) => "missing".to_owned(),
        (Some(Value::Enum(i)), Some(FieldType::OneOf { values })) => values
            .get(usize::from(*i))
            .map_or_else(|| format!("#{i}"), Clone::clone),
        (Some(Value::Text(t)), _) => format!("{:?}", t.as_str()),
        (Some(Value::Number(n)), _) => number(*n),
        (Some(Value::Flag(b)), _) => b.to_string(),
        (Some(Value::Enum(i)), _) => format!("#{i}"),
    };
    format!("`{name}` = {value}")
}

/// `fit 45 + intent 30 = 75 is in band A of grade (from 70)`: the band set's arithmetic.
fn band(scope: &Scope<'_>, bands: BandSetId) -> String {
    let p = scope.playbook;
    let Some(set) = p.band_sets.get(bands.index()) else {
        return "an unknown band set".to_owned();
    };
    let mut terms = Vec::new();
    let mut sum = 0.0;
    for id in &set.scores {
        let name = p.scores.get(id.index()).map_or("?", |s| s.name.as_str());
        let value = scope.score(*id).unwrap_or(f64::NAN);
        sum += value;
        terms.push(format!("{name} {}", number(value)));
    }
    let place = match set.bands.iter().find(|b| b.contains(sum)) {
        Some(b) => {
            let from = b.from.map(|f| format!("from {}", number(f)));
            let to = b.to.map(|t| format!("below {}", number(t)));
            let bounds: Vec<String> = from.into_iter().chain(to).collect();
            format!(
                "is in band `{}` of `{}` ({})",
                b.name,
                set.name,
                bounds.join(" and ")
            )
        }
        None => format!("is in no band of `{}`", set.name),
    };
    format!("{} = {} {place}", terms.join(" + "), number(sum))
}

/// `SLA due Tue 2026-01-06 10:00 Europe/London: 1bd of business time from Mon 2026-01-05 10:03`.
pub(super) fn sla(
    playbook: &Playbook,
    sla: Sla,
    queue: QueueId,
    from: Timestamp,
    deadline: Timestamp,
) -> String {
    let zone = (playbook.queues.get(queue.index()))
        .and_then(|q| q.calendar)
        .or(playbook.default_calendar)
        .and_then(|c| playbook.calendars.get(c.index()))
        .and_then(|c| c.timezone.parse::<chrono_tz::Tz>().ok());
    let when = |t: Timestamp| local(t, zone);
    let amount = match sla {
        Sla::Wall(secs) => format!("{} of elapsed time", duration(secs)),
        Sla::BusinessSeconds(secs) => format!("{} of business time", duration(secs)),
        Sla::BusinessDays(days) => format!("{days}bd of business time"),
        Sla::SameDay => "the end of the business day".to_owned(),
    };
    if deadline == Timestamp::MAX {
        return format!(
            "SLA never due ({amount} cannot be reached) from {}",
            when(from)
        );
    }
    let zone_name = zone.map_or("UTC".to_owned(), |z| z.name().to_owned());
    format!(
        "SLA due {} {zone_name}: {amount} from {}",
        when(deadline),
        when(from)
    )
}

fn local(t: Timestamp, zone: Option<chrono_tz::Tz>) -> String {
    let Some(utc) = chrono::DateTime::from_timestamp(t, 0) else {
        return format!("{t}s");
    };
    let format = "%a %Y-%m-%d %H:%M";
    match zone {
        Some(zone) => utc.with_timezone(&zone).format(format).to_string(),
        None => utc.format(format).to_string(),
    }
}

/// Seconds as the playbook writes durations: `15m`, `2h`, `1d`, else seconds.
pub(super) fn duration(secs: i64) -> String {
    match secs {
        s if s != 0 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s != 0 && s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s != 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

//! One printer per block kind: which statements a block holds and how each one is spelled.
//!
//! Statement order is the author's; only spacing and spelling are canonical.

use super::expr::{self, duration, event_ref, names, num, string};
use super::printer::{Braces, Line, Printer};
use super::scenario::{scenario, shape};
use crate::span::Span;
use crate::syntax::ast::*;

/// Prints a whole file.
pub(super) fn file(p: &mut Printer, file: &File) {
    p.top_level(&file.items, |i| i.loc().0, item);
}

pub(super) fn span<S>(s: &Stmt<S>) -> Span {
    s.loc.0
}

fn item(p: &mut Printer, item: &Item) {
    let (kind, name) = item.name();
    let head = if name.name.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} {}", name.name)
    };
    match item {
        Item::Playbook(b) => leaves(p, b, &head, Braces::Required, playbook),
        Item::Calendar(b) => leaves(p, b, &head, Braces::Required, calendar),
        Item::Lead(b) => leaves(p, b, &head, Braces::Required, field),
        Item::Event(b) => leaves(p, b, &head, Braces::Optional, field),
        Item::Score(b) => leaves(p, b, &head, Braces::Required, score),
        Item::Bands(b) => {
            let head = format!("{head} by {}", names(&b.scores, " + "));
            p.block(b.loc.0, &head, Braces::Required, &b.bands, span, |p, s| {
                p.leaf(s.loc.0, &band(&s.kind));
            });
        }
        Item::Disqualify(b) => leaves(p, b, &head, Braces::Required, trigger),
        Item::Track(b) => leaves(p, b, &head, Braces::Required, track),
        Item::Handoff(b) => p.block(b.loc.0, &head, Braces::Required, &b.body, span, handoff),
        Item::Router(b) => leaves(p, b, &head, Braces::Required, route),
        Item::Queue(b) => leaves(p, b, &head, Braces::Required, queue),
        Item::Accounts(b) => leaves(p, b, &head, Braces::Required, accounts),
        Item::Context(b) => leaves(p, b, &head, Braces::Required, context),
        Item::Sequence(b) => leaves(p, b, &head, Braces::Required, sequence),
        Item::Reason(b) => leaves(p, b, &head, Braces::Required, reason),
        Item::Kpi(b) => leaves(p, b, &head, Braces::Required, kpi),
        Item::Shape(b) => leaves(p, b, &head, Braces::Required, shape),
        Item::Scenario(b) => p.block(b.loc.0, &head, Braces::Required, &b.body, span, scenario),
        Item::Test(b) => {
            let head = format!(
                "test {}",
                string(&StrLit {
                    value: b.name.name.clone(),
                    loc: b.name.loc,
                })
            );
            p.block(b.loc.0, &head, Braces::Required, &b.body, span, test);
        }
        Item::Fixture(b) => leaves(p, b, &head, Braces::Required, field_value),
        Item::Tests(t) => {
            let path = StrLit {
                value: t.path.name.clone(),
                loc: t.path.loc,
            };
            let head = format!("tests {}", string(&path));
            p.block(
                t.loc.0,
                &head,
                Braces::Optional,
                &[] as &[Stmt<TestStmt>],
                span,
                test,
            );
        }
    }
}

/// A block whose statements are all one-liners.
fn leaves<S>(
    p: &mut Printer,
    b: &Block<S>,
    head: &str,
    braces: Braces,
    line: for<'a> fn(&'a S) -> Line<'a>,
) {
    p.block(b.loc.0, head, braces, &b.body, span, |p, s| {
        p.leaf(s.loc.0, &line(&s.kind));
    });
}

pub(super) fn plain(text: impl Into<String>) -> Line<'static> {
    Line::plain(text.into())
}

fn playbook(s: &PlaybookStmt) -> Line<'_> {
    match s {
        PlaybookStmt::Title(t) => plain(format!("title {}", string(t))),
        PlaybookStmt::Calendar(c) => plain(format!("calendar {}", c.name)),
        PlaybookStmt::Roles(r) => plain(format!("roles {}", names(r, ", "))),
    }
}

fn calendar(s: &CalendarStmt) -> Line<'_> {
    match s {
        CalendarStmt::Timezone(t) => plain(format!("timezone {}", string(t))),
        CalendarStmt::Hours {
            from_day,
            to_day,
            open,
            close,
        } => {
            let days = match to_day {
                Some(to) => format!("{} to {}", from_day.name, to.name),
                None => from_day.name.clone(),
            };
            plain(format!("hours {days} {} to {}", open.text, close.text))
        }
        CalendarStmt::Holiday { date, label } => match label {
            Some(l) => plain(format!("holiday {} {}", date.text, string(l))),
            None => plain(format!("holiday {}", date.text)),
        },
    }
}

fn field(f: &FieldDecl) -> Line<'_> {
    let ty = match &f.ty {
        FieldType::Text => "text".to_string(),
        FieldType::Number => "number".to_string(),
        FieldType::Flag => "flag".to_string(),
        FieldType::OneOf(values) => format!("one of {}", names(values, ", ")),
    };
    plain(format!("{}: {ty}", f.name.name))
}

fn score(s: &ScoreStmt) -> Line<'_> {
    match s {
        ScoreStmt::Decay(d) => plain(format!("decay half-life {}", duration(d))),
        ScoreStmt::Cap(n) => plain(format!("cap {}", num(n))),
        ScoreStmt::Points { add, amount, basis } => {
            let verb = if *add { "add" } else { "subtract" };
            match basis {
                PointsBasis::PerEvent { event, filter } => Line::filtered(
                    format!("{verb} {} per {}", num(amount), event_ref(event)),
                    filter.as_ref(),
                ),
                PointsBasis::When(e) => {
                    Line::cond(format!("{verb} {} when ", num(amount)), e, String::new())
                }
            }
        }
    }
}

fn band(b: &BandStmt) -> Line<'_> {
    let name = &b.name.name;
    plain(match (&b.from, &b.to) {
        (Some(from), Some(to)) => format!("band {name} from {} to {}", num(from), num(to)),
        (Some(from), None) => format!("band {name} from {}", num(from)),
        (None, Some(to)) => format!("band {name} below {}", num(to)),
        (None, None) => format!("band {name}"),
    })
}

fn trigger(s: &TriggerStmt) -> Line<'_> {
    match s {
        TriggerStmt::When(e) => when(e),
        TriggerStmt::On { event, filter } => on(event, filter.as_ref()),
        TriggerStmt::Reason(r) => plain(format!("reason {}", r.name)),
    }
}

fn when(e: &Expr) -> Line<'_> {
    Line::cond("when ".to_string(), e, String::new())
}

fn on<'a>(event: &'a EventRef, filter: Option<&'a Expr>) -> Line<'a> {
    Line::filtered(format!("on {}", event_ref(event)), filter)
}

fn track(s: &TrackStmt) -> Line<'_> {
    match s {
        TrackStmt::EnterByDefault => plain("enter by default"),
        TrackStmt::EnterWhen(e) => Line::cond("enter when ".to_string(), e, String::new()),
        TrackStmt::Exit { to, when } => {
            Line::cond(format!("exit to {} when ", to.name), when, String::new())
        }
        TrackStmt::Touch {
            channel,
            every,
            times,
        } => {
            let times = times
                .as_ref()
                .map_or(String::new(), |t| format!(" {} times", num(t)));
            plain(format!(
                "touch {} every {}{times}",
                channel.name,
                duration(every)
            ))
        }
        TrackStmt::ThenMove(t) => plain(format!("then move to {}", t.name)),
        TrackStmt::ThenClose(r) => plain(format!("then close as {}", r.name)),
        TrackStmt::Kpi(k) => plain(format!("kpi {}", k.name)),
    }
}

fn handoff(p: &mut Printer, s: &Stmt<HandoffStmt>) {
    let line = match &s.kind {
        HandoffStmt::Breach(body) => {
            p.block(
                s.loc.0,
                "on breach",
                Braces::Required,
                body,
                span,
                |p, b| {
                    p.leaf(b.loc.0, &breach(&b.kind));
                },
            );
            return;
        }
        HandoffStmt::On { event, filter } => on(event, filter.as_ref()),
        HandoffStmt::When(e) => when(e),
        HandoffStmt::Priority(n) => plain(format!("priority {}", num(n))),
        HandoffStmt::RouteTo(q) => plain(format!("route to {}", q.name)),
        HandoffStmt::RouteVia(r) => plain(format!("route via {}", r.name)),
        HandoffStmt::Sla { within, clock } => {
            let clock = match clock {
                Some(SlaClock::Business) => " business",
                Some(SlaClock::Wall) => " wall",
                None => "",
            };
            plain(format!("sla {}{clock}", duration(within)))
        }
        HandoffStmt::SlaSameDay => plain("sla same day"),
        HandoffStmt::Context(c) => plain(format!("context {}", c.name)),
        HandoffStmt::Sequence(q) => plain(format!("sequence {}", q.name)),
        HandoffStmt::Kpi(k) => plain(format!("kpi {}", k.name)),
    };
    p.leaf(s.loc.0, &line);
}

fn breach(s: &BreachStmt) -> Line<'_> {
    match s {
        BreachStmt::Rescue(t) => plain(format!("rescue with {}", t.name)),
        BreachStmt::Requeue { to, context } => {
            let mut text = "requeue".to_string();
            if let Some(q) = to {
                text.push_str(" to ");
                text.push_str(&q.name);
            }
            if let Some(c) = context {
                text.push_str(" with context ");
                text.push_str(&c.name);
            }
            plain(text)
        }
        BreachStmt::Escalate(q) => plain(format!("escalate to {}", q.name)),
        BreachStmt::Reassign(Some(q)) => plain(format!("reassign to {}", q.name)),
        BreachStmt::Reassign(None) => plain("reassign"),
        BreachStmt::Notify(r) => plain(format!("notify {}", r.name)),
        BreachStmt::Limit {
            breaches,
            to,
            reason,
        } => plain(format!(
            "after {} breaches recycle to {} as {}",
            num(breaches),
            to.name,
            reason.name
        )),
    }
}

fn route(r: &RouteRule) -> Line<'_> {
    match r {
        RouteRule::OwnerFrom(a) => plain(format!("owner from {}", a.name)),
        RouteRule::When { when, to } => {
            Line::cond("when ".to_string(), when, format!(" to {}", to.name))
        }
        RouteRule::Otherwise(q) => plain(format!("otherwise to {}", q.name)),
    }
}

fn queue(s: &QueueStmt) -> Line<'_> {
    plain(match s {
        QueueStmt::Members(m) => format!("members {}", names(m, ", ")),
        QueueStmt::RoundRobin => "assign round robin".to_string(),
        QueueStmt::LeastLoaded => "assign least loaded".to_string(),
        QueueStmt::Capacity(n) => format!("capacity {} per seller", num(n)),
        QueueStmt::Calendar(c) => format!("calendar {}", c.name),
        QueueStmt::OrderFifo => "order fifo".to_string(),
        QueueStmt::OrderBy(b) => format!("order by {}", b.name),
        QueueStmt::Overflow(q) => format!("overflow to {}", q.name),
    })
}

fn accounts(s: &AccountsStmt) -> Line<'_> {
    plain(match s {
        AccountsStmt::Key(k) => format!("key {}", k.name),
        AccountsStmt::Account { key, owner } => format!("{} owner {}", string(key), owner.name),
    })
}

fn context(s: &ContextStmt) -> Line<'_> {
    plain(match s {
        ContextStmt::Include(item) => match item {
            ContextItem::WhyNow => "include why now".to_string(),
            ContextItem::TopSignals(n) => format!("include top {} signals", num(n)),
            ContextItem::LastTouch => "include last touch".to_string(),
            ContextItem::CampaignSource => "include campaign source".to_string(),
            ContextItem::Field(f) => format!("include field {}", f.name),
        },
        ContextStmt::Message(m) => format!("message {}", string(m)),
        ContextStmt::Cta(c) => format!("cta {}", string(c)),
    })
}

fn sequence(s: &SequenceStmt) -> Line<'_> {
    plain(match s {
        SequenceStmt::Step { day, channel, note } => match note {
            Some(n) => format!("day {} {} {}", num(day), channel.name, string(n)),
            None => format!("day {} {}", num(day), channel.name),
        },
        SequenceStmt::MaxAttempts(n) => format!("max attempts {}", num(n)),
        SequenceStmt::Outcome { outcome, reason } => {
            format!("on {} disposition {}", outcome.name, reason.name)
        }
    })
}

fn reason(s: &ReasonStmt) -> Line<'_> {
    plain(match s {
        ReasonStmt::Label(l) => format!("label {}", string(l)),
        ReasonStmt::Recycle { to, after } => match after {
            Some(d) => format!("recycle to {} after {}", to.name, duration(d)),
            None => format!("recycle to {}", to.name),
        },
        ReasonStmt::Convert => "convert".to_string(),
        ReasonStmt::Close => "close".to_string(),
        ReasonStmt::Suppress { window, unless } => {
            if unless.is_empty() {
                format!("suppress for {}", duration(window))
            } else {
                format!(
                    "suppress for {} unless {}",
                    duration(window),
                    names(unless, ", ")
                )
            }
        }
        ReasonStmt::Kpi(k) => format!("kpi {}", k.name),
    })
}

fn kpi(s: &KpiStmt) -> Line<'_> {
    plain(match s {
        KpiStmt::Label(l) => format!("label {}", string(l)),
        KpiStmt::Target { stat, cmp, value } => {
            let stat = stat
                .as_ref()
                .map_or(String::new(), |s| format!("{} ", s.name));
            let cmp = match cmp {
                TargetCmp::AtLeast => "at least",
                TargetCmp::AtMost => "at most",
                TargetCmp::Below => "below",
            };
            format!("target {stat}{cmp} {}", expr::literal(value))
        }
    })
}

fn field_value(f: &FieldValue) -> Line<'_> {
    plain(format!("{} {}", f.field.name, expr::literal(&f.value)))
}

/// A field value's span: from its name to the end of its value.
fn field_value_span(f: &FieldValue) -> Span {
    Span {
        end: f.value.loc().end,
        ..f.field.loc.0
    }
}

fn moment(m: &Moment) -> String {
    match &m.zone {
        None => format!("{} {}", m.date.text, m.time.text),
        Some(ZoneName::Calendar(c)) => format!("{} {} in {}", m.date.text, m.time.text, c.name),
        Some(ZoneName::Iana(z)) => format!("{} {} in {}", m.date.text, m.time.text, string(z)),
    }
}

fn test(p: &mut Printer, s: &Stmt<TestStmt>) {
    let line = match &s.kind {
        TestStmt::Given {
            name,
            fixture,
            fields,
        } => {
            let head = match fixture {
                Some(f) => format!("given lead {} from {}", name.name, f.name),
                None => format!("given lead {}", name.name),
            };
            return values_block(p, s.loc.0, &head, fields);
        }
        TestStmt::Event { event, fields } => {
            return values_block(p, s.loc.0, &format!("event {}", event.name), fields);
        }
        TestStmt::At(m) => plain(format!("at {}", moment(m))),
        TestStmt::Set(f) => plain(format!("set {} {}", f.field.name, expr::literal(&f.value))),
        TestStmt::Pickup(Some(seller)) => plain(format!("seller picks up as {}", seller.name)),
        TestStmt::Pickup(None) => plain("seller picks up"),
        TestStmt::Touch(outcome) => plain(format!("touch {}", outcome.name)),
        TestStmt::Dispose(reason) => plain(format!("dispose {}", reason.name)),
        TestStmt::After(d) => plain(format!("after {}", duration(d))),
        TestStmt::Expect(e) => plain(format!("expect {}", expectation(e))),
    };
    p.leaf(s.loc.0, &line);
}

/// `head { field value ... }`, the braces dropped when there are no values.
fn values_block(p: &mut Printer, at: Span, head: &str, fields: &[FieldValue]) {
    p.block(
        at,
        head,
        Braces::Optional,
        fields,
        field_value_span,
        |p, f| {
            p.leaf(field_value_span(f), &field_value(f));
        },
    );
}

fn expectation(e: &Expectation) -> String {
    match e {
        Expectation::HandedOff { rule, queue, owner } => match owner {
            Some(o) => format!(
                "handed off by {} to {} owner {}",
                rule.name, queue.name, o.name
            ),
            None => format!("handed off by {} to {}", rule.name, queue.name),
        },
        Expectation::NoHandoff => "no handoff".to_string(),
        Expectation::SlaDueAt(m) => format!("sla due {}", moment(m)),
        Expectation::SlaDueWithin(d) => format!("sla due within {}", duration(d)),
        Expectation::Breaches(n) => format!("breaches {}", num(n)),
        Expectation::InTrack(t) => format!("in track {}", t.name),
        Expectation::Ended { how, reason } => match reason {
            Some(r) => format!("{} as {}", how.keyword(), r.name),
            None => how.keyword().to_string(),
        },
        Expectation::Disqualified(r) => format!("disqualified as {}", r.name),
        Expectation::SuppressedUntil(m) => format!("suppressed until {}", moment(m)),
        Expectation::Score { score, value } => format!("score {} = {}", score.name, num(value)),
        Expectation::Band { bands, band } => format!("band {} = {}", bands.name, band.name),
        Expectation::AssignedTo(s) => format!("assigned to {}", s.name),
        Expectation::BreachStep { step, target } => match (step, target) {
            (BreachStep::Rescued, Some(t)) => format!("rescued with {}", t.name),
            (step, Some(t)) => format!("{} to {}", step.keyword(), t.name),
            (step, None) => step.keyword().to_string(),
        },
        Expectation::Context(c) => match c {
            ContextExpectation::Package(n) => format!("context {}", n.name),
            ContextExpectation::WhyNow { rule, event } => match event {
                Some(e) => format!("context why now {} on {}", rule.name, e.name),
                None => format!("context why now {}", rule.name),
            },
            ContextExpectation::Signal(e) => format!("context signal {}", e.name),
            ContextExpectation::LastTouch(c) => format!("context last touch {}", c.name),
            ContextExpectation::Field(f) => {
                format!("context field {} {}", f.field.name, expr::literal(&f.value))
            }
        },
    }
}

//! A checked test: names resolved, values typed, times in seconds, each step with its span so a
//! failure can point at the line that failed.

use crate::calendar::Timestamp;
use crate::engine::Input;
use crate::ir::{
    BandSetId, Channel, ContextId, EventId, FieldId, HandoffId, QueueId, ReasonId, ScoreId,
    SellerId, TrackId, Value,
};
use crate::span::Span;

/// One `test "NAME" { ... }` block, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The test's name as written between the quotes.
    pub name: String,
    /// The name's span, where a report points.
    pub span: Span,
    /// The lead's name from `given lead NAME`, shown in the trace.
    pub lead: String,
    /// The steps in the author's order.
    pub steps: Vec<Step>,
}

/// One step of a test with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// What the step does.
    pub kind: StepKind,
    /// The statement's span.
    pub span: Span,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq)]
pub enum StepKind {
    /// The lead arrives now with these attributes (one per lead field).
    Arrive(Vec<Value>),
    /// The clock moves to this instant, firing the timers due by then.
    At(Timestamp),
    /// The clock moves on by this much, firing the timers due by then.
    After(Advance),
    /// An input applied now, after the timers due by now.
    Input(Input),
    /// Something that must hold now.
    Expect(Expect),
}

/// How far `after` moves the clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Advance {
    /// Wall-clock seconds.
    Wall(i64),
    /// Business seconds of the playbook's default calendar.
    BusinessSeconds(i64),
    /// Business days of the playbook's default calendar.
    BusinessDays(u32),
}

/// What must hold of the lead, with the names it was written with for the report.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// Handed off by the rule, waiting in or worked from the queue (and owned by the seller).
    HandedOff {
        /// The rule.
        rule: HandoffId,
        /// The queue.
        queue: QueueId,
        /// The owner, when the test names one.
        owner: Option<SellerId>,
    },
    /// Not handed off now.
    NoHandoff,
    /// The current handoff's SLA deadline is this instant.
    SlaDueAt(Timestamp),
    /// The current handoff's SLA deadline is at most this many seconds away.
    SlaDueWithin(i64),
    /// The current handoff has breached its SLA this many times.
    Breaches(u32),
    /// The lead runs this track.
    InTrack(TrackId),
    /// The lead converted (with the reason, when named).
    Converted(Option<ReasonId>),
    /// The lead was closed (with the reason, when named).
    Closed(Option<ReasonId>),
    /// The lead's last handoff ended in a recycle (with the reason, when named).
    Recycled(Option<ReasonId>),
    /// A disqualifier matched with this reason.
    Disqualified(ReasonId),
    /// The lead's suppression window ends at this instant.
    SuppressedUntil(Timestamp),
    /// A score's value now.
    Score(ScoreId, f64),
    /// The lead's band in a band set now (the band's index).
    Band(BandSetId, usize),
    /// The seller who picked the lead up.
    AssignedTo(SellerId),
    /// A step the latest SLA breach took.
    BreachStep(BreachStep),
    /// Something of the context package attached last.
    Context(ContextCheck),
}

/// What `expect context` checks of the context package attached last.
#[derive(Debug, Clone, PartialEq)]
pub enum ContextCheck {
    /// The package is this one.
    Package(ContextId),
    /// Its "why now" names this rule (and this event, when the test names one).
    WhyNow(HandoffId, Option<EventId>),
    /// The event is among its top signals.
    Signal(EventId),
    /// Its last touch went by this channel.
    LastTouch(Channel),
    /// It shows this attribute value.
    Field(FieldId, Value),
}

/// A breach step with what it names, when the test names it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BreachStep {
    /// An automated rescue track started.
    Rescued(TrackId),
    /// Back into a queue with a fresh SLA.
    Requeued(Option<QueueId>),
    /// Handed to another queue.
    Escalated(Option<QueueId>),
    /// Taken from its owner and given to a queue.
    Reassigned(Option<QueueId>),
}

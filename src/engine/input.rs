//! What the engine reacts to: everything that can happen to a lead, as plain data, so live mode can
//! log inputs and replay them after a crash and get the same state back.

use crate::ir::{EventId, FieldId, ReasonId, SellerId, Value};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One thing that happened to one lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "input", rename_all = "snake_case")]
pub enum Input {
    /// The lead enters the funnel with its attributes (one value per lead field, in field order).
    Arrive {
        /// Attribute values by [`FieldId`].
        attributes: Vec<Value>,
        /// Campaign source, shown in context packages.
        source: Option<Arc<str>>,
    },
    /// The lead did something automation watches.
    Event {
        /// The event type, which selects the rules and scores that listen to it.
        event: EventId,
        /// Field values in the event's field order.
        fields: Vec<Value>,
    },
    /// A lead attribute changed (enrichment, a CRM edit); fit scores are re-evaluated.
    SetField {
        /// The attribute that changed.
        field: FieldId,
        /// Its new value.
        value: Value,
    },
    /// A timer the engine asked for is due; stale ones are ignored.
    Timer(TimerKey),
    /// A seller takes the lead: the first touch, which stops the SLA clock.
    Pickup {
        /// Who took it, when known.
        seller: Option<SellerId>,
    },
    /// A seller's outreach attempt and how it went.
    Touch {
        /// How the attempt went, which decides the sequence's next step.
        outcome: TouchOutcome,
    },
    /// A seller records a reason code, ending the handoff.
    Disposition {
        /// The reason code, which decides whether the lead converts, closes or recycles.
        reason: ReasonId,
    },
}

crate::ir::named_enum! {
    /// Outcomes of one manual outreach attempt; the sequence maps some of them to reason codes.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum TouchOutcome {
        /// A live conversation.
        Connect = "connect",
        /// A meeting was booked.
        Meeting = "meeting",
        /// The lead replied in writing.
        Reply = "reply",
        /// Contact details bounced.
        Bounce = "bounce",
        /// Nobody answered; the attempt counts towards the sequence's maximum.
        NoAnswer = "no_answer",
    }
}

/// Identifies a timer; the generation makes cancelling free: a lead bumps its generation for the
/// kind and every older timer of that kind is ignored when it fires, so no store ever has to delete
/// a scheduled timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TimerKey {
    /// What the timer is for.
    pub kind: TimerKind,
    /// The lead's generation for that kind when the timer was started.
    pub generation: u32,
}

crate::ir::named_enum! {
    /// The kinds of timers a lead can have, at most one live timer of each kind at a time.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum TimerKind {
        /// The next automated touch, or the end of the track's cadence.
        Track = "track",
        /// The SLA deadline of the current handoff.
        Sla = "sla",
        /// The next manual sequence step.
        Step = "step",
        /// The end of a recycle delay, when the lead re-enters automation.
        Park = "park",
        /// The end of a suppression window, when blocked handoff rules are considered again.
        Suppression = "suppression",
    }
}

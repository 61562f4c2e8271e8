//! What the engine asks the outside world to do, as data: the simulator counts and schedules it,
//! the live runner persists it and performs it exactly once.

use super::input::{TimerKey, TouchOutcome};
use crate::calendar::Timestamp;
use crate::ir::{
    Channel, ContextId, EventId, FieldId, HandoffId, QueueId, ReasonId, SellerId, SequenceId,
    TrackId, Value,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One effect of a step, in the order the engine decided it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Wake the engine for this lead at `at` with [`crate::engine::Input::Timer`].
    StartTimer {
        /// Key to hand back.
        key: TimerKey,
        /// When the timer is due.
        at: Timestamp,
    },
    /// The lead entered an automated track.
    EnteredTrack {
        /// The track entered, whose first step comes next.
        track: TrackId,
    },
    /// Send an automated touch.
    AutoTouch {
        /// The track sending it, for tallies by track.
        track: TrackId,
        /// Where the touch goes (email, call, ...), as the track's step says.
        channel: Channel,
    },
    /// Put the lead in a queue (moving it if it already waits in one): the routing decision of a
    /// handoff or of a breach step.
    Enqueue {
        /// The handoff rule the lead is in.
        rule: HandoffId,
        /// Destination queue.
        queue: QueueId,
        /// The only seller who may take it (named accounts), if any.
        owner: Option<SellerId>,
        /// Pick-up order key: lower goes first (band index for `order by BANDS`, 0 for FIFO).
        priority: u32,
    },
    /// Create the seller's task for a new handoff.
    CreateTask {
        /// The rule that fired, whose context and sequence the task carries.
        rule: HandoffId,
        /// The outreach sequence to follow.
        sequence: Option<SequenceId>,
    },
    /// Tell the owner (or the queue) that a lead is waiting.
    NotifyOwner {
        /// The queue the lead waits in, notified when no single seller owns it.
        queue: QueueId,
        /// The owner, when the lead is routed to one seller.
        owner: Option<SellerId>,
    },
    /// Attach the context package to the task.
    AttachContext {
        /// The package definition (message and call to action live there).
        context: ContextId,
        /// Its rendered content; `None` from an engine that renders none
        /// ([`crate::engine::Engine::without_context_packages`]).
        package: Option<Box<ContextSnapshot>>,
    },
    /// The lead left its queue without being picked up (recycled, closed or disqualified).
    Dequeue {
        /// The queue it left.
        queue: QueueId,
    },
    /// A seller made the first touch.
    FirstTouch {
        /// The handoff rule, whose `kpi speed_to_lead` and SLA this touch answers.
        rule: HandoffId,
        /// Seconds from the handoff to this touch.
        delay_secs: i64,
        /// SLA breaches before the touch; 0 means the SLA was met.
        breaches: u32,
    },
    /// The seller should make the next outreach attempt now.
    StepDue {
        /// Step index in the sequence (0 with no sequence).
        step: u16,
        /// Channel of the step; `None` when the handoff has no sequence.
        channel: Option<Channel>,
    },
    /// The outcome needs a reason code from the seller (the sequence does not map it).
    AwaitingDisposition {
        /// The touch outcome the seller must give a reason for.
        outcome: TouchOutcome,
    },
    /// The SLA deadline passed without a touch.
    SlaBreached {
        /// The handoff rule, whose breach path runs next.
        rule: HandoffId,
        /// Breaches so far, this one included.
        breaches: u32,
    },
    /// Breach step: an automated rescue track started while the lead waits.
    RescueStarted {
        /// The rescue track that touches the lead while it waits.
        track: TrackId,
    },
    /// Breach step: back into a queue with a fresh SLA.
    Requeued {
        /// The queue it waits in again.
        queue: QueueId,
    },
    /// Breach step: handed to another queue with a fresh SLA.
    Escalated {
        /// The queue it was handed to.
        queue: QueueId,
    },
    /// Breach step: taken from its owner and given to anyone in a queue, with a fresh SLA.
    Reassigned {
        /// The queue whose sellers may now take it.
        queue: QueueId,
    },
    /// Breach step: notify a role.
    NotifyRole {
        /// Role name as written in the playbook.
        role: Arc<str>,
    },
    /// The breach limit was reached: the lead goes back to automation untouched.
    BreachRecycled {
        /// The reason recorded.
        reason: ReasonId,
        /// The track it goes to.
        track: TrackId,
    },
    /// A reason code was recorded.
    Disposition {
        /// The reason code the seller recorded.
        reason: ReasonId,
    },
    /// The lead returns to automation.
    Recycled {
        /// The nurture track the lead goes back to.
        track: TrackId,
        /// When it re-enters the track.
        at: Timestamp,
        /// End of the suppression window, if one was set.
        suppressed_until: Option<Timestamp>,
    },
    /// The lead is sales-qualified.
    Converted {
        /// The reason code that made it sales-qualified.
        reason: ReasonId,
    },
    /// The lead left the funnel.
    Closed {
        /// The reason code it was closed with.
        reason: ReasonId,
    },
    /// A disqualifier matched: the lead is closed and never handed off.
    Disqualified {
        /// The reason code of the disqualifier that matched.
        reason: ReasonId,
    },
    /// The sequence ran out with no reason mapped, so the lead went back to automation with no
    /// recorded next step: reported as leakage.
    Unresolved {
        /// The handoff rule whose sequence ran out, for leakage by rule.
        rule: HandoffId,
    },
    /// A rule fired but its router matched no queue, so the lead stays where it is.
    Unroutable {
        /// The handoff rule whose router found no queue.
        rule: HandoffId,
    },
}

/// The context package as the seller sees it: everything that depends on the lead, so the
/// static parts (message, call to action) are looked up in the playbook by [`ContextId`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextSnapshot {
    /// Why now: the rule and the event that fired it (`None` for state rules).
    pub why_now: Option<WhyNow>,
    /// The most valuable recent signals, best first.
    pub top_signals: Vec<SignalRecord>,
    /// The last automated or manual touch.
    pub last_touch: Option<TouchRecord>,
    /// Where the lead came from.
    pub campaign_source: Option<Arc<str>>,
    /// Requested lead attributes.
    pub fields: Vec<(FieldId, Value)>,
}

/// What fired a handoff, shown to the seller in the context package.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WhyNow {
    /// The handoff rule that fired.
    pub rule: HandoffId,
    /// The event that fired it, for event-triggered rules.
    pub event: Option<EventId>,
}

/// One remembered signal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SignalRecord {
    /// Which signal it was.
    pub event: EventId,
    /// Score points it earned (summed over scores), its value for ranking.
    pub points: f32,
    /// When it happened.
    pub at: Timestamp,
}

impl Default for SignalRecord {
    /// Filler for unused inline slots of the lead state; never read as a signal.
    fn default() -> Self {
        SignalRecord {
            event: EventId(0),
            points: 0.0,
            at: 0,
        }
    }
}

/// One remembered touch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TouchRecord {
    /// Channel, when known.
    pub channel: Option<Channel>,
    /// A seller's touch (`true`) or an automated one.
    pub manual: bool,
    /// When the touch happened, for `last_touch` and decay.
    pub at: Timestamp,
}

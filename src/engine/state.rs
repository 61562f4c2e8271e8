//! The state of one lead: everything the engine needs to react to the next input, and nothing
//! else, so the simulator can hold a million of them and live mode can persist each one as a row.

use super::action::{SignalRecord, TouchRecord};
use super::inline::InlineVec;
use super::input::TimerKind;
use crate::calendar::Timestamp;
use crate::ir::{CounterId, EventId, HandoffId, QueueId, ReasonId, SellerId, TrackId, Value};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One lead as the engine sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadState {
    /// Where the lead is in the lifecycle: exactly one stage at any time.
    pub stage: Stage,
    /// Attribute values by field.
    pub attributes: Vec<Value>,
    /// Campaign source.
    pub source: Option<Arc<str>>,
    /// Arrival time.
    pub arrived_at: Timestamp,
    /// The automated track running, if any (also during a handoff, for rescue tracks).
    pub track: Option<TrackRun>,
    /// Score parts by score: fit points and decaying event points.
    pub scores: InlineVec<ScoreState, 2>,
    /// Time the event points in `scores` were last decayed to.
    pub scored_at: Timestamp,
    /// Counted event times, oldest first, each tagged with its counter; times that left their
    /// counter's window are dropped whenever a time is added, and at most the counter's `keep`
    /// are kept. Reads skip times out of their window. One flat list rather
    /// than one list per counter, because most leads count nothing and then this costs no
    /// allocation at all; eight entries inline (64 bytes) cover the counts of typical playbooks,
    /// which are read on nearly every event, without a heap spill.
    pub counters: InlineVec<Counted, 8>,
    /// The most valuable signals so far, for context packages (at most the largest `top N`).
    pub signals: InlineVec<SignalRecord, 3>,
    /// The last automated or manual touch.
    pub last_touch: Option<TouchRecord>,
    /// The active suppression window, if any.
    pub suppression: Option<SuppressionState>,
    /// Current timer generations; a timer whose generation differs is stale.
    pub generations: Generations,
    /// Handoffs so far.
    pub handoffs: u32,
    /// Non-zero when, at the end of the last step, the lead was in nurture (or parked) with
    /// every state handoff rule and every exit of its track false, in a playbook whose state
    /// rules and exits only rise: until a step raises a score or a count, sets attributes or
    /// changes track, they stay false and need not be tested. The value is that playbook's
    /// fingerprint, so a state carried over to a changed playbook is tested in full again. Zero
    /// is always safe: everything is then tested ([`crate::engine::Engine::is_quiet`]).
    /// An engine-internal cache, never serialized: a stored lead comes back with zero, so a
    /// store never carries one build's analysis into another.
    #[serde(skip)]
    pub quiet: u64,
}

/// The lifecycle stages of a lead; the enum makes "exactly one stage" true by construction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// Created but not arrived: only [`crate::engine::Input::Arrive`] is accepted.
    New,
    /// Automation owns the lead (its track may be `None` when no track applies).
    Nurture,
    /// Recycled with a delay: the lead re-enters automation in `track` at `until`.
    Parked {
        /// The track the lead re-enters when the delay ends.
        track: TrackId,
        /// When.
        until: Timestamp,
    },
    /// Handed off to sales: waiting in a queue or being worked.
    HandedOff(Box<HandoffRun>),
    /// The lead left the funnel; nothing changes it any more.
    Done(Departure),
}

/// How a lead left the funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Departure {
    /// Sales-qualified.
    Converted {
        /// The reason code that made it sales-qualified.
        reason: ReasonId,
    },
    /// Closed by a seller or by the end of a track.
    Closed {
        /// The reason code it was closed with.
        reason: ReasonId,
    },
    /// A disqualifier matched.
    Disqualified {
        /// The reason code of the disqualifier that matched.
        reason: ReasonId,
    },
}

/// One handoff in progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoffRun {
    /// The rule that fired, which decides the SLA, the breach path and the sequence.
    pub rule: HandoffId,
    /// The event that fired it, for the context package.
    pub trigger: Option<EventId>,
    /// The queue the lead is in (changes on requeue, escalation, reassignment).
    pub queue: QueueId,
    /// The only seller who may take it, if routed to an account owner.
    pub owner: Option<SellerId>,
    /// When the rule fired.
    pub started_at: Timestamp,
    /// The current SLA deadline (`Timestamp::MAX` when it can never pass).
    pub deadline: Timestamp,
    /// SLA breaches so far.
    pub breaches: u32,
    /// The first touch, once a seller picked the lead up.
    pub touched_at: Option<Timestamp>,
    /// The seller who picked it up.
    pub seller: Option<SellerId>,
    /// Outreach attempts made.
    pub attempts: u32,
    /// Index of the next sequence step.
    pub step: u16,
    /// Whether the seller owes a reason code (an outcome the sequence does not map).
    pub awaiting_disposition: bool,
    /// The track the lead was in before the handoff, resumed if the handoff ends with no reason.
    pub resume_track: Option<TrackId>,
}

impl HandoffRun {
    /// Whether the lead still waits for its first touch.
    pub fn is_queued(&self) -> bool {
        self.touched_at.is_none()
    }
}

/// A running automated track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackRun {
    /// The track running, whose steps and exits apply.
    pub track: TrackId,
    /// Touches sent so far in this run.
    pub sent: u32,
}

/// The two parts of a score, kept apart because they change for different reasons.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ScoreState {
    /// Points from `add N when ...` on attributes, recomputed when attributes change.
    pub fit: f64,
    /// Points from events, decayed to [`LeadState::scored_at`].
    pub events: f64,
}

/// One counted event: which windowed counter counted it, and when; 8 bytes, so that the lead's
/// counts fit inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted {
    /// The windowed counter that counted it.
    pub counter: CounterId,
    /// When the event happened, in seconds after the lead's arrival.
    pub after: u32,
}

impl Counted {
    /// An event counted at `at` for a lead that arrived at `arrived_at`.
    pub fn new(counter: CounterId, arrived_at: Timestamp, at: Timestamp) -> Counted {
        let after = at.saturating_sub(arrived_at).max(0);
        Counted {
            counter,
            after: u32::try_from(after).unwrap_or(u32::MAX),
        }
    }

    /// When the event happened.
    pub fn at(&self, arrived_at: Timestamp) -> Timestamp {
        arrived_at.saturating_add(i64::from(self.after))
    }
}

impl Default for Counted {
    /// Filler for unused inline slots; never read as a counted event.
    fn default() -> Self {
        Counted {
            counter: CounterId(0),
            after: 0,
        }
    }
}

/// A suppression window: handoffs are blocked until `until` except by the reason's `unless`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressionState {
    /// End of the window.
    pub until: Timestamp,
    /// The reason that set it (whose `unless` list may break through).
    pub reason: ReasonId,
}

/// Timer generations by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Generations {
    /// [`TimerKind::Track`].
    pub track: u32,
    /// [`TimerKind::Sla`].
    pub sla: u32,
    /// [`TimerKind::Step`].
    pub step: u32,
    /// [`TimerKind::Park`].
    pub park: u32,
    /// [`TimerKind::Suppression`].
    pub suppression: u32,
}

impl Generations {
    /// The current generation of a kind.
    pub fn get(&self, kind: TimerKind) -> u32 {
        match kind {
            TimerKind::Track => self.track,
            TimerKind::Sla => self.sla,
            TimerKind::Step => self.step,
            TimerKind::Park => self.park,
            TimerKind::Suppression => self.suppression,
        }
    }

    /// Invalidates every outstanding timer of a kind and returns the new generation.
    pub fn bump(&mut self, kind: TimerKind) -> u32 {
        let slot = match kind {
            TimerKind::Track => &mut self.track,
            TimerKind::Sla => &mut self.sla,
            TimerKind::Step => &mut self.step,
            TimerKind::Park => &mut self.park,
            TimerKind::Suppression => &mut self.suppression,
        };
        *slot = slot.wrapping_add(1);
        *slot
    }
}

impl LeadState {
    /// The lead's stage in one word, as a store's `stage` column, `status` and `replay` name it.
    pub fn stage_name(&self) -> &'static str {
        match &self.stage {
            Stage::New => "new",
            Stage::Nurture => "nurture",
            Stage::Parked { .. } => "parked",
            Stage::HandedOff(run) if run.is_queued() => "queued",
            Stage::HandedOff(_) => "working",
            Stage::Done(Departure::Converted { .. }) => "converted",
            Stage::Done(Departure::Closed { .. }) => "closed",
            Stage::Done(Departure::Disqualified { .. }) => "disqualified",
        }
    }

    /// A lead that has not arrived yet; [`crate::engine::Engine::admit`] is the usual way in.
    pub fn new() -> LeadState {
        LeadState {
            stage: Stage::New,
            attributes: Vec::new(),
            source: None,
            arrived_at: 0,
            track: None,
            scores: InlineVec::new(),
            scored_at: 0,
            counters: InlineVec::new(),
            signals: InlineVec::new(),
            last_touch: None,
            suppression: None,
            generations: Generations::default(),
            handoffs: 0,
            quiet: 0,
        }
    }

    /// The handoff in progress, if any.
    pub fn handoff(&self) -> Option<&HandoffRun> {
        match &self.stage {
            Stage::HandedOff(run) => Some(run),
            _ => None,
        }
    }

    /// Whether nothing can change the lead any more.
    pub fn is_done(&self) -> bool {
        matches!(self.stage, Stage::Done(_))
    }
}

impl Default for LeadState {
    fn default() -> Self {
        LeadState::new()
    }
}

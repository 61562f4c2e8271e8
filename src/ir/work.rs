//! What sellers work with: context packages, sequences, outcomes, reasons and suppressions.

use super::*;

/// What the seller is told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextPackage {
    /// Name as written in the playbook; handoff rules attach the package by it.
    pub name: String,
    /// Items in order.
    pub items: Vec<ContextItem>,
    /// Recommended message.
    pub message: Option<String>,
    /// Recommended call to action.
    pub cta: Option<String>,
}

/// A context package item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ContextItem {
    /// The trigger that caused the handoff.
    WhyNow,
    /// The N most valuable recent signals.
    TopSignals(u32),
    /// The last automated or manual touch.
    LastTouch,
    /// The lead's campaign source.
    CampaignSource,
    /// A lead attribute.
    Field(FieldId),
}

/// A manual outreach sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sequence {
    /// Name as written in the playbook; handoff rules follow the sequence by it.
    pub name: String,
    /// Steps sorted by day (stable).
    pub steps: Vec<Step>,
    /// Attempts before the sequence is exhausted.
    pub max_attempts: u32,
    /// Outcome → reason.
    pub outcomes: Vec<(Outcome, ReasonId)>,
}

impl Sequence {
    /// Reason for an outcome, if the sequence maps it.
    pub fn reason_for(&self, outcome: Outcome) -> Option<ReasonId> {
        self.outcomes
            .iter()
            .find(|(o, _)| *o == outcome)
            .map(|(_, r)| *r)
    }
}

/// One manual step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Day offset from the handoff.
    pub day: u32,
    /// Where the seller makes this attempt.
    pub channel: Channel,
    /// Instruction.
    pub note: Option<String>,
}

named_enum! {
/// Outcomes of manual work that a sequence maps to reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A live conversation.
    Connect = "connect",
    /// A meeting was booked.
    Meeting = "meeting",
    /// The lead replied in writing.
    Reply = "reply",
    /// Contact details bounced.
    Bounce = "bounce",
    /// All attempts used without an outcome.
    Exhausted = "exhausted",
}
}

/// A disposition reason code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Name as written in the playbook, as sellers record it.
    pub name: String,
    /// Human label.
    pub label: Option<String>,
    /// Where the lead goes.
    pub destination: Destination,
    /// Window during which handoffs are blocked.
    pub suppression: Option<Suppression>,
    /// KPIs this reason feeds.
    pub kpis: Vec<Kpi>,
}

/// Where a dispositioned lead goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Destination {
    /// Back to automation.
    Recycle {
        /// The nurture track the lead goes back to.
        track: TrackId,
        /// Delay before the track starts, in seconds.
        after_secs: i64,
    },
    /// Sales-qualified: counts as converted.
    Convert,
    /// Out of the funnel.
    Close,
}

/// A suppression window with its overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppression {
    /// Window in seconds.
    pub window_secs: i64,
    /// Handoff rules that may break through (hand-raises).
    pub unless: Vec<HandoffId>,
}

//! Where each IR entity came from, so whole-playbook lints can point at source.
//!
//! The IR itself carries no spans (it is what the engine runs); this side table is indexed like
//! the IR tables and lives only as long as the check.

use super::names::Kind;
use crate::span::Span;

/// Spans indexed like the IR tables.
#[derive(Debug, Default)]
pub struct Origins {
    /// Track names.
    pub tracks: Vec<Span>,
    /// Each track's `enter when` statement, if any.
    pub track_entries: Vec<Option<Span>>,
    /// Where each handoff's statements were.
    pub handoffs: Vec<HandoffOrigin>,
    /// Each handoff's breach actions, one span per lowered action.
    pub breach_steps: Vec<Vec<Span>>,
    /// Breach limits (`after N breaches recycle ...`) by handoff index.
    pub breach_limits: Vec<(usize, Span)>,
    /// Disqualifier names.
    pub disqualifiers: Vec<Span>,
    /// Each sequence's steps in the IR's (day) order.
    pub sequence_steps: Vec<Vec<Span>>,
    /// Reason names.
    pub reasons: Vec<Span>,
    /// Each reason's `recycle` statement, if any.
    pub recycles: Vec<Option<Span>>,
    /// Router rules, per router.
    pub route_rules: Vec<Vec<Span>>,
    /// Bands, per band set.
    pub bands: Vec<Vec<Span>>,
    /// Band set names.
    pub band_sets: Vec<Span>,
    /// Context names.
    pub contexts: Vec<Span>,
    /// Sequence names.
    pub sequences: Vec<Span>,
    /// Router names.
    pub routers: Vec<Span>,
    /// Queue names.
    pub queues: Vec<Span>,
    /// Account set names.
    pub accounts: Vec<Span>,
    /// Calendar names.
    pub calendars: Vec<Span>,
    /// Scenario names.
    pub scenarios: Vec<Span>,
    /// Each scenario's `staff` blocks: the queue and where its name was.
    pub staff: Vec<Vec<(crate::ir::QueueId, Span)>>,
    /// Shape names.
    pub shapes: Vec<Span>,
    /// The `playbook` header's name, if any.
    pub header: Option<Span>,
    /// Names that were referred to as another kind of declaration (E0103): they count as used.
    pub misreferenced: Vec<(Kind, u32)>,
    /// Whether some block failed to parse, so lints that conclude from absence stay quiet.
    pub incomplete: bool,
    /// Whether a `score` block failed to parse, so score ranges are unknown.
    pub scores_incomplete: bool,
}

impl Origins {
    /// Where handoff `i` came from; an index past the table (which lowering never produces)
    /// gets empty spans rather than a panic.
    pub fn handoff(&self, i: usize) -> HandoffOrigin {
        self.handoffs.get(i).copied().unwrap_or_default()
    }
}

/// Where one handoff's statements were: one record per handoff, so its spans cannot fall out
/// of step with each other.
#[derive(Debug, Clone, Copy, Default)]
pub struct HandoffOrigin {
    /// The handoff's name.
    pub name: Span,
    /// Its `sla` statement, if any.
    pub sla: Option<Span>,
    /// Its `on breach` block, if any.
    pub breach: Option<Span>,
    /// Its `when` statements, joined, if any.
    pub when: Option<Span>,
    /// The first breach action that puts the lead back in a queue, if any.
    pub requeue: Option<Span>,
    /// Whether a name in its trigger did not resolve, so lints about what the trigger catches
    /// would guess.
    pub partial_trigger: bool,
}

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
    /// Handoff names.
    pub handoffs: Vec<Span>,
    /// Each handoff's `sla` statement, if any.
    pub slas: Vec<Option<Span>>,
    /// Each handoff's `on breach` block, if any.
    pub breaches: Vec<Option<Span>>,
    /// Each handoff's `priority` statement, if any.
    pub priorities: Vec<Option<Span>>,
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
    /// The `playbook` header's name, if any.
    pub header: Option<Span>,
    /// Per handoff: whether a name in its trigger did not resolve, so lints about what the
    /// trigger catches would guess.
    pub partial_triggers: Vec<bool>,
    /// Per handoff: the span of its `when` statements, if any.
    pub whens: Vec<Option<Span>>,
    /// Per handoff: the first breach action that puts the lead back in a queue, if any.
    pub requeues: Vec<Option<Span>>,
    /// Names that were referred to as another kind of declaration (E0103): they count as used.
    pub misreferenced: Vec<(Kind, u32)>,
    /// Whether some block failed to parse, so lints that conclude from absence stay quiet.
    pub incomplete: bool,
    /// Whether a `score` block failed to parse, so score ranges are unknown.
    pub scores_incomplete: bool,
}

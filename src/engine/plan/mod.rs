//! Every condition of a playbook compiled once, into the one form the engine tests.
//!
//! What a condition means is defined once, by [`Scope::holds`] on the condition as written; a
//! plan is a faster way to get the same answer, and its tests compare the two on random
//! conditions and random lead histories. A plan also carries what the engine needs to know of
//! the condition without testing it: whether only attributes can change its value
//! ([`Plan::is_static`]) and whether time passing can only make it false ([`Plan::rises_only`]).
//!
//! The forms: an event filter that reads one enum field of its event is a bitmask over that
//! field's values; a band selection whose selected bands are all those above some sum is a
//! threshold on the sum; a windowed count compared with a constant is the set of counts that
//! pass; `and` and `or` keep their parts' forms; anything else is tested as written.

mod analysis;
#[cfg(test)]
mod tests;

pub(crate) use analysis::band_threshold;
#[cfg(test)]
pub(crate) use analysis::rises_only;

use super::cond::{compare, Scope};
use super::scoring;
use super::state::LeadState;
use crate::ir::{BandSetId, Cmp, Cond, CounterId, EventDef, FieldType, Num, Playbook, Value};

/// A condition as the engine tests it: always the same answer as [`Scope::holds`] on the
/// condition it was compiled from.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    node: Node,
    rises_only: bool,
    is_static: bool,
}

#[derive(Debug, Clone)]
enum Node {
    /// No condition: always holds.
    Always,
    /// The condition reads only enum field `field` of the event: value `v` passes when bit `v`
    /// of `mask` is set; a value that is not an enum (which the engine's input check rules
    /// out) gives `otherwise`, the condition's value with every test of the field false.
    EventEnum {
        field: u16,
        otherwise: bool,
        mask: u64,
    },
    /// All hold.
    All(Vec<Node>),
    /// Any holds.
    Any(Vec<Node>),
    /// A band selection that selects every sum from some threshold up.
    SumAtLeast(Box<SumAtLeast>),
    /// A windowed count compared with a constant: bit `k` of `passes` says whether count `k`
    /// does, for counts below 64; above, the comparison is made.
    Count {
        counter: CounterId,
        passes: u64,
        comparison: CountComparison,
    },
    /// Anything else, tested as written.
    AsWritten(Box<Cond>),
}

/// The lead's band in `bands` is selected by `cond`, which selects every sum from `min` up.
#[derive(Debug, Clone)]
struct SumAtLeast {
    bands: BandSetId,
    /// The summed scores, each with its cap (`None` if the set or a score is missing): read
    /// straight from the lead when its scores are decayed to the time of the test, as they are
    /// in a step on an event or an attribute change (a timer leaves them decayed to the last
    /// one, and then the sum is computed the long way).
    terms: Option<Vec<(usize, Option<f64>)>>,
    min: f64,
    /// The band selection, which decides when the sum is NaN.
    cond: Cond,
}

/// `count cmp n`, or `n cmp count` when `flipped`.
#[derive(Debug, Clone, Copy)]
struct CountComparison {
    cmp: Cmp,
    n: f64,
    flipped: bool,
}

impl CountComparison {
    fn holds(self, count: usize) -> bool {
        let count = count as f64;
        if self.flipped {
            compare(self.cmp, self.n, count)
        } else {
            compare(self.cmp, count, self.n)
        }
    }
}

impl Plan {
    /// Compiles a condition of a playbook; `event` is the event whose fields it may read (a
    /// `where` clause), `None` for a condition on the lead alone.
    pub(crate) fn new(playbook: &Playbook, cond: &Cond, event: Option<&EventDef>) -> Plan {
        let node = match cond {
            Cond::True => Node::Always,
            _ => event
                .and_then(|def| event_enum(playbook, cond, def))
                .unwrap_or_else(|| Node::new(playbook, cond)),
        };
        Plan {
            node,
            rises_only: analysis::rises_only(playbook, cond),
            is_static: analysis::is_static(cond),
        }
    }

    /// Whether the condition holds in a scope. The forms most tested (no condition, an enum
    /// filter) are told here, inlined into the caller, and a condition tested as written goes
    /// straight to [`Scope::holds`].
    #[inline(always)]
    pub(crate) fn holds(&self, scope: &Scope<'_>) -> bool {
        match &self.node {
            Node::Always => true,
            Node::EventEnum {
                field,
                otherwise,
                mask,
            } => event_enum_holds(scope, *field, *otherwise, *mask),
            Node::AsWritten(cond) => scope.holds(cond),
            node => node.holds(scope),
        }
    }

    /// Whether the condition can turn from false to true only at a step that gives a score
    /// points, counts an event, sets attributes or changes the lead's track, never by time
    /// passing ([`analysis::rises_only`]).
    pub(crate) fn rises_only(&self) -> bool {
        self.rises_only
    }

    /// Whether the condition reads only lead attributes and account sets, so that only an
    /// attribute change can change its value.
    pub(crate) fn is_static(&self) -> bool {
        self.is_static
    }
}

/// The bitmask form of an event filter that reads one enum field of its event, if it is one.
fn event_enum(playbook: &Playbook, cond: &Cond, event: &EventDef) -> Option<Node> {
    let field = analysis::single_enum_field(cond)?;
    let values = match event.fields.get(usize::from(field)).map(|f| &f.ty) {
        Some(FieldType::OneOf { values }) if values.len() <= 64 => values.len(),
        _ => return None,
    };
    // The condition reads nothing but that field, so testing it on an event with each value
    // there (and defaults elsewhere) for any lead tells which values pass.
    let lead = LeadState::default();
    let mut fields: Vec<Value> = event.fields.iter().map(|f| f.ty.default_value()).collect();
    let mut holds_with = |value: Value| {
        if let Some(slot) = fields.get_mut(usize::from(field)) {
            *slot = value;
        }
        let scope = Scope {
            playbook,
            lead: &lead,
            event: &fields,
            now: 0,
        };
        scope.holds(cond)
    };
    let mut mask = 0u64;
    for v in 0..values {
        if u16::try_from(v).is_ok_and(|v| holds_with(Value::Enum(v))) {
            mask |= 1 << v;
        }
    }
    Some(Node::EventEnum {
        field,
        otherwise: holds_with(Value::Flag(false)),
        mask,
    })
}

impl Node {
    fn new(playbook: &Playbook, cond: &Cond) -> Node {
        match cond {
            Cond::True => Node::Always,
            Cond::And { all } => Node::All(all.iter().map(|c| Self::new(playbook, c)).collect()),
            Cond::Or { any } => Node::Any(any.iter().map(|c| Self::new(playbook, c)).collect()),
            Cond::BandIn { bands, mask } => playbook
                .band_sets
                .get(bands.index())
                .and_then(|set| band_threshold(&set.bands, *mask))
                .map_or_else(
                    || Node::AsWritten(Box::new(cond.clone())),
                    |min| {
                        Node::SumAtLeast(Box::new(SumAtLeast {
                            bands: *bands,
                            terms: sum_terms(playbook, *bands),
                            min,
                            cond: cond.clone(),
                        }))
                    },
                ),
            Cond::Compare { lhs, cmp, rhs } => match (lhs, rhs) {
                (Num::Count(counter), Num::Const(n)) => Node::count(*counter, *cmp, *n, false),
                (Num::Const(n), Num::Count(counter)) => Node::count(*counter, *cmp, *n, true),
                _ => Node::AsWritten(Box::new(cond.clone())),
            },
            _ => Node::AsWritten(Box::new(cond.clone())),
        }
    }

    fn count(counter: CounterId, cmp: Cmp, n: f64, flipped: bool) -> Node {
        let comparison = CountComparison { cmp, n, flipped };
        let passes = (0..64usize)
            .filter(|&k| comparison.holds(k))
            .fold(0u64, |bits, k| bits | (1 << k));
        Node::Count {
            counter,
            passes,
            comparison,
        }
    }

    fn holds(&self, scope: &Scope<'_>) -> bool {
        match self {
            Node::Always => true,
            Node::EventEnum {
                field,
                otherwise,
                mask,
            } => event_enum_holds(scope, *field, *otherwise, *mask),
            Node::All(all) => all.iter().all(|n| n.holds(scope)),
            Node::Any(any) => any.iter().any(|n| n.holds(scope)),
            Node::SumAtLeast(test) => {
                let sum = match &test.terms {
                    Some(terms) if scope.lead.scored_at == scope.now => {
                        decayed_sum(scope.lead, terms)
                    }
                    _ => scoring::band_sum(scope.playbook, scope.lead, test.bands, scope.now),
                };
                match sum {
                    Some(sum) if !sum.is_nan() => sum >= test.min,
                    // No threshold orders NaN: the condition decides.
                    Some(_) => scope.holds(&test.cond),
                    None => false,
                }
            }
            Node::Count {
                counter,
                passes,
                comparison,
            } => scoring::count(scope.playbook, scope.lead, *counter, scope.now).is_some_and(|k| {
                match u32::try_from(k).ok().and_then(|k| passes.checked_shr(k)) {
                    Some(bits) => bits & 1 != 0,
                    None => comparison.holds(k),
                }
            }),
            Node::AsWritten(cond) => scope.holds(cond),
        }
    }
}

/// Whether the event's enum field `field` has a value selected by `mask` (`otherwise` when it
/// holds no enum).
#[inline(always)]
fn event_enum_holds(scope: &Scope<'_>, field: u16, otherwise: bool, mask: u64) -> bool {
    match scope.event.get(usize::from(field)) {
        Some(Value::Enum(v)) => 1u64.checked_shl(u32::from(*v)).unwrap_or(0) & mask != 0,
        _ => otherwise,
    }
}

/// The summed scores of a band set with their caps; `None` if the set or a score is missing.
fn sum_terms(playbook: &Playbook, bands: BandSetId) -> Option<Vec<(usize, Option<f64>)>> {
    let set = playbook.band_sets.get(bands.index())?;
    (set.scores.iter())
        .map(|s| {
            playbook
                .scores
                .get(s.index())
                .map(|def| (s.index(), def.cap))
        })
        .collect()
}

/// The sum of scores decayed to the lead's `scored_at`, as [`scoring::band_sum`] computes it
/// at that time (where every decay factor is 1), without looking the scores up again.
fn decayed_sum(lead: &LeadState, terms: &[(usize, Option<f64>)]) -> Option<f64> {
    let mut sum = 0.0;
    for &(score, cap) in terms {
        let parts = lead.scores.get(score)?;
        sum += scoring::capped(parts.fit, parts.events, cap);
    }
    Some(sum)
}

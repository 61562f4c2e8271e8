//! An optional observer inside the engine, for explaining a lead (`handoff replay --explain`)
//! and for test traces: the engine tells it why it took a decision that its actions alone do
//! not show (which rule's condition held, which suppression held one back, which router line
//! matched, how an SLA deadline was computed, which disqualifier or track exit held).
//!
//! The step path is generic over the tracer, and the simulator's steps run with [`NoTrace`],
//! whose hooks are empty and inlined away: its code is the code without a tracer, and there
//! is one interpreter, observed or not.

use super::cond::Scope;
use super::state::SuppressionState;
use crate::calendar::Timestamp;
use crate::ir::{EventId, HandoffId, QueueId, SellerId, TrackId};

/// What the engine reports to an observer while it takes one step.
pub(crate) trait Tracer {
    /// A handoff rule's condition held at this update (with the triggering event, if any);
    /// `suppressed` is the suppression window that kept it from firing, if one did.
    fn rule_held(
        &mut self,
        scope: &Scope<'_>,
        rule: HandoffId,
        trigger: Option<EventId>,
        suppressed: Option<SuppressionState>,
    );
    /// The winning rule routed the lead: the router line that matched (from 0; `None` for a
    /// rule that routes to a queue directly), the queue and the owner.
    fn routed(
        &mut self,
        rule: HandoffId,
        line: Option<usize>,
        queue: QueueId,
        owner: Option<SellerId>,
    );
    /// An SLA clock started for a lead of `rule` in `queue` at `from`, due at `deadline`
    /// (`Timestamp::MAX` when it never passes).
    fn sla_started(
        &mut self,
        rule: HandoffId,
        queue: QueueId,
        from: Timestamp,
        deadline: Timestamp,
    );
    /// A disqualifier (by index in the playbook) held and closed the lead.
    fn disqualified(&mut self, scope: &Scope<'_>, disqualifier: usize);
    /// An exit (by index among its track's exits) held and moved the lead on.
    fn exited(&mut self, scope: &Scope<'_>, track: TrackId, exit: usize);
}

/// A tracer lent to a step, so the caller reads what it heard afterwards; the step path holds
/// its tracer by value, which for [`NoTrace`] is nothing at all.
impl<T: Tracer + ?Sized> Tracer for &mut T {
    #[inline(always)]
    fn rule_held(
        &mut self,
        scope: &Scope<'_>,
        rule: HandoffId,
        trigger: Option<EventId>,
        suppressed: Option<SuppressionState>,
    ) {
        (**self).rule_held(scope, rule, trigger, suppressed);
    }
    #[inline(always)]
    fn routed(
        &mut self,
        rule: HandoffId,
        line: Option<usize>,
        queue: QueueId,
        owner: Option<SellerId>,
    ) {
        (**self).routed(rule, line, queue, owner);
    }
    #[inline(always)]
    fn sla_started(
        &mut self,
        rule: HandoffId,
        queue: QueueId,
        from: Timestamp,
        deadline: Timestamp,
    ) {
        (**self).sla_started(rule, queue, from, deadline);
    }
    #[inline(always)]
    fn disqualified(&mut self, scope: &Scope<'_>, disqualifier: usize) {
        (**self).disqualified(scope, disqualifier);
    }
    #[inline(always)]
    fn exited(&mut self, scope: &Scope<'_>, track: TrackId, exit: usize) {
        (**self).exited(scope, track, exit);
    }
}

/// The tracer of every step nobody observes: it does nothing, and costs nothing.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NoTrace;

impl Tracer for NoTrace {
    #[inline(always)]
    fn rule_held(
        &mut self,
        _: &Scope<'_>,
        _: HandoffId,
        _: Option<EventId>,
        _: Option<SuppressionState>,
    ) {
    }
    #[inline(always)]
    fn routed(&mut self, _: HandoffId, _: Option<usize>, _: QueueId, _: Option<SellerId>) {}
    #[inline(always)]
    fn sla_started(&mut self, _: HandoffId, _: QueueId, _: Timestamp, _: Timestamp) {}
    #[inline(always)]
    fn disqualified(&mut self, _: &Scope<'_>, _: usize) {}
    #[inline(always)]
    fn exited(&mut self, _: &Scope<'_>, _: TrackId, _: usize) {}
}

//! Expectations the playbook can never make true (E0706): a test that would fail whatever its
//! inputs, found before it runs.

use crate::check::Lowerer;
use crate::diagnostics::messages;
use crate::ir::{
    BreachAction, Destination, HandoffId, Playbook, QueueId, ReasonId, RouteRule, RouteTarget,
};
use crate::span::Span;
use crate::testing::{BreachStep, Expect};

impl Lowerer<'_> {
    /// Reports `e` (written at `at`) when no run of the playbook can satisfy it.
    pub(super) fn never_holds(&mut self, e: &Expect, at: Span) {
        let p = &self.playbook;
        let found = match e {
            Expect::HandedOff { rule, queue, owner } => handed_off(p, *rule, *queue, *owner),
            Expect::Converted(Some(r)) => {
                wrong_kind(p, *r, "converted", |d| matches!(d, Destination::Convert))
            }
            Expect::Closed(Some(r)) => {
                wrong_kind(p, *r, "closed", |d| matches!(d, Destination::Close))
            }
            Expect::Recycled(Some(r)) if !is_breach_limit_reason(p, *r) => {
                wrong_kind(p, *r, "recycled", |d| {
                    matches!(d, Destination::Recycle { .. })
                })
            }
            Expect::Disqualified(r) if !p.disqualifiers.iter().any(|d| d.reason == *r) => Some((
                format!("no disqualifier records `{}`", reason(p, *r)),
                "disqualified leads get the reason of the disqualifier that matched".to_string(),
            )),
            Expect::Score(id, value) => p.scores.get(id.index()).and_then(|s| {
                let cap = s.cap.filter(|cap| value > cap)?;
                Some((
                    format!("score `{}` never exceeds its cap of {cap}", s.name),
                    format!("expect at most {cap}"),
                ))
            }),
            Expect::BreachStep(step) => breach_step(p, *step),
            _ => None,
        };
        if let Some((why, help)) = found {
            self.diags
                .push(messages::impossible_expectation(at, why, help));
        }
    }
}

type Finding = Option<(String, String)>;

/// A handoff by `rule` to `queue` (owned by `owner`): the queue must be one the rule's route or
/// breach path reaches, and the owner one of its members.
fn handed_off(
    p: &Playbook,
    rule: HandoffId,
    queue: QueueId,
    owner: Option<crate::ir::SellerId>,
) -> Finding {
    let def = p.handoffs.get(rule.index())?;
    let reachable = queues_of(p, rule);
    let queue_def = p.queues.get(queue.index())?;
    if !reachable.contains(&queue) {
        let names: Vec<String> = reachable
            .iter()
            .map(|q| format!("`{}`", queue_name(p, *q)))
            .collect();
        return Some((
            format!("`{}` never hands a lead to `{}`", def.name, queue_def.name),
            format!("its route and breach path reach {}", list(&names)),
        ));
    }
    let seller = owner.and_then(|o| p.sellers.get(o.index()).map(|s| (o, s)))?;
    (!queue_def.members.contains(&seller.0)).then(|| {
        (
            format!(
                "`{}` is not a member of `{}`",
                seller.1.name, queue_def.name
            ),
            format!(
                "an owner is one of the queue's members: {}",
                list(
                    &(queue_def.members.iter())
                        .map(|m| format!(
                            "`{}`",
                            p.sellers.get(m.index()).map_or("", |s| s.name.as_str())
                        ))
                        .collect::<Vec<_>>()
                )
            ),
        )
    })
}

/// The queues a rule can put a lead in: its route (every line of a router, the owners' queues
/// of an `owner from` line) and the queues its breach path moves the lead to.
fn queues_of(p: &Playbook, rule: HandoffId) -> Vec<QueueId> {
    let Some(def) = p.handoffs.get(rule.index()) else {
        return Vec::new();
    };
    let mut queues = match def.route {
        RouteTarget::Queue(q) => vec![q],
        RouteTarget::Router(r) => (p.routers.get(r.index()).map_or(&[][..], |r| &r.rules))
            .iter()
            .flat_map(|line| match line {
                RouteRule::When { queue, .. } | RouteRule::Otherwise { queue } => vec![*queue],
                RouteRule::Owner { accounts } => {
                    (p.accounts.get(accounts.index())).map_or(Vec::new(), |a| {
                        (a.owners.iter())
                            .filter_map(|(_, s)| p.sellers.get(s.index()).map(|s| s.queue))
                            .collect()
                    })
                }
            })
            .collect(),
    };
    queues.extend(def.breach.iter().filter_map(|b| match b {
        BreachAction::Requeue { queue, .. } | BreachAction::Reassign { queue } => *queue,
        BreachAction::Escalate { queue } => Some(*queue),
        BreachAction::Rescue { .. } | BreachAction::Notify { .. } => None,
    }));
    queues.sort_by_key(|q| q.index());
    queues.dedup();
    queues
}

/// A reason expected with an ending (`converted`, ...) its destination is not.
fn wrong_kind(
    p: &Playbook,
    r: ReasonId,
    ending: &str,
    fits: impl Fn(&Destination) -> bool,
) -> Finding {
    let def = p.reasons.get(r.index())?;
    if fits(&def.destination) {
        return None;
    }
    let actual = match def.destination {
        Destination::Recycle { .. } => "recycles",
        Destination::Convert => "converts",
        Destination::Close => "closes",
    };
    Some((
        format!("a lead is never {ending} as `{}`", def.name),
        format!("`{}` {actual} the lead", def.name),
    ))
}

/// Whether a breach limit records `r` (it recycles whatever the reason's own destination).
fn is_breach_limit_reason(p: &Playbook, r: ReasonId) -> bool {
    (p.handoffs.iter()).any(|h| h.breach_limit.is_some_and(|l| l.reason == r))
}

/// A breach step no handoff's breach path takes.
fn breach_step(p: &Playbook, step: BreachStep) -> Finding {
    let taken =
        |f: &dyn Fn(&BreachAction) -> bool| p.handoffs.iter().any(|h| h.breach.iter().any(f));
    let (holds, what) = match step {
        BreachStep::Rescued(t) => (
            taken(&|b| matches!(b, BreachAction::Rescue { track } if *track == t)),
            format!(
                "rescues with `{}`",
                p.tracks.get(t.index()).map_or("", |t| t.name.as_str())
            ),
        ),
        BreachStep::Escalated(Some(q)) => (
            taken(&|b| matches!(b, BreachAction::Escalate { queue } if *queue == q)),
            format!("escalates to `{}`", queue_name(p, q)),
        ),
        BreachStep::Escalated(None) => (
            taken(&|b| matches!(b, BreachAction::Escalate { .. })),
            "escalates".to_string(),
        ),
        BreachStep::Requeued(_) | BreachStep::Reassigned(_) => (true, String::new()),
    };
    (!holds).then(|| {
        (
            format!("no breach path {what}"),
            "expect a step of the breach path of the lead's handoff".to_string(),
        )
    })
}

fn reason(p: &Playbook, r: ReasonId) -> &str {
    p.reasons.get(r.index()).map_or("", |r| r.name.as_str())
}

fn queue_name(p: &Playbook, q: QueueId) -> &str {
    p.queues.get(q.index()).map_or("", |q| q.name.as_str())
}

fn list(names: &[String]) -> String {
    match names {
        [] => "no queue".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

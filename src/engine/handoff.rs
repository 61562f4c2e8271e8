//! Handoff rules (which fires, routing, task, context package, SLA timer) and the breach path.
//!
//! Event rules fire when their event matches and their condition holds; state rules (no `on`)
//! fire at any update after which their condition holds. Among the rules that fire, the lowest
//! `priority` wins, then declaration order. A lead already handed off is not handed off again,
//! and inside a suppression window only the reason's `unless` rules may fire.

use super::action::{Action, ContextSnapshot, WhyNow};
use super::cond::Scope;
use super::input::TimerKind;
use super::plan::Plan;
use super::state::{HandoffRun, Stage};
use super::{scoring, Ctx, Tracer};
use crate::ir::{BreachAction, ContextId, ContextItem, EventId, HandoffId, QueueId, Value};

impl<T: Tracer> Ctx<'_, T> {
    /// Whether suppression lets a rule fire now.
    fn allowed(&self, rule: HandoffId) -> bool {
        match self.lead.suppression {
            Some(s) if self.now < s.until => self
                .playbook
                .reasons
                .get(s.reason.index())
                .and_then(|r| r.suppression.as_ref())
                .is_some_and(|sup| sup.unless.contains(&rule)),
            _ => true,
        }
    }

    /// Fires the winning handoff rule, if any, for an update (with the event, if there is one).
    ///
    /// Most updates can fire nothing, and are told apart here, inlined into the step, before
    /// the call that tests rules (and whose entry saves every register it may use).
    #[inline(always)]
    pub(super) fn consider_handoffs(&mut self, event: Option<(EventId, &[Value])>) {
        if self.ended_handoff || !matches!(self.lead.stage, Stage::Nurture | Stage::Parked { .. }) {
            return;
        }
        let event_rules = event
            .and_then(|(e, _)| self.engine.tables.by_event.get(e.index()))
            .map_or(&[][..], |t| &t.handoffs[..]);
        // A quiet lead's state rules were all false at its last step, and nothing since could
        // have made one true; with no event rule to test either, nothing can fire.
        if event_rules.is_empty() && !self.raised {
            self.rules_false = true;
            return;
        }
        self.test_handoffs(event, event_rules);
    }

    /// Tests the rules that may fire on an update and fires the winner.
    #[inline(never)]
    fn test_handoffs(
        &mut self,
        event: Option<(EventId, &[Value])>,
        event_rules: &[(HandoffId, Vec<Plan>)],
    ) {
        let playbook = self.playbook;
        let tables = &self.engine.tables;
        let fields = event.map_or(&[][..], |(_, f)| f);
        let scope = Scope {
            playbook,
            lead: self.lead,
            event: fields,
            now: self.now,
        };
        let mut best: Option<(i64, HandoffId, Option<EventId>)> = None;
        let mut offer = |rule: HandoffId, trigger: Option<EventId>| {
            let Some(def) = playbook.handoffs.get(rule.index()) else {
                return;
            };
            if best.is_some_and(|(p, r, _)| (p, r) <= (def.priority, rule)) {
                return;
            }
            best = Some((def.priority, rule, trigger));
        };
        if let Some((e, _)) = event {
            for (rule, filters) in event_rules {
                let fires = filters.iter().any(|f| f.holds(&scope))
                    && (tables.handoff_when.get(rule.index())).is_some_and(|w| w.holds(&scope));
                if fires {
                    let allowed = self.allowed(*rule);
                    let held_back = self.lead.suppression.filter(|_| !allowed);
                    self.trace.rule_held(&scope, *rule, Some(e), held_back);
                    if allowed {
                        offer(*rule, Some(e));
                    }
                }
            }
        }
        let mut rules_false = true;
        if self.raised {
            for rule in &tables.state_handoffs {
                let fires =
                    (tables.handoff_when.get(rule.index())).is_some_and(|w| w.holds(&scope));
                rules_false &= !fires;
                if fires {
                    let allowed = self.allowed(*rule);
                    let held_back = self.lead.suppression.filter(|_| !allowed);
                    self.trace.rule_held(&scope, *rule, None, held_back);
                    if allowed {
                        offer(*rule, None);
                    }
                }
            }
        }
        self.rules_false = rules_false;
        if let Some((_, rule, trigger)) = best {
            self.hand_off(rule, trigger);
        }
    }

    /// Hands the lead off: routes it, pauses automation, creates the task with its context
    /// package and starts the SLA timer.
    fn hand_off(&mut self, rule: HandoffId, trigger: Option<EventId>) {
        let engine = self.engine;
        let Some(def) = self.playbook.handoffs.get(rule.index()) else {
            return;
        };
        let Some((queue, owner, line)) = engine.route_with_line(def.route, self.lead, self.now)
        else {
            self.out.push(Action::Unroutable { rule });
            return;
        };
        self.trace.routed(rule, line, queue, owner);
        let resume_track = match self.lead.stage {
            Stage::Parked { track, .. } => Some(track),
            _ => self.lead.track.map(|t| t.track),
        };
        self.stop_track();
        self.lead.generations.bump(TimerKind::Park);
        let deadline = engine.sla_deadline(def.sla, queue, self.now);
        let priority = engine.queue_priority(queue, self.lead, self.now);
        self.lead.stage = Stage::HandedOff(Box::new(HandoffRun {
            rule,
            trigger,
            queue,
            owner,
            started_at: self.now,
            deadline,
            breaches: 0,
            touched_at: None,
            seller: None,
            attempts: 0,
            step: 0,
            awaiting_disposition: false,
            resume_track,
        }));
        self.lead.handoffs = self.lead.handoffs.saturating_add(1);
        self.out.push(Action::Enqueue {
            rule,
            queue,
            owner,
            priority,
        });
        self.out.push(Action::CreateTask {
            rule,
            sequence: def.sequence,
        });
        self.out.push(Action::NotifyOwner { queue, owner });
        if let Some(context) = def.context {
            self.attach_context(context, rule, trigger);
        }
        self.trace.sla_started(rule, queue, self.now, deadline);
        self.start_sla(deadline);
    }

    fn start_sla(&mut self, deadline: crate::calendar::Timestamp) {
        if deadline == crate::calendar::Timestamp::MAX {
            self.lead.generations.bump(TimerKind::Sla);
        } else {
            self.start_timer(TimerKind::Sla, deadline);
        }
    }

    /// Renders a context package from the lead's current state.
    fn attach_context(&mut self, context: ContextId, rule: HandoffId, trigger: Option<EventId>) {
        let Some(def) = self.playbook.contexts.get(context.index()) else {
            return;
        };
        if !self.engine.context_packages {
            self.out.push(Action::AttachContext {
                context,
                package: None,
            });
            return;
        }
        let mut package = ContextSnapshot {
            why_now: None,
            top_signals: Vec::new(),
            last_touch: None,
            campaign_source: None,
            fields: Vec::new(),
        };
        for item in &def.items {
            match item {
                ContextItem::WhyNow => {
                    package.why_now = Some(WhyNow {
                        rule,
                        event: trigger,
                    })
                }
                ContextItem::TopSignals(n) => {
                    package.top_signals =
                        scoring::top_signals(self.lead, usize::try_from(*n).unwrap_or(0))
                }
                ContextItem::LastTouch => package.last_touch = self.lead.last_touch,
                ContextItem::CampaignSource => package.campaign_source = self.lead.source.clone(),
                ContextItem::Field(field) => {
                    if let Some(value) = self.lead.attributes.get(field.index()) {
                        package.fields.push((*field, value.clone()));
                    }
                }
            }
        }
        self.out.push(Action::AttachContext {
            context,
            package: Some(Box::new(package)),
        });
    }

    /// The SLA deadline passed untouched: count the breach, then either recycle (breach limit
    /// reached: only `notify` steps still run, since the lead leaves the queue) or run the breach
    /// path in order. Requeue, escalate and reassign restart the SLA in the new queue.
    pub(super) fn breach(&mut self) {
        let engine = self.engine;
        let Stage::HandedOff(run) = &mut self.lead.stage else {
            return;
        };
        run.breaches = run.breaches.saturating_add(1);
        let (rule, breaches) = (run.rule, run.breaches);
        let Some(def) = self.playbook.handoffs.get(rule.index()) else {
            return;
        };
        self.out.push(Action::SlaBreached { rule, breaches });
        let roles = engine.tables.roles.get(rule.index());
        let notify = |index: usize| roles.and_then(|r| r.get(index)).and_then(Clone::clone);
        if let Some(limit) = def.breach_limit.filter(|l| breaches >= l.breaches) {
            for (index, _) in def.breach.iter().enumerate() {
                if let Some(role) = notify(index) {
                    self.out.push(Action::NotifyRole { role });
                }
            }
            self.leave_queue();
            self.out.push(Action::BreachRecycled {
                reason: limit.reason,
                track: limit.track,
            });
            self.recycle_now(limit.reason, limit.track);
            return;
        }
        let mut restart = false;
        for (index, step) in def.breach.iter().enumerate() {
            match step {
                BreachAction::Rescue { track } => {
                    self.out.push(Action::RescueStarted { track: *track });
                    self.enter_track(*track);
                }
                BreachAction::Requeue { queue, context } => {
                    let queue = queue.unwrap_or_else(|| self.current_queue());
                    self.out.push(Action::Requeued { queue });
                    self.move_to(queue, true);
                    let trigger = self.lead.handoff().and_then(|r| r.trigger);
                    if let Some(context) = context.or(def.context) {
                        self.attach_context(context, rule, trigger);
                    }
                    restart = true;
                }
                BreachAction::Escalate { queue } => {
                    self.out.push(Action::Escalated { queue: *queue });
                    self.move_to(*queue, false);
                    restart = true;
                }
                BreachAction::Reassign { queue } => {
                    let queue = queue.unwrap_or_else(|| self.current_queue());
                    self.out.push(Action::Reassigned { queue });
                    self.move_to(queue, false);
                    restart = true;
                }
                BreachAction::Notify { .. } => {
                    if let Some(role) = notify(index) {
                        self.out.push(Action::NotifyRole { role });
                    }
                }
            }
        }
        if restart {
            let queue = self.current_queue();
            let deadline = engine.sla_deadline(def.sla, queue, self.now);
            if let Stage::HandedOff(run) = &mut self.lead.stage {
                run.deadline = deadline;
            }
            self.trace.sla_started(rule, queue, self.now, deadline);
            self.start_sla(deadline);
        }
    }

    fn current_queue(&self) -> QueueId {
        self.lead.handoff().map_or(QueueId(0), |r| r.queue)
    }

    /// Puts the waiting lead in `queue`, keeping its owner only when asked and the owner works
    /// in that queue.
    fn move_to(&mut self, queue: QueueId, keep_owner: bool) {
        let engine = self.engine;
        let priority = engine.queue_priority(queue, self.lead, self.now);
        let Stage::HandedOff(run) = &mut self.lead.stage else {
            return;
        };
        let owner_stays = keep_owner
            && run.owner.is_some_and(|s| {
                self.playbook
                    .sellers
                    .get(s.index())
                    .is_some_and(|s| s.queue == queue)
            });
        if !owner_stays {
            run.owner = None;
        }
        run.queue = queue;
        self.out.push(Action::Enqueue {
            rule: run.rule,
            queue,
            owner: run.owner,
            priority,
        });
    }
}

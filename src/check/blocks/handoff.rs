//! Handoffs: triggers, SLAs and breach paths.

use crate::check::expr::Scope;
use crate::check::names::Kind;
use crate::check::origins::HandoffOrigin;
use crate::check::Lowerer;
use crate::diagnostics::messages;
use crate::ir::{self, Cond};
use crate::span::Span;
use crate::syntax::ast::{self, Block, Stmt};

/// Default handoff priority: rules without `priority` tie with each other.
pub const DEFAULT_PRIORITY: i64 = 100;

impl Lowerer<'_> {
    /// Lowers `on` and `when` statements; also says whether every event resolved.
    pub(super) fn trigger(
        &mut self,
        ons: &[(&ast::EventRef, Option<&ast::Expr>)],
        whens: &[&ast::Expr],
    ) -> (ir::Trigger, bool) {
        let mut on = Vec::new();
        let mut complete = true;
        for (event, filter) in ons {
            let Some(event) = self.event_ref(event) else {
                complete = false;
                continue;
            };
            let filter = filter.map_or(Cond::True, |f| self.cond(f, Scope::Event(event)));
            on.push(ir::EventTrigger { event, filter });
        }
        let mut conds: Vec<Cond> = whens.iter().map(|w| self.cond(w, Scope::Lead)).collect();
        let when = match conds.len() {
            0 => Cond::True,
            1 => conds.pop().unwrap_or(Cond::True),
            _ => Cond::And { all: conds },
        };
        (ir::Trigger { on, when }, complete)
    }

    /// Lowers a `handoff` block and records where its statements were, for the lints.
    pub(super) fn handoff(&mut self, b: &Block<ast::HandoffStmt>) {
        use ast::HandoffStmt as H;
        let mut at = HandoffOrigin {
            name: *b.name.loc,
            ..HandoffOrigin::default()
        };
        let mut ons = Vec::new();
        let mut whens = Vec::new();
        let mut seen: Vec<(&'static str, Span)> = Vec::new();
        let mut priority = DEFAULT_PRIORITY;
        let mut route = None;
        let mut sla = None;
        let mut context = None;
        let mut sequence = None;
        let mut breach = Vec::new();
        let mut breach_limit = None;
        let mut breach_spans = Vec::new();
        let mut kpis = Vec::new();
        for s in &b.body {
            let key = match &s.kind {
                H::Priority(_) => Some("the priority"),
                H::RouteTo(_) | H::RouteVia(_) => Some("the route"),
                H::Sla { .. } | H::SlaSameDay => Some("the SLA"),
                H::Context(_) => Some("the context package"),
                H::Sequence(_) => Some("the sequence"),
                H::Breach(_) => Some("the breach path"),
                _ => None,
            };
            if let Some(key) = key {
                if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                    self.repeated(key, *first, *s.loc);
                    continue;
                }
                seen.push((key, *s.loc));
            }
            match &s.kind {
                H::On { event, filter } => ons.push((event, filter.as_ref())),
                H::When(e) => {
                    at.when = Some(at.when.map_or(*s.loc, |w: Span| w.to(*s.loc)));
                    whens.push(e);
                }
                H::Priority(n) => {
                    if n.value.fract() != 0.0 || n.value.abs() > 1e9 {
                        self.diags.push(messages::priority_not_whole(*n.loc));
                    } else {
                        priority = n.value as i64;
                    }
                }
                H::RouteTo(q) => route = self.route_target(q, true),
                H::RouteVia(r) => route = self.route_target(r, false),
                H::Sla { within, clock } => {
                    at.sla = Some(*s.loc);
                    sla = self.sla(within, *clock);
                }
                H::SlaSameDay => {
                    at.sla = Some(*s.loc);
                    sla = Some(ir::Sla::SameDay);
                }
                H::Context(c) => context = self.resolve(c),
                H::Sequence(q) => sequence = self.resolve(q),
                H::Breach(stmts) => {
                    at.breach = Some(*s.loc);
                    at.requeue = stmts
                        .iter()
                        .find(|st| {
                            matches!(
                                st.kind,
                                ast::BreachStmt::Requeue { .. }
                                    | ast::BreachStmt::Reassign(_)
                                    | ast::BreachStmt::Escalate(_)
                            )
                        })
                        .map(|st| *st.loc);
                    let (actions, limit, spans) = self.breach(stmts);
                    breach = actions;
                    breach_spans = spans;
                    breach_limit = limit;
                }
                H::Kpi(k) => kpis.extend(self.kpi_ref(k)),
            }
        }
        let (trigger, complete) = self.trigger(&ons, &whens);
        at.partial_trigger = !complete;
        if ons.is_empty() && whens.is_empty() {
            self.diags
                .push(messages::handoff_without_trigger(*b.name.loc, &b.name.name));
        }
        if !seen.iter().any(|(k, _)| *k == "the route") {
            self.diags
                .push(messages::handoff_without_route(*b.name.loc, &b.name.name));
        }
        if at.sla.is_none() {
            self.diags
                .push(messages::handoff_without_sla(*b.name.loc, &b.name.name));
        } else if at.breach.is_none() {
            self.diags.push(messages::sla_without_breach(
                at.sla.unwrap_or(*b.name.loc),
                &b.name.name,
                *b.name.loc,
            ));
        }
        self.origins.handoffs.push(at);
        self.origins.breach_steps.push(breach_spans);
        self.playbook.handoffs.push(ir::Handoff {
            name: b.name.name.clone(),
            trigger,
            priority,
            route: route.unwrap_or(ir::RouteTarget::Queue(ir::QueueId(0))),
            sla: sla.unwrap_or(ir::Sla::Wall(0)),
            context,
            sequence,
            breach,
            breach_limit,
            kpis,
            origin: *b.name.loc,
        });
    }

    /// An SLA on its clock, or `None` after reporting a zero or contradictory one.
    fn sla(&mut self, within: &ast::DurationLit, clock: Option<ast::SlaClock>) -> Option<ir::Sla> {
        let secs = self.duration_secs(within)?;
        if secs == 0 {
            self.diags.push(messages::zero_sla(*within.loc));
            return None;
        }
        let business_unit = within.unit.is_business();
        Some(match (within.unit, clock) {
            (_, Some(ast::SlaClock::Wall)) if business_unit => {
                self.diags.push(messages::business_unit_on_wall_sla(
                    *within.loc,
                    within.unit.suffix(),
                ));
                return None;
            }
            (ast::DurationUnit::BusinessDays, _) => {
                if within.value.fract() != 0.0 {
                    self.diags
                        .push(messages::fractional_business_days(*within.loc));
                }
                ir::Sla::BusinessDays(u32::try_from(secs / 86_400).unwrap_or(u32::MAX).max(1))
            }
            (ast::DurationUnit::BusinessHours, _) | (_, Some(ast::SlaClock::Business)) => {
                ir::Sla::BusinessSeconds(secs)
            }
            _ => ir::Sla::Wall(secs),
        })
    }

    /// Lowers an `on breach` block into its actions and the limit after which the lead is recycled.
    fn breach(
        &mut self,
        stmts: &[Stmt<ast::BreachStmt>],
    ) -> (Vec<ir::BreachAction>, Option<ir::BreachLimit>, Vec<Span>) {
        use ast::BreachStmt as B;
        let mut actions = Vec::new();
        let mut spans = Vec::new();
        let mut limit = None;
        let mut limit_span: Option<Span> = None;
        for s in stmts {
            match &s.kind {
                B::Rescue(t) => actions.extend(
                    self.resolve(t)
                        .map(|track| ir::BreachAction::Rescue { track }),
                ),
                B::Requeue { to, context } => {
                    let queue = to.as_ref().and_then(|q| self.resolve(q));
                    let context = context.as_ref().and_then(|c| self.resolve(c));
                    actions.push(ir::BreachAction::Requeue { queue, context });
                }
                B::Escalate(q) => actions.extend(
                    self.resolve(q)
                        .map(|queue| ir::BreachAction::Escalate { queue }),
                ),
                B::Reassign(q) => {
                    let queue = q.as_ref().and_then(|q| self.resolve(q));
                    actions.push(ir::BreachAction::Reassign { queue });
                }
                B::Notify(role) => {
                    self.check_role(role);
                    actions.push(ir::BreachAction::Notify {
                        role: role.name.clone(),
                    });
                }
                B::Limit {
                    breaches,
                    to,
                    reason,
                } => {
                    if let Some(first) = limit_span {
                        self.repeated("the breach limit", first, *s.loc);
                        continue;
                    }
                    limit_span = Some(*s.loc);
                    self.origins
                        .breach_limits
                        .push((self.playbook.handoffs.len(), *s.loc));
                    let n = self.count(breaches, "a breach count", 1);
                    if let (Some(track), Some(reason)) = (self.resolve(to), self.resolve(reason)) {
                        limit = Some(ir::BreachLimit {
                            breaches: n,
                            track,
                            reason,
                        });
                    }
                }
            }
            // One span per action lowered, so coverage can point at each breach step.
            spans.resize(actions.len(), *s.loc);
        }
        (actions, limit, spans)
    }

    /// Checks a `notify` role against the header's `roles` line; a playbook that declares no
    /// roles may notify any name, so playbooks written before `roles` existed still check.
    fn check_role(&mut self, role: &ast::Ident) {
        if self.names.count(Kind::Role) > 0 {
            self.names.resolve(Kind::Role, role, &mut self.diags);
        }
    }
}

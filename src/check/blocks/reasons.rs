//! Disposition reasons and disqualifiers: where a lead goes when it leaves a handoff.

use crate::check::Lowerer;
use crate::diagnostics::messages;
use crate::ir;
use crate::span::Span;
use crate::syntax::ast::{self, Block};

impl Lowerer<'_> {
    /// Lowers a `reason` block, which needs exactly one destination.
    pub(super) fn reason(&mut self, b: &Block<ast::ReasonStmt>) {
        self.origins.reasons.push(*b.name.loc);
        let mut label = None;
        let mut destination: Option<(ir::Destination, Span)> = None;
        let mut suppression = None;
        let mut kpis = Vec::new();
        let mut recycle_span = None;
        for s in &b.body {
            let dest = match &s.kind {
                ast::ReasonStmt::Label(l) => {
                    label = Some(l.value.clone());
                    None
                }
                ast::ReasonStmt::Recycle { to, after } => {
                    recycle_span = Some(*s.loc);
                    let after_secs = after
                        .as_ref()
                        .map_or(0, |a| self.wall_secs(a, "a recycle delay"));
                    self.resolve(to)
                        .map(|track| ir::Destination::Recycle { track, after_secs })
                }
                ast::ReasonStmt::Convert => Some(ir::Destination::Convert),
                ast::ReasonStmt::Close => Some(ir::Destination::Close),
                ast::ReasonStmt::Suppress { window, unless } => {
                    let window_secs = self.wall_secs(window, "a suppression window");
                    let unless = unless.iter().filter_map(|h| self.resolve(h)).collect();
                    suppression = Some(ir::Suppression {
                        window_secs,
                        unless,
                    });
                    None
                }
                ast::ReasonStmt::Kpi(k) => {
                    kpis.extend(self.label_kpi_ref(k, "reason"));
                    None
                }
            };
            if let Some(d) = dest {
                if let Some((_, first)) = &destination {
                    self.diags
                        .push(messages::two_destinations(*s.loc, &b.name.name, *first));
                } else {
                    destination = Some((d, *s.loc));
                }
            }
        }
        let has_dest_stmt = b.body.iter().any(|s| {
            matches!(
                s.kind,
                ast::ReasonStmt::Recycle { .. } | ast::ReasonStmt::Convert | ast::ReasonStmt::Close
            )
        });
        if !has_dest_stmt {
            self.diags
                .push(messages::reason_without_recycle(*b.name.loc, &b.name.name));
        }
        self.origins.recycles.push(recycle_span);
        self.playbook.reasons.push(ir::Reason {
            name: b.name.name.clone(),
            label,
            destination: destination.map_or(ir::Destination::Close, |(d, _)| d),
            suppression,
            kpis,
        });
    }

    /// Lowers a `disqualify` block, which needs a condition and a reason.
    pub(super) fn disqualifier(&mut self, b: &Block<ast::TriggerStmt>) {
        let mut ons = Vec::new();
        let mut whens = Vec::new();
        let mut reason = None;
        let mut reason_span: Option<Span> = None;
        for s in &b.body {
            match &s.kind {
                ast::TriggerStmt::On { event, filter } => ons.push((event, filter.as_ref())),
                ast::TriggerStmt::When(e) => whens.push(e),
                ast::TriggerStmt::Reason(r) => {
                    if let Some(first) = reason_span {
                        self.repeated("the reason", first, *s.loc);
                        continue;
                    }
                    reason_span = Some(*s.loc);
                    reason = self.resolve(r);
                }
            }
        }
        let (trigger, _) = self.trigger(&ons, &whens);
        if ons.is_empty() && whens.is_empty() {
            self.diags.push(messages::disqualifier_without_condition(
                *b.name.loc,
                &b.name.name,
            ));
        }
        if reason_span.is_none() {
            self.diags.push(messages::disqualifier_without_reason(
                *b.name.loc,
                &b.name.name,
            ));
        }
        self.origins.disqualifiers.push(*b.name.loc);
        self.playbook.disqualifiers.push(ir::Disqualifier {
            name: b.name.name.clone(),
            trigger,
            reason: reason.unwrap_or(ir::ReasonId(0)),
        });
    }
}

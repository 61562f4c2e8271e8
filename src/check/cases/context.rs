//! `expect context ...`: names resolved and values typed, and a package or field no handoff
//! ever attaches reported as an expectation that can never hold (E0706).

use crate::check::Lowerer;
use crate::diagnostics::messages;
use crate::ir::{BreachAction, ContextId, ContextItem, FieldId, Playbook};
use crate::span::Span;
use crate::syntax::ast::{ContextExpectation, Ident};
use crate::testing::ContextCheck;

impl Lowerer<'_> {
    /// Lowers an `expect context` line.
    pub(super) fn context_check(&mut self, c: &ContextExpectation) -> Option<ContextCheck> {
        Some(match c {
            ContextExpectation::Package(name) => {
                let id = self.resolve(name)?;
                self.never_attached(id, name);
                ContextCheck::Package(id)
            }
            ContextExpectation::WhyNow { rule, event } => {
                let rule = self.resolve(rule);
                let event = match event {
                    Some(e) => Some(self.resolve(e)?),
                    None => None,
                };
                ContextCheck::WhyNow(rule?, event)
            }
            ContextExpectation::Signal(e) => ContextCheck::Signal(self.resolve(e)?),
            ContextExpectation::LastTouch(c) => ContextCheck::LastTouch(self.channel(c)),
            ContextExpectation::Field(f) => {
                let (field, value) = self.attribute(f)?;
                self.field_never_shown(field, *f.field.loc, &f.field.name);
                ContextCheck::Field(field, value)
            }
        })
    }

    fn never_attached(&mut self, id: ContextId, name: &Ident) {
        if attached(&self.playbook).contains(&id) {
            return;
        }
        self.diags.push(messages::impossible_expectation(
            *name.loc,
            format!("no handoff attaches `{}`", name.name),
            "a package is attached by a handoff's `context` line or a breach step's `requeue with context`".to_string(),
        ));
    }

    fn field_never_shown(&mut self, field: FieldId, at: Span, name: &str) {
        let p = &self.playbook;
        let shown = attached(p).iter().any(|c| {
            (p.contexts.get(c.index()))
                .is_some_and(|c| c.items.contains(&ContextItem::Field(field)))
        });
        if !shown {
            self.diags.push(messages::impossible_expectation(
                at,
                format!("no context package includes `{name}`"),
                format!("add `include field {name}` to the package"),
            ));
        }
    }
}

/// The packages a handoff or a requeue attaches.
fn attached(p: &Playbook) -> Vec<ContextId> {
    let mut ids: Vec<ContextId> = (p.handoffs.iter()).filter_map(|h| h.context).collect();
    ids.extend(p.handoffs.iter().flat_map(|h| {
        h.breach.iter().filter_map(|b| match b {
            BreachAction::Requeue { context, .. } => *context,
            _ => None,
        })
    }));
    ids
}

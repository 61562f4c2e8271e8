//! `expect context ...`: checked against the context package the engine attached last.

use super::{name, Mismatch, Runner};
use crate::engine::{Action, ContextSnapshot};
use crate::ir::{ContextId, FieldType, Playbook, Value};
use crate::testing::ContextCheck;

impl Runner<'_> {
    /// The package attached last, with its rendered content when the engine renders one.
    fn last_package(&self) -> Option<(ContextId, Option<&ContextSnapshot>)> {
        self.actions.iter().rev().find_map(|(_, a)| match a {
            Action::AttachContext { context, package } => Some((*context, package.as_deref())),
            _ => None,
        })
    }

    /// Checks one `expect context` line against the package attached last.
    pub(super) fn context(&self, c: &ContextCheck, expected: &str) -> Result<(), Mismatch> {
        let fail = |actual: String| Err((expected.to_string(), actual));
        let Some((id, package)) = self.last_package() else {
            return fail("no context package attached".to_string());
        };
        let holds = match (c, package) {
            (ContextCheck::Package(want), _) => *want == id,
            (_, None) => false,
            (ContextCheck::WhyNow(rule, event), Some(p)) => p
                .why_now
                .is_some_and(|w| w.rule == *rule && event.is_none_or(|e| w.event == Some(e))),
            (ContextCheck::Signal(event), Some(p)) => {
                p.top_signals.iter().any(|s| s.event == *event)
            }
            (ContextCheck::LastTouch(channel), Some(p)) => {
                p.last_touch.is_some_and(|t| t.channel == Some(*channel))
            }
            (ContextCheck::Field(field, value), Some(p)) => {
                p.fields.iter().any(|(f, v)| f == field && v == value)
            }
        };
        if holds {
            return Ok(());
        }
        let shown = (self.actions.iter().rev())
            .find(|(_, a)| matches!(a, Action::AttachContext { .. }))
            .map(|(_, a)| a.describe(self.playbook()).to_string())
            .unwrap_or_default();
        fail(shown.trim_start_matches("attach ").to_string())
    }
}

/// An `expect context` line in the test's own words.
pub(super) fn context_words(p: &Playbook, c: &ContextCheck) -> String {
    match c {
        ContextCheck::Package(id) => {
            format!("context {}", name(&p.contexts, id.index(), |c| &c.name))
        }
        ContextCheck::WhyNow(rule, event) => {
            let rule = name(&p.handoffs, rule.index(), |h| &h.name);
            match event {
                Some(e) => format!(
                    "context why now {rule} on {}",
                    name(&p.events, e.index(), |e| &e.name)
                ),
                None => format!("context why now {rule}"),
            }
        }
        ContextCheck::Signal(e) => {
            format!("context signal {}", name(&p.events, e.index(), |e| &e.name))
        }
        ContextCheck::LastTouch(channel) => format!("context last touch {}", channel.name()),
        ContextCheck::Field(field, value) => {
            let def = p.fields.get(field.index());
            let text = match (value, def.map(|d| &d.ty)) {
                (Value::Flag(b), _) => if *b { "yes" } else { "no" }.to_string(),
                (Value::Number(n), _) => n.to_string(),
                (Value::Text(t), _) => format!("{:?}", t.as_str()),
                (Value::Enum(i), Some(FieldType::OneOf { values })) => {
                    name(values, usize::from(*i), |v| v)
                }
                (Value::Enum(i), _) => format!("#{i}"),
            };
            format!(
                "context field {} {text}",
                def.map_or("", |d| d.name.as_str())
            )
        }
    }
}

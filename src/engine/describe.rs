//! Actions as one line of text with names instead of ids: what a person reads in test cases,
//! replay explanations and action logs, so every reader of actions words them the same way.

use super::action::{Action, ContextSnapshot};
use crate::calendar::Timestamp;
use crate::ir::{FieldDef, FieldType, Playbook, Value};
use std::fmt::{self, Display, Formatter};

/// An action ready to print against the playbook that names its ids.
pub struct Described<'a> {
    action: &'a Action,
    playbook: &'a Playbook,
}

impl Action {
    /// The action as one line of text, ids replaced by their names in `playbook` (an id out of
    /// range prints as `#N`, so printing never fails).
    pub fn describe<'a>(&'a self, playbook: &'a Playbook) -> Described<'a> {
        Described {
            action: self,
            playbook,
        }
    }
}

/// An instant as RFC 3339 in UTC, or the raw seconds beyond chrono's range.
pub fn utc(t: Timestamp) -> String {
    chrono::DateTime::from_timestamp(t, 0).map_or_else(
        || format!("{t}s"),
        |d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

/// A field value as written in event lines: text quoted, enum values by name.
fn value_text(def: Option<&FieldDef>, value: &Value) -> String {
    match (value, def.map(|d| &d.ty)) {
        (Value::Flag(b), _) => b.to_string(),
        (Value::Number(n), _) => n.to_string(),
        (Value::Text(t), _) => format!("{:?}", t.as_str()),
        (Value::Enum(i), Some(FieldType::OneOf { values })) => {
            named(values, usize::from(*i), |v| v)
        }
        (Value::Enum(i), _) => format!("#{i}"),
    }
}

/// The name of the item at `index`, or `#index` when there is none.
fn named<T>(items: &[T], index: usize, name: impl Fn(&T) -> &str) -> String {
    items
        .get(index)
        .map_or_else(|| format!("#{index}"), |item| name(item).to_owned())
}

impl Described<'_> {
    fn track(&self, id: crate::ir::TrackId) -> String {
        named(&self.playbook.tracks, id.index(), |t| &t.name)
    }
    fn rule(&self, id: crate::ir::HandoffId) -> String {
        named(&self.playbook.handoffs, id.index(), |h| &h.name)
    }
    fn queue(&self, id: crate::ir::QueueId) -> String {
        named(&self.playbook.queues, id.index(), |q| &q.name)
    }
    fn seller(&self, id: crate::ir::SellerId) -> String {
        named(&self.playbook.sellers, id.index(), |s| &s.name)
    }
    fn reason(&self, id: crate::ir::ReasonId) -> String {
        named(&self.playbook.reasons, id.index(), |r| &r.name)
    }
    fn event(&self, id: crate::ir::EventId) -> String {
        named(&self.playbook.events, id.index(), |e| &e.name)
    }

    /// The rendered context package: why now, signals, last touch, campaign and fields.
    fn package(&self, f: &mut Formatter<'_>, package: &ContextSnapshot) -> fmt::Result {
        if let Some(why) = &package.why_now {
            write!(f, "; why {}", self.rule(why.rule))?;
            if let Some(event) = why.event {
                write!(f, " on {}", self.event(event))?;
            }
        }
        let signals: Vec<String> = package
            .top_signals
            .iter()
            .map(|s| format!("{} +{} at {}", self.event(s.event), s.points, utc(s.at)))
            .collect();
        write!(f, "; signals [{}]", signals.join(", "))?;
        if let Some(touch) = &package.last_touch {
            let who = if touch.manual { "manual" } else { "auto" };
            let channel = touch.channel.map_or("unknown", |c| c.name());
            write!(f, "; last touch {who} {channel} at {}", utc(touch.at))?;
        }
        if let Some(source) = &package.campaign_source {
            write!(f, "; campaign {source}")?;
        }
        for (field, value) in &package.fields {
            let def = self.playbook.fields.get(field.index());
            let name = def.map_or_else(|| format!("#{}", field.index()), |d| d.name.clone());
            write!(f, "; {name} {}", value_text(def, value))?;
        }
        Ok(())
    }
}

impl Display for Described<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.action {
            Action::StartTimer { key, at } => write!(
                f,
                "timer {}#{} at {}",
                key.kind.name(),
                key.generation,
                utc(*at)
            ),
            Action::EnteredTrack { track } => write!(f, "entered track {}", self.track(*track)),
            Action::AutoTouch { track, channel } => {
                write!(
                    f,
                    "auto touch {} from {}",
                    channel.name(),
                    self.track(*track)
                )
            }
            Action::Enqueue {
                rule,
                queue,
                owner,
                priority,
            } => {
                write!(f, "enqueue {} in {}", self.rule(*rule), self.queue(*queue))?;
                if let Some(owner) = owner {
                    write!(f, " owner {}", self.seller(*owner))?;
                }
                write!(f, " priority {priority}")
            }
            Action::CreateTask { rule, sequence } => {
                write!(f, "create task for {}", self.rule(*rule))?;
                match sequence {
                    Some(s) => {
                        let name = named(&self.playbook.sequences, s.index(), |q| &q.name);
                        write!(f, " sequence {name}")
                    }
                    None => write!(f, " without sequence"),
                }
            }
            Action::NotifyOwner { queue, owner } => match owner {
                Some(owner) => write!(
                    f,
                    "notify owner {} in {}",
                    self.seller(*owner),
                    self.queue(*queue)
                ),
                None => write!(f, "notify queue {}", self.queue(*queue)),
            },
            Action::AttachContext { context, package } => {
                let name = named(&self.playbook.contexts, context.index(), |c| &c.name);
                write!(f, "attach context {name}")?;
                match package {
                    Some(package) => self.package(f, package),
                    None => Ok(()),
                }
            }
            Action::Dequeue { queue } => write!(f, "dequeue from {}", self.queue(*queue)),
            Action::FirstTouch {
                rule,
                delay_secs,
                breaches,
            } => write!(
                f,
                "first touch for {} after {delay_secs}s with {breaches} breaches",
                self.rule(*rule)
            ),
            Action::StepDue { step, channel } => match channel {
                Some(c) => write!(f, "step {step} due by {}", c.name()),
                None => write!(f, "step {step} due"),
            },
            Action::AwaitingDisposition { outcome } => {
                write!(f, "awaiting disposition after {}", outcome.name())
            }
            Action::SlaBreached { rule, breaches } => {
                write!(
                    f,
                    "sla breached for {} (breach {breaches})",
                    self.rule(*rule)
                )
            }
            Action::RescueStarted { track } => write!(f, "rescue started {}", self.track(*track)),
            Action::Requeued { queue } => write!(f, "requeued in {}", self.queue(*queue)),
            Action::Escalated { queue } => write!(f, "escalated to {}", self.queue(*queue)),
            Action::Reassigned { queue } => write!(f, "reassigned to {}", self.queue(*queue)),
            Action::NotifyRole { role } => write!(f, "notify role {role}"),
            Action::BreachRecycled { reason, track } => write!(
                f,
                "breach limit: recycled {} to {}",
                self.reason(*reason),
                self.track(*track)
            ),
            Action::Disposition { reason } => write!(f, "disposition {}", self.reason(*reason)),
            Action::Recycled {
                track,
                at,
                suppressed_until,
            } => {
                write!(f, "recycled to {} at {}", self.track(*track), utc(*at))?;
                match suppressed_until {
                    Some(until) => write!(f, " suppressed until {}", utc(*until)),
                    None => Ok(()),
                }
            }
            Action::Converted { reason } => write!(f, "converted {}", self.reason(*reason)),
            Action::Closed { reason } => write!(f, "closed {}", self.reason(*reason)),
            Action::Disqualified { reason } => write!(f, "disqualified {}", self.reason(*reason)),
            Action::Unresolved { rule } => write!(f, "unresolved {}", self.rule(*rule)),
            Action::Unroutable { rule } => write!(f, "unroutable {}", self.rule(*rule)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{TimerKey, TimerKind};
    use crate::ir::{Channel, ReasonId, TrackId};

    fn empty() -> Playbook {
        crate::check::compile(crate::span::FileId(0), "playbook empty {}\n")
            .playbook
            .unwrap_or_else(|| unreachable!("an empty playbook compiles"))
    }

    #[test]
    fn ids_the_playbook_does_not_have_print_as_numbers() {
        let p = empty();
        let touch = Action::AutoTouch {
            track: TrackId(3),
            channel: Channel::Sms,
        };
        assert_eq!(touch.describe(&p).to_string(), "auto touch sms from #3");
        let closed = Action::Closed {
            reason: ReasonId(9),
        };
        assert_eq!(closed.describe(&p).to_string(), "closed #9");
    }

    #[test]
    fn timers_print_their_kind_generation_and_utc_time() {
        let timer = Action::StartTimer {
            key: TimerKey {
                kind: TimerKind::Suppression,
                generation: 4,
            },
            at: 1_780_304_400,
        };
        assert_eq!(
            timer.describe(&empty()).to_string(),
            "timer suppression#4 at 2026-06-01T09:00:00Z"
        );
        assert_eq!(utc(i64::MAX), format!("{}s", i64::MAX));
    }
}

//! Action lines: what the engine asks the outside world to do, as one JSON object per line with
//! names, never ids, so a CRM can act on it without knowing the playbook's internals. The live
//! runner's relay writes them; replay and tests read them. `docs/events.md` documents the format.

use crate::calendar::Timestamp;
use crate::engine::{utc, Action, ContextSnapshot};
use crate::ir::{FieldType, Playbook, QueueId, SellerId, Value};
use serde_json::{json, Map, Value as Json};

/// What the outside world is asked to do about a lead: an engine action, or a routing decision.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// An action of the engine's step.
    Engine(Action),
    /// Routing chose a seller for a lead waiting in a queue: the CRM should assign it.
    Assign {
        /// The queue the lead waited in (after overflow).
        queue: QueueId,
        /// The seller chosen.
        seller: SellerId,
    },
}

impl Effect {
    /// The engine action, if it is one.
    pub fn action(&self) -> Option<&Action> {
        match self {
            Effect::Engine(action) => Some(action),
            Effect::Assign { .. } => None,
        }
    }
}

/// One effect ready to deliver: its idempotency key, the lead it concerns and when it was taken.
pub struct ActionLine<'a> {
    /// Stable across restarts and re-deliveries: a receiver that has seen it must not act again.
    pub key: &'a str,
    /// The CRM's lead id.
    pub lead: &'a str,
    /// When it was decided.
    pub at: Timestamp,
    /// What to do.
    pub effect: &'a Effect,
}

impl ActionLine<'_> {
    /// The line as a JSON object: `key`, `lead`, `time`, `action` and the action's own fields by
    /// name.
    pub fn to_json(&self, playbook: &Playbook) -> Json {
        let mut object = Map::new();
        object.insert("key".into(), json!(self.key));
        object.insert("lead".into(), json!(self.lead));
        object.insert("time".into(), json!(utc(self.at)));
        let names = Names { playbook };
        match self.effect {
            Effect::Engine(action) => object.extend(names.action(action)),
            Effect::Assign { queue, seller } => {
                object.insert("action".into(), json!("assign"));
                object.insert("queue".into(), names.field("queue", &json!(queue.0)));
                object.insert("seller".into(), names.field("seller", &json!(seller.0)));
            }
        }
        Json::Object(object)
    }
}

/// Looks ids up in the playbook (an id it does not have prints as `#N`).
struct Names<'a> {
    playbook: &'a Playbook,
}

fn named<T>(items: &[T], index: usize, name: impl Fn(&T) -> &str) -> Json {
    Json::String(
        items
            .get(index)
            .map_or_else(|| format!("#{index}"), |item| name(item).to_owned()),
    )
}

impl Names<'_> {
    /// The action's fields: its serde form with every id replaced by its name and every time
    /// written as RFC 3339.
    fn action(&self, action: &Action) -> Map<String, Json> {
        let mut fields = match serde_json::to_value(action) {
            Ok(Json::Object(map)) => map,
            _ => Map::new(),
        };
        if let Action::AttachContext {
            package: Some(package),
            ..
        } = action
        {
            fields.insert("package".into(), self.package(package));
        }
        for (key, value) in fields.iter_mut() {
            if key != "package" {
                *value = self.field(key, value);
            }
        }
        // A timer's own key would hide the line's idempotency key.
        if let Some(timer) = fields.remove("key") {
            fields.insert("timer".into(), timer);
        }
        fields
    }

    /// One field of an action by its name: ids become names, times become text.
    fn field(&self, key: &str, value: &Json) -> Json {
        let p = self.playbook;
        let Some(index) = value.as_u64().and_then(|i| usize::try_from(i).ok()) else {
            return value.clone();
        };
        match key {
            "track" => named(&p.tracks, index, |t| &t.name),
            "rule" => named(&p.handoffs, index, |h| &h.name),
            "queue" => named(&p.queues, index, |q| &q.name),
            "owner" | "seller" => named(&p.sellers, index, |s| &s.name),
            "reason" => named(&p.reasons, index, |r| &r.name),
            "sequence" => named(&p.sequences, index, |s| &s.name),
            "context" => named(&p.contexts, index, |c| &c.name),
            "event" => named(&p.events, index, |e| &e.name),
            "at" | "suppressed_until" => value.as_i64().map_or(Json::Null, |t| json!(utc(t))),
            _ => value.clone(),
        }
    }

    /// The rendered context package with names: why now, signals, last touch, campaign, fields.
    fn package(&self, package: &ContextSnapshot) -> Json {
        let p = self.playbook;
        let why = package.why_now.map(|why| {
            json!({
                "rule": named(&p.handoffs, why.rule.index(), |h| &h.name),
                "event": why.event.map(|e| named(&p.events, e.index(), |x| &x.name)),
            })
        });
        let signals: Vec<Json> = (package.top_signals.iter())
            .map(|s| {
                json!({
                    "event": named(&p.events, s.event.index(), |e| &e.name),
                    "points": s.points,
                    "time": utc(s.at),
                })
            })
            .collect();
        let touch = package.last_touch.map(|t| {
            json!({
                "channel": t.channel.map(|c| c.name()),
                "manual": t.manual,
                "time": utc(t.at),
            })
        });
        let mut fields = Map::new();
        for (field, value) in &package.fields {
            let def = p.fields.get(field.index());
            let name = def.map_or_else(|| format!("#{}", field.index()), |d| d.name.clone());
            fields.insert(name, value_json(def.map(|d| &d.ty), value));
        }
        json!({
            "why_now": why,
            "top_signals": signals,
            "last_touch": touch,
            "campaign": package.campaign_source.as_deref(),
            "fields": fields,
        })
    }
}

/// A value as event lines write it: enum values by name.
pub fn value_json(ty: Option<&FieldType>, value: &Value) -> Json {
    match (value, ty) {
        (Value::Flag(b), _) => json!(b),
        (Value::Number(n), _) => json!(n),
        (Value::Text(t), _) => json!(t.as_str()),
        (Value::Enum(i), Some(FieldType::OneOf { values })) => {
            named(values, usize::from(*i), |v: &String| v.as_str())
        }
        (Value::Enum(i), _) => json!(format!("#{i}")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::ir::{HandoffId, QueueId, ReasonId, SellerId};

    fn seed() -> Playbook {
        let src = std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap();
        crate::check::compile(crate::span::FileId(0), &src)
            .playbook
            .unwrap()
    }

    #[test]
    fn ids_become_names_and_times_rfc3339() {
        let p = seed();
        let action = Action::Enqueue {
            rule: HandoffId(0),
            queue: QueueId(0),
            owner: Some(SellerId(0)),
            priority: 2,
        };
        let line = ActionLine {
            key: "L-1/0/3",
            lead: "L-1",
            at: 1_780_304_400,
            effect: &Effect::Engine(action),
        }
        .to_json(&p);
        assert_eq!(line["action"], "enqueue");
        assert_eq!(line["rule"], p.handoffs[0].name.as_str());
        assert_eq!(line["queue"], p.queues[0].name.as_str());
        assert_eq!(line["owner"], p.sellers[0].name.as_str());
        assert_eq!(line["priority"], 2);
        assert_eq!(line["time"], "2026-06-01T09:00:00Z");
        assert_eq!(line["key"], "L-1/0/3");
    }

    #[test]
    fn an_unknown_id_prints_as_a_number() {
        let p = seed();
        let action = Action::Closed {
            reason: ReasonId(999),
        };
        let line = ActionLine {
            key: "k",
            lead: "L",
            at: 0,
            effect: &Effect::Engine(action),
        }
        .to_json(&p);
        assert_eq!(line["reason"], "#999");
    }

    #[test]
    fn an_assignment_names_its_queue_and_seller() {
        let p = seed();
        let effect = Effect::Assign {
            queue: QueueId(2),
            seller: SellerId(6),
        };
        let line = ActionLine {
            key: "L:4:0",
            lead: "L",
            at: 0,
            effect: &effect,
        }
        .to_json(&p);
        assert_eq!(line["action"], "assign");
        assert_eq!(line["queue"], p.queues[2].name.as_str());
        assert_eq!(line["seller"], p.sellers[6].name.as_str());
    }
}

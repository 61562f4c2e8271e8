//! `replay --explain LEAD`: one lead's story, input by input, from the engine's tracer
//! (`engine::trace`): which rule's condition held and with what values, which suppression held
//! a rule back, which router line routed the lead, how its SLA deadline was computed, and what
//! the engine did, with the `file:line` of every rule it names.
//!
//! The lead is followed beside the replay: its own copy of the lead state and driver gets the
//! lead's lines as the ledger applies them, after the lead's timers due by the ledger's clock,
//! so it takes the ledger's steps exactly (leads do not read each other's state), observed.

use super::facts;
use super::sources::{Located, SourceMap};
use crate::calendar::Timestamp;
use crate::engine::SuppressionState;
use crate::engine::{utc, Action, Driver, Engine, Input, LeadState, Scope, Step, Tracer};
use crate::ir::{EventId, HandoffId, Playbook, QueueId, RouteTarget, SellerId, TrackId, Value};
use serde::Serialize;

/// One thing the engine considered, with where the rule it names is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Why {
    /// What, in words.
    pub text: String,
    /// The statement it names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Located>,
}

/// One step of the lead: an input or a timer, why the engine did what it did, and what it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chapter {
    /// When it was applied, RFC 3339.
    pub at: String,
    /// What came: the input (with its line's source and id) or the timer.
    pub input: String,
    /// Older than the lead's last step, so applied at the lead's time.
    pub late: bool,
    /// Why the engine ignored it, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<&'static str>,
    /// What the engine considered.
    pub why: Vec<Why>,
    /// What it did, one action per line (`engine::describe`).
    pub actions: Vec<String>,
}

/// A lead's story (`docs/replay.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Story {
    /// The lead's CRM id.
    pub lead: String,
    /// The playbook's name.
    pub playbook: String,
    /// Whether any line created the lead.
    pub found: bool,
    /// Its steps in order.
    pub chapters: Vec<Chapter>,
    /// Its stage at the end.
    pub stage: &'static str,
}

/// The lead followed and its story so far.
#[derive(Debug, Clone)]
pub(super) struct Follow {
    key: String,
    map: SourceMap,
    state: LeadState,
    driver: Driver,
    found: bool,
    chapters: Vec<(Timestamp, Chapter)>,
}

impl Follow {
    /// Follows lead `key`, locating the rules its story names with `map`.
    pub(super) fn new(key: &str, map: SourceMap) -> Follow {
        Follow {
            key: key.to_owned(),
            map,
            state: LeadState::new(),
            driver: Driver::new(),
            found: false,
            chapters: Vec::new(),
        }
    }

    /// The lead's CRM id.
    pub(super) fn key(&self) -> &str {
        &self.key
    }

    /// The lead's line was applied by the ledger, whose clock is now `clock`: fires the lead's
    /// timers due by then, then applies the line.
    pub(super) fn input(
        &mut self,
        engine: &Engine,
        input: &Input,
        time: Timestamp,
        label: String,
        clock: Timestamp,
    ) {
        self.found |= matches!(input, Input::Arrive { .. });
        self.advance(engine, clock);
        let mut tracer = Listener::new(engine.playbook(), &self.map);
        let mut out = Vec::new();
        let applied =
            (self.driver).apply_traced(engine, &mut self.state, input, time, &mut out, &mut tracer);
        let ignored = match applied.step {
            Step::Applied => None,
            Step::Ignored(why) => Some(why.name()),
        };
        let label = format!("{} ({label})", input_text(engine.playbook(), input));
        let why = tracer.finish();
        self.chapter(engine, applied.at, label, applied.late, ignored, why, &out);
    }

    /// Fires the lead's timers due by `until`, one chapter each.
    pub(super) fn advance(&mut self, engine: &Engine, until: Timestamp) {
        loop {
            let mut tracer = Listener::new(engine.playbook(), &self.map);
            let mut out = Vec::new();
            let Some((fired, step)) = (self.driver).fire_next_traced(
                engine,
                &mut self.state,
                until,
                &mut out,
                &mut tracer,
            ) else {
                return;
            };
            let why = tracer.finish();
            // A timer cancelled since it was started (a touch stopped the SLA clock) is no step.
            if step != Step::Applied {
                continue;
            }
            let label = format!("`{}` timer", fired.key.kind.name());
            self.chapter(engine, fired.due, label, false, None, why, &out);
        }
    }

    /// Routing assigned the lead to a seller (the ledger's own step, no engine input).
    pub(super) fn assigned(
        &mut self,
        playbook: &Playbook,
        at: Timestamp,
        queue: QueueId,
        seller: SellerId,
    ) {
        let name = |n: Option<&str>| n.unwrap_or("?").to_owned();
        let chapter = Chapter {
            at: utc(at),
            input: "routing".to_owned(),
            late: false,
            ignored: None,
            why: Vec::new(),
            actions: vec![format!(
                "assigned to {} of {}",
                name(
                    playbook
                        .sellers
                        .get(seller.index())
                        .map(|s| s.name.as_str())
                ),
                name(playbook.queues.get(queue.index()).map(|q| q.name.as_str()))
            )],
        };
        self.chapters.push((at, chapter));
    }

    #[allow(clippy::too_many_arguments)]
    fn chapter(
        &mut self,
        engine: &Engine,
        at: Timestamp,
        input: String,
        late: bool,
        ignored: Option<&'static str>,
        mut why: Vec<Why>,
        out: &[(Timestamp, Action)],
    ) {
        let playbook = engine.playbook();
        why.extend(
            out.iter()
                .filter_map(|(_, a)| after(playbook, &self.map, a)),
        );
        let actions = (out.iter())
            .filter(|(_, a)| !matches!(a, Action::StartTimer { .. }))
            .map(|(_, a)| a.describe(playbook).to_string())
            .collect();
        let chapter = Chapter {
            at: utc(at),
            input,
            late,
            ignored,
            why,
            actions,
        };
        self.chapters.push((at, chapter));
    }

    /// The story, with the lead's copy checked against the ledger's lead.
    pub(super) fn story(&self, playbook: &Playbook) -> Story {
        let mut chapters = self.chapters.clone();
        chapters.sort_by_key(|(at, _)| *at);
        Story {
            lead: self.key.clone(),
            playbook: playbook.name.clone(),
            found: self.found,
            chapters: chapters.into_iter().map(|(_, c)| c).collect(),
            stage: self.state.stage_name(),
        }
    }
}

/// Why the engine took an action whose reason is in the playbook rather than in the step:
/// a breach and its path, a disposition, a recycle with its suppression.
fn after(playbook: &Playbook, map: &SourceMap, action: &Action) -> Option<Why> {
    let rule_name = |r: HandoffId| playbook.handoffs.get(r.index()).map(|h| h.name.as_str());
    match action {
        Action::SlaBreached { rule, breaches } => {
            let name = rule_name(*rule)?;
            let def = playbook.handoffs.get(rule.index())?;
            let limit = def.breach_limit.filter(|l| *breaches >= l.breaches);
            let (text, source) = match limit {
                Some(l) => (
                    format!("breach {breaches} of `{name}` reaches its limit of {}: the lead leaves the queue", l.breaches),
                    map.breach_limit(name),
                ),
                None if def.breach.is_empty() => (format!("breach {breaches} of `{name}`: no breach path"), map.handoff(name)),
                None => {
                    let steps: Vec<String> = (0..def.breach.len())
                        .filter_map(|i| map.breach_step(name, i).map(|l| format!("`{}`", l.text)))
                        .collect();
                    (
                        format!("breach {breaches} of `{name}`: its breach path runs {}", steps.join(", ")),
                        map.breach_step(name, 0),
                    )
                }
            };
            Some(Why { text, source })
        }
        Action::Disposition { reason }
        | Action::Converted { reason }
        | Action::Closed { reason } => {
            let name = playbook.reasons.get(reason.index())?.name.as_str();
            Some(Why {
                text: format!("reason `{name}` says where the lead goes"),
                source: map.reason(name),
            })
        }
        _ => None,
    }
}

/// The input in words: the event and its fields, or the seller's act.
fn input_text(playbook: &Playbook, input: &Input) -> String {
    let event_name = |e: EventId| {
        playbook
            .events
            .get(e.index())
            .map_or("?", |e| e.name.as_str())
    };
    match input {
        Input::Arrive { source, .. } => match source {
            Some(s) => format!("lead created from `{s}`"),
            None => "lead created".to_owned(),
        },
        Input::Event { event, fields } => {
            let def = playbook.events.get(event.index());
            let shown: Vec<String> = (fields.iter().enumerate())
                .map(|(i, v)| {
                    let field = def.and_then(|d| d.fields.get(i));
                    let name = field.map_or("?", |f| f.name.as_str());
                    format!("{name} {}", value_text(field.map(|f| &f.ty), v))
                })
                .collect();
            match shown.is_empty() {
                true => format!("`{}`", event_name(*event)),
                false => format!("`{}` {}", event_name(*event), shown.join(", ")),
            }
        }
        Input::SetField { field, value } => {
            let def = playbook.fields.get(field.index());
            let name = def.map_or("?", |f| f.name.as_str());
            format!("`{name}` set to {}", value_text(def.map(|f| &f.ty), value))
        }
        Input::Timer(key) => format!("`{}` timer", key.kind.name()),
        Input::Pickup { seller } => match seller.and_then(|s| playbook.sellers.get(s.index())) {
            Some(s) => format!("picked up by `{}`", s.name),
            None => "picked up".to_owned(),
        },
        Input::Touch { outcome } => format!("seller touch: {}", outcome.name()),
        Input::Disposition { reason } => {
            let name = playbook
                .reasons
                .get(reason.index())
                .map_or("?", |r| r.name.as_str());
            format!("disposition `{name}`")
        }
    }
}

fn value_text(ty: Option<&crate::ir::FieldType>, value: &Value) -> String {
    match (value, ty) {
        (Value::Enum(i), Some(crate::ir::FieldType::OneOf { values })) => values
            .get(usize::from(*i))
            .cloned()
            .unwrap_or_else(|| format!("#{i}")),
        (Value::Enum(i), _) => format!("#{i}"),
        (Value::Text(t), _) => format!("{:?}", t.as_str()),
        (Value::Number(n), _) => facts::number(*n),
        (Value::Flag(b), _) => b.to_string(),
    }
}

/// A rule whose condition held in this step, kept until the step tells whether it won.
struct Held {
    rule: HandoffId,
    trigger: Option<EventId>,
    suppressed: Option<SuppressionState>,
    values: Vec<String>,
}

/// The tracer of the followed lead: puts what the engine reports into words as it happens.
struct Listener<'a> {
    playbook: &'a Playbook,
    map: &'a SourceMap,
    held: Vec<Held>,
    why: Vec<Why>,
}

impl<'a> Listener<'a> {
    fn new(playbook: &'a Playbook, map: &'a SourceMap) -> Self {
        Listener {
            playbook,
            map,
            held: Vec::new(),
            why: Vec::new(),
        }
    }

    fn rule_name(&self, rule: HandoffId) -> &'a str {
        self.playbook
            .handoffs
            .get(rule.index())
            .map_or("?", |h| h.name.as_str())
    }

    /// What the step considered, the rules that held but did not fire included.
    fn finish(mut self) -> Vec<Why> {
        self.flush(None);
        self.why
    }

    /// Words for the rules that held in this step, now that the winner (if any) is known.
    fn flush(&mut self, winner: Option<HandoffId>) {
        for held in std::mem::take(&mut self.held) {
            let name = self.rule_name(held.rule);
            let on = held
                .trigger
                .and_then(|e| self.playbook.events.get(e.index()));
            let on = on.map_or(String::new(), |e| format!(" on `{}`", e.name));
            let when = self.map.handoff_when(name);
            let cond = match (&when, held.values.is_empty()) {
                (Some(w), true) => format!(": `{}` held", w.text),
                (Some(w), false) => format!(": `{}` held, with {}", w.text, held.values.join(", ")),
                (None, _) => String::new(),
            };
            let (text, source) = match held.suppressed {
                Some(s) => {
                    let reason = self.playbook.reasons.get(s.reason.index()).map_or("?", |r| r.name.as_str());
                    (
                        format!("rule `{name}`{on} held back by the `{reason}` suppression until {}{cond}", utc(s.until)),
                        self.map.reason(reason),
                    )
                }
                None if Some(held.rule) == winner => (format!("rule `{name}` fired{on}{cond}"), when.or_else(|| self.map.handoff(name))),
                None => match winner {
                    Some(w) => (format!("rule `{name}` also held{on}{cond}, but `{}` comes first (priority, then order)", self.rule_name(w)), self.map.handoff(name)),
                    None => (format!("rule `{name}` held{on}{cond}"), when.or_else(|| self.map.handoff(name))),
                },
            };
            self.why.push(Why { text, source });
        }
    }
}

impl Tracer for Listener<'_> {
    fn rule_held(
        &mut self,
        scope: &Scope<'_>,
        rule: HandoffId,
        trigger: Option<EventId>,
        suppressed: Option<SuppressionState>,
    ) {
        let values = (self.playbook.handoffs.get(rule.index()))
            .map(|h| facts::values(scope, &h.trigger.when, trigger))
            .unwrap_or_default();
        self.held.push(Held {
            rule,
            trigger,
            suppressed,
            values,
        });
    }

    fn routed(
        &mut self,
        rule: HandoffId,
        line: Option<usize>,
        queue: QueueId,
        owner: Option<SellerId>,
    ) {
        self.flush(Some(rule));
        let p = self.playbook;
        let queue_name = p.queues.get(queue.index()).map_or("?", |q| q.name.as_str());
        let route = p.handoffs.get(rule.index()).map(|h| h.route);
        let (mut text, source) = match (route, line) {
            (Some(RouteTarget::Router(r)), Some(line)) => {
                let router = p.routers.get(r.index()).map_or("?", |r| r.name.as_str());
                let source = self.map.router_line(router, line);
                (
                    format!(
                        "routed to `{queue_name}` by router `{router}` line {}",
                        line + 1
                    ),
                    source,
                )
            }
            _ => (
                format!("routed to `{queue_name}` directly"),
                self.map.handoff(self.rule_name(rule)),
            ),
        };
        if let Some(owner) = owner.and_then(|s| p.sellers.get(s.index())) {
            text.push_str(&format!(
                ", owned by `{}` (the account's owner)",
                owner.name
            ));
        }
        self.why.push(Why { text, source });
    }

    fn sla_started(
        &mut self,
        rule: HandoffId,
        queue: QueueId,
        from: Timestamp,
        deadline: Timestamp,
    ) {
        let Some(def) = self.playbook.handoffs.get(rule.index()) else {
            return;
        };
        let text = facts::sla(self.playbook, def.sla, queue, from, deadline);
        let source = self.map.sla(&def.name);
        self.why.push(Why { text, source });
    }

    fn disqualified(&mut self, scope: &Scope<'_>, disqualifier: usize) {
        let Some(def) = self.playbook.disqualifiers.get(disqualifier) else {
            return;
        };
        let values = facts::values(scope, &def.trigger.when, None);
        let reason = self
            .playbook
            .reasons
            .get(def.reason.index())
            .map_or("?", |r| r.name.as_str());
        let text = format!(
            "disqualifier `{}` held, with {}: reason `{reason}`",
            def.name,
            values.join(", ")
        );
        self.why.push(Why {
            text,
            source: self.map.disqualifier(&def.name),
        });
    }

    fn exited(&mut self, scope: &Scope<'_>, track: TrackId, exit: usize) {
        let Some(def) = self.playbook.tracks.get(track.index()) else {
            return;
        };
        let Some(to) = def.exits.get(exit) else {
            return;
        };
        let next = self
            .playbook
            .tracks
            .get(to.to.index())
            .map_or("?", |t| t.name.as_str());
        let values = facts::values(scope, &to.when, None);
        let text = format!(
            "exit of track `{}` to `{next}` held, with {}",
            def.name,
            values.join(", ")
        );
        self.why.push(Why {
            text,
            source: self.map.exit(&def.name, exit),
        });
    }
}

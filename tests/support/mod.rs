//! Shared helpers for engine and simulator tests: compile shipped playbooks and drive one lead
//! through the engine with its timers.
#![allow(dead_code)]

use handoff::calendar::Timestamp;
use handoff::engine::{Action, Engine, Input, LeadState, Step};
use handoff::ir::{self, Playbook, Value};
use handoff::span::FileId;
use std::sync::Arc;

/// Compiles a playbook source and fails the test with the diagnostics if it has errors.
pub fn compile(src: &str) -> Playbook {
    let compiled = handoff::check::compile(FileId(0), src);
    match compiled.playbook {
        Some(p) => p,
        None => panic!("playbook has errors: {:#?}", compiled.diagnostics),
    }
}

/// The shipped seed playbook, checked.
pub fn seed() -> Playbook {
    compile(&std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap())
}

/// Looks up ids by name so tests read like the playbook.
pub struct Names<'a>(pub &'a Playbook);

fn pos<T>(items: &[T], name: &str, get: impl Fn(&T) -> &str) -> u32 {
    items
        .iter()
        .position(|i| get(i) == name)
        .unwrap_or_else(|| panic!("no `{name}`")) as u32
}

/// The value named `v` of an enum field.
fn enum_value(field: &ir::FieldDef, v: &str) -> Value {
    match &field.ty {
        ir::FieldType::OneOf { values } => {
            Value::Enum(values.iter().position(|x| x == v).unwrap() as u16)
        }
        _ => panic!("{} is not an enum", field.name),
    }
}

impl Names<'_> {
    pub fn event(&self, n: &str) -> ir::EventId {
        ir::EventId(pos(&self.0.events, n, |e| &e.name))
    }
    pub fn field(&self, n: &str) -> ir::FieldId {
        ir::FieldId(pos(&self.0.fields, n, |e| &e.name))
    }
    pub fn track(&self, n: &str) -> ir::TrackId {
        ir::TrackId(pos(&self.0.tracks, n, |e| &e.name))
    }
    pub fn rule(&self, n: &str) -> ir::HandoffId {
        ir::HandoffId(pos(&self.0.handoffs, n, |e| &e.name))
    }
    pub fn queue(&self, n: &str) -> ir::QueueId {
        ir::QueueId(pos(&self.0.queues, n, |e| &e.name))
    }
    pub fn seller(&self, n: &str) -> ir::SellerId {
        ir::SellerId(pos(&self.0.sellers, n, |e| &e.name))
    }
    pub fn reason(&self, n: &str) -> ir::ReasonId {
        ir::ReasonId(pos(&self.0.reasons, n, |e| &e.name))
    }
    pub fn context(&self, n: &str) -> ir::ContextId {
        ir::ContextId(pos(&self.0.contexts, n, |e| &e.name))
    }
    pub fn score(&self, n: &str) -> ir::ScoreId {
        ir::ScoreId(pos(&self.0.scores, n, |e| &e.name))
    }
    /// An enum value of a lead field.
    pub fn value(&self, field: &str, v: &str) -> Value {
        enum_value(&self.0.fields[self.field(field).index()], v)
    }
    /// An event with its fields, enum fields given by value name, the rest defaulted.
    pub fn event_input(&self, name: &str, set: &[(&str, Value)]) -> Input {
        let e = self.event(name);
        let def = &self.0.events[e.index()];
        let fields = def
            .fields
            .iter()
            .map(|f| {
                if let Some((_, v)) = set.iter().find(|(n, _)| *n == f.name) {
                    return v.clone();
                }
                f.ty.default_value()
            })
            .collect();
        Input::Event { event: e, fields }
    }
    /// An enum value of an event field.
    pub fn event_value(&self, event: &str, field: &str, v: &str) -> Value {
        let def = &self.0.events[self.event(event).index()];
        enum_value(def.fields.iter().find(|f| f.name == field).unwrap(), v)
    }
}

/// Lead attributes for the seed playbook.
pub struct Lead {
    pub segment: &'static str,
    pub region: &'static str,
    pub employees: f64,
    pub domain: &'static str,
    pub title: &'static str,
    pub target_account: bool,
}

impl Default for Lead {
    fn default() -> Self {
        Lead {
            segment: "smb",
            region: "apac",
            employees: 20.0,
            domain: "acme.com",
            title: "Head of Ops",
            target_account: false,
        }
    }
}

impl Lead {
    pub fn attributes(&self, p: &Playbook) -> Vec<Value> {
        let n = Names(p);
        p.fields
            .iter()
            .map(|f| match f.name.as_str() {
                "segment" => n.value("segment", self.segment),
                "region" => n.value("region", self.region),
                "employees" => Value::Number(self.employees),
                "country" => Value::text("GB"),
                "domain" => Value::text(self.domain),
                "title" => Value::text(self.title),
                "target_account" => Value::Flag(self.target_account),
                _ => f.ty.default_value(),
            })
            .collect()
    }
}

/// One lead driven through the engine, with its pending timers fired in time order.
pub struct Driver {
    pub engine: Engine,
    pub lead: LeadState,
    pub now: Timestamp,
    /// The library's driver: pending timers and the rule for simultaneous inputs.
    pub timers: handoff::engine::Driver,
    /// Actions of the last call.
    pub out: Vec<Action>,
    /// Every action so far with its time.
    pub log: Vec<(Timestamp, Action)>,
}

impl Driver {
    pub fn new(playbook: &Playbook) -> Driver {
        Driver {
            engine: Engine::new(playbook).unwrap(),
            lead: LeadState::new(),
            now: 0,
            timers: handoff::engine::Driver::new(),
            out: Vec::new(),
            log: Vec::new(),
        }
    }

    pub fn arrive(&mut self, attributes: Vec<Value>, at: Timestamp) -> &[Action] {
        self.input(
            Input::Arrive {
                attributes,
                source: Some(Arc::from("web")),
            },
            at,
        )
    }

    /// Fires due timers up to `at`, then applies the input at `at`.
    pub fn input(&mut self, input: Input, at: Timestamp) -> &[Action] {
        let _ = self.try_input(input, at);
        &self.out
    }

    /// Applies an input and returns whether it was applied.
    pub fn try_input(&mut self, input: Input, at: Timestamp) -> Step {
        self.advance(at);
        let mut taken = Vec::new();
        let applied = self
            .timers
            .apply(&self.engine, &mut self.lead, &input, at, &mut taken);
        self.now = applied.at;
        self.out = taken.iter().map(|(_, a)| a.clone()).collect();
        self.log.extend(taken);
        applied.step
    }

    /// Fires every timer due at or before `until`, in time order; returns the actions they made.
    pub fn advance(&mut self, until: Timestamp) -> Vec<(Timestamp, Action)> {
        let mut fired = Vec::new();
        self.timers
            .advance(&self.engine, &mut self.lead, until, &mut fired);
        self.log.extend(fired.iter().cloned());
        self.now = self.now.max(until);
        fired
    }
}

/// Seconds.
pub const MIN: i64 = 60;
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;

/// A London wall-clock time as a timestamp.
pub fn london(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
    use chrono::TimeZone;
    chrono_tz::Europe::London
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .unwrap()
        .timestamp()
}

/// A Monday 10:00 London, inside business hours.
pub fn monday_morning() -> Timestamp {
    london(2026, 6, 1, 10, 0)
}

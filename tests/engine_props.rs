//! Engine invariants over random input streams (STYLE 14): a lead is always in exactly one
//! consistent stage, every handoff ends touched, breached into its breach path or dispositioned,
//! no handoff happens inside a suppression window except through `unless`, ignored inputs change
//! nothing, a quiet lead steps exactly as one tested in full, and no input in any state panics.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use handoff::calendar::Timestamp;
use handoff::engine::{
    Action, Engine, Input, LeadState, Stage, Step, TimerKey, TimerKind, TouchOutcome,
};
use handoff::ir::{
    BreachAction, EventId, FieldId, FieldType, HandoffId, Playbook, QueueId, ReasonId, SellerId,
    Value,
};
use proptest::prelude::*;
use std::sync::{Arc, OnceLock};
use support::*;

/// One generated step of a stream.
#[derive(Debug, Clone)]
enum Op {
    /// Let time pass, firing due timers.
    Wait(i64),
    /// An event; `valid` picks well-typed fields, otherwise garbage.
    Event {
        event: u32,
        choice: u16,
        valid: bool,
    },
    SetField {
        field: u32,
        choice: u16,
    },
    Pickup(Option<u32>),
    Touch(TouchOutcome),
    Disposition(u32),
    /// A made-up timer key.
    BogusTimer {
        kind: usize,
        generation: u32,
    },
    ArriveAgain,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0i64..4 * DAY).prop_map(Op::Wait),
        1 => (0i64..20 * 60).prop_map(Op::Wait),
        6 => (0u32..11, any::<u16>(), prop::bool::weighted(0.9))
            .prop_map(|(event, choice, valid)| Op::Event { event, choice, valid }),
        1 => (0u32..9, any::<u16>()).prop_map(|(field, choice)| Op::SetField { field, choice }),
        2 => prop::option::of(0u32..10).prop_map(Op::Pickup),
        3 => prop_oneof![
            Just(TouchOutcome::Connect),
            Just(TouchOutcome::Meeting),
            Just(TouchOutcome::Reply),
            Just(TouchOutcome::Bounce),
            Just(TouchOutcome::NoAnswer),
        ]
        .prop_map(Op::Touch),
        1 => (0u32..10).prop_map(Op::Disposition),
        1 => (0usize..5, 0u32..6).prop_map(|(kind, generation)| Op::BogusTimer { kind, generation }),
        1 => Just(Op::ArriveAgain),
    ]
}

fn value_for(ty: &FieldType, choice: u16) -> Value {
    match ty {
        FieldType::Text => Value::text(
            [
                "acme.com",
                "globex.com",
                "mit.edu",
                "rivalsoft.com",
                "PhD student",
                "",
            ][usize::from(choice) % 6],
        ),
        FieldType::Number => Value::Number(f64::from(choice % 1000)),
        FieldType::Flag => Value::Flag(choice.is_multiple_of(2)),
        FieldType::OneOf { values } => Value::Enum(choice % values.len().max(1) as u16),
    }
}

fn garbage(choice: u16) -> Value {
    match choice % 4 {
        0 => Value::Enum(999),
        1 => Value::text("x"),
        2 => Value::Number(f64::NAN),
        _ => Value::Flag(true),
    }
}

/// Checks the lifecycle and suppression invariants on the action stream as it goes.
struct Observer<'p> {
    playbook: &'p Playbook,
    /// Handoffs so far: (rule, touched, breached, ended).
    handoffs: Vec<(HandoffId, bool, bool, bool)>,
    suppression: Option<(Timestamp, ReasonId)>,
}

impl<'p> Observer<'p> {
    fn new(playbook: &'p Playbook) -> Self {
        Observer {
            playbook,
            handoffs: Vec::new(),
            suppression: None,
        }
    }

    fn open(&mut self) -> Option<&mut (HandoffId, bool, bool, bool)> {
        self.handoffs.last_mut().filter(|h| !h.3)
    }

    fn see(&mut self, before: &LeadState, now: Timestamp, out: &[Action]) {
        let was_handed_off = before.handoff().is_some();
        let mut i = 0;
        while i < out.len() {
            match &out[i] {
                Action::CreateTask { rule, .. } => {
                    assert!(!was_handed_off, "handed off twice: {out:?}");
                    assert!(self.open().is_none(), "new handoff while one is open");
                    if let Some((until, reason)) = self.suppression {
                        if now < until {
                            let unless = &self.playbook.reasons[reason.index()]
                                .suppression
                                .as_ref()
                                .unwrap()
                                .unless;
                            assert!(
                                unless.contains(rule),
                                "rule {rule:?} fired inside a suppression window at {now} < {until}"
                            );
                        }
                    }
                    self.handoffs.push((*rule, false, false, false));
                }
                Action::FirstTouch { .. } => {
                    let h = self.open().expect("touch without a handoff");
                    assert!(!h.1, "touched twice");
                    h.1 = true;
                }
                Action::SlaBreached { rule, breaches } => {
                    let h = self.open().expect("breach without a handoff");
                    assert_eq!(h.0, *rule);
                    assert!(!h.1, "breach after the touch");
                    h.2 = true;
                    i = self.breach_path(*rule, *breaches, out, i + 1);
                    continue;
                }
                Action::Disposition { .. }
                | Action::Unresolved { .. }
                | Action::BreachRecycled { .. }
                | Action::Converted { .. }
                | Action::Closed { .. }
                | Action::Disqualified { .. } => {
                    if let Some(h) = self.open() {
                        h.3 = true;
                    }
                }
                Action::Recycled {
                    suppressed_until: Some(until),
                    ..
                } => {
                    let reason = out[..i]
                        .iter()
                        .rev()
                        .find_map(|a| match a {
                            Action::Disposition { reason } => Some(*reason),
                            Action::BreachRecycled { reason, .. } => Some(*reason),
                            _ => None,
                        })
                        .expect("suppression without a reason");
                    self.suppression = Some((*until, reason));
                }
                Action::StartTimer { at, key } => {
                    assert!(*at >= now, "timer in the past");
                    if key.kind == TimerKind::Sla {
                        assert!(*at > now, "SLA deadline not in the future");
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// The actions right after a breach must be the rule's breach path, in order (or the limit's
    /// recycle, with only the notifications kept); returns the index after them.
    fn breach_path(
        &mut self,
        rule: HandoffId,
        breaches: u32,
        out: &[Action],
        mut i: usize,
    ) -> usize {
        let def = &self.playbook.handoffs[rule.index()];
        let at_limit = def.breach_limit.is_some_and(|l| breaches >= l.breaches);
        let next_marker = |i: &mut usize| -> Option<Action> {
            while let Some(a) = out.get(*i) {
                *i += 1;
                match a {
                    Action::RescueStarted { .. }
                    | Action::Requeued { .. }
                    | Action::Escalated { .. }
                    | Action::Reassigned { .. }
                    | Action::NotifyRole { .. }
                    | Action::Dequeue { .. }
                    | Action::BreachRecycled { .. } => return Some(a.clone()),
                    _ => {}
                }
            }
            None
        };
        for step in &def.breach {
            let notify_only = at_limit && !matches!(step, BreachAction::Notify { .. });
            if notify_only {
                continue;
            }
            let got = next_marker(&mut i).expect("breach path cut short");
            let ok = match (step, &got) {
                (BreachAction::Rescue { track }, Action::RescueStarted { track: t }) => track == t,
                (BreachAction::Requeue { .. }, Action::Requeued { .. }) => true,
                (BreachAction::Escalate { queue }, Action::Escalated { queue: q }) => queue == q,
                (BreachAction::Reassign { .. }, Action::Reassigned { .. }) => true,
                (BreachAction::Notify { role }, Action::NotifyRole { role: r }) => {
                    role.as_str() == &**r
                }
                _ => false,
            };
            assert!(ok, "breach step {step:?} but got {got:?}");
        }
        if at_limit {
            assert!(matches!(next_marker(&mut i), Some(Action::Dequeue { .. })));
            assert!(matches!(
                next_marker(&mut i),
                Some(Action::BreachRecycled { .. })
            ));
            if let Some(h) = self.open() {
                h.3 = true;
            }
            // Let the generic loop see the Recycled action that follows.
            return out
                .iter()
                .position(|a| matches!(a, Action::BreachRecycled { .. }))
                .unwrap()
                + 1;
        }
        i
    }
}

/// Stage consistency that the type does not already guarantee.
fn consistent(lead: &LeadState, playbook: &Playbook) {
    match &lead.stage {
        Stage::New => panic!("arrived lead back to New"),
        Stage::Nurture => {}
        Stage::Parked { .. } => assert!(lead.track.is_none(), "parked with a track"),
        Stage::HandedOff(run) => {
            assert!(run.queue.index() < playbook.queues.len());
            if !run.is_queued() {
                assert!(
                    lead.track.is_none(),
                    "a worked lead still gets automated touches"
                );
            }
            assert!(run.deadline > run.started_at);
        }
        Stage::Done(_) => assert!(lead.track.is_none(), "closed lead with a track"),
    }
}

/// One lead under test with its pending timers and the observer of its actions.
struct Stream<'e> {
    engine: &'e Engine,
    /// The same engine rendering no context packages, as the simulator runs it.
    bare: Engine,
    lead: LeadState,
    observer: Observer<'e>,
    timers: Vec<(Timestamp, TimerKey)>,
}

impl Stream<'_> {
    fn apply(&mut self, input: &Input, at: Timestamp) {
        let before = self.lead.clone();
        // The same step with nothing taken as known: a quiet lead skips re-testing its state
        // rules and track exits, which must never change what the step does.
        let mut tested = before.clone();
        tested.quiet = 0;
        let mut tested_out = Vec::new();
        let tested_step = self.engine.step(&mut tested, input, at, &mut tested_out);
        if let Step::Ignored(_) = tested_step {
            // An ignored input changes nothing, not even the flag.
            tested.quiet = before.quiet;
        }
        // Without context packages, the same step but for the packages.
        let mut bare = before.clone();
        let mut bare_out = Vec::new();
        let bare_step = self.bare.step(&mut bare, input, at, &mut bare_out);
        let mut out = Vec::new();
        let step = self.engine.step(&mut self.lead, input, at, &mut out);
        let unpacked: Vec<Action> = (out.iter().cloned())
            .map(|a| match a {
                Action::AttachContext { context, .. } => Action::AttachContext {
                    context,
                    package: None,
                },
                a => a,
            })
            .collect();
        assert_eq!(
            (bare_step, &bare_out, &bare),
            (step, &unpacked, &self.lead),
            "an engine without context packages stepped differently: {input:?}"
        );
        assert_eq!(
            (step, &out, &self.lead),
            (tested_step, &tested_out, &tested),
            "skipping the tests of a quiet lead changed the step: {input:?}"
        );
        if let Step::Ignored(_) = step {
            assert!(out.is_empty(), "ignored input produced actions");
            assert_eq!(before, self.lead, "ignored input changed the lead");
        } else {
            // Callers learn of a lead's progress from actions, so a change of stage (a handoff
            // starting or ending, the lead finishing) must always come with one.
            if std::mem::discriminant(&before.stage) != std::mem::discriminant(&self.lead.stage) {
                assert!(
                    !out.is_empty(),
                    "stage changed without an action: {input:?}"
                );
            }
            self.observer.see(&before, at, &out);
            self.collect(&out);
        }
        consistent(&self.lead, self.engine.playbook());
    }

    fn collect(&mut self, out: &[Action]) {
        for a in out {
            if let Action::StartTimer { key, at } = a {
                self.timers.push((*at, *key));
            }
        }
    }

    fn fire_until(&mut self, until: Timestamp) {
        loop {
            self.timers.sort_by_key(|(t, _)| *t);
            match self.timers.first().copied() {
                Some((at, key)) if at <= until => {
                    self.timers.remove(0);
                    self.apply(&Input::Timer(key), at);
                }
                _ => break,
            }
        }
    }
}

fn run_stream(engine: &Engine, attributes: Vec<Value>, ops: &[Op]) {
    let playbook = engine.playbook();
    let t0 = monday_morning();
    let mut out = Vec::new();
    let mut lead = LeadState::new();
    let step = engine.admit(&mut lead, attributes, Some(Arc::from("web")), t0, &mut out);
    assert_eq!(step, Step::Applied);
    let mut s = Stream {
        engine,
        bare: engine.clone().without_context_packages(),
        lead,
        observer: Observer::new(playbook),
        timers: Vec::new(),
    };
    s.observer.see(&LeadState::new(), t0, &out);
    s.collect(&out);
    let mut now = t0;
    for op in ops {
        let input = match op {
            Op::Wait(secs) => {
                now += secs;
                s.fire_until(now);
                continue;
            }
            Op::Event {
                event,
                choice,
                valid,
            } => {
                let fields = playbook
                    .events
                    .get(*event as usize)
                    .map(|def| {
                        def.fields
                            .iter()
                            .map(|f| {
                                if *valid {
                                    value_for(&f.ty, *choice)
                                } else {
                                    garbage(*choice)
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Input::Event {
                    event: EventId(*event),
                    fields,
                }
            }
            Op::SetField { field, choice } => Input::SetField {
                field: FieldId(*field),
                value: playbook
                    .fields
                    .get(*field as usize)
                    .map_or(garbage(*choice), |f| value_for(&f.ty, *choice)),
            },
            Op::Pickup(seller) => Input::Pickup {
                seller: seller.map(SellerId),
            },
            Op::Touch(outcome) => Input::Touch { outcome: *outcome },
            Op::Disposition(reason) => Input::Disposition {
                reason: ReasonId(*reason),
            },
            Op::BogusTimer { kind, generation } => Input::Timer(TimerKey {
                kind: TimerKind::ALL[*kind].0,
                generation: *generation,
            }),
            Op::ArriveAgain => Input::Arrive {
                attributes: s.lead.attributes.clone(),
                source: None,
            },
        };
        s.apply(&input, now);
    }
    // Let every timer run out: two years is past every cadence, SLA and window of the playbooks.
    s.fire_until(now + 730 * DAY);
    for (rule, touched, breached, ended) in &s.observer.handoffs {
        assert!(
            touched | breached | ended,
            "handoff of {rule:?} neither touched, breached nor dispositioned"
        );
    }
    if let Some(run) = s.lead.handoff() {
        assert!(
            !run.is_queued() || run.breaches > 0,
            "a waiting lead with no breach after its deadline"
        );
    }
    // A lead state survives serialization, but for the quiet mark, a cache never persisted.
    let json = serde_json::to_string(&s.lead).unwrap();
    let unquiet = LeadState {
        quiet: 0,
        ..s.lead.clone()
    };
    assert_eq!(serde_json::from_str::<LeadState>(&json).unwrap(), unquiet);
}

fn attributes() -> impl Strategy<Value = Vec<u16>> {
    prop::collection::vec(any::<u16>(), 7)
}

fn seed_attributes(p: &Playbook, choices: &[u16]) -> Vec<Value> {
    p.fields
        .iter()
        .zip(choices)
        .map(|(f, c)| value_for(&f.ty, *c))
        .collect()
}

/// The seed playbook with the other breach steps (reassign, escalate, requeue elsewhere) and no
/// breach limit on one rule, so the stream explores every breach action and unbounded breaches.
fn seed_variant() -> Playbook {
    let mut p = seed();
    let abm = p.queues.iter().position(|q| q.name == "abm_team").unwrap() as u32;
    let mql = p.handoffs.iter().position(|h| h.name == "mql").unwrap();
    p.handoffs[mql].breach = vec![
        BreachAction::Reassign { queue: None },
        BreachAction::Requeue {
            queue: Some(QueueId(abm)),
            context: None,
        },
        BreachAction::Escalate {
            queue: QueueId(abm),
        },
        BreachAction::Notify {
            role: "director".into(),
        },
    ];
    p.handoffs[mql].breach_limit = None;
    p
}

/// A playbook whose state rule and exits read counts that earn no points and scores that decay,
/// with exits on tracks entered by a timer, a parked recycle and suppression: every way a quiet
/// lead's skipped tests could go wrong has a path here.
const QUIET: &str = r#"
playbook quiet {
  calendar office
}

calendar office {
  timezone "Europe/London"
  hours mon to fri 09:00 to 17:30
}

lead {
  segment: one of smb, enterprise
  employees: number
}

event visit {
  kind: one of docs, pricing
}

event click

score fit {
  add 20 when segment = enterprise
}

score intent {
  decay half-life 1d
  add 10 per click
}

bands grade by fit + intent {
  band A from 40
  band B from 15 to 40
  band C below 15
}

track first {
  enter by default
  touch email every 1d 2 times
  then move to second
}

track second {
  touch email every 1d 3 times
  exit to third when count visit within 2d >= 1 or intent >= 15
  then move to first
}

track third {
  touch email every 2d 2 times
  exit to first when grade in [A, B] and employees >= 100
  then close as later
}

handoff hot {
  when count visit where kind = pricing within 3d >= 2 or grade = A
  route to sdr
  sla 1h
  sequence outreach
  on breach {
    notify manager
  }
}

queue sdr {
  members ann, bob
}

sequence outreach {
  day 0 call
  max attempts 2
  on meeting disposition won
  on exhausted disposition later
}

reason later {
  recycle to second after 1d
  suppress for 2d
}

reason won {
  convert
}
"#;

fn quiet_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(&compile(QUIET)).unwrap())
}

/// The property above is only worth something if leads of that playbook do go quiet.
/// An smb lead of the quiet playbook at its second touch (Monday morning plus a day), when
/// nothing that the rule or the exits read has changed since arrival: quiet.
fn quiet_lead(p: &Playbook) -> Driver {
    let n = Names(p);
    let t = monday_morning();
    let mut d = Driver::new(p);
    d.arrive(vec![n.value("segment", "smb"), Value::Number(10.0)], t);
    d.advance(t + DAY);
    assert!(d.engine.is_quiet(&d.lead));
    d
}

#[test]
fn leads_of_the_quiet_playbook_go_quiet_until_something_can_raise_a_test() {
    let p = compile(QUIET);
    let n = Names(&p);
    let t = monday_morning();
    let mut d = quiet_lead(&p);
    // A visit is counted, so the rule and the exits are tested again; still false.
    let docs = n.event_input("visit", &[("kind", n.event_value("visit", "kind", "docs"))]);
    d.input(docs, t + DAY + HOUR);
    assert!(d.engine.is_quiet(&d.lead));
    // A second pricing visit within three days makes the rule true: the lead is handed off.
    let pricing = n.event_input(
        "visit",
        &[("kind", n.event_value("visit", "kind", "pricing"))],
    );
    d.input(pricing.clone(), t + DAY + 2 * HOUR);
    d.input(pricing, t + DAY + 3 * HOUR);
    assert!(d.lead.handoff().is_some());
    assert!(!d.engine.is_quiet(&d.lead));
}

/// A lead state carried over to a changed playbook is not taken as quiet there: the new rules
/// have never been tested on it.
#[test]
fn a_quiet_mark_holds_only_for_the_playbook_that_set_it() {
    let d = quiet_lead(&compile(QUIET));
    let changed = compile(&QUIET.replace("intent >= 15", "intent >= 5"));
    assert!(!Engine::new(&changed).unwrap().is_quiet(&d.lead));
    assert!(Engine::new(&compile(QUIET)).unwrap().is_quiet(&d.lead));
}

/// Compiled once: checking and building calendar tables per case would dominate the run time.
fn seed_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(&seed()).unwrap())
}

fn variant_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(&seed_variant()).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn seed_playbook_invariants(
        choices in attributes(),
        ops in prop::collection::vec(op(), 0..60),
    ) {
        let engine = seed_engine();
        run_stream(engine, seed_attributes(engine.playbook(), &choices), &ops);
    }

    #[test]
    fn quiet_leads_step_as_leads_tested_in_full(
        choices in attributes(),
        ops in prop::collection::vec(op(), 0..80),
    ) {
        let engine = quiet_engine();
        run_stream(engine, seed_attributes(engine.playbook(), &choices), &ops);
    }

    #[test]
    fn breach_variant_invariants(
        choices in attributes(),
        ops in prop::collection::vec(op(), 0..60),
    ) {
        let engine = variant_engine();
        run_stream(engine, seed_attributes(engine.playbook(), &choices), &ops);
    }
}

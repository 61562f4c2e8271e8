//! Engine behaviour that cannot be said as a case file: the behaviour tests proper are data in
//! `tests/engine_cases/` (run by `tests/engine_cases.rs`). What stays here reads engine internals
//! or calls the API directly: SLA deadlines without a lead, decayed score values, raw ids that no
//! event line can name, JSON round trips, the counter times a lead keeps, and whole-state equality.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use handoff::engine::{Action, Ignored, Input, Step, TimerKey, TimerKind, TouchOutcome};
use handoff::ir::Value;
use support::*;

/// The small playbook of the rule-interplay and business-time cases.
fn tiny() -> handoff::ir::Playbook {
    compile(&std::fs::read_to_string("tests/engine_cases/tiny.playbook").unwrap())
}

fn hand_raise(n: &Names) -> Input {
    n.event_input(
        "form_submit",
        &[("kind", n.event_value("form_submit", "kind", "demo"))],
    )
}

fn page_view(n: &Names, category: &str) -> Input {
    n.event_input(
        "page_view",
        &[("category", n.event_value("page_view", "category", category))],
    )
}

fn pricing(n: &Names) -> Input {
    page_view(n, "pricing")
}

fn smb_tiny(p: &handoff::ir::Playbook) -> Vec<Value> {
    vec![Names(p).value("segment", "smb")]
}

fn handed_off_smb(n: &Names, p: &handoff::ir::Playbook, t: i64) -> Driver {
    let mut d = Driver::new(p);
    d.arrive(Lead::default().attributes(p), t);
    d.input(hand_raise(n), t);
    d
}

/// Counts compared only with constants keep just the latest times that tell the outcomes apart.
const COUNTING: &str = r#"
playbook counting {
  calendar office
}

calendar office {
  timezone "Europe/London"
  hours mon to fri 09:00 to 17:30
}

lead {
  segment: one of smb, enterprise
}

event visit

score intent {
  add 1 per visit
}

track nurture {
  enter by default
  touch email every 7d
  exit to warm when count visit within 30d = 3
}

track warm {
  touch email every 7d
  exit to nurture when count visit within 1d > intent
}

handoff busy {
  when count visit within 30d >= 12
  route to sdr
  sla 4bh
  on breach {
    notify manager
  }
}

queue sdr {
  members ann
}
"#;

#[test]
fn business_time_deadlines_skip_nights_weekends_and_holidays() {
    let p = tiny();
    let n = Names(&p);
    let engine = handoff::engine::Engine::new(&p).unwrap();
    let sdr = n.queue("sdr");
    let deadline = |sla, at| engine.sla_deadline(sla, sdr, at);
    use handoff::ir::Sla;
    // Friday 16:00 + 4 business hours: 1.5h on Friday, 2.5h on Monday.
    assert_eq!(
        deadline(Sla::BusinessSeconds(4 * HOUR), london(2026, 6, 5, 16, 0)),
        london(2026, 6, 8, 11, 30)
    );
    // Friday evening + 1 business day: from Monday's opening to Tuesday's.
    assert_eq!(
        deadline(Sla::BusinessDays(1), london(2026, 6, 5, 19, 0)),
        london(2026, 6, 9, 9, 0)
    );
    // Same day, asked on Friday evening: the end of Monday.
    assert_eq!(
        deadline(Sla::SameDay, london(2026, 6, 5, 19, 0)),
        london(2026, 6, 8, 17, 30)
    );
    // Christmas Eve 16:00 + 1bd: the 25th and 28th are holidays, the 26th and 27th a weekend.
    assert_eq!(
        deadline(Sla::BusinessDays(1), london(2026, 12, 24, 16, 0)),
        london(2026, 12, 29, 16, 0)
    );
    assert_eq!(
        deadline(Sla::BusinessSeconds(4 * HOUR), london(2026, 12, 24, 16, 0)),
        london(2026, 12, 29, 11, 30)
    );
    // Across the spring DST change (29 March 2026): local hours, so the UTC gap is an hour shorter.
    let before_dst = london(2026, 3, 27, 17, 0);
    let after_dst = deadline(Sla::BusinessSeconds(4 * HOUR), before_dst);
    assert_eq!(after_dst, london(2026, 3, 30, 12, 30));
    // Friday 17:00 GMT to Monday 12:30 BST is 66.5 hours, not the 67.5 of a week without the change.
    assert_eq!(after_dst - before_dst, 66 * HOUR + 30 * MIN);
    // Wall time ignores the calendar.
    let friday = london(2026, 6, 5, 19, 0);
    assert_eq!(deadline(Sla::Wall(15 * MIN), friday), friday + 15 * MIN);
    // A zero SLA still lies in the future, so a breach path cannot spin in place.
    assert_eq!(deadline(Sla::Wall(0), friday), friday + 1);
}

#[test]
fn intent_points_decay_by_half_life_and_are_capped() {
    let p = seed();
    let n = Names(&p);
    let t = monday_morning();
    let mut d = Driver::new(&p);
    d.arrive(Lead::default().attributes(&p), t);
    let intent = n.score("intent");
    d.input(n.event_input("email_click", &[]), t);
    assert_eq!(d.engine.score(&d.lead, intent, t), Some(5.0));
    let half = d.engine.score(&d.lead, intent, t + 14 * DAY).unwrap();
    assert!((half - 2.5).abs() < 1e-12, "{half}");
    let quarter = d.engine.score(&d.lead, intent, t + 28 * DAY).unwrap();
    assert!((quarter - 1.25).abs() < 1e-12, "{quarter}");
    for i in 0..20 {
        d.input(n.event_input("email_click", &[]), t + 28 * DAY + i);
    }
    let capped = d.engine.score(&d.lead, intent, t + 28 * DAY + 19).unwrap();
    assert!((capped - 60.0).abs() < 1e-3, "{capped}");
    // Banked points do not exceed the cap, so decay shows at once.
    let after = d.engine.score(&d.lead, intent, t + 42 * DAY + 20).unwrap();
    assert!((after - 30.0).abs() < 1e-3, "{after}");
}

#[test]
fn bad_inputs_are_ignored_without_any_change() {
    let p = seed();
    let n = Names(&p);
    let t = monday_morning();
    let mut d = handed_off_smb(&n, &p, t);
    let before = d.lead.clone();
    let cases = [
        (
            Input::Event {
                event: handoff::ir::EventId(999),
                fields: vec![],
            },
            Ignored::UnknownId,
        ),
        (
            Input::Event {
                event: n.event("page_view"),
                fields: vec![],
            },
            Ignored::BadValue,
        ),
        (
            Input::Event {
                event: n.event("page_view"),
                fields: vec![Value::Enum(99)],
            },
            Ignored::BadValue,
        ),
        (
            Input::SetField {
                field: n.field("segment"),
                value: Value::text("smb"),
            },
            Ignored::BadValue,
        ),
        (
            Input::Disposition {
                reason: handoff::ir::ReasonId(77),
            },
            Ignored::UnknownId,
        ),
        (
            Input::Pickup {
                seller: Some(handoff::ir::SellerId(77)),
            },
            Ignored::UnknownId,
        ),
        (
            Input::Timer(TimerKey {
                kind: TimerKind::Sla,
                generation: 0,
            }),
            Ignored::StaleTimer,
        ),
        (
            Input::Timer(TimerKey {
                kind: TimerKind::Park,
                generation: before.generations.park,
            }),
            Ignored::WrongStage,
        ),
        (
            Input::Arrive {
                attributes: vec![],
                source: None,
            },
            Ignored::WrongStage,
        ),
    ];
    for (input, why) in cases {
        assert_eq!(
            d.try_input(input.clone(), t + 1),
            Step::Ignored(why),
            "{input:?}"
        );
        assert!(d.out.is_empty());
        assert_eq!(d.lead, before, "{input:?}");
    }
    // The simulator's way in refuses the same: a lead that has arrived, or attributes that do
    // not fit the playbook's fields, leave the lead as it was.
    let attributes = Lead::default().attributes(&p);
    let mut out = Vec::new();
    let step = d
        .engine
        .admit(&mut d.lead, attributes.clone(), None, t + 1, &mut out);
    assert_eq!(step, Step::Ignored(Ignored::WrongStage));
    assert!(out.is_empty());
    assert_eq!(d.lead, before);
    let mut fresh = handoff::engine::LeadState::new();
    let step = d.engine.admit(&mut fresh, vec![], None, t + 1, &mut out);
    assert_eq!(step, Step::Ignored(Ignored::BadValue));
    assert!(out.is_empty());
    assert_eq!(fresh, handoff::engine::LeadState::new());
    let step = d
        .engine
        .admit(&mut fresh, attributes, None, t + 1, &mut out);
    assert_eq!(step, Step::Applied);
    assert!(!out.is_empty());
}

#[test]
fn lead_state_round_trips_through_json() {
    let p = seed();
    let n = Names(&p);
    let t = monday_morning();
    let mut d = handed_off_smb(&n, &p, t);
    d.advance(t + 15 * MIN);
    let json = serde_json::to_string(&d.lead).unwrap();
    let back: handoff::engine::LeadState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d.lead);
    let inputs = [
        hand_raise(&n),
        Input::Timer(TimerKey {
            kind: TimerKind::Sla,
            generation: 2,
        }),
        Input::Touch {
            outcome: TouchOutcome::NoAnswer,
        },
    ];
    for i in inputs {
        let json = serde_json::to_string(&i).unwrap();
        assert_eq!(serde_json::from_str::<Input>(&json).unwrap(), i);
    }
    for (_, a) in &d.log {
        let json = serde_json::to_string(a).unwrap();
        assert_eq!(&serde_json::from_str::<Action>(&json).unwrap(), a);
    }
}

#[test]
fn counts_keep_only_the_times_their_comparisons_need() {
    let p = compile(COUNTING);
    let keeps: Vec<(i64, Option<u32>)> =
        p.counters.iter().map(|c| (c.window_secs, c.keep)).collect();
    // `= 3` needs 5 times and `>= 12` needs 14 (counts above floor(n) + 1 compare alike, with
    // the float tolerance's margin); a count compared with a score keeps every time.
    assert_eq!(keeps, vec![(30 * DAY, Some(14)), (DAY, None)]);

    let n = Names(&p);
    let visit = n.event_input("visit", &[]);
    let t = monday_morning();
    let mut d = Driver::new(&p);
    d.arrive(smb_tiny(&p), t);
    let monthly = handoff::ir::CounterId(0);
    let mut fired = None;
    for k in 1..=30 {
        let at = t + k * HOUR;
        let out = d.input(visit.clone(), at).to_vec();
        let held = d
            .lead
            .counters
            .iter()
            .filter(|c| c.counter == monthly)
            .count();
        assert!(held <= 14, "{held} times kept after {k} visits");
        if fired.is_none() && out.iter().any(|a| matches!(a, Action::Enqueue { .. })) {
            fired = Some(k);
        }
    }
    // The rule still fires on exactly the twelfth visit.
    assert_eq!(fired, Some(12));
    assert_eq!(d.engine.count(&d.lead, monthly, t + 30 * HOUR), Some(14));
}

/// Times that left their window stay in the list until the next time is counted, and no read
/// sees them: a blog post counts nothing, so forty days of them leave the pricing visits in
/// place, counted as zero once their windows have passed; the next pricing visit drops them.
#[test]
fn counted_times_out_of_their_window_are_dropped_when_a_time_is_added() {
    let p = seed();
    let n = Names(&p);
    let t = monday_morning();
    let mut d = Driver::new(&p);
    d.arrive(Lead::default().attributes(&p), t);
    let blog = page_view(&n, "blog");
    d.input(pricing(&n), t + HOUR);
    let held = d.lead.counters.len();
    assert!(held > 0, "a pricing visit is counted");
    for day in 1..=40 {
        d.input(blog.clone(), t + day * DAY);
    }
    assert_eq!(d.lead.counters.len(), held, "blog posts count nothing");
    let later = t + 40 * DAY + HOUR;
    for c in 0..p.counters.len() {
        let counter = handoff::ir::CounterId(c as u32);
        assert_eq!(d.engine.count(&d.lead, counter, later), Some(0));
    }
    d.input(pricing(&n), later);
    assert_eq!(
        d.lead.counters.len(),
        held,
        "only the new visit's times are left"
    );
    let now_counted: Vec<usize> = (0..p.counters.len())
        .filter_map(|c| {
            d.engine
                .count(&d.lead, handoff::ir::CounterId(c as u32), later)
        })
        .collect();
    assert!(now_counted.iter().all(|&k| k <= 1) && now_counted.contains(&1));
}

/// A closed lead ignores everything, timers included, and its state stays exactly as it was
/// (`tests/engine_cases/disqualifiers.case` shows the ignored input and the silent timers).
#[test]
fn a_closed_lead_stays_exactly_as_it_was() {
    let p = seed();
    let n = Names(&p);
    let mut d = Driver::new(&p);
    d.arrive(Lead::default().attributes(&p), monday_morning());
    let bad = n.event_input("enrichment", &[("valid_domain", Value::Flag(false))]);
    d.input(bad, monday_morning() + 2 * HOUR);
    let before = d.lead.clone();
    assert_eq!(
        d.try_input(hand_raise(&n), monday_morning() + 3 * HOUR),
        Step::Ignored(Ignored::WrongStage)
    );
    d.advance(monday_morning() + 400 * DAY);
    assert_eq!(d.lead, before);
}

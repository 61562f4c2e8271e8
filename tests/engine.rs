//! Engine behaviour on the shipped seed playbook: one test per rule of the lifecycle.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use handoff::engine::{
    Action, Departure, Ignored, Input, Stage, Step, TimerKey, TimerKind, TouchOutcome,
};
use handoff::ir::{Channel, Value};
use std::sync::Arc;
use support::*;

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

fn stage_name(d: &Driver) -> &'static str {
    match &d.lead.stage {
        Stage::New => "new",
        Stage::Nurture => "nurture",
        Stage::Parked { .. } => "parked",
        Stage::HandedOff(r) if r.is_queued() => "queued",
        Stage::HandedOff(_) => "working",
        Stage::Done(_) => "done",
    }
}

#[test]
fn arrival_enters_the_default_track_with_a_first_touch() {
    let p = seed();
    let n = Names(&p);
    let mut d = Driver::new(&p);
    let t = monday_morning();
    let out = d.arrive(Lead::default().attributes(&p), t).to_vec();
    let early = n.track("early_awareness");
    assert_eq!(
        out,
        vec![
            Action::EnteredTrack { track: early },
            Action::AutoTouch {
                track: early,
                channel: Channel::Email
            },
            Action::StartTimer {
                key: TimerKey {
                    kind: TimerKind::Track,
                    generation: 1
                },
                at: t + 7 * DAY
            },
        ]
    );
    assert_eq!(stage_name(&d), "nurture");
    // Eight touches a week apart, then the track moves on to long_cycle one week after the last.
    let later = d.advance(t + 56 * DAY);
    let touches = later
        .iter()
        .filter(|(_, a)| matches!(a, Action::AutoTouch { track, .. } if *track == early))
        .count();
    assert_eq!(touches, 7);
    assert!(later.contains(&(
        t + 56 * DAY,
        Action::EnteredTrack {
            track: n.track("long_cycle")
        }
    )));
}

#[test]
fn fit_at_the_threshold_exits_to_the_engaged_track_at_once() {
    let p = seed();
    let n = Names(&p);
    let mut d = Driver::new(&p);
    let lead = Lead {
        segment: "mid_market",
        employees: 250.0,
        ..Lead::default()
    };
    let out = d.arrive(lead.attributes(&p), monday_morning()).to_vec();
    assert!(out.contains(&Action::EnteredTrack {
        track: n.track("icp_engaged")
    }));
    assert_eq!(d.lead.track.unwrap().track, n.track("icp_engaged"));
}

#[test]
fn disqualifiers_close_students_competitors_and_invalid_domains() {
    let p = seed();
    let n = Names(&p);
    for (lead, reason) in [
        (
            Lead {
                title: "PhD Student",
                ..Lead::default()
            },
            "not_icp",
        ),
        (
            Lead {
                domain: "cs.stanford.EDU",
                ..Lead::default()
            },
            "not_icp",
        ),
        (
            Lead {
                domain: "RivalSoft.com",
                ..Lead::default()
            },
            "competitor",
        ),
    ] {
        let mut d = Driver::new(&p);
        let out = d.arrive(lead.attributes(&p), monday_morning()).to_vec();
        assert_eq!(
            out,
            vec![Action::Disqualified {
                reason: n.reason(reason)
            }]
        );
        assert_eq!(
            d.lead.stage,
            Stage::Done(Departure::Disqualified {
                reason: n.reason(reason)
            })
        );
    }
    let mut d = Driver::new(&p);
    d.arrive(Lead::default().attributes(&p), monday_morning());
    let ok = n.event_input("enrichment", &[("valid_domain", Value::Flag(true))]);
    d.input(ok, monday_morning() + HOUR);
    assert_eq!(stage_name(&d), "nurture");
    let bad = n.event_input("enrichment", &[("valid_domain", Value::Flag(false))]);
    let out = d.input(bad, monday_morning() + 2 * HOUR).to_vec();
    assert!(out.contains(&Action::Disqualified {
        reason: n.reason("invalid_domain")
    }));
    // A closed lead ignores everything, timers included.
    let before = d.lead.clone();
    assert_eq!(
        d.try_input(hand_raise(&n), monday_morning() + 3 * HOUR),
        Step::Ignored(Ignored::WrongStage)
    );
    d.advance(monday_morning() + 400 * DAY);
    assert_eq!(d.lead, before);
}

#[test]
fn a_hand_raise_is_routed_with_task_context_and_sla() {
    let p = seed();
    let n = Names(&p);
    let mut d = Driver::new(&p);
    let t = monday_morning();
    d.arrive(Lead::default().attributes(&p), t);
    d.input(pricing(&n), t + HOUR);
    let out = d.input(hand_raise(&n), t + 2 * HOUR).to_vec();
    let rule = n.rule("hand_raise");
    let queue = n.queue("inbound_sdr");
    assert!(
        matches!(out[0], Action::Enqueue { rule: r, queue: q, owner: None, .. } if r == rule && q == queue)
    );
    assert!(out.contains(&Action::CreateTask {
        rule,
        sequence: Some(handoff::ir::SequenceId(0))
    }));
    assert!(out.contains(&Action::NotifyOwner { queue, owner: None }));
    let package = out
        .iter()
        .find_map(|a| match a {
            Action::AttachContext { context, package } => {
                assert_eq!(*context, n.context("hand_raise_brief"));
                package.clone()
            }
            _ => None,
        })
        .unwrap();
    assert_eq!(
        package.why_now,
        Some(handoff::engine::WhyNow {
            rule,
            event: Some(n.event("form_submit"))
        })
    );
    // The pricing view earned 15 points and ranks first; the form earned none.
    assert_eq!(package.top_signals[0].event, n.event("page_view"));
    assert_eq!(package.top_signals[0].points, 15.0);
    assert_eq!(package.top_signals.len(), 2);
    assert_eq!(package.campaign_source.as_deref(), Some("web"));
    // The pricing view moved the lead to icp_engaged, whose first email went out then.
    assert_eq!(package.last_touch.unwrap().at, t + HOUR);
    assert!(out.contains(&Action::StartTimer {
        key: TimerKey {
            kind: TimerKind::Sla,
            generation: 1
        },
        at: t + 2 * HOUR + 15 * MIN
    }));
    assert_eq!(stage_name(&d), "queued");
    // Nurture pauses: the old track timer is stale now.
    assert!(d.lead.track.is_none());
    // A lead already handed off is not handed off again.
    let again = d.input(hand_raise(&n), t + 2 * HOUR + MIN).to_vec();
    assert!(!again.iter().any(|a| matches!(a, Action::Enqueue { .. })));
}

#[test]
fn routing_by_segment_and_named_account_owner() {
    let p = seed();
    let n = Names(&p);
    let t = monday_morning();
    let mut d = Driver::new(&p);
    let ent = Lead {
        segment: "enterprise",
        ..Lead::default()
    };
    d.arrive(ent.attributes(&p), t);
    let out = d.input(hand_raise(&n), t + MIN).to_vec();
    assert!(
        matches!(out[0], Action::Enqueue { queue, owner: None, .. } if queue == n.queue("enterprise_ae"))
    );

    let mut d = Driver::new(&p);
    let named = Lead {
        domain: "Globex.com",
        ..Lead::default()
    };
    d.arrive(named.attributes(&p), t);
    let out = d.input(hand_raise(&n), t + MIN).to_vec();
    assert!(
        matches!(out[0], Action::Enqueue { queue, owner: Some(s), .. }
        if queue == n.queue("abm_team") && s == n.seller("gwen"))
    );
}

#[test]
fn a_band_a_update_fires_the_state_rule() {
    let p = seed();
    let n = Names(&p);
    let t = monday_morning();
    // Fit 60 (enterprise, 200+ employees, EMEA) is band B; a pricing view (+15) makes it A.
    let lead = Lead {
        segment: "enterprise",
        region: "emea",
        employees: 500.0,
        ..Lead::default()
    };
    let mut d = Driver::new(&p);
    d.arrive(lead.attributes(&p), t);
    assert_eq!(stage_name(&d), "nurture");
    let out = d.input(pricing(&n), t + MIN).to_vec();
    assert!(matches!(out[0], Action::Enqueue { rule, .. } if rule == n.rule("mql")));
    // Band thresholds see decay: 30 fit + two 20-point events a minute apart is just under 70.
    let smb = Lead {
        region: "emea",
        employees: 500.0,
        ..Lead::default()
    };
    let mut d = Driver::new(&p);
    d.arrive(smb.attributes(&p), t);
    d.input(n.event_input("event_attended", &[]), t + MIN);
    d.input(n.event_input("event_attended", &[]), t + 2 * MIN);
    assert_eq!(stage_name(&d), "nurture");
    // An attribute change re-evaluates fit and the state rules.
    let out = d
        .input(
            Input::SetField {
                field: n.field("segment"),
                value: n.value("segment", "enterprise"),
            },
            t + 3 * MIN,
        )
        .to_vec();
    assert!(matches!(out[0], Action::Enqueue { rule, .. } if rule == n.rule("mql")));
}

/// A small playbook for rule interplay and business-time SLAs.
const TINY: &str = r#"
playbook tiny {
  calendar office
}

calendar office {
  timezone "Europe/London"
  hours mon to fri 09:00 to 17:30
  holiday 2026-12-25 "Christmas Day"
  holiday 2026-12-28 "Boxing Day (substitute)"
}

lead {
  segment: one of smb, enterprise
}

event demo_request
event visit

score fit {
  add 60 when segment = enterprise
}

score intent {
  add 10 per visit
  add 50 per demo_request
}

bands grade by fit + intent {
  band A from 50
  band B below 50
}

track nurture {
  enter by default
  touch email every 7d
}

handoff demo {
  on demo_request
  priority 5
  route to sdr
  sla 4bh
  on breach {
    notify manager
  }
}

handoff hot {
  when grade = A
  priority 1
  route to sdr
  sla 1bd
  sequence outreach
  on breach {
    notify manager
  }
}

handoff today {
  on visit
  when segment = smb
  priority 3
  route to sdr
  sla same day
  on breach {
    notify manager
  }
}

queue sdr {
  members ann
}

sequence outreach {
  day 0 call
  max attempts 1
  on exhausted disposition later
}

reason later {
  recycle to nurture
  suppress for 30d unless demo
}
"#;

fn sla_timer(out: &[Action]) -> Option<i64> {
    out.iter().find_map(|a| match a {
        Action::StartTimer { key, at } if key.kind == TimerKind::Sla => Some(*at),
        _ => None,
    })
}

fn smb_tiny(p: &handoff::ir::Playbook) -> Vec<Value> {
    vec![Names(p).value("segment", "smb")]
}

#[test]
fn lowest_priority_wins_then_declaration_order() {
    let p = compile(TINY);
    let n = Names(&p);
    let t = monday_morning();
    let mut d = Driver::new(&p);
    d.arrive(smb_tiny(&p), t);
    // A demo request earns 50 points: `demo` (priority 5) and `hot` (priority 1) both fire.
    let out = d.input(n.event_input("demo_request", &[]), t).to_vec();
    assert!(matches!(out[0], Action::Enqueue { rule, .. } if rule == n.rule("hot")));
    let mut d = Driver::new(&p);
    d.arrive(smb_tiny(&p), t);
    // A visit fires `today` (priority 3) alone: the lead is still band B.
    let out = d.input(n.event_input("visit", &[]), t).to_vec();
    assert!(matches!(out[0], Action::Enqueue { rule, .. } if rule == n.rule("today")));
}

#[test]
fn a_state_rule_fires_again_when_the_suppression_window_ends() {
    let p = compile(TINY);
    let n = Names(&p);
    let t = monday_morning();
    let mut d = Driver::new(&p);
    // Enterprise fit alone is band A: `hot` fires on arrival.
    d.arrive(vec![n.value("segment", "enterprise")], t);
    assert!(matches!(d.lead.handoff(), Some(r) if r.rule == n.rule("hot")));
    d.input(Input::Pickup { seller: None }, t + MIN);
    let out = d
        .input(
            Input::Touch {
                outcome: TouchOutcome::NoAnswer,
            },
            t + 2 * MIN,
        )
        .to_vec();
    // One attempt, exhausted: `later` recycles with a 30-day window, and no handoff starts in the
    // same step even though the lead is still band A.
    assert!(out.contains(&Action::Disposition {
        reason: n.reason("later")
    }));
    assert!(!out.iter().any(|a| matches!(a, Action::Enqueue { .. })));
    let end = t + 2 * MIN + 30 * DAY;
    let before = d.advance(end - 1);
    assert!(!before
        .iter()
        .any(|(_, a)| matches!(a, Action::Enqueue { .. })));
    // The weekly nurture touches were updates too, but the window held.
    assert!(before
        .iter()
        .any(|(_, a)| matches!(a, Action::AutoTouch { .. })));
    let after = d.advance(end);
    assert!(after
        .iter()
        .any(|(at, a)| *at == end
            && matches!(a, Action::Enqueue { rule, .. } if *rule == n.rule("hot"))));
    // `unless demo` lets a demo request through inside a window.
    let mut d = Driver::new(&p);
    d.arrive(vec![n.value("segment", "enterprise")], t);
    d.input(Input::Pickup { seller: None }, t + MIN);
    d.input(
        Input::Touch {
            outcome: TouchOutcome::NoAnswer,
        },
        t + 2 * MIN,
    );
    let out = d.input(n.event_input("visit", &[]), t + DAY).to_vec();
    assert!(!out.iter().any(|a| matches!(a, Action::Enqueue { .. })));
    let out = d
        .input(n.event_input("demo_request", &[]), t + DAY)
        .to_vec();
    assert!(matches!(out[0], Action::Enqueue { rule, .. } if rule == n.rule("demo")));
}

#[test]
fn business_time_deadlines_skip_nights_weekends_and_holidays() {
    let p = compile(TINY);
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
fn the_engine_starts_sla_timers_in_business_time() {
    let p = compile(TINY);
    let n = Names(&p);
    let friday_evening = london(2026, 6, 5, 19, 0);
    let mut d = Driver::new(&p);
    d.arrive(smb_tiny(&p), friday_evening);
    let out = d
        .input(n.event_input("visit", &[]), friday_evening)
        .to_vec();
    assert_eq!(sla_timer(&out), Some(london(2026, 6, 8, 17, 30)));
    // The breach fires at the deadline (Monday close), not on Friday night.
    let breach = d.advance(london(2026, 6, 8, 17, 30));
    assert!(breach
        .iter()
        .any(|(at, a)| *at == london(2026, 6, 8, 17, 30)
            && matches!(a, Action::SlaBreached { breaches: 1, .. })));
}

#[test]
fn event_and_state_rule_in_the_same_update_prefer_lower_priority() {
    let p = seed();
    let n = Names(&p);
    let t = monday_morning();
    let smb = Lead {
        region: "emea",
        employees: 500.0,
        ..Lead::default()
    };
    let mut d = Driver::new(&p);
    d.arrive(smb.attributes(&p), t);
    d.input(n.event_input("event_attended", &[]), t + MIN);
    d.input(n.event_input("email_click", &[]), t + 2 * MIN);
    assert_eq!(stage_name(&d), "nurture");
    // An inbound reply earns no points but fires hand_raise; the lead is band B so only it fires.
    let out = d
        .input(n.event_input("inbound_reply", &[]), t + 3 * MIN)
        .to_vec();
    assert!(matches!(out[0], Action::Enqueue { rule, .. } if rule == n.rule("hand_raise")));
}

#[test]
fn repeated_high_intent_visits_within_the_window_fire_the_state_rule() {
    let p = seed();
    let n = Names(&p);
    let t = monday_morning();
    let comparison = page_view(&n, "comparison");
    let mut d = Driver::new(&p);
    d.arrive(Lead::default().attributes(&p), t);
    d.input(comparison.clone(), t);
    d.input(comparison.clone(), t + DAY);
    // The third visit comes after the first left the 7-day window: still only two inside.
    d.input(comparison.clone(), t + 7 * DAY + HOUR);
    assert_eq!(stage_name(&d), "nurture");
    let out = d.input(comparison, t + 7 * DAY + 2 * HOUR).to_vec();
    assert!(
        matches!(out.iter().find(|a| matches!(a, Action::Enqueue { .. })),
        Some(Action::Enqueue { rule, .. }) if *rule == n.rule("mql"))
    );
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

fn handed_off_smb(n: &Names, p: &handoff::ir::Playbook, t: i64) -> Driver {
    let mut d = Driver::new(p);
    d.arrive(Lead::default().attributes(p), t);
    d.input(hand_raise(n), t);
    d
}

#[test]
fn breach_path_rescues_requeues_notifies_then_recycles_at_the_limit() {
    let p = seed();
    let n = Names(&p);
    let t = monday_morning();
    let mut d = handed_off_smb(&n, &p, t);
    let first = d.advance(t + 15 * MIN);
    let kinds: Vec<&Action> = first.iter().map(|(_, a)| a).collect();
    let rule = n.rule("hand_raise");
    let rescue = n.track("momentum_rescue");
    assert_eq!(kinds[0], &Action::SlaBreached { rule, breaches: 1 });
    assert_eq!(kinds[1], &Action::RescueStarted { track: rescue });
    assert_eq!(kinds[2], &Action::EnteredTrack { track: rescue });
    assert!(matches!(kinds[3], Action::AutoTouch { track, .. } if *track == rescue));
    assert!(kinds.contains(&&Action::Requeued {
        queue: n.queue("inbound_sdr")
    }));
    assert!(kinds.iter().any(|a| matches!(a, Action::AttachContext { context, .. } if *context == n.context("rescue_brief"))));
    assert!(kinds.contains(&&Action::NotifyRole {
        role: Arc::from("sales_manager")
    }));
    assert!(matches!(kinds.last(), Some(Action::StartTimer { key, at })
        if key.kind == TimerKind::Sla && *at == t + 30 * MIN));
    assert_eq!(stage_name(&d), "queued");
    let second = d.advance(t + 30 * MIN);
    let kinds: Vec<&Action> = second.iter().map(|(_, a)| a).collect();
    assert_eq!(kinds[0], &Action::SlaBreached { rule, breaches: 2 });
    assert_eq!(
        kinds[1],
        &Action::NotifyRole {
            role: Arc::from("sales_manager")
        }
    );
    assert_eq!(
        kinds[2],
        &Action::Dequeue {
            queue: n.queue("inbound_sdr")
        }
    );
    let no_response = n.reason("no_response");
    let re_engage = n.track("re_engage");
    assert_eq!(
        kinds[3],
        &Action::BreachRecycled {
            reason: no_response,
            track: re_engage
        }
    );
    assert!(kinds.contains(&&Action::Recycled {
        track: re_engage,
        at: t + 30 * MIN,
        suppressed_until: Some(t + 30 * MIN + 14 * DAY)
    }));
    assert_eq!(d.lead.track.unwrap().track, re_engage);
    assert_eq!(stage_name(&d), "nurture");
}

#[test]
fn pickup_stops_the_sla_and_the_sequence_runs_to_exhaustion() {
    let p = seed();
    let n = Names(&p);
    let t = monday_morning();
    let mut d = handed_off_smb(&n, &p, t);
    let out = d
        .input(Input::Pickup { seller: None }, t + 5 * MIN)
        .to_vec();
    let rule = n.rule("hand_raise");
    assert_eq!(
        out,
        vec![
            Action::FirstTouch {
                rule,
                delay_secs: 300,
                breaches: 0
            },
            Action::StepDue {
                step: 0,
                channel: Some(Channel::Call)
            },
        ]
    );
    assert_eq!(stage_name(&d), "working");
    // The SLA timer is stale now.
    assert!(d.advance(t + HOUR).is_empty());
    let no = Input::Touch {
        outcome: TouchOutcome::NoAnswer,
    };
    // Step 1 (day 0, email) is due at once; step 2 (day 1, LinkedIn) a day after the pickup.
    assert_eq!(
        d.input(no.clone(), t + HOUR).to_vec(),
        vec![Action::StepDue {
            step: 1,
            channel: Some(Channel::Email)
        }]
    );
    let out = d.input(no.clone(), t + HOUR).to_vec();
    assert!(
        matches!(out[..], [Action::StartTimer { key, at }] if key.kind == TimerKind::Step && at == t + 5 * MIN + DAY)
    );
    let due = d.advance(t + 5 * MIN + DAY);
    assert_eq!(
        due[0].1,
        Action::StepDue {
            step: 2,
            channel: Some(Channel::Linkedin)
        }
    );
    d.input(no.clone(), t + 2 * DAY);
    d.advance(t + 5 * MIN + 2 * DAY);
    d.input(no.clone(), t + 3 * DAY);
    d.advance(t + 5 * MIN + 4 * DAY);
    let out = d.input(no, t + 4 * DAY + HOUR).to_vec();
    let no_response = n.reason("no_response");
    assert_eq!(
        out[0],
        Action::Disposition {
            reason: no_response
        }
    );
    assert!(out.contains(&Action::Recycled {
        track: n.track("re_engage"),
        at: t + 11 * DAY + HOUR,
        suppressed_until: Some(t + 18 * DAY + HOUR)
    }));
    assert_eq!(stage_name(&d), "parked");
    let back = d.advance(t + 11 * DAY + HOUR);
    assert!(back.contains(&(
        t + 11 * DAY + HOUR,
        Action::EnteredTrack {
            track: n.track("re_engage")
        }
    )));
    assert_eq!(stage_name(&d), "nurture");
}

#[test]
fn a_meeting_converts_and_a_connect_waits_for_a_reason() {
    let p = seed();
    let n = Names(&p);
    let t = monday_morning();
    let mut d = handed_off_smb(&n, &p, t);
    d.input(Input::Pickup { seller: None }, t + MIN);
    let out = d
        .input(
            Input::Touch {
                outcome: TouchOutcome::Meeting,
            },
            t + 2 * MIN,
        )
        .to_vec();
    let meeting_set = n.reason("meeting_set");
    assert_eq!(
        out,
        vec![
            Action::Disposition {
                reason: meeting_set
            },
            Action::Converted {
                reason: meeting_set
            }
        ]
    );
    assert!(d.lead.is_done());

    let mut d = handed_off_smb(&n, &p, t);
    // A touch on a waiting lead picks it up first.
    let out = d
        .input(
            Input::Touch {
                outcome: TouchOutcome::Connect,
            },
            t + MIN,
        )
        .to_vec();
    assert!(matches!(out[0], Action::FirstTouch { .. }));
    assert_eq!(
        out.last(),
        Some(&Action::AwaitingDisposition {
            outcome: TouchOutcome::Connect
        })
    );
    let out = d
        .input(
            Input::Disposition {
                reason: n.reason("not_now"),
            },
            t + 2 * MIN,
        )
        .to_vec();
    assert!(out.contains(&Action::Recycled {
        track: n.track("long_cycle"),
        at: t + 2 * MIN,
        suppressed_until: Some(t + 2 * MIN + 60 * DAY)
    }));
}

#[test]
fn suppression_blocks_rules_except_unless() {
    let p = seed();
    let n = Names(&p);
    let t = monday_morning();
    let band_a = Lead {
        segment: "enterprise",
        region: "emea",
        employees: 500.0,
        ..Lead::default()
    };
    let mut d = Driver::new(&p);
    d.arrive(band_a.attributes(&p), t);
    d.input(pricing(&n), t);
    assert!(matches!(d.lead.handoff(), Some(r) if r.rule == n.rule("mql")));
    d.input(
        Input::Touch {
            outcome: TouchOutcome::Connect,
        },
        t + HOUR,
    );
    d.input(
        Input::Disposition {
            reason: n.reason("not_now"),
        },
        t + HOUR,
    );
    assert_eq!(stage_name(&d), "nurture");
    // Still band A, but suppressed for 60 days: more visits do not hand it off.
    d.input(pricing(&n), t + 2 * HOUR);
    d.input(pricing(&n), t + 10 * DAY);
    assert_eq!(stage_name(&d), "nurture");
    // A hand-raise breaks through (`unless hand_raise`).
    let out = d.input(hand_raise(&n), t + 20 * DAY).to_vec();
    assert!(matches!(out[0], Action::Enqueue { rule, .. } if rule == n.rule("hand_raise")));
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

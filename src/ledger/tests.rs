#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use crate::engine::TimerKind;
use crate::events::{decode_line, Effect};
use crate::ir::Playbook;

/// Monday 1 June 2026, 09:00 UTC.
const T: Timestamp = 1_780_304_400;
const DAY: Timestamp = 86_400;

fn seed() -> Playbook {
    let src = std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap();
    crate::check::compile(crate::span::FileId(0), &src)
        .playbook
        .unwrap()
}

fn line(p: &Playbook, id: &str, kind: &str, lead: &str, t: Timestamp, data: &str) -> Decoded {
    let text = format!(
        r#"{{"id":"{id}","source":"t","type":"{kind}","lead":"{lead}","time":"{}","data":{data}}}"#,
        crate::engine::utc(t)
    );
    decode_line(p, 1, &text).unwrap()
}

fn created(p: &Playbook, lead: &str, t: Timestamp) -> Decoded {
    line(p, lead, "handoff.lead.created", lead, t, "{}")
}

#[test]
fn timers_of_every_lead_fire_in_due_order_before_a_later_input() {
    let p = seed();
    let mut ledger = Ledger::new(Engine::new(&p).unwrap());
    let mut out = Vec::new();
    ledger.apply(&created(&p, "A", T), &mut out).unwrap();
    ledger.apply(&created(&p, "B", T + 3600), &mut out).unwrap();
    out.clear();
    // Both leads have weekly track timers; an input three weeks on fires them first, in
    // time order, alternating between the leads.
    let view = line(
        &p,
        "v",
        "page_view",
        "A",
        T + 21 * DAY,
        r#"{"category":"blog"}"#,
    );
    let accepted = ledger.apply(&view, &mut out).unwrap();
    let touches: Vec<(Timestamp, LeadNo)> = (out.iter())
        .filter(|e| matches!(e.effect, Effect::Engine(Action::AutoTouch { .. })))
        .map(|e| (e.at, e.lead))
        .collect();
    assert_eq!(
        touches,
        vec![
            (T + 7 * DAY, 0),
            (T + 3600 + 7 * DAY, 1),
            (T + 14 * DAY, 0),
            (T + 3600 + 14 * DAY, 1),
            (T + 21 * DAY, 0),
        ]
    );
    assert!(out.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!((accepted.at, accepted.late), (T + 21 * DAY, false));
    assert_eq!(ledger.clock(), Some(T + 21 * DAY));
    // Every action of a lead has its own (step, index), and steps count up.
    let a: Vec<(u64, u32)> = (out.iter().filter(|e| e.lead == 0))
        .map(|e| (e.step, e.index))
        .collect();
    assert!(a.windows(2).all(|w| w[0] < w[1]), "{a:?}");
}

#[test]
fn unknown_leads_and_second_creations_are_refused_without_a_change() {
    let p = seed();
    let mut ledger = Ledger::new(Engine::new(&p).unwrap());
    let mut out = Vec::new();
    let view = line(&p, "v", "page_view", "X", T, r#"{"category":"blog"}"#);
    assert_eq!(ledger.apply(&view, &mut out), Err(Refusal::UnknownLead));
    assert!(ledger.is_empty() && out.is_empty() && ledger.clock().is_none());
    ledger.apply(&created(&p, "X", T), &mut out).unwrap();
    let before = ledger.lead(0).cloned();
    out.clear();
    let again = line(&p, "again", "handoff.lead.created", "X", T + 60, "{}");
    assert_eq!(ledger.apply(&again, &mut out), Err(Refusal::LeadExists));
    assert_eq!(ledger.lead(0).cloned(), before);
    assert!(out.is_empty());
}

#[test]
fn a_late_input_is_applied_at_its_leads_time_and_marked() {
    let p = seed();
    let mut ledger = Ledger::new(Engine::new(&p).unwrap());
    let mut out = Vec::new();
    ledger.apply(&created(&p, "A", T), &mut out).unwrap();
    ledger
        .apply(&created(&p, "B", T + 8 * DAY), &mut out)
        .unwrap();
    // A's first track timer fired at T + 7d; a view of A stamped T + 1d is late for A.
    let view = line(&p, "v", "page_view", "A", T + DAY, r#"{"category":"blog"}"#);
    let accepted = ledger.apply(&view, &mut out).unwrap();
    assert!(accepted.late);
    assert_eq!(accepted.at, T + 7 * DAY);
    assert_eq!(
        ledger.clock(),
        Some(T + 8 * DAY),
        "the clock never goes back"
    );
}

#[test]
fn a_ledger_restored_from_its_records_goes_on_exactly_as_the_original() {
    let p = seed();
    let mut original = Ledger::new(Engine::new(&p).unwrap());
    let mut out = Vec::new();
    for (i, lead) in ["A", "B", "C"].iter().enumerate() {
        original
            .apply(&created(&p, lead, T + i as Timestamp * 600), &mut out)
            .unwrap();
    }
    let demo = line(&p, "d", "form_submit", "B", T + DAY, r#"{"kind":"demo"}"#);
    original.apply(&demo, &mut out).unwrap();
    let mut restored = Ledger::new(Engine::new(&p).unwrap());
    for (no, lead) in original.leads().iter().enumerate() {
        assert!(restored.restore(no as LeadNo, lead.key.clone(), lead.record.clone()));
    }
    restored.restore_clock(original.clock());
    restored.restore_routing(&original.routing_snapshot());
    assert!(!restored.restore(9, "Z".into(), original.leads()[0].record.clone()));
    assert_eq!(restored.pending_timers(), original.pending_timers());
    assert!(original.leads()[1]
        .record
        .driver
        .timer(TimerKind::Sla)
        .is_some());
    let (mut a, mut b) = (Vec::new(), Vec::new());
    original.advance(T + 40 * DAY, &mut a);
    restored.advance(T + 40 * DAY, &mut b);
    assert!(!a.is_empty());
    assert_eq!(a, b);
    assert_eq!(original.leads(), restored.leads());
}

fn assignments(out: &[Emitted]) -> Vec<(Timestamp, LeadNo, String)> {
    out.iter()
        .filter_map(|e| match e.effect {
            Effect::Assign { seller, .. } => Some((e.at, e.lead, format!("{seller:?}"))),
            Effect::Engine(_) => None,
        })
        .collect()
}

fn seller_name(p: &Playbook, out: &[Emitted]) -> Vec<String> {
    out.iter()
        .filter_map(|e| match e.effect {
            Effect::Assign { seller, .. } => Some(p.sellers[seller.index()].name.clone()),
            Effect::Engine(_) => None,
        })
        .collect()
}

/// Saturday 6 June 2026, 10:00 UTC.
const SATURDAY: Timestamp = T + 5 * DAY + 3600;
/// Monday 8 June 2026, 09:00 in London (08:00 UTC).
const MONDAY_OPEN: Timestamp = T + 7 * DAY - 3600;

#[test]
fn a_lead_handed_off_before_the_sellers_start_is_assigned_when_they_do() {
    let p = seed();
    let mut ledger = Ledger::new(Engine::new(&p).unwrap());
    let mut out = Vec::new();
    ledger
        .apply(&created(&p, "S", SATURDAY - 3600), &mut out)
        .unwrap();
    let demo = line(&p, "s", "form_submit", "S", SATURDAY, r#"{"kind":"demo"}"#);
    ledger.apply(&demo, &mut out).unwrap();
    assert!(assignments(&out).is_empty(), "nobody works on Saturday");
    let wakes = ledger.routing_snapshot().wakes;
    assert_eq!(wakes, vec![("inbound_sdr".to_owned(), MONDAY_OPEN)]);

    let early = MONDAY_OPEN - 300;
    ledger
        .apply(&created(&p, "A", early - 60), &mut out)
        .unwrap();
    let demo = line(&p, "d", "form_submit", "A", early, r#"{"kind":"demo"}"#);
    out.clear();
    ledger.apply(&demo, &mut out).unwrap();
    assert!(assignments(&out).is_empty(), "not before 09:00 in London");
    ledger.advance(MONDAY_OPEN, &mut out);
    assert_eq!(seller_name(&p, &out), vec!["ana"]);
    assert_eq!(assignments(&out)[0].0, MONDAY_OPEN);
    let route = ledger.lead(1).unwrap().record.route.unwrap();
    assert!(matches!(route.holder, Holder::Seller { .. }));
    assert!(
        ledger.lead(0).unwrap().record.route.is_none(),
        "S breached twice and left"
    );
}

#[test]
fn round_robin_skips_sellers_away_and_a_disposition_frees_the_seller() {
    let p = seed();
    let mut ledger = Ledger::new(Engine::new(&p).unwrap());
    let mut out = Vec::new();
    let away = |who: &str, t: Timestamp, back: bool| {
        let kind = if back {
            "handoff.seller.back"
        } else {
            "handoff.seller.away"
        };
        let text = format!(
            r#"{{"id":"{who}{t}","source":"t","type":"{kind}","time":"{}","data":{{"seller":"{who}"}}}}"#,
            crate::engine::utc(t)
        );
        decode_line(&p, 1, &text).unwrap()
    };
    ledger.apply(&away("ana", T, false), &mut out).unwrap();
    ledger.apply(&away("ben", T, false), &mut out).unwrap();
    for (i, lead) in ["A", "B", "C"].iter().enumerate() {
        let t = T + 60 * i as Timestamp;
        ledger.apply(&created(&p, lead, t), &mut out).unwrap();
        let demo = line(
            &p,
            &format!("d{lead}"),
            "form_submit",
            lead,
            t + 10,
            r#"{"kind":"demo"}"#,
        );
        ledger.apply(&demo, &mut out).unwrap();
    }
    assert_eq!(seller_name(&p, &out), vec!["chloe", "dev", "chloe"]);
    out.clear();
    ledger.apply(&away("ana", T + 600, true), &mut out).unwrap();
    let pickup = line(
        &p,
        "p",
        "handoff.seller.pickup",
        "A",
        T + 700,
        r#"{"seller":"chloe"}"#,
    );
    ledger.apply(&pickup, &mut out).unwrap();
    let done = line(
        &p,
        "x",
        "handoff.seller.disposition",
        "A",
        T + 800,
        r#"{"reason":"not_now"}"#,
    );
    ledger.apply(&done, &mut out).unwrap();
    assert!(
        ledger.lead(0).unwrap().record.route.is_none(),
        "the handoff ended"
    );
    let snapshot = ledger.routing_snapshot();
    assert_eq!(snapshot.away, vec!["ben".to_owned()]);
    assert_eq!(seller_name(&p, &out), Vec::<String>::new());
}

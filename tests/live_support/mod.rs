//! Event logs for live-runner tests and the in-process reference they are compared with.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use handoff::engine::Engine;
use handoff::events::decode_line;
use handoff::ir::Playbook;
use handoff::ledger::{Emitted, Ledger};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};

/// Monday 1 June 2026, 08:00 UTC.
pub const T0: i64 = 1_780_300_800;

fn time(t: i64) -> String {
    handoff::engine::utc(t)
}

fn line(id: &str, kind: &str, lead: &str, t: i64, data: Value) -> (i64, String) {
    let mut object =
        json!({"id": id, "source": "test", "type": kind, "lead": lead, "time": time(t)});
    if data != json!({}) {
        object["data"] = data;
    }
    (t, object.to_string())
}

/// A seeded log for `playbooks/seed-matrix.playbook`: `leads` leads arriving through working
/// days, with page views, form fills, enrichment, seller pickups, touches and dispositions, so
/// that handoffs, SLA timers, breaches and track timers happen throughout; then about 2% of
/// lines re-sent, 1% moved later (late events), 0.5% malformed and a few for unknown leads.
pub fn seed_log(seed: u64, leads: usize) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut lines: Vec<(i64, String)> = Vec::new();
    let categories = [
        "pricing",
        "demo",
        "comparison",
        "integration",
        "blog",
        "docs",
    ];
    let segments = ["smb", "mid_market", "enterprise"];
    let regions = ["emea", "amer", "apac"];
    let outcomes = ["connect", "meeting", "reply", "bounce", "no_answer"];
    let reasons = [
        "connected",
        "meeting_set",
        "no_response",
        "not_now",
        "competitor",
    ];
    for i in 0..leads {
        let lead = format!("L-{i}");
        let born = T0 + (i as i64) * 540 + rng.random_range(0..300);
        let mut n = 0;
        let mut id = || {
            n += 1;
            format!("{lead}-{n}")
        };
        let data = json!({
            "segment": segments[rng.random_range(0..3)],
            "region": regions[rng.random_range(0..3)],
            "employees": rng.random_range(5..2000),
            "country": "GB",
            "domain": format!("d{i}.example"),
            "title": "Head of Ops",
            "target_account": rng.random_bool(0.1),
        });
        lines.push(line(&id(), "handoff.lead.created", &lead, born, data));
        let mut t = born;
        for _ in 0..rng.random_range(0..6) {
            t += rng.random_range(600..3 * 86_400);
            let category = categories[rng.random_range(0..categories.len())];
            lines.push(line(
                &id(),
                "page_view",
                &lead,
                t,
                json!({"category": category}),
            ));
        }
        if rng.random_bool(0.2) {
            t += rng.random_range(60..3600);
            lines.push(line(
                &id(),
                "enrichment",
                &lead,
                t,
                json!({"valid_domain": rng.random_bool(0.9)}),
            ));
        }
        if rng.random_bool(0.4) {
            t += rng.random_range(60..86_400);
            lines.push(line(
                &id(),
                "form_submit",
                &lead,
                t,
                json!({"kind": "demo"}),
            ));
            if rng.random_bool(0.7) {
                t += rng.random_range(60..4 * 3600);
                lines.push(line(&id(), "handoff.seller.pickup", &lead, t, json!({})));
                for _ in 0..rng.random_range(1..4) {
                    t += rng.random_range(600..86_400);
                    let outcome = outcomes[rng.random_range(0..outcomes.len())];
                    lines.push(line(
                        &id(),
                        "handoff.seller.touch",
                        &lead,
                        t,
                        json!({"outcome": outcome}),
                    ));
                }
                if rng.random_bool(0.6) {
                    t += rng.random_range(60..3600);
                    let reason = reasons[rng.random_range(0..reasons.len())];
                    lines.push(line(
                        &id(),
                        "handoff.seller.disposition",
                        &lead,
                        t,
                        json!({"reason": reason}),
                    ));
                }
            }
        }
    }
    lines.sort_by_key(|(t, _)| *t);
    let mut out: Vec<String> = lines.into_iter().map(|(_, l)| l).collect();
    let len = out.len();
    for _ in 0..len / 100 {
        let from = rng.random_range(0..out.len().saturating_sub(60).max(1));
        let to = (from + rng.random_range(10..60)).min(out.len() - 1);
        let moved = out.remove(from);
        out.insert(to, moved);
    }
    for _ in 0..len / 50 {
        let from = rng.random_range(0..out.len());
        let to = rng.random_range(from..out.len());
        let copy = out[from].clone();
        out.insert(to, copy);
    }
    for _ in 0..len / 200 {
        let at = rng.random_range(0..out.len());
        let cut = out[at].len() / 2;
        let broken = out[at][..cut].to_owned();
        out.insert(at, broken);
    }
    for k in 0..3 {
        let at = rng.random_range(0..out.len());
        let (_, l) = line(
            &format!("ghost-{k}"),
            "page_view",
            "nobody",
            T0,
            json!({"category": "blog"}),
        );
        out.insert(at, l);
    }
    out
}

/// One uninterrupted in-process run over the lines, as the runner applies them with
/// `--clock events`: the ledger, and every action line by key.
pub fn reference(playbook: &Playbook, lines: &[String]) -> (Ledger, BTreeMap<String, Value>) {
    let mut ledger = Ledger::new(Engine::new(playbook).unwrap());
    let mut seen = HashSet::new();
    let mut emitted: Vec<Emitted> = Vec::new();
    for (i, text) in lines.iter().enumerate() {
        let Ok(decoded) = decode_line(playbook, i + 1, text) else {
            continue;
        };
        if seen.contains(&(decoded.source.clone(), decoded.id.clone())) {
            continue;
        }
        if ledger.apply(&decoded, &mut emitted).is_ok() {
            seen.insert((decoded.source.clone(), decoded.id.clone()));
        }
    }
    let mut actions = BTreeMap::new();
    for e in emitted.iter().filter(|e| e.is_external()) {
        let (key, line) = ledger.action_line(e);
        actions.insert(key, serde_json::from_str(&line).unwrap());
    }
    (ledger, actions)
}

/// Action lines delivered to a file, by key; fails on a torn line or a key delivered twice
/// with different contents.
pub fn delivered(text: &str) -> BTreeMap<String, Value> {
    let mut by_key = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("action line {} is not JSON ({e}): {line}", i + 1));
        let key = value["key"].as_str().unwrap().to_owned();
        if let Some(before) = by_key.insert(key.clone(), value.clone()) {
            assert_eq!(before, value, "key {key} delivered with two contents");
        }
    }
    by_key
}

/// Leads as a store keeps them: without the engine's quiet mark, a cache it never persists.
pub fn as_stored(leads: &[handoff::ledger::Lead]) -> Vec<handoff::ledger::Lead> {
    leads
        .iter()
        .cloned()
        .map(|mut lead| {
            lead.record.state.quiet = 0;
            lead
        })
        .collect()
}

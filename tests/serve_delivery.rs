#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! `handoff serve --deliver`: actions POSTed to a real receiver, signed, retried while it fails,
//! in order per lead, and given up on after the last attempt (shown by `handoff status`).

mod serve_support;

use serde_json::{json, Value};
use serve_support::{hmac_b64, post, store, Receiver, Server};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn events() -> String {
    let lines: Vec<Value> = (0..6)
        .flat_map(|i| {
            let lead = format!("L-{i}");
            [
                json!({"id": format!("c-{i}"), "source": "crm", "type": "handoff.lead.created",
                    "lead": lead, "time": "2026-06-01T09:00:00Z",
                    "data": {"segment": "smb", "region": "amer", "employees": 20}}),
                json!({"id": format!("f-{i}"), "source": "web", "type": "form_submit",
                    "lead": lead, "time": "2026-06-01T09:05:00Z", "data": {"kind": "demo"}}),
                json!({"id": format!("t-{i}"), "source": "crm", "type": "handoff.seller.touch",
                    "lead": lead, "time": "2026-06-01T11:05:00Z", "data": {"outcome": "connect"}}),
            ]
        })
        .collect();
    Value::Array(lines).to_string()
}

fn wait_until(what: &str, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn outbox(store: &std::path::Path) -> Vec<(String, i64, String)> {
    let conn = rusqlite::Connection::open(store).unwrap();
    let mut stmt = conn
        .prepare("SELECT key, lead, line FROM outbox ORDER BY n")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_receiver_that_fails_then_recovers_gets_every_action_signed_and_in_order_per_lead() {
    let (dir, store) = store();
    let receiver = Receiver::start(5);
    let secret_file = dir.path().join("deliver-secret");
    std::fs::write(&secret_file, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let server = Server::start(
        &store,
        &[
            "--deliver",
            &receiver.url(),
            "--deliver-secret-file",
            secret_file.to_str().unwrap(),
            "--deliver-backoff",
            "20",
        ],
    );
    let (status, answer) = post(&server, "/v1/events", &events());
    assert_eq!(status, 200, "{answer}");
    let expected = outbox(&store);
    assert!(expected.len() >= 6, "{expected:?}");
    let delivered = |got: &[serve_support::Received]| {
        let mut keys: BTreeMap<String, String> = BTreeMap::new();
        for r in got {
            keys.insert(r.header("webhook-id").unwrap().to_owned(), r.body.clone());
        }
        keys
    };
    wait_until("every action", || {
        let status = handoff::live::status::status(
            &handoff::live::store::Store::open_read(&store).unwrap(),
            0,
        )
        .unwrap();
        status.undelivered == 0
    });
    let got = receiver.requests();
    assert!(
        got.len() >= expected.len() + 5,
        "the 5 failures were retried"
    );
    let by_key = delivered(&got);
    for (key, _, line) in &expected {
        assert_eq!(by_key.get(key), Some(line), "action {key}");
    }
    use base64::Engine as _;
    let key = base64::engine::general_purpose::STANDARD
        .decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        .unwrap();
    for r in &got {
        let (id, stamp) = (
            r.header("webhook-id").unwrap(),
            r.header("webhook-timestamp").unwrap(),
        );
        let sig = hmac_b64(
            &key,
            &[
                id.as_bytes(),
                b".",
                stamp.as_bytes(),
                b".",
                r.body.as_bytes(),
            ],
        );
        assert_eq!(
            r.header("webhook-signature"),
            Some(format!("v1,{sig}").as_str())
        );
    }
    // In order per lead: a lead's action is first sent only after its earlier one was.
    let first_sent: Vec<&str> = {
        let mut seen = Vec::new();
        for r in &got {
            let id = r.header("webhook-id").unwrap();
            if !seen.contains(&id) {
                seen.push(id);
            }
        }
        seen
    };
    for lead in expected.iter().map(|(_, lead, _)| *lead) {
        let theirs: Vec<&str> = (expected.iter())
            .filter(|(_, l, _)| *l == lead)
            .map(|(k, _, _)| k.as_str())
            .collect();
        let order: Vec<&str> = (first_sent.iter().copied())
            .filter(|k| theirs.contains(k))
            .collect();
        assert_eq!(order, theirs, "lead {lead}");
    }
    assert!(server.terminate().success());
}

#[test]
fn actions_are_given_up_on_after_the_last_attempt_and_status_shows_them() {
    let (_dir, store) = store();
    let receiver = Receiver::start(usize::MAX);
    let server = Server::start(
        &store,
        &[
            "--deliver",
            &receiver.url(),
            "--deliver-max-attempts",
            "2",
            "--deliver-backoff",
            "10",
        ],
    );
    assert_eq!(post(&server, "/v1/events", &events()).0, 200);
    let actions = outbox(&store).len() as u64;
    let read = || {
        let store = handoff::live::store::Store::open_read(&store).unwrap();
        handoff::live::status::status(&store, 0).unwrap()
    };
    wait_until("every action given up on", || {
        read().dead_deliveries == actions
    });
    assert_eq!(read().undelivered, 0);
    assert_eq!(receiver.requests().len() as u64, 2 * actions);
    assert!(server.terminate().success());
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("handoff"))
        .args(["status", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "{actions} given up after the last delivery attempt"
        )),
        "{text}"
    );
}

#[test]
fn a_receiver_slow_for_one_lead_holds_up_only_that_lead() {
    let (_dir, store) = store();
    // Lead numbers start at 0 in the store: keys of the first lead start with `L-0:`.
    let receiver = Receiver::start_slow(0, Some(("L-0:", Duration::from_secs(4))));
    let server = Server::start(&store, &["--deliver", &receiver.url()]);
    let started = Instant::now();
    assert_eq!(post(&server, "/v1/events", &events()).0, 200);
    let others: Vec<String> = (outbox(&store).into_iter())
        .map(|(key, _, _)| key)
        .filter(|k| !k.starts_with("L-0:"))
        .collect();
    assert!(!others.is_empty());
    wait_until("the other leads' actions", || {
        let got = receiver.requests();
        others.iter().all(|k| {
            got.iter()
                .any(|r| r.header("webhook-id") == Some(k.as_str()))
        })
    });
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the other leads waited for the slow one: {:?}",
        started.elapsed()
    );
}

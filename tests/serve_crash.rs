#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! Crash safety of `handoff serve`: concurrent clients post a seeded log in batches while the
//! server is killed with SIGKILL at random moments and restarted on the same store; each client
//! resends a batch until it is answered 2xx. At the end every line answered as accepted or a
//! duplicate is in the store exactly once, the leads equal one uninterrupted run over the lines
//! in the order the store committed them, and the receiver got exactly that run's actions
//! (deduplicated by key).

mod live_support;
mod serve_support;

use handoff::engine::Engine;
use handoff::live::store::Store;
use live_support::{as_stored, reference, seed_log};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use serve_support::{client, Receiver, Server, SEED, TOKEN};
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLIENTS: usize = 4;
const BATCH: usize = 10;
const KILLS: usize = 4;

/// Posts batches from the queue until it is empty, each until it is answered 2xx; returns the
/// `(source, id)` of every line answered accepted or duplicate.
fn post_all(
    queue: &Mutex<VecDeque<Vec<String>>>,
    addr: &Mutex<SocketAddr>,
) -> Vec<(String, String)> {
    let client = client();
    let mut acknowledged = Vec::new();
    loop {
        let Some(batch) = queue.lock().unwrap().pop_front() else {
            return acknowledged;
        };
        let body = batch.join("\n");
        let answer: Value = loop {
            let url = format!("http://{}/v1/events", addr.lock().unwrap());
            let sent = (client.post(&url))
                .bearer_auth(TOKEN)
                .header("content-type", "application/x-ndjson")
                .body(body.clone())
                .send();
            if let Ok(response) = sent {
                if response.status().is_success() {
                    let text = response.text().unwrap_or_default();
                    if let Ok(answer) = serde_json::from_str(&text) {
                        break answer;
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        for result in answer["results"].as_array().unwrap() {
            if result["status"] == "rejected" {
                continue;
            }
            let line: Value =
                serde_json::from_str(&batch[result["index"].as_u64().unwrap() as usize]).unwrap();
            acknowledged.push((
                line["source"].as_str().unwrap().to_owned(),
                line["id"].as_str().unwrap().to_owned(),
            ));
        }
    }
}

#[test]
fn sigkill_under_load_loses_no_answered_event_and_no_action() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let lines = seed_log(23, 300);
    let receiver = Receiver::start(0);
    let args = [
        "--deliver",
        &receiver.url(),
        "--deliver-backoff",
        "20",
        "--batch-wait",
        "5",
    ];
    let args: Vec<&str> = args.iter().map(|a| &**a).collect();
    let mut server = Server::start(&store, &args);
    let addr = Arc::new(Mutex::new(server.addr));
    let queue: Arc<Mutex<VecDeque<Vec<String>>>> = Arc::new(Mutex::new(
        lines.chunks(BATCH).map(<[String]>::to_vec).collect(),
    ));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (queue, addr) = (Arc::clone(&queue), Arc::clone(&addr));
            std::thread::spawn(move || post_all(&queue, &addr))
        })
        .collect();
    let mut rng = StdRng::seed_from_u64(2026);
    for kill in 0..KILLS {
        std::thread::sleep(Duration::from_millis(rng.random_range(50..300)));
        let left = queue.lock().unwrap().len();
        eprintln!("kill {kill}: {left} batches not yet taken");
        assert!(
            kill > 0 || left > 0,
            "the clients finished before the first kill"
        );
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        server = Server::start(&store, &args);
        *addr.lock().unwrap() = server.addr;
    }
    let acknowledged: Vec<(String, String)> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    let read = || {
        let store = Store::open_read(&store).unwrap();
        handoff::live::status::status(&store, 0).unwrap()
    };
    let started = Instant::now();
    while read().undelivered > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "delivery did not finish"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(server.terminate().success());

    let conn = rusqlite::Connection::open(&store).unwrap();
    let mut stmt = conn
        .prepare("SELECT source, id, text FROM inputs ORDER BY n")
        .unwrap();
    let inputs: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let committed: HashSet<(String, String)> = inputs
        .iter()
        .map(|(s, i, _)| (s.clone(), i.clone()))
        .collect();
    assert_eq!(committed.len(), inputs.len(), "a line committed twice");
    for key in &acknowledged {
        assert!(
            committed.contains(key),
            "answered {key:?} is not in the store"
        );
    }

    let text = std::fs::read_to_string(SEED).unwrap();
    let playbook = handoff::check::compile(handoff::span::FileId(0), &text)
        .playbook
        .unwrap();
    let order: Vec<String> = inputs.into_iter().map(|(_, _, text)| text).collect();
    let (expected, expected_actions) = reference(&playbook, &order);
    let stored = Store::open_read(&store)
        .unwrap()
        .load(Engine::new(&playbook).unwrap())
        .unwrap();
    assert_eq!(stored.len(), expected.len());
    for (got, want) in as_stored(stored.leads())
        .iter()
        .zip(as_stored(expected.leads()))
    {
        assert_eq!(got, &want, "lead {}", want.key);
    }
    let mut got: BTreeMap<String, Value> = BTreeMap::new();
    for r in receiver.requests() {
        let value: Value = serde_json::from_str(&r.body).unwrap();
        let key = r.header("webhook-id").unwrap().to_owned();
        if let Some(before) = got.insert(key.clone(), value.clone()) {
            assert_eq!(before, value, "key {key} delivered with two contents");
        }
    }
    let missing: Vec<&String> = expected_actions
        .keys()
        .filter(|k| !got.contains_key(*k))
        .collect();
    let extra: Vec<&String> = got
        .keys()
        .filter(|k| !expected_actions.contains_key(*k))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
    assert_eq!(got, expected_actions);
}

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! How fast `handoff serve` ingests over loopback: `cargo bench --bench serve`.
//!
//! The binary serves `playbooks/seed-matrix.playbook` on a fresh store (`--synchronous full`,
//! `--clock events`); 32 client threads, each with its own keep-alive connection, post batches
//! of 100 lead creations as JSON lines for a bounded time (`HANDOFF_BENCH_SECS`, 10 by default)
//! or until `HANDOFF_BENCH_EVENTS` events (1,000,000 by default) were sent. Printed: events per
//! second answered 2xx, and p50 and p99 of a request's latency (send to answer).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PLAYBOOK: &str = "playbooks/seed-matrix.playbook";
const CLIENTS: u64 = 32;
const BATCH: u64 = 100;
const TOKEN: &str = "bench-token";

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A batch of lead creations, numbered from `first`.
fn batch(first: u64) -> String {
    let regions = ["emea", "amer", "apac"];
    (first..first + BATCH)
        .map(|i| {
            format!(
                r#"{{"id":"c{i}","source":"bench","type":"handoff.lead.created","lead":"L{i}","time":"2026-06-01T09:00:00Z","data":{{"segment":"smb","region":"{}","employees":{}}}}}"#,
                regions[(i % 3) as usize],
                i % 3000
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn main() {
    let secs = setting("HANDOFF_BENCH_SECS", 10);
    let budget = setting("HANDOFF_BENCH_EVENTS", 1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args([
            "serve",
            PLAYBOOK,
            "--listen",
            "127.0.0.1:0",
            "--clock",
            "events",
            "--quiet",
        ])
        .arg("--store")
        .arg(dir.path().join("bench.db"))
        .env("HANDOFF_TOKENS", TOKEN)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(server.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = format!(
        "{}/v1/events",
        first.trim().strip_prefix("listening on ").unwrap()
    );
    let next = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (url, next) = (url.clone(), Arc::clone(&next));
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                let (mut latencies, mut answered) = (Vec::new(), 0u64);
                loop {
                    let first = next.fetch_add(BATCH, Ordering::Relaxed);
                    if first >= budget || Instant::now() >= deadline {
                        return (latencies, answered);
                    }
                    let sent = Instant::now();
                    let response = (client.post(&url))
                        .bearer_auth(TOKEN)
                        .header("content-type", "application/x-ndjson")
                        .body(batch(first))
                        .send()
                        .unwrap();
                    let ok = response.status().is_success();
                    let _ = response.bytes();
                    latencies.push(sent.elapsed());
                    answered += if ok { BATCH } else { 0 };
                }
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut answered = 0;
    for client in clients {
        let (l, a) = client.join().unwrap();
        latencies.extend(l);
        answered += a;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
    println!(
        "serve: {CLIENTS} clients, batches of {BATCH}: {:.0} events/s ({answered} in {elapsed:.1} s); \
         request latency p50 {:.1} ms, p99 {:.1} ms",
        answered as f64 / elapsed,
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    );
}

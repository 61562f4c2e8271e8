#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! How fast `handoff serve` ingests over loopback: `cargo bench --bench serve`.
//!
//! The binary serves `playbooks/seed-matrix.playbook` on a fresh store (`--synchronous full`,
//! `--clock events`); 32 client threads, each with its own keep-alive connection, post batches
//! of 100 lead creations as JSON lines, each phase for a bounded time (`HANDOFF_BENCH_SECS`, 10
//! by default) and at most `HANDOFF_BENCH_EVENTS` events (1,000,000 by default):
//!
//! 1. Throughput: every client sends its next batch as soon as the last is answered; events per
//!    second answered 2xx. With 3,200 events always in flight a request's latency is 3,200
//!    divided by the throughput, so this phase says nothing of latency targets.
//! 2. Latency: the clients together send `HANDOFF_BENCH_RATE` events a second (10,000 by
//!    default), each batch at its scheduled moment; p50 and p99 of a request's latency from its
//!    scheduled moment to its answer (so a stall counts against every batch it delays).

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

/// Sends batches from 32 clients: back to back, or each at its moment when `rate` is given.
/// Returns the events answered 2xx, the seconds taken and every request's latency, sorted.
fn load(url: &str, rate: Option<u64>, first_id: u64) -> (u64, f64, Vec<Duration>) {
    let secs = setting("HANDOFF_BENCH_SECS", 10);
    let budget = setting("HANDOFF_BENCH_EVENTS", 1_000_000);
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    // With a rate, client `c` sends its `k`-th batch at (k * CLIENTS + c) * BATCH / rate.
    let every = rate.map(|r| Duration::from_secs_f64(BATCH as f64 / r as f64));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (url, next) = (url.to_owned(), Arc::clone(&next));
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                let (mut latencies, mut answered) = (Vec::new(), 0u64);
                for k in 0u64.. {
                    let n = next.fetch_add(BATCH, Ordering::Relaxed);
                    let due =
                        every.map_or_else(Instant::now, |e| started + e * (k * CLIENTS + c) as u32);
                    if n >= budget || due >= deadline {
                        break;
                    }
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let response = (client.post(&url))
                        .bearer_auth(TOKEN)
                        .header("content-type", "application/x-ndjson")
                        .body(batch(first_id + n))
                        .send()
                        .unwrap();
                    let ok = response.status().is_success();
                    let _ = response.bytes();
                    latencies.push(due.elapsed());
                    answered += if ok { BATCH } else { 0 };
                }
                (latencies, answered)
            })
        })
        .collect();
    let (mut latencies, mut answered) = (Vec::new(), 0);
    for client in clients {
        let (l, a) = client.join().unwrap();
        latencies.extend(l);
        answered += a;
    }
    latencies.sort();
    (answered, started.elapsed().as_secs_f64(), latencies)
}

fn quantile(sorted: &[Duration], q: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1e3
}

fn main() {
    let rate = setting("HANDOFF_BENCH_RATE", 10_000);
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
    let (answered, secs, latencies) = load(&url, None, 0);
    println!(
        "serve, {CLIENTS} clients back to back, batches of {BATCH}: {:.0} events/s ({answered} in {secs:.1} s); \
         latency p50 {:.1} ms, p99 {:.1} ms",
        answered as f64 / secs,
        quantile(&latencies, 0.50),
        quantile(&latencies, 0.99)
    );
    let (answered, secs, latencies) = load(&url, Some(rate), 1 << 40);
    println!(
        "serve, {CLIENTS} clients at {rate} events/s, batches of {BATCH}: {:.0} events/s answered; \
         latency p50 {:.1} ms, p99 {:.1} ms",
        answered as f64 / secs,
        quantile(&latencies, 0.50),
        quantile(&latencies, 0.99)
    );
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
}

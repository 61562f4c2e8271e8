#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! How fast `handoff run` is, durably: `cargo bench --bench live`.
//!
//! 1. Ingestion: the binary, `--synchronous full`, `--clock events`, reads a file of 100k lead
//!    creations (store fill), then a file of 200k more events over those leads (page views,
//!    form fills that hand leads off, seller pickups and touches) into the filled store; events
//!    per second of the second file, best of the runs.
//! 2. Latency: the binary, wall clock, following standard input with actions to standard
//!    output; a writer sends one lead creation a millisecond (1,000 events/s) and a reader
//!    stamps when each lead's first action line arrives; p50 and p99 of the difference.
//! 3. Bytes of store per lead after ingestion (the file after a WAL checkpoint, divided by the
//!    leads).
//!
//! `HANDOFF_BENCH_LEADS` scales the store (100,000 by default).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PLAYBOOK: &str = "playbooks/seed-matrix.playbook";
/// Monday 1 June 2026, 08:00 UTC.
const T0: i64 = 1_780_300_800;

fn handoff() -> Command {
    Command::new(env!("CARGO_BIN_EXE_handoff"))
}

fn utc(t: i64) -> String {
    handoff::engine::utc(t)
}

/// A xorshift generator: the bench needs spread, not statistics.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn created(i: u64, t: i64, rng: &mut Rng) -> String {
    let segment = ["smb", "mid_market", "enterprise"][rng.below(3) as usize];
    let region = ["emea", "amer", "apac"][rng.below(3) as usize];
    format!(
        r#"{{"id":"c{i}","source":"bench","type":"handoff.lead.created","lead":"L{i}","time":"{}","data":{{"segment":"{segment}","region":"{region}","employees":{},"domain":"d{i}.example","target_account":false}}}}"#,
        utc(t),
        rng.below(3000)
    )
}

fn write_fill(path: &Path, leads: u64) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = String::new();
    for i in 0..leads {
        out.push_str(&created(i, T0 + i as i64, &mut rng));
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

fn write_events(path: &Path, leads: u64, events: u64) {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let start = T0 + leads as i64;
    let mut out = String::new();
    for n in 0..events {
        let lead = rng.below(leads);
        let t = start + (n as i64) * 3;
        let (kind, data) = match rng.below(20) {
            0 => ("form_submit", r#"{"kind":"demo"}"#.to_owned()),
            1 => ("handoff.seller.pickup", "{}".to_owned()),
            2 => (
                "handoff.seller.touch",
                r#"{"outcome":"no_answer"}"#.to_owned(),
            ),
            _ => {
                let category = [
                    "pricing",
                    "demo",
                    "comparison",
                    "integration",
                    "blog",
                    "docs",
                ][rng.below(6) as usize];
                ("page_view", format!(r#"{{"category":"{category}"}}"#))
            }
        };
        out.push_str(&format!(
            r#"{{"id":"e{n}","source":"bench","type":"{kind}","lead":"L{lead}","time":"{}","data":{data}}}"#,
            utc(t)
        ));
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

fn run_file(store: &Path, events: &Path) -> Duration {
    let started = Instant::now();
    let out = handoff()
        .args([
            "run",
            PLAYBOOK,
            "--clock",
            "events",
            "--quiet",
            "--synchronous",
            "full",
        ])
        .arg("--store")
        .arg(store)
        .arg("--events")
        .arg(events)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    started.elapsed()
}

fn store_bytes(store: &Path) -> u64 {
    let conn = rusqlite::Connection::open(store).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    drop(conn);
    std::fs::metadata(store).unwrap().len()
}

fn ingestion(dir: &Path, leads: u64) {
    let (fill, events) = (dir.join("fill.jsonl"), dir.join("events.jsonl"));
    let count = 2 * leads;
    write_fill(&fill, leads);
    write_events(&events, leads, count);
    let mut best = f64::MAX;
    let mut fill_rate = 0.0;
    let mut bytes = (0, 0);
    for round in 0..3 {
        let store = dir.join(format!("ingest{round}.db"));
        let f = run_file(&store, &fill);
        let filled = store_bytes(&store);
        let e = run_file(&store, &events);
        fill_rate = f64::max(fill_rate, leads as f64 / f.as_secs_f64());
        best = best.min(e.as_secs_f64());
        bytes = (filled, store_bytes(&store));
    }
    println!("ingestion, synchronous=FULL, --clock events, {leads} leads:");
    println!("  fill (lead creations):      {fill_rate:>9.0} events/s");
    println!(
        "  {count} events on the filled store: {:>9.0} events/s (best of 3)",
        count as f64 / best
    );
    println!(
        "  store bytes per lead:       {:>9.0} after the fill, {:.0} after the events (input log and outbox included)",
        bytes.0 as f64 / leads as f64,
        bytes.1 as f64 / leads as f64
    );
}

fn latency(dir: &Path) {
    let seconds = 10;
    let rate = 1000;
    let store = dir.join("latency.db");
    let mut child = handoff()
        .args(["run", PLAYBOOK, "--follow", "--quiet", "--actions", "-"])
        .arg("--store")
        .arg(&store)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let total = seconds * rate;
    let reader = std::thread::spawn(move || {
        let mut first = vec![None; total];
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let value: serde_json::Value = serde_json::from_str(&line).unwrap();
            let lead: usize = value["lead"].as_str().unwrap()[1..].parse().unwrap();
            if first[lead].is_none() {
                first[lead] = Some(Instant::now());
                if first.iter().all(Option::is_some) {
                    break;
                }
            }
        }
        first
    });
    let mut rng = Rng(7);
    let mut sent = Vec::with_capacity(total);
    let start = Instant::now();
    for i in 0..total {
        let due = start + Duration::from_micros((i as u64) * 1_000_000 / rate as u64);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let now = chrono::Utc::now().timestamp();
        let line = created(i as u64, now, &mut rng);
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        sent.push(Instant::now());
    }
    let first = reader.join().unwrap();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    drop(stdin);
    child.wait().unwrap();
    let mut ms: Vec<f64> = sent
        .iter()
        .zip(&first)
        .map(|(s, f)| f.unwrap().duration_since(*s).as_secs_f64() * 1000.0)
        .collect();
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q) as usize];
    println!(
        "latency, wall clock, {rate} events/s for {seconds} s, event written to first action read:"
    );
    println!(
        "  p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

fn main() {
    let leads = std::env::var("HANDOFF_BENCH_LEADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    ingestion(dir.path(), leads);
    latency(dir.path());
}

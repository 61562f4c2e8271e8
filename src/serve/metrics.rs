//! `GET /metrics`: counters kept in memory by the server and gauges read from the store, in the
//! Prometheus text format (version 0.0.4).

use crate::live::status::Status;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the commit latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 5.0,
];

/// The server's counters, shared by the handlers, the writer and delivery.
#[derive(Default)]
pub struct Metrics {
    /// Event lines accepted and committed.
    pub accepted: AtomicU64,
    /// Event lines rejected (in dead letters).
    pub rejected: AtomicU64,
    /// Event lines dropped as repeats.
    pub duplicates: AtomicU64,
    /// Requests refused before their lines reached the writer, by why.
    pub refused: Refusals,
    /// Requests waiting for the writer.
    pub writer_queue: AtomicU64,
    /// Actions delivered.
    pub delivered: AtomicU64,
    /// Failed delivery attempts.
    pub delivery_failures: AtomicU64,
    /// Actions given up on.
    pub delivery_dead: AtomicU64,
    commit_buckets: [AtomicU64; BUCKETS.len()],
    commit_count: AtomicU64,
    commit_micros: AtomicU64,
}

/// Requests refused, by why.
#[derive(Default)]
pub struct Refusals {
    /// 401.
    pub unauthorized: AtomicU64,
    /// 413.
    pub too_large: AtomicU64,
    /// 503 for too many requests at once.
    pub overloaded: AtomicU64,
    /// 503 for a request that took too long.
    pub timed_out: AtomicU64,
}

/// Adds one to a counter.
pub fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Metrics {
    /// Records how long one commit took.
    pub fn observe_commit(&self, took: Duration) {
        let secs = took.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.commit_buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.commit_count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.commit_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// The text of `/metrics`: the counters, then the store's gauges as of `status`.
    pub fn render(&self, status: &Status) -> String {
        let mut out = String::new();
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        counter(
            &mut out,
            "handoff_events_total",
            "Event lines received, by what became of them",
            &[
                ("result=\"accepted\"", get(&self.accepted)),
                ("result=\"rejected\"", get(&self.rejected)),
                ("result=\"duplicate\"", get(&self.duplicates)),
            ],
        );
        let r = &self.refused;
        counter(
            &mut out,
            "handoff_requests_refused_total",
            "Requests refused before their lines were read",
            &[
                ("reason=\"unauthorized\"", get(&r.unauthorized)),
                ("reason=\"too_large\"", get(&r.too_large)),
                ("reason=\"overloaded\"", get(&r.overloaded)),
                ("reason=\"timeout\"", get(&r.timed_out)),
            ],
        );
        counter(
            &mut out,
            "handoff_deliveries_total",
            "Action delivery attempts, by result",
            &[
                ("result=\"delivered\"", get(&self.delivered)),
                ("result=\"failed\"", get(&self.delivery_failures)),
                ("result=\"dead\"", get(&self.delivery_dead)),
            ],
        );
        self.render_histogram(&mut out);
        let lag = status.delivery_lag_secs.unwrap_or(0);
        gauge(
            &mut out,
            "handoff_outbox_undelivered",
            "Actions not yet delivered",
            &[("", status.undelivered as f64)],
        );
        gauge(
            &mut out,
            "handoff_outbox_oldest_undelivered_age_seconds",
            "Age of the oldest undelivered action",
            &[("", lag as f64)],
        );
        gauge(
            &mut out,
            "handoff_timers_pending",
            "Timers waiting to fire",
            &[("", status.timers as f64)],
        );
        gauge(
            &mut out,
            "handoff_dead_letters",
            "Event lines in dead letters",
            &[("", status.dead_letters as f64)],
        );
        gauge(
            &mut out,
            "handoff_writer_queue",
            "Requests waiting for the writer",
            &[("", get(&self.writer_queue) as f64)],
        );
        let stages: Vec<(String, f64)> = (status.stages.iter())
            .map(|c| (format!("stage=\"{}\"", escape(&c.name)), c.count as f64))
            .collect();
        gauge_owned(&mut out, "handoff_leads", "Leads by stage", &stages);
        let queues: Vec<(String, f64)> = (status.queues.iter())
            .map(|c| (format!("queue=\"{}\"", escape(&c.name)), c.count as f64))
            .collect();
        gauge_owned(
            &mut out,
            "handoff_queue_length",
            "Leads waiting for a first touch, by queue",
            &queues,
        );
        out
    }

    fn render_histogram(&self, out: &mut String) {
        let name = "handoff_commit_duration_seconds";
        let _ = writeln!(out, "# HELP {name} Time to commit one batch of lines");
        let _ = writeln!(out, "# TYPE {name} histogram");
        for (bound, bucket) in BUCKETS.iter().zip(&self.commit_buckets) {
            let n = bucket.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {n}");
        }
        let count = self.commit_count.load(Ordering::Relaxed);
        let sum = self.commit_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {count}");
    }
}

fn counter(out: &mut String, name: &str, help: &str, series: &[(&str, u64)]) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} counter");
    for (labels, value) in series {
        let _ = writeln!(out, "{name}{{{labels}}} {value}");
    }
}

fn gauge(out: &mut String, name: &str, help: &str, series: &[(&str, f64)]) {
    let owned: Vec<(String, f64)> = series.iter().map(|(l, v)| ((*l).to_owned(), *v)).collect();
    gauge_owned(out, name, help, &owned);
}

fn gauge_owned(out: &mut String, name: &str, help: &str, series: &[(String, f64)]) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
    for (labels, value) in series {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {value}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    }
}

/// A label value as the text format quotes it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

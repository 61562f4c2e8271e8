//! Delivery: actions from the outbox POSTed to `--deliver URL`, one action a request, signed
//! with Standard Webhooks headers (`webhook-id` is the action's idempotency key, the same on
//! every retry). A failed attempt is retried after an exponential backoff with full jitter; a
//! lead's later actions wait until its earlier one is delivered or given up on, while other
//! leads go on, up to 64 attempts at once. Attempts are kept in the store through the writer
//! (docs/serve.md).

use super::auth::Secret;
use super::metrics::{bump, Metrics};
use super::outbox::{now_ms, Attempt, AttemptResult, Pending};
use super::writer::{DeliveryJob, Job};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{oneshot, watch, Notify};
use tokio::task::JoinSet;

/// Where and how actions are delivered.
#[derive(Clone)]
pub struct DeliveryOptions {
    /// The receiver.
    pub url: String,
    /// Signs each request; unsigned without one.
    pub secret: Option<Secret>,
    /// Attempts before an action is given up on.
    pub max_attempts: u32,
    /// The first retry's longest wait; each further retry doubles it.
    pub backoff: Duration,
    /// The longest wait between attempts.
    pub backoff_cap: Duration,
    /// How long one attempt may take.
    pub timeout: Duration,
}

/// What delivery shares with the server.
pub struct Channels {
    /// The writer's jobs.
    pub jobs: Sender<Job>,
    /// Told after every commit.
    pub committed: Arc<Notify>,
    /// Set when the server stops.
    pub stop: watch::Receiver<bool>,
    /// Counters.
    pub metrics: Arc<Metrics>,
}

/// Delivers until told to stop, then lets the attempts under way finish.
pub async fn run(options: DeliveryOptions, mut channels: Channels) {
    let client = match reqwest::Client::builder().timeout(options.timeout).build() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: cannot start delivery: {e}");
            return;
        }
    };
    let options = Arc::new(options);
    let mut flight = Flight::default();
    while !*channels.stop.borrow() {
        let busy = flight.leads.clone();
        let due = match ask(&channels.jobs, |reply| DeliveryJob::Due(busy, reply)).await {
            Ok(due) => due,
            Err(e) => {
                eprintln!("error: delivery cannot read the outbox: {e}");
                return;
            }
        };
        for pending in due.actions {
            flight.start(&client, &options, pending);
        }
        // Each attempt that ends frees its lead at once, so one slow receiver answer holds up
        // only its own lead.
        let done = tokio::select! {
            done = flight.finished() => done,
            () = wait(&mut channels, due.next_try) => Vec::new(),
        };
        if !record(&channels, done).await {
            return;
        }
    }
    // Stopping: the attempts under way finish and are recorded.
    while !flight.set.is_empty() {
        let done = flight.finished().await;
        if !record(&channels, done).await {
            return;
        }
    }
}

/// The attempts under way, and the leads they are for.
#[derive(Default)]
struct Flight {
    set: JoinSet<(i64, Attempt)>,
    leads: HashSet<i64>,
}

impl Flight {
    fn start(&mut self, client: &reqwest::Client, options: &Arc<DeliveryOptions>, p: Pending) {
        if self.set.len() >= IN_FLIGHT || !self.leads.insert(p.lead) {
            return;
        }
        let (client, options) = (client.clone(), Arc::clone(options));
        self.set
            .spawn(async move { (p.lead, attempt(&client, &options, p).await) });
    }

    /// Waits for at least one attempt to end (for ever when none is under way) and takes every
    /// one that has.
    async fn finished(&mut self) -> Vec<Attempt> {
        let Some(first) = self.set.join_next().await else {
            return std::future::pending().await;
        };
        let mut done = Vec::new();
        let mut next = Some(first);
        while let Some(joined) = next {
            if let Ok((lead, attempt)) = joined {
                self.leads.remove(&lead);
                done.push(attempt);
            }
            next = self.set.try_join_next();
        }
        done
    }
}

/// Most attempts under way at once.
const IN_FLIGHT: usize = 64;

/// Counts and records finished attempts; false when the writer is gone.
async fn record(channels: &Channels, done: Vec<Attempt>) -> bool {
    if done.is_empty() {
        return true;
    }
    for attempt in &done {
        let metrics = &channels.metrics;
        match &attempt.result {
            AttemptResult::Delivered => bump(&metrics.delivered),
            AttemptResult::Retry(..) => bump(&metrics.delivery_failures),
            AttemptResult::Dead(..) => {
                bump(&metrics.delivery_failures);
                bump(&metrics.delivery_dead);
            }
        }
    }
    match ask(&channels.jobs, |reply| DeliveryJob::Record(done, reply)).await {
        Ok(()) => true,
        Err(e) => {
            eprintln!("error: delivery cannot record its attempts: {e}");
            false
        }
    }
}

/// Waits for a commit, the next retry (at most a second) or the stop.
async fn wait(channels: &mut Channels, next_try: Option<i64>) {
    let millis = next_try.map_or(1000, |t| (t - now_ms()).clamp(0, 1000));
    let pause = Duration::from_millis(u64::try_from(millis).unwrap_or(0));
    tokio::select! {
        () = channels.committed.notified() => {}
        () = tokio::time::sleep(pause) => {}
        _ = channels.stop.changed() => {}
    }
}

/// Asks the writer and waits for its answer.
async fn ask<T>(
    jobs: &Sender<Job>,
    job: impl FnOnce(oneshot::Sender<Result<T, String>>) -> DeliveryJob,
) -> Result<T, String> {
    let (reply, answer) = oneshot::channel();
    jobs.send(Job::Delivery(job(reply)))
        .map_err(|_| "the writer stopped".to_owned())?;
    answer.await.map_err(|_| "the writer stopped".to_owned())?
}

/// POSTs one action and says what came of it.
async fn attempt(client: &reqwest::Client, options: &DeliveryOptions, p: Pending) -> Attempt {
    let stamp = chrono::Utc::now().timestamp();
    let mut request = (client.post(&options.url))
        .header("content-type", "application/json")
        .header("webhook-id", &p.key)
        .header("webhook-timestamp", stamp.to_string());
    if let Some(secret) = &options.secret {
        let signature = secret.webhook_signature(&p.key, stamp, p.line.as_bytes());
        request = request.header("webhook-signature", signature);
    }
    let failure = match request.body(p.line.clone()).send().await {
        Ok(response) if response.status().is_success() => None,
        Ok(response) => Some(format!("the receiver answered {}", response.status())),
        Err(e) => Some(format!("cannot reach the receiver: {e}")),
    };
    let attempts = p.attempts.saturating_add(1);
    let result = match failure {
        None => AttemptResult::Delivered,
        Some(why) if attempts >= options.max_attempts => AttemptResult::Dead(why),
        Some(why) => AttemptResult::Retry(now_ms() + backoff(options, p.n, attempts), why),
    };
    Attempt {
        n: p.n,
        attempts,
        result,
    }
}

/// Milliseconds to wait after the `attempts`-th failure: uniform in zero to the base doubled
/// per attempt, capped (full jitter), drawn from a generator seeded by the action and attempt,
/// which spreads the retries of different actions without a generator shared across tasks.
fn backoff(options: &DeliveryOptions, n: i64, attempts: u32) -> i64 {
    let base = u64::try_from(options.backoff.as_millis()).unwrap_or(u64::MAX);
    let cap = u64::try_from(options.backoff_cap.as_millis()).unwrap_or(u64::MAX);
    let ceiling = base
        .saturating_mul(1u64 << attempts.saturating_sub(1).min(40))
        .min(cap);
    let seed = (n as u64).rotate_left(32) ^ u64::from(attempts);
    let wait = StdRng::seed_from_u64(seed).random_range(0..=ceiling);
    i64::try_from(wait).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_below_it() {
        let options = DeliveryOptions {
            url: String::new(),
            secret: None,
            max_attempts: 8,
            backoff: Duration::from_millis(100),
            backoff_cap: Duration::from_millis(1000),
            timeout: Duration::from_secs(1),
        };
        for attempts in 1..=8 {
            let ceiling = (100i64 << (attempts - 1)).min(1000);
            for n in 0..50 {
                let wait = backoff(&options, n, attempts);
                assert!((0..=ceiling).contains(&wait), "{attempts}: {wait}");
            }
        }
        assert_eq!(backoff(&options, 7, 3), backoff(&options, 7, 3));
    }
}

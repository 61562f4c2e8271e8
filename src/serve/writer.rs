//! The writer: one thread owns the deployment (store and ledger), as `handoff run`'s loop does.
//! Handlers send it their lines over a channel with a reply; it commits the lines of every
//! request that arrives within the batch wait in one transaction (group commit) and answers each
//! request only once its lines are committed. Between requests it fires timers by the wall
//! clock and keeps delivery's bookkeeping.

use super::metrics::Metrics;
use super::outbox::{self, Attempt, Due};
use crate::live::deployment::{Deployment, Line, Outcome};
use crate::live::{Clock, RunError};
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, Notify};

/// What a handler or delivery asks of the writer.
pub enum Job {
    /// Commit these lines; the reply has one outcome a line.
    Lines(Vec<Line>, oneshot::Sender<Result<Vec<Outcome>, String>>),
    /// Delivery's bookkeeping.
    Delivery(DeliveryJob),
}

/// What delivery asks of the store.
pub enum DeliveryJob {
    /// The actions due for delivery now, at most one a lead, none of the leads given (their
    /// attempts are under way).
    Due(HashSet<i64>, oneshot::Sender<Result<Due, String>>),
    /// Record delivery attempts.
    Record(Vec<Attempt>, oneshot::Sender<Result<(), String>>),
}

/// How the writer batches.
pub struct Batching {
    /// Most lines in one transaction.
    pub lines: usize,
    /// Longest the first request of a batch waits for others.
    pub wait: Duration,
}

/// Runs the writer until every sender is dropped; returns the store's failure if it had one.
pub fn run(
    mut deployment: Deployment,
    jobs: &Receiver<Job>,
    batching: &Batching,
    metrics: &Metrics,
    committed: &Arc<Notify>,
) -> Result<Deployment, RunError> {
    loop {
        let wait = timer_wait(&deployment);
        let job = match jobs.recv_timeout(wait) {
            Ok(job) => job,
            Err(RecvTimeoutError::Timeout) => {
                if deployment.commit(&[], true)?.is_some() {
                    committed.notify_one();
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return Ok(deployment),
        };
        match job {
            Job::Lines(lines, reply) => {
                let group = gather(jobs, (lines, reply), batching, &mut deployment);
                commit_group(&mut deployment, group, metrics)?;
                committed.notify_one();
            }
            Job::Delivery(job) => serve_delivery(&mut deployment, job),
        }
    }
}

/// How long the writer may wait for work: in wall time until the next timer is due, at most a
/// second; with event times timers fire only as events pass them, so there is nothing to wake for.
fn timer_wait(deployment: &Deployment) -> Duration {
    let now = crate::live::deployment::wall_now();
    match (deployment.clock(), deployment.ledger().next_due()) {
        (Clock::Wall, Some(due)) => {
            Duration::from_secs(u64::try_from((due - now).clamp(0, 1)).unwrap_or(0))
        }
        _ => Duration::from_secs(1),
    }
}

type Request = (Vec<Line>, oneshot::Sender<Result<Vec<Outcome>, String>>);

/// Takes the requests that arrive within the batch wait, up to the batch's lines; delivery's
/// jobs that arrive meanwhile are served at once.
fn gather(
    jobs: &Receiver<Job>,
    first: Request,
    batching: &Batching,
    deployment: &mut Deployment,
) -> Vec<Request> {
    let started = Instant::now();
    let mut total = first.0.len();
    let mut group = vec![first];
    while total < batching.lines {
        let left = batching.wait.saturating_sub(started.elapsed());
        match jobs.recv_timeout(left) {
            Ok(Job::Lines(lines, reply)) => {
                total += lines.len();
                group.push((lines, reply));
            }
            Ok(Job::Delivery(job)) => serve_delivery(deployment, job),
            Err(_) => break,
        }
    }
    group
}

/// Commits the lines of a group of requests in one transaction and answers each request.
fn commit_group(
    deployment: &mut Deployment,
    group: Vec<Request>,
    metrics: &Metrics,
) -> Result<(), RunError> {
    let sizes: Vec<usize> = group.iter().map(|(lines, _)| lines.len()).collect();
    let (lines, replies): (Vec<Vec<Line>>, Vec<_>) = group.into_iter().unzip();
    let all: Vec<Line> = lines.into_iter().flatten().collect();
    metrics
        .writer_queue
        .fetch_sub(replies.len() as u64, Ordering::Relaxed);
    let started = Instant::now();
    let outcomes = match deployment.commit(&all, true) {
        Ok(outcomes) => outcomes.unwrap_or_default(),
        Err(e) => {
            for reply in replies {
                let _ = reply.send(Err(e.to_string()));
            }
            return Err(e);
        }
    };
    metrics.observe_commit(started.elapsed());
    count(metrics, &outcomes);
    let mut rest = outcomes.into_iter();
    for (size, reply) in sizes.into_iter().zip(replies) {
        let mine: Vec<Outcome> = rest.by_ref().take(size).collect();
        // A client that went away still had its lines committed.
        let _ = reply.send(Ok(mine));
    }
    Ok(())
}

fn count(metrics: &Metrics, outcomes: &[Outcome]) {
    for outcome in outcomes {
        let counter = match outcome {
            Outcome::Accepted => &metrics.accepted,
            Outcome::Duplicate => &metrics.duplicates,
            Outcome::Rejected(_) => &metrics.rejected,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Delivery's bookkeeping, in the writer's connection.
fn serve_delivery(deployment: &mut Deployment, job: DeliveryJob) {
    let store = deployment.store_mut();
    match job {
        DeliveryJob::Due(busy, reply) => {
            let due = outbox::due(store, outbox::now_ms(), &busy);
            let _ = reply.send(due.map_err(|e| e.to_string()));
        }
        DeliveryJob::Record(attempts, reply) => {
            let _ = reply.send(outbox::record(store, &attempts).map_err(|e| e.to_string()));
        }
    }
}

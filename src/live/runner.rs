//! The runner: reads event lines, applies them to the ledger in batches, commits each batch as
//! one transaction (group commit: many lines per fsync, with a bounded wait), fires timers as
//! the clock passes them, and hands the outbox to the relay after every commit.

use super::deployment::{wall_now, DeployOptions, Deployment, Line};
use super::input::{self, Message, Source};
use super::relay::Sink;
use super::store::{Durability, StoreError};
use crate::engine::Renames;
use crate::ir::Playbook;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What time means to the runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The wall clock: timers fire when they are due, an event from the future is applied at
    /// the moment it is read.
    Wall,
    /// Event times: the clock moves to each event's time, and timers fire only as events pass
    /// them (backfills, tests).
    Events,
}

/// Everything `handoff run` is told.
pub struct RunOptions {
    /// The store file.
    pub store: PathBuf,
    /// Where event lines come from.
    pub events: Source,
    /// Keep reading as the source grows (a file) or after it ends (timers go on firing).
    pub follow: bool,
    /// Where actions are delivered; without one they wait in the outbox.
    pub actions: Option<Sink>,
    /// What time means.
    pub clock: Clock,
    /// How hard a commit waits for the disk.
    pub durability: Durability,
    /// Most lines in one transaction.
    pub batch_lines: usize,
    /// Longest a line waits for its batch to fill before the batch commits.
    pub batch_wait: Duration,
    /// Renames for carrying leads over to a changed playbook (`--map`).
    pub renames: Renames,
}

/// What a run did, printed when it stops.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Lines read.
    pub lines: u64,
    /// Lines applied and committed.
    pub accepted: u64,
    /// Of those, applied at the lead's current time because they were older than its last step.
    pub late: u64,
    /// Of those, ignored by the engine (they did not fit the lead's stage).
    pub ignored: u64,
    /// Lines whose `(source, id)` was accepted before, dropped.
    pub duplicates: u64,
    /// Lines put in dead letters.
    pub dead: u64,
    /// Actions put in the outbox.
    pub actions: u64,
    /// Actions delivered to the sink.
    pub delivered: u64,
    /// Transactions committed.
    pub commits: u64,
    /// Stopped by SIGTERM or SIGINT.
    pub interrupted: bool,
    /// When the run carried the store's leads over to a changed playbook: what they start
    /// afresh with.
    pub deployed: Option<Vec<String>>,
}

/// Why the runner stopped with an error (exit 2).
#[derive(Debug)]
pub enum RunError {
    /// The store failed.
    Store(StoreError),
    /// Reading events or writing actions failed.
    Io(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Store(e) => e.fmt(f),
            RunError::Io(e) => f.write_str(e),
        }
    }
}

impl From<StoreError> for RunError {
    fn from(e: StoreError) -> Self {
        RunError::Store(e)
    }
}

/// Runs `playbook` on the store until the input ends (or, following, until `stop` is set).
pub fn run(
    playbook: &Playbook,
    mut options: RunOptions,
    stop: Arc<AtomicBool>,
) -> Result<RunReport, RunError> {
    let deploy = DeployOptions {
        store: options.store.clone(),
        clock: options.clock,
        durability: options.durability,
        renames: std::mem::take(&mut options.renames),
        input_key: input_key(&options.events),
    };
    let mut runner = Deployment::open(playbook, &deploy)?;
    let mut sink = options.actions.take();
    let start = runner.resume_at()?;
    let lines = input::spawn(options.events.clone(), start, options.follow);
    // Actions committed by an earlier run that stopped before delivering them go out first.
    runner.deliver(sink.as_mut())?;
    let mut ended = false;
    while !stop.load(Ordering::Relaxed) && (!ended || options.follow) {
        let (batch, end) = collect(&lines, &options, &runner, ended)?;
        ended |= end;
        // A full batch leaves lines waiting: the clock catches up with them before it moves to
        // the wall clock.
        let caught_up = batch.len() < options.batch_lines;
        if runner.commit(&batch, caught_up)?.is_some() {
            runner.deliver(sink.as_mut())?;
        }
    }
    let mut report = runner.into_report();
    report.interrupted = stop.load(Ordering::Relaxed);
    Ok(report)
}

/// The meta key a file's read position is kept under; standard input cannot be resumed.
fn input_key(events: &Source) -> Option<String> {
    match events {
        Source::File(path) => Some(format!(
            "input:{}",
            std::fs::canonicalize(path)
                .unwrap_or_else(|_| path.clone())
                .display()
        )),
        Source::Stdin => None,
    }
}

/// Gathers one batch: waits for a first line (no longer than the next timer in wall time, and
/// never long enough to miss a stop), then takes what else arrives within the batch wait.
fn collect(
    lines: &Receiver<Message>,
    options: &RunOptions,
    runner: &Deployment,
    ended: bool,
) -> Result<(Vec<Line>, bool), RunError> {
    let mut batch = Vec::new();
    if ended {
        std::thread::sleep(Duration::from_millis(50));
        return Ok((batch, true));
    }
    let first_wait = match (options.clock, runner.ledger().next_due()) {
        (Clock::Wall, Some(due)) => {
            let secs = (due - wall_now()).clamp(0, 1);
            Duration::from_secs(u64::try_from(secs).unwrap_or(0))
        }
        _ => Duration::from_millis(200),
    };
    // The batch wait runs from the first line's arrival.
    let mut started = None;
    let mut wait = first_wait;
    loop {
        match lines.recv_timeout(wait) {
            Ok(Message::Line {
                text,
                number,
                after,
            }) => {
                batch.push(Line {
                    text,
                    number,
                    after: Some(after),
                });
                started.get_or_insert_with(Instant::now);
            }
            Ok(Message::End) | Err(RecvTimeoutError::Disconnected) => return Ok((batch, true)),
            Ok(Message::Failed(e)) => return Err(RunError::Io(e)),
            Err(RecvTimeoutError::Timeout) => return Ok((batch, false)),
        }
        if batch.len() >= options.batch_lines {
            return Ok((batch, false));
        }
        let waited = started.map_or(Duration::ZERO, |s| s.elapsed());
        wait = options.batch_wait.saturating_sub(waited);
    }
}

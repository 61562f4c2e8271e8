//! The runner: reads event lines, applies them to the ledger in batches, commits each batch as
//! one transaction (group commit: many lines per fsync, with a bounded wait), fires timers as
//! the clock passes them, and hands the outbox to the relay after every commit.

use super::input::{self, Message, Position, Source};
use super::relay::{relay, Sink};
use super::store::{Checkpointer, Durability, Store, StoreError};
use crate::calendar::Timestamp;
use crate::engine::{Engine, Renames, Step};
use crate::events::decode_line;
use crate::ir::Playbook;
use crate::ledger::{Emitted, Ledger};
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

/// A running deployment: the store, the ledger in memory and the version it runs.
struct Runner {
    /// The playbook lines are decoded against.
    playbook: Playbook,
    store: Store,
    /// Copies the log back into the store beside the runner's commits.
    _checkpointer: Checkpointer,
    ledger: Ledger,
    version: i64,
    clock: Clock,
    input_key: Option<String>,
    report: RunReport,
}

/// Runs `playbook` on the store until the input ends (or, following, until `stop` is set).
pub fn run(
    playbook: &Playbook,
    mut options: RunOptions,
    stop: Arc<AtomicBool>,
) -> Result<RunReport, RunError> {
    let mut runner = Runner::open(playbook, &options)?;
    let mut sink = options.actions.take();
    let start = match &runner.input_key {
        Some(key) => runner
            .store
            .meta(key)?
            .map_or_else(Position::default, |m| Position::from_meta(&m)),
        None => Position::default(),
    };
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
        if runner.commit(batch, caught_up)? {
            runner.deliver(sink.as_mut())?;
        }
    }
    runner.report.interrupted = stop.load(Ordering::Relaxed);
    Ok(runner.report)
}

/// A line read: its text, its number and where the next line starts.
type Read = (Result<String, String>, usize, Position);

/// Gathers one batch: waits for a first line (no longer than the next timer in wall time, and
/// never long enough to miss a stop), then takes what else arrives within the batch wait.
fn collect(
    lines: &Receiver<Message>,
    options: &RunOptions,
    runner: &Runner,
    ended: bool,
) -> Result<(Vec<Read>, bool), RunError> {
    let mut batch = Vec::new();
    if ended {
        std::thread::sleep(Duration::from_millis(50));
        return Ok((batch, true));
    }
    let first_wait = match (options.clock, runner.ledger.next_due()) {
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
                batch.push((text, number, after));
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

/// Seconds since the epoch by the wall clock.
fn wall_now() -> Timestamp {
    chrono::Utc::now().timestamp()
}

impl Runner {
    /// Relays the undelivered actions to the sink, if there is one.
    fn deliver(&mut self, sink: Option<&mut Sink>) -> Result<(), RunError> {
        if let Some(sink) = sink {
            self.report.delivered +=
                relay(&mut self.store, sink).map_err(|e| RunError::Io(e.to_string()))?;
        }
        Ok(())
    }

    fn open(playbook: &Playbook, options: &RunOptions) -> Result<Runner, RunError> {
        let mut store = Store::open(&options.store, options.durability)?;
        let engine = Engine::new(playbook).map_err(|e| RunError::Io(e.to_string()))?;
        let notes = super::deploy::prepare(&mut store, playbook, &options.renames, wall_now())?;
        let ledger = store.load(engine)?;
        let version = {
            let mut batch = store.batch(0)?;
            let version = batch.deploy(playbook, wall_now())?;
            batch.set_meta("version", &version.to_string())?;
            batch.commit()?;
            version
        };
        let input_key = match &options.events {
            Source::File(path) => Some(format!(
                "input:{}",
                std::fs::canonicalize(path)
                    .unwrap_or_else(|_| path.clone())
                    .display()
            )),
            Source::Stdin => None,
        };
        Ok(Runner {
            playbook: playbook.clone(),
            _checkpointer: Checkpointer::start(&options.store)?,
            store,
            ledger,
            version,
            clock: options.clock,
            input_key,
            report: RunReport {
                deployed: notes.map(|notes| notes.iter().map(ToString::to_string).collect()),
                ..RunReport::default()
            },
        })
    }

    /// Applies a batch in one transaction; in wall time, once the input is caught up, then fires
    /// the timers due by now (a backlog read after downtime is applied in its own time order,
    /// timers interleaved, before the clock jumps to now). Returns whether anything was
    /// committed.
    fn commit(&mut self, lines: Vec<Read>, caught_up: bool) -> Result<bool, RunError> {
        let now = wall_now();
        let timers_due =
            self.clock == Clock::Wall && self.ledger.next_due().is_some_and(|due| due <= now);
        if lines.is_empty() && !timers_due {
            return Ok(false);
        }
        let playbook = &self.playbook;
        let mut emitted: Vec<Emitted> = Vec::new();
        let batch = self.store.batch(self.version)?;
        let mut position = None;
        for (text, number, after) in &lines {
            position = Some(*after);
            self.report.lines += 1;
            let text = match text {
                Ok(text) => text,
                Err(replaced) => {
                    let why = format!("line {number}: the line is not UTF-8 text");
                    batch.dead_letter(Some(*number), now, replaced, &why)?;
                    self.report.dead += 1;
                    continue;
                }
            };
            let mut decoded = match decode_line(playbook, *number, text) {
                Ok(decoded) => decoded,
                Err(e) => {
                    batch.dead_letter(Some(*number), now, text, &e.to_string())?;
                    self.report.dead += 1;
                    continue;
                }
            };
            if batch.seen(&decoded.source, &decoded.id)? {
                self.report.duplicates += 1;
                continue;
            }
            if self.clock == Clock::Wall {
                decoded.time = decoded.time.min(now);
            }
            let before = emitted.len();
            match self.ledger.apply(&decoded, &mut emitted) {
                Ok(accepted) => {
                    let own = (emitted.iter().skip(before))
                        .filter(|e| Some(e.lead) == accepted.lead && e.step == accepted.step)
                        .count();
                    batch.accept(Some(*number), &decoded, text, &accepted, own)?;
                    self.report.accepted += 1;
                    self.report.late += u64::from(accepted.late);
                    self.report.ignored += u64::from(accepted.outcome != Step::Applied);
                }
                Err(refusal) => {
                    let message = format!("line {number}: `lead`: {}", refusal.message());
                    batch.dead_letter(Some(*number), now, text, &message)?;
                    self.report.dead += 1;
                }
            }
        }
        if self.clock == Clock::Wall && caught_up {
            self.ledger.advance(now, &mut emitted);
        }
        batch.emit(&self.ledger, &emitted)?;
        self.report.actions += emitted.iter().filter(|e| e.is_external()).count() as u64;
        let changed = self.ledger.take_changed();
        batch.save(&self.ledger, &changed)?;
        if let Some(clock) = self.ledger.clock() {
            batch.set_meta("clock", &clock.to_string())?;
        }
        let routing = serde_json::to_string(&self.ledger.routing_snapshot()).unwrap_or_default();
        batch.set_meta("routing", &routing)?;
        if let (Some(key), Some(position)) = (&self.input_key, position) {
            batch.set_meta(key, &position.to_meta())?;
        }
        batch.commit()?;
        self.report.commits += 1;
        Ok(true)
    }
}

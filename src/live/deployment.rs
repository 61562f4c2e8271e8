//! One deployment of a playbook on a store: the store, the ledger in memory and the version it
//! runs, and the one commit path every front end shares. `handoff run` feeds it lines read from
//! a file, `handoff serve` lines posted over HTTP; both commit through [`Deployment::commit`].

use super::input::{Position, Unreadable};
use super::relay::{relay, Sink};
use super::runner::{Clock, RunError, RunReport};
use super::store::{Checkpointer, Durability, Store};
use crate::calendar::Timestamp;
use crate::engine::{Engine, Renames, Step};
use crate::events::decode_line;
use crate::ir::Playbook;
use crate::ledger::{Emitted, Ledger};
use std::path::PathBuf;

/// How a deployment is opened.
pub struct DeployOptions {
    /// The store file.
    pub store: PathBuf,
    /// What time means.
    pub clock: Clock,
    /// How hard a commit waits for the disk.
    pub durability: Durability,
    /// Renames for carrying leads over to a changed playbook (`--map`).
    pub renames: Renames,
    /// The meta key under which the position in the input is kept with each commit, for an
    /// input that can be resumed (a file); `None` for one that cannot.
    pub input_key: Option<String>,
}

/// One line handed to [`Deployment::commit`].
#[derive(Debug, Clone)]
pub struct Line {
    /// The line's text, or what its dead letter records when it cannot be decoded (bytes that
    /// are not UTF-8, an adapter's payload without what every event needs).
    pub text: Result<String, Unreadable>,
    /// Its number in its input (in a request, from 1), for messages and the input log.
    pub number: usize,
    /// Where the input resumes after it, for a resumable input.
    pub after: Option<Position>,
}

/// What became of one line of a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Applied and committed.
    Accepted,
    /// Its `(source, id)` was accepted before; dropped.
    Duplicate,
    /// Put in dead letters, with why.
    Rejected(String),
}

/// A running deployment: the store, the ledger in memory and the version it runs.
pub struct Deployment {
    /// The playbook lines are decoded against.
    playbook: Playbook,
    store: Store,
    /// Copies the log back into the store beside the deployment's commits.
    _checkpointer: Checkpointer,
    ledger: Ledger,
    version: i64,
    clock: Clock,
    input_key: Option<String>,
    report: RunReport,
}

/// Seconds since the epoch by the wall clock.
pub fn wall_now() -> Timestamp {
    chrono::Utc::now().timestamp()
}

impl Deployment {
    /// Opens the store, carries its leads over to `playbook` when it changed, loads the ledger
    /// and records the version deployed.
    pub fn open(playbook: &Playbook, options: &DeployOptions) -> Result<Deployment, RunError> {
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
        Ok(Deployment {
            playbook: playbook.clone(),
            _checkpointer: Checkpointer::start(&options.store)?,
            store,
            ledger,
            version,
            clock: options.clock,
            input_key: options.input_key.clone(),
            report: RunReport {
                deployed: notes.map(|notes| notes.iter().map(ToString::to_string).collect()),
                ..RunReport::default()
            },
        })
    }

    /// Where the resumable input stopped at the last commit.
    pub fn resume_at(&self) -> Result<Position, RunError> {
        Ok(match &self.input_key {
            Some(key) => {
                (self.store.meta(key)?).map_or_else(Position::default, |m| Position::from_meta(&m))
            }
            None => Position::default(),
        })
    }

    /// What time means to this deployment.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// The ledger, for the next timer and the counts metrics show.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The store, for delivery's bookkeeping between commits.
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// What the deployment did so far.
    pub fn report(&self) -> &RunReport {
        &self.report
    }

    /// What the deployment did, when it stops.
    pub fn into_report(self) -> RunReport {
        self.report
    }

    /// Relays the undelivered actions to the sink, if there is one.
    pub fn deliver(&mut self, sink: Option<&mut Sink>) -> Result<(), RunError> {
        if let Some(sink) = sink {
            self.report.delivered +=
                relay(&mut self.store, sink).map_err(|e| RunError::Io(e.to_string()))?;
        }
        Ok(())
    }

    /// Applies a batch in one transaction; in wall time, once the input is caught up, then fires
    /// the timers due by now (a backlog read after downtime is applied in its own time order,
    /// timers interleaved, before the clock jumps to now). Returns what became of each line, or
    /// `None` when there was nothing to commit.
    pub fn commit(
        &mut self,
        lines: &[Line],
        caught_up: bool,
    ) -> Result<Option<Vec<Outcome>>, RunError> {
        let now = wall_now();
        let timers_due =
            self.clock == Clock::Wall && self.ledger.next_due().is_some_and(|due| due <= now);
        if lines.is_empty() && !timers_due {
            return Ok(None);
        }
        let mut emitted: Vec<Emitted> = Vec::new();
        let mut outcomes = Vec::with_capacity(lines.len());
        let batch = self.store.batch(self.version)?;
        let mut position = None;
        for line in lines {
            position = line.after.or(position);
            self.report.lines += 1;
            let outcome = apply_line(
                &self.playbook,
                &mut self.ledger,
                &batch,
                &mut self.report,
                &mut emitted,
                line,
                (self.clock, now),
            )?;
            outcomes.push(outcome);
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
        Ok(Some(outcomes))
    }
}

/// Decodes one line and applies it to the ledger inside the open batch: accepted, a duplicate,
/// or a dead letter with why.
fn apply_line(
    playbook: &Playbook,
    ledger: &mut Ledger,
    batch: &super::store::Batch<'_>,
    report: &mut RunReport,
    emitted: &mut Vec<Emitted>,
    line: &Line,
    (clock, now): (Clock, Timestamp),
) -> Result<Outcome, RunError> {
    let number = line.number;
    let text = match &line.text {
        Ok(text) => text,
        Err(unreadable) => {
            let why = format!("line {number}: {}", unreadable.why);
            batch.dead_letter(Some(number), now, &unreadable.text, &why)?;
            report.dead += 1;
            return Ok(Outcome::Rejected(why));
        }
    };
    let mut decoded = match decode_line(playbook, number, text) {
        Ok(decoded) => decoded,
        Err(e) => {
            let why = e.to_string();
            batch.dead_letter(Some(number), now, text, &why)?;
            report.dead += 1;
            return Ok(Outcome::Rejected(why));
        }
    };
    if batch.seen(&decoded.source, &decoded.id)? {
        report.duplicates += 1;
        return Ok(Outcome::Duplicate);
    }
    if clock == Clock::Wall {
        decoded.time = decoded.time.min(now);
    }
    let before = emitted.len();
    match ledger.apply(&decoded, emitted) {
        Ok(accepted) => {
            let own = (emitted.iter().skip(before))
                .filter(|e| Some(e.lead) == accepted.lead && e.step == accepted.step)
                .count();
            batch.accept(Some(number), &decoded, text, &accepted, own)?;
            report.accepted += 1;
            report.late += u64::from(accepted.late);
            report.ignored += u64::from(accepted.outcome != Step::Applied);
            Ok(Outcome::Accepted)
        }
        Err(refusal) => {
            let why = format!("line {number}: `lead`: {}", refusal.message());
            batch.dead_letter(Some(number), now, text, &why)?;
            report.dead += 1;
            Ok(Outcome::Rejected(why))
        }
    }
}

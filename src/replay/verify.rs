//! `replay --store FILE --verify`: a live store's input log through a fresh ledger under its
//! recorded playbook must give back its outbox, action for action, key for key.

use super::Replay;
use crate::engine::{Deploy, Engine, Renames};
use crate::events::decode_line;
use crate::ir::Playbook;
use crate::ledger::Emitted;
use crate::live::carry_ledger;
use crate::live::store::{LoggedInput, OutboxLine};

/// Where a replay first differs from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// The lead whose action differs (from the replay, else from the store).
    pub lead: String,
    /// The input being applied when it diverged: its place in the log and its line number;
    /// `None` when the store holds actions the replay never took.
    pub input: Option<(i64, Option<i64>)>,
    /// The outbox row, when the store has one there.
    pub row: Option<i64>,
    /// What the replay took there, as an action line.
    pub replayed: Option<String>,
    /// What the store holds there.
    pub recorded: Option<String>,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.lead.is_empty() && self.recorded.is_none() {
            let why = self.replayed.as_deref().unwrap_or("");
            return match self.input {
                Some((n, _)) => write!(f, "the replay stops at input {n}: {why}"),
                None => write!(f, "the replay cannot start: {why}"),
            };
        }
        write!(f, "lead `{}` diverges", self.lead)?;
        match self.input {
            Some((n, Some(line))) => write!(f, " at input {n} (line {line} of its source)")?,
            Some((n, None)) => write!(f, " at input {n}")?,
            None => write!(f, " after the last input")?,
        }
        if let Some(row) = self.row {
            write!(f, ", outbox row {row}")?;
        }
        let none = "nothing".to_owned();
        let quote = |s: &Option<String>| s.as_ref().map_or(none.clone(), |s| format!("`{s}`"));
        write!(
            f,
            ": replayed {}, recorded {}",
            quote(&self.replayed),
            quote(&self.recorded)
        )
    }
}

/// Why a store cannot be verified at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unverifiable {
    /// The store ran no playbook.
    Empty,
    /// The store was written with `--clock wall`: event times were clamped and timers fired by
    /// the wall clock at moments the store does not record.
    WallClock,
}

impl std::fmt::Display for Unverifiable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unverifiable::Empty => write!(f, "the store has no playbook version: nothing ran on it"),
            Unverifiable::WallClock => write!(
                f,
                "the store was written with `--clock wall`: its timers fired by the wall clock at moments it does not record, so only stores written with `--clock events` can be verified"
            ),
        }
    }
}

/// A playbook version a store ran, with the `--map` entries of the deploy to it.
#[derive(Debug, Clone)]
pub struct Version {
    /// Its number in the store.
    pub number: i64,
    /// Its playbook.
    pub playbook: Playbook,
    /// The renames of the deploy to it (none for the first, or a store older than the record).
    pub renames: Renames,
}

/// The version an input was applied under (the first version when the store lost track).
fn version_of(versions: &[Version], number: i64) -> Option<&Version> {
    versions
        .iter()
        .find(|v| v.number == number)
        .or_else(|| versions.first())
}

/// Whether the store was written with `--clock wall`: a line applied at a time other than its
/// own while not late (its time was clamped to the wall clock), or a clock past every input
/// (timers fired by the wall clock).
pub fn wall_clock(versions: &[Version], inputs: &[LoggedInput], clock: Option<i64>) -> bool {
    let latest = inputs.iter().map(|i| i.time).max();
    let clamped = inputs.iter().any(|i| {
        version_of(versions, i.version).is_some_and(|v| {
            decode_line(&v.playbook, 0, &i.text).is_ok_and(|decoded| decoded.time != i.time)
        })
    });
    clamped || clock.is_some_and(|c| latest.is_none_or(|l| c > l))
}

/// Replays `inputs`, each under the playbook version it was applied under (redoing each deploy
/// between versions as `handoff run` did), and compares the actions with `outbox`; on success
/// returns the replay, for its report.
pub fn verify(
    versions: &[Version],
    inputs: &[LoggedInput],
    outbox: &[OutboxLine],
) -> Result<Replay, Box<Divergence>> {
    let first = inputs.first().map_or(0, |i| i.version);
    let mut current = version_of(versions, first)
        .ok_or_else(|| failure(None, String::new(), Unverifiable::Empty.to_string()))?;
    let engine = Engine::new(&current.playbook)
        .map_err(|e| failure(None, String::new(), format!("no engine: {e}")))?;
    let mut replay = Replay::new(engine);
    let mut recorded = outbox.iter();
    let mut emitted = Vec::new();
    for input in inputs {
        let at = Some((input.n, input.line));
        if input.version != current.number {
            let next = version_of(versions, input.version).unwrap_or(current);
            deploy(&mut replay, current, next).map_err(|why| failure(at, String::new(), why))?;
            current = next;
        }
        let line = usize::try_from(input.line.unwrap_or(input.n)).unwrap_or(0);
        let applied = decode_line(&current.playbook, line, &input.text)
            .map_err(|e| e.to_string())
            .and_then(|decoded| {
                replay
                    .apply(&decoded, &mut emitted)
                    .map(|_| ())
                    .map_err(|r| r.message().to_owned())
            });
        if let Err(why) = applied {
            return Err(Box::new(Divergence {
                lead: lead_of(&input.text),
                input: at,
                row: None,
                replayed: Some(format!("the input refused: {why}")),
                recorded: Some("the input accepted".to_owned()),
            }));
        }
        for e in emitted.drain(..).filter(Emitted::is_external) {
            let (key, line) = replay.ledger().action_line(&e);
            let lead = replay.ledger().lead(e.lead).map_or("", |l| l.key.as_str());
            let row = recorded.next();
            if row.is_none_or(|r| r.key != key || r.line != line) {
                return Err(Box::new(Divergence {
                    lead: lead.to_owned(),
                    input: at,
                    row: row.map(|r| r.n),
                    replayed: Some(line),
                    recorded: row.map(|r| r.line.clone()),
                }));
            }
        }
    }
    match recorded.next() {
        None => Ok(replay),
        Some(row) => Err(Box::new(Divergence {
            lead: row.key.rsplitn(3, ':').nth(2).unwrap_or("").to_owned(),
            input: None,
            row: Some(row.n),
            replayed: None,
            recorded: Some(row.line.clone()),
        })),
    }
}

/// A divergence that is not an action: the replay could not go on.
fn failure(input: Option<(i64, Option<i64>)>, lead: String, why: String) -> Box<Divergence> {
    Box::new(Divergence {
        lead,
        input,
        row: None,
        replayed: Some(why),
        recorded: None,
    })
}

/// Carries every lead of the replay from one version to the next, as `handoff run` deployed.
fn deploy(replay: &mut Replay, from: &Version, to: &Version) -> Result<(), String> {
    let refused = |why: String| format!("the deploy to version {} refused: {why}", to.number);
    let plan = Deploy::plan(&from.playbook, &to.playbook, &to.renames).map_err(|errors| {
        refused(
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let engine = Engine::new(&to.playbook).map_err(|e| refused(e.to_string()))?;
    let ledger = carry_ledger(replay.ledger(), &plan, engine).map_err(refused)?;
    replay.carry_to(&plan, ledger);
    Ok(())
}

/// The `lead` attribute of a line, for a message about a line that no longer decodes.
fn lead_of(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("lead").and_then(|l| l.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

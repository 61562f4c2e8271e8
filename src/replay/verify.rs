//! `replay --store FILE --verify`: a live store's input log through a fresh ledger under its
//! recorded playbook must give back its outbox, action for action, key for key.

use super::Replay;
use crate::engine::Engine;
use crate::events::decode_line;
use crate::ir::Playbook;
use crate::ledger::Emitted;
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
    /// The store ran more than one playbook version.
    Deployed(usize),
    /// The store ran no playbook.
    Empty,
    /// The store was written with `--clock wall`: event times were clamped and timers fired by
    /// the wall clock at moments the store does not record.
    WallClock,
}

impl std::fmt::Display for Unverifiable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unverifiable::Deployed(n) => write!(
                f,
                "the store ran {n} playbook versions; verifying a store across a deploy is not supported yet"
            ),
            Unverifiable::Empty => write!(f, "the store has no playbook version: nothing ran on it"),
            Unverifiable::WallClock => write!(
                f,
                "the store was written with `--clock wall`: its timers fired by the wall clock at moments it does not record, so only stores written with `--clock events` can be verified"
            ),
        }
    }
}

/// The playbook a store ran, if it ran exactly one.
pub fn single_version(versions: Vec<(i64, Playbook)>) -> Result<Playbook, Unverifiable> {
    let count = versions.len();
    let mut versions = versions.into_iter();
    match (versions.next(), count) {
        (Some((_, playbook)), 1) => Ok(playbook),
        (None, _) => Err(Unverifiable::Empty),
        _ => Err(Unverifiable::Deployed(count)),
    }
}

/// Whether the store was written with `--clock wall`: a line applied at a time other than its
/// own while not late (its time was clamped to the wall clock), or a clock past every input
/// (timers fired by the wall clock).
pub fn wall_clock(playbook: &Playbook, inputs: &[LoggedInput], clock: Option<i64>) -> bool {
    let latest = inputs.iter().map(|i| i.time).max();
    let clamped = inputs
        .iter()
        .any(|i| decode_line(playbook, 0, &i.text).is_ok_and(|decoded| decoded.time != i.time));
    clamped || clock.is_some_and(|c| latest.is_none_or(|l| c > l))
}

/// Replays `inputs` under `playbook` and compares the actions with `outbox`; on success returns
/// the replay, for its report.
pub fn verify(
    playbook: &Playbook,
    inputs: &[LoggedInput],
    outbox: &[OutboxLine],
) -> Result<Replay, Box<Divergence>> {
    let engine = Engine::new(playbook).map_err(|e| {
        Box::new(Divergence {
            lead: String::new(),
            input: None,
            row: None,
            replayed: Some(format!("no engine: {e}")),
            recorded: None,
        })
    })?;
    let mut replay = Replay::new(engine);
    let mut recorded = outbox.iter();
    let mut emitted = Vec::new();
    for input in inputs {
        let at = Some((input.n, input.line));
        let line = usize::try_from(input.line.unwrap_or(input.n)).unwrap_or(0);
        let applied = decode_line(playbook, line, &input.text)
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

/// The `lead` attribute of a line, for a message about a line that no longer decodes.
fn lead_of(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("lead").and_then(|l| l.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

//! Deploys: carrying every lead written under one version of a playbook over to a changed one.
//!
//! A lead state and its driver hold the numeric ids of the playbook that wrote them. A deploy
//! maps them by name (tracks, handoff rules, queues, sellers, reasons, fields, events, scores),
//! windowed counts by what they count, and refuses, never remaps silently, a lead that refers
//! to something the new version deletes or whose count needs history the old version did not
//! keep. [`Deploy::plan`] builds the maps once; [`Deploy::carry`] maps one lead; the runner
//! carries every lead in one transaction, or none when any is refused ([`DeployError`]).
//! What maps and what is refused is listed in `docs/deploy.md`.

mod maps;
mod refusal;
mod rename;

pub use maps::PlanError;
pub use refusal::{DeployError, Note, Unmapped};
pub use rename::{Kind, Rename, RenameError, Renames};

use super::state::{Counted, Departure, HandoffRun, LeadState, Stage, TrackRun};
use super::tables::Tables;
use super::{scoring, Driver, InlineVec, ScoreState};
use crate::calendar::Timestamp;
use crate::ir::{Counter, CounterId, FieldType, Playbook, Value};
use maps::{names, IdMaps};

/// The maps from one playbook version to the next, built once and applied to every lead.
#[derive(Debug, Clone)]
pub struct Deploy {
    old: Playbook,
    new: Playbook,
    maps: IdMaps,
    /// Per old counter, the new counters that take their history from it.
    counter_targets: Vec<Vec<CounterId>>,
    /// Per old enum field, per value, the value's index in the new field.
    values: Vec<Vec<Option<u16>>>,
    /// The new playbook's compiled conditions, for recomputing fit points.
    tables: Tables,
}

impl Deploy {
    /// Maps every kind a lead state refers to by name, after the renames; a rename that names
    /// something absent is an error.
    pub fn plan(
        old: &Playbook,
        new: &Playbook,
        renames: &Renames,
    ) -> Result<Deploy, Vec<PlanError>> {
        let maps = IdMaps::new(old, new, renames)?;
        let mut counter_targets = vec![Vec::new(); old.counters.len()];
        for (target, source) in maps::match_counters(old, new, &maps)
            .into_iter()
            .enumerate()
        {
            let (Some(source), Ok(target)) = (source, u32::try_from(target)) else {
                continue;
            };
            if let Some(targets) = counter_targets.get_mut(source as usize) {
                targets.push(CounterId(target));
            }
        }
        Ok(Deploy {
            old: old.clone(),
            new: new.clone(),
            values: maps::value_table(old, new, &maps),
            maps,
            counter_targets,
            tables: Tables::new(new),
        })
    }

    /// What every carried lead starts afresh with, for the runner to print beside a deploy
    /// that goes ahead: what the new version adds is not what a lead that ran under it from
    /// its arrival would have.
    pub fn notes(&self) -> Vec<Note> {
        let (old, new) = (&self.old, &self.new);
        let added = |kind: Kind| {
            let mapped: Vec<u32> = (0..names(old, kind).len())
                .filter_map(|i| self.maps.get(kind, u32::try_from(i).ok()?))
                .collect();
            (0..names(new, kind).len())
                .filter(move |j| u32::try_from(*j).is_ok_and(|j| !mapped.contains(&j)))
        };
        let mut notes = Vec::new();
        for j in added(Kind::Field) {
            if let Some(def) = new.fields.get(j) {
                notes.push(Note::NewField {
                    field: def.name.clone(),
                });
            }
        }
        for j in added(Kind::Score) {
            if let Some(def) = new.scores.get(j).filter(|s| !s.per_event.is_empty()) {
                notes.push(Note::NewScore {
                    score: def.name.clone(),
                });
            }
        }
        let fed: Vec<CounterId> = self.counter_targets.iter().flatten().copied().collect();
        for (j, def) in new.counters.iter().enumerate() {
            if !u32::try_from(j).is_ok_and(|j| fed.contains(&CounterId(j))) {
                notes.push(Note::NewCount {
                    count: count_text(new, def),
                });
            }
        }
        notes
    }

    /// The new id of an old one of `kind`, by name or `--map` rename; `None` when the new
    /// version has no such thing. The live runner maps what it keeps beside lead states (a
    /// lead's queue placement and assigned seller) with it.
    pub fn map(&self, kind: Kind, old: u32) -> Option<u32> {
        self.maps.get(kind, old)
    }

    /// Maps one lead and its pending timers, or says every reason it cannot be carried over.
    pub fn carry(
        &self,
        lead: &LeadState,
        driver: &Driver,
    ) -> Result<(LeadState, Driver), Vec<Unmapped>> {
        let mut carry = Carry {
            deploy: self,
            refused: Vec::new(),
        };
        let carried = carry.lead(lead, driver.last_step());
        if carry.refused.is_empty() {
            Ok((carried, driver.clone()))
        } else {
            carry.refused.sort();
            carry.refused.dedup();
            Err(carry.refused)
        }
    }

    /// Carries a whole store's leads (key, state, driver), in order, or reports every lead
    /// refused, grouped by cause.
    pub fn carry_all<'a>(
        &self,
        leads: impl IntoIterator<Item = (&'a str, &'a LeadState, &'a Driver)>,
    ) -> Result<Vec<(LeadState, Driver)>, DeployError> {
        let mut carried = Vec::new();
        let mut error = DeployError::new();
        for (key, lead, driver) in leads {
            match self.carry(lead, driver) {
                Ok(pair) if error.is_empty() => carried.push(pair),
                Ok(_) => {}
                Err(causes) => error.record(key, causes),
            }
        }
        if error.is_empty() {
            Ok(carried)
        } else {
            Err(error)
        }
    }
}

/// One lead being carried over, with the refusals found so far.
struct Carry<'a> {
    deploy: &'a Deploy,
    refused: Vec<Unmapped>,
}

impl Carry<'_> {
    fn lead(&mut self, lead: &LeadState, last: Option<Timestamp>) -> LeadState {
        if matches!(lead.stage, Stage::New) {
            return LeadState {
                quiet: 0,
                ..lead.clone()
            };
        }
        let mut carried = LeadState {
            stage: self.stage(&lead.stage),
            attributes: self.attributes(&lead.attributes),
            track: lead.track.map(|run| TrackRun {
                track: crate::ir::TrackId(self.id(Kind::Track, run.track.0)),
                sent: run.sent,
            }),
            scores: self.scores(lead),
            counters: self.counters(lead, last),
            signals: (lead.signals.iter())
                .filter_map(|s| {
                    let event = crate::ir::EventId(self.deploy.maps.get(Kind::Event, s.event.0)?);
                    Some(super::SignalRecord { event, ..*s })
                })
                .collect(),
            suppression: lead.suppression.map(|s| super::state::SuppressionState {
                reason: crate::ir::ReasonId(self.id(Kind::Reason, s.reason.0)),
                ..s
            }),
            quiet: 0,
            ..lead.clone()
        };
        let now = last.unwrap_or(lead.scored_at);
        scoring::refresh_fit(
            &self.deploy.new,
            &self.deploy.tables.fit_when,
            &mut carried,
            now,
        );
        carried
    }

    /// The new id of a thing the lead needs, or a refusal naming it (the old id stands in, and
    /// the lead is not carried).
    fn id(&mut self, kind: Kind, old: u32) -> u32 {
        if let Some(new) = self.deploy.maps.get(kind, old) {
            return new;
        }
        let names = names(&self.deploy.old, kind);
        let name = names
            .get(old as usize)
            .map_or_else(|| format!("#{old}"), |n| n.to_string());
        self.refused.push(Unmapped::Deleted { kind, name });
        old
    }

    fn stage(&mut self, stage: &Stage) -> Stage {
        use crate::ir::{HandoffId, QueueId, ReasonId, SellerId, TrackId};
        match stage {
            Stage::New => Stage::New,
            Stage::Nurture => Stage::Nurture,
            Stage::Parked { track, until } => Stage::Parked {
                track: TrackId(self.id(Kind::Track, track.0)),
                until: *until,
            },
            Stage::HandedOff(run) => Stage::HandedOff(Box::new(HandoffRun {
                rule: HandoffId(self.id(Kind::Handoff, run.rule.0)),
                trigger: (run.trigger)
                    .and_then(|e| self.deploy.maps.get(Kind::Event, e.0))
                    .map(crate::ir::EventId),
                queue: QueueId(self.id(Kind::Queue, run.queue.0)),
                owner: run.owner.map(|s| SellerId(self.id(Kind::Seller, s.0))),
                seller: run.seller.map(|s| SellerId(self.id(Kind::Seller, s.0))),
                resume_track: run.resume_track.map(|t| TrackId(self.id(Kind::Track, t.0))),
                ..(**run).clone()
            })),
            Stage::Done(departure) => {
                let mut reason = |r: ReasonId| ReasonId(self.id(Kind::Reason, r.0));
                Stage::Done(match *departure {
                    Departure::Converted { reason: r } => {
                        Departure::Converted { reason: reason(r) }
                    }
                    Departure::Closed { reason: r } => Departure::Closed { reason: reason(r) },
                    Departure::Disqualified { reason: r } => {
                        Departure::Disqualified { reason: reason(r) }
                    }
                })
            }
        }
    }

    /// Attributes by field name; a field the old playbook lacks takes its type's default.
    fn attributes(&mut self, values: &[Value]) -> Vec<Value> {
        let (old, new) = (&self.deploy.old, &self.deploy.new);
        let mut carried: Vec<Option<Value>> = vec![None; new.fields.len()];
        for (index, (def, value)) in old.fields.iter().zip(values).enumerate() {
            let Some(to) = u32::try_from(index)
                .ok()
                .and_then(|i| self.deploy.maps.get(Kind::Field, i))
            else {
                continue;
            };
            let (Some(slot), Some(target)) =
                (carried.get_mut(to as usize), new.fields.get(to as usize))
            else {
                continue;
            };
            let values = self.deploy.values.get(index).map_or(&[][..], |v| &v[..]);
            match convert(&def.ty, &target.ty, values, value) {
                Ok(value) => *slot = Some(value),
                Err(why) => self.refused.push(why.named(&def.name)),
            }
        }
        (carried.into_iter().zip(&new.fields))
            .map(|(value, def)| value.unwrap_or_else(|| def.ty.default_value()))
            .collect()
    }

    /// Event points by score name; a new score starts with none (its fit is recomputed).
    fn scores(&self, lead: &LeadState) -> InlineVec<ScoreState, 2> {
        let mut scores: Vec<ScoreState> = vec![ScoreState::default(); self.deploy.new.scores.len()];
        for (index, parts) in lead.scores.iter().enumerate() {
            let to = u32::try_from(index)
                .ok()
                .and_then(|i| self.deploy.maps.get(Kind::Score, i));
            if let Some(slot) = to.and_then(|to| scores.get_mut(to as usize)) {
                slot.events = parts.events;
            }
        }
        scores.into_iter().collect()
    }

    /// Counted times by the new counters that count what an old one counted, each held to its
    /// new `keep`; a count whose history may be short for its new window or keep is refused.
    fn counters(&mut self, lead: &LeadState, last: Option<Timestamp>) -> InlineVec<Counted, 8> {
        let deploy = self.deploy;
        let mut carried = InlineVec::new();
        for counted in lead.counters.iter() {
            let targets = deploy.counter_targets.get(counted.counter.index());
            for target in targets.into_iter().flatten() {
                carried.push(Counted {
                    counter: *target,
                    after: counted.after,
                });
            }
        }
        for (source, targets) in deploy.counter_targets.iter().enumerate() {
            let Some(from) = deploy.old.counters.get(source) else {
                continue;
            };
            let held: Vec<Counted> = (lead.counters.iter())
                .filter(|c| c.counter.index() == source)
                .copied()
                .collect();
            for target in targets {
                let Some(to) = deploy.new.counters.get(target.index()) else {
                    continue;
                };
                // A departed lead's counts are never read again.
                if !lead.is_done() && may_miss(from, to, &held, lead.arrived_at, last) {
                    self.refused.push(self.short_history(from, to));
                }
                hold_latest(&mut carried, *target, to.keep);
            }
        }
        carried
    }

    fn short_history(&self, from: &Counter, to: &Counter) -> Unmapped {
        Unmapped::ShortHistory {
            count: count_text(&self.deploy.new, to),
            kept: history_text(from),
            needed: history_text(to),
        }
    }
}

/// Whether times an old count dropped may still be read by the new one.
///
/// Every time a count drops is older than every time it holds: times leave their window
/// oldest first (a time `t` is dropped at a step at `s` when `t <= s - window`), and `keep`
/// drops the oldest. So the missing times all lie at or before a bound: `last - window` once
/// the lead has lived a whole old window by its last step (else no time left by window), and
/// the oldest held time when the count holds its whole `keep` (else none left by keep). The
/// new count reads a time only while it is within its window of a step at or after `last`,
/// and holds only its latest `keep`: the missing times matter when the bound lies within the
/// new window of `last` and the new count's `keep` is not already filled by held times.
fn may_miss(
    from: &Counter,
    to: &Counter,
    held: &[Counted],
    arrived_at: Timestamp,
    last: Option<Timestamp>,
) -> bool {
    let Some(last) = last else {
        return false;
    };
    let by_window = Some(last.saturating_sub(from.window_secs)).filter(|b| *b >= arrived_at);
    let by_keep = match from.keep {
        Some(0) => Some(last),
        Some(keep) if held.len() >= keep as usize => held.first().map(|c| c.at(arrived_at)),
        _ => None,
    };
    let Some(bound) = by_window.max(by_keep) else {
        return false;
    };
    let read = bound > last.saturating_sub(to.window_secs);
    let filled = to.keep.is_some_and(|keep| held.len() >= keep as usize);
    read && !filled
}

/// Drops a counter's oldest times beyond `keep`, as the engine would have.
fn hold_latest(counters: &mut InlineVec<Counted, 8>, counter: CounterId, keep: Option<u32>) {
    let Some(keep) = keep else {
        return;
    };
    let held = counters.iter().filter(|c| c.counter == counter).count();
    let mut excess = held.saturating_sub(keep as usize);
    counters.retain(|c| {
        if c.counter == counter && excess > 0 {
            excess -= 1;
            return false;
        }
        true
    });
}

/// Why a value cannot be carried to a field of the new playbook.
enum Mismatch {
    Retyped,
    ValueDeleted(String),
}

impl Mismatch {
    fn named(self, field: &str) -> Unmapped {
        let field = field.to_owned();
        match self {
            Mismatch::Retyped => Unmapped::Retyped { field },
            Mismatch::ValueDeleted(value) => Unmapped::ValueDeleted { field, value },
        }
    }
}

/// A value of a field of the old type as the same value of the new type: an enum value by
/// `values`, the field's row of [`Deploy::values`].
fn convert(
    from: &FieldType,
    to: &FieldType,
    values: &[Option<u16>],
    value: &Value,
) -> Result<Value, Mismatch> {
    match (from, to, value) {
        (FieldType::OneOf { values: names }, FieldType::OneOf { .. }, Value::Enum(i)) => {
            let index = usize::from(*i);
            match values.get(index).copied().flatten() {
                Some(j) => Ok(Value::Enum(j)),
                None => Err(Mismatch::ValueDeleted(
                    names.get(index).cloned().unwrap_or_else(|| format!("#{i}")),
                )),
            }
        }
        (FieldType::OneOf { .. }, _, _) | (_, FieldType::OneOf { .. }, _) => Err(Mismatch::Retyped),
        _ if std::mem::discriminant(from) == std::mem::discriminant(to) => Ok(value.clone()),
        _ => Err(Mismatch::Retyped),
    }
}

/// A count as a playbook would write it, its filter elided.
fn count_text(playbook: &Playbook, counter: &Counter) -> String {
    let event = counter.event.map_or("any", |e| {
        playbook
            .events
            .get(e.index())
            .map_or("#?", |e| e.name.as_str())
    });
    let filter = if counter.filter == crate::ir::Cond::True {
        ""
    } else {
        " where ..."
    };
    let window = crate::emit::duration(counter.window_secs);
    format!("count {event}{filter} within {window}")
}

/// How much history a count keeps, in words.
fn history_text(counter: &Counter) -> String {
    let window = crate::emit::duration(counter.window_secs);
    match counter.keep {
        Some(keep) => format!("the latest {keep} times within {window}"),
        None => format!("every time within {window}"),
    }
}

#[cfg(test)]
mod tests;

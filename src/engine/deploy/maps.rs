//! The id maps of a deploy: every old id to the new id of the same name (after renames), built
//! once per deploy, and windowed counters matched by what they count.

use super::rename::{Kind, Renames};
use crate::ir::{Cond, Counter, EventDef, FieldRef, FieldType, Num, Playbook};
use std::fmt;

/// Why the renames of a deploy do not fit the two playbooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// The old name is not a thing of that kind in the old playbook.
    UnknownOld {
        /// The kind.
        kind: Kind,
        /// The name.
        name: String,
    },
    /// The new name is not a thing of that kind in the new playbook.
    UnknownNew {
        /// The kind.
        kind: Kind,
        /// The name.
        name: String,
    },
    /// An unqualified old name that names nothing in the old playbook.
    Nothing {
        /// The old name.
        name: String,
    },
    /// An unqualified old name that the new playbook still has, so it is not plainly a rename.
    StillThere {
        /// The old name.
        name: String,
        /// A kind it names in both playbooks.
        kind: Kind,
    },
    /// An unqualified old name of several kinds that the new playbook lacks.
    Ambiguous {
        /// The old name.
        name: String,
        /// The kinds it could be.
        kinds: Vec<Kind>,
    },
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::UnknownOld { kind, name } => write!(
                f,
                "`--map`: the old playbook has no {} `{name}`",
                kind.name()
            ),
            PlanError::UnknownNew { kind, name } => write!(
                f,
                "`--map`: the new playbook has no {} `{name}`",
                kind.name()
            ),
            PlanError::Nothing { name } => {
                write!(
                    f,
                    "`--map {name}=...`: the old playbook has nothing called `{name}`"
                )
            }
            PlanError::StillThere { name, kind } => write!(
                f,
                "`--map {name}=...`: the new playbook still has `{name}`; to map it all the same, \
                 give its kind, as in `{}:{name}=...`",
                kind.name()
            ),
            PlanError::Ambiguous { name, kinds } => {
                let kinds: Vec<String> = kinds
                    .iter()
                    .map(|k| format!("`{}:{name}`", k.name()))
                    .collect();
                write!(
                    f,
                    "`--map {name}=...` is ambiguous: write {}",
                    kinds.join(" or ")
                )
            }
        }
    }
}

impl std::error::Error for PlanError {}

/// The names of a playbook's things of one kind, by id; enum values are `field.value`, numbered
/// across every enum field in declaration order ([`enum_values`]).
pub(super) fn names(playbook: &Playbook, kind: Kind) -> Vec<String> {
    fn of<T>(items: &[T], name: impl Fn(&T) -> &str) -> Vec<String> {
        items.iter().map(|i| name(i).to_owned()).collect()
    }
    match kind {
        Kind::Track => of(&playbook.tracks, |t| &t.name),
        Kind::Handoff => of(&playbook.handoffs, |h| &h.name),
        Kind::Queue => of(&playbook.queues, |q| &q.name),
        Kind::Seller => of(&playbook.sellers, |s| &s.name),
        Kind::Reason => of(&playbook.reasons, |r| &r.name),
        Kind::Field => of(&playbook.fields, |f| &f.name),
        Kind::Value => enum_values(playbook)
            .into_iter()
            .map(|(field, value)| format!("{field}.{value}"))
            .collect(),
        Kind::Event => of(&playbook.events, |e| &e.name),
        Kind::Score => of(&playbook.scores, |s| &s.name),
    }
}

/// Every value of every enum lead field, as (field, value), fields in declaration order.
fn enum_values(playbook: &Playbook) -> Vec<(&str, &str)> {
    let mut all = Vec::new();
    for field in &playbook.fields {
        if let FieldType::OneOf { values } = &field.ty {
            all.extend(values.iter().map(|v| (field.name.as_str(), v.as_str())));
        }
    }
    all
}

/// Per old lead field, per value, the index of the same value in the new field it maps to: a
/// renamed value by its `--map value:...`, any other by its name.
pub(super) fn value_table(old: &Playbook, new: &Playbook, maps: &IdMaps) -> Vec<Vec<Option<u16>>> {
    let targets = enum_values(new);
    let mut flat = 0u32;
    let mut table = Vec::new();
    for (index, field) in old.fields.iter().enumerate() {
        let to = u32::try_from(index)
            .ok()
            .and_then(|i| maps.get(Kind::Field, i))
            .and_then(|j| new.fields.get(j as usize));
        let mut row = Vec::new();
        if let FieldType::OneOf { values } = &field.ty {
            for value in values {
                let renamed = maps
                    .get(Kind::Value, flat)
                    .and_then(|n| targets.get(n as usize));
                flat += 1;
                let Some(FieldType::OneOf { values: into }) = to.map(|t| &t.ty) else {
                    row.push(None);
                    continue;
                };
                let to_name = to.map_or("", |t| t.name.as_str());
                let name = match renamed {
                    Some((f, v)) if *f == to_name => *v,
                    _ => value.as_str(),
                };
                let position = into.iter().position(|v| v == name);
                row.push(position.and_then(|p| u16::try_from(p).ok()));
            }
        }
        table.push(row);
    }
    table
}

/// Old index → new index of one kind, `None` where the new playbook has no such thing.
pub(super) type IdMap = Vec<Option<u32>>;

/// The id maps of every kind a lead state refers to.
#[derive(Debug, Clone)]
pub(super) struct IdMaps {
    maps: Vec<(Kind, IdMap)>,
}

impl IdMaps {
    /// Maps every kind by name, the renames first; every rename must name things that exist.
    pub(super) fn new(
        old: &Playbook,
        new: &Playbook,
        renames: &Renames,
    ) -> Result<IdMaps, Vec<PlanError>> {
        let mut errors = Vec::new();
        let mut resolved: Vec<(Kind, &str, &str)> = Vec::new();
        for rename in &renames.0 {
            match resolve(old, new, rename.kind, &rename.old) {
                Ok(kind) => {
                    if names(new, kind).contains(&rename.new) {
                        resolved.push((kind, &rename.old, &rename.new));
                    } else {
                        errors.push(PlanError::UnknownNew {
                            kind,
                            name: rename.new.clone(),
                        });
                    }
                }
                Err(error) => errors.push(error),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let maps = Kind::ALL
            .iter()
            .map(|(kind, _)| {
                let targets = names(new, *kind);
                let map = names(old, *kind)
                    .into_iter()
                    .map(|name| {
                        let renamed = resolved
                            .iter()
                            .find(|(k, o, _)| k == kind && *o == name)
                            .map_or(name.as_str(), |(_, _, n)| n);
                        let index = targets.iter().position(|t| *t == renamed)?;
                        u32::try_from(index).ok()
                    })
                    .collect();
                (*kind, map)
            })
            .collect();
        Ok(IdMaps { maps })
    }

    /// The new index of an old one, `None` when the new playbook has no such thing.
    pub(super) fn get(&self, kind: Kind, old: u32) -> Option<u32> {
        let (_, map) = self.maps.iter().find(|(k, _)| *k == kind)?;
        map.get(old as usize).copied().flatten()
    }
}

/// The kind of a rename: the given one, checked, or the one kind that has `old` in the old
/// playbook and not in the new one.
fn resolve(
    old: &Playbook,
    new: &Playbook,
    kind: Option<Kind>,
    name: &str,
) -> Result<Kind, PlanError> {
    if let Some(kind) = kind {
        return if names(old, kind).iter().any(|n| n == name) {
            Ok(kind)
        } else {
            Err(PlanError::UnknownOld {
                kind,
                name: name.to_owned(),
            })
        };
    }
    let has = |playbook: &Playbook, kind: Kind| names(playbook, kind).iter().any(|n| n == name);
    let in_old: Vec<Kind> = (Kind::ALL.iter().map(|(k, _)| *k))
        .filter(|k| has(old, *k))
        .collect();
    let renamed: Vec<Kind> = (in_old.iter().copied()).filter(|k| !has(new, *k)).collect();
    let name = name.to_owned();
    match (renamed.as_slice(), in_old.first()) {
        ([kind], _) => Ok(*kind),
        ([], None) => Err(PlanError::Nothing { name }),
        ([], Some(kind)) => Err(PlanError::StillThere { name, kind: *kind }),
        _ => Err(PlanError::Ambiguous {
            name,
            kinds: renamed,
        }),
    }
}

/// For each new counter, the old counter it takes its history from: one that counts the same
/// event with the same filter (read by names), the same window preferred, else the longest.
pub(super) fn match_counters(old: &Playbook, new: &Playbook, maps: &IdMaps) -> Vec<Option<u32>> {
    new.counters
        .iter()
        .map(|target| {
            let same = |c: &&Counter| counts_alike(old, new, maps, c, target);
            let candidates = (old.counters.iter().enumerate()).filter(|(_, c)| same(c));
            let best = candidates.max_by_key(|(i, c)| {
                let exact = c.window_secs == target.window_secs;
                (
                    exact,
                    c.window_secs,
                    c.keep.map_or(u64::MAX, u64::from),
                    usize::MAX - i,
                )
            });
            best.and_then(|(i, _)| u32::try_from(i).ok())
        })
        .collect()
}

/// Whether an old counter counts what a new one counts (its window aside).
fn counts_alike(
    old: &Playbook,
    new: &Playbook,
    maps: &IdMaps,
    counter: &Counter,
    target: &Counter,
) -> bool {
    let event = match counter.event {
        Some(e) => maps.get(Kind::Event, e.0).map(crate::ir::EventId),
        None => None,
    };
    if event != target.event || (counter.event.is_some() && event.is_none()) {
        return false;
    }
    let translate = Translate {
        old,
        new,
        maps,
        old_event: counter.event.and_then(|e| old.events.get(e.index())),
        new_event: target.event.and_then(|e| new.events.get(e.index())),
    };
    translate.cond(&counter.filter).as_ref() == Some(&target.filter)
}

/// Rewrites a condition of the old playbook in the new playbook's ids, if it can be said there.
struct Translate<'a> {
    old: &'a Playbook,
    new: &'a Playbook,
    maps: &'a IdMaps,
    old_event: Option<&'a EventDef>,
    new_event: Option<&'a EventDef>,
}

impl Translate<'_> {
    fn cond(&self, cond: &Cond) -> Option<Cond> {
        let all = |cs: &[Cond]| cs.iter().map(|c| self.cond(c)).collect::<Option<Vec<_>>>();
        Some(match cond {
            Cond::True => Cond::True,
            Cond::And { all: cs } => Cond::And { all: all(cs)? },
            Cond::Or { any } => Cond::Or { any: all(any)? },
            Cond::Not { cond } => Cond::Not {
                cond: Box::new(self.cond(cond)?),
            },
            Cond::Compare { lhs, cmp, rhs } => Cond::Compare {
                lhs: self.num(lhs)?,
                cmp: *cmp,
                rhs: self.num(rhs)?,
            },
            Cond::Flag { field } => Cond::Flag {
                field: self.field(*field)?.0,
            },
            Cond::EnumIn { field, mask } => {
                let (to, from_values, to_values) = self.enum_field(*field)?;
                Cond::EnumIn {
                    field: to,
                    mask: remask(*mask, &from_values, &to_values)?,
                }
            }
            Cond::TextIn { field, values } => Cond::TextIn {
                field: self.field(*field)?.0,
                values: values.clone(),
            },
            Cond::Contains { field, needle } => Cond::Contains {
                field: self.field(*field)?.0,
                needle: needle.clone(),
            },
            Cond::EndsWith { field, suffix } => Cond::EndsWith {
                field: self.field(*field)?.0,
                suffix: suffix.clone(),
            },
            Cond::BandIn { bands, mask } => {
                let from = self.old.band_sets.get(bands.index())?;
                let index = (self.new.band_sets.iter()).position(|b| b.name == from.name)?;
                let to = self.new.band_sets.get(index)?;
                let labels = |set: &crate::ir::BandSet| -> Vec<String> {
                    set.bands.iter().map(|b| b.name.clone()).collect()
                };
                Cond::BandIn {
                    bands: crate::ir::BandSetId(u32::try_from(index).ok()?),
                    mask: remask(*mask, &labels(from), &labels(to))?,
                }
            }
            Cond::InAccounts { field, accounts } => {
                let from = self.old.accounts.get(accounts.index())?;
                let index = (self.new.accounts.iter()).position(|a| a.name == from.name)?;
                Cond::InAccounts {
                    field: self.field(*field)?.0,
                    accounts: crate::ir::AccountsId(u32::try_from(index).ok()?),
                }
            }
        })
    }

    fn num(&self, num: &Num) -> Option<Num> {
        Some(match num {
            Num::Const(c) => Num::Const(*c),
            Num::Field(field) => Num::Field(self.field(*field)?.0),
            Num::Score(s) => Num::Score(crate::ir::ScoreId(self.maps.get(Kind::Score, s.0)?)),
            // A count inside a counter's filter: not something the checker builds.
            Num::Count(_) => return None,
        })
    }

    /// The field in the new playbook, with its old and new types (which must be alike).
    fn field(&self, field: FieldRef) -> Option<(FieldRef, &FieldType, &FieldType)> {
        let (to, from_ty, to_ty) = match field {
            FieldRef::Lead(id) => {
                let index = self.maps.get(Kind::Field, id.0)?;
                let from = self.old.fields.get(id.index())?;
                let to = self.new.fields.get(index as usize)?;
                (FieldRef::Lead(crate::ir::FieldId(index)), &from.ty, &to.ty)
            }
            FieldRef::Event(i) => {
                let from = self.old_event?.fields.get(usize::from(i))?;
                let fields = &self.new_event?.fields;
                let index = fields.iter().position(|f| f.name == from.name)?;
                let to = fields.get(index)?;
                (
                    FieldRef::Event(u16::try_from(index).ok()?),
                    &from.ty,
                    &to.ty,
                )
            }
        };
        let alike = std::mem::discriminant(from_ty) == std::mem::discriminant(to_ty);
        alike.then_some((to, from_ty, to_ty))
    }

    /// An enum field in the new playbook, with its old and new value names.
    fn enum_field(&self, field: FieldRef) -> Option<(FieldRef, Vec<String>, Vec<String>)> {
        match self.field(field)? {
            (to, FieldType::OneOf { values: from }, FieldType::OneOf { values: into }) => {
                Some((to, from.clone(), into.clone()))
            }
            _ => None,
        }
    }
}

/// A bitmask over `from` labels as the same labels in `to`; `None` when a label is missing.
fn remask(mask: u64, from: &[String], to: &[String]) -> Option<u64> {
    let mut out = 0u64;
    for (i, label) in from.iter().enumerate() {
        let set = u32::try_from(i)
            .ok()
            .and_then(|i| 1u64.checked_shl(i))
            .is_some_and(|b| mask & b != 0);
        if set {
            let j = to.iter().position(|t| t == label)?;
            out |= 1u64.checked_shl(u32::try_from(j).ok()?)?;
        }
    }
    Some(out)
}

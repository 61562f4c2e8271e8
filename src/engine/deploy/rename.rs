//! `--map` entries: the renames a person gives when a deploy cannot tell them by name alone.

use std::fmt;
use std::str::FromStr;

crate::ir::named_enum! {
    /// The kinds of named things a lead state refers to, in the playbook's own words.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Kind {
        /// An automated track.
        Track = "track",
        /// A handoff rule.
        Handoff = "handoff",
        /// A queue.
        Queue = "queue",
        /// A named seller (a queue member).
        Seller = "seller",
        /// A reason code.
        Reason = "reason",
        /// A lead field.
        Field = "field",
        /// A value of an enum lead field, named `field.value`.
        Value = "value",
        /// An event.
        Event = "event",
        /// A score.
        Score = "score",
    }
}

/// One `--map [KIND:]OLD=NEW` entry: `old` in the old playbook is `new` in the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// The kind, when given; otherwise the one kind that has `old` in the old playbook only.
    pub kind: Option<Kind>,
    /// The name in the old playbook.
    pub old: String,
    /// The name in the new playbook.
    pub new: String,
}

/// Why a `--map` entry cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameError {
    /// No `=` between the two names.
    MissingEquals {
        /// The entry as given.
        entry: String,
    },
    /// A prefix that is not a kind.
    UnknownKind {
        /// The entry as given.
        entry: String,
        /// The prefix.
        kind: String,
    },
    /// A name that is empty or holds a space, `:` or `=`.
    BadName {
        /// The entry as given.
        entry: String,
    },
}

impl fmt::Display for RenameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenameError::MissingEquals { entry } => write!(
                f,
                "`--map {entry}` has no `=`: expected `old=new` or `kind:old=new`"
            ),
            RenameError::UnknownKind { entry, kind } => {
                let kinds: Vec<String> = Kind::ALL.iter().map(|(_, k)| format!("`{k}`")).collect();
                write!(
                    f,
                    "`--map {entry}` names the unknown kind `{kind}`: expected one of {}",
                    kinds.join(", ")
                )
            }
            RenameError::BadName { entry } => write!(
                f,
                "`--map {entry}` needs two names, without spaces, `:` or `=`, as in `track:old=new`"
            ),
        }
    }
}

impl std::error::Error for RenameError {}

impl FromStr for Rename {
    type Err = RenameError;

    /// Reads `old=new` or `kind:old=new`.
    fn from_str(entry: &str) -> Result<Rename, RenameError> {
        let owned = || entry.to_owned();
        let (left, new) = entry
            .split_once('=')
            .ok_or_else(|| RenameError::MissingEquals { entry: owned() })?;
        let (kind, old) = match left.split_once(':') {
            Some((kind, old)) => {
                let found = Kind::ALL.iter().find(|(_, k)| *k == kind).map(|(k, _)| *k);
                let kind = found.ok_or_else(|| RenameError::UnknownKind {
                    entry: owned(),
                    kind: kind.to_owned(),
                })?;
                (Some(kind), old)
            }
            None => (None, left),
        };
        let bad = |name: &str| {
            name.is_empty()
                || name
                    .chars()
                    .any(|c| c.is_whitespace() || c == ':' || c == '=')
        };
        if bad(old) || bad(new) {
            return Err(RenameError::BadName { entry: owned() });
        }
        Ok(Rename {
            kind,
            old: old.to_owned(),
            new: new.to_owned(),
        })
    }
}

/// Every `--map` entry of one deploy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renames(pub Vec<Rename>);

impl Renames {
    /// No renames: everything maps by its own name.
    pub fn none() -> Renames {
        Renames::default()
    }

    /// Every entry as `--map` takes it (`KIND:OLD=NEW`, or `OLD=NEW` without a kind), so a
    /// store can record the renames of a deploy and a replay of the store redo it.
    pub fn entries(&self) -> Vec<String> {
        (self.0.iter())
            .map(|r| match r.kind {
                Some(kind) => format!("{}:{}={}", kind.name(), r.old, r.new),
                None => format!("{}={}", r.old, r.new),
            })
            .collect()
    }

    /// Reads every entry, reporting every one that cannot be read.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Renames, Vec<RenameError>> {
        let (ok, errors): (Vec<_>, Vec<_>) = entries
            .iter()
            .map(|e| e.as_ref().parse::<Rename>())
            .partition(Result::is_ok);
        if errors.is_empty() {
            Ok(Renames(ok.into_iter().filter_map(Result::ok).collect()))
        } else {
            Err(errors.into_iter().filter_map(Result::err).collect())
        }
    }
}

//! What a deploy refuses to carry over, and the report that groups refused leads by cause.

use super::rename::Kind;
use std::collections::BTreeMap;
use std::fmt;

/// Why one lead cannot be carried over: something it refers to that the new playbook lacks or
/// cannot answer, named so that leads with the same cause are reported together.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unmapped {
    /// The lead refers to a track, rule, queue, seller or reason the new playbook deletes.
    Deleted {
        /// What kind of thing.
        kind: Kind,
        /// Its name in the old playbook.
        name: String,
    },
    /// A lead field whose type changed, so its value cannot be read in the new playbook.
    Retyped {
        /// The field.
        field: String,
    },
    /// An enum value the new playbook's field no longer has.
    ValueDeleted {
        /// The field.
        field: String,
        /// The value.
        value: String,
    },
    /// A windowed count that needs more history than the old playbook kept.
    ShortHistory {
        /// The count, as a playbook would write it (`count visit within 30d`).
        count: String,
        /// The window and keep of the old playbook's count, in words.
        kept: String,
        /// The window and keep of the new playbook's count, in words.
        needed: String,
    },
}

impl Unmapped {
    /// What the new playbook cannot take, for one line of the report.
    fn what(&self) -> String {
        match self {
            Unmapped::Deleted { kind, name } => {
                format!("{} `{name}` is not in the new playbook", kind.name())
            }
            Unmapped::Retyped { field } => {
                format!("field `{field}` has another type in the new playbook")
            }
            Unmapped::ValueDeleted { field, value } => {
                format!("field `{field}` has no value `{value}` in the new playbook")
            }
            Unmapped::ShortHistory {
                count,
                kept,
                needed,
            } => format!("`{count}` now needs {needed}, and the old playbook kept {kept}"),
        }
    }

    /// The ways out, for the help line of the report.
    fn way_out(&self) -> String {
        match self {
            Unmapped::Deleted { kind, name } => format!(
                "name its successor with `--map {}:{name}=NEW`, keep it in the new playbook, or \
                 run the old playbook until no lead refers to it",
                kind.name()
            ),
            Unmapped::Retyped { field } => format!(
                "keep the type of `{field}`, or give the field of the new type another name (the \
                 old values are then dropped)"
            ),
            Unmapped::ValueDeleted { field, value } => format!(
                "name its successor with `--map value:{field}.{value}=NEW`, or keep `{value}` \
                 among the values of `{field}`"
            ),
            Unmapped::ShortHistory { .. } => "run the old playbook until these leads leave, or \
                 first deploy a version that also keeps this count over the new window and \
                 deploy this one once that version has run for the new window"
                .to_owned(),
        }
    }
}

/// Something every carried lead starts afresh with: not refused, since nothing of the lead is
/// lost, but the lead now differs from one that ran under the new version from its arrival.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// A lead field the old version lacked: every lead takes its type's default.
    NewField {
        /// The field.
        field: String,
    },
    /// A score with event points that the old version lacked: every lead starts with none.
    NewScore {
        /// The score.
        score: String,
    },
    /// A count that no count of the old version counted alike: every lead starts with none.
    NewCount {
        /// The count, as a playbook would write it.
        count: String,
    },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::NewField { field } => write!(
                f,
                "field `{field}` is new: every lead takes its default until its value is set"
            ),
            Note::NewScore { score } => write!(
                f,
                "score `{score}` is new: every lead starts with no event points, and only events \
                 from now on add to it"
            ),
            Note::NewCount { count } => write!(
                f,
                "`{count}` is new: every lead starts with none, and only events from now on count"
            ),
        }
    }
}

/// How many refused leads a report names for one cause before it counts the rest.
const NAMED: usize = 10;

/// The leads a deploy refuses, by cause: what `handoff run` prints before it exits without
/// changing the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeployError {
    causes: BTreeMap<Unmapped, Refused>,
    leads: usize,
}

/// The leads refused for one cause.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Refused {
    named: Vec<String>,
    more: usize,
}

impl DeployError {
    /// An empty report.
    pub fn new() -> DeployError {
        DeployError::default()
    }

    /// Records one refused lead under each of its causes.
    pub fn record(&mut self, lead: &str, causes: Vec<Unmapped>) {
        if causes.is_empty() {
            return;
        }
        self.leads += 1;
        for cause in causes {
            let refused = self.causes.entry(cause).or_default();
            if refused.named.len() < NAMED {
                refused.named.push(lead.to_owned());
            } else {
                refused.more += 1;
            }
        }
    }

    /// Whether no lead was refused.
    pub fn is_empty(&self) -> bool {
        self.leads == 0
    }

    /// How many leads were refused.
    pub fn leads(&self) -> usize {
        self.leads
    }

    /// The causes, each with the number of leads refused for it.
    pub fn causes(&self) -> impl Iterator<Item = (&Unmapped, usize)> {
        (self.causes.iter()).map(|(cause, r)| (cause, r.named.len() + r.more))
    }
}

impl fmt::Display for DeployError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        writeln!(
            f,
            "{} lead{} cannot be carried over to the changed playbook, so the store is left as it was",
            self.leads,
            plural(self.leads)
        )?;
        for (cause, refused) in &self.causes {
            let named: Vec<String> = refused.named.iter().map(|l| format!("`{l}`")).collect();
            let count = refused.named.len() + refused.more;
            write!(
                f,
                "  {}: lead{} {}",
                cause.what(),
                plural(count),
                named.join(", ")
            )?;
            if refused.more > 0 {
                write!(f, " and {} more", refused.more)?;
            }
            writeln!(f)?;
            writeln!(f, "    help: {}", cause.way_out())?;
        }
        Ok(())
    }
}

impl std::error::Error for DeployError {}

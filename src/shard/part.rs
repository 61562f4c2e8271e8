//! The part file a shard writes, and the checks that turn a set of parts into the values of
//! every unit of one run.
//!
//! A part carries its run's inputs in full (the checked playbooks, the options, the `--set` or
//! `--fail-if` texts), so `handoff merge` needs nothing but the parts, plus a fingerprint of
//! those inputs and of the `handoff` version, so parts of different runs are never merged.

use super::Shard;
use crate::ir::Playbook;
use crate::sim::{RepValues, SimOptions, Warmup};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `format` of a part file.
pub const FORMAT: &str = "handoff-part";

/// Version of the part format; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// One shard's partial result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Part {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// What the inputs and the version hash to ([`Inputs::fingerprint`]).
    pub fingerprint: String,
    /// Which shard wrote it.
    pub shard: Shard,
    /// Units of the whole run.
    pub units_total: u32,
    /// What ran.
    pub inputs: Inputs,
    /// The shard's units, in order.
    pub units: Vec<UnitValues>,
}

/// The values of one unit: one replication (two, base then candidate, for `compare`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitValues {
    /// The unit's number in the run: the replication, or `point × replications + replication`.
    pub unit: u32,
    /// Its replications' values.
    pub values: Vec<RepValues>,
}

/// The inputs of a sharded run, by command.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "lowercase")]
pub enum Inputs {
    /// `handoff simulate`.
    Simulate {
        /// `handoff` version that wrote the part.
        version: String,
        /// The checked playbook.
        playbook: Box<Playbook>,
        /// What was simulated.
        options: RunOptions,
    },
    /// `handoff compare`.
    Compare {
        /// `handoff` version that wrote the part.
        version: String,
        /// The base, as named and as checked.
        base: Side,
        /// The candidate.
        candidate: Side,
        /// What was simulated; `scenario` is the one both simulate.
        options: RunOptions,
        /// The `--fail-if` guardrails as written.
        fail_if: Vec<String>,
    },
    /// `handoff sweep`.
    Sweep {
        /// `handoff` version that wrote the part.
        version: String,
        /// The checked playbook before any `--set`.
        playbook: Box<Playbook>,
        /// The `--set` parameters as written.
        set: Vec<String>,
        /// What each point simulates.
        options: RunOptions,
    },
}

/// One side of a comparison.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Side {
    /// The name the report shows (a path, or `REV:PATH`).
    pub source: String,
    /// The checked playbook.
    pub playbook: Box<Playbook>,
}

/// The options that decide a run's values; the thread count does not, so it is not here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunOptions {
    /// Scenario name, if one was named.
    pub scenario: Option<String>,
    /// `--leads`.
    pub leads: Option<u64>,
    /// `--days`.
    pub days: Option<f64>,
    /// Replications of the run (of each point, for `sweep`).
    pub replications: u32,
    /// Master seed.
    pub seed: u64,
    /// `--max-events`.
    pub max_events: u64,
    /// `--max-leads-alive`.
    pub max_leads_alive: usize,
    /// The `--precision` targets as written, when the run chose its own count: the shards then
    /// run every replication up to the cap (`replications`) and `merge` applies the stopping
    /// rule to them in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub precision: Vec<String>,
    /// The warm-up the run decided before its shards ran, so `merge` reports it without a pilot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup: Option<Warmup>,
}

impl RunOptions {
    /// The options of a run.
    pub fn of(options: &SimOptions) -> RunOptions {
        RunOptions {
            scenario: options.scenario.clone(),
            leads: options.leads,
            days: options.days,
            replications: options.replications,
            seed: options.seed,
            max_events: options.max_events,
            max_leads_alive: options.max_leads_alive,
            precision: Vec::new(),
            warmup: options.warmup,
        }
    }

    /// The options with the `--precision` targets the run replicates to, if any.
    pub fn with_precision(self, precision: &[String]) -> RunOptions {
        RunOptions {
            precision: precision.to_vec(),
            ..self
        }
    }

    /// The simulator's options again, for building the report of merged parts (which
    /// simulates nothing, so one thread).
    pub fn to_options(&self) -> SimOptions {
        SimOptions {
            scenario: self.scenario.clone(),
            leads: self.leads,
            days: self.days,
            replications: self.replications,
            seed: self.seed,
            threads: 1,
            max_events: self.max_events,
            max_leads_alive: self.max_leads_alive,
            emit_events: false,
            warmup: self.warmup,
        }
    }
}

/// What a fingerprint covers, with each playbook by its IR fingerprint; also what a refusal to
/// merge compares to say what differs.
#[derive(Debug, Serialize)]
struct Covered<'a> {
    command: &'static str,
    version: &'a str,
    playbooks: Vec<(String, String)>,
    options: &'a RunOptions,
    set: &'a [String],
    fail_if: &'a [String],
}

impl Inputs {
    /// The command that ran.
    pub fn command(&self) -> &'static str {
        match self {
            Inputs::Simulate { .. } => "simulate",
            Inputs::Compare { .. } => "compare",
            Inputs::Sweep { .. } => "sweep",
        }
    }

    /// The options of the run.
    pub fn options(&self) -> &RunOptions {
        match self {
            Inputs::Simulate { options, .. }
            | Inputs::Compare { options, .. }
            | Inputs::Sweep { options, .. } => options,
        }
    }

    fn covered(&self) -> Covered<'_> {
        let named = |name: &str, p: &Playbook| (name.to_string(), p.fingerprint_hex());
        let (version, playbooks, set, fail_if): (&str, _, &[String], &[String]) = match self {
            Inputs::Simulate {
                version, playbook, ..
            } => (version, vec![named("playbook", playbook)], &[], &[]),
            Inputs::Compare {
                version,
                base,
                candidate,
                fail_if,
                ..
            } => (
                version,
                vec![
                    named(&base.source, &base.playbook),
                    named(&candidate.source, &candidate.playbook),
                ],
                &[],
                fail_if,
            ),
            Inputs::Sweep {
                version,
                playbook,
                set,
                ..
            } => (version, vec![named("playbook", playbook)], set, &[]),
        };
        Covered {
            command: self.command(),
            version,
            playbooks,
            options: self.options(),
            set,
            fail_if,
        }
    }

    /// SHA-256 of the command, the `handoff` version, each playbook's IR fingerprint and the
    /// options, as 64 hex digits.
    pub fn fingerprint(&self) -> String {
        let text = serde_json::to_string(&self.covered()).unwrap_or_default();
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// What differs between the inputs of two runs, in words (`seed`, `playbook`, ...).
    pub fn differences(&self, other: &Inputs) -> Vec<String> {
        let value = |i: &Inputs| serde_json::to_value(i.covered()).unwrap_or_default();
        let (a, b) = (value(self), value(other));
        let mut out = Vec::new();
        for key in ["command", "version", "playbooks", "set", "fail_if"] {
            if a.get(key) != b.get(key) {
                out.push(key.replace('_', "-"));
            }
        }
        let options = |v: &serde_json::Value| v.get("options").cloned().unwrap_or_default();
        if let (serde_json::Value::Object(x), y) = (options(&a), options(&b)) {
            out.extend(
                x.iter()
                    .filter(|(k, v)| y.get(k) != Some(v))
                    .map(|(k, _)| k.replace('_', "-")),
            );
        }
        out
    }
}

impl Part {
    /// A shard's part; the fingerprint is computed here.
    pub fn new(inputs: Inputs, shard: Shard, units_total: u32, units: Vec<UnitValues>) -> Part {
        Part {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            fingerprint: inputs.fingerprint(),
            shard,
            units_total,
            inputs,
            units,
        }
    }
}

/// Why parts cannot be merged, naming the parts at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeError(pub String);

impl std::fmt::Display for MergeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MergeError {}

/// Checks that `parts` (each with the name it is shown by) are every shard of one run, each
/// once, and returns the run's inputs and every unit's values in unit order.
pub fn assemble(parts: Vec<(String, Part)>) -> Result<(Inputs, Vec<Vec<RepValues>>), MergeError> {
    let Some((first_name, first)) = parts.first() else {
        return Err(MergeError("no part to merge".into()));
    };
    for (name, part) in &parts {
        check_one(name, part)?;
        if part.fingerprint != first.fingerprint
            || part.shard.count != first.shard.count
            || part.units_total != first.units_total
        {
            let mut what = first.inputs.differences(&part.inputs);
            if what.is_empty() {
                what.push("the number of shards or units".into());
            }
            return Err(MergeError(format!(
                "`{first_name}` and `{name}` are parts of different runs (they differ in {}): merge the parts of one run",
                what.join(", ")
            )));
        }
    }
    let count = first.shard.count;
    let mut by_index: Vec<Option<&str>> = vec![None; usize::try_from(count).unwrap_or(0)];
    for (name, part) in &parts {
        let slot = by_index
            .get_mut(usize::try_from(part.shard.index).unwrap_or(usize::MAX))
            .ok_or_else(|| MergeError(format!("`{name}` names shard {}", part.shard)))?;
        if let Some(earlier) = slot {
            return Err(MergeError(format!(
                "shard {} is given twice: `{earlier}` and `{name}`",
                part.shard
            )));
        }
        *slot = Some(name);
    }
    let missing: Vec<String> = (0..count)
        .zip(&by_index)
        .filter(|(_, name)| name.is_none())
        .map(|(i, _)| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError(format!(
            "shard{} {} of the run of `{first_name}` {} missing: merge needs all {count}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" },
        )));
    }
    let total = usize::try_from(first.units_total).unwrap_or(0);
    let mut parts = parts;
    parts.sort_by_key(|(_, p)| p.shard.index);
    let mut inputs = None;
    let mut units = Vec::with_capacity(total);
    for (_, part) in parts {
        units.extend(part.units.into_iter().map(|u| u.values));
        inputs.get_or_insert(part.inputs);
    }
    inputs
        .map(|inputs| (inputs, units))
        .ok_or_else(|| MergeError("no part to merge".into()))
}

/// Checks one part on its own: its format, that its inputs hash to its fingerprint, and that it
/// holds exactly its shard's units, each with as many replications as its command runs.
fn check_one(name: &str, part: &Part) -> Result<(), MergeError> {
    if part.format != FORMAT || part.format_version != FORMAT_VERSION {
        return Err(MergeError(format!(
            "`{name}` is a part of format `{}` version {}; this `handoff` merges `{FORMAT}` version {FORMAT_VERSION}",
            part.format, part.format_version
        )));
    }
    if part.inputs.fingerprint() != part.fingerprint {
        return Err(MergeError(format!(
            "`{name}` does not match its own fingerprint: the part was changed after it was written"
        )));
    }
    if Shard::new(part.shard.index, part.shard.count).is_err() {
        return Err(MergeError(format!(
            "`{name}` names shard {}, which no run has",
            part.shard
        )));
    }
    let per_unit = match part.inputs {
        Inputs::Compare { .. } => 2,
        _ => 1,
    };
    let expected = part.shard.range(part.units_total);
    let fits = part.units.len() == expected.len()
        && part
            .units
            .iter()
            .zip(expected)
            .all(|(u, n)| u.unit == n && u.values.len() == per_unit);
    if !fits {
        return Err(MergeError(format!(
            "`{name}` does not hold the units of shard {}: the part is damaged",
            part.shard
        )));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::sim::values::RepValues;

    fn options(seed: u64) -> RunOptions {
        RunOptions {
            scenario: None,
            leads: None,
            days: Some(3.0),
            replications: 5,
            seed,
            max_events: 1,
            max_leads_alive: 1,
            precision: Vec::new(),
            warmup: None,
        }
    }

    fn inputs(seed: u64) -> Inputs {
        let playbook = crate::check::compile(crate::span::FileId(0), "playbook probe {\n}\n")
            .playbook
            .unwrap();
        Inputs::Simulate {
            version: "0.1.0".into(),
            playbook: Box::new(playbook),
            options: options(seed),
        }
    }

    /// A part of shard `index` of 3 over 5 units, each unit's value its number.
    fn part(index: u32, seed: u64) -> (String, Part) {
        let shard = Shard::new(index, 3).unwrap();
        let units = shard
            .range(5)
            .map(|unit| UnitValues {
                unit,
                values: vec![RepValues {
                    leads_arrived: u64::from(unit),
                    events: 0,
                    overall: vec![f64::NAN],
                    queues: Vec::new(),
                    detail: None,
                }],
            })
            .collect();
        (
            format!("p{index}"),
            Part::new(inputs(seed), shard, 5, units),
        )
    }

    #[test]
    fn parts_in_any_order_give_every_unit_in_order() {
        let (_, units) = assemble(vec![part(2, 1), part(0, 1), part(1, 1)]).unwrap();
        let arrived: Vec<u64> = units.iter().map(|u| u[0].leads_arrived).collect();
        assert_eq!(arrived, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn a_part_that_does_not_hold_its_shard_s_units_is_refused() {
        let (name, mut damaged) = part(1, 1);
        damaged.units.pop();
        let e = assemble(vec![part(0, 1), (name, damaged), part(2, 1)]).unwrap_err();
        assert_eq!(
            e.0,
            "`p1` does not hold the units of shard 1/3: the part is damaged"
        );
    }

    #[test]
    fn what_differs_between_two_runs_is_named() {
        assert_eq!(inputs(1).differences(&inputs(2)), ["seed"]);
        assert_ne!(inputs(1).fingerprint(), inputs(2).fingerprint());
        let e = assemble(vec![part(0, 1), part(1, 2), part(2, 1)]).unwrap_err();
        assert!(e
            .0
            .contains("`p0` and `p1` are parts of different runs (they differ in seed)"));
    }
}

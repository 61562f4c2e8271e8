//! Shards of a simulation run: which share of the work a shard does, where a job scheduler says
//! which shard this is, and the part files that `handoff merge` turns into one report.
//!
//! A run's work is a list of units (a replication; for `sweep`, a point's replication), and
//! shard `i` of `n` takes the `i`-th of `n` contiguous blocks of it. Every replication draws
//! from its own streams, so a unit gives the same values whichever shard runs it, and the
//! merged report is the report of the run without shards, byte for byte.
//!
//! Pure: the environment is read through a lookup function the caller provides.

pub mod part;

use std::fmt;
use std::ops::Range;

/// Most shards one run may be cut into.
pub const MAX_SHARDS: u32 = 10_000;

/// The environment variable that gives the shard count of a Kubernetes Indexed Job (the Job's
/// `completions`), which Kubernetes does not pass to its pods itself.
pub const COUNT_VAR: &str = "HANDOFF_SHARD_COUNT";

/// One shard of a run: `index` counts from 0, as Kubernetes completion indexes and Slurm array
/// ids from 0 do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    /// Which shard, from 0.
    pub index: u32,
    /// How many shards the run is cut into.
    pub count: u32,
}

/// Why a shard could not be worked out; the message names the option or variable at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardError(pub String);

impl fmt::Display for ShardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ShardError {}

impl Shard {
    /// A shard from its index and count, both checked.
    pub fn new(index: u32, count: u32) -> Result<Shard, ShardError> {
        if !(1..=MAX_SHARDS).contains(&count) {
            return Err(ShardError(format!(
                "a run is cut into 1 to {MAX_SHARDS} shards, not {count}"
            )));
        }
        if index >= count {
            return Err(ShardError(format!(
                "shard {index} does not exist in a run of {count}: shards count from 0 to {}",
                count - 1
            )));
        }
        Ok(Shard { index, count })
    }

    /// Reads `I/N` (`0/3`, `1/3`, `2/3`) or `auto`; `auto` asks the job scheduler through
    /// `env`, with `count` (`--shard-count`) as the count of a Kubernetes Indexed Job.
    pub fn parse(
        text: &str,
        count: Option<u32>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Shard, ShardError> {
        if text == "auto" {
            return Shard::auto(count, env);
        }
        let bad = || {
            ShardError(format!(
                "`--shard {text}` is not `I/N` (shard I of N, counting from 0, e.g. `0/4`) or `auto`"
            ))
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index = i.trim().parse().map_err(|_| bad())?;
        let total = n.trim().parse().map_err(|_| bad())?;
        if count.is_some_and(|c| c != total) {
            return Err(ShardError(format!(
                "`--shard {text}` and `--shard-count` disagree on the number of shards"
            )));
        }
        Shard::new(index, total).map_err(|e| ShardError(format!("`--shard {text}`: {e}")))
    }

    /// The shard a job scheduler started: a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`,
    /// with the count from `count` or [`COUNT_VAR`]) or a Slurm array job
    /// (`SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_STEP` and
    /// `SLURM_ARRAY_TASK_COUNT`).
    pub fn auto(
        count: Option<u32>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Shard, ShardError> {
        match (env("JOB_COMPLETION_INDEX"), env("SLURM_ARRAY_TASK_ID")) {
            (Some(_), Some(_)) => Err(ShardError(
                "`--shard auto` found both `JOB_COMPLETION_INDEX` (Kubernetes) and `SLURM_ARRAY_TASK_ID` (Slurm): give `--shard I/N`".into(),
            )),
            (Some(index), None) => {
                let index = number("JOB_COMPLETION_INDEX", &index)?;
                let count = match (count, env(COUNT_VAR)) {
                    (Some(c), _) => c,
                    (None, Some(c)) => number(COUNT_VAR, &c)?,
                    (None, None) => {
                        return Err(ShardError(format!(
                            "`--shard auto` in a Kubernetes Indexed Job needs the shard count: give `--shard-count N` or set `{COUNT_VAR}` to the Job's `completions`"
                        )))
                    }
                };
                Shard::new(index, count).map_err(|e| ShardError(format!("`--shard auto`: {e}")))
            }
            (None, Some(id)) => slurm(&id, count, env),
            (None, None) => Err(ShardError(
                "`--shard auto` found neither `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job) nor `SLURM_ARRAY_TASK_ID` (a Slurm array job): give `--shard I/N`".into(),
            )),
        }
    }

    /// The units of `total` this shard runs: the `index`-th of `count` contiguous blocks, the
    /// blocks differing in size by one at most (and empty when there are more shards than
    /// units).
    pub fn range(&self, total: u32) -> Range<u32> {
        let edge = |i: u32| {
            let at = u64::from(i) * u64::from(total) / u64::from(self.count.max(1));
            u32::try_from(at).unwrap_or(total)
        };
        edge(self.index)..edge(self.index + 1)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A Slurm array task as a shard: its id's place among the array's ids.
fn slurm(
    id: &str,
    count: Option<u32>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Shard, ShardError> {
    let id = number("SLURM_ARRAY_TASK_ID", id)?;
    let min = env("SLURM_ARRAY_TASK_MIN").map_or(Ok(0), |v| number("SLURM_ARRAY_TASK_MIN", &v))?;
    let step = env("SLURM_ARRAY_TASK_STEP")
        .map_or(Ok(1), |v| number("SLURM_ARRAY_TASK_STEP", &v))?
        .max(1);
    let total = match (count, env("SLURM_ARRAY_TASK_COUNT")) {
        (Some(c), _) => c,
        (None, Some(c)) => number("SLURM_ARRAY_TASK_COUNT", &c)?,
        (None, None) => {
            return Err(ShardError(
                "`--shard auto` in a Slurm array job needs `SLURM_ARRAY_TASK_COUNT` (Slurm sets it) or `--shard-count N`".into(),
            ))
        }
    };
    let offset = id.checked_sub(min).filter(|o| o % step == 0).ok_or_else(|| {
        ShardError(format!(
            "`SLURM_ARRAY_TASK_ID` {id} is not in the array from `SLURM_ARRAY_TASK_MIN` {min} by `SLURM_ARRAY_TASK_STEP` {step}"
        ))
    })?;
    Shard::new(offset / step, total).map_err(|e| {
        ShardError(format!(
            "`--shard auto` (Slurm array task {id}, first task {min}): {e}; an array of N tasks is `--array=0-{}` for N = {total}",
            total.saturating_sub(1)
        ))
    })
}

/// A whole number from an environment variable.
fn number(var: &str, value: &str) -> Result<u32, ShardError> {
    value.trim().parse().map_err(|_| {
        ShardError(format!(
            "`{var}` is `{value}`, not a whole number from 0 to {}",
            u32::MAX
        ))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[test]
    fn blocks_cover_every_unit_once_in_order() {
        for total in [0, 1, 2, 5, 20, 97] {
            for count in [1, 3, 7, 40] {
                let mut next = 0;
                for index in 0..count {
                    let r = Shard::new(index, count).unwrap().range(total);
                    assert_eq!(r.start, next);
                    assert!(r.len() as u32 <= total / count + 1);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn written_shards_are_checked() {
        let none = env(&[]);
        assert_eq!(
            Shard::parse("2/3", None, &none).unwrap(),
            Shard { index: 2, count: 3 }
        );
        for bad in ["3/3", "0/0", "1", "a/3", "-1/3", "1/20000"] {
            let e = Shard::parse(bad, None, &none).unwrap_err().0;
            assert!(e.starts_with(&format!("`--shard {bad}`")), "{e}");
        }
        assert!(Shard::parse("1/3", Some(4), &none).is_err());
    }

    #[test]
    fn kubernetes_gives_the_index_and_the_count_comes_from_the_job() {
        let k8s = env(&[("JOB_COMPLETION_INDEX", "4"), (COUNT_VAR, "7")]);
        assert_eq!(
            Shard::parse("auto", None, &k8s).unwrap(),
            Shard { index: 4, count: 7 }
        );
        assert_eq!(
            Shard::parse("auto", Some(5), &k8s).unwrap(),
            Shard { index: 4, count: 5 }
        );
        let no_count = env(&[("JOB_COMPLETION_INDEX", "4")]);
        let e = Shard::parse("auto", None, &no_count).unwrap_err().0;
        assert!(e.contains("--shard-count") && e.contains(COUNT_VAR), "{e}");
    }

    #[test]
    fn slurm_ids_count_from_the_first_task_of_the_array() {
        let from_one = env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ]);
        assert_eq!(
            Shard::parse("auto", None, &from_one).unwrap(),
            Shard { index: 2, count: 3 }
        );
        let stepped = env(&[
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ]);
        assert_eq!(
            Shard::parse("auto", None, &stepped).unwrap(),
            Shard { index: 2, count: 3 }
        );
        let outside = env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ]);
        let e = Shard::parse("auto", None, &outside).unwrap_err().0;
        assert!(e.contains("--array=0-2"), "{e}");
    }

    #[test]
    fn auto_without_a_scheduler_or_with_two_is_refused() {
        assert!(Shard::parse("auto", None, &env(&[]))
            .unwrap_err()
            .0
            .contains("neither"));
        let both = env(&[("JOB_COMPLETION_INDEX", "0"), ("SLURM_ARRAY_TASK_ID", "0")]);
        assert!(Shard::parse("auto", None, &both)
            .unwrap_err()
            .0
            .contains("both"));
    }
}

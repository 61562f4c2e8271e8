//! `--shard I/N` and `handoff merge`: the merged report of a run cut into 1, 3 or 7 shards is
//! the report of the run without shards, byte for byte, on standard output in every format and
//! in every file of `--out`; a replication gives the same values whichever shard runs it; and
//! parts that are not every shard of one run, once each, are refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod cli_support;
use cli_support::{handoff, stderr};

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

const SEED: &str = "playbooks/seed-matrix.playbook";
const SHARDS: [u32; 3] = [1, 3, 7];

/// Runs `handoff ARGS` from the crate root, asserting its exit code, and returns its output.
fn ok(args: &[&str], code: i32) -> std::process::Output {
    let out = handoff()
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
    out
}

/// Every file of a directory by name, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Runs the command's shards `0/n` to `n-1/n`, each writing its part into `dir`, and returns
/// the parts in shard order.
fn shards(run: &[&str], n: u32, dir: &Path) -> Vec<PathBuf> {
    fs::create_dir_all(dir).unwrap();
    (0..n)
        .map(|i| {
            let shard = format!("{i}/{n}");
            let mut args = run.to_vec();
            args.extend(["--shard", &shard, "--part", dir.to_str().unwrap()]);
            let out = ok(&args, 0);
            assert!(out.stdout.is_empty(), "a shard prints no report");
            dir.join(format!("part-{i}-of-{n}.json"))
        })
        .collect()
}

/// The values of every unit of a set of parts, by unit number.
fn units(parts: &[PathBuf]) -> BTreeMap<u64, serde_json::Value> {
    let mut all = BTreeMap::new();
    for part in parts {
        let json: serde_json::Value = serde_json::from_slice(&fs::read(part).unwrap()).unwrap();
        for unit in json["units"].as_array().unwrap() {
            let n = unit["unit"].as_u64().unwrap();
            assert!(all.insert(n, unit["values"].clone()).is_none());
        }
    }
    all
}

/// For 1, 3 and 7 shards: every unit has the same values whichever shard ran it, and `merge`
/// writes what `run` writes without shards, in every format and into `--out`.
fn merges_byte_for_byte(run: &[&str], formats: &[&str], expected_exit: i32) {
    let tmp = tempfile::tempdir().unwrap();
    let whole_out = tmp.path().join("whole");
    let mut whole = Vec::new();
    for (i, format) in formats.iter().enumerate() {
        let mut args = run.to_vec();
        args.extend(["--format", format]);
        if i == 0 {
            args.extend(["--out", whole_out.to_str().unwrap()]);
        }
        whole.push(ok(&args, expected_exit).stdout);
    }
    let mut first_units = None;
    for n in SHARDS {
        let parts = shards(run, n, &tmp.path().join(format!("parts-{n}")));
        let units = units(&parts);
        match &first_units {
            None => first_units = Some(units),
            Some(first) => assert!(first == &units, "a unit's values depend on its shard"),
        }
        // Parts in reverse order: merge sorts them by shard.
        let parts: Vec<&str> = parts.iter().rev().map(|p| p.to_str().unwrap()).collect();
        for (i, format) in formats.iter().enumerate() {
            let merged_out = tmp.path().join(format!("merged-{n}"));
            let mut args = vec!["merge"];
            args.extend(&parts);
            args.extend(["--format", format]);
            if i == 0 {
                args.extend(["--out", merged_out.to_str().unwrap()]);
            }
            let merged = ok(&args, expected_exit);
            assert!(
                merged.stdout == whole[i],
                "{n} shards, --format {format}:\n{}\n---\n{}",
                String::from_utf8_lossy(&merged.stdout),
                String::from_utf8_lossy(&whole[i])
            );
            if i == 0 {
                let (a, b) = (files(&whole_out), files(&merged_out));
                assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
                for (name, bytes) in &a {
                    assert!(bytes == &b[name], "{n} shards: `{name}` differs");
                }
            }
        }
    }
}

#[test]
fn a_sharded_simulation_merges_into_the_same_report() {
    merges_byte_for_byte(
        &[
            "simulate",
            SEED,
            "--days",
            "6",
            "--replications",
            "5",
            "--seed",
            "11",
        ],
        &["json", "table", "csv"],
        0,
    );
}

#[test]
fn a_sharded_comparison_merges_into_the_same_report_and_guardrails() {
    let tmp = tempfile::tempdir().unwrap();
    let candidate = tmp.path().join("candidate.playbook");
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED)).unwrap();
    fs::write(&candidate, text.replace("  sla 15m", "  sla 2h")).unwrap();
    merges_byte_for_byte(
        &[
            "compare",
            SEED,
            candidate.to_str().unwrap(),
            "--days",
            "6",
            "--replications",
            "4",
            // Breached (the exit code is merged too) and held.
            "--fail-if",
            "sla_attainment < 100%",
            "--fail-if",
            "meetings < -1000",
        ],
        &["json", "table", "markdown"],
        1,
    );
}

#[test]
fn a_sharded_sweep_merges_into_the_same_report() {
    // Two points of three replications: six units, so seven shards leave one empty.
    merges_byte_for_byte(
        &[
            "sweep",
            SEED,
            "--set",
            "sla.hand_raise=5m,30m",
            "--days",
            "4",
            "--replications",
            "3",
        ],
        &["json", "table", "csv"],
        0,
    );
}

const SMALL_RUN: [&str; 6] = ["--days", "3", "--replications", "3", "--seed", "5"];

/// The parts of a small simulation cut in three, and one more with another seed.
fn small_parts(dir: &Path) -> (Vec<String>, String) {
    let mut run = vec!["simulate", SEED];
    run.extend(SMALL_RUN);
    let parts = shards(&run, 3, dir)
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    let other = dir.join("other-seed.json");
    let mut args = vec!["simulate", SEED, "--days", "3", "--replications", "3"];
    args.extend([
        "--seed",
        "6",
        "--shard",
        "1/3",
        "--part",
        other.to_str().unwrap(),
    ]);
    ok(&args, 0);
    (parts, other.to_str().unwrap().to_string())
}

fn refused(parts: &[&str]) -> String {
    let mut args = vec!["merge"];
    args.extend(parts);
    let out = ok(&args, 2);
    assert!(out.stdout.is_empty());
    stderr(&out)
}

#[test]
fn parts_of_different_runs_a_missing_shard_or_a_shard_twice_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (p, other) = small_parts(tmp.path());
    let e = refused(&[&p[0], &other, &p[2]]);
    assert!(
        e.contains(&format!(
            "`{}` and `{other}` are parts of different runs",
            p[0]
        )) && e.contains("seed"),
        "{e}"
    );
    let e = refused(&[&p[0], &p[2]]);
    assert!(
        e.contains("shard 1/3") && e.contains("missing") && e.contains(&p[0]),
        "{e}"
    );
    let e = refused(&[&p[0], &p[1], &p[2], &p[1]]);
    assert!(
        e.contains(&format!(
            "shard 1/3 is given twice: `{}` and `{}`",
            p[1], p[1]
        )),
        "{e}"
    );
    let e = refused(&[&p[0], &p[1], &p[2], "--format", "markdown"]);
    assert!(e.contains("not a format of `simulate`"), "{e}");
}

#[test]
fn a_part_changed_after_it_was_written_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (p, _) = small_parts(tmp.path());
    let mut json: serde_json::Value = serde_json::from_slice(&fs::read(&p[1]).unwrap()).unwrap();
    json["inputs"]["options"]["seed"] = 99.into();
    fs::write(&p[1], serde_json::to_vec(&json).unwrap()).unwrap();
    let e = refused(&[&p[0], &p[1], &p[2]]);
    assert!(
        e.contains(&format!("`{}` does not match its own fingerprint", p[1])),
        "{e}"
    );
    fs::write(&p[1], "not json").unwrap();
    let e = refused(&[&p[0], &p[1], &p[2]]);
    assert!(e.contains("is not a part written by `--shard`"), "{e}");
}

/// `--shard auto` reads Slurm's and Kubernetes' variables and writes the part `I/N` writes.
#[test]
fn shard_auto_takes_the_shard_from_the_job_scheduler() {
    let tmp = tempfile::tempdir().unwrap();
    let mut run = vec!["simulate", SEED];
    run.extend(SMALL_RUN);
    let written = |args: &[&str], env: &[(&str, &str)], name: &str| {
        let path = tmp.path().join(name);
        let out = handoff()
            .args(&run)
            .args(args)
            .args(["--part", path.to_str().unwrap()])
            .env_remove("JOB_COMPLETION_INDEX")
            .env_remove("SLURM_ARRAY_TASK_ID")
            .envs(env.iter().copied())
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        fs::read(path).unwrap()
    };
    let explicit = written(&["--shard", "1/3"], &[], "explicit.json");
    let slurm = written(
        &["--shard", "auto"],
        &[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ],
        "slurm.json",
    );
    let kubernetes = written(
        &["--shard", "auto"],
        &[("JOB_COMPLETION_INDEX", "1"), ("HANDOFF_SHARD_COUNT", "3")],
        "kubernetes.json",
    );
    let counted = written(
        &["--shard", "auto", "--shard-count", "3"],
        &[("JOB_COMPLETION_INDEX", "1")],
        "counted.json",
    );
    assert!(explicit == slurm && explicit == kubernetes && explicit == counted);
}

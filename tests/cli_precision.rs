//! `--precision KPI=HALF_WIDTH` on `simulate`, `compare` and `sweep`: replications run in blocks
//! until the named 95% half-widths hold, the report says how many it took, and the output is the
//! same for any thread count.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod cli_support;
use cli_support::{run, stderr, stdout};

use handoff::sim::precision::{BLOCK, FIRST_BLOCK};
use std::path::PathBuf;
use std::process::Output;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const SEED: &str = "playbooks/seed-matrix.playbook";

fn handoff(args: &[&str]) -> Output {
    run(args, &repo())
}

fn json(out: &Output) -> serde_json::Value {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    serde_json::from_str(&stdout(out)).unwrap()
}

/// Replication counts the rule can stop at: the first block, then whole blocks (or the cap).
fn on_a_block_boundary(n: u64) -> bool {
    n >= u64::from(FIRST_BLOCK) && (n - u64::from(FIRST_BLOCK)).is_multiple_of(u64::from(BLOCK))
}

#[test]
fn simulate_replicates_until_the_target_holds_whatever_the_thread_count() {
    let args = |threads| {
        let mut a = vec!["simulate", SEED, "--days", "10", "--format", "json"];
        a.extend(["--precision", "leakage=1.5pp", "--threads", threads]);
        handoff(&a)
    };
    let (one, two) = (args("1"), args("2"));
    assert_eq!(stdout(&one), stdout(&two));
    let doc = json(&one);
    let precision = &doc["precision"];
    let n = precision["replications"].as_u64().unwrap();
    assert_eq!(doc["inputs"]["replications"].as_u64(), Some(n));
    assert!(on_a_block_boundary(n), "{precision}");
    assert_eq!(precision["capped"], false);
    assert_eq!(precision["rule"]["max_replications"], 100);
    let leakage = &precision["targets"][0];
    assert_eq!(leakage["kpi"], "leakage");
    assert_eq!(leakage["target"]["kind"], "absolute");
    assert_eq!(leakage["target"]["value"], 0.015);
    assert!(
        leakage["half_width"].as_f64().unwrap() <= 0.015,
        "{leakage}"
    );
    assert_eq!(leakage["met"], true);
    assert!(stderr(&one).contains(&format!("engine events in {n} replications")));
}

#[test]
fn a_run_that_stops_at_n_reports_what_n_fixed_replications_report() {
    let common = ["simulate", SEED, "--days", "10", "--format", "json"];
    let precise = json(&handoff(
        &[&common[..], &["--precision", "leakage=1.5pp"]].concat(),
    ));
    let n = precise["precision"]["replications"]
        .as_u64()
        .unwrap()
        .to_string();
    let fixed = json(&handoff(&[&common[..], &["--replications", &n]].concat()));
    let mut without = precise.clone();
    without.as_object_mut().unwrap().remove("precision");
    assert_eq!(without, fixed);
}

#[test]
fn the_cap_stops_a_target_too_tight_to_reach_and_says_so() {
    let out = handoff(&[
        "simulate",
        SEED,
        "--days",
        "10",
        "--precision",
        "leakage=0.01pp",
        "--max-replications",
        "12",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("seed_matrix · scenario `baseline` · 12 replications"));
    assert!(
        text.contains("precision: stopped at the cap of 12 replications"),
        "{text}"
    );
    assert!(text.contains("leakage    ±0.01 pp"), "{text}");
    assert!(stderr(&out).contains(
        "note: simulate: stopped at the cap of 12 replications before every target held (`leakage` reached"
    ));
}

#[test]
fn compare_judges_the_paired_change() {
    // A playbook against itself changes by exactly zero in every replication: the first block
    // settles any target on the change, however tight.
    let out = handoff(&[
        "compare",
        SEED,
        SEED,
        "--days",
        "10",
        "--precision",
        "leakage=0.01pp,speed_to_lead.median=1s",
        "--format",
        "json",
    ]);
    let doc = json(&out);
    assert_eq!(doc["replications"].as_u64(), Some(u64::from(FIRST_BLOCK)));
    assert_eq!(doc["precision"]["replications"], doc["replications"]);
    for t in doc["precision"]["targets"].as_array().unwrap() {
        assert_eq!(t["half_width"], 0.0, "{t}");
        assert_eq!(t["met"], true);
    }
    let dir = tempfile::tempdir().unwrap();
    let md = handoff(&[
        "compare",
        SEED,
        SEED,
        "--days",
        "10",
        "--precision",
        "leakage=0.01pp",
        "--format",
        "markdown",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("Precision: 10 paired replications"), "{html}");
    let text = stdout(&md);
    assert!(text.contains(&format!(
        "**Precision:** {FIRST_BLOCK} paired replications, until every 95% half-width held"
    )));
    assert!(
        text.contains("| leakage | ±0.01 pp | ±0.00 pp | held |"),
        "{text}"
    );
}

#[test]
fn sweep_stops_each_point_on_its_own_whatever_the_thread_count() {
    let args = |threads, format| {
        handoff(&[
            "sweep",
            SEED,
            "--set",
            "sellers.inbound_sdr=2,6",
            "--days",
            "10",
            "--precision",
            "leakage=2pp",
            "--threads",
            threads,
            "--format",
            format,
        ])
    };
    let (one, two) = (args("1", "json"), args("2", "json"));
    assert_eq!(stdout(&one), stdout(&two));
    let doc = json(&one);
    let points = doc["points"].as_array().unwrap();
    let counts: Vec<u64> = points
        .iter()
        .map(|p| p["precision"]["replications"].as_u64().unwrap())
        .collect();
    assert!(counts.iter().all(|&n| on_a_block_boundary(n)), "{counts:?}");
    assert_eq!(doc["replications"].as_u64(), counts.iter().max().copied());
    let table = stdout(&args("2", "table"));
    assert!(table.contains(&format!(
        "up to {} replications per point",
        counts.iter().max().unwrap()
    )));
    assert!(table.contains("precision: 95% half-widths reached per point against `leakage` ±2.00 pp (first 10, then blocks of 5, at most 100)"), "{table}");
    assert!(table.contains("\nreplications "), "{table}");
}

/// Runs `command` without shards and as two shards merged: the same report, byte for byte.
fn shards_merge_into_the_unsharded_report(command: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let part_dir = dir.path().to_str().unwrap();
    let whole = handoff(&[command, &["--format", "json"]].concat());
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));
    for shard in ["0/2", "1/2"] {
        let out = handoff(&[command, &["--shard", shard, "--part", part_dir]].concat());
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let parts: Vec<String> = (0..2)
        .map(|i| format!("{part_dir}/part-{i}-of-2.json"))
        .collect();
    let mut merge = vec!["merge", "--format", "json"];
    merge.extend(parts.iter().map(String::as_str));
    let merged = handoff(&merge);
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
    assert_eq!(stdout(&merged), stdout(&whole), "{command:?}");
}

#[test]
fn sharded_runs_apply_the_rule_when_merged() {
    let precise = [
        "--days",
        "5",
        "--precision",
        "leakage=3pp",
        "--max-replications",
        "20",
    ];
    shards_merge_into_the_unsharded_report(&[&["simulate", SEED][..], &precise].concat());
    shards_merge_into_the_unsharded_report(&[&["compare", SEED, SEED][..], &precise].concat());
    let sweep = ["sweep", SEED, "--set", "sellers.inbound_sdr=3,6"];
    shards_merge_into_the_unsharded_report(&[&sweep[..], &precise].concat());
}

#[test]
fn bad_precision_options_are_usage_errors() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["--precision", "leakag=1pp"],
            "unknown kpi `leakag`; did you mean `leakage`?",
        ),
        (&["--precision", "leakage=2"], "percentage points"),
        (
            &["--precision", "leakage", "--replications", "5"],
            "cannot be used with",
        ),
        (
            &["--precision", "leakage", "--max-replications", "1"],
            "must be 2 to 10000",
        ),
        (&["--max-replications", "5"], "--precision"),
    ];
    for (extra, message) in cases {
        let mut args = vec!["simulate", SEED, "--days", "1"];
        args.extend_from_slice(extra);
        let out = handoff(&args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(
            stderr(&out).contains(message),
            "{extra:?}: {}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty());
    }
}

//! Issue 25, item 4 at run time, as `handoff simulate` shows it: the growth warning on the
//! shipped seed playbook (its `understaffed` scenario grows, its `baseline` does not), the
//! warm-up's method in every report, `--warm-up`, and one warm-up across the parts of a
//! sharded run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod cli_support;
use cli_support::{run, stderr, stdout};

use std::path::PathBuf;
use std::process::Output;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const SEED: &str = "playbooks/seed-matrix.playbook";

fn simulate(extra: &[&str]) -> Output {
    let mut args = vec!["simulate", SEED];
    args.extend_from_slice(extra);
    let out = run(&args, &repo());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    out
}

fn growth_warnings(out: &Output) -> Vec<String> {
    stderr(out)
        .lines()
        .filter(|l| l.contains(" grows in scenario "))
        .map(str::to_string)
        .collect()
}

/// The reproducer of issue 25: `understaffed` is bound by `capacity` with its sellers mostly
/// idle, so a threshold on utilisation never fired; the trend test does, and the stable
/// `baseline` stays quiet over the same span.
#[test]
fn the_understaffed_scenario_grows_and_the_baseline_does_not() {
    let common = ["--days", "60", "--replications", "5"];
    let under = simulate(&[&common[..], &["--scenario", "understaffed"]].concat());
    let warnings = growth_warnings(&under);
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with(
                "warning: simulate: queue `enterprise_ae` grows in scenario `understaffed`: about "
            ) && w.contains("one-sided t-test on the slopes of 5 replications")),
        "{}",
        stderr(&under)
    );
    let baseline = simulate(&[&common[..], &["--scenario", "baseline"]].concat());
    assert_eq!(growth_warnings(&baseline), Vec::<String>::new());
}

#[test]
fn every_report_says_how_the_warm_up_was_chosen() {
    let quick = ["--days", "15", "--replications", "2"];
    let chosen = simulate(&quick);
    let header = stdout(&chosen).lines().nth(1).unwrap().to_string();
    assert!(
        header.contains(" are warm-up, chosen by MSER-5) · "),
        "{header}"
    );
    let given = simulate(&[&quick[..], &["--warm-up", "3d", "--format", "json"]].concat());
    let doc: serde_json::Value = serde_json::from_str(&stdout(&given)).unwrap();
    assert_eq!(doc["inputs"]["warmup_secs"], 3 * 86_400);
    assert_eq!(doc["inputs"]["warmup_method"], "option");
    let text = simulate(&[&quick[..], &["--warm-up", "0d"]].concat());
    assert!(
        stdout(&text).contains("(first 0.0d are warm-up, set by `--warm-up`)"),
        "{}",
        stdout(&text)
    );
}

#[test]
fn a_warm_up_as_long_as_the_run_is_an_error() {
    let out = run(
        &["simulate", SEED, "--days", "10", "--warm-up", "2w"],
        &repo(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "error: the warm-up of 14.0 days set by `--warm-up` is not shorter than the 10.0 days simulated"
        ),
        "{}",
        stderr(&out)
    );
    let bad = run(&["simulate", SEED, "--warm-up", "14"], &repo());
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("`--warm-up` must be a duration"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn every_part_of_a_sharded_run_records_the_same_warm_up() {
    let tmp = tempfile::tempdir().unwrap();
    let warmups: Vec<serde_json::Value> = (0..2)
        .map(|i| {
            let part = tmp.path().join(format!("part-{i}.json"));
            let shard = format!("{i}/2");
            let out = run(
                &[
                    "simulate",
                    SEED,
                    "--days",
                    "15",
                    "--replications",
                    "2",
                    "--shard",
                    &shard,
                    "--part",
                    part.to_str().unwrap(),
                ],
                &repo(),
            );
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            let doc: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&part).unwrap()).unwrap();
            doc["inputs"]["options"]["warmup"].clone()
        })
        .collect();
    assert_eq!(warmups[0], warmups[1]);
    assert_eq!(warmups[0]["method"], "mser-5");
    assert!(warmups[0]["secs"].is_i64());
}

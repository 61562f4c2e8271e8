#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! `handoff simulate --format json` on every scenario of every shipped playbook at a fixed seed,
//! as insta snapshots: a change to the simulator that changes a single figure shows here, so
//! "same output" is enforced by the repository rather than claimed.
//!
//! The spans are short (a few simulated weeks, two replications) to keep a debug build quick;
//! every mechanism of the simulator runs within them.

mod cli_support;
use cli_support::{run, stderr, stdout};

use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every (playbook, scenario, days) the snapshots cover: each scenario of each shipped playbook.
const RUNS: &[(&str, &str, &str)] = &[
    ("enterprise-abm", "quarter_two_territories", "20"),
    ("inbound-plg", "steady_state", "20"),
    ("mmc", "mmc", "20"),
    ("seed-matrix", "baseline", "20"),
    ("seed-matrix", "scale", "3"),
    ("seed-matrix", "understaffed", "20"),
];

#[test]
fn simulate_json_at_a_fixed_seed() {
    for (playbook, scenario, days) in RUNS {
        let path = format!("playbooks/{playbook}.playbook");
        let out = run(
            &[
                "simulate",
                &path,
                "--scenario",
                scenario,
                "--days",
                days,
                "--replications",
                "2",
                "--seed",
                "11",
                "--format",
                "json",
            ],
            &repo(),
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        insta::assert_snapshot!(format!("simulate_{playbook}_{scenario}"), stdout(&out));
    }
}

/// Every shipped scenario is in [`RUNS`], so a new one cannot go unsnapshotted.
#[test]
fn every_shipped_scenario_is_snapshotted() {
    let mut shipped = Vec::new();
    for entry in std::fs::read_dir(repo().join("playbooks")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "playbook") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let src = std::fs::read_to_string(&path).unwrap();
        let compiled = handoff::check::compile(handoff::span::FileId(0), &src);
        for scenario in compiled.playbook.unwrap().scenarios {
            shipped.push((stem.clone(), scenario.name));
        }
    }
    shipped.sort();
    let covered: Vec<(String, String)> = RUNS
        .iter()
        .map(|(p, s, _)| (p.to_string(), s.to_string()))
        .collect();
    assert_eq!(shipped, covered);
}

//! The three HTML reports as a user makes them: `simulate`, `compare` and `sweep` with `--out`,
//! run through the real binary on the shipped playbooks, kept small so tests stay fast.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The playbook every report is made from.
pub const SEED: &str = "playbooks/seed-matrix.playbook";

/// Runs `handoff ARGS` from the repository root, never coloured.
pub fn handoff(args: &[&str]) -> Output {
    assert_cmd::cargo::cargo_bin_cmd!("handoff")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap()
}

/// Runs `handoff ARGS`, asserting exit code 0, and returns standard output and error.
pub fn ok(args: &[&str]) -> (String, String) {
    let out = handoff(args);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}\n{stdout}\n{stderr}");
    (stdout, stderr)
}

/// A copy of the seed matrix with one seller fewer in `inbound_sdr`, so `compare` has
/// significant changes to show.
pub fn candidate(dir: &Path) -> PathBuf {
    let original = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED)).unwrap();
    let text = original.replacen(
        "staff inbound_sdr {\n    sellers 8\n",
        "staff inbound_sdr {\n    sellers 1\n",
        1,
    );
    assert_ne!(text, original, "the candidate must take sellers away");
    let path = dir.join("candidate.playbook");
    fs::write(&path, text).unwrap();
    path
}

/// Which report to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `simulate --out`.
    Simulate,
    /// `compare BASE CANDIDATE --out`.
    Compare,
    /// `sweep --set A --set B --out`, two parameters so the table is wide.
    Sweep,
}

/// Every kind of report.
pub const KINDS: [Kind; 3] = [Kind::Simulate, Kind::Compare, Kind::Sweep];

/// Makes the report of `kind` with `replications` into `dir/<kind>` and returns that directory.
pub fn report(kind: Kind, dir: &Path, replications: &str) -> PathBuf {
    let out = dir.join(format!("{kind:?}").to_lowercase());
    let out_arg = out.to_str().unwrap().to_string();
    let small = ["--replications", replications, "--days", "10"];
    match kind {
        Kind::Simulate => {
            let mut args = vec!["simulate", SEED, "--out", &out_arg];
            args.extend(small);
            ok(&args);
        }
        Kind::Compare => {
            let cand = candidate(dir);
            let cand = cand.to_str().unwrap();
            let mut args = vec!["compare", SEED, cand, "--out", &out_arg];
            args.extend(small);
            ok(&args);
        }
        Kind::Sweep => {
            let mut args = vec![
                "sweep",
                SEED,
                "--set",
                "sellers.inbound_sdr=2..4",
                "--set",
                "sla.hand_raise=5m,15m,30m",
                "--out",
                &out_arg,
            ];
            args.extend(small);
            ok(&args);
        }
    }
    out
}

/// The report page of an `--out` directory.
pub fn page(dir: &Path) -> String {
    fs::read_to_string(dir.join("report.html")).unwrap()
}

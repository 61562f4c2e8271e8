//! `handoff simulate --out DIR`: every file is there and valid (SVG and HTML parse as XML, the
//! CSV has one row per KPI and group, the JSON has its version), and the files are the same
//! bytes on every run and for any thread count.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::path::{Path, PathBuf};

const SEED: &str = "playbooks/seed-matrix.playbook";

const FILES: [&str; 8] = [
    "summary.json",
    "kpis.csv",
    "cdf-by-band.svg",
    "sla-by-queue.svg",
    "funnel.svg",
    "leakage-over-time.svg",
    "queue-length-over-time.svg",
    "report.html",
];

const CHARTS: [&str; 5] = [
    "cdf-by-band.svg",
    "sla-by-queue.svg",
    "funnel.svg",
    "leakage-over-time.svg",
    "queue-length-over-time.svg",
];

/// Runs a small simulation writing into `dir` and returns its standard error.
fn simulate(dir: &Path, threads: &str) -> String {
    let out = assert_cmd::cargo::cargo_bin_cmd!("handoff")
        .args([
            "simulate",
            SEED,
            "--days",
            "20",
            "--replications",
            "3",
            "--seed",
            "7",
            "--threads",
            threads,
            "--out",
            dir.to_str().unwrap(),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    stderr
}

fn read(dir: &Path, file: &str) -> String {
    fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn run_into(parent: &tempfile::TempDir, name: &str, threads: &str) -> PathBuf {
    let dir = parent.path().join(name);
    let stderr = simulate(&dir, threads);
    assert!(!stderr.contains("skipped"), "{stderr}");
    dir
}

#[test]
fn out_writes_every_file_valid() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_into(&tmp, "out", "2");
    for file in FILES {
        let bytes = fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!bytes.is_empty(), "{file} is empty");
    }
    for chart in CHARTS {
        let text = read(&dir, chart);
        let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{chart}: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg", "{chart}");
        assert!(text.contains("<svg"), "{chart}");
    }

    let summary: serde_json::Value = serde_json::from_str(&read(&dir, "summary.json")).unwrap();
    assert_eq!(summary["format_version"], 1);
    let kpis: Vec<&str> = summary["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(kpis.len(), handoff::sim::kpi::ROWS.len());

    let html = read(&dir, "report.html");
    let doc = roxmltree::Document::parse_with_options(
        &html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..roxmltree::ParsingOptions::default()
        },
    )
    .unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "html");
    assert_eq!(
        doc.descendants()
            .filter(|n| n.tag_name().name() == "svg")
            .count(),
        CHARTS.len()
    );
    assert!(html.contains("seed_matrix"));
    assert!(html.contains("<td>7</td>"), "the seed is shown");
    for kpi in &kpis {
        assert!(html.contains(kpi), "{kpi} missing from report.html");
    }

    let csv = read(&dir, "kpis.csv");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("kpi,group,unit,mean,ci_low,ci_high,n"));
    let groups = |key: &str| summary[key].as_array().unwrap().clone();
    let mut expected = Vec::new();
    for kpi in &kpis {
        expected.push(format!("{kpi},"));
        for (key, prefix) in [("by_band", "band "), ("by_queue", "queue ")] {
            for g in groups(key) {
                if g["kpis"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|k| k["name"] == *kpi)
                {
                    expected.push(format!("{kpi},{prefix}{},", g["name"].as_str().unwrap()));
                }
            }
        }
    }
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), expected.len());
    for (row, start) in rows.iter().zip(&expected) {
        assert!(
            row.starts_with(start.as_str()),
            "{row} should start {start}"
        );
    }
}

#[test]
fn out_is_byte_identical_across_runs_and_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let first = run_into(&tmp, "first", "1");
    let again = run_into(&tmp, "again", "1");
    let two = run_into(&tmp, "two", "2");
    for file in FILES {
        let a = fs::read(first.join(file)).unwrap();
        assert_eq!(
            a,
            fs::read(again.join(file)).unwrap(),
            "{file} differs between runs"
        );
        assert_eq!(
            a,
            fs::read(two.join(file)).unwrap(),
            "{file} differs with --threads 2"
        );
    }
}

/// Every file of the directory with its bytes, sorted by name.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
#[test]
fn a_write_that_fails_half_way_leaves_the_old_report_whole() {
    // A full disk, portably: under a file-size limit (`ulimit -f`, in KiB) with SIGXFSZ ignored,
    // a write past the limit fails with an error. The limit lets `summary.json` and the charts
    // through and stops `report.html`, which once left a new summary beside an old page.
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_into(&tmp, "out", "2");
    let before = contents(&dir);
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 40 && exec '{}' simulate {SEED} --days 20 --replications 3 --seed 8 --out '{}'",
            env!("CARGO_BIN_EXE_handoff"),
            dir.display()
        ))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("\nerror: cannot write `") && stderr.contains("out/report.html`: "),
        "{stderr}"
    );
    assert!(contents(&dir) == before, "the old report changed");
    assert_eq!(names(tmp.path()), ["out"], "a temporary directory is left");
}

#[test]
fn a_directory_with_other_files_is_refused_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("notes.md"), "mine").unwrap();
    let out = assert_cmd::cargo::cargo_bin_cmd!("handoff")
        .args([
            "simulate",
            SEED,
            "--days",
            "5",
            "--replications",
            "2",
            "--out",
        ])
        .arg(&dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.ends_with(
            "out`: it holds `notes.md`, which is not part of a handoff report; name a new or empty directory\n"
        ),
        "{stderr}"
    );
    assert_eq!(names(&dir), ["notes.md"]);
    assert_eq!(names(tmp.path()), ["out"]);
}

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! `handoff compare` and `handoff sweep` as analysts and CI run them, and the statistical claim
//! that makes `compare` worth having: paired (common random numbers) intervals are much
//! narrower than intervals from independent runs.

mod cli_support;
use cli_support::{handoff, json_file};

use handoff::compare::{compare, paired};
use handoff::engine::Engine;
use handoff::knobs;
use handoff::sim::{simulate, SimOptions};
use handoff::span::FileId;
use std::fs;
use std::path::Path;
use std::process::Command as Process;

const SEED: &str = "playbooks/seed-matrix.playbook";
const SMALL: [&str; 4] = ["--replications", "4", "--days", "15"];

fn json(out: &assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

#[test]
fn comparing_a_playbook_with_itself_gives_exactly_zero_deltas() {
    let out = handoff()
        .args(["compare", SEED, SEED, "--format", "json"])
        .args(SMALL)
        .assert()
        .code(0);
    let doc = json(&out);
    assert_eq!(doc["format_version"], 1);
    let kpis = doc["kpis"].as_array().unwrap();
    assert!(kpis.len() >= 10);
    for k in kpis {
        assert_eq!(k["delta"]["mean"], 0.0, "{k}");
        assert_eq!(k["delta"]["ci_low"], 0.0, "{k}");
        assert_eq!(k["delta"]["ci_high"], 0.0, "{k}");
        assert_eq!(k["significant"], false, "{k}");
    }
    assert_eq!(doc["summary"], "no significant change in any kpi");
}

/// Half-width of a 95% interval for the difference of two independent means (Welch).
fn independent_half_width(a: &[f64], b: &[f64]) -> f64 {
    let var = |x: &[f64]| {
        let m = x.iter().sum::<f64>() / x.len() as f64;
        x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64
    };
    let se = (var(a) / a.len() as f64 + var(b) / b.len() as f64).sqrt();
    handoff::sim::stats::t_quantile_975(a.len() - 1) * se
}

#[test]
fn common_random_numbers_make_paired_intervals_several_times_narrower() {
    let src = fs::read_to_string(SEED).unwrap();
    let base = handoff::check::compile(FileId(0), &src).playbook.unwrap();
    let mut candidate = base.clone();
    let knob = knobs::parse("sellers.inbound_sdr=5", &base, base.scenarios.first()).unwrap();
    let mut scenario = candidate.scenarios.first().cloned();
    knobs::apply(
        &mut candidate,
        &mut scenario,
        &knob.target,
        knob.values[0].1,
    );
    candidate.scenarios[0] = scenario.unwrap();
    let options = |seed| SimOptions {
        scenario: None,
        leads: None,
        days: Some(20.0),
        replications: 10,
        seed,
        threads: 2,
        max_events: handoff::sim::DEFAULT_MAX_EVENTS,
        max_leads_alive: handoff::sim::DEFAULT_MAX_LEADS_ALIVE,
        emit_events: false,
        warmup: None,
    };
    let run = |p: &handoff::ir::Playbook, seed| {
        simulate(&Engine::new(p).unwrap(), &options(seed), &|| {}).unwrap()
    };
    let base_run = run(&base, 7);
    let same_streams = run(&candidate, 7);
    let other_streams = run(&candidate, 8);
    let crn = compare(&paired(&base_run, &same_streams));
    let independent = paired(&base_run, &other_streams);
    for key in ["seller_utilisation", "sla_attainment", "leakage"] {
        let d = crn.iter().find(|d| d.key == key).unwrap();
        let paired_half = (d.delta.ci_high - d.delta.ci_low) / 2.0;
        let ind = independent.iter().find(|p| p.key == key).unwrap();
        let independent_half = independent_half_width(&ind.base, &ind.candidate);
        assert!(
            paired_half * 3.0 < independent_half,
            "{key}: paired ±{paired_half:.4} vs independent ±{independent_half:.4}"
        );
    }
    let d = crn.iter().find(|d| d.key == "seller_utilisation").unwrap();
    assert!(
        d.significant && d.delta.mean > 0.0,
        "one seller fewer must work more: {d:?}"
    );
}

#[test]
fn guardrails_fail_the_run_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let candidate = dir.path().join("candidate.playbook");
    let original = fs::read_to_string(SEED).unwrap();
    let text = original.replacen(
        "staff inbound_sdr {\n    sellers 8\n",
        "staff inbound_sdr {\n    sellers 1\n",
        1,
    );
    assert_ne!(text, original, "the candidate must take sellers away");
    fs::write(&candidate, text).unwrap();
    let out = handoff()
        .args(["compare", SEED])
        .arg(&candidate)
        .args(SMALL)
        .args([
            "--fail-if",
            "leakage > +0.5pp",
            "--fail-if",
            "meetings > +1000",
        ])
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains("guardrail breached: leakage > +0.5pp"),
        "{stdout}"
    );
    assert!(!stdout.contains("guardrail breached: meetings"), "{stdout}");
    let md = handoff()
        .args(["compare", SEED])
        .arg(&candidate)
        .args(SMALL)
        .args(["--fail-if", "leakage > +0.5pp", "--format", "markdown"])
        .assert()
        .code(1);
    let md = String::from_utf8_lossy(&md.get_output().stdout).into_owned();
    assert!(md.contains("| KPI | base | candidate |"), "{md}");
    assert!(md.contains("❌ `leakage > +0.5pp`"), "{md}");
}

#[test]
fn playbooks_whose_scenarios_do_not_fit_cannot_be_compared() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.playbook");
    let original = fs::read_to_string(SEED).unwrap();
    let renamed = original.replace("scenario baseline {", "scenario holiday_rush {");
    assert_ne!(renamed, original);
    fs::write(&other, renamed).unwrap();
    let out = handoff()
        .args(["compare", SEED])
        .arg(&other)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("the candidate playbook has no scenario `baseline`")
            && stderr.contains("`holiday_rush`"),
        "{stderr}"
    );
    handoff()
        .args(["compare", SEED])
        .arg(&other)
        .args(["--scenario", "scale"])
        .args(SMALL)
        .assert()
        .code(0);
}

#[test]
fn bad_compare_input_cannot_run() {
    let cases: [&[&str]; 6] = [
        &["compare", SEED, SEED, "--fail-if", "leakag > +1pp"],
        &["compare", SEED, SEED, "--fail-if", "leakage > +-1pp"],
        &["compare", SEED, SEED, "--fail-if", "leakage > --1pp"],
        &["compare", SEED, SEED, "--fail-if", "leakage > 5m"],
        &["compare", SEED, SEED, "--base", "HEAD"],
        &["compare", SEED, SEED, "--replications", "0"],
    ];
    for args in cases {
        let out = handoff().args(args).assert().code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    }
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Process::new("git")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn base_ref_compares_the_committed_file_with_the_work_tree() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pb.playbook");
    let text = fs::read_to_string(SEED).unwrap();
    fs::write(&file, &text).unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    let out = handoff()
        .args(["compare", "--base", "HEAD", "--format", "json"])
        .arg(&file)
        .args(SMALL)
        .assert()
        .code(0);
    let doc = json(&out);
    assert!(doc["base"]["source"].as_str().unwrap().starts_with("HEAD:"));
    assert!(doc["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["delta"]["mean"] == 0.0));
    // An empty revision once compared with the staged text (`git show :FILE`).
    let empty = handoff()
        .args(["compare", "--base", ""])
        .arg(&file)
        .args(SMALL)
        .assert()
        .code(2);
    assert_eq!(
        String::from_utf8_lossy(&empty.get_output().stderr),
        "error: `--base` needs a git revision, such as `main` or `HEAD~1`\n"
    );
}

#[test]
fn out_dir_holds_valid_json_csv_svg_and_html() {
    let dir = tempfile::tempdir().unwrap();
    handoff()
        .args(["compare", SEED, SEED])
        .args(SMALL)
        .arg("--out")
        .arg(dir.path())
        .assert()
        .code(0);
    let summary = json_file(&dir.path().join("summary.json"));
    let kpis = summary["kpis"].as_array().unwrap().len();
    let csv = fs::read_to_string(dir.path().join("kpis.csv")).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("kpi,unit,base_mean"));
    assert_eq!(lines.count(), kpis, "one row per KPI");
    let svg = fs::read_to_string(dir.path().join("compare.svg")).unwrap();
    assert_eq!(
        roxmltree::Document::parse(&svg)
            .unwrap()
            .root_element()
            .tag_name()
            .name(),
        "svg"
    );
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    let body = html.trim_start_matches("<!DOCTYPE html>");
    roxmltree::Document::parse(body).unwrap();
    assert!(html.contains("seed_matrix") || html.contains("seed-matrix"));
}

#[test]
fn sweep_reports_every_point_and_refuses_bad_parameters() {
    let out = handoff()
        .args([
            "sweep",
            SEED,
            "--set",
            "sellers.inbound_sdr=2..4",
            "--format",
            "csv",
        ])
        .args(SMALL)
        .assert()
        .code(0);
    let csv = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(csv.starts_with("kpi,group,unit,mean,ci_low,ci_high,n"));
    for n in 2..=4 {
        assert!(
            csv.contains(&format!("leakage,sellers.inbound_sdr={n},fraction")),
            "{csv}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    handoff()
        .args(["sweep", SEED, "--set", "sla.hand_raise=5m,30m"])
        .args(SMALL)
        .arg("--out")
        .arg(dir.path())
        .assert()
        .code(0);
    let summary = json_file(&dir.path().join("summary.json"));
    assert_eq!(summary["points"].as_array().unwrap().len(), 2);
    let svg = fs::read_to_string(dir.path().join("sweep-leakage.svg")).unwrap();
    roxmltree::Document::parse(&svg).unwrap();
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    roxmltree::Document::parse(html.trim_start_matches("<!DOCTYPE html>")).unwrap();
    let csv = fs::read_to_string(dir.path().join("kpis.csv")).unwrap();
    assert!(csv.starts_with("kpi,group,unit,mean,ci_low,ci_high,n"));
    let two = handoff()
        .args([
            "sweep",
            SEED,
            "--set",
            "sla.hand_raise=5m,30m",
            "--set",
            "connect=40%,60%",
        ])
        .args(["--format", "json"])
        .args(SMALL)
        .assert()
        .code(0);
    assert_eq!(json(&two)["points"].as_array().unwrap().len(), 4);
    let bad: [&[&str]; 5] = [
        &["sweep", SEED, "--set", "sla.nope=5m"],
        &["sweep", SEED, "--set", "sla.hand_raise=40%"],
        &[
            "sweep",
            SEED,
            "--set",
            "connect=1%",
            "--set",
            "meeting=2%",
            "--set",
            "sla.mql=1bd",
        ],
        &["sweep", SEED, "--set", "capacity.inbound_sdr=1..100000"],
        &["sweep", SEED, "--set", "connect=40%", "--scenario", "nope"],
    ];
    for args in bad {
        let out = handoff().args(args).assert().code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    }
}

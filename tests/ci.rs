#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The CI integrations of `docs/ci.md`: the pre-commit hooks run by the real `pre-commit` tool on
//! a scratch repository, and the GitHub Actions workflow parsed and kept in step with the docs.
//!
//! These tests need `pre-commit` (`pip install pre-commit`, which brings PyYAML); `.ci/run`
//! installs it. Without it they fail with the install command, unless
//! `HANDOFF_SKIP_PRE_COMMIT=1` says to skip them.

use std::path::Path;
use std::process::{Command, Output};

const MANIFEST: &str = ".pre-commit-hooks.yaml";
const WORKFLOW: &str = ".github/workflows/playbooks.yml";
const SKIP: &str = "HANDOFF_SKIP_PRE_COMMIT";

/// How to start `pre-commit`: on the `PATH`, or as a module of `python3` (a `pip install --user`
/// puts the script where `PATH` may not look).
fn pre_commit() -> Option<Vec<&'static str>> {
    let candidates: [&[&str]; 2] = [&["pre-commit"], &["python3", "-m", "pre_commit"]];
    candidates.into_iter().map(<[&str]>::to_vec).find(|c| {
        Command::new(c[0])
            .args(&c[1..])
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// `pre-commit`, or `None` when it is missing and the run opted out; missing without opting
/// out fails with the way to install it.
fn require_pre_commit() -> Option<Vec<&'static str>> {
    let found = pre_commit();
    if found.is_none() {
        assert!(
            std::env::var_os(SKIP).is_some_and(|v| v == "1"),
            "pre-commit is not installed: run `pip install pre-commit`, or set {SKIP}=1 to skip this test"
        );
    }
    found
}

fn run_in(dir: &Path, program: &[&str], args: &[&str]) -> Output {
    Command::new(program[0])
        .args(&program[1..])
        .args(args)
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", dir.join(".cache"))
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A YAML file as JSON, read by PyYAML (which `pre-commit` depends on).
fn yaml(path: &str) -> serde_json::Value {
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
            path,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{path}: {}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The manifest's hooks as a local configuration that runs the binary under test: the same
/// ids, names, file patterns and commands, with `language: system` instead of a build.
fn local_config(manifest: &serde_json::Value) -> String {
    let binary = env!("CARGO_BIN_EXE_handoff");
    let hooks: Vec<serde_json::Value> = manifest
        .as_array()
        .unwrap()
        .iter()
        .map(|hook| {
            let mut hook = hook.clone();
            let entry = hook["entry"].as_str().unwrap();
            let rest = entry.strip_prefix("handoff ").unwrap();
            hook["entry"] = format!("{binary} {rest}").into();
            hook["language"] = "system".into();
            hook
        })
        .collect();
    // JSON is YAML, so the configuration needs no YAML writer.
    serde_json::json!({ "repos": [{ "repo": "local", "hooks": hooks }] }).to_string()
}

fn git(dir: &Path, args: &[&str]) {
    let out = run_in(dir, &["git"], args);
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
}

#[test]
fn the_manifest_is_valid_and_its_hooks_check_and_format_playbooks() {
    let Some(pre_commit) = require_pre_commit() else {
        return;
    };
    let out = run_in(
        Path::new("."),
        &pre_commit,
        &["validate-manifest", MANIFEST],
    );
    assert!(out.status.success(), "{}", text(&out));
    let manifest = yaml(MANIFEST);
    let ids: Vec<&str> = manifest
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["handoff-check", "handoff-fmt"]);

    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    std::fs::write(
        repo.join(".pre-commit-config.yaml"),
        local_config(&manifest),
    )
    .unwrap();
    let clean = std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap();
    std::fs::write(repo.join("seed.playbook"), &clean).unwrap();
    std::fs::write(repo.join("notes.txt"), "not a playbook {").unwrap();
    git(repo, &["add", "."]);
    let out = run_in(repo, &pre_commit, &["run", "--all-files"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("handoff check"), "{}", text(&out));

    // A playbook with an error fails the check; one laid out by hand is rewritten by fmt.
    let broken = clean.replacen("sla ", "sla_typo ", 1);
    std::fs::write(repo.join("broken.playbook"), broken).unwrap();
    let messy = clean.replacen("\n  timezone", "\n        timezone", 1);
    std::fs::write(repo.join("seed.playbook"), &messy).unwrap();
    git(repo, &["add", "."]);
    let out = run_in(repo, &pre_commit, &["run", "--all-files"]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("error[E0001]"), "{report}");
    assert!(
        report.contains("files were modified by this hook"),
        "{report}"
    );
    let formatted = std::fs::read_to_string(repo.join("seed.playbook")).unwrap();
    assert!(formatted == clean, "handoff-fmt did not restore the layout");
}

#[test]
fn the_workflow_parses_and_is_the_one_the_docs_show() {
    if require_pre_commit().is_none() {
        return;
    }
    let workflow = yaml(WORKFLOW);
    let steps = workflow["jobs"]["playbooks"]["steps"].as_array().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let all = runs.join("\n");
    for expected in [
        "handoff check --format github",
        "handoff fmt --check",
        "handoff compare --base",
        "GITHUB_STEP_SUMMARY",
    ] {
        assert!(all.contains(expected), "the workflow lacks `{expected}`");
    }
    let file = std::fs::read_to_string(WORKFLOW).unwrap();
    let docs = std::fs::read_to_string("docs/ci.md").unwrap();
    assert!(
        docs.contains(&file),
        "docs/ci.md must show {WORKFLOW} exactly as it is"
    );
}

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! The `handoff` binary as scripts and CI see it: exit codes, streams and machine output.

use std::fs;
use std::path::Path;
use std::process::Output;

fn handoff(args: &[&str], cwd: &Path) -> Output {
    assert_cmd::cargo::cargo_bin_cmd!("handoff")
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn help_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = handoff(&["--help"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("check"));
}

#[test]
fn version_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = handoff(&["--version"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("handoff "));
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = handoff(&["frobnicate"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("frobnicate"));
}

#[test]
fn check_on_a_missing_path_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = handoff(&["check", "missing.playbook"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "error: `missing.playbook` does not exist\n");
    assert_eq!(stdout(&out), "");
}

#[test]
fn check_on_invalid_utf8_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("bad.playbook"), b"playbook x {\n\xff\n}\n").unwrap();
    let out = handoff(&["check", "bad.playbook"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "`bad.playbook` is not valid UTF-8: invalid byte 0xff at byte offset 13 (line 2)"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn check_on_an_empty_directory_finds_no_playbooks() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("empty")).unwrap();
    let out = handoff(&["check", "empty"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no playbooks found in `empty`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn check_on_an_empty_playbook_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("books")).unwrap();
    fs::write(dir.path().join("books/empty.playbook"), "").unwrap();
    let out = handoff(&["check", "books"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "checked 1 file: no problems\n");
    assert_eq!(stderr(&out), "");
}

#[test]
fn check_json_on_a_missing_path_is_still_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = handoff(
        &["check", "--format", "json", "missing.playbook"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["error"]["message"], "`missing.playbook` does not exist");
    assert!(stderr(&out).contains("does not exist"));
}

#[test]
fn check_json_and_sarif_on_a_clean_playbook() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.playbook"), "").unwrap();
    let out = handoff(&["check", "--format", "json", "a.playbook"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["files"], 1);
    assert!(doc.get("error").is_none());
    let out = handoff(&["check", "--format", "sarif", "a.playbook"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["version"], "2.1.0");
}

#[test]
fn check_github_reports_failures_as_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let out = handoff(
        &["check", "--format", "github", "missing.playbook"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).starts_with("::error title=handoff::`missing.playbook` does not exist\n"));
}

#[test]
fn check_requires_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let out = handoff(&["check"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn explain_prints_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = handoff(&["explain", "E0101"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("E0101 (error): a name is used but never declared\n"));
}

#[test]
fn explain_rejects_an_unknown_code() {
    let dir = tempfile::tempdir().unwrap();
    let out = handoff(&["explain", "E9999"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`handoff explain --list`"));
}

#[test]
fn explain_list_names_every_code() {
    let dir = tempfile::tempdir().unwrap();
    let out = handoff(&["explain", "--list"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for code in handoff::diagnostics::Code::ALL {
        assert!(text.contains(code.as_str()), "{code} missing");
    }
}

#[test]
fn completions_for_bash() {
    let dir = tempfile::tempdir().unwrap();
    let out = handoff(&["completions", "bash"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("handoff"));
}

#[test]
fn help_texts() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in [
        ("help", &["--help"][..]),
        ("check_help", &["check", "--help"][..]),
        ("compile_help", &["compile", "--help"][..]),
        ("explain_help", &["explain", "--help"][..]),
        ("simulate_help", &["simulate", "--help"][..]),
    ] {
        let out = handoff(args, dir.path());
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        let text: Vec<&str> = text.lines().map(str::trim_end).collect();
        insta::assert_snapshot!(name, text.join("\n"));
    }
}

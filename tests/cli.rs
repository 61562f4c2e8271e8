#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! The `handoff` binary as scripts and CI see it: exit codes, streams and machine output.

mod cli_support;
use cli_support::{run, stderr, stdout};

use std::fs;
use std::path::Path;

#[test]
fn help_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["--help"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("check"));
}

#[test]
fn version_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["--version"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("handoff "));
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["frobnicate"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("frobnicate"));
}

#[test]
fn check_on_a_missing_path_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["check", "missing.playbook"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "error: `missing.playbook` does not exist\n");
    assert_eq!(stdout(&out), "");
}

#[test]
fn check_on_invalid_utf8_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("bad.playbook"), b"playbook x {\n\xff\n}\n").unwrap();
    let out = run(&["check", "bad.playbook"], dir.path());
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
    let out = run(&["check", "empty"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no playbooks found in `empty`"),
        "{}",
        stderr(&out)
    );
}

/// Reproducer (issue 20): an empty playbook passed with "no problems"; now it is a warning,
/// which `--deny-warnings` turns into a failure, so a truncated file cannot pass CI silently.
#[test]
fn check_on_an_empty_playbook_warns() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("books")).unwrap();
    fs::write(dir.path().join("books/empty.playbook"), "# nothing yet\n").unwrap();
    let out = run(&["check", "books"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        text.contains("warning[W0007]: the file declares nothing"),
        "{text}"
    );
    assert!(!text.contains("no problems"), "{text}");
    let out = run(&["check", "--deny-warnings", "books"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn check_json_on_a_missing_path_is_still_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
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
    let out = run(&["check", "--format", "json", "a.playbook"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["files"], 1);
    assert!(doc.get("error").is_none());
    let out = run(&["check", "--format", "sarif", "a.playbook"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["version"], "2.1.0");
}

#[test]
fn check_github_reports_failures_as_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &["check", "--format", "github", "missing.playbook"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).starts_with("::error title=handoff::`missing.playbook` does not exist\n"));
}

#[test]
fn check_without_a_path_checks_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["check"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "error: no playbooks found in `.`\n");
}

#[test]
fn explain_prints_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["explain", "E0101"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("E0101 (error): a name is used but never declared\n"));
}

#[test]
fn explain_rejects_an_unknown_code() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["explain", "E9999"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`handoff explain --list`"));
}

#[test]
fn explain_list_names_every_code() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["explain", "--list"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for code in handoff::diagnostics::Code::ALL {
        assert!(text.contains(code.as_str()), "{code} missing");
    }
}

#[test]
fn completions_for_bash() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["completions", "bash"], dir.path());
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
        let out = run(args, dir.path());
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        let text: Vec<&str> = text.lines().map(str::trim_end).collect();
        insta::assert_snapshot!(name, text.join("\n"));
    }
}

// ---------------------------------------------------------------- `check` on real findings

/// Copies fixtures into a fresh directory, so paths in the output are short and relative.
fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (from, to) in files {
        let target = dir.path().join(to);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::copy(root.join(from), target).unwrap();
    }
    dir
}

const SEED: &str = "playbooks/seed-matrix.playbook";
const ERRORS: &str = "tests/fixtures/several_mistakes.playbook";
const WARNING: &str = "tests/fixtures/diagnostics/W0316_unused_context.playbook";

#[test]
fn check_on_a_clean_playbook_exits_zero() {
    let dir = workspace(&[(SEED, "seed.playbook")]);
    let out = run(&["check", "seed.playbook"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "checked 1 file: no problems\n");
    assert_eq!(stderr(&out), "");
}

#[test]
fn check_with_errors_exits_one() {
    let dir = workspace(&[(ERRORS, "bad.playbook")]);
    let out = run(&["check", "bad.playbook"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("error[E0101]: undefined queue `sdrs`"),
        "{text}"
    );
    assert!(text.contains("bad.playbook:45:12"), "{text}");
    assert!(text.ends_with("5 errors, 2 warnings in 1 file\n"), "{text}");
    assert!(!text.contains('\u{1b}'), "colour despite NO_COLOR");
}

#[test]
fn check_with_only_warnings_exits_zero_unless_denied() {
    let dir = workspace(&[(WARNING, "warn.playbook")]);
    let out = run(&["check", "warn.playbook"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("warning[W0316]"));
    let out = run(&["check", "--deny-warnings", "warn.playbook"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("error[W0316]"));
}

#[test]
fn check_json_has_versioned_one_based_positions() {
    let dir = workspace(&[(ERRORS, "bad.playbook")]);
    let out = run(&["check", "--format", "json", "bad.playbook"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["summary"]["errors"], 5);
    assert_eq!(doc["summary"]["warnings"], 2);
    let diags = doc["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 7);
    for d in diags {
        assert_eq!(d["file"], "bad.playbook");
        for key in ["line", "column", "end_line", "end_column"] {
            assert!(d[key].as_u64().unwrap() >= 1, "{key} in {d}");
        }
        let (line, end_line) = (d["line"].as_u64(), d["end_line"].as_u64());
        assert!(end_line >= line, "{d}");
        assert!(!d["labels"].as_array().unwrap().is_empty());
    }
    // `route to sdrs`: line 45, the name at columns 12 to 16, end exclusive.
    let undefined = diags.iter().find(|d| d["code"] == "E0101").unwrap();
    assert_eq!(undefined["message"], "undefined queue `sdrs`");
    assert_eq!(
        (
            &undefined["line"],
            &undefined["column"],
            &undefined["end_line"],
            &undefined["end_column"]
        ),
        (&45.into(), &12.into(), &45.into(), &16.into())
    );
    assert_eq!(undefined["severity"], "error");
    assert_eq!(undefined["help"], "did you mean `sdr`?");
}

#[test]
fn check_sarif_is_2_1_0_with_codes_as_rule_ids_and_relative_uris() {
    let dir = workspace(&[(ERRORS, "books/bad.playbook")]);
    let out = run(&["check", "--format", "sarif", "books"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &doc["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let codes: Vec<&str> = handoff::diagnostics::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(rules, codes);
    let results = run["results"].as_array().unwrap();
    let mut rule_ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    assert_eq!(
        rule_ids,
        ["E0001", "E0101", "E0201", "E0203", "E0302", "W0309", "W0312"]
    );
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index], id);
        let location = &r["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "books/bad.playbook");
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(location["region"]["startColumn"].as_u64().unwrap() >= 1);
        let level = r["level"].as_str().unwrap();
        assert_eq!(
            level,
            if id.starts_with('E') {
                "error"
            } else {
                "warning"
            }
        );
    }
}

#[test]
fn check_github_emits_annotations_with_lines() {
    let dir = workspace(&[(ERRORS, "bad.playbook")]);
    let out = run(&["check", "--format", "github", "bad.playbook"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let (summary, annotations) = lines.split_last().unwrap();
    assert_eq!(*summary, "5 errors, 2 warnings in 1 file");
    assert_eq!(annotations.len(), 7);
    for line in annotations {
        assert!(
            line.starts_with("::error file=bad.playbook,")
                || line.starts_with("::warning file=bad.playbook,"),
            "{line}"
        );
        assert!(line.contains(",line="), "{line}");
        assert!(line.contains(",title="), "{line}");
    }
    assert!(text.contains("::error file=bad.playbook,line=45,col=12,endLine=45,endColumn=16,title=E0101::undefined queue `sdrs`"), "{text}");
}

#[test]
fn check_walks_directories_for_playbooks_only() {
    let dir = workspace(&[
        (SEED, "books/seed.playbook"),
        (ERRORS, "books/team/emea/bad.playbook"),
        (ERRORS, "books/team/notes.txt"),
        (ERRORS, "books/.drafts/hidden.playbook"),
    ]);
    let out = run(&["check", "--format", "json", "books"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["files"], 2);
    let files: std::collections::BTreeSet<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        std::collections::BTreeSet::from(["books/team/emea/bad.playbook"])
    );
    // Only the clean playbook: exit 0.
    let out = run(&["check", "books/seed.playbook"], dir.path());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn check_accepts_several_paths_and_reports_each_file() {
    let dir = workspace(&[(SEED, "a.playbook"), (WARNING, "b/w.playbook")]);
    let out = run(&["check", "a.playbook", "b"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("b/w.playbook:24:9"), "{text}");
    assert!(text.ends_with("1 warning in 2 files\n"), "{text}");
}

#[test]
fn explain_works_for_every_code() {
    let dir = tempfile::tempdir().unwrap();
    for code in handoff::diagnostics::Code::ALL {
        let out = run(&["explain", code.as_str()], dir.path());
        assert_eq!(out.status.code(), Some(0), "{code}");
        let text = stdout(&out);
        assert!(
            text.starts_with(&format!(
                "{code} ({}): {}\n\n",
                code.severity().as_str(),
                code.summary()
            )),
            "{text}"
        );
        assert!(text.contains(code.explain()), "{code}");
    }
    let out = run(&["explain", "w0304"], dir.path());
    assert_eq!(out.status.code(), Some(0), "codes are case-insensitive");
}

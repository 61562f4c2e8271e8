#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! `handoff.toml` and inline suppressions as a project uses them: which files `check` walks,
//! which warnings it reports and fails on, and where its settings come from.

mod cli_support;
use cli_support::{run, stderr, stdout};

use std::fs;
use std::path::Path;

/// A playbook with one W0306 (the condition on line 16 contradicts itself).
const W0306: &str = "tests/fixtures/diagnostics/W0306_contradictory_condition.playbook";
/// A playbook with one W0305.
const W0305: &str = "tests/fixtures/diagnostics/W0305_unreachable_track.playbook";

fn put(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn fixture(path: &str) -> String {
    fs::read_to_string(path).unwrap()
}

/// A project with a W0306 in `books/a.playbook` and a W0305 in `books/b.playbook`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "books/a.playbook", &fixture(W0306));
    put(dir.path(), "books/b.playbook", &fixture(W0305));
    dir
}

#[test]
fn check_dot_skips_build_output_and_installed_packages() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "books/seed.playbook", "playbook seed {\n}\n");
    put(
        dir.path(),
        "target/debug/copy.playbook",
        "this is not a playbook",
    );
    put(dir.path(), "node_modules/x/copy.playbook", "nor is this");
    let out = run(&["check", "."], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "checked 1 file: no problems\n");
}

#[test]
fn lints_allow_drops_a_warning_and_deny_makes_one_an_error() {
    let dir = project();
    let out = run(&["check", "books"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    put(
        dir.path(),
        "handoff.toml",
        "[lints]\nallow = [\"W0306\"]\ndeny = [\"W0305\"]\n",
    );
    let out = run(&["check", "books"], dir.path());
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(!text.contains("W0306"), "{text}");
    assert!(text.contains("error[W0305]"), "{text}");
    assert!(
        text.contains("`W0305` is denied in `handoff.toml`"),
        "{text}"
    );
}

#[test]
fn check_settings_give_the_default_format_and_flags_override_them() {
    let dir = project();
    put(
        dir.path(),
        "handoff.toml",
        "[check]\nformat = \"github\"\ndeny-warnings = true\n",
    );
    let out = run(&["check", "books"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        // `deny-warnings` reports warnings as errors in every format.
        stdout(&out).starts_with("::error file=books/a.playbook,line=16,"),
        "{}",
        stdout(&out)
    );
    let out = run(&["check", "--format", "json", "books"], dir.path());
    assert!(stdout(&out).starts_with('{'), "{}", stdout(&out));
}

#[test]
fn unknown_keys_are_errors_with_their_line_and_a_suggestion() {
    let dir = project();
    put(
        dir.path(),
        "handoff.toml",
        "[lints]\nalow = [\"W0306\"]\n[check]\nformat = \"githb\"\n",
    );
    let out = run(&["check", "books"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: handoff.toml:2:1: unknown key `alow` in `[lints]`; did you mean `allow`?\n\
         error: handoff.toml:4:10: unknown format `githb`: expected `human`, `json`, `sarif` or `github`; did you mean `github`?\n"
    );
}

#[test]
fn the_file_is_found_above_the_current_directory_and_above_the_checked_path() {
    let dir = project();
    put(dir.path(), "handoff.toml", "[lints]\nallow = [\"W0306\"]\n");
    let out = run(&["check", "a.playbook"], &dir.path().join("books"));
    assert_eq!(stdout(&out), "checked 1 file: no problems\n");
    let elsewhere = tempfile::tempdir().unwrap();
    let path = dir.path().join("books/a.playbook");
    let out = run(&["check", path.to_str().unwrap()], elsewhere.path());
    assert!(
        stdout(&out).ends_with("checked 1 file: no problems\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn config_names_a_file_and_no_config_ignores_it() {
    let dir = project();
    put(dir.path(), "handoff.toml", "[lints]\nallow = [\"W0306\"]\n");
    put(
        dir.path(),
        "ci/strict.toml",
        "[lints]\ndeny = [\"W0306\"]\n",
    );
    let out = run(
        &["check", "--config", "ci/strict.toml", "books/a.playbook"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let out = run(&["check", "--no-config", "books/a.playbook"], dir.path());
    assert!(stdout(&out).contains("warning[W0306]"), "{}", stdout(&out));
    let out = run(&["check", "--isolated", "books/a.playbook"], dir.path());
    assert!(stdout(&out).contains("warning[W0306]"), "{}", stdout(&out));
    let out = run(&["check", "--config", "missing.toml", "books"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "error: `missing.toml` does not exist\n");
}

#[test]
fn include_is_checked_without_paths_and_exclude_is_skipped_while_walking() {
    let dir = project();
    put(
        dir.path(),
        "books/legacy/old.playbook",
        "this is not a playbook",
    );
    put(dir.path(), "books/c.draft.playbook", "nor is this");
    put(dir.path(), "elsewhere/d.playbook", "nor this");
    put(
        dir.path(),
        "handoff.toml",
        "include = [\"books\"]\nexclude = [\"legacy\", \"books/*.draft.playbook\"]\n",
    );
    let out = run(
        &["check", "--format", "json"],
        &dir.path().join("elsewhere"),
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let files: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 2, "{doc}");
    assert!(files[0].ends_with("books/a.playbook"), "{doc}");
    assert!(files[1].ends_with("books/b.playbook"), "{doc}");
}

#[test]
fn an_inline_suppression_accepts_a_warning_and_reports_its_own_problems() {
    let dir = tempfile::tempdir().unwrap();
    let text = fixture(W0306).replace(
        "  when segment = smb and segment = enterprise\n",
        "  # handoff: allow W0306 \"kept while the segments are merged\"\n  when segment = smb and segment = enterprise\n",
    );
    put(dir.path(), "a.playbook", &text);
    let out = run(&["check", "--deny-warnings", "a.playbook"], dir.path());
    assert_eq!(stdout(&out), "checked 1 file: no problems\n");
    assert_eq!(out.status.code(), Some(0));
    let bare = text.replace(" \"kept while the segments are merged\"", "");
    put(dir.path(), "a.playbook", &bare);
    let out = run(&["check", "a.playbook"], dir.path());
    assert!(stdout(&out).contains("warning[W0010]"), "{}", stdout(&out));
}

#[test]
fn the_example_in_the_docs_is_a_valid_configuration() {
    let docs = fs::read_to_string("docs/ci.md").unwrap();
    let start = docs.find("```toml\n").unwrap() + "```toml\n".len();
    let end = start + docs[start..].find("```").unwrap();
    let config = handoff::config::parse(&docs[start..end]).unwrap();
    assert_eq!(config.include, ["playbooks"]);
}

#[test]
fn fmt_takes_its_files_from_include_and_exclude_too() {
    let dir = tempfile::tempdir().unwrap();
    let messy = "playbook p {\n      title \"x\"\n}\n";
    put(dir.path(), "books/a.playbook", messy);
    put(dir.path(), "books/legacy/b.playbook", messy);
    put(dir.path(), "target/c.playbook", messy);
    put(
        dir.path(),
        "handoff.toml",
        "include = [\"books\"]\nexclude = [\"legacy\"]\n",
    );
    let out = run(&["fmt", "--check"], dir.path());
    assert_eq!(stdout(&out), "would reformat books/a.playbook\n");
    assert_eq!(out.status.code(), Some(1));
}

/// This repository's own `handoff.toml`: `check` without paths takes the shipped playbooks, not
/// the deliberately broken fixtures under `tests/`.
#[test]
fn this_repository_checks_its_shipped_playbooks_by_default() {
    let out = run(&["check"], Path::new(env!("CARGO_MANIFEST_DIR")));
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // The four shipped playbooks and the three test files beside them.
    assert_eq!(stdout(&out), "checked 7 files: no problems\n");
}

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The VS Code extension's TextMate grammar (`editors/vscode/`), tested by
//! `vscode-tmgrammar-test` on lines of the shipped playbooks.
//!
//! The tool comes from the extension's own `package-lock.json`: `.ci/test` runs `npm ci` in
//! `editors/vscode` before `cargo test`. Without it the test fails and says how to install it;
//! `HANDOFF_SKIP_EDITOR_GRAMMAR=1` says to skip it.

use std::path::Path;
use std::process::Command;

const EXTENSION: &str = "editors/vscode";
const SKIP: &str = "HANDOFF_SKIP_EDITOR_GRAMMAR";

#[test]
fn the_grammar_scopes_the_lines_of_the_shipped_playbooks() {
    let tool = Path::new(EXTENSION).join("node_modules/.bin/vscode-tmgrammar-test");
    if !tool.exists() {
        if std::env::var_os(SKIP).is_some_and(|v| v == "1") {
            return;
        }
        panic!("vscode-tmgrammar-test is not installed: run `npm ci` in {EXTENSION} (.ci/test does), or set {SKIP}=1 to skip this test");
    }
    let out = Command::new(tool.canonicalize().unwrap())
        .current_dir(EXTENSION)
        .args([
            "--grammar",
            "syntaxes/handoff.tmLanguage.json",
            "tests/*.playbook",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The grammar's test files are lines of the shipped playbooks (and assertion comments), so
/// they follow the language as it changes.
#[test]
fn the_grammar_tests_are_lines_of_the_shipped_playbooks() {
    let mut shipped = std::collections::HashSet::new();
    for entry in std::fs::read_dir("playbooks").unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        shipped.extend(text.lines().map(str::to_owned));
    }
    let dir = Path::new(EXTENSION).join("tests");
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        files += 1;
        for line in text.lines() {
            let code = line.trim();
            if code.is_empty() || code == "}" || code.starts_with('#') {
                continue;
            }
            assert!(
                shipped.contains(line),
                "{}: `{line}` is not a line of a shipped playbook",
                path.display()
            );
        }
        let parsed = handoff::syntax::parse(handoff::span::FileId(0), &text);
        assert_eq!(parsed.diagnostics, [], "{}", path.display());
    }
    assert!(files >= 2);
}

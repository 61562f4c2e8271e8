#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
use handoff::span::FileId;

#[test]
fn shipped_playbooks_parse_without_syntax_errors() {
    for entry in std::fs::read_dir("playbooks").unwrap() {
        let path = entry.unwrap().path();
        // Test files are checked against their playbook by `tests/cli_test.rs`.
        if path.extension().is_none_or(|e| e != "playbook") {
            continue;
        }
        let src = std::fs::read_to_string(&path).unwrap();
        let parsed = handoff::syntax::parse(FileId(0), &src);
        assert!(
            parsed.diagnostics.is_empty(),
            "{}: {:#?}",
            path.display(),
            parsed.diagnostics
        );
        assert!(parsed.file.items.len() > 10);
    }
}

#[test]
fn shipped_playbooks_check_with_no_findings() {
    for entry in std::fs::read_dir("playbooks").unwrap() {
        let path = entry.unwrap().path();
        // Test files are checked against their playbook by `tests/cli_test.rs`.
        if path.extension().is_none_or(|e| e != "playbook") {
            continue;
        }
        let src = std::fs::read_to_string(&path).unwrap();
        let compiled = handoff::check::compile(FileId(0), &src);
        assert!(
            compiled.diagnostics.is_empty(),
            "{}: {:#?}",
            path.display(),
            compiled.diagnostics
        );
        let playbook = compiled.playbook.unwrap();
        assert!(!playbook.handoffs.is_empty(), "{}", path.display());
    }
}

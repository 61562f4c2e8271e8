#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! `handoff compile` as scripts see it: emitted text, exit codes, and `-o` replacing files whole.

mod cli_support;
use cli_support::{run, stderr, stdout};

use std::fs;
use std::path::PathBuf;

use handoff::emit::{IrDocument, IR_FORMAT_VERSION};
use handoff::span::FileId;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shipped_playbooks() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(repo().join("playbooks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "playbook"))
        .collect();
    paths.sort();
    paths
}

#[test]
fn dot_of_the_seed_matrix() {
    let out = run(
        &["compile", "playbooks/seed-matrix.playbook", "--emit", "dot"],
        &repo(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn mermaid_of_the_seed_matrix() {
    let out = run(
        &[
            "compile",
            "playbooks/seed-matrix.playbook",
            "--emit",
            "mermaid",
        ],
        &repo(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn ir_json_reads_back_into_the_compiled_playbook() {
    for path in shipped_playbooks() {
        let shown = path.display().to_string();
        let out = run(&["compile", &shown, "--emit", "ir"], &repo());
        assert_eq!(out.status.code(), Some(0), "{shown}: {}", stderr(&out));
        let doc: IrDocument = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc.format_version, IR_FORMAT_VERSION);
        let src = fs::read_to_string(&path).unwrap();
        let compiled = handoff::check::compile(FileId(0), &src).playbook.unwrap();
        assert_eq!(doc.playbook, compiled, "{shown}");
    }
}

/// Ids declared as nodes and the endpoints of every edge, read back from DOT text.
fn dot_ids(text: &str) -> (Vec<String>, Vec<String>) {
    let quoted = |s: &str| s.split('"').nth(1).unwrap().to_string();
    let (mut nodes, mut ends) = (Vec::new(), Vec::new());
    for line in text.lines().map(str::trim) {
        if let Some((from, to)) = line.split_once(" -> ") {
            ends.push(quoted(from));
            ends.push(quoted(to));
        } else if line.starts_with('"') && line.contains(" [label=") {
            nodes.push(quoted(line));
        }
    }
    (nodes, ends)
}

/// The same for Mermaid text; the subgraph id is a valid edge start.
fn mermaid_ids(text: &str) -> (Vec<String>, Vec<String>) {
    let (mut nodes, mut ends) = (vec!["automation".to_string()], Vec::new());
    for line in text.lines().map(str::trim) {
        let id: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let rest = &line[id.len()..];
        if rest.starts_with(" -->") || rest.starts_with(" -.->") {
            ends.push(id);
            ends.push(line.rsplit(' ').next().unwrap().to_string());
        } else if !id.is_empty() && rest.starts_with(['(', '[', '{', '>']) {
            nodes.push(id);
        }
    }
    (nodes, ends)
}

#[test]
fn diagrams_of_every_shipped_playbook_are_well_formed() {
    for path in shipped_playbooks() {
        let src = fs::read_to_string(&path).unwrap();
        let playbook = handoff::check::compile(FileId(0), &src).playbook.unwrap();
        let dot = handoff::emit::dot::render(&playbook);
        let mermaid = handoff::emit::mermaid::render(&playbook);
        for (format, (nodes, ends)) in [("dot", dot_ids(&dot)), ("mermaid", mermaid_ids(&mermaid))]
        {
            let mut unique = nodes.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), nodes.len(), "{format}: duplicate node ids");
            assert!(ends.len() > nodes.len(), "{format}: edges not recognised");
            for end in &ends {
                assert!(nodes.contains(end), "{format}: edge to undeclared `{end}`");
            }
            for h in &playbook.handoffs {
                assert!(
                    nodes.contains(&format!("handoff_{}", h.name)),
                    "{format}: handoff `{}` missing",
                    h.name
                );
            }
            let reasons = nodes.iter().filter(|n| n.starts_with("reason_")).count();
            assert_eq!(reasons, playbook.reasons.len(), "{format}");
        }
        assert_eq!(dot, handoff::emit::dot::render(&playbook));
        assert_eq!(mermaid, handoff::emit::mermaid::render(&playbook));
    }
}

#[test]
fn labels_with_quotes_and_markup_are_escaped_in_both_diagrams() {
    let src = fs::read_to_string(repo().join("playbooks/seed-matrix.playbook"))
        .unwrap()
        .replace(
            r#"label "Not now""#,
            r#"label "Not \"now\" | <later> #1 \\ ok""#,
        );
    let playbook = handoff::check::compile(FileId(0), &src).playbook.unwrap();
    let dot = handoff::emit::dot::render(&playbook);
    assert!(
        dot.contains(r#"label="reason not_now\nNot \"now\" | <later> #1 \\ ok""#),
        "{dot}"
    );
    let mermaid = handoff::emit::mermaid::render(&playbook);
    assert!(
        mermaid.contains(
            r#"reason_not_now["reason not_now<br>Not #quot;now#quot; #124; #lt;later#gt; #35;1 \ ok"]"#
        ),
        "{mermaid}"
    );
}

#[test]
fn output_file_is_written_whole_and_nothing_goes_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        repo().join("playbooks/seed-matrix.playbook"),
        dir.path().join("seed.playbook"),
    )
    .unwrap();
    fs::write(dir.path().join("seed.dot"), "stale").unwrap();
    let out = run(
        &[
            "compile",
            "seed.playbook",
            "--emit",
            "dot",
            "-o",
            "seed.dot",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let written = fs::read_to_string(dir.path().join("seed.dot")).unwrap();
    let printed = run(&["compile", "seed.playbook", "--emit", "dot"], dir.path());
    assert_eq!(written, stdout(&printed));
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["seed.dot", "seed.playbook"]);
}

#[test]
fn errors_are_shown_like_check_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("bad.playbook"),
        "handoff hand_raise {\n  on demo\n  route to sales\n}\n",
    )
    .unwrap();
    fs::write(dir.path().join("out.json"), "previous").unwrap();
    let out = run(&["compile", "bad.playbook", "-o", "out.json"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    let check = run(&["check", "bad.playbook"], dir.path());
    assert_eq!(stderr(&out), stdout(&check));
    assert!(stderr(&out).contains("error[E0302]"), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(dir.path().join("out.json")).unwrap(),
        "previous"
    );
}

#[test]
fn warnings_are_shown_and_the_output_still_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut src = fs::read_to_string(repo().join("playbooks/seed-matrix.playbook")).unwrap();
    src.push_str("\ncontext spare {\n  include why now\n}\n");
    fs::write(dir.path().join("warn.playbook"), src).unwrap();
    let out = run(
        &["compile", "warn.playbook", "--emit", "mermaid"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("warning[W0316]"), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("---\ntitle: "), "{}", stdout(&out));
}

#[test]
fn unreadable_inputs_and_unwritable_outputs_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    let missing = run(&["compile", "missing.playbook"], dir.path());
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(
        stderr(&missing),
        "error: `missing.playbook` does not exist\n"
    );
    fs::copy(
        repo().join("playbooks/seed-matrix.playbook"),
        dir.path().join("seed.playbook"),
    )
    .unwrap();
    let unwritable = run(
        &["compile", "seed.playbook", "-o", "no/such/dir/out.json"],
        dir.path(),
    );
    assert_eq!(unwritable.status.code(), Some(2));
    assert!(
        stderr(&unwritable).starts_with("error: cannot write `no/such/dir/out.json`"),
        "{}",
        stderr(&unwritable)
    );
    let bad_emit = run(&["compile", "seed.playbook", "--emit", "svg"], dir.path());
    assert_eq!(bad_emit.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn compile_writes_into_a_pipe_without_replacing_it() {
    // `-o` once renamed a temporary file over its target, turning a pipe (or `/dev/stdout`, or a
    // device) into a regular file.
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("ir.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = std::process::Command::new("timeout")
        .arg("20")
        .arg("cat")
        .arg(&fifo)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = run(
        &[
            "compile",
            "playbooks/mmc.playbook",
            "-o",
            fifo.to_str().unwrap(),
        ],
        &repo,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let read = reader.wait_with_output().unwrap();
    assert!(
        String::from_utf8(read.stdout)
            .unwrap()
            .contains("\"format_version\""),
        "the pipe got the IR"
    );
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! `handoff fmt` as a user runs it: in place, `--check`, `--diff`, `-`, and its exit codes.

mod cli_support;
use cli_support::handoff;

use std::fs;

const CLEAN: &str = "track t {\n  enter by default\n  touch email every 7d 3 times\n}\n";
const MESSY: &str =
    "track   t {\r\n\tenter by default   # keep me\r\n\r\n\r\n touch email  every 7d 3 times\r\n}";

#[test]
fn rewrites_in_place_and_keeps_comments() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.playbook");
    fs::write(&file, MESSY).unwrap();
    handoff().arg("fmt").arg(dir.path()).assert().code(0);
    let after = fs::read_to_string(&file).unwrap();
    assert_eq!(
        after,
        "track t {\n  enter by default # keep me\n\n  touch email every 7d 3 times\n}\n"
    );
    handoff()
        .args(["fmt", "--check"])
        .arg(&file)
        .assert()
        .code(0);
}

#[test]
fn check_lists_files_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let messy = dir.path().join("messy.playbook");
    let clean = dir.path().join("clean.playbook");
    fs::write(&messy, MESSY).unwrap();
    fs::write(&clean, CLEAN).unwrap();
    let out = handoff()
        .args(["fmt", "--check"])
        .arg(dir.path())
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains("would reformat") && stdout.contains("messy.playbook"),
        "{stdout}"
    );
    assert!(!stdout.contains("clean.playbook"), "{stdout}");
    assert_eq!(fs::read_to_string(&messy).unwrap(), MESSY);
}

#[test]
fn diff_is_unified_and_computed_in_process() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.playbook");
    fs::write(&file, "track t {\n    enter by default\n}\n").unwrap();
    let out = handoff()
        .args(["fmt", "--diff"])
        .arg(&file)
        .env("PATH", "")
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("-    enter by default"), "{stdout}");
    assert!(stdout.contains("+  enter by default"), "{stdout}");
    assert!(stdout.contains("@@"), "{stdout}");
}

#[test]
fn stdin_to_stdout() {
    let out = handoff()
        .args(["fmt", "-"])
        .write_stdin(MESSY)
        .assert()
        .code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.starts_with("track t {\n  enter by default # keep me\n"),
        "{stdout}"
    );
    handoff()
        .args(["fmt", "--check", "-"])
        .write_stdin(MESSY)
        .assert()
        .code(1);
    handoff()
        .args(["fmt", "--check", "-"])
        .write_stdin(CLEAN)
        .assert()
        .code(0);
}

#[test]
fn syntax_errors_leave_the_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.playbook");
    let text = "track t {\n    enter by defualt\n}\n";
    fs::write(&file, text).unwrap();
    let out = handoff().arg("fmt").arg(&file).assert().code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("E0001"), "{stderr}");
    assert_eq!(fs::read_to_string(&file).unwrap(), text);
}

#[test]
fn missing_paths_cannot_run() {
    handoff().args(["fmt", "no/such/dir"]).assert().code(2);
}

#[test]
fn shipped_playbooks_are_formatted() {
    handoff()
        .args(["fmt", "--check", "playbooks"])
        .assert()
        .code(0);
}

#[cfg(unix)]
#[test]
fn writes_through_a_symlink_and_keeps_it_a_link() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("real")).unwrap();
    let target = dir.path().join("real/a.playbook");
    fs::write(&target, MESSY).unwrap();
    let link = dir.path().join("link.playbook");
    std::os::unix::fs::symlink("real/a.playbook", &link).unwrap();
    handoff().arg("fmt").arg(&link).assert().code(0);
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_link(&link).unwrap(),
        std::path::Path::new("real/a.playbook")
    );
    let formatted = fs::read_to_string(&target).unwrap();
    assert!(formatted.starts_with("track t {\n"), "{formatted}");
    let names: Vec<_> = fs::read_dir(dir.path().join("real"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("a.playbook")]);
}

#[cfg(unix)]
#[test]
fn a_hard_linked_file_keeps_its_inode_and_every_name_sees_the_change() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.playbook");
    fs::write(&file, MESSY).unwrap();
    let other = dir.path().join("other-name.txt");
    fs::hard_link(&file, &other).unwrap();
    let inode = fs::metadata(&file).unwrap().ino();
    handoff().arg("fmt").arg(&file).assert().code(0);
    assert_eq!(fs::metadata(&file).unwrap().ino(), inode);
    assert_eq!(fs::metadata(&file).unwrap().nlink(), 2);
    let formatted = fs::read_to_string(&other).unwrap();
    assert!(formatted.starts_with("track t {\n"), "{formatted}");
    assert_eq!(formatted, fs::read_to_string(&file).unwrap());
}

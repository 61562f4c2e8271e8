//! What a new user tripped over on the command line (issue 20): arguments checked before any
//! simulation, one wording for numeric ranges, `-` for standard input everywhere, warnings as
//! errors in every format, `compare --base` on new and renamed playbooks, `version` and `man`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod cli_support;
use cli_support::{handoff, run, stderr, stdout};

use std::fs;
use std::path::Path;

const SEED: &str = "playbooks/seed-matrix.playbook";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_bad_out_is_refused_before_any_simulation() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("taken");
    fs::write(&file, "not a directory").unwrap();
    let out_arg = file.to_str().unwrap();
    for args in [
        vec!["simulate", SEED, "--days", "20", "--out", out_arg],
        vec!["compare", SEED, SEED, "--days", "20", "--out", out_arg],
        vec![
            "sweep",
            SEED,
            "--set",
            "connect=30%,40%",
            "--days",
            "20",
            "--out",
            out_arg,
        ],
    ] {
        let out = run(&args, repo());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.ends_with("not a directory\n"), "{args:?}: {err}");
        assert!(
            !err.contains("simulated"),
            "{args:?} simulated first: {err}"
        );
        assert_eq!(fs::read_to_string(&file).unwrap(), "not a directory");
    }
}

#[test]
fn numeric_options_share_one_wording_for_ranges() {
    for (args, message) in [
        (
            vec!["--days", "-5"],
            "`--days` must be above 0 and at most 36500, got `-5`",
        ),
        (
            vec!["--replications", "0"],
            "`--replications` must be 1 to 10000, got `0`",
        ),
        (
            vec!["--replications", "99999999999"],
            "`--replications` must be 1 to 10000, got `99999999999`",
        ),
        (
            vec!["--leads", "-3"],
            "`--leads` must be 1 to 2147483648, got `-3`",
        ),
        (
            vec!["--seed", "-1"],
            "`--seed` must be 0 to 18446744073709551615, got `-1`",
        ),
    ] {
        let mut full = vec!["simulate", SEED];
        full.extend(args.iter());
        let out = run(&full, repo());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&out), format!("error: {message}\n"), "{args:?}");
    }
}

#[test]
fn a_span_derived_from_leads_says_how_and_what_to_do() {
    let out = run(
        &["simulate", "playbooks/mmc.playbook", "--leads", "2000000"],
        repo(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: `--leads 2000000` needs a span of 41667 days at scenario `mmc`'s arrival rate of 48.0 leads a day"),
        "{err}"
    );
    assert!(
        err.contains("ask for at most 1752000 leads, or give `--days`"),
        "{err}"
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn denied_warnings_are_errors_in_every_format() {
    let file = "tests/fixtures/diagnostics/W0316_unused_context.playbook";
    let check = |format: &str| {
        let out = run(
            &["check", "--deny-warnings", "--format", format, file],
            repo(),
        );
        assert_eq!(out.status.code(), Some(1), "{format}");
        stdout(&out)
    };
    let github = check("github");
    assert!(github.contains("::error file="), "{github}");
    assert!(!github.contains("::warning"), "{github}");
    let human = check("human");
    assert!(human.contains("error[W0316]"), "{human}");
    assert!(!human.contains("warning"), "{human}");
    let json: serde_json::Value = serde_json::from_str(&check("json")).unwrap();
    assert_eq!(json["diagnostics"][0]["severity"], "error");
    assert_eq!(json["diagnostics"][0]["code"], "W0316");
    assert_eq!(json["summary"]["warnings"], 0);
    let sarif: serde_json::Value = serde_json::from_str(&check("sarif")).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["level"], "error");
    let allowed = run(&["check", "--format", "github", file], repo());
    assert!(stdout(&allowed).contains("::warning"));
}

#[test]
fn a_dash_reads_standard_input_in_every_command() {
    let text = fs::read_to_string(repo().join("playbooks/mmc.playbook")).unwrap();
    let quick = ["--days", "2", "--replications", "2"];
    for args in [
        vec!["check", "-"],
        vec!["compile", "-"],
        vec!["simulate", "-"],
        vec!["sweep", "-", "--set", "connect=30%,40%"],
        vec!["compare", "playbooks/mmc.playbook", "-"],
        vec!["fmt", "-", "--check"],
    ] {
        let simulates = !matches!(args[0], "check" | "compile" | "fmt");
        let out = handoff()
            .args(&args)
            .args(if simulates { &quick[..] } else { &[] })
            .current_dir(repo())
            .write_stdin(text.clone())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
    let broken = handoff()
        .args([
            "check",
            "-",
            "--stdin-filename",
            "pb/new.playbook",
            "--format",
            "github",
        ])
        .current_dir(repo())
        .write_stdin("oops {\n")
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        stdout(&broken).starts_with("::error file=pb/new.playbook,line=1"),
        "{}",
        stdout(&broken)
    );
    let two = run(&["compare", "-", "-"], repo());
    assert_eq!(
        stderr(&two),
        "error: only one playbook can be read from standard input (`-`)\n"
    );
}

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
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
fn compare_base_reports_a_new_playbook_and_follows_a_renamed_one() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(repo().join("playbooks/mmc.playbook")).unwrap();
    fs::write(dir.path().join("old.playbook"), &text).unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    git(dir.path(), &["mv", "old.playbook", "renamed.playbook"]);
    let other = fs::read_to_string(repo().join(SEED)).unwrap();
    fs::write(dir.path().join("new.playbook"), other).unwrap();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "rename and add"]);
    let quick = ["--days", "2", "--replications", "2"];
    let compare = |file: &str, format: &str| {
        let out = handoff()
            .args(["compare", "--base", "main", file, "--format", format])
            .args(quick)
            .args(["--fail-if", "leakage > +1pp"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{file} {format}: {}",
            stderr(&out)
        );
        stdout(&out)
    };
    let line = "`new.playbook` is new since `main`: there is no base to compare with\n";
    assert_eq!(compare("new.playbook", "table"), line);
    assert_eq!(compare("new.playbook", "markdown"), line);
    let doc: serde_json::Value = serde_json::from_str(&compare("new.playbook", "json")).unwrap();
    assert_eq!(doc["base"], serde_json::Value::Null);
    assert_eq!(doc["candidate"]["source"], "new.playbook");
    assert_eq!(doc["summary"], line.trim_end());
    let doc: serde_json::Value =
        serde_json::from_str(&compare("renamed.playbook", "json")).unwrap();
    assert_eq!(doc["base"]["source"], "main:old.playbook");
    assert_eq!(doc["candidate"]["source"], "renamed.playbook");
}

#[test]
fn version_json_names_the_commit_and_the_output_formats() {
    let out = run(&["version", "--format", "json"], repo());
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["name"], "handoff");
    assert_eq!(doc["version"], env!("CARGO_PKG_VERSION"));
    let commit = doc["commit"].as_str().unwrap();
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{commit}"
    );
    let formats = doc["output_formats"].as_array().unwrap();
    let outputs: Vec<&str> = formats
        .iter()
        .map(|f| f["output"].as_str().unwrap())
        .collect();
    assert_eq!(
        outputs,
        [
            "check --format json",
            "compile --emit ir",
            "simulate --format json",
            "compare --format json",
            "sweep --format json",
            "test --format json"
        ]
    );
    assert!(formats.iter().all(|f| f["format_version"] == 1));
}

#[test]
fn man_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man1");
    let out = run(&["man", "--out", pages.to_str().unwrap()], repo());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for name in [
        "handoff.1",
        "handoff-check.1",
        "handoff-simulate.1",
        "handoff-compare.1",
    ] {
        let page = fs::read_to_string(pages.join(name)).unwrap();
        assert!(page.contains(".TH "), "{name}");
    }
    let check = fs::read_to_string(pages.join("handoff-check.1")).unwrap();
    assert!(check.contains("deny\\-warnings"), "{check}");
    let main = run(&["man"], repo());
    assert!(stdout(&main).contains(".SH NAME\nhandoff \\- Compile, check, simulate and run"));
}

#[test]
fn completions_offer_files_for_playbook_arguments() {
    let out = run(&["completions", "zsh"], repo());
    let script = stdout(&out);
    let simulate_file = script
        .lines()
        .find(|l| l.contains(":file -- The playbook to simulate"))
        .unwrap_or_else(|| panic!("no FILE argument for simulate in:\n{script}"));
    assert!(simulate_file.ends_with(":_files' \\"), "{simulate_file}");
    assert!(
        script.contains("--out=[") && script.contains(":DIR:_files -/"),
        "no directory hint"
    );
}

/// Item 24: bash completes `--scenario` with the scenarios of the playbook on the line, asking
/// the real binary (`handoff scenarios`).
#[test]
fn bash_completes_scenario_names_from_the_playbook() {
    let script = stdout(&run(&["completions", "bash"], repo()));
    let names = stdout(&run(
        &["scenarios", "playbooks/seed-matrix.playbook"],
        repo(),
    ));
    assert!(names.lines().any(|l| l == "scale"), "{names}");
    let bin = Path::new(env!("CARGO_BIN_EXE_handoff")).parent().unwrap();
    let complete = |line: &[&str]| {
        let words: Vec<String> = line.iter().map(|w| format!("'{w}'")).collect();
        let probe = format!(
            // As bash calls a completion function: the command, the word and the one before.
            "{script}\nCOMP_WORDS=({})\nCOMP_CWORD={}\n_handoff_scenarios handoff {} {}\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            words.join(" "),
            line.len() - 1,
            words[line.len() - 1],
            words[line.len() - 2],
        );
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(probe)
            .current_dir(repo())
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let all = complete(&[
        "handoff",
        "simulate",
        "playbooks/seed-matrix.playbook",
        "--scenario",
        "",
    ]);
    assert_eq!(all, names, "every scenario is offered");
    let some = complete(&[
        "handoff",
        "simulate",
        "playbooks/seed-matrix.playbook",
        "--scenario",
        "sc",
    ]);
    assert_eq!(some, "scale\n");
    // Elsewhere the generated completion answers: subcommands after `handoff`.
    let commands = complete(&["handoff", "sim"]);
    assert_eq!(commands, "simulate\n");
}

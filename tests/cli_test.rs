#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! `handoff test`: playbook tests as CI runs them, on the fixtures in `tests/fixtures/tests/`.

mod cli_support;
use cli_support::{run, stderr, stdout};

use std::path::Path;

const FIXTURES: &str = "tests/fixtures/tests";

fn test(args: &[&str]) -> std::process::Output {
    let mut all = vec!["test"];
    all.extend_from_slice(args);
    run(&all, Path::new(env!("CARGO_MANIFEST_DIR")))
}

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}.playbook")
}

#[test]
fn passing_tests_exit_zero_with_one_line_each() {
    let out = test(&[&fixture("passing")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "running 2 tests\n\
         test demo::a demo request is handed off ... ok\n\
         test demo::a meeting converts ... ok\n\
         \n\
         test result: ok. 2 passed; 0 failed; 0 filtered out\n"
    );
}

#[test]
fn a_failure_shows_expected_actual_and_the_trace() {
    let out = test(&[&fixture("failing")]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("test_failure_human", stdout(&out));
}

#[test]
fn run_filters_tests_by_a_regular_expression() {
    let out = test(&[&fixture("failing"), "--run", "handed off$"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("test result: ok. 1 passed; 0 failed; 1 filtered out\n"));
    assert!(!stdout(&out).contains("two breaches"));
}

#[test]
fn no_test_run_is_a_failure() {
    let out = test(&[&fixture("no_tests")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("no test ran"), "{}", stdout(&out));
    let out = test(&[&fixture("passing"), "--run", "nothing matches this"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("0 passed; 0 failed; 2 filtered out"));
}

#[test]
fn json_carries_each_result_and_the_failure() {
    let out = test(&[&fixture("failing"), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["summary"]["passed"], 1);
    assert_eq!(doc["summary"]["failed"], 1);
    let tests = doc["tests"].as_array().unwrap();
    assert_eq!(tests[0]["status"], "passed");
    assert_eq!(tests[0]["failure"], serde_json::Value::Null);
    let failed = &tests[1];
    assert_eq!(failed["name"], "demo::two breaches recycle the lead");
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["failure"]["expected"], "breaches 2");
    assert_eq!(failed["failure"]["actual"], "breaches 1");
    assert_eq!(failed["failure"]["statement"], "expect breaches 2");
    let trace = failed["trace"].as_array().unwrap();
    assert!(trace.iter().any(|t| t["at"] == "2026-06-01 09:15"
        && t["text"] == "sla breached for demo_request (breach 1)"));
}

#[test]
fn a_playbook_with_errors_shows_its_findings_and_runs_nothing() {
    let out = test(&["tests/fixtures/diagnostics/E0701_test_without_lead.playbook"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("error[E0701]"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("running"));
}

#[test]
fn a_bad_regular_expression_or_path_cannot_run() {
    let out = test(&[&fixture("passing"), "--run", "("]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: `--run (` is not a regular expression"));
    let out = test(&["missing.playbook"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "error: `missing.playbook` does not exist\n");
}

/// CI runs the shipped tests, and holds every shipped playbook above 90% coverage.
#[test]
fn the_shipped_playbooks_pass_their_tests_with_coverage_over_90_percent() {
    let out = test(&["playbooks", "--fail-under", "90%"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(text.contains("test seed_matrix::"));
    for playbook in ["enterprise_abm", "inbound_plg", "mmc", "seed_matrix"] {
        assert!(text.contains(&format!("\n  {playbook} ")), "{text}");
    }
}

#[test]
fn junit_is_one_suite_per_file_with_the_failure_and_its_trace() {
    let out = test(&[
        &fixture("failing"),
        &fixture("passing"),
        "--format",
        "junit",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let xml = stdout(&out);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("4"));
    assert_eq!(root.attribute("failures"), Some("1"));
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 2, "{xml}");
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure element");
    assert_eq!(
        failure.attribute("message"),
        Some("expected breaches 2, actual breaches 1")
    );
    assert!(
        failure.text().unwrap_or("").contains("sla breached"),
        "{xml}"
    );
    let case = failure.parent().unwrap();
    assert_eq!(case.attribute("classname"), Some("demo"));
    assert_eq!(
        case.attribute("name"),
        Some("two breaches recycle the lead")
    );
}

#[test]
fn github_annotates_the_failed_expectation() {
    let out = test(&[&fixture("failing"), "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let line = text.lines().next().unwrap();
    assert!(
        line.starts_with("::error file=tests/fixtures/tests/failing.playbook,line=")
            && line.ends_with("::expected breaches 2, actual breaches 1"),
        "{text}"
    );
    assert!(
        line.contains("title=demo%3A%3Atwo breaches recycle the lead"),
        "{line}"
    );
    assert!(text.ends_with("test result: 1 passed; 1 failed; 0 filtered out\n"));
}

#[test]
fn coverage_lists_each_playbook_and_the_parts_no_test_reached() {
    let out = test(&[&fixture("passing"), "--coverage"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).ends_with(
        "\ncoverage:\n  demo 66.7% (4/6 parts) tests/fixtures/tests/passing.playbook\n    \
         tests/fixtures/tests/passing.playbook:23:5: breach step \
         `demo_request on breach: after 2 breaches recycle` not reached\n    \
         tests/fixtures/tests/passing.playbook:31:8: reason `no_response` not reached\n"
    ));
}

#[test]
fn fail_under_exits_one_below_the_threshold() {
    let out = test(&[&fixture("passing"), "--fail-under", "90%"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: coverage of `demo` is 66.7%, under the 90% of `--fail-under`\n"
    );
    assert!(stdout(&out).contains("demo 66.7% (4/6 parts)"));
    let out = test(&[&fixture("passing"), "--fail-under", "60"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = test(&[&fixture("passing"), "--fail-under", "120%"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`120%` is not a percentage from 0% to 100%"));
}

#[test]
fn coverage_in_json_and_as_github_warnings() {
    let out = test(&[&fixture("passing"), "--coverage", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let demo = &doc["coverage"][0];
    assert_eq!(demo["playbook"], "demo");
    assert_eq!(demo["covered"], 4);
    assert_eq!(demo["total"], 6);
    let missed = demo["not_reached"].as_array().unwrap();
    assert_eq!(missed[1]["kind"], "reason");
    assert_eq!(missed[1]["name"], "no_response");
    assert_eq!(
        (missed[1]["line"].clone(), missed[1]["column"].clone()),
        (31.into(), 8.into())
    );
    let out = test(&[&fixture("passing"), "--coverage", "--format", "github"]);
    let text = stdout(&out);
    assert!(
        text.contains(
            "::warning file=tests/fixtures/tests/passing.playbook,line=31,col=8,title=not covered::\
             reason `no_response` not reached by any test\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("coverage: demo 66.7% (4/6 parts)\n"),
        "{text}"
    );
}

#[test]
fn a_test_file_runs_against_the_playbook_it_names_and_counts_towards_its_coverage() {
    let out = test(&[
        &fixture("passing"),
        &format!("{FIXTURES}/demo.tests"),
        "--coverage",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("test demo::no response recycles the lead to nurture ... ok\n"),
        "{text}"
    );
    // One coverage line for the playbook, with the test file's test counted in it.
    assert!(
        text.contains(
            "\ncoverage:\n  demo 83.3% (5/6 parts) tests/fixtures/tests/passing.playbook\n"
        ),
        "{text}"
    );
    // A directory walk finds test files too (here the one whose playbook has errors).
    let out = test(&[FIXTURES]);
    assert!(
        stdout(&out).contains("broken.tests:1:7"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_test_file_whose_playbook_is_missing_or_broken_runs_nothing() {
    let out = test(&[
        &format!("{FIXTURES}/missing.tests"),
        &format!("{FIXTURES}/broken.tests"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("error[E0705]: `tests/fixtures/tests/nowhere.playbook` does not exist"),
        "{text}"
    );
    assert!(
        text.contains(
            "error[E0705]: `../diagnostics/E0101_undefined_queue.playbook` has errors, so its tests cannot run"
        ),
        "{text}"
    );
    assert!(!text.contains("running"), "{text}");
}

#[test]
fn check_and_fmt_take_test_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = run(&["check", &format!("{FIXTURES}/demo.tests")], root);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = run(&["fmt", "--check", &format!("{FIXTURES}/demo.tests")], root);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = run(&["fmt", "--check", "playbooks"], root);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = run(&["check", "playbooks"], root);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("checked 7 files"), "{}", stdout(&out));
}

/// The "done when": a new user writes a test that fails, reads why, fixes the playbook
/// and sees the test pass.
#[test]
fn a_new_user_reads_why_a_test_fails_fixes_the_playbook_and_sees_it_pass() {
    let dir = tempfile::tempdir().unwrap();
    let playbook = |sla: &str| {
        format!(
            "lead {{\n  segment: one of smb, enterprise\n}}\n\nevent form_submit\n\n\
             track nurture {{\n  enter by default\n  touch email every 7d 4 times\n  then close as no_response\n}}\n\n\
             handoff demo_request {{\n  on form_submit\n  route to sdr\n  sla {sla}\n  on breach {{\n    notify sales_manager\n  }}\n}}\n\n\
             queue sdr {{\n  members ana, ben\n}}\n\n\
             reason no_response {{\n  close\n}}\n"
        )
    };
    std::fs::write(dir.path().join("demo.playbook"), playbook("30m")).unwrap();
    std::fs::write(
        dir.path().join("demo.tests"),
        "tests \"demo.playbook\"\n\n\
         test \"a demo request reaches an SDR within 15 minutes\" {\n  given lead ada {\n    segment smb\n  }\n  \
         at 2026-06-01 09:00\n  event form_submit\n  expect handed off by demo_request to sdr\n  \
         expect sla due 2026-06-01 09:15\n}\n",
    )
    .unwrap();
    let out = run(&["test", "."], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        "test demo::a demo request reaches an SDR within 15 minutes ... FAILED",
        "demo.tests:10:3: expect sla due 2026-06-01 09:15",
        "  expected: sla due 2026-06-01 09:15",
        "    actual: sla due 2026-06-01 09:30 (in 30m)",
        "  trace of lead ada:",
        "    2026-06-01 09:00  create task for demo_request without sequence",
    ] {
        assert!(text.contains(line), "`{line}` missing from:\n{text}");
    }
    std::fs::write(dir.path().join("demo.playbook"), playbook("15m")).unwrap();
    let out = run(&["test", "."], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).ends_with("test result: ok. 1 passed; 0 failed; 0 filtered out\n"));
}

#[test]
fn a_playbook_without_a_name_is_named_by_its_file_as_the_editor_lens_runs_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("no-header.playbook");
    let text = "lead {\n  segment: one of smb, enterprise\n}\n\ntest \"arrives\" {\n  given lead ria {\n    segment smb\n  }\n  at 2026-06-02 10:00\n  expect no handoff\n}\n";
    std::fs::write(&file, text).unwrap();
    let out = test(&[file.to_str().unwrap(), "--run", "^no\\-header::arrives$"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("test no-header::arrives ... ok"),
        "{}",
        stdout(&out)
    );
}

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Every diagnostic code, demonstrated on a fixture and snapshotted Gleam style: the source,
//! then what the checker says about it.
//!
//! Fixtures live in `tests/fixtures/diagnostics/` and are named after the code they
//! demonstrate (`E0101_undefined_queue.playbook`); adding a code to the registry without a
//! fixture fails `every_code_has_a_fixture`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use handoff::check;
use handoff::diagnostics::render::{self, Sources};
use handoff::diagnostics::{Code, Diagnostic};
use handoff::span::FileId;

const FIXTURES: &str = "tests/fixtures/diagnostics";

/// Fixtures allowed to report codes besides their own, with the reason why.
const EXTRA_CODES_ALLOWED: &[(&str, &str)] = &[];

/// Codes shown by a test that builds its input rather than by a fixture file, with the test.
const CODES_WITHOUT_FIXTURE: &[(&str, &str)] = &[
    (
        "E0705",
        "tests/cli_test.rs a_test_file_whose_playbook_is_missing_or_broken_runs_nothing: the finding needs a test file and the playbook it names",
    ),
    (
    "E0005",
    "a_file_over_the_size_limit_is_refused_whole: a fixture over the limit would put megabytes into the repository",
)];

fn fixtures() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "playbook"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {FIXTURES}");
    paths
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// The code a fixture is named after: everything before the first `_`.
fn fixture_code(path: &Path) -> Code {
    let name = stem(path);
    let prefix = name.split('_').next().unwrap();
    Code::parse(prefix).unwrap_or_else(|| panic!("`{name}` does not start with a known code"))
}

/// Checks a source under a display name; returns the findings and their colourless rendering.
fn check(name: &str, src: &str) -> (Vec<Diagnostic>, String) {
    let mut sources = Sources::new();
    let id = sources.add(name, src);
    let diags = check::check_source(id, src);
    let text = render::human(&diags, &sources, false);
    (diags, text)
}

fn codes(diags: &[Diagnostic]) -> BTreeSet<&'static str> {
    diags.iter().map(|d| d.code.as_str()).collect()
}

/// House style for messages (STYLE.md item 8), checked so a snapshot cannot accept a relapse.
fn assert_message_style(fixture: &str, d: &Diagnostic) {
    let texts = std::iter::once(d.message.as_str())
        .chain(d.labels.iter().map(|l| l.message.as_str()))
        .chain(d.help.as_deref());
    for text in texts.filter(|t| !t.is_empty()) {
        let first = text.chars().next().unwrap();
        assert!(
            !first.is_uppercase(),
            "{fixture}: `{text}` starts with a capital letter"
        );
        assert!(
            !text.ends_with('.'),
            "{fixture}: `{text}` ends with a period"
        );
    }
    assert!(
        d.labels.iter().any(|l| l.primary),
        "{fixture}: {} has no primary label",
        d.code
    );
}

#[test]
fn every_fixture_reports_its_code() {
    for path in fixtures() {
        let name = stem(&path);
        let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
        let src = std::fs::read_to_string(&path).unwrap();
        let (diags, text) = check(&file_name, &src);
        let expected = fixture_code(&path);
        let found = codes(&diags);
        assert!(
            found.contains(expected.as_str()),
            "{name}: expected {expected}, found {found:?}\n{text}"
        );
        if !EXTRA_CODES_ALLOWED.iter().any(|(n, _)| *n == name) {
            assert_eq!(
                found,
                BTreeSet::from([expected.as_str()]),
                "{name} reports other codes besides its own\n{text}"
            );
        }
        for d in &diags {
            assert_message_style(&name, d);
        }
        insta::with_settings!({
            snapshot_path => "snapshots/diagnostics",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            input_file => &path,
        }, {
            insta::assert_snapshot!(
                name.as_str(),
                format!("----- SOURCE CODE\n{src}\n----- DIAGNOSTICS\n{text}")
            );
        });
    }
}

/// `docs/formatting.md` promises that a lone CR ends a line like LF: with every `\n` of a
/// fixture or shipped playbook turned into `\r` (which keeps every byte offset), the findings
/// and the IR are the same, and so are their rendered positions.
#[test]
fn lone_carriage_returns_check_like_line_feeds() {
    let shipped = std::fs::read_dir("playbooks")
        .unwrap()
        .map(|e| e.unwrap().path());
    for path in fixtures().into_iter().chain(shipped) {
        let lf = std::fs::read_to_string(&path).unwrap();
        let cr = lf.replace('\n', "\r");
        let name = path.display().to_string();
        let with_lf = check::compile(FileId(0), &lf);
        let with_cr = check::compile(FileId(0), &cr);
        assert_eq!(with_lf.diagnostics, with_cr.diagnostics, "{name}");
        assert_eq!(with_lf.playbook, with_cr.playbook, "{name}");
        let (_, lf_text) = check(&name, &lf);
        let (_, cr_text) = check(&name, &cr);
        assert_eq!(lf_text, cr_text, "{name}");
    }
}

#[test]
fn every_code_has_a_fixture() {
    let covered: BTreeSet<Code> = fixtures().iter().map(|p| fixture_code(p)).collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !covered.contains(c))
        .filter(|c| {
            !CODES_WITHOUT_FIXTURE
                .iter()
                .any(|(code, _)| *code == c.as_str())
        })
        .map(|c| c.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a fixture in {FIXTURES}: {missing:?}"
    );
}

#[test]
fn shipped_playbooks_have_no_findings() {
    let mut checked = 0;
    for entry in std::fs::read_dir("playbooks").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "playbook") {
            continue;
        }
        let src = std::fs::read_to_string(&path).unwrap();
        let (diags, text) = check(&path.display().to_string(), &src);
        assert!(diags.is_empty(), "{}:\n{text}", path.display());
        checked += 1;
    }
    assert!(checked >= 1, "no shipped playbooks found");
}

/// A file one byte over `syntax::MAX_SOURCE_BYTES` gets E0005 and nothing else (it is not
/// parsed), while the same file at the limit is checked as usual.
#[test]
fn a_file_over_the_size_limit_is_refused_whole() {
    let fixture =
        std::fs::read_to_string(format!("{FIXTURES}/E0101_undefined_field.playbook")).unwrap();
    let limit = handoff::syntax::MAX_SOURCE_BYTES;
    let padded = |len: usize| format!("{fixture}#{}", "x".repeat(len - fixture.len() - 1));
    let (diags, text) = check("at_limit.playbook", &padded(limit));
    assert_eq!(codes(&diags), BTreeSet::from(["E0101"]), "{text}");
    let (diags, text) = check("over_limit.playbook", &padded(limit + 1));
    assert_eq!(codes(&diags), BTreeSet::from(["E0005"]), "{text}");
    assert_message_style("over_limit", &diags[0]);
    insta::assert_snapshot!(text, @r"
    error[E0005]: the file is larger than the 4 MiB limit
       ╭─[ over_limit.playbook:1:1 ]
       │
     1 │ # `industry` is not a lead field.
       │ │
       │ ╰─ this file was not read
       │
       │ Help: check that this is the intended file, or split it into smaller playbooks
       │
       │ Note: the file has 4194305 bytes; the limit is 4194304 bytes
    ───╯

    1 error in 1 file
    ");
}

/// Reproducer (issue 19): a line with 4,000 uses of an undeclared name printed the whole line
/// once per finding (12 s and 486 MB); now the first findings show a window of the line each,
/// one line counts the rest, and the output stays small.
#[test]
fn thousands_of_findings_on_one_line_print_a_bounded_report() {
    let fixture =
        std::fs::read_to_string(format!("{FIXTURES}/E0101_undefined_field.playbook")).unwrap();
    let condition = vec!["x = a"; 4_000].join(" or ");
    let src = fixture.replace("industry = \"software\"", &condition);
    let (diags, text) = check("long.playbook", &src);
    assert_eq!(diags.len(), 4_000, "{text}");
    let shown = render::MAX_SHOWN_PER_FILE;
    assert_eq!(text.matches("error[E0101]").count(), shown);
    assert!(text.contains(
        "\nand 3900 more findings in `long.playbook` (`--format json` lists every one)\n"
    ));
    assert!(text.ends_with("\n4000 errors in 1 file\n"), "{text}");
    assert!(text.len() < shown * 1_000, "{} bytes", text.len());
    // The last finding shown sits 99 terms of `x = a or ` along the line.
    assert!(text.contains(&format!("long.playbook:14:{} ]", 14 + 9 * 99)));
    let mut sources = Sources::new();
    let id = sources.add("long.playbook", src.clone());
    let diags = check::check_source(id, &src);
    assert_eq!(
        render::json(&diags, &sources)["diagnostics"]
            .as_array()
            .unwrap()
            .len(),
        4_000
    );
}

/// One file with a mistake of each kind in different blocks: the checker reports every one
/// of them, not only the first.
#[test]
fn several_independent_mistakes_are_all_reported() {
    let path = Path::new("tests/fixtures/several_mistakes.playbook");
    let src = std::fs::read_to_string(path).unwrap();
    let (diags, text) = check("several_mistakes.playbook", &src);
    assert_eq!(
        codes(&diags),
        BTreeSet::from(["E0001", "E0101", "E0201", "E0203", "E0302", "W0309", "W0312"]),
        "\n{text}"
    );
    insta::with_settings!({
        snapshot_path => "snapshots/diagnostics",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        input_file => path,
    }, {
        insta::assert_snapshot!(
            "several_mistakes",
            format!("----- SOURCE CODE\n{src}\n----- DIAGNOSTICS\n{text}")
        );
    });
}

/// Each signal line of a profile draws from its own random stream, numbered in one byte: a
/// profile with one line more than that is refused, one at the limit is not.
#[test]
fn a_profile_has_at_most_one_signal_line_per_random_stream() {
    let fixture = Path::new("tests/fixtures/diagnostics/E0401_impossible_distribution.playbook");
    let base = std::fs::read_to_string(fixture)
        .unwrap()
        .replace("uniform(30m, 5m)", "uniform(5m, 30m)");
    // Few leads, so the checker's load pilot of 240 signal lines a lead stays quick.
    let base = base.replace("source web 40 per day", "source web 1 per week");
    let with_lines = |n: usize| {
        base.replace(
            "    signal form_submit on arrival\n",
            &"    signal form_submit 1 per day\n".repeat(n),
        )
    };
    let limit = handoff::ir::scenario::MAX_SIGNAL_LINES;
    let (diags, text) = check("at_limit.playbook", &with_lines(limit));
    assert!(diags.is_empty(), "{text}");
    let (diags, text) = check("over_limit.playbook", &with_lines(limit + 1));
    assert_eq!(codes(&diags), BTreeSet::from(["E0401"]), "{text}");
    assert!(
        text.contains("profile `hand_raiser` has 241 signal lines"),
        "{text}"
    );
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}.playbook")).unwrap()
}

/// The 1-based line of each label of a finding, primary first.
fn label_lines(src: &str, d: &Diagnostic) -> Vec<(usize, bool)> {
    d.labels
        .iter()
        .map(|l| {
            (
                src[..l.span.start as usize].matches('\n').count() + 1,
                l.primary,
            )
        })
        .collect()
}

/// Reproducer (issue 20, item 18): `notify` took any name. With a `roles` line in the header a
/// misspelt role is E0101 with the closest role suggested; a queue named instead is E0103; a
/// playbook without `roles` still notifies any name.
#[test]
fn notify_names_a_declared_role() {
    let src = fixture("E0101_undefined_role");
    let (diags, text) = check("roles.playbook", &src);
    assert_eq!(codes(&diags), BTreeSet::from(["E0101"]), "{text}");
    assert_eq!(
        diags[0].help.as_deref(),
        Some("did you mean `sales_manager`?")
    );
    let (diags, text) = check(
        "queue.playbook",
        &src.replace("notify sales_manger", "notify sdr"),
    );
    assert_eq!(codes(&diags), BTreeSet::from(["E0103"]), "{text}");
    assert!(text.contains("`sdr` is a queue, not a role"), "{text}");
    let declared = src.replace("notify sales_manger", "notify account_director");
    assert_eq!(check("declared.playbook", &declared).0, vec![]);
    let undeclared = src.replace("  roles sales_manager, account_director\n", "");
    assert_eq!(check("no_roles.playbook", &undeclared).0, vec![]);
}

/// Reproducer (issue 20, item 20): `enter when fit >= 0` took every new lead ahead of the
/// default track without a word. The lint reasons about the moment of arrival, when event
/// points and counts are zero, and stays quiet when a new lead can fail the condition.
#[test]
fn an_entry_condition_every_new_lead_meets_is_reported() {
    let src = fixture("W0317_entry_always_holds");
    let always = [
        "fit >= 0",
        "fit <= 30",
        "fit >= 0 or segment = smb",
        "not fit > 30",
        "count form_submit within 7d < 1",
    ];
    for cond in always {
        let (diags, text) = check("always.playbook", &src.replace("fit >= 0", cond));
        assert_eq!(codes(&diags), BTreeSet::from(["W0317"]), "{cond}\n{text}");
    }
    let depends = [
        "fit >= 30",
        "fit >= 0 and segment = smb",
        "count form_submit within 7d >= 1",
    ];
    for cond in depends {
        let (diags, text) = check("depends.playbook", &src.replace("fit >= 0", cond));
        assert_eq!(diags, vec![], "{cond}\n{text}");
    }
    let negative = src.replace("add 30 when", "subtract 30 when");
    let (diags, text) = check("negative.playbook", &negative);
    assert_eq!(diags, vec![], "{text}");
}

/// Reproducer (issue 20, item 21): E0401 for profile shares pointed at the scenario's name;
/// it points at the first profile line and labels every other one.
#[test]
fn profile_shares_that_miss_100_percent_point_at_the_profiles() {
    let src = fixture("E0401_profile_shares_not_100_percent");
    let (diags, text) = check("profiles.playbook", &src);
    assert_eq!(diags.len(), 1, "{text}");
    assert!(diags[0].message.contains("90%"), "{text}");
    let profiles: Vec<usize> = src
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("profile "))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(profiles.len(), 2);
    assert_eq!(
        label_lines(&src, &diags[0]),
        vec![(profiles[0], true), (profiles[1], false)],
        "{text}"
    );
}

/// Reproducer (issue 20, item 21): `kpi target_account_meetings` on a reason read as if it
/// counted target-account meetings, and the kpi read 0; it is a warning there, and not on a
/// handoff, where the line is what marks target-account handoffs.
#[test]
fn a_target_account_kpi_line_outside_a_handoff_is_reported() {
    let src = fixture("W0318_kpi_line_in_reason");
    let (diags, text) = check("reason.playbook", &src);
    assert_eq!(codes(&diags), BTreeSet::from(["W0318"]), "{text}");
    let moved = src
        .replace("  convert\n  kpi target_account_meetings\n", "  convert\n")
        .replace(
            "  sequence follow_up\n",
            "  sequence follow_up\n  kpi target_account_meetings\n",
        );
    assert_eq!(check("handoff.playbook", &moved).0, vec![]);
}

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::{json, Value};

use super::human::MAX_SHOWN_LINE;
use super::sarif::sarif_uri;
use super::*;
use crate::diagnostics::Code;

const TRACKS: &str = "playbook demo {\n  track nurture {\n    touch email every 7d\n  }\n  handoff hot {\n    when band A\n    route to sales\n    recycle to nuture\n  }\n}\n";
const QUEUES: &str = "queue sales {\n  capacity 5\n}\nqueue sales {\n  capacity 3\n}\n";

fn span_of(sources: &Sources, file: FileId, needle: &str) -> Span {
    let text = &sources.get(file).unwrap().text;
    let start = text.find(needle).unwrap();
    Span::new(file, start, start + needle.len())
}

fn fixture() -> (Sources, Vec<Diagnostic>) {
    let mut sources = Sources::new();
    let tracks = sources.add("playbooks/tracks.playbook", TRACKS);
    let queues = sources.add("playbooks/queues.playbook", QUEUES);
    let first_sales = span_of(&sources, queues, "sales");
    let second_sales = {
        let s = span_of(&sources, queues, "sales {\n  capacity 3");
        Span::new(queues, s.start as usize, s.start as usize + 5)
    };
    let diags = vec![
        Diagnostic::new(
            Code::Undefined,
            span_of(&sources, tracks, "nuture"),
            "undefined track `nuture`",
        )
        .with_primary_message("no track with this name")
        .with_help("a track with a similar name exists: `nurture`"),
        Diagnostic::new(Code::Duplicate, second_sales, "duplicate queue `sales`")
            .with_primary_message("declared again here")
            .with_label(first_sales, "first declared here")
            .with_note("queue names must be unique"),
        Diagnostic::new(
            Code::UnreachableTrack,
            span_of(&sources, tracks, "track nurture"),
            "track `nurture` can never be entered",
        ),
    ];
    (sources, diags)
}

#[test]
fn human_output() {
    let (sources, diags) = fixture();
    insta::assert_snapshot!(human(&diags, &sources, false));
}

#[test]
fn human_output_spanning_lines_and_files() {
    let (sources, _) = fixture();
    let tracks = FileId(0);
    let queues = FileId(1);
    let handoff = span_of(
        &sources,
        tracks,
        "handoff hot {\n    when band A\n    route to sales",
    );
    let diag = Diagnostic::new(Code::OverlappingHandoffs, handoff, "handoff `hot` overlaps")
        .with_primary_message("this rule")
        .with_label(
            span_of(&sources, queues, "capacity 5"),
            "and the queue it fills",
        );
    insta::assert_snapshot!(human(&[diag], &sources, false));
}

#[test]
fn human_output_in_colour_has_escapes_and_plain_has_none() {
    let (sources, diags) = fixture();
    assert!(human(&diags, &sources, true).contains('\u{1b}'));
    assert!(!human(&diags, &sources, false).contains('\u{1b}'));
}

#[test]
fn human_lines_have_no_trailing_whitespace() {
    let (sources, diags) = fixture();
    let out = human(&diags, &sources, false);
    assert!(out.lines().all(|l| l == l.trim_end()));
}

#[test]
fn json_output() {
    let (sources, diags) = fixture();
    insta::assert_json_snapshot!(json(&diags, &sources));
}

#[test]
fn json_failure_keeps_the_shape() {
    let failures = vec!["`missing.playbook` does not exist".to_string()];
    let doc = json_with_failures(&[], &Sources::new(), &failures);
    insta::assert_json_snapshot!(doc);
}

#[test]
fn sarif_output() {
    let (sources, diags) = fixture();
    let mut doc = sarif(&diags, &sources);
    // The rule table repeats the whole registry; it is checked separately below.
    let rules = doc["runs"][0]["tool"]["driver"]["rules"].take();
    assert_eq!(rules.as_array().unwrap().len(), Code::ALL.len());
    assert_eq!(rules[0]["id"], Code::ALL[0].as_str());
    assert_eq!(
        doc["runs"][0]["tool"]["driver"]["version"].take(),
        env!("CARGO_PKG_VERSION")
    );
    insta::assert_json_snapshot!(doc);
}

#[test]
fn sarif_rule_index_points_at_the_rule() {
    let (sources, diags) = fixture();
    let doc = sarif(&diags, &sources);
    let run = &doc["runs"][0];
    for result in run["results"].as_array().unwrap() {
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(
            run["tool"]["driver"]["rules"][index]["id"],
            result["ruleId"]
        );
    }
}

#[test]
fn sarif_uris_are_relative_with_forward_slashes_and_encoded() {
    assert_eq!(sarif_uri("dir\\my file.playbook"), "dir/my%20file.playbook");
    assert_eq!(sarif_uri("/abs/a.playbook"), "file:///abs/a.playbook");
    assert_eq!(sarif_uri("C:\\x\\a.playbook"), "file:///C:/x/a.playbook");
}

#[test]
fn github_output() {
    let (sources, diags) = fixture();
    insta::assert_snapshot!(github(&diags, &sources));
}

#[test]
fn github_escapes_properties_and_data() {
    let mut sources = Sources::new();
    let file = sources.add("a,b:c%.playbook", "x\n");
    let diag = Diagnostic::new(Code::Syntax, Span::new(file, 0, 1), "50% bad\r\nline");
    let out = github(&[diag], &sources);
    assert!(
        out.starts_with("::error file=a%2Cb%3Ac%25.playbook,line=1,col=1,endLine=1,endColumn=2,title=E0001::50%25 bad%0D%0Aline\n"),
        "{out}"
    );
}

#[test]
fn github_limits_annotations_per_kind() {
    let mut sources = Sources::new();
    let file = sources.add("a.playbook", "x\n".repeat(30));
    let diags: Vec<Diagnostic> = (0..12)
        .map(|i| Diagnostic::new(Code::Syntax, Span::new(file, i * 2, i * 2 + 1), "bad"))
        .chain(
            (0..3)
                .map(|i| Diagnostic::new(Code::BandGap, Span::new(file, i * 2, i * 2 + 1), "gap")),
        )
        .collect();
    let out = github(&diags, &sources);
    assert_eq!(out.lines().filter(|l| l.starts_with("::error")).count(), 10);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("::warning")).count(),
        3
    );
    assert!(
        out.contains("\na.playbook:11:1: error[E0001]: bad\n"),
        "{out}"
    );
    assert!(
        out.contains("\na.playbook:12:1: error[E0001]: bad\n"),
        "{out}"
    );
    assert!(out.ends_with("12 errors, 3 warnings in 1 file\n"));
}

#[test]
fn summary_lines() {
    let (_, diags) = fixture();
    assert_eq!(summary_line(&[], 3), "checked 3 files: no problems");
    assert_eq!(summary_line(&[], 1), "checked 1 file: no problems");
    assert_eq!(summary_line(&diags, 2), "2 errors, 1 warning in 2 files");
}

#[test]
fn positions_are_one_based_with_exclusive_ends() {
    let (sources, diags) = fixture();
    let doc = json(&diags, &sources);
    let first = &doc["diagnostics"][0];
    assert_eq!(first["line"], 8);
    assert_eq!(first["column"], 16);
    assert_eq!(first["end_line"], 8);
    assert_eq!(first["end_column"], 22);
}

#[test]
fn unknown_files_are_dropped_not_fatal() {
    let sources = Sources::new();
    let diag = Diagnostic::new(Code::Syntax, Span::new(FileId(7), 0, 3), "bad")
        .with_label(Span::new(FileId(9), 1, 2), "elsewhere");
    let out = human(std::slice::from_ref(&diag), &sources, false);
    assert!(out.starts_with("error[E0001]: bad\n"), "{out}");
    let doc = json(std::slice::from_ref(&diag), &sources);
    assert_eq!(doc["diagnostics"][0]["file"], Value::Null);
    let out = github(std::slice::from_ref(&diag), &sources);
    assert!(out.starts_with("::error title=E0001::bad\n"), "{out}");
}

#[test]
fn any_span_on_awkward_text_renders_without_panicking() {
    let texts = [
        "",
        "a",
        "\n",
        "日本\r\nb\rc\u{2028}d\u{85}e\u{1b}[31mf\n",
        "x\t\u{202e}y\n\n",
    ];
    for text in texts {
        let mut sources = Sources::new();
        let file = sources.add("t.playbook", text);
        let limit = text.len() + 3;
        for start in 0..limit {
            for end in 0..limit {
                let diag = Diagnostic::new(Code::Syntax, Span::new(file, start, end), "m")
                    .with_primary_message("here")
                    .with_label(Span::new(file, end, start + 1), "there");
                let diags = [diag];
                let out = human(&diags, &sources, false);
                assert!(!out.contains('\u{1b}'));
                json(&diags, &sources);
                sarif(&diags, &sources);
                github(&diags, &sources);
            }
        }
    }
}

#[test]
fn messages_cannot_drive_the_terminal() {
    let mut sources = Sources::new();
    let file = sources.add("a.playbook", "x\n");
    let diag = Diagnostic::new(Code::Syntax, Span::new(file, 0, 1), "bad `\u{1b}[2J`")
        .with_primary_message("\u{9b}31m")
        .with_note("\u{7}")
        .with_help("\u{1b}]0;title\u{7}");
    let out = human(&[diag], &sources, true);
    assert!(!out.contains(['\u{9b}', '\u{7}']), "{out:?}");
    assert!(
        !out.contains("\u{1b}[2J") && !out.contains("\u{1b}]"),
        "{out:?}"
    );
}

/// A one-megabyte line with a finding every 54 bytes: positions cost the same wherever
/// they fall on the line (none is counted from the line's start), and the human output
/// shows a bounded window of the line for the first findings only.
#[test]
fn twenty_thousand_findings_on_a_megabyte_line() {
    let line = "x = a or ".repeat(1 << 17);
    let text = format!("first\n{line}\nlast\n");
    let mut sources = Sources::new();
    let file = sources.add("long.playbook", text.clone());
    let diags: Vec<Diagnostic> = (0..20_000)
        .map(|i| {
            let at = 6 + i * 54;
            Diagnostic::new(
                Code::Undefined,
                Span::new(file, at, at + 1),
                "undefined `x`",
            )
            .with_primary_message("not declared")
        })
        .collect();
    let doc = json(&diags, &sources);
    let last = &doc["diagnostics"][19_999];
    assert_eq!(
        (&last["line"], &last["column"]),
        (&json!(2), &json!(19_999 * 54 + 1))
    );
    assert_eq!(
        sarif(&diags, &sources)["runs"][0]["results"]
            .as_array()
            .unwrap()
            .len(),
        20_000
    );
    let out = human(&diags, &sources, false);
    assert!(
        out.len() < MAX_SHOWN_PER_FILE * 1_000,
        "{} bytes",
        out.len()
    );
    assert!(
        out.lines().all(|l| l.len() < 2 * MAX_SHOWN_LINE),
        "a line too long"
    );
    assert!(
        out.contains("and 19900 more findings in `long.playbook`"),
        "{out}"
    );
    assert!(out.ends_with("20000 errors in 1 file\n"));
    let gh = github(&diags, &sources);
    assert_eq!(gh.lines().count(), MAX_SHOWN_PER_FILE + 2);
    assert!(gh.contains("\nand 19900 more findings in `long.playbook`"));
}

#[test]
fn a_finding_far_along_a_long_line_shows_a_window_with_its_real_column() {
    let line = format!("{}target{}", "a".repeat(5_000), "b".repeat(5_000));
    let mut sources = Sources::new();
    let file = sources.add("w.playbook", format!("head\n{line}\ntail\n"));
    let at = 5 + 5_000;
    let diag = Diagnostic::new(Code::Undefined, Span::new(file, at, at + 6), "m")
        .with_primary_message("here")
        .with_label(Span::new(file, 0, 4), "and the head");
    let out = human(&[diag], &sources, false);
    insta::assert_snapshot!(out);
    assert!(out.contains("w.playbook:2:5001 ]"), "{out}");
}

#[test]
fn short_lines_are_shown_whole_and_labels_on_two_long_lines_get_a_window_each() {
    let long = "word ".repeat(100);
    let text = format!("{long}\nshort line\n{long}\n");
    let mut sources = Sources::new();
    let file = sources.add("t.playbook", text.clone());
    let second = text.rfind("word").unwrap();
    let diag = Diagnostic::new(Code::Duplicate, Span::new(file, second, second + 4), "m")
        .with_primary_message("again")
        .with_label(Span::new(file, 250, 254), "first");
    let out = human(&[diag], &sources, false);
    insta::assert_snapshot!(out);
    assert!(out.contains("t.playbook:3:496 ]"), "{out}");
}

#[test]
fn display_copy_keeps_offsets_and_line_count() {
    let text = "a\rb\u{85}c\u{2028}d\u{1b}e\r\nf\u{202e}g\n";
    let shown = sanitize_for_display(text);
    assert_eq!(shown.len(), text.len());
    assert_eq!(ariadne::Source::from(shown.as_str()).lines().count(), 3);
    for (i, _) in text.char_indices() {
        assert!(shown.is_char_boundary(i));
    }
}

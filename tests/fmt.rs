#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The formatter three ways: fixtures format to their expected output, formatted text is a
//! fixed point, and formatting twice equals formatting once; plus whitespace perturbation and
//! arbitrary input as properties.

use handoff::fmt::{format_source, FormatError};
use handoff::span::FileId;
use handoff::syntax::ast::{Item, PlaybookStmt};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const FIXTURES: &str = "tests/fixtures/fmt";

fn fmt(src: &str) -> String {
    let result = format_source(FileId(0), src);
    assert!(result.is_ok(), "{result:?}\n--- source ---\n{src}");
    result.unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// `(name, input, expected)` for every `NAME.in.playbook` / `NAME.out.playbook` pair.
fn fixture_pairs() -> Vec<(String, String, String)> {
    let mut pairs = Vec::new();
    for entry in std::fs::read_dir(FIXTURES).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_str().unwrap().to_string();
        if let Some(name) = file.strip_suffix(".in.playbook") {
            let out = PathBuf::from(FIXTURES).join(format!("{name}.out.playbook"));
            pairs.push((name.to_string(), read(&path), read(&out)));
        }
    }
    pairs.sort();
    pairs
}

fn shipped_playbooks() -> Vec<(PathBuf, String)> {
    let mut files: Vec<_> = std::fs::read_dir("playbooks")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "playbook"))
        .map(|p| {
            let src = read(&p);
            (p, src)
        })
        .collect();
    files.sort();
    files
}

/// Layout rules every formatted file obeys whatever its content.
fn assert_canonical_whitespace(name: &str, out: &str) {
    if out.is_empty() {
        return;
    }
    assert!(
        out.ends_with('\n') && !out.ends_with("\n\n"),
        "{name}: one final newline"
    );
    assert!(!out.starts_with('\n'), "{name}: no leading blank line");
    assert!(!out.contains("\n\n\n"), "{name}: blank lines collapse");
    for (i, line) in out.lines().enumerate() {
        assert_eq!(
            line,
            line.trim_end(),
            "{name}:{}: trailing whitespace",
            i + 1
        );
        let indent = &line[..line.len() - line.trim_start().len()];
        assert!(
            indent.chars().all(|c| c == ' '),
            "{name}:{}: indentation",
            i + 1
        );
        if !line.trim_start().starts_with('#') {
            assert!(
                !line.contains('\t') && !line.contains('\r'),
                "{name}:{}",
                i + 1
            );
        }
    }
}

#[test]
fn fixtures_format_to_their_expected_output_and_are_fixed_points() {
    let pairs = fixture_pairs();
    assert!(pairs.len() >= 5, "only {} fixture pairs", pairs.len());
    for (name, input, expected) in &pairs {
        let once = fmt(input);
        assert_eq!(&once, expected, "{name}: format(in) != out");
        assert_eq!(&fmt(expected), expected, "{name}: out is not a fixed point");
        assert_eq!(fmt(&once), once, "{name}: format is not idempotent");
        assert_canonical_whitespace(name, &once);
    }
}

#[test]
fn fixtures_cover_every_block_kind() {
    let mut kinds = BTreeSet::new();
    for (_, input, _) in fixture_pairs() {
        let parsed = handoff::syntax::parse(FileId(0), &input);
        kinds.extend(parsed.file.items.iter().map(|i| i.name().0));
    }
    let all: BTreeSet<&str> = handoff::syntax::BLOCK_KEYWORDS.iter().copied().collect();
    assert_eq!(kinds, all);
}

#[test]
fn shipped_playbooks_are_fixed_points() {
    let files = shipped_playbooks();
    assert!(!files.is_empty());
    for (path, src) in files {
        let out = fmt(&src);
        assert_eq!(out, src, "{} is not formatted", path.display());
    }
}

#[test]
fn a_file_with_a_syntax_error_is_not_formatted() {
    let src = "handoff broken {\n  sla 15x minutes\n}\n\nevent   fine\n";
    let before = src.to_string();
    let result = format_source(FileId(3), src);
    let expected = handoff::syntax::parse(FileId(3), src).diagnostics;
    assert!(!expected.is_empty());
    assert_eq!(result, Err(FormatError::Syntax(expected)));
    assert_eq!(src, before);
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt(" \r\n\t\n"), "");
    assert_eq!(fmt("\u{feff}"), "");
    assert_eq!(
        fmt("\n\n  # only a note  \r\n\n\n#two\n\n"),
        "# only a note\n\n#two\n"
    );
}

#[test]
fn lone_carriage_returns_are_line_breaks() {
    let src = "event a\revent b {\r  x: text\r\r  y: flag }\r";
    assert_eq!(
        fmt(src),
        "event a\n\nevent b {\n  x: text\n\n  y: flag\n}\n"
    );
}

/// Reproducer: a `#` comment used to run past a lone CR to the end of the file, swallowing
/// every block after it.
#[test]
fn a_lone_carriage_return_ends_a_comment() {
    let src = "# head\revent a # trailing\revent b\r";
    assert_eq!(fmt(src), "# head\nevent a # trailing\n\nevent b\n");
}

/// Every fixture and shipped playbook formats the same with lone CR line ends as with LF.
#[test]
fn lone_carriage_returns_format_like_line_feeds() {
    let inputs = fixture_pairs()
        .into_iter()
        .map(|(name, input, _)| (name, input))
        .chain(
            shipped_playbooks()
                .into_iter()
                .map(|(path, src)| (path.display().to_string(), src)),
        );
    for (name, src) in inputs {
        let cr = src.replace("\r\n", "\n").replace('\n', "\r");
        assert_eq!(fmt(&cr), fmt(&src), "{name}");
    }
}

#[test]
fn numbers_and_strings_are_canonical() {
    let src = "kpi k { label \"tab\\there \\\"q\\\" back\\\\slash x\" target at least 007.50% }\n\
               score s { add 3.000 when n > -0.25 and m = 1000000 cap 12.0 }\n";
    let expected =
        "kpi k {\n  label \"tab\\there \\\"q\\\" back\\\\slash x\"\n  target at least 7.5%\n}\n\n\
                    score s {\n  add 3 when n > -0.25 and m = 1000000\n  cap 12\n}\n";
    assert_eq!(fmt(src), expected);
}

/// Reproducer: unknown escapes used to be dropped (`\\x41` became `x41`) and the file
/// rewritten; now the file is refused with one error per escape, each on its escape.
#[test]
fn a_string_with_an_unknown_escape_is_not_formatted() {
    let src = "playbook p {\n  title \"C:\\temp\\report \\r\\0 \\x41\"\n}\n";
    let Err(FormatError::Syntax(diags)) = format_source(FileId(0), src) else {
        panic!("formatted a string with unknown escapes");
    };
    let escapes: Vec<&str> = diags.iter().map(|d| &src[d.span().range()]).collect();
    assert_eq!(escapes, ["\\r", "\\r", "\\0", "\\x"]);
    assert!(diags.iter().all(|d| d.code.as_str() == "E0004"));
}

#[test]
fn a_long_condition_breaks_only_at_its_top_level_chain() {
    let cond =
        "(a = 1 or b = 2 or c = 3 or d = 4 or e = 5 or f = 6 or g = 7 or h = 8 or i = 9 or j = 10)";
    let src = format!("disqualify d {{ when {cond} reason r }}\n");
    let out = fmt(&src);
    assert_eq!(
        out,
        format!("disqualify d {{\n  when {cond}\n  reason r\n}}\n")
    );
}

// ---------------------------------------------------------------- properties

/// Where whitespace may be perturbed without changing the formatted result.
#[derive(Debug, Clone, Copy)]
enum Run {
    /// Between two tokens on one line.
    Inline {
        /// Only spaces and tabs: a trailing comment would become an own-line one, and the
        /// words of `round robin` and friends must stay on one line.
        no_newline: bool,
    },
    /// A line break with the next line's indentation.
    Break {
        /// Extra blank lines collapse or vanish here (after `{`, before `}`, where a blank
        /// line already is, at the start or the end of the file).
        blank_ok: bool,
    },
}

const GLUED_WORDS: &[(&str, &str)] = &[
    ("round", "robin"),
    ("least", "loaded"),
    ("why", "now"),
    ("last", "touch"),
    ("campaign", "source"),
    ("max", "attempts"),
    ("at", "least"),
    ("at", "most"),
    ("ends", "with"),
    ("intent", "lasts"),
    ("around", "the"),
    ("the", "clock"),
    ("picks", "up"),
    ("pickup", "delay"),
    ("new", "leads"),
    ("handed", "off"),
    ("no", "handoff"),
];

/// The whitespace runs of a formatted file outside strings and comments, as byte ranges.
fn runs(text: &str) -> Vec<(std::ops::Range<usize>, Run)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut last_code = b'\n';
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                last_code = b'"';
                i += 1;
            }
            b'#' => {
                if text[..i].rsplit('\n').next().unwrap().trim().is_empty() {
                    last_code = b'#';
                }
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b' ' | b'\n' => {
                let start = i;
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\n') {
                    i += 1;
                }
                let ws = &text[start..i];
                let next = bytes.get(i).copied();
                let run = if ws.contains('\n') {
                    Run::Break {
                        blank_ok: last_code == b'{'
                            || next == Some(b'}')
                            || ws.contains("\n\n")
                            || next.is_none(),
                    }
                } else {
                    let before = text[..start].rsplit(' ').next().unwrap_or("");
                    let after = text[i..].split([' ', '\n']).next().unwrap_or("");
                    let glued = GLUED_WORDS
                        .iter()
                        .any(|(a, b)| before.ends_with(a) && after == *b);
                    Run::Inline {
                        no_newline: next == Some(b'#') || glued,
                    }
                };
                out.push((start..i, run));
            }
            c => {
                last_code = c;
                i += 1;
            }
        }
    }
    out
}

/// Applies whitespace edits `(run selector, edit kind, amount)` to a formatted file.
fn perturb(text: &str, edits: &[(usize, u8, usize)]) -> String {
    let runs = runs(text);
    let mut replaced: Vec<String> = runs
        .iter()
        .map(|(r, _)| text[r.clone()].to_string())
        .collect();
    let mut prefix = String::new();
    for &(pick, kind, n) in edits {
        if kind == 7 {
            prefix.push_str(&"\n \t".repeat(n));
            continue;
        }
        if runs.is_empty() {
            continue;
        }
        let k = pick % runs.len();
        let (_, run) = runs[k];
        let ws = &mut replaced[k];
        match (kind, run) {
            (0, _) => ws.insert_str(0, &" ".repeat(n)),
            (1, _) => ws.insert_str(0, &"\t".repeat(n)),
            (2, Run::Inline { no_newline: false }) => ws.push_str(&format!("\n{}", " ".repeat(n))),
            (2, Run::Break { .. }) => ws.push_str(&"\t ".repeat(n)),
            (3, Run::Break { .. }) => *ws = ws.replace("\r\n", "\n").replace('\n', "\r\n"),
            (4, Run::Break { blank_ok: true }) => {
                let at = ws.find('\n').unwrap() + 1;
                ws.insert_str(at, &"  \n".repeat(n));
            }
            (5, _) => ws.insert_str(0, &" \t".repeat(n)),
            (6, Run::Inline { .. }) => ws.push_str(&"\t".repeat(n)),
            _ => {}
        }
    }
    let mut out = prefix;
    let mut at = 0;
    for ((range, _), ws) in runs.iter().zip(&replaced) {
        out.push_str(&text[at..range.start]);
        out.push_str(ws);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

fn formatted_corpus() -> Vec<String> {
    let mut corpus: Vec<String> = fixture_pairs().into_iter().map(|(_, _, out)| out).collect();
    corpus.extend(shipped_playbooks().into_iter().map(|(_, src)| src));
    corpus
}

/// The value of a playbook's `title`, when the source parses cleanly.
fn title_value(src: &str) -> Option<String> {
    let parsed = handoff::syntax::parse(FileId(0), src);
    if !parsed.diagnostics.is_empty() {
        return None;
    }
    parsed.file.items.iter().find_map(|item| match item {
        Item::Playbook(block) => block.body.iter().find_map(|stmt| match &stmt.kind {
            PlaybookStmt::Title(s) => Some(s.value.clone()),
            PlaybookStmt::Calendar(_) | PlaybookStmt::Roles(_) => None,
        }),
        _ => None,
    })
}

/// Text between a string's quotes: any character, the four escapes, and unknown ones.
fn string_body() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<char>().prop_map(String::from),
        prop::sample::select(vec![
            "\\n", "\\t", "\\\"", "\\\\", "\\x", "\\r", "\\", "\t", "#", " "
        ])
        .prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// The formatter never changes the value of a string: a source whose string parses formats
    /// to one that reads back as the same value, and one that does not parse is not formatted.
    #[test]
    fn formatting_keeps_every_string_value(body in string_body()) {
        let src = format!("playbook p {{\n  title \"{body}\"\n}}\n");
        match (title_value(&src), format_source(FileId(0), &src)) {
            (Some(value), Ok(out)) => prop_assert_eq!(title_value(&out), Some(value), "{}", out),
            (None, Err(FormatError::Syntax(_))) => {}
            (value, out) => prop_assert!(false, "{:?} gave {:?} and {:?}", src, value, out),
        }
    }

    #[test]
    fn whitespace_noise_formats_back_to_the_clean_file(
        which in any::<usize>(),
        edits in prop::collection::vec((any::<usize>(), 0u8..8, 1usize..4), 0..60),
    ) {
        let corpus = formatted_corpus();
        let clean = &corpus[which % corpus.len()];
        let noisy = perturb(clean, &edits);
        let once = format_source(FileId(0), &noisy);
        prop_assert_eq!(once.as_ref(), Ok(clean), "noisy input:\n{}", noisy);
        let twice = format_source(FileId(0), clean);
        prop_assert_eq!(twice.as_ref(), Ok(clean));
    }

    #[test]
    fn arbitrary_text_never_panics_nor_fails_the_self_check(src in ".{0,400}") {
        check_no_unsound(&src)?;
    }

    #[test]
    fn mutated_playbooks_never_panic_nor_fail_the_self_check(
        which in any::<usize>(),
        edits in prop::collection::vec((any::<usize>(), prop::sample::select(
            vec!["", "#", "\n", "\r", "\"", "{", "}", "(", ")", " or ", " and ", "not ", "x", "7", "%", ",", "\t", "\u{feff}"]
        )), 1..6),
    ) {
        let corpus = formatted_corpus();
        let mut src: Vec<char> = corpus[which % corpus.len()].chars().collect();
        for (at, insert) in edits {
            let at = at % (src.len() + 1);
            if insert.is_empty() && at < src.len() {
                src.remove(at);
            } else {
                for (k, c) in insert.chars().enumerate() {
                    src.insert(at + k, c);
                }
            }
        }
        let src: String = src.into_iter().collect();
        check_no_unsound(&src)?;
    }
}

/// Formatting may refuse a file with syntax errors, but must never panic or fail its own
/// soundness check, and whatever it produces is a fixed point.
fn check_no_unsound(src: &str) -> Result<(), TestCaseError> {
    match format_source(FileId(0), src) {
        Ok(out) => {
            let again = format_source(FileId(0), &out);
            prop_assert_eq!(again.as_ref(), Ok(&out), "not idempotent for:\n{:?}", src);
        }
        Err(FormatError::Syntax(d)) => prop_assert!(!d.is_empty()),
        Err(e @ FormatError::Unsound { .. }) => {
            prop_assert!(false, "{} for:\n{:?}", e, src);
        }
    }
    Ok(())
}

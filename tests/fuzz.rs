#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Bad input: any text in, located diagnostics out; never a panic, a hang or a stack overflow.
//!
//! Every check runs in a thread with the default 2 MiB stack and a deadline, so a stack
//! overflow or a runaway parse fails the test instead of passing unnoticed on a larger stack.

use std::sync::mpsc;
use std::time::Duration;

use handoff::check;
use handoff::diagnostics::render::{self, Sources};
use handoff::diagnostics::{Code, Diagnostic};
use handoff::span::FileId;
use handoff::syntax::BLOCK_KEYWORDS;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng};

/// The stack a thread gets unless asked otherwise; the checker must live within it.
const DEFAULT_STACK: usize = 2 * 1024 * 1024;

/// Generous for debug builds on a slow machine; a hang takes far longer.
const DEADLINE: Duration = Duration::from_secs(20);

const SEED: &str = include_str!("../playbooks/seed-matrix.playbook");

/// Checks `src` in a 2 MiB thread and renders the result in every format, failing on a panic,
/// a stack overflow (which aborts the process) or a check that does not finish in time.
fn check_in_thread(src: String) -> Vec<Diagnostic> {
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::Builder::new()
        .stack_size(DEFAULT_STACK)
        .spawn(move || {
            let diags = check::compile(FileId(0), &src).diagnostics;
            let mut sources = Sources::new();
            sources.add("fuzz.playbook", src.as_str());
            render::human(&diags, &sources, false);
            if src.len() <= 1 << 16 {
                // Colour changes escapes, not layout; once is enough for huge inputs.
                render::human(&diags, &sources, true);
            }
            render::json(&diags, &sources);
            render::sarif(&diags, &sources);
            render::github(&diags, &sources);
            for d in &diags {
                for l in &d.labels {
                    assert!(
                        l.span.end as usize <= src.len() && l.span.start <= l.span.end,
                        "{} label {:?} outside a source of {} bytes",
                        d.code,
                        l.span,
                        src.len()
                    );
                }
            }
            let _ = tx.send(diags);
        })
        .unwrap();
    match rx.recv_timeout(DEADLINE) {
        Ok(diags) => {
            worker.join().unwrap();
            diags
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The worker ended without sending: it panicked; re-raise its panic here.
            match worker.join() {
                Err(panic) => std::panic::resume_unwind(panic),
                Ok(()) => panic!("the check ended without a result"),
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the check did not finish in {DEADLINE:?}"),
    }
}

// ---------------------------------------------------------------- token alphabet

/// Words and literals of the language besides the block keywords (`BLOCK_KEYWORDS`), which
/// [`tokens`] adds from the parser itself so the alphabet grows with the grammar.
const OTHER_TOKENS: &[&str] = &[
    "timezone",
    "hours",
    "holiday",
    "to",
    "text",
    "number",
    "flag",
    "one",
    "of",
    "decay",
    "half-life",
    "cap",
    "add",
    "subtract",
    "per",
    "when",
    "where",
    "band",
    "by",
    "from",
    "below",
    "on",
    "enter",
    "default",
    "exit",
    "touch",
    "every",
    "times",
    "then",
    "move",
    "close",
    "priority",
    "route",
    "via",
    "sla",
    "business",
    "wall",
    "same",
    "day",
    "breach",
    "breaches",
    "rescue",
    "with",
    "requeue",
    "escalate",
    "reassign",
    "notify",
    "roles",
    "after",
    "recycle",
    "as",
    "otherwise",
    "owner",
    "members",
    "assign",
    "round robin",
    "least loaded",
    "capacity",
    "seller",
    "order",
    "fifo",
    "overflow",
    "key",
    "include",
    "why now",
    "top",
    "signals",
    "last touch",
    "field",
    "message",
    "cta",
    "max attempts",
    "disposition",
    "label",
    "convert",
    "suppress",
    "for",
    "unless",
    "target",
    "at least",
    "at most",
    "and",
    "or",
    "not",
    "in",
    "contains",
    "ends with",
    "within",
    "count",
    "any",
    "yes",
    "no",
    "horizon",
    "source",
    "mix",
    "draw",
    "chance",
    "profile",
    "signal",
    "arrival",
    "responds",
    "staff",
    "sellers",
    "handle",
    "connect",
    "meeting",
    "uniform",
    "exponential",
    "lognormal",
    "empirical",
    "constant",
    "mean",
    "median",
    "sigma",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    "=",
    "==",
    "!=",
    ">=",
    "<",
    "+",
    "-",
    "&&",
    "%",
    "15m",
    "4h",
    "1bd",
    "2bh",
    "14d",
    "1w",
    "0m",
    "1e9d",
    "35%",
    "150%",
    "5x",
    "-3",
    "0",
    "1.5",
    "99999999999999999999",
    "09:00",
    "24:00",
    "25:61",
    "2026-12-25",
    "2026-02-30",
    "\"text\"",
    "\"",
    "\"unterminated",
    "\"a\\\"b\"",
    "#",
    "# comment\n",
    "\n",
    "\t",
    "nurture",
    "sdr",
    "form_submit",
    "segment",
    "enterprise",
    "grade",
    "A",
    "fit",
    "intent",
    "no_response",
    "ümlaut",
    "\u{feff}",
    "\r\n",
    "\u{2028}",
    "\0",
    "1000000",
    "0.000001",
    "4294967296",
    "99999999999999999999999999999999999999d",
    "100000w",
    "9999999999bd",
    "0.5bd",
    "0%",
    "100%",
    "0.0001%",
    "1000000 per hour",
    "0 per day",
    "exponential(mean 0m)",
    "lognormal(median 1m, sigma 9.99)",
    "uniform(0m, 0m)",
    "empirical(1m 50%, 2m 50%)",
    "sat to fri",
    "00:00 to 24:00",
    "23:59 to 24:00",
    "2026-03-29",
    "\"Pacific/Chatham\"",
    "\"America/St_Johns\"",
    "given lead ada",
    "at 2026-06-01 09:00",
    "at 2026-03-29 01:30",
    "seller picks up as ana",
    "touch meeting",
    "dispose no_response",
    "expect",
    "handed off by",
    "no handoff",
    "sla due within",
    "breaches",
    "suppressed until",
    "converted as",
];

/// The fuzzing alphabet: every block keyword, then the other tokens.
fn tokens() -> Vec<&'static str> {
    BLOCK_KEYWORDS.iter().chain(OTHER_TOKENS).copied().collect()
}

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(tokens()),
            prop::sample::select(&[" ", "", "\n", "  "][..]),
        ),
        0..120,
    )
    .prop_map(|parts| {
        parts
            .into_iter()
            .flat_map(|(t, sep)| [t, sep])
            .collect::<String>()
    })
}

// ---------------------------------------------------------------- mutations of valid input

/// The diagnostic fixtures: small playbooks covering every construct a lint looks at,
/// scenarios and calendars included.
fn fixtures() -> Vec<String> {
    let mut paths: Vec<_> = std::fs::read_dir("tests/fixtures/diagnostics")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    DeleteToken(Index, Index),
    DuplicateToken(Index, Index),
    SwapTokens(Index, Index, Index),
    InsertToken(Index, Index, &'static str),
    ReplaceToken(Index, Index, &'static str),
    Truncate(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = prop::sample::select(tokens());
    prop_oneof![
        any::<Index>().prop_map(Mutation::DeleteLine),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::DeleteToken(a, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::DuplicateToken(a, b)),
        (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(a, b, c)| Mutation::SwapTokens(a, b, c)),
        (any::<Index>(), any::<Index>(), token.clone())
            .prop_map(|(a, b, t)| Mutation::InsertToken(a, b, t)),
        (any::<Index>(), any::<Index>(), token)
            .prop_map(|(a, b, t)| Mutation::ReplaceToken(a, b, t)),
        any::<Index>().prop_map(Mutation::Truncate),
    ]
}

/// Applies mutations to a playbook, line by line and token (whitespace-separated word) by token.
fn mutate(src: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = src.lines().map(str::to_string).collect();
    for m in mutations {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let n = lines.len();
        let mut edit_tokens = |line: &Index, f: &mut dyn FnMut(&mut Vec<String>)| {
            let i = line.index(n);
            let mut tokens: Vec<String> = lines[i].split(' ').map(str::to_string).collect();
            f(&mut tokens);
            lines[i] = tokens.join(" ");
        };
        match m {
            Mutation::DeleteLine(i) => {
                lines.remove(i.index(n));
            }
            Mutation::DuplicateLine(i) => {
                let i = i.index(n);
                lines.insert(i, lines[i].clone());
            }
            Mutation::SwapLines(a, b) => lines.swap(a.index(n), b.index(n)),
            Mutation::DeleteToken(l, t) => edit_tokens(l, &mut |ts| {
                ts.remove(t.index(ts.len()));
            }),
            Mutation::DuplicateToken(l, t) => edit_tokens(l, &mut |ts| {
                let i = t.index(ts.len());
                ts.insert(i, ts[i].clone());
            }),
            Mutation::SwapTokens(l, a, b) => edit_tokens(l, &mut |ts| {
                let (a, b) = (a.index(ts.len()), b.index(ts.len()));
                ts.swap(a, b);
            }),
            Mutation::InsertToken(l, t, tok) => edit_tokens(l, &mut |ts| {
                let i = t.index(ts.len() + 1);
                ts.insert(i, (*tok).to_string());
            }),
            Mutation::ReplaceToken(l, t, tok) => edit_tokens(l, &mut |ts| {
                let i = t.index(ts.len());
                ts[i] = (*tok).to_string();
            }),
            Mutation::Truncate(at) => {
                let i = at.index(n);
                lines.truncate(i + 1);
                let line = &mut lines[i];
                let cut = line
                    .char_indices()
                    .map(|(i, _)| i)
                    .nth(line.chars().count() / 2)
                    .unwrap_or(0);
                line.truncate(cut);
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

proptest! {
    #![proptest_config(Config { cases: 256, failure_persistence: None, ..Config::default() })]

    #[test]
    fn arbitrary_strings_never_panic(src in any::<String>()) {
        check_in_thread(src);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check_in_thread(String::from_utf8_lossy(&bytes).into_owned());
    }

    #[test]
    fn token_soup_never_panics(src in token_soup()) {
        check_in_thread(src);
    }
}

proptest! {
    #![proptest_config(Config { cases: 64, failure_persistence: None, ..Config::default() })]

    #[test]
    fn mutated_seed_never_panics(mutations in prop::collection::vec(mutation(), 1..6)) {
        check_in_thread(mutate(SEED, &mutations));
    }

    #[test]
    fn mutated_fixtures_never_panic(
        original in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let fixtures = fixtures();
        check_in_thread(mutate(&fixtures[original.index(fixtures.len())], &mutations));
    }

    /// A typo in one block is reported there and costs no findings elsewhere: the seed is clean,
    /// so every finding after one token is replaced must lie in the block holding that token.
    #[test]
    fn one_mutation_is_reported_near_where_it_is(line in any::<Index>(), token in any::<Index>()) {
        let mutated = mutate(SEED, &[Mutation::ReplaceToken(line, token, "evry")]);
        let diags = check_in_thread(mutated.clone());
        let changed = SEED.lines().zip(mutated.lines()).position(|(a, b)| a != b);
        if let Some(changed) = changed {
            let offset: usize = mutated.lines().take(changed).map(|l| l.len() + 1).sum();
            let block = block_around(&mutated, offset);
            for d in diags.iter().filter(|d| d.code == Code::Syntax) {
                let at = d.span().start as usize;
                prop_assert!(block.contains(&at), "{} at {at}, outside block {block:?}", d.message);
            }
        }
    }
}

/// The byte range of the top-level block around `offset`, from the line that starts it up to
/// and including the first byte of the next one (where "unexpected `KEYWORD`" points when the
/// block ends early). A block starts at a line beginning with a block keyword or `word name {`.
fn block_around(src: &str, offset: usize) -> std::ops::RangeInclusive<usize> {
    let mut starts = vec![0];
    let mut at = 0;
    for line in src.split_inclusive('\n') {
        let words: Vec<&str> = line.split_whitespace().collect();
        let starts_block = line.starts_with(|c: char| c.is_ascii_alphabetic())
            && (BLOCK_KEYWORDS.contains(&words[0])
                || (words.len() >= 3 && words[2].starts_with('{')));
        if at > 0 && starts_block {
            starts.push(at);
        }
        at += line.len();
    }
    let start = starts
        .iter()
        .copied()
        .filter(|s| *s <= offset)
        .max()
        .unwrap_or(0);
    let end = starts
        .iter()
        .copied()
        .find(|s| *s > offset)
        .unwrap_or(src.len());
    start..=end
}

// ---------------------------------------------------------------- the binary

/// A few hundred mutated playbooks (the seed and the diagnostic fixtures) through the real
/// binary, ten files per run, in every output format: the exit code is always 0 (clean) or 1
/// (findings), never 2 (could not run) or a crash.
#[test]
fn binary_exits_zero_or_one_on_mutated_playbooks() {
    let mut originals = vec![SEED.to_string()];
    originals.extend(fixtures());
    let dir = tempfile::tempdir().unwrap();
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = (any::<Index>(), prop::collection::vec(mutation(), 1..6));
    let formats = ["human", "json", "sarif", "github"];
    for batch in 0..30 {
        let mut names = Vec::new();
        for i in 0..10 {
            let (original, mutations) = strategy.new_tree(&mut runner).unwrap().current();
            let original = &originals[original.index(originals.len())];
            let name = format!("m{batch:02}-{i}.playbook");
            std::fs::write(dir.path().join(&name), mutate(original, &mutations)).unwrap();
            names.push(name);
        }
        let format = formats[batch % formats.len()];
        let out = assert_cmd::cargo::cargo_bin_cmd!("handoff")
            .args(["check", "--format", format])
            .args(&names)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "{names:?} with --format {format}: exit {code:?}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if format == "json" || format == "sarif" {
            serde_json::from_slice::<serde_json::Value>(&out.stdout)
                .unwrap_or_else(|e| panic!("{names:?}: {format} output is not JSON: {e}"));
        }
    }
}

// ---------------------------------------------------------------- deep and huge input

/// Asserts that a located syntax or nesting error is among the findings.
fn assert_located_refusal(what: &str, src: String) {
    let len = src.len();
    let diags = check_in_thread(src);
    let refusal = diags
        .iter()
        .find(|d| matches!(d.code, Code::TooDeep | Code::Syntax))
        .unwrap_or_else(|| panic!("{what}: no E0001/E0002 among {diags:?}"));
    let span = refusal.span();
    assert!(
        span.start <= span.end && span.end as usize <= len,
        "{what}: {span:?}"
    );
}

fn in_a_track(condition: &str) -> String {
    format!("track deep {{\n  enter by default\n  exit to deep when {condition}\n}}\n")
}

#[test]
fn ten_thousand_open_parentheses() {
    assert_located_refusal("bare", "(".repeat(10_000));
    assert_located_refusal("in a track", in_a_track(&"(".repeat(10_000)));
    let balanced = format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_located_refusal("balanced", in_a_track(&balanced));
}

#[test]
fn ten_thousand_nots() {
    assert_located_refusal("bare", "not ".repeat(10_000));
    assert_located_refusal(
        "in a track",
        in_a_track(&format!("{}x", "not ".repeat(10_000))),
    );
    // One `not` per line: newlines are whitespace, so this nests just as deep.
    assert_located_refusal(
        "one per line",
        in_a_track(&format!("{}x", "not\n".repeat(10_000))),
    );
}

#[test]
fn ten_thousand_brackets_and_braces() {
    assert_located_refusal(
        "brackets",
        in_a_track(&format!("x in {}", "[".repeat(10_000))),
    );
    assert_located_refusal("braces", "{".repeat(10_000));
    // Two thousand unclosed blocks: each is reported, and the report stays linear.
    assert_located_refusal("blocks", "track t {\n".repeat(2_000));
}

#[test]
fn ten_thousand_nested_counts() {
    let counts = format!(
        "{}x = 1{} >= 1",
        "count e where ".repeat(10_000),
        " within 1d".repeat(10_000)
    );
    assert_located_refusal("counts", in_a_track(&counts));
}

#[test]
fn nesting_under_the_limit_is_accepted() {
    let src = format!(
        "lead {{\n  employees: number\n}}\n\ntrack t {{\n  enter by default\n  exit to t when {}employees > 5{}\n}}\n",
        "(".repeat(60),
        ")".repeat(60)
    );
    let diags = check_in_thread(src);
    assert!(
        diags
            .iter()
            .all(|d| !matches!(d.code, Code::TooDeep | Code::Syntax)),
        "{diags:#?}"
    );
}

#[test]
fn one_megabyte_on_a_single_line() {
    assert_located_refusal("parentheses", "(".repeat(1 << 20));
    // The parser has to walk this one; a quarter of a megabyte keeps a debug build quick.
    let words = "x or ".repeat((1 << 18) / 5);
    assert_located_refusal("a long or-chain cut short", in_a_track(&words));
    let garbage = "zz ".repeat((1 << 20) / 3);
    assert_located_refusal("words", garbage);
}

// ---------------------------------------------------------------- regressions

/// pest's call budget is one process-wide setting: a small file parsed on another thread once
/// lowered it under a large file's parse, which then failed with "call limit reached".
#[test]
fn regression_parallel_parses_do_not_starve_each_other() {
    let big = SEED.repeat(10);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let small = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                handoff::syntax::parse(FileId(1), "event e\n");
            }
        })
    };
    for _ in 0..3 {
        let parsed = handoff::syntax::parse(FileId(0), &big);
        assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    small.join().unwrap();
}

/// Each duplicate points at the declaration just before it, not the first one: with the first,
/// ten thousand duplicates made the human report quadratic (every label spanned the file).
#[test]
fn regression_duplicates_point_at_the_previous_declaration() {
    let src = (0..1000)
        .map(|i| format!("track t {{\n  touch email every {}d\n}}\n", i + 1))
        .collect::<String>();
    let diags = check_in_thread(src);
    let duplicates: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == Code::Duplicate).collect();
    assert_eq!(duplicates.len(), 999);
    for d in duplicates {
        let (primary, previous) = (d.labels[0].span, d.labels[1].span);
        assert!(
            previous.start < primary.start && primary.start - previous.start < 64,
            "{d:?}"
        );
    }
}

/// n rules that all conflict give n - 1 findings against their nearest neighbour, not one per
/// pair (quadratic in findings, and in the renderer for far-apart pairs).
#[test]
fn regression_overlapping_handoffs_are_reported_once_each() {
    let mut src = String::from(
        "event e\nqueue q0 {\n  members a\n}\nqueue q1 {\n  members b\n}\ntrack t {\n  enter by default\n}\nreason r {\n  close\n}\n",
    );
    for i in 0..200 {
        src.push_str(&format!(
            "handoff h{i} {{\n  on e\n  route to q{}\n  sla 1h\n  on breach {{\n    notify m\n    after 1 breaches recycle to t as r\n  }}\n}}\n",
            usize::from(i >= 100)
        ));
    }
    let diags = check_in_thread(src);
    let overlaps = diags
        .iter()
        .filter(|d| d.code == Code::OverlappingHandoffs)
        .count();
    assert_eq!(
        overlaps, 100,
        "each of h100..h199 once, against the nearest earlier rule"
    );
}

/// A megabyte-long word once cost a megabyte of edit-distance work per keyword when the
/// checker looked for a "did you mean" suggestion.
#[test]
fn regression_a_megabyte_word_is_not_compared_with_every_keyword() {
    let diags = check_in_thread(format!("{} x {{\n}}\n", "b".repeat(1 << 20)));
    assert!(diags.iter().any(|d| d.code == Code::Syntax), "{diags:?}");
}

/// A block closed by recovery once had spans reaching past the end of the file, over the
/// braces recovery had added.
#[test]
fn regression_recovered_blocks_stay_inside_the_file() {
    let src = "lead {\n  a: text\n}\nlead {\n  b: text";
    let diags = check_in_thread(src.to_string());
    let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::Duplicate, Code::Syntax], "{diags:#?}");
    for d in &diags {
        assert!(
            d.labels.iter().all(|l| l.span.end as usize <= src.len()),
            "{d:?}"
        );
    }
}

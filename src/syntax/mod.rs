//! Text → AST. Parsing never fails: it returns the blocks it could read and a diagnostic for
//! every block it could not.
//!
//! pest stops at the first error, so after a failure the file is split at top-level block
//! keywords that start a line and each chunk is parsed on its own; one typo costs one block,
//! not the rest of the file.

pub mod ast;
mod build;
mod comments;
mod errors;

use crate::diagnostics::{Code, Diagnostic};
use crate::span::{FileId, Span};
use pest::Parser;

pub use comments::{comments, Comment};

/// The pest parser generated from `grammar/playbook.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/playbook.pest"]
pub(crate) struct PlaybookParser;

/// Deepest parenthesis or `not` nesting accepted; deeper input is refused before pest sees it,
/// so a hostile file cannot overflow the stack.
pub const MAX_NESTING: usize = 64;

/// Upper bound on pest rule calls per parse, so no input can backtrack for ever.
const CALL_LIMIT_PER_BYTE: usize = 400;

/// Result of parsing one file.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The blocks that parsed, in source order.
    pub file: ast::File,
    /// Syntax errors, at most one per unreadable block.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses a playbook; `file` tags every span so diagnostics from many files can be mixed.
pub fn parse(file: FileId, src: &str) -> Parsed {
    if let Some(diag) = nesting_guard(file, src) {
        return Parsed {
            file: ast::File::default(),
            diagnostics: vec![diag],
        };
    }
    match parse_chunk(file, src, 0) {
        Ok(items) => Parsed {
            file: ast::File { items },
            diagnostics: Vec::new(),
        },
        Err(first) => recover(file, src, first),
    }
}

fn parse_chunk(file: FileId, text: &str, offset: usize) -> Result<Vec<ast::Item>, Diagnostic> {
    pest::set_call_limit(std::num::NonZeroUsize::new(
        text.len().saturating_mul(CALL_LIMIT_PER_BYTE).max(100_000),
    ));
    let pairs = PlaybookParser::parse(Rule::file, text)
        .map_err(|e| errors::syntax_diagnostic(file, text, offset, e))?;
    let builder = build::Builder { file, offset };
    Ok(pairs.flat_map(|p| builder.items(p)).collect())
}

/// After a failure, parses each top-level block separately to report every broken block.
fn recover(file: FileId, src: &str, first: Diagnostic) -> Parsed {
    let starts = block_starts(src);
    if starts.len() <= 1 {
        return Parsed {
            file: ast::File::default(),
            diagnostics: vec![first],
        };
    }
    let mut items = Vec::new();
    let mut diagnostics = Vec::new();
    let mut bounds = starts.clone();
    bounds.push(src.len());
    for pair in bounds.windows(2) {
        let (start, end) = match pair {
            [s, e] => (*s, *e),
            _ => continue,
        };
        let Some(chunk) = src.get(start..end) else {
            continue;
        };
        match parse_chunk(file, chunk, start) {
            Ok(mut parsed) => items.append(&mut parsed),
            Err(d) => diagnostics.push(d),
        }
    }
    if diagnostics.is_empty() {
        diagnostics.push(first);
    }
    Parsed {
        file: ast::File { items },
        diagnostics,
    }
}

/// Keywords that open a top-level block; a line starting with one begins a recovery chunk.
pub(crate) const BLOCK_KEYWORDS: &[&str] = &[
    "playbook",
    "calendar",
    "lead",
    "event",
    "score",
    "bands",
    "disqualify",
    "track",
    "handoff",
    "router",
    "queue",
    "accounts",
    "context",
    "sequence",
    "reason",
    "kpi",
    "scenario",
];

fn block_starts(src: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let word: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if offset > 0 && (BLOCK_KEYWORDS.contains(&word.as_str()) || looks_like_block(line, &word))
        {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts
}

/// `word name {` at column 0: a block with a misspelt keyword still starts a recovery chunk.
fn looks_like_block(line: &str, word: &str) -> bool {
    let rest = line.get(word.len()..).unwrap_or("");
    let mut parts = rest.split_whitespace();
    !word.is_empty()
        && rest.starts_with([' ', '\t'])
        && parts
            .next()
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        && parts.next().is_some_and(|b| b.starts_with('{'))
}

/// Refuses input nested deeper than [`MAX_NESTING`] before pest recurses into it.
fn nesting_guard(file: FileId, src: &str) -> Option<Diagnostic> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let bytes = src.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if in_comment {
            in_comment = b != b'\n';
            continue;
        }
        if in_string {
            in_string = b != b'"' && b != b'\n';
            continue;
        }
        match b {
            b'#' => in_comment = true,
            b'"' => in_string = true,
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'n' if is_not_keyword(bytes, i) => depth += 1,
            _ => {}
        }
        if depth > MAX_NESTING {
            let end = src.len().min(i + 1);
            return Some(
                Diagnostic::new(
                    Code::TooDeep,
                    Span::new(file, i, end),
                    format!("nesting deeper than {MAX_NESTING} levels"),
                )
                .with_primary_message("nested too deeply here")
                .with_help("split the condition into smaller rules"),
            );
        }
        if b == b'\n' {
            depth = depth.saturating_sub(count_nots_on_line(src, i));
        }
    }
    None
}

/// True when the bytes at `i` spell the keyword `not` as a whole word.
fn is_not_keyword(bytes: &[u8], i: usize) -> bool {
    let word = bytes.get(i..i + 3) == Some(b"not");
    let before_ok = i == 0
        || bytes
            .get(i - 1)
            .is_some_and(|b| !b.is_ascii_alphanumeric() && *b != b'_');
    let after_ok = bytes
        .get(i + 3)
        .is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'_');
    word && before_ok && after_ok
}

/// A chain of `not`s ends with its line's expression; forget them at the newline.
fn count_nots_on_line(src: &str, newline: usize) -> usize {
    let start = src
        .get(..newline)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |p| p + 1);
    let line = src.get(start..newline).unwrap_or("");
    let code = line.split('#').next().unwrap_or("");
    code.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| *w == "not")
        .count()
}

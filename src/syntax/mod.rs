//! Text → AST. Parsing never fails: it returns the blocks it could read and a diagnostic for
//! every block it could not; a file over [`MAX_SOURCE_BYTES`] is refused whole, before pest
//! sees it.
//!
//! pest stops at the first error, so after a failure the file is split at top-level block
//! keywords that start a line and each chunk is parsed on its own; one typo costs one block,
//! not the rest of the file.

pub mod ast;
mod build;
mod comments;
mod errors;

use crate::diagnostics::{messages, Code, Diagnostic};
use crate::span::{lines_inclusive, FileId, Span};
use pest::Parser;

pub use comments::{comments, suppressions, Comment, Reason, Suppression};

/// The pest parser generated from `grammar/playbook.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/playbook.pest"]
pub(crate) struct PlaybookParser;

/// Deepest nesting of parentheses, brackets, braces, `not` and `count ... where` accepted;
/// deeper input is refused before pest sees it, so a hostile file cannot overflow the stack.
pub const MAX_NESTING: usize = 64;

/// Largest source accepted, in bytes: real playbooks are a few kilobytes, and parsing costs
/// tens of bytes of memory per byte of input, so a larger file is refused before parsing.
pub const MAX_SOURCE_BYTES: usize = MAX_SOURCE_MIB << 20;

/// [`MAX_SOURCE_BYTES`] in MiB, as the diagnostic and the docs state it.
const MAX_SOURCE_MIB: usize = 4;

/// Upper bound on pest rule calls per byte of input, so no input can backtrack for ever.
const CALL_LIMIT_PER_BYTE: usize = 400;

/// The call budget of small inputs.
const MIN_CALL_LIMIT: usize = 100_000;

/// Result of parsing one file.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The blocks that parsed, in source order.
    pub file: ast::File,
    /// Syntax errors, at most one per unreadable block.
    pub diagnostics: Vec<Diagnostic>,
    /// The blocks that could not be read, so the checker can stay quiet about what they
    /// declare instead of reporting every use of it as undefined.
    pub broken: Vec<BrokenBlock>,
}

/// A top-level block lost to a syntax error, as far as its first line tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenBlock {
    /// The block keyword, or the keyword closest to a misspelt one; `None` when unrecognisable.
    pub keyword: Option<&'static str>,
    /// The name after the keyword, when it is a plain name.
    pub name: Option<String>,
    /// The whole chunk of source the block occupied.
    pub span: Span,
}

/// Parses a playbook; `file` tags every span so diagnostics from many files can be mixed.
pub fn parse(file: FileId, src: &str) -> Parsed {
    if src.len() > MAX_SOURCE_BYTES {
        return Parsed {
            diagnostics: vec![too_large(file, src.len())],
            ..Parsed::default()
        };
    }
    if nesting_guard(file, src, 0).is_some() {
        // Too deep somewhere: find out where block by block, and read the other blocks.
        return recover(file, src, None);
    }
    match parse_chunk(file, src, 0, src, src.len()) {
        Ok((items, diagnostics)) => Parsed {
            file: ast::File { items },
            diagnostics,
            ..Parsed::default()
        },
        Err(first) => recover(file, src, Some(first)),
    }
}

/// The whole-file error for a source over [`MAX_SOURCE_BYTES`], pointing at its start.
fn too_large(file: FileId, len: usize) -> Diagnostic {
    messages::file_too_large(Span::new(file, 0, 0), len, MAX_SOURCE_MIB, MAX_SOURCE_BYTES)
}

/// Raises pest's process-wide call budget to cover a text of `len` bytes.
///
/// pest reads the budget from a global when a parse starts, so it only ever grows here:
/// lowering it for a small file would starve a large one being parsed on another thread.
fn ensure_call_limit(len: usize) {
    static CURRENT: std::sync::Mutex<usize> = std::sync::Mutex::new(0);
    let wanted = len.saturating_mul(CALL_LIMIT_PER_BYTE).max(MIN_CALL_LIMIT);
    let mut current = CURRENT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if wanted > *current {
        *current = wanted;
        pest::set_call_limit(std::num::NonZeroUsize::new(wanted));
    }
}

/// Parses `text`, a chunk of `src` starting at byte `offset`; spans stop at `limit`.
///
/// A chunk that reads returns its items with the problems found inside its tokens (unknown
/// string escapes), which cost nothing of the tree; one that does not returns its syntax error.
fn parse_chunk(
    file: FileId,
    text: &str,
    offset: usize,
    src: &str,
    limit: usize,
) -> Result<(Vec<ast::Item>, Vec<Diagnostic>), Diagnostic> {
    ensure_call_limit(text.len());
    let pairs = PlaybookParser::parse(Rule::file, text)
        .map_err(|e| errors::syntax_diagnostic(file, src, offset, text.len(), e))?;
    let escapes = pairs
        .clone()
        .flatten()
        .filter(|p| p.as_rule() == Rule::string_inner)
        .flat_map(|p| escape_diagnostics(file, offset + p.as_span().start(), p.as_str()))
        .collect();
    let builder = build::Builder {
        file,
        offset,
        limit,
    };
    Ok((pairs.flat_map(|p| builder.items(p)).collect(), escapes))
}

/// One error per unknown escape in the text of a string that starts at byte `start`.
fn escape_diagnostics(file: FileId, start: usize, raw: &str) -> Vec<Diagnostic> {
    build::unknown_escapes(raw)
        .into_iter()
        .map(|(at, next)| {
            let from = start + at;
            let span = Span::new(file, from, from + 1 + next.len_utf8());
            messages::unknown_escape(span, next)
        })
        .collect()
}

/// After a failure, parses each top-level block separately to report every broken block.
fn recover(file: FileId, src: &str, first: Option<Diagnostic>) -> Parsed {
    let mut bounds = block_starts(src);
    bounds.push(src.len());
    let mut parsed = Parsed::default();
    let mut unreadable = false;
    for pair in bounds.windows(2) {
        let (start, end) = match pair {
            [s, e] => (*s, *e),
            _ => continue,
        };
        let Some(chunk) = src.get(start..end) else {
            continue;
        };
        let result = match (nesting_guard(file, chunk, start), &first) {
            (Some(too_deep), _) => Err(too_deep),
            // One block is the whole file: its error is the one already found.
            (None, Some(first)) if start == 0 && end == src.len() => Err(first.clone()),
            (None, _) => parse_chunk(file, chunk, start, src, end),
        };
        match result {
            Ok((mut items, mut found)) => {
                parsed.file.items.append(&mut items);
                parsed.diagnostics.append(&mut found);
            }
            Err(d) => match close_unclosed(file, chunk, start, src, &d) {
                Some((mut items, mut found)) => {
                    parsed.file.items.append(&mut items);
                    parsed.diagnostics.append(&mut found);
                    unreadable = true;
                }
                None => {
                    unreadable = true;
                    parsed.diagnostics.push(d);
                    parsed.broken.push(broken_block(file, chunk, start));
                }
            },
        }
    }
    if !unreadable {
        // Every block reads on its own, yet the whole did not: keep the whole file's error.
        parsed.diagnostics.extend(first);
    }
    parsed
}

/// A block whose error is at its very end with `{`s still open lacks only its `}`s: parse it
/// with them added, keep its contents, and report the missing brace where it was opened (first,
/// before any problem found inside the tokens).
fn close_unclosed(
    file: FileId,
    chunk: &str,
    offset: usize,
    src: &str,
    error: &Diagnostic,
) -> Option<(Vec<ast::Item>, Vec<Diagnostic>)> {
    let content_end = content_end(chunk);
    let error_at = (error.span().start as usize).checked_sub(offset)?;
    let open = unclosed_braces(chunk);
    let outermost = *open.first()?;
    if error.code != Code::Syntax || error_at < content_end {
        return None;
    }
    let mut repaired = chunk.get(..content_end)?.to_string();
    repaired.push('\n');
    repaired.push_str(&"}".repeat(open.len()));
    let (items, mut found) =
        parse_chunk(file, &repaired, offset, src, offset + chunk.len()).ok()?;
    let header = broken_block(file, chunk, offset);
    let brace = Span::new(file, offset + outermost, offset + outermost + 1);
    let next = offset + chunk.len();
    let next_block = (next < src.len()).then(|| {
        let word = src
            .get(next..)
            .and_then(|rest| rest.split(|c: char| c.is_whitespace() || c == '{').next())
            .unwrap_or("");
        Span::new(file, next, next + word.len())
    });
    found.insert(
        0,
        messages::unclosed_brace(brace, header.keyword, header.name.as_deref(), next_block),
    );
    Some((items, found))
}

/// Byte offsets of the `{`s left open at the end of `text`, outermost first; braces in strings
/// and comments do not count.
fn unclosed_braces(text: &str) -> Vec<usize> {
    let mut open = Vec::new();
    for (i, b) in code_bytes(text) {
        match b {
            b'{' => open.push(i),
            b'}' => {
                open.pop();
            }
            _ => {}
        }
    }
    open
}

/// Offset just past the last byte of `text` that is neither whitespace nor a comment.
fn content_end(text: &str) -> usize {
    let mut end = 0;
    let mut offset = 0;
    for line in lines_inclusive(text) {
        let code = comments::comment_start(line)
            .and_then(|hash| line.get(..hash))
            .unwrap_or(line);
        let trimmed = code.trim_end();
        if !trimmed.is_empty() {
            end = offset + trimmed.len();
        }
        offset += line.len();
    }
    end
}

/// The bytes of `text` outside strings and comments, with their offsets.
fn code_bytes(text: &str) -> impl Iterator<Item = (usize, u8)> + '_ {
    let mut in_string = false;
    let mut escaped = false;
    let mut in_comment = false;
    text.bytes().enumerate().filter(move |&(_, b)| {
        if in_comment {
            in_comment = b != b'\n' && b != b'\r';
            return false;
        }
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' | b'\n' | b'\r' => in_string = false,
                _ => {}
            }
            return false;
        }
        match b {
            b'#' => {
                in_comment = true;
                false
            }
            b'"' => {
                in_string = true;
                false
            }
            _ => true,
        }
    })
}

/// What a chunk that failed to parse was declaring, read from its first words.
fn broken_block(file: FileId, chunk: &str, offset: usize) -> BrokenBlock {
    let code: String = lines_inclusive(chunk)
        .map(|l| l.split('#').next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ");
    let mut words = code.split_whitespace();
    let keyword = words.next().and_then(|w| {
        BLOCK_KEYWORDS
            .iter()
            .copied()
            .find(|k| *k == w)
            .or_else(|| {
                crate::diagnostics::suggest::did_you_mean(w, BLOCK_KEYWORDS.iter().copied())
            })
    });
    let name = words
        .next()
        .map(|w| w.trim_end_matches('{'))
        .filter(|w| {
            !w.is_empty()
                && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !w.starts_with(|c: char| c.is_ascii_digit())
        })
        .map(str::to_string);
    BrokenBlock {
        keyword,
        name,
        span: Span::new(file, offset, offset + chunk.len()),
    }
}

/// Keywords that open a top-level block; a line starting with one begins a recovery chunk, and
/// tests use the list to prove their fixtures cover every kind of block.
pub const BLOCK_KEYWORDS: &[&str] = &[
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
    "shape",
    "scenario",
    "test",
    "fixture",
    "tests",
];

fn block_starts(src: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let mut offset = 0;
    for line in lines_inclusive(src) {
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
///
/// A lexical over-estimate of the parser's recursion: brackets of every kind nest until closed,
/// `count` until its `within`, and `not` until the next plain token (its operand) starts.
fn nesting_guard(file: FileId, text: &str, offset: usize) -> Option<Diagnostic> {
    #[derive(PartialEq)]
    enum Frame {
        Bracket,
        Count,
        Not,
    }
    let mut stack: Vec<Frame> = Vec::new();
    let bytes = text.as_bytes();
    let mut skip_word = false;
    for (i, b) in code_bytes(text) {
        let word_char = b.is_ascii_alphanumeric() || b == b'_';
        if skip_word {
            if word_char {
                continue;
            }
            skip_word = false;
        }
        match b {
            b'(' | b'[' | b'{' => stack.push(Frame::Bracket),
            b')' | b']' | b'}' => {
                while let Some(frame) = stack.pop() {
                    if frame == Frame::Bracket {
                        break;
                    }
                }
            }
            _ if b.is_ascii_whitespace() => continue,
            _ => {
                let word = if word_char {
                    word_at(bytes, i)
                } else {
                    &[][..]
                };
                match word {
                    b"not" => stack.push(Frame::Not),
                    b"count" => stack.push(Frame::Count),
                    b"within" => {
                        while stack.last() == Some(&Frame::Not) {
                            stack.pop();
                        }
                        if stack.last() == Some(&Frame::Count) {
                            stack.pop();
                        }
                    }
                    _ => {
                        while stack.last() == Some(&Frame::Not) {
                            stack.pop();
                        }
                    }
                }
                skip_word = word_char;
            }
        }
        if stack.len() > MAX_NESTING {
            let end = text
                .get(i..)
                .and_then(|rest| rest.chars().next())
                .map_or(i, |c| i + c.len_utf8());
            return Some(messages::nested_too_deeply(
                Span::new(file, offset + i, offset + end),
                MAX_NESTING,
            ));
        }
    }
    None
}

/// The identifier starting at `i` (ASCII letters, digits and `_`).
fn word_at(bytes: &[u8], i: usize) -> &[u8] {
    let rest = bytes.get(i..).unwrap_or(&[]);
    let len = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .unwrap_or(rest.len());
    rest.get(..len).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use super::*;

    fn codes(src: &str) -> (Vec<Code>, usize) {
        let parsed = parse(FileId(0), src);
        let codes = parsed.diagnostics.iter().map(|d| d.code).collect();
        (codes, parsed.file.items.len())
    }

    #[test]
    fn unknown_escapes_are_reported_beside_syntax_errors_and_keep_their_block() {
        let escape = "playbook p {\n  title \"a\\qb\"\n}\n\n";
        assert_eq!(codes(escape), (vec![Code::BadEscape], 1));
        let broken = format!("{escape}queue q {{\n  capacity\n}}\n");
        assert_eq!(codes(&broken), (vec![Code::BadEscape, Code::Syntax], 1));
        let unclosed = "playbook p {\n  title \"a\\qb\"\n";
        assert_eq!(codes(unclosed), (vec![Code::Syntax, Code::BadEscape], 1));
    }

    #[test]
    fn a_file_over_the_size_limit_is_refused_before_parsing() {
        let mut src = format!(
            "queue q {{\n  capacity\n}}\n{}",
            " ".repeat(MAX_SOURCE_BYTES)
        );
        src.truncate(MAX_SOURCE_BYTES + 1);
        let parsed = parse(FileId(3), &src);
        assert!(parsed.file.items.is_empty());
        assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
        let d = &parsed.diagnostics[0];
        assert_eq!(d.code, Code::TooLarge);
        assert_eq!(d.span(), Span::new(FileId(3), 0, 0));
        assert_eq!(d.message, "the file is larger than the 4 MiB limit");
    }

    #[test]
    fn a_backslash_before_a_line_end_is_named_in_words() {
        let parsed = parse(FileId(0), "playbook p {\n  title \"a\\\nb\"\n}\n");
        let messages: Vec<&str> = parsed
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(messages, ["unknown escape: a backslash before a line end"]);
    }
}

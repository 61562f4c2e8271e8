//! Comments, kept aside from the AST for the formatter.
//!
//! The grammar skips `#` comments like whitespace, so the tree stays simple; this scanner finds
//! them again (string-aware) with enough position data for the formatter to reattach each one.

use crate::span::{lines_inclusive, FileId, Span};

/// One `#` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// From `#` to the end of the line, trailing whitespace excluded.
    pub span: Span,
    /// The text after `#`, trailing whitespace trimmed.
    pub text: String,
    /// True when only whitespace precedes it on its line (an own-line comment); otherwise it
    /// trails code.
    pub own_line: bool,
}

/// All comments of a source in order.
pub fn comments(file: FileId, src: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in lines_inclusive(src) {
        if let Some(hash) = comment_start(line) {
            let body = line.get(hash..).unwrap_or("").trim_end();
            let own_line = line.get(..hash).is_some_and(|s| s.trim().is_empty());
            out.push(Comment {
                span: Span::new(file, offset + hash, offset + hash + body.len()),
                text: body.get(1..).unwrap_or("").to_string(),
                own_line,
            });
        }
        offset += line.len();
    }
    out
}

/// A suppression comment, `# handoff: allow W0306 "reason"`, as written.
///
/// Only its shape is read here; whether its codes exist, may be suppressed and match a finding
/// is decided by `diagnostics::suppress`, which knows the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The whole comment, where findings about the suppression itself point.
    pub span: Span,
    /// The word after `handoff:` (`allow` when well formed) and where it is.
    pub verb: (String, Span),
    /// The codes named, as written, each with its span.
    pub codes: Vec<(String, Span)>,
    /// Why the finding is accepted.
    pub reason: Reason,
    /// The line it covers: its own line for a trailing comment, else the next line of code.
    pub covers: Span,
}

/// The reason a suppression gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A non-empty string in double quotes.
    Quoted(String),
    /// Text without the quotes that mark it as the reason.
    Unquoted(String),
    /// Nothing, or an empty string.
    Missing,
}

/// What marks a comment as a suppression.
const SUPPRESSION_PREFIX: &str = "handoff:";

/// Every suppression comment of a source in order.
pub fn suppressions(file: FileId, src: &str) -> Vec<Suppression> {
    // Most files have none; one substring search spares them the line table.
    if !src.contains(SUPPRESSION_PREFIX) {
        return Vec::new();
    }
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in lines_inclusive(src) {
        lines.push((offset, line));
        offset += line.len();
    }
    let mut out = Vec::new();
    for (i, &(start, line)) in lines.iter().enumerate() {
        let Some(hash) = comment_start(line) else {
            continue;
        };
        let body = line.get(hash + 1..).unwrap_or("").trim_end();
        let own_line = line.get(..hash).is_some_and(|s| s.trim().is_empty());
        let covers = if own_line {
            next_code_line(lines.get(i + 1..).unwrap_or_default(), src.len())
        } else {
            start..start + line.len()
        };
        let at = start + hash + 1;
        let span = Span::new(file, start + hash, at + body.len());
        out.extend(parse_suppression(span, body, at, covers));
    }
    out
}

/// The byte range of the first line holding code, skipping blank lines and own-line comments
/// (so several suppressions can stack above one line); empty at the end of the file.
fn next_code_line(lines: &[(usize, &str)], len: usize) -> std::ops::Range<usize> {
    lines
        .iter()
        .find(|(_, line)| {
            let code = comment_start(line).map_or(*line, |h| line.get(..h).unwrap_or(""));
            !code.trim().is_empty()
        })
        .map_or(len..len, |&(start, line)| start..start + line.len())
}

/// Reads the text after `#` at byte `at`; `None` when it is an ordinary comment.
fn parse_suppression(
    span: Span,
    body: &str,
    at: usize,
    covers: std::ops::Range<usize>,
) -> Option<Suppression> {
    let lead = body.len() - body.trim_start().len();
    let rest = body.trim_start().strip_prefix(SUPPRESSION_PREFIX)?;
    let file = span.file;
    let mut pos = at + lead + SUPPRESSION_PREFIX.len();
    let mut words = Vec::new();
    let mut reason = Reason::Missing;
    let mut text = rest;
    loop {
        let skipped = text.len() - text.trim_start_matches([' ', '\t', ',']).len();
        pos += skipped;
        text = text.get(skipped..).unwrap_or("");
        if text.is_empty() {
            break;
        }
        if text.starts_with('"') || (!words.is_empty() && !looks_like_code(text)) {
            reason = read_reason(text);
            break;
        }
        let len = text.find([' ', '\t', ',', '"']).unwrap_or(text.len());
        let word = text.get(..len).unwrap_or("");
        words.push((word.to_string(), Span::new(file, pos, pos + len)));
        pos += len;
        text = text.get(len..).unwrap_or("");
    }
    let mut words = words.into_iter();
    let verb = words
        .next()
        .unwrap_or_else(|| (String::new(), Span::new(file, pos, pos)));
    Some(Suppression {
        span,
        verb,
        codes: words.collect(),
        reason,
        covers: Span::new(file, covers.start, covers.end),
    })
}

/// Whether the next word has the shape of a code (`W0306`): a letter, then digits.
fn looks_like_code(text: &str) -> bool {
    let word = text.split([' ', '\t', ',', '"']).next().unwrap_or_default();
    let mut chars = word.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.clone().next().is_some()
        && chars.all(|c| c.is_ascii_digit())
}

/// The reason at the start of `text`: a quoted string up to its closing quote, or bare words.
fn read_reason(text: &str) -> Reason {
    let Some(quoted) = text.strip_prefix('"') else {
        return Reason::Unquoted(text.to_string());
    };
    let inner = quoted
        .rfind('"')
        .map_or(quoted, |end| quoted.get(..end).unwrap_or(""));
    if inner.trim().is_empty() {
        Reason::Missing
    } else {
        Reason::Quoted(inner.to_string())
    }
}

/// Byte index of the `#` that starts a comment on this line, skipping `#` inside strings.
pub(super) fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '#' {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    /// Each comment's text and whether it stands on its own line.
    fn texts(found: &[Comment]) -> Vec<(&str, bool)> {
        found
            .iter()
            .map(|c| (c.text.as_str(), c.own_line))
            .collect()
    }

    #[test]
    fn finds_own_line_and_trailing_comments_but_not_hashes_in_strings() {
        let src = "# head\ntrack t { # trailing\n  message \"a # b\"\n}\n";
        let found = comments(FileId(0), src);
        assert_eq!(texts(&found), vec![(" head", true), (" trailing", false)]);
    }

    #[test]
    fn suppressions_read_codes_and_reason_and_cover_the_right_line() {
        let src = "# plain\n# handoff: allow W0306, W0305 \"legacy rule\"\n\n# note\nhandoff h { # handoff: allow W0312\n}\n";
        let found = suppressions(FileId(0), src);
        assert_eq!(found.len(), 2);
        let own = &found[0];
        assert_eq!(own.verb.0, "allow");
        let codes: Vec<&str> = own.codes.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(codes, ["W0306", "W0305"]);
        assert_eq!(&src[own.codes[1].1.range()], "W0305");
        assert_eq!(own.reason, Reason::Quoted("legacy rule".into()));
        assert_eq!(
            &src[own.covers.range()],
            "handoff h { # handoff: allow W0312\n"
        );
        let trailing = &found[1];
        assert_eq!(trailing.reason, Reason::Missing);
        assert_eq!(trailing.covers, own.covers);
        assert_eq!(&src[trailing.span.range()], "# handoff: allow W0312");
    }

    #[test]
    fn a_reason_without_quotes_is_kept_apart_from_the_codes() {
        let found = suppressions(FileId(0), "x # handoff: allow W0306 because legacy\n");
        assert_eq!(found[0].codes.len(), 1);
        assert_eq!(found[0].reason, Reason::Unquoted("because legacy".into()));
        let empty = suppressions(FileId(0), "x # handoff: allow W0306 \"  \"\n");
        assert_eq!(empty[0].reason, Reason::Missing);
    }

    #[test]
    fn a_lone_carriage_return_ends_a_comment() {
        let src = "# head\rtrack t { # trailing\r  message \"a # b\"\r}\r";
        let found = comments(FileId(0), src);
        assert_eq!(texts(&found), vec![(" head", true), (" trailing", false)]);
        assert_eq!(
            found[1].span.end as usize,
            src.find(" trailing").unwrap() + 9
        );
    }
}

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

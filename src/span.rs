//! Source locations shared by every stage.
//!
//! A span is a `Copy` triple of byte offsets so that the AST, the checker and the diagnostics can
//! point into the source without borrowing it; pest's `Pair<'i>` lifetimes stay inside `syntax`.

use serde::{Deserialize, Serialize};

/// Index of a source file in the caller's source map; the pure core never opens files itself.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct FileId(pub u32);

/// A half-open byte range `[start, end)` in one file.
///
/// Equality of AST nodes deliberately ignores spans (see `syntax::ast`), so a reformatted file
/// compares equal to its original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Span {
    /// File the offsets refer to.
    pub file: FileId,
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// Builds a span from `usize` offsets as pest reports them, saturating on files over 4 GiB.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Span {
            file,
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }

    /// The smallest span covering both, used to label a whole construct from its parts.
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Byte range for slicing the source text and for ariadne labels.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// The lines of `text`, each with its line end: LF, CRLF or a lone CR.
///
/// `docs/formatting.md` promises that all three end a line, so every stage that works line by
/// line (comments, error recovery, positions in diagnostics) splits with this one function.
pub fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> + '_ {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = line_end(rest).unwrap_or(rest.len());
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

/// Offset just past the first line end of `text`, if it has one.
fn line_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let at = bytes.iter().position(|&b| b == b'\n' || b == b'\r')?;
    let crlf = bytes.get(at) == Some(&b'\r') && bytes.get(at + 1) == Some(&b'\n');
    Some(at + if crlf { 2 } else { 1 })
}

/// Converts byte offsets to 1-based line and column (in characters) for machine formats.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text` once so each lookup is a binary search; LF, CRLF and
    /// a lone CR all end a line.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        let mut offset = 0;
        for line in lines_inclusive(text) {
            offset += line.len();
            if line.ends_with(['\n', '\r']) {
                line_starts.push(offset);
            }
        }
        LineIndex { line_starts }
    }

    /// 1-based `(line, column)` of a byte offset; the column counts characters, not bytes.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let col = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line, col + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_and_in_chars() {
        let text = "ab\nçd\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), (1, 1));
        assert_eq!(idx.line_col(text, 3), (2, 1));
        assert_eq!(idx.line_col(text, 5), (2, 2));
        assert_eq!(idx.line_col(text, 999), (3, 1));
    }

    #[test]
    fn lf_crlf_and_lone_cr_all_end_a_line() {
        let text = "a\nb\r\nc\rd";
        let lines: Vec<&str> = lines_inclusive(text).collect();
        assert_eq!(lines, ["a\n", "b\r\n", "c\r", "d"]);
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 2), (2, 1));
        assert_eq!(idx.line_col(text, 4), (2, 3));
        assert_eq!(idx.line_col(text, 5), (3, 1));
        assert_eq!(idx.line_col(text, 7), (4, 1));
        assert_eq!(lines_inclusive("").count(), 0);
        assert_eq!(
            lines_inclusive("\r\r\n\n").collect::<Vec<_>>(),
            ["\r", "\r\n", "\n"]
        );
    }
}

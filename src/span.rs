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
///
/// Every lookup costs the same whatever the length of the line: a finding at the end of a
/// one-megabyte line must not count the megabyte again, or many findings cost quadratic time.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Characters before each multiple of [`CHAR_MARK_STRIDE`] bytes.
    char_marks: Vec<usize>,
}

/// Bytes between two character-count marks of a [`LineIndex`].
const CHAR_MARK_STRIDE: usize = 256;

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
        let mut char_marks = vec![0];
        for chunk in text.as_bytes().chunks(CHAR_MARK_STRIDE) {
            let before = char_marks.last().copied().unwrap_or(0);
            char_marks.push(before + char_starts(chunk));
        }
        LineIndex {
            line_starts,
            char_marks,
        }
    }

    /// 1-based `(line, column)` of a byte offset; the column counts characters, not bytes.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.line_start(line).unwrap_or(0);
        let col = self.chars_before(text, offset) - self.chars_before(text, start);
        (line + 1, col + 1)
    }

    /// 0-based index of the line holding a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset).max(1) - 1
    }

    /// Byte offset where a 0-based line starts, if the text has that line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line).copied()
    }

    /// Characters in `text` before byte `offset`: a mark, then at most one stride of bytes.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let mark = offset / CHAR_MARK_STRIDE;
        let from = mark * CHAR_MARK_STRIDE;
        let counted = self.char_marks.get(mark).copied().unwrap_or(0);
        counted + text.as_bytes().get(from..offset).map_or(0, char_starts)
    }
}

/// Characters that start in `bytes` (every byte but UTF-8 continuation bytes).
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

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
    fn columns_on_a_long_line_count_characters_across_marks() {
        let text = format!("x\n{}", "aé日".repeat(300));
        let idx = LineIndex::new(&text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let expected = text[..offset].rsplit('\n').next().unwrap().chars().count() + 1;
            let line = if offset < 2 { 1 } else { 2 };
            assert_eq!(idx.line_col(&text, offset), (line, expected), "{offset}");
        }
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

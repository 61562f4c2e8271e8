//! Byte offsets ↔ LSP positions, in the encoding the client and server agreed on.
//!
//! Every span in the core is a byte range; LSP counts lines and, within a line, code units of
//! UTF-8 or UTF-16 (`positionEncoding`). One conversion here keeps every feature right on
//! non-ASCII text such as the seed's `"Automate → Engage"` titles.

use crate::span::LineIndex;

/// The unit a position's `character` counts within its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes, chosen when the client offers it (no conversion needed).
    Utf8,
    /// UTF-16 code units, the protocol's default.
    Utf16,
}

/// A zero-based line and a column counted in the negotiated encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// Line, from 0.
    pub line: u32,
    /// Code units before the position on its line, from 0.
    pub character: u32,
}

/// The line index of one document text, for conversions in both directions.
#[derive(Debug, Clone)]
pub struct Positions {
    lines: LineIndex,
    encoding: Encoding,
}

impl Positions {
    /// Indexes `text` once; every later conversion is a binary search plus one line's scan.
    pub fn new(text: &str, encoding: Encoding) -> Self {
        Positions {
            lines: LineIndex::new(text),
            encoding,
        }
    }

    /// The position of a byte offset (clamped to the text, and back to a character boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.lines.line_of(offset);
        let start = self.lines.line_start(line).unwrap_or(0);
        let before = text.get(start..offset).unwrap_or("");
        Position {
            line: to_u32(line),
            character: to_u32(self.units(before)),
        }
    }

    /// The byte offset of a position; a column past the line's end means its end, a line past
    /// the text's end means the end of the text, as the protocol asks.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let Some(start) = self.lines.line_start(pos.line as usize) else {
            return text.len();
        };
        let line = text.get(start..).unwrap_or("");
        let content = line.split(['\n', '\r']).next().unwrap_or("");
        let mut units = 0usize;
        for (i, c) in content.char_indices() {
            if units >= pos.character as usize {
                return start + i;
            }
            units += match self.encoding {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
        }
        start + content.len()
    }

    /// Code units of `s` in the negotiated encoding.
    fn units(&self, s: &str) -> usize {
        match self.encoding {
            Encoding::Utf8 => s.len(),
            Encoding::Utf16 => s.chars().map(char::len_utf16).sum(),
        }
    }
}

/// The largest character boundary at or before `offset`.
fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn to_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    const SEED: &str = include_str!("../../playbooks/seed-matrix.playbook");

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn the_seed_title_after_an_arrow_counts_per_encoding() {
        let at = SEED.find("Engage").unwrap();
        let line = SEED[..at].matches('\n').count() as u32;
        // `  title "Automate → ` is 20 characters; the arrow is 3 bytes and 1 UTF-16 unit.
        let utf8 = Positions::new(SEED, Encoding::Utf8);
        let utf16 = Positions::new(SEED, Encoding::Utf16);
        assert_eq!(utf8.position(SEED, at), pos(line, 22));
        assert_eq!(utf16.position(SEED, at), pos(line, 20));
        assert_eq!(utf8.offset(SEED, pos(line, 22)), at);
        assert_eq!(utf16.offset(SEED, pos(line, 20)), at);
    }

    #[test]
    fn every_character_boundary_round_trips_in_both_encodings() {
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let p = Positions::new(SEED, encoding);
            for (offset, _) in SEED.char_indices().take(400) {
                assert_eq!(p.offset(SEED, p.position(SEED, offset)), offset);
            }
        }
    }

    #[test]
    fn astral_characters_take_two_utf16_units() {
        let text = "a😀b\r\nc";
        let p = Positions::new(text, Encoding::Utf16);
        assert_eq!(p.position(text, 5), pos(0, 3));
        assert_eq!(p.offset(text, pos(0, 3)), 5);
        assert_eq!(p.position(text, 8), pos(1, 0));
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let text = "ab\ncd";
        let p = Positions::new(text, Encoding::Utf16);
        assert_eq!(p.offset(text, pos(0, 99)), 2);
        assert_eq!(p.offset(text, pos(9, 0)), text.len());
        assert_eq!(p.position(text, 99), pos(1, 2));
    }
}

//! One renderer for every audience: ariadne text for people, JSON, SARIF and GitHub workflow
//! commands for machines.
//!
//! Renderers never fail and never panic: spans past the end of a file or inside a multi-byte
//! character are clamped, labels pointing at unknown files are dropped, and control characters
//! in the source are neutralised before they reach a terminal.
//! Diagnostics are rendered in the order given; the checker decides that order.
//!
//! This module holds the source map and what several outputs share; each output has its own
//! module, re-exported here.

mod github;
mod human;
mod json;
mod sarif;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::ops::Range;

use super::{Diagnostic, Label, Severity};
use crate::span::{FileId, LineIndex, Span};

pub use github::{github, github_with_failures};
pub use human::human;
pub use json::{json, json_with_failures, JSON_FORMAT_VERSION};
pub use sarif::{sarif, sarif_with_failures};

/// Findings per file that `human` and `github` print; the rest are counted in one
/// "and N more" line (JSON and SARIF list every finding).
pub const MAX_SHOWN_PER_FILE: usize = 100;

/// A file as the user sees it; diagnostics refer to it through its [`FileId`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path shown to users: relative to the current directory when possible.
    pub path: String,
    /// The full text the spans index into.
    pub text: String,
}

/// A registered file with what the renderers need of it, computed once.
#[derive(Debug)]
struct Entry {
    file: SourceFile,
    index: LineIndex,
    /// A copy for ariadne with line separators and terminal controls replaced byte for byte.
    display: ariadne::Source<String>,
}

/// The source map of one run: hands out [`FileId`]s and caches what every renderer needs per
/// file, so that rendering many diagnostics never re-scans a file.
#[derive(Debug, Default)]
pub struct Sources {
    entries: Vec<Entry>,
}

impl Sources {
    /// An empty source map, for runs that fail before reading any file.
    pub fn new() -> Self {
        Sources::default()
    }

    /// Registers a file and returns the id its diagnostics must carry.
    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(u32::try_from(self.entries.len()).unwrap_or(u32::MAX));
        let text = text.into();
        self.entries.push(Entry {
            index: LineIndex::new(&text),
            display: ariadne::Source::from(sanitize_for_display(&text)),
            file: SourceFile {
                path: path.into(),
                text,
            },
        });
        id
    }

    /// The file behind an id, or `None` for an id from another source map.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.entry(id).map(|e| &e.file)
    }

    /// Every file with its id, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> + '_ {
        self.entries
            .iter()
            .enumerate()
            .map(|(i, e)| (FileId(u32::try_from(i).unwrap_or(u32::MAX)), &e.file))
    }

    /// Number of files, reported in summaries as the number of files checked.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no file was added.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// 1-based `(line, column)` of a byte offset, clamped into the file, for editors and tools
    /// that need positions rather than offsets.
    pub fn line_col(&self, file: FileId, offset: usize) -> Option<(usize, usize)> {
        let entry = self.entry(file)?;
        let text = &entry.file.text;
        Some(entry.index.line_col(text, floor_boundary(text, offset)))
    }

    fn entry(&self, id: FileId) -> Option<&Entry> {
        self.entries.get(usize::try_from(id.0).ok()?)
    }

    /// Resolves a span to a path and 1-based start and end positions.
    fn locate(&self, span: Span) -> Option<Location<'_>> {
        let entry = self.entry(span.file)?;
        let text = &entry.file.text;
        let range = clamp(text, span.range());
        let (line, column) = entry.index.line_col(text, range.start);
        let (end_line, end_column) = entry.index.line_col(text, range.end);
        Some(Location {
            path: &entry.file.path,
            line,
            column,
            end_line,
            end_column,
        })
    }
}

/// A resolved position; columns count characters and the end is exclusive.
struct Location<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

/// Largest char boundary at or before `offset`, within the text.
fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Smallest char boundary at or after `offset`, within the text.
fn ceil_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Clamps a byte range into the text and widens it to whole characters, because ariadne panics
/// on offsets past the end or inside a character.
fn clamp(text: &str, range: Range<usize>) -> Range<usize> {
    let start = floor_boundary(text, range.start);
    let end = ceil_boundary(text, range.end.max(range.start)).max(start);
    start..end
}

/// Replaces characters that ariadne treats as line breaks (but [`LineIndex`] does not: LF,
/// CRLF and a lone CR are the only line ends) and characters that could drive a terminal,
/// keeping every byte offset and line number unchanged.
fn sanitize_for_display(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' | '\r' => out.push(c),
            c if c.is_ascii_control() => out.push(' '),
            // C1 controls, including NEL, are two bytes: a two-byte space keeps offsets.
            '\u{80}'..='\u{9f}' => out.push('\u{a0}'),
            // Line and paragraph separators and bidirectional overrides are three bytes.
            '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                out.push('\u{fffd}');
            }
            c => out.push(c),
        }
    }
    out
}

/// Blanks control characters in a message, which may quote user input, before it reaches a
/// terminal; line breaks and tabs stay.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// The label shown as the finding's location: the one marked primary, else the first.
fn primary_label(diag: &Diagnostic) -> Option<&Label> {
    diag.labels
        .iter()
        .find(|l| l.primary)
        .or_else(|| diag.labels.first())
}

/// Counts of errors, warnings and notes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    errors: usize,
    warnings: usize,
    notes: usize,
}

fn counts(diags: &[Diagnostic]) -> Counts {
    let mut c = Counts::default();
    for d in diags {
        match d.severity() {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
            Severity::Note => c.notes += 1,
        }
    }
    c
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The last line of every human and GitHub run, so a reader sees the outcome without scrolling:
/// `checked 3 files: no problems` or `2 errors, 1 warning in 3 files`.
pub fn summary_line(diags: &[Diagnostic], files: usize) -> String {
    let c = counts(diags);
    let parts: Vec<String> = [
        (c.errors, "error"),
        (c.warnings, "warning"),
        (c.notes, "note"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| plural(n, word))
    .collect();
    if parts.is_empty() {
        format!("checked {}: no problems", plural(files, "file"))
    } else {
        format!("{} in {}", parts.join(", "), plural(files, "file"))
    }
}
/// The findings to print, at most [`MAX_SHOWN_PER_FILE`] per file of their primary location
/// and in the given order, and how many were left out per file.
fn cap_per_file(diags: &[Diagnostic]) -> (Vec<&Diagnostic>, BTreeMap<FileId, usize>) {
    let mut seen: BTreeMap<FileId, usize> = BTreeMap::new();
    let mut shown = Vec::new();
    for diag in diags {
        let count = seen.entry(diag.span().file).or_default();
        *count += 1;
        if *count <= MAX_SHOWN_PER_FILE {
            shown.push(diag);
        }
    }
    let hidden = seen
        .into_iter()
        .filter_map(|(file, n)| Some((file, n.checked_sub(MAX_SHOWN_PER_FILE)?)))
        .filter(|(_, n)| *n > 0)
        .collect();
    (shown, hidden)
}

/// One "and N more" line per file whose findings were cut.
fn hidden_lines(hidden: &BTreeMap<FileId, usize>, sources: &Sources) -> Vec<String> {
    hidden
        .iter()
        .map(|(file, n)| {
            let path = sources
                .get(*file)
                .map_or("an unknown file", |f| f.path.as_str());
            let what = if *n == 1 { "finding" } else { "findings" };
            format!(
                "and {n} more {what} in `{}` (`--format json` lists every one)",
                printable(path)
            )
        })
        .collect()
}

//! One renderer for every audience: ariadne text for people, JSON, SARIF and GitHub workflow
//! commands for machines.
//!
//! Renderers never fail and never panic: spans past the end of a file or inside a multi-byte
//! character are clamped, labels pointing at unknown files are dropped, and control characters
//! in the source are neutralised before they reach a terminal.
//! Diagnostics are rendered in the order given; the checker decides that order.

use std::collections::BTreeMap;
use std::ops::Range;

use ariadne::{Color, Config, IndexType, Label as AriadneLabel, Report, ReportKind};
use serde_json::{json, Value};

use super::{Code, Diagnostic, Label, Severity};
use crate::span::{FileId, LineIndex, Span};

/// Version of the JSON document shape; bumped on any incompatible change so scripts can check it.
pub const JSON_FORMAT_VERSION: u32 = 1;

/// SARIF schema the `sarif` output declares, as GitHub code scanning expects.
const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// GitHub shows at most this many annotations of each kind per step and silently drops the rest.
const GITHUB_ANNOTATION_LIMIT: usize = 10;

/// Source lines longer than this many bytes are shown as windows around their labels, so one
/// finding on a long line prints a few hundred characters rather than the whole line.
const MAX_SHOWN_LINE: usize = 240;

/// Bytes of a long line shown before the label a window is opened for.
const WINDOW_LEAD: usize = 60;

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

/// Adapts [`Sources`] to ariadne's cache so ariadne reads the cached copies, or a report's
/// excerpt of a file with long lines.
struct AriadneCache<'a> {
    sources: &'a Sources,
    excerpts: &'a [(FileId, Excerpt)],
}

impl AriadneCache<'_> {
    fn excerpt(&self, id: FileId) -> Option<&Excerpt> {
        self.excerpts.iter().find(|(f, _)| *f == id).map(|(_, e)| e)
    }

    /// A file's byte range as ariadne must see it: moved into the excerpt when there is one.
    fn map(&self, (file, range): (FileId, Range<usize>)) -> (FileId, Range<usize>) {
        match self.excerpt(file) {
            Some(e) => (file, e.map(range.start)..e.map(range.end)),
            None => (file, range),
        }
    }
}

impl ariadne::Cache<FileId> for &AriadneCache<'_> {
    type Storage = String;

    fn fetch(&mut self, id: &FileId) -> Result<&ariadne::Source<String>, impl std::fmt::Debug> {
        match self.excerpt(*id) {
            Some(e) => Ok(&e.source),
            None => self
                .sources
                .entry(*id)
                .map(|e| &e.display)
                .ok_or("unknown file"),
        }
    }

    fn display<'b>(&self, id: &'b FileId) -> Option<impl std::fmt::Display + 'b> {
        self.sources.get(*id).map(|f| f.path.clone())
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

/// Renders diagnostics for people with ariadne, followed by the summary line.
///
/// Trailing whitespace is trimmed from every line so output is stable in snapshots, and with
/// `color` off the text contains no escape sequences at all.
///
/// At most [`MAX_SHOWN_PER_FILE`] findings are shown per file, then one line counts the rest.
pub fn human(diags: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let mut buf = Vec::new();
    let (shown, hidden) = cap_per_file(diags);
    for diag in shown {
        render_report(diag, sources, color, &mut buf);
        buf.push(b'\n');
    }
    for line in hidden_lines(&hidden, sources) {
        buf.extend_from_slice(line.as_bytes());
        buf.extend_from_slice(b"\n\n");
    }
    let mut text = String::from_utf8_lossy(&buf).into_owned();
    if !color {
        // ariadne colours custom report kinds even when colour is off.
        text = strip_ansi(&text);
    }
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&summary_line(diags, sources.len()));
    out.push('\n');
    out
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

fn render_report(diag: &Diagnostic, sources: &Sources, color: bool, buf: &mut Vec<u8>) {
    let severity = diag.severity();
    let header = format!("{}[{}]", severity.as_str(), diag.code);
    let kind_color = match severity {
        Severity::Error => Color::Red,
        Severity::Warning => Color::Yellow,
        Severity::Note => Color::Cyan,
    };
    let located = |label: &Label| {
        let text = &sources.get(label.span.file)?.text;
        Some((label.span.file, clamp(text, label.span.range())))
    };
    let anchor = primary_label(diag)
        .and_then(located)
        .unwrap_or((diag.span().file, 0..0));
    let anchor_file = anchor.0;
    let mut labels: Vec<(&Label, (FileId, Range<usize>))> = diag
        .labels
        .iter()
        .filter_map(|l| Some((l, located(l)?)))
        .collect();
    // In file order, so that ariadne shows one snippet per file rather than one per label.
    labels.sort_by_key(|(_, (file, range))| (*file != anchor_file, *file, range.start));
    let spans: Vec<(FileId, Range<usize>)> = labels.iter().map(|(_, s)| s.clone()).collect();
    let excerpts = excerpts_for(sources, &spans);
    let cache = AriadneCache {
        sources,
        excerpts: &excerpts,
    };
    let config = Config::default()
        .with_index_type(IndexType::Byte)
        .with_color(color);
    let mut report = Report::build(
        ReportKind::Custom(&header, kind_color),
        cache.map(anchor.clone()),
    )
    .with_config(config)
    .with_message(printable(&diag.message));
    for (label, span) in labels {
        // ariadne underlines only labels that carry a message.
        let message = match (label.message.is_empty(), label.primary) {
            (false, _) => printable(&label.message),
            (true, true) => diag.code.summary().to_string(),
            (true, false) => "related".to_string(),
        };
        let mut rendered = AriadneLabel::new(cache.map(span)).with_message(message);
        if color {
            rendered = rendered.with_color(if label.primary {
                kind_color
            } else {
                Color::Blue
            });
        }
        report.add_label(rendered);
    }
    for note in &diag.notes {
        report.add_note(printable(note));
    }
    if let Some(help) = &diag.help {
        report.add_help(printable(help));
    }
    let start = buf.len();
    if report.finish().write(&cache, &mut *buf).is_err() {
        // Writing to memory only fails on a formatting error: fall back to the bare header.
        buf.truncate(start);
        buf.extend_from_slice(format!("{header}: {}\n", diag.message).as_bytes());
        return;
    }
    if !excerpts.is_empty() {
        fix_excerpt_columns(buf, start, &cache, &anchor, &spans);
    }
}

/// ariadne computes a header's column from the excerpt it was given; this puts back the column
/// in the real file for each file that was shown through an excerpt.
fn fix_excerpt_columns(
    buf: &mut Vec<u8>,
    start: usize,
    cache: &AriadneCache<'_>,
    anchor: &(FileId, Range<usize>),
    spans: &[(FileId, Range<usize>)],
) {
    let Some(written) = buf.get(start..) else {
        return;
    };
    let mut text = String::from_utf8_lossy(written).into_owned();
    for (file, excerpt) in cache.excerpts {
        // ariadne locates a file's snippet at the anchor, or else at its first label.
        let offset = if *file == anchor.0 {
            Some(anchor.1.start)
        } else {
            spans.iter().find(|(f, _)| f == file).map(|(_, r)| r.start)
        };
        let (Some(offset), Some(entry)) = (offset, cache.sources.entry(*file)) else {
            continue;
        };
        let (line, column) = entry.index.line_col(&entry.file.text, offset);
        let shown = format!(" {}:{line}:{} ", entry.file.path, excerpt.column(offset));
        let real = format!(" {}:{line}:{column} ", entry.file.path);
        text = text.replacen(&shown, &real, 1);
    }
    buf.truncate(start);
    buf.extend_from_slice(text.as_bytes());
}

/// An excerpt for every file of a report that has a labelled line longer than
/// [`MAX_SHOWN_LINE`]; other files are shown from the cached whole source.
fn excerpts_for(sources: &Sources, spans: &[(FileId, Range<usize>)]) -> Vec<(FileId, Excerpt)> {
    let mut files: Vec<FileId> = spans.iter().map(|(f, _)| *f).collect();
    files.sort();
    files.dedup();
    files
        .into_iter()
        .filter_map(|file| {
            let entry = sources.entry(file)?;
            let mut points: Vec<usize> = spans
                .iter()
                .filter(|(f, _)| *f == file)
                .flat_map(|(_, r)| [r.start, r.end])
                .collect();
            points.sort_unstable();
            let long = points
                .iter()
                .any(|&p| line_bounds(entry, p).len() > MAX_SHOWN_LINE);
            long.then(|| Some((file, Excerpt::new(entry, &points)?)))
                .flatten()
        })
        .collect()
}

/// The byte range of the line holding `offset`, without its line end.
fn line_bounds(entry: &Entry, offset: usize) -> Range<usize> {
    let line = entry.index.line_of(offset);
    line_range(entry, line)
}

/// The byte range of a 0-based line, without its line end.
fn line_range(entry: &Entry, line: usize) -> Range<usize> {
    let text = &entry.file.text;
    let start = entry.index.line_start(line).unwrap_or(text.len());
    let next = entry.index.line_start(line + 1).unwrap_or(text.len());
    let content = text
        .get(start..next)
        .unwrap_or("")
        .trim_end_matches(['\n', '\r']);
    start..start + content.len()
}

/// The lines a report shows, each cut to windows around its labels, so one finding on a
/// megabyte line prints a few hundred characters; empty lines stand in for the lines before,
/// so ariadne prints the right line numbers.
#[derive(Debug)]
struct Excerpt {
    text: String,
    /// The pieces of the file shown, in file order: `orig` in the file, from `at` in `text`.
    windows: Vec<Window>,
    source: ariadne::Source<String>,
}

#[derive(Debug)]
struct Window {
    orig: Range<usize>,
    at: usize,
}

impl Excerpt {
    /// The excerpt from the line of the first point to the line of the last; `points` are
    /// sorted byte offsets the windows must show.
    fn new(entry: &Entry, points: &[usize]) -> Option<Excerpt> {
        let text = &entry.file.text;
        let first = entry.index.line_of(*points.first()?);
        let last = entry.index.line_of(*points.last()?);
        let mut out = "\n".repeat(first);
        let mut windows = Vec::new();
        for line in first..=last {
            let bounds = line_range(entry, line);
            let on_line: Vec<usize> = points
                .iter()
                .copied()
                .filter(|p| bounds.contains(p) || *p == bounds.end)
                .collect();
            let mut shown_to = bounds.start;
            for piece in pieces(text, bounds.clone(), &on_line) {
                if piece.start > shown_to {
                    out.push('…');
                }
                windows.push(Window {
                    orig: piece.clone(),
                    at: out.len(),
                });
                out.push_str(&sanitize_for_display(text.get(piece.clone()).unwrap_or("")));
                shown_to = piece.end;
            }
            if shown_to < bounds.end {
                out.push('…');
            }
            out.push('\n');
        }
        Some(Excerpt {
            source: ariadne::Source::from(out.clone()),
            text: out,
            windows,
        })
    }

    /// Where a byte offset of the file lands in the excerpt; offsets between windows land at
    /// the end of the window before them.
    fn map(&self, offset: usize) -> usize {
        let i = self.windows.partition_point(|w| w.orig.start <= offset);
        match i.checked_sub(1).and_then(|i| self.windows.get(i)) {
            Some(w) => w.at + offset.clamp(w.orig.start, w.orig.end) - w.orig.start,
            None => self.windows.first().map_or(0, |w| w.at),
        }
    }

    /// The 1-based column ariadne shows for a file offset: characters from the start of its
    /// excerpt line.
    fn column(&self, offset: usize) -> usize {
        let at = self.map(offset);
        let before = self.text.get(..at).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        before.get(line_start..).map_or(0, |l| l.chars().count()) + 1
    }
}

/// The pieces of a line to show: the whole line when short, else a window of at most
/// [`MAX_SHOWN_LINE`] bytes around each point not already shown (or the line's start).
fn pieces(text: &str, line: Range<usize>, points: &[usize]) -> Vec<Range<usize>> {
    if line.len() <= MAX_SHOWN_LINE {
        return vec![line];
    }
    let starts = if points.is_empty() {
        vec![line.start]
    } else {
        points.to_vec()
    };
    let mut pieces: Vec<Range<usize>> = Vec::new();
    for p in starts {
        let shown_to = pieces.last().map_or(line.start, |w| w.end);
        if pieces.last().is_some_and(|w| p <= w.end) {
            continue;
        }
        let from = floor_boundary(text, p.saturating_sub(WINDOW_LEAD).max(shown_to));
        let to = ceil_boundary(text, (from + MAX_SHOWN_LINE).min(line.end));
        pieces.push(from..to);
    }
    pieces
}

/// Removes ANSI CSI escape sequences (`ESC [ ... final-byte`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn location_json(loc: Option<&Location<'_>>) -> [(&'static str, Value); 5] {
    match loc {
        Some(l) => [
            ("file", json!(l.path)),
            ("line", json!(l.line)),
            ("column", json!(l.column)),
            ("end_line", json!(l.end_line)),
            ("end_column", json!(l.end_column)),
        ],
        None => [
            ("file", Value::Null),
            ("line", Value::Null),
            ("column", Value::Null),
            ("end_line", Value::Null),
            ("end_column", Value::Null),
        ],
    }
}

/// The documented JSON document (`docs/json-output.md`) for scripts and editors.
pub fn json(diags: &[Diagnostic], sources: &Sources) -> Value {
    json_with_failures(diags, sources, &[])
}

/// Like [`json()`], plus an `error` object when the run could not complete, so that a consumer
/// always receives one parseable document, even from a failed run.
pub fn json_with_failures(diags: &[Diagnostic], sources: &Sources, failures: &[String]) -> Value {
    let diagnostics: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut obj = serde_json::Map::new();
            obj.insert("code".into(), json!(d.code.as_str()));
            obj.insert("severity".into(), json!(d.severity().as_str()));
            obj.insert("message".into(), json!(d.message));
            let primary = primary_label(d).and_then(|l| sources.locate(l.span));
            for (key, value) in location_json(primary.as_ref()) {
                obj.insert(key.into(), value);
            }
            let labels: Vec<Value> = d
                .labels
                .iter()
                .map(|l| {
                    let mut label = serde_json::Map::new();
                    for (key, value) in location_json(sources.locate(l.span).as_ref()) {
                        label.insert(key.into(), value);
                    }
                    label.insert("message".into(), json!(l.message));
                    label.insert("primary".into(), json!(l.primary));
                    Value::Object(label)
                })
                .collect();
            obj.insert("labels".into(), Value::Array(labels));
            obj.insert("notes".into(), json!(d.notes));
            obj.insert("help".into(), json!(d.help));
            Value::Object(obj)
        })
        .collect();
    let c = counts(diags);
    let mut doc = json!({
        "format_version": JSON_FORMAT_VERSION,
        "diagnostics": diagnostics,
        "summary": {
            "errors": c.errors,
            "warnings": c.warnings,
            "notes": c.notes,
            "files": sources.len(),
        },
    });
    if let (Some(first), Some(obj)) = (failures.first(), doc.as_object_mut()) {
        let message = if failures.len() == 1 {
            first.clone()
        } else {
            format!("could not run: {} problems", failures.len())
        };
        obj.insert(
            "error".into(),
            json!({ "message": message, "causes": failures }),
        );
    }
    doc
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// Turns a displayed path into a SARIF `uri`: relative paths stay relative with forward
/// slashes, absolute ones become `file:` URIs, and anything outside the URI alphabet is
/// percent-encoded.
fn sarif_uri(path: &str) -> String {
    let slashed = path.replace('\\', "/");
    let is_drive = slashed.as_bytes().get(1) == Some(&b':')
        && slashed
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_alphabetic);
    let (prefix, rest) = if slashed.starts_with('/') {
        ("file://", slashed.as_str())
    } else if is_drive {
        ("file:///", slashed.as_str())
    } else {
        ("", slashed.as_str())
    };
    let mut out = String::from(prefix);
    for b in rest.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn sarif_location(loc: &Location<'_>) -> Value {
    json!({
        "artifactLocation": { "uri": sarif_uri(loc.path) },
        "region": {
            "startLine": loc.line,
            "startColumn": loc.column,
            "endLine": loc.end_line,
            "endColumn": loc.end_column,
        },
    })
}

/// SARIF 2.1.0 for code-scanning dashboards: one run, one rule per registered code.
pub fn sarif(diags: &[Diagnostic], sources: &Sources) -> Value {
    sarif_with_failures(diags, sources, &[])
}

/// Like [`sarif`], recording a run that could not complete as an unsuccessful invocation with
/// one tool notification per failure.
pub fn sarif_with_failures(diags: &[Diagnostic], sources: &Sources, failures: &[String]) -> Value {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|code| {
            json!({
                "id": code.as_str(),
                "shortDescription": { "text": code.summary() },
                "fullDescription": { "text": code.explain() },
                "defaultConfiguration": { "level": sarif_level(code.severity()) },
            })
        })
        .collect();
    let results: Vec<Value> = diags.iter().map(|d| sarif_result(d, sources)).collect();
    let notifications: Vec<Value> = failures
        .iter()
        .map(|f| json!({ "level": "error", "message": { "text": f } }))
        .collect();
    let mut driver = json!({
        "name": "handoff",
        "version": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    // `informationUri` must be a real address, so it appears once Cargo.toml names a repository.
    let info_uri = env!("CARGO_PKG_REPOSITORY");
    if !info_uri.is_empty() {
        if let Some(obj) = driver.as_object_mut() {
            obj.insert("informationUri".into(), json!(info_uri));
        }
    }
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": failures.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

fn sarif_result(diag: &Diagnostic, sources: &Sources) -> Value {
    let rule_index = Code::ALL.iter().position(|c| *c == diag.code);
    let mut text = diag.message.clone();
    if let Some(help) = &diag.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let primary = primary_label(diag);
    // A SARIF `location` wraps the file and region in a `physicalLocation`.
    let locations: Vec<Value> = primary
        .and_then(|l| sources.locate(l.span))
        .map(|loc| json!({ "physicalLocation": sarif_location(&loc) }))
        .into_iter()
        .collect();
    let related: Vec<Value> = diag
        .labels
        .iter()
        .filter(|l| !primary.is_some_and(|p| std::ptr::eq(p, *l)))
        .filter_map(|l| {
            let loc = sources.locate(l.span)?;
            Some((l, loc))
        })
        .enumerate()
        .map(|(id, (l, loc))| {
            json!({
                "id": id,
                "physicalLocation": sarif_location(&loc),
                "message": { "text": l.message },
            })
        })
        .collect();
    let mut result = json!({
        "ruleId": diag.code.as_str(),
        "ruleIndex": rule_index,
        "level": sarif_level(diag.severity()),
        "message": { "text": text },
        "locations": locations,
    });
    if !related.is_empty() {
        if let Some(obj) = result.as_object_mut() {
            obj.insert("relatedLocations".into(), Value::Array(related));
        }
    }
    result
}

/// Escapes a workflow command message (GitHub `escapeData`).
fn github_escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command property (GitHub `escapeProperty`).
fn github_escape_property(s: &str) -> String {
    github_escape_data(s)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// GitHub Actions workflow commands, so findings appear as annotations on the pull request.
///
/// GitHub keeps only the first ten annotations of each kind per step, so later findings are
/// printed as plain `PATH:L:C: severity[CODE]: message` lines that stay visible in the log,
/// at most [`MAX_SHOWN_PER_FILE`] per file and then one line counting the rest.
pub fn github(diags: &[Diagnostic], sources: &Sources) -> String {
    github_with_failures(diags, sources, &[])
}

/// Like [`github`], with each failure that stopped the run as a file-less `::error`.
pub fn github_with_failures(
    diags: &[Diagnostic],
    sources: &Sources,
    failures: &[String],
) -> String {
    let mut out = String::new();
    let mut emitted = Counts::default();
    let (shown, hidden) = cap_per_file(diags);
    for diag in shown {
        let severity = diag.severity();
        let slot = match severity {
            Severity::Error => &mut emitted.errors,
            Severity::Warning => &mut emitted.warnings,
            Severity::Note => &mut emitted.notes,
        };
        *slot += 1;
        let loc = primary_label(diag).and_then(|l| sources.locate(l.span));
        if *slot <= GITHUB_ANNOTATION_LIMIT {
            out.push_str(&github_annotation(diag, loc.as_ref()));
        } else {
            out.push_str(&plain_line(diag, loc.as_ref()));
        }
        out.push('\n');
    }
    for line in hidden_lines(&hidden, sources) {
        out.push_str(&line);
        out.push('\n');
    }
    for failure in failures {
        out.push_str("::error title=handoff::");
        out.push_str(&github_escape_data(failure));
        out.push('\n');
    }
    out.push_str(&summary_line(diags, sources.len()));
    out.push('\n');
    out
}

fn github_annotation(diag: &Diagnostic, loc: Option<&Location<'_>>) -> String {
    let command = match diag.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut props = Vec::new();
    if let Some(l) = loc {
        props.push(format!("file={}", github_escape_property(l.path)));
        props.push(format!("line={}", l.line));
        props.push(format!("col={}", l.column));
        props.push(format!("endLine={}", l.end_line));
        // GitHub accepts an end column only on single-line annotations.
        if l.end_line == l.line {
            props.push(format!("endColumn={}", l.end_column));
        }
    }
    props.push(format!(
        "title={}",
        github_escape_property(diag.code.as_str())
    ));
    let mut message = diag.message.clone();
    for note in &diag.notes {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    if let Some(help) = &diag.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{command} {}::{}",
        props.join(","),
        github_escape_data(&message)
    )
}

fn plain_line(diag: &Diagnostic, loc: Option<&Location<'_>>) -> String {
    let head = format!(
        "{}[{}]: {}",
        diag.severity().as_str(),
        diag.code,
        diag.message.replace(['\r', '\n'], " ")
    );
    match loc {
        Some(l) => format!("{}:{}:{}: {head}", l.path, l.line, l.column),
        None => head,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    const TRACKS: &str = "playbook demo {\n  track nurture {\n    touch email every 7d\n  }\n  handoff hot {\n    when band A\n    route to sales\n    recycle to nuture\n  }\n}\n";
    const QUEUES: &str = "queue sales {\n  capacity 5\n}\nqueue sales {\n  capacity 3\n}\n";

    fn span_of(sources: &Sources, file: FileId, needle: &str) -> Span {
        let text = &sources.get(file).unwrap().text;
        let start = text.find(needle).unwrap();
        Span::new(file, start, start + needle.len())
    }

    fn fixture() -> (Sources, Vec<Diagnostic>) {
        let mut sources = Sources::new();
        let tracks = sources.add("playbooks/tracks.playbook", TRACKS);
        let queues = sources.add("playbooks/queues.playbook", QUEUES);
        let first_sales = span_of(&sources, queues, "sales");
        let second_sales = {
            let s = span_of(&sources, queues, "sales {\n  capacity 3");
            Span::new(queues, s.start as usize, s.start as usize + 5)
        };
        let diags = vec![
            Diagnostic::new(
                Code::Undefined,
                span_of(&sources, tracks, "nuture"),
                "undefined track `nuture`",
            )
            .with_primary_message("no track with this name")
            .with_help("a track with a similar name exists: `nurture`"),
            Diagnostic::new(Code::Duplicate, second_sales, "duplicate queue `sales`")
                .with_primary_message("declared again here")
                .with_label(first_sales, "first declared here")
                .with_note("queue names must be unique"),
            Diagnostic::new(
                Code::UnreachableTrack,
                span_of(&sources, tracks, "track nurture"),
                "track `nurture` can never be entered",
            ),
        ];
        (sources, diags)
    }

    #[test]
    fn human_output() {
        let (sources, diags) = fixture();
        insta::assert_snapshot!(human(&diags, &sources, false));
    }

    #[test]
    fn human_output_spanning_lines_and_files() {
        let (sources, _) = fixture();
        let tracks = FileId(0);
        let queues = FileId(1);
        let handoff = span_of(
            &sources,
            tracks,
            "handoff hot {\n    when band A\n    route to sales",
        );
        let diag = Diagnostic::new(Code::OverlappingHandoffs, handoff, "handoff `hot` overlaps")
            .with_primary_message("this rule")
            .with_label(
                span_of(&sources, queues, "capacity 5"),
                "and the queue it fills",
            );
        insta::assert_snapshot!(human(&[diag], &sources, false));
    }

    #[test]
    fn human_output_in_colour_has_escapes_and_plain_has_none() {
        let (sources, diags) = fixture();
        assert!(human(&diags, &sources, true).contains('\u{1b}'));
        assert!(!human(&diags, &sources, false).contains('\u{1b}'));
    }

    #[test]
    fn human_lines_have_no_trailing_whitespace() {
        let (sources, diags) = fixture();
        let out = human(&diags, &sources, false);
        assert!(out.lines().all(|l| l == l.trim_end()));
    }

    #[test]
    fn json_output() {
        let (sources, diags) = fixture();
        insta::assert_json_snapshot!(json(&diags, &sources));
    }

    #[test]
    fn json_failure_keeps_the_shape() {
        let failures = vec!["`missing.playbook` does not exist".to_string()];
        let doc = json_with_failures(&[], &Sources::new(), &failures);
        insta::assert_json_snapshot!(doc);
    }

    #[test]
    fn sarif_output() {
        let (sources, diags) = fixture();
        let mut doc = sarif(&diags, &sources);
        // The rule table repeats the whole registry; it is checked separately below.
        let rules = doc["runs"][0]["tool"]["driver"]["rules"].take();
        assert_eq!(rules.as_array().unwrap().len(), Code::ALL.len());
        assert_eq!(rules[0]["id"], Code::ALL[0].as_str());
        assert_eq!(
            doc["runs"][0]["tool"]["driver"]["version"].take(),
            env!("CARGO_PKG_VERSION")
        );
        insta::assert_json_snapshot!(doc);
    }

    #[test]
    fn sarif_rule_index_points_at_the_rule() {
        let (sources, diags) = fixture();
        let doc = sarif(&diags, &sources);
        let run = &doc["runs"][0];
        for result in run["results"].as_array().unwrap() {
            let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
            assert_eq!(
                run["tool"]["driver"]["rules"][index]["id"],
                result["ruleId"]
            );
        }
    }

    #[test]
    fn sarif_uris_are_relative_with_forward_slashes_and_encoded() {
        assert_eq!(sarif_uri("dir\\my file.playbook"), "dir/my%20file.playbook");
        assert_eq!(sarif_uri("/abs/a.playbook"), "file:///abs/a.playbook");
        assert_eq!(sarif_uri("C:\\x\\a.playbook"), "file:///C:/x/a.playbook");
    }

    #[test]
    fn github_output() {
        let (sources, diags) = fixture();
        insta::assert_snapshot!(github(&diags, &sources));
    }

    #[test]
    fn github_escapes_properties_and_data() {
        let mut sources = Sources::new();
        let file = sources.add("a,b:c%.playbook", "x\n");
        let diag = Diagnostic::new(Code::Syntax, Span::new(file, 0, 1), "50% bad\r\nline");
        let out = github(&[diag], &sources);
        assert!(
            out.starts_with("::error file=a%2Cb%3Ac%25.playbook,line=1,col=1,endLine=1,endColumn=2,title=E0001::50%25 bad%0D%0Aline\n"),
            "{out}"
        );
    }

    #[test]
    fn github_limits_annotations_per_kind() {
        let mut sources = Sources::new();
        let file = sources.add("a.playbook", "x\n".repeat(30));
        let diags: Vec<Diagnostic> =
            (0..12)
                .map(|i| Diagnostic::new(Code::Syntax, Span::new(file, i * 2, i * 2 + 1), "bad"))
                .chain((0..3).map(|i| {
                    Diagnostic::new(Code::BandGap, Span::new(file, i * 2, i * 2 + 1), "gap")
                }))
                .collect();
        let out = github(&diags, &sources);
        assert_eq!(out.lines().filter(|l| l.starts_with("::error")).count(), 10);
        assert_eq!(
            out.lines().filter(|l| l.starts_with("::warning")).count(),
            3
        );
        assert!(
            out.contains("\na.playbook:11:1: error[E0001]: bad\n"),
            "{out}"
        );
        assert!(
            out.contains("\na.playbook:12:1: error[E0001]: bad\n"),
            "{out}"
        );
        assert!(out.ends_with("12 errors, 3 warnings in 1 file\n"));
    }

    #[test]
    fn summary_lines() {
        let (_, diags) = fixture();
        assert_eq!(summary_line(&[], 3), "checked 3 files: no problems");
        assert_eq!(summary_line(&[], 1), "checked 1 file: no problems");
        assert_eq!(summary_line(&diags, 2), "2 errors, 1 warning in 2 files");
    }

    #[test]
    fn positions_are_one_based_with_exclusive_ends() {
        let (sources, diags) = fixture();
        let doc = json(&diags, &sources);
        let first = &doc["diagnostics"][0];
        assert_eq!(first["line"], 8);
        assert_eq!(first["column"], 16);
        assert_eq!(first["end_line"], 8);
        assert_eq!(first["end_column"], 22);
    }

    #[test]
    fn unknown_files_are_dropped_not_fatal() {
        let sources = Sources::new();
        let diag = Diagnostic::new(Code::Syntax, Span::new(FileId(7), 0, 3), "bad")
            .with_label(Span::new(FileId(9), 1, 2), "elsewhere");
        let out = human(std::slice::from_ref(&diag), &sources, false);
        assert!(out.starts_with("error[E0001]: bad\n"), "{out}");
        let doc = json(std::slice::from_ref(&diag), &sources);
        assert_eq!(doc["diagnostics"][0]["file"], Value::Null);
        let out = github(std::slice::from_ref(&diag), &sources);
        assert!(out.starts_with("::error title=E0001::bad\n"), "{out}");
    }

    #[test]
    fn any_span_on_awkward_text_renders_without_panicking() {
        let texts = [
            "",
            "a",
            "\n",
            "日本\r\nb\rc\u{2028}d\u{85}e\u{1b}[31mf\n",
            "x\t\u{202e}y\n\n",
        ];
        for text in texts {
            let mut sources = Sources::new();
            let file = sources.add("t.playbook", text);
            let limit = text.len() + 3;
            for start in 0..limit {
                for end in 0..limit {
                    let diag = Diagnostic::new(Code::Syntax, Span::new(file, start, end), "m")
                        .with_primary_message("here")
                        .with_label(Span::new(file, end, start + 1), "there");
                    let diags = [diag];
                    let out = human(&diags, &sources, false);
                    assert!(!out.contains('\u{1b}'));
                    json(&diags, &sources);
                    sarif(&diags, &sources);
                    github(&diags, &sources);
                }
            }
        }
    }

    #[test]
    fn messages_cannot_drive_the_terminal() {
        let mut sources = Sources::new();
        let file = sources.add("a.playbook", "x\n");
        let diag = Diagnostic::new(Code::Syntax, Span::new(file, 0, 1), "bad `\u{1b}[2J`")
            .with_primary_message("\u{9b}31m")
            .with_note("\u{7}")
            .with_help("\u{1b}]0;title\u{7}");
        let out = human(&[diag], &sources, true);
        assert!(!out.contains(['\u{9b}', '\u{7}']), "{out:?}");
        assert!(
            !out.contains("\u{1b}[2J") && !out.contains("\u{1b}]"),
            "{out:?}"
        );
    }

    /// A one-megabyte line with a finding every 50 bytes: positions cost the same wherever
    /// they fall on the line (this took minutes when each counted from the line's start), and
    /// the human output shows a bounded window of the line for the first findings only.
    #[test]
    fn twenty_thousand_findings_on_a_megabyte_line() {
        let line = "x = a or ".repeat(1 << 17);
        let text = format!("first\n{line}\nlast\n");
        let mut sources = Sources::new();
        let file = sources.add("long.playbook", text.clone());
        let diags: Vec<Diagnostic> = (0..20_000)
            .map(|i| {
                let at = 6 + i * 54;
                Diagnostic::new(
                    Code::Undefined,
                    Span::new(file, at, at + 1),
                    "undefined `x`",
                )
                .with_primary_message("not declared")
            })
            .collect();
        let doc = json(&diags, &sources);
        let last = &doc["diagnostics"][19_999];
        assert_eq!(
            (&last["line"], &last["column"]),
            (&json!(2), &json!(19_999 * 54 + 1))
        );
        assert_eq!(
            sarif(&diags, &sources)["runs"][0]["results"]
                .as_array()
                .unwrap()
                .len(),
            20_000
        );
        let out = human(&diags, &sources, false);
        assert!(
            out.len() < MAX_SHOWN_PER_FILE * 1_000,
            "{} bytes",
            out.len()
        );
        assert!(
            out.lines().all(|l| l.len() < 2 * MAX_SHOWN_LINE),
            "a line too long"
        );
        assert!(
            out.contains("and 19900 more findings in `long.playbook`"),
            "{out}"
        );
        assert!(out.ends_with("20000 errors in 1 file\n"));
        let gh = github(&diags, &sources);
        assert_eq!(gh.lines().count(), MAX_SHOWN_PER_FILE + 2);
        assert!(gh.contains("\nand 19900 more findings in `long.playbook`"));
    }

    #[test]
    fn a_finding_far_along_a_long_line_shows_a_window_with_its_real_column() {
        let line = format!("{}target{}", "a".repeat(5_000), "b".repeat(5_000));
        let mut sources = Sources::new();
        let file = sources.add("w.playbook", format!("head\n{line}\ntail\n"));
        let at = 5 + 5_000;
        let diag = Diagnostic::new(Code::Undefined, Span::new(file, at, at + 6), "m")
            .with_primary_message("here")
            .with_label(Span::new(file, 0, 4), "and the head");
        let out = human(&[diag], &sources, false);
        insta::assert_snapshot!(out);
        assert!(out.contains("w.playbook:2:5001 ]"), "{out}");
    }

    #[test]
    fn short_lines_are_shown_whole_and_labels_on_two_long_lines_get_a_window_each() {
        let long = "word ".repeat(100);
        let text = format!("{long}\nshort line\n{long}\n");
        let mut sources = Sources::new();
        let file = sources.add("t.playbook", text.clone());
        let second = text.rfind("word").unwrap();
        let diag = Diagnostic::new(Code::Duplicate, Span::new(file, second, second + 4), "m")
            .with_primary_message("again")
            .with_label(Span::new(file, 250, 254), "first");
        let out = human(&[diag], &sources, false);
        insta::assert_snapshot!(out);
        assert!(out.contains("t.playbook:3:496 ]"), "{out}");
    }

    #[test]
    fn display_copy_keeps_offsets_and_line_count() {
        let text = "a\rb\u{85}c\u{2028}d\u{1b}e\r\nf\u{202e}g\n";
        let shown = sanitize_for_display(text);
        assert_eq!(shown.len(), text.len());
        assert_eq!(ariadne::Source::from(shown.as_str()).lines().count(), 3);
        for (i, _) in text.char_indices() {
            assert!(shown.is_char_boundary(i));
        }
    }
}

//! Text for people: ariadne reports, with long lines cut to windows around their labels and at
//! most [`MAX_SHOWN_PER_FILE`](super::MAX_SHOWN_PER_FILE) findings per file.

use std::ops::Range;

use ariadne::{Color, Config, IndexType, Label as AriadneLabel, Report, ReportKind};

use super::{
    cap_per_file, ceil_boundary, clamp, floor_boundary, hidden_lines, primary_label, printable,
    sanitize_for_display, summary_line, Entry, Sources,
};
use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::span::FileId;

/// Source lines longer than this many bytes are shown as windows around their labels, so one
/// finding on a long line prints a few hundred characters rather than the whole line.
pub(super) const MAX_SHOWN_LINE: usize = 240;

/// Bytes of a long line shown before the label a window is opened for.
const WINDOW_LEAD: usize = 60;

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

/// Renders diagnostics for people with ariadne, followed by the summary line.
///
/// Trailing whitespace is trimmed from every line so output is stable in snapshots, and with
/// `color` off the text contains no escape sequences at all.
///
/// At most [`MAX_SHOWN_PER_FILE`](super::MAX_SHOWN_PER_FILE) findings are shown per file, then
/// one line counts the rest.
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

//! `handoff test --coverage`: per playbook, how many of its parts the tests reached, and where
//! each part no test reached is written.

use std::fmt::Write as _;

use serde_json::json;

use crate::diagnostics::render::Sources;
use crate::span::{FileId, Span};
use crate::testing::{Coverage, CoverageItem, Reached};

/// GitHub shows at most this many annotations of each kind per step and drops the rest.
const GITHUB_ANNOTATION_LIMIT: usize = 10;

/// One playbook's parts and what the selected tests reached of them.
pub struct Measured {
    /// The playbook's name.
    pub name: String,
    /// The playbook's file.
    pub file: FileId,
    /// Its parts, as the checker listed them.
    pub items: Vec<CoverageItem>,
    /// What its tests reached, from the playbook and from test files naming it.
    pub reached: Reached,
}

impl Measured {
    fn coverage(&self) -> Coverage<'_> {
        Coverage::new(&self.items, &self.reached)
    }
}

/// A `--fail-under` threshold: `90`, `90%` or `87.5%`.
pub fn parse_percent(text: &str) -> Result<f64, String> {
    let number = text.trim().trim_end_matches('%');
    match number.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("`{text}` is not a percentage from 0% to 100%")),
    }
}

/// The playbooks below `threshold`, as one message per playbook.
pub fn below(measured: &[Measured], threshold: f64) -> Vec<String> {
    measured
        .iter()
        .filter_map(|m| {
            let c = m.coverage();
            (c.percent() < threshold).then(|| {
                format!(
                    "coverage of `{}` is {}, under the {} of `--fail-under`",
                    m.name,
                    percent(c.percent()),
                    percent(threshold)
                )
            })
        })
        .collect()
}

/// The human report: a summary line per playbook and a line per part no test reached.
pub fn human(measured: &[Measured], sources: &Sources) -> String {
    let mut out = String::from("\ncoverage:\n");
    for m in measured {
        let c = m.coverage();
        let _ = writeln!(
            out,
            "  {} {} ({}/{} parts) {}",
            m.name,
            percent(c.percent()),
            c.covered(),
            c.parts.len(),
            path(sources, m.file)
        );
        for item in c.missed() {
            let (line, column) = start(sources, item.span);
            let _ = writeln!(
                out,
                "    {}:{line}:{column}: {} `{}` not reached",
                path(sources, item.span.file),
                item.part.kind().word(),
                item.name
            );
        }
    }
    out
}

/// The `coverage` member of the JSON report.
pub fn json(measured: &[Measured], sources: &Sources) -> serde_json::Value {
    let playbooks: Vec<serde_json::Value> = measured
        .iter()
        .map(|m| {
            let c = m.coverage();
            let missed: Vec<serde_json::Value> = c
                .missed()
                .map(|item| {
                    let (line, column) = start(sources, item.span);
                    let (end_line, end_column) = end(sources, item.span);
                    json!({
                        "kind": item.part.kind(),
                        "name": item.name,
                        "file": path(sources, item.span.file),
                        "line": line,
                        "column": column,
                        "end_line": end_line,
                        "end_column": end_column,
                    })
                })
                .collect();
            json!({
                "playbook": m.name,
                "file": path(sources, m.file),
                "covered": c.covered(),
                "total": c.parts.len(),
                "percent": (c.percent() * 10.0).round() / 10.0,
                "not_reached": missed,
            })
        })
        .collect();
    serde_json::Value::Array(playbooks)
}

/// GitHub Actions: a warning annotation on each part no test reached (the first ten; the rest
/// as plain log lines), then a summary line per playbook.
pub fn github(measured: &[Measured], sources: &Sources) -> String {
    let mut out = String::new();
    let mut shown = 0;
    for m in measured {
        for item in m.coverage().missed() {
            let (line, column) = start(sources, item.span);
            let file = path(sources, item.span.file);
            let message = format!(
                "{} `{}` not reached by any test",
                item.part.kind().word(),
                item.name
            );
            shown += 1;
            if shown <= GITHUB_ANNOTATION_LIMIT {
                let _ = writeln!(
                    out,
                    "::warning file={},line={line},col={column},title=not covered::{}",
                    property(file),
                    data(&message)
                );
            } else {
                let _ = writeln!(out, "{file}:{line}:{column}: {message}");
            }
        }
    }
    for m in measured {
        let c = m.coverage();
        let _ = writeln!(
            out,
            "coverage: {} {} ({}/{} parts)",
            m.name,
            percent(c.percent()),
            c.covered(),
            c.parts.len()
        );
    }
    out
}

fn percent(p: f64) -> String {
    let text = format!("{p:.1}");
    format!("{}%", text.trim_end_matches(".0"))
}

fn path(sources: &Sources, file: FileId) -> &str {
    sources.get(file).map_or("", |f| f.path.as_str())
}

fn start(sources: &Sources, span: Span) -> (usize, usize) {
    sources
        .line_col(span.file, span.start as usize)
        .unwrap_or((1, 1))
}

fn end(sources: &Sources, span: Span) -> (usize, usize) {
    sources
        .line_col(span.file, span.end as usize)
        .unwrap_or((1, 1))
}

fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

//! The self-contained HTML report: one file with inputs, KPI tables, charts and notes that opens
//! offline, prints cleanly and can be attached to a ticket or mailed as is.
//!
//! The page uses no scripts, fonts, images or stylesheets from elsewhere; charts are inline SVG.
//! It is also well-formed XML (void elements self-closed, only XML's predefined entities), so
//! tests and tools can parse it with an XML parser.

use super::format::{format_bounds, format_value, Unit, NO_INTERVAL};
use super::table::{group_columns, group_estimate, KpiRow, MISSING_CELL};
use crate::sim::stats::Estimate;

/// Everything one report page shows, in the order it shows it.
///
/// Text in the title, warnings, notes and text tables may quote names in Markdown backticks,
/// as the terminal output does: the page shows them as code (and the document title plainly).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HtmlReport {
    /// The page heading and document title.
    pub title: String,
    /// What produced the numbers (playbook, scenario, seed, replications, version), so a reader
    /// can reproduce them.
    pub inputs: Vec<(String, String)>,
    /// What the terminal and `summary.json` warn about (overloaded queues), shown right below the
    /// inputs so no reader takes the numbers at face value without them.
    pub warnings: Vec<String>,
    /// Preformatted tables (a comparison, the targets) with the terminal's wording, shown
    /// before the KPI tables.
    pub text_tables: Vec<TextTable>,
    /// Captioned KPI tables.
    pub tables: Vec<(String, Vec<KpiRow>)>,
    /// `(caption, svg)` pairs, the SVG as produced by [`crate::report::charts`].
    pub charts: Vec<(String, String)>,
    /// Free-text remarks (warnings, assumptions) shown last.
    pub notes: Vec<String>,
}

/// A table of already formatted text, for results whose wording the terminal output sets (a
/// signed change in `pp` with its significance, a target `met` or `missed`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextTable {
    /// The section heading.
    pub heading: String,
    /// A line under the heading saying how to read the table, if any.
    pub hint: Option<String>,
    /// Column headings; the first column holds row headings.
    pub header: Vec<String>,
    /// The cells, row by row.
    pub rows: Vec<Vec<String>>,
}

const STYLE: &str = "
body { margin: 0; background: #fff; color: #222;
  font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; }
main { max-width: 940px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 8px; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #ddd; }
h3 { font-size: 16px; margin: 20px 0 4px; }
.wide { max-width: 100%; overflow-x: auto; }
code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f3f3f3;
  padding: 0 3px; border-radius: 3px; overflow-wrap: anywhere; }
.warnings li { color: #8a4b00; }
.text-table td { white-space: nowrap; }
table { border-collapse: collapse; margin: 4px 0 16px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 12px; border-bottom: 1px solid #e6e6e6; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; padding-left: 0; }
thead th { border-bottom: 2px solid #999; }
tbody th { font-weight: 600; }
.ci { display: block; color: #666; font-size: 0.85em; white-space: nowrap; }
.inputs th { color: #555; }
.inputs td { text-align: left; }
.hint { color: #666; font-size: 0.9em; margin: 0; }
figure { margin: 16px 0 28px; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 14px; margin-top: 6px; }
@media print {
  main { max-width: none; padding: 0; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  table { break-inside: avoid; page-break-inside: avoid; }
}
@page { margin: 15mm; }
";

/// Renders the whole report as one HTML5 document.
///
/// All text is escaped; chart SVG is embedded as-is (it is our own output) minus any XML
/// declaration or doctype, which are not allowed inside HTML. Empty sections are left out.
pub fn html_report(r: &HtmlReport) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    out.push_str(&format!(
        "<title>{}</title>\n",
        escape(&r.title.replace('`', ""))
    ));
    out.push_str(&format!(
        "<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
    ));
    out.push_str(&format!("<h1>{}</h1>\n", inline(&r.title)));
    inputs(&mut out, &r.inputs);
    list(&mut out, "warnings", "Warnings", &r.warnings);
    for table in &r.text_tables {
        text_table(&mut out, table);
    }
    tables(&mut out, &r.tables);
    charts(&mut out, &r.charts);
    notes(&mut out, &r.notes);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn inputs(out: &mut String, inputs: &[(String, String)]) {
    if inputs.is_empty() {
        return;
    }
    out.push_str("<section id=\"inputs\">\n<h2>Inputs</h2>\n<table class=\"inputs\">\n<tbody>\n");
    for (name, value) in inputs {
        out.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n",
            escape(name),
            escape(value)
        ));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn tables(out: &mut String, tables: &[(String, Vec<KpiRow>)]) {
    if tables.is_empty() {
        return;
    }
    out.push_str("<section id=\"kpis\">\n<h2>KPIs</h2>\n");
    let single = tables
        .iter()
        .flat_map(|(_, rows)| rows)
        .flat_map(|r| std::iter::once(&r.overall).chain(r.by_group.iter().map(|(_, e)| e)))
        .all(|e| e.n < 2);
    if single {
        out.push_str(&format!(
            "<p class=\"hint\">Values of a single replication: {NO_INTERVAL}.</p>\n"
        ));
    } else {
        out.push_str(
            "<p class=\"hint\">Means over replications; brackets give the 95% confidence interval.</p>\n",
        );
    }
    for (caption, rows) in tables {
        out.push_str(&format!("<h3>{}</h3>\n", escape(caption)));
        kpi_table(out, rows);
    }
    out.push_str("</section>\n");
}

/// Most value columns one KPI table shows: more would not fit the page beside the KPI names.
const COLUMNS_PER_TABLE: usize = 4;

/// One value column of a KPI table.
#[derive(Clone, Copy)]
enum Column<'r> {
    Overall,
    Group(&'r str),
}

/// A wide table: a row per KPI, the overall value, then a column per group.
///
/// The overall column is left out when no KPI has an overall value (a sweep, where every point
/// is its own group), and line breaks in group names break the heading, so a point named by two
/// settings takes two short lines rather than one wide one.
/// Columns beyond [`COLUMNS_PER_TABLE`] wrap into further tables of even width, each repeating
/// the KPI names, so a sweep over nine points reads as three tables rather than one clipped one.
fn kpi_table(out: &mut String, rows: &[KpiRow]) {
    let overall = rows.iter().any(|r| r.overall.mean.is_finite());
    let columns: Vec<Column<'_>> = overall
        .then_some(Column::Overall)
        .into_iter()
        .chain(group_columns(rows).into_iter().map(Column::Group))
        .collect();
    let tables = columns.len().div_ceil(COLUMNS_PER_TABLE).max(1);
    let per_table = columns.len().div_ceil(tables).max(1);
    for chunk in columns.chunks(per_table) {
        kpi_table_part(out, rows, chunk);
    }
    if columns.is_empty() {
        kpi_table_part(out, rows, &[]);
    }
}

/// One table of [`kpi_table`] with the given value columns.
fn kpi_table_part(out: &mut String, rows: &[KpiRow], columns: &[Column<'_>]) {
    out.push_str(
        "<div class=\"wide\">\n<table class=\"kpi\">\n<thead>\n<tr><th scope=\"col\">KPI</th>",
    );
    for column in columns {
        let heading = match column {
            Column::Overall => "overall".to_owned(),
            Column::Group(group) => escape(group).replace('\n', "<br/>"),
        };
        out.push_str(&format!("<th scope=\"col\">{heading}</th>"));
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");
    for row in rows {
        out.push_str(&format!("<tr><th scope=\"row\">{}</th>", escape(&row.name)));
        for column in columns {
            let est = match column {
                Column::Overall => Some(&row.overall),
                Column::Group(group) => group_estimate(row, group),
            };
            cell(out, row.unit, est);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

/// The mean on top, its interval below in muted type, and the replication count on hover.
fn cell(out: &mut String, unit: Unit, est: Option<&Estimate>) {
    let Some(est) = est else {
        out.push_str(&format!("<td>{MISSING_CELL}</td>"));
        return;
    };
    out.push_str(&format!(
        "<td title=\"n = {}\">{}",
        est.n,
        escape(&format_value(unit, est.mean))
    ));
    if let Some(bounds) = format_bounds(unit, est) {
        out.push_str(&format!("<span class=\"ci\">{}</span>", escape(&bounds)));
    }
    out.push_str("</td>");
}

fn charts(out: &mut String, charts: &[(String, String)]) {
    if charts.is_empty() {
        return;
    }
    out.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    for (i, (caption, svg)) in charts.iter().enumerate() {
        out.push_str(&format!("<figure id=\"chart-{}\">\n", i + 1));
        out.push_str(strip_prolog(svg).trim_end());
        out.push_str(&format!(
            "\n<figcaption>{}</figcaption>\n</figure>\n",
            escape(caption)
        ));
    }
    out.push_str("</section>\n");
}

/// A table of preformatted text in its own section, inside a scrolling box like the KPI tables.
fn text_table(out: &mut String, table: &TextTable) {
    out.push_str(&format!(
        "<section class=\"text-table\">\n<h2>{}</h2>\n",
        inline(&table.heading)
    ));
    if let Some(hint) = &table.hint {
        out.push_str(&format!("<p class=\"hint\">{}</p>\n", inline(hint)));
    }
    out.push_str("<div class=\"wide\">\n<table>\n<thead>\n<tr>");
    for heading in &table.header {
        out.push_str(&format!("<th scope=\"col\">{}</th>", inline(heading)));
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for (i, text) in row.iter().enumerate() {
            let tag = if i == 0 { "th scope=\"row\"" } else { "td" };
            let close = if i == 0 { "th" } else { "td" };
            out.push_str(&format!("<{tag}>{}</{close}>", text_cell(text)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

/// A text cell; a value followed by its bracketed interval (`−3.1 pp [−3.4 pp, −2.8 pp]`) gets
/// the interval on a line of its own in muted type, as in the KPI tables.
fn text_cell(text: &str) -> String {
    match text.rsplit_once(" [") {
        Some((value, interval)) if interval.ends_with(']') => format!(
            "{}<span class=\"ci\">[{}</span>",
            inline(value),
            inline(interval)
        ),
        _ => inline(text),
    }
}

fn notes(out: &mut String, notes: &[String]) {
    list(out, "notes", "Notes", notes);
}

/// A titled bullet list section, left out when there is nothing to list.
fn list(out: &mut String, id: &str, heading: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    out.push_str(&format!(
        "<section id=\"{id}\" class=\"{id}\">\n<h2>{heading}</h2>\n<ul>\n"
    ));
    for item in items {
        out.push_str(&format!("<li>{}</li>\n", inline(item)));
    }
    out.push_str("</ul>\n</section>\n");
}

/// Escapes text and shows the names it quotes in Markdown backticks as code, as a terminal
/// reader sees them; an unpaired backtick stays as it is.
fn inline(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return escape(text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", escape(part))
            } else {
                escape(part)
            }
        })
        .collect()
}

/// Drops a leading byte-order mark, XML declaration, comments and doctype, none of which may
/// appear inside an HTML body.
fn strip_prolog(svg: &str) -> &str {
    let mut rest = svg.trim_start_matches('\u{FEFF}').trim_start();
    loop {
        let end = ["<?", "<!--", "<!"]
            .iter()
            .zip(["?>", "-->", ">"])
            .find(|(open, _)| rest.starts_with(**open))
            .and_then(|(_, close)| rest.find(close).map(|at| at + close.len()));
        match end.and_then(|at| rest.get(at..)) {
            Some(after) => rest = after.trim_start(),
            None => return rest,
        }
    }
}

/// Escapes text for element content and quoted attribute values alike.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && !matches!(c, '\n' | '\t') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn prolog_is_stripped() {
        let svg = "\u{FEFF}<?xml version=\"1.0\"?>\n<!-- made by hand -->\n<!DOCTYPE svg>\n<svg/>";
        assert_eq!(strip_prolog(svg), "<svg/>");
        assert_eq!(strip_prolog("<svg></svg>"), "<svg></svg>");
        assert_eq!(strip_prolog("<?xml unterminated"), "<?xml unterminated");
    }

    #[test]
    fn backticks_become_code() {
        assert_eq!(
            inline("queue `a<b>` is `x`"),
            "queue <code>a&lt;b&gt;</code> is <code>x</code>"
        );
        assert_eq!(inline("odd ` tick"), "odd ` tick");
        assert_eq!(inline("``"), "<code></code>");
    }

    #[test]
    fn intervals_in_text_cells_go_below_the_value() {
        assert_eq!(
            text_cell("−3.1 pp [−3.4 pp, −2.8 pp]"),
            "−3.1 pp<span class=\"ci\">[−3.4 pp, −2.8 pp]</span>"
        );
        assert_eq!(text_cell("met"), "met");
        assert_eq!(text_cell("a [b"), "a [b");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<b> & \"q\" 'a'\u{0}"),
            "&lt;b&gt; &amp; &quot;q&quot; &#39;a&#39; "
        );
    }
}

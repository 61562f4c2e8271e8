//! The self-contained HTML report: one file with inputs, KPI tables, charts and notes that opens
//! offline, prints cleanly and can be attached to a ticket or mailed as is.
//!
//! The page uses no scripts, fonts, images or stylesheets from elsewhere; charts are inline SVG.
//! It is also well-formed XML (void elements self-closed, only XML's predefined entities), so
//! tests and tools can parse it with an XML parser.

use super::format::{format_bounds, format_value, Unit};
use super::table::{group_columns, group_estimate, KpiRow, MISSING_CELL};
use crate::sim::stats::Estimate;

/// Everything one report page shows, in the order it shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// The page heading and document title.
    pub title: String,
    /// What produced the numbers (playbook, scenario, seed, replications, version), so a reader
    /// can reproduce them.
    pub inputs: Vec<(String, String)>,
    /// Captioned KPI tables.
    pub tables: Vec<(String, Vec<KpiRow>)>,
    /// `(caption, svg)` pairs, the SVG as produced by [`crate::report::charts`].
    pub charts: Vec<(String, String)>,
    /// Free-text remarks (warnings, assumptions) shown last.
    pub notes: Vec<String>,
}

const STYLE: &str = "
body { margin: 0; background: #fff; color: #222;
  font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; }
main { max-width: 940px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 8px; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #ddd; }
h3 { font-size: 16px; margin: 20px 0 4px; }
.wide { overflow-x: auto; }
table { border-collapse: collapse; margin: 4px 0 8px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 12px; border-bottom: 1px solid #e6e6e6; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; padding-left: 0; }
thead th { border-bottom: 2px solid #999; white-space: nowrap; }
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
pub fn html_report(r: &Report) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    out.push_str(&format!("<title>{}</title>\n", escape(&r.title)));
    out.push_str(&format!(
        "<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
    ));
    out.push_str(&format!("<h1>{}</h1>\n", escape(&r.title)));
    inputs(&mut out, &r.inputs);
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
    out.push_str(
        "<p class=\"hint\">Means over replications; brackets give the 95% confidence interval.</p>\n",
    );
    for (caption, rows) in tables {
        out.push_str(&format!("<h3>{}</h3>\n", escape(caption)));
        kpi_table(out, rows);
    }
    out.push_str("</section>\n");
}

/// A wide table: a row per KPI, the overall value, then a column per group.
fn kpi_table(out: &mut String, rows: &[KpiRow]) {
    let groups = group_columns(rows);
    out.push_str("<div class=\"wide\">\n<table class=\"kpi\">\n<thead>\n<tr><th scope=\"col\">KPI</th><th scope=\"col\">overall</th>");
    for group in &groups {
        out.push_str(&format!("<th scope=\"col\">{}</th>", escape(group)));
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");
    for row in rows {
        out.push_str(&format!("<tr><th scope=\"row\">{}</th>", escape(&row.name)));
        cell(out, row.unit, Some(&row.overall));
        for group in &groups {
            cell(out, row.unit, group_estimate(row, group));
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

fn notes(out: &mut String, notes: &[String]) {
    if notes.is_empty() {
        return;
    }
    out.push_str("<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n");
    for note in notes {
        out.push_str(&format!("<li>{}</li>\n", escape(note)));
    }
    out.push_str("</ul>\n</section>\n");
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
    fn text_is_escaped() {
        assert_eq!(
            escape("<b> & \"q\" 'a'\u{0}"),
            "&lt;b&gt; &amp; &quot;q&quot; &#39;a&#39; "
        );
    }
}

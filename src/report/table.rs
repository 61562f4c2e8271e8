//! KPI tables in the two text forms analysts paste elsewhere: CSV for spreadsheets and Markdown
//! for pull-request comments and CI job summaries.
//!
//! CSV is long and raw (one row per KPI and group, numbers unformatted) so tools can read it back;
//! Markdown is wide and formatted (one row per KPI, a column per group) so people can.

use super::format::{format_ci, Unit};
use crate::sim::stats::Estimate;

/// One KPI with its overall estimate and its breakdown, the unit every table and chart is built
/// from.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiRow {
    /// The KPI as analysts name it (`SLA attainment`, `speed to lead p90`).
    pub name: String,
    /// How the values are printed.
    pub unit: Unit,
    /// The KPI over all leads.
    pub overall: Estimate,
    /// The KPI per band, queue or segment, in the order the caller wants them shown.
    pub by_group: Vec<(String, Estimate)>,
}

/// The header of [`to_csv`]; fixed so scripts can rely on column positions.
pub const CSV_HEADER: &str = "kpi,group,unit,mean,ci_low,ci_high,n";

/// Writes KPIs for spreadsheets and scripts: one line per KPI overall (empty `group`) followed by
/// one line per group.
///
/// Numbers are printed in full precision in the KPI's base unit (fractions as 0–1, seconds);
/// undefined values are empty fields, which spreadsheets read as blank rather than as text.
/// Fields are quoted per RFC 4180 and lines end in CRLF as that RFC specifies.
pub fn to_csv(rows: &[KpiRow]) -> String {
    let mut out = String::new();
    out.push_str(CSV_HEADER);
    out.push_str("\r\n");
    for row in rows {
        csv_line(&mut out, &row.name, "", row.unit, &row.overall);
        for (group, est) in &row.by_group {
            csv_line(&mut out, &row.name, group, row.unit, est);
        }
    }
    out
}

fn csv_line(out: &mut String, kpi: &str, group: &str, unit: Unit, est: &Estimate) {
    let fields = [
        csv_field(kpi),
        csv_field(group),
        unit.name().to_owned(),
        csv_number(est.mean),
        csv_number(est.ci_low),
        csv_number(est.ci_high),
        est.n.to_string(),
    ];
    out.push_str(&fields.join(","));
    out.push_str("\r\n");
}

/// Quotes a field only when RFC 4180 requires it, doubling embedded quotes.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Shortest round-tripping decimal, or an empty field when undefined.
fn csv_number(v: f64) -> String {
    if v.is_finite() {
        v.to_string()
    } else {
        String::new()
    }
}

/// Writes KPIs as a GitHub-flavoured Markdown table: a row per KPI, an `overall` column, then a
/// column per group in first-seen order, each cell a value with its interval.
///
/// Cells a KPI has no estimate for show `–`; `|` and line breaks in names are escaped so a stray
/// character cannot break the table.
pub fn to_markdown(rows: &[KpiRow]) -> String {
    let groups = group_columns(rows);
    let mut header = vec!["KPI".to_owned(), "overall".to_owned()];
    header.extend(groups.iter().map(|g| markdown_cell(g)));
    let mut out = markdown_line(&header);
    let mut rule = vec!["---".to_owned()];
    rule.extend(std::iter::repeat_n("---:".to_owned(), groups.len() + 1));
    out.push_str(&markdown_line(&rule));
    for row in rows {
        let mut cells = vec![markdown_cell(&row.name), format_ci(row.unit, &row.overall)];
        cells.extend(groups.iter().map(|g| group_cell(row, g)));
        out.push_str(&markdown_line(&cells));
    }
    out
}

fn markdown_line(cells: &[String]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

fn markdown_cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// The placeholder for a group a KPI is not broken down by.
pub(crate) const MISSING_CELL: &str = "–";

/// The estimate of `row` for `group`, if the KPI is broken down by it.
pub(crate) fn group_estimate<'r>(row: &'r KpiRow, group: &str) -> Option<&'r Estimate> {
    row.by_group
        .iter()
        .find(|(name, _)| name == group)
        .map(|(_, est)| est)
}

/// The formatted cell of `row` for `group`, or the placeholder.
fn group_cell(row: &KpiRow, group: &str) -> String {
    group_estimate(row, group)
        .map_or_else(|| MISSING_CELL.to_owned(), |est| format_ci(row.unit, est))
}

/// Every group name across `rows`, once, in the order first seen, so wide tables keep the
/// caller's ordering (band A before band B) without sorting.
pub(crate) fn group_columns(rows: &[KpiRow]) -> Vec<&str> {
    let mut seen: Vec<&str> = Vec::new();
    for (group, _) in rows.iter().flat_map(|r| &r.by_group) {
        if !seen.contains(&group.as_str()) {
            seen.push(group);
        }
    }
    seen
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn est(mean: f64) -> Estimate {
        Estimate {
            mean,
            ci_low: mean - 0.01,
            ci_high: mean + 0.01,
            n: 10,
        }
    }

    #[test]
    fn csv_quotes_only_what_needs_quoting() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn csv_leaves_undefined_numbers_empty() {
        let row = KpiRow {
            name: "leakage".into(),
            unit: Unit::Fraction,
            overall: Estimate {
                mean: f64::NAN,
                ci_low: f64::NAN,
                ci_high: f64::INFINITY,
                n: 0,
            },
            by_group: vec![],
        };
        assert_eq!(
            to_csv(&[row]),
            format!("{CSV_HEADER}\r\nleakage,,fraction,,,,0\r\n")
        );
    }

    #[test]
    fn group_columns_keep_first_seen_order() {
        let rows = [
            KpiRow {
                name: "a".into(),
                unit: Unit::Count,
                overall: est(1.0),
                by_group: vec![("B".into(), est(1.0)), ("A".into(), est(1.0))],
            },
            KpiRow {
                name: "b".into(),
                unit: Unit::Count,
                overall: est(1.0),
                by_group: vec![("C".into(), est(1.0)), ("A".into(), est(1.0))],
            },
        ];
        assert_eq!(group_columns(&rows), ["B", "A", "C"]);
        assert_eq!(group_cell(&rows[1], "B"), MISSING_CELL);
    }
}

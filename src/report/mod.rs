//! Reports for people: SVG charts, KPI tables (CSV, Markdown) and a self-contained HTML page.
//!
//! Everything here is a pure function from numbers to text; writing files is the CLI's job, so
//! the same results always render to the same bytes.

/// SVG charts draw with plotters, a dependency of the `cli` feature.
#[cfg(feature = "cli")]
pub mod charts;
pub mod format;
pub mod html;
pub mod table;

pub use format::{format_ci, format_value, interval_heading, replications, Unit, NO_INTERVAL};
pub use html::{html_report, HtmlReport, TextTable};
pub use table::{to_csv, to_markdown, KpiRow};

//! `replay --against NEW.playbook`: the recorded history through a second playbook, compared
//! lead by lead and KPI by KPI, with `compare`'s guardrails and exit codes.

use super::super::{columns, finish, report_error, CliError, Exit};
use crate::compare::{format_change, Breach};
use crate::events::{decode_line, Decoded, EventError, SELLER_PICKUP};
use crate::guardrail::{self, Guardrail};
use crate::ir::Playbook;
use crate::replay::against::{self, Against};
use crate::replay::Replay;
use crate::report::format_value;

/// Leads listed in the table and Markdown; JSON lists every one.
const SHOWN: usize = 50;

/// The `--fail-if` guardrails, read against the KPIs a replay reports.
pub fn guardrails(texts: &[String]) -> Result<Vec<Guardrail>, Exit> {
    let kpis = against::guardrail_kpis();
    texts
        .iter()
        .map(|g| guardrail::parse(g, &kpis))
        .collect::<Result<_, _>>()
        .map_err(|e| {
            report_error(&CliError::new(e.to_string()));
            Exit::Failure
        })
}

/// Decodes a line for `playbook`; a pickup naming a seller the playbook does not have is
/// decoded as a pickup by an unnamed seller, and counted (`docs/replay.md`).
pub fn decode(
    playbook: &Playbook,
    replay: &mut Replay,
    number: usize,
    line: &str,
) -> Result<Decoded, EventError> {
    let error = match decode_line(playbook, number, line) {
        Ok(decoded) => return Ok(decoded),
        Err(error) => error,
    };
    let Ok(mut json) = serde_json::from_str::<serde_json::Value>(line) else {
        return Err(error);
    };
    let is_pickup = json.get("type").and_then(|t| t.as_str()) == Some(SELLER_PICKUP);
    let seller = (json.get_mut("data"))
        .and_then(|d| d.as_object_mut())
        .and_then(|d| d.remove("seller"));
    let Some(seller) = seller.filter(|_| is_pickup) else {
        return Err(error);
    };
    let known = (seller.as_str()).is_some_and(|s| playbook.sellers.iter().any(|k| k.name == s));
    match (known, decode_line(playbook, number, &json.to_string())) {
        (false, Ok(decoded)) => {
            replay.note_unnamed_pickup();
            Ok(decoded)
        }
        _ => Err(error),
    }
}

/// The formats a comparison is printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComparisonFormat {
    /// Aligned text.
    Table,
    /// One JSON document.
    Json,
    /// Markdown for a pull-request comment.
    Markdown,
}

/// Compares the two replays and prints the comparison; exits 1 when a guardrail is breached.
pub fn print(
    base: &Replay,
    candidate: &Replay,
    guardrails: &[Guardrail],
    format: ComparisonFormat,
) -> Exit {
    let doc = Against::new(
        (base.report(), base.outcomes()),
        (candidate.report(), candidate.outcomes()),
        guardrails,
    );
    let text = match format {
        ComparisonFormat::Json => {
            // Strings, numbers and booleans only: serialising cannot fail.
            let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            text.push('\n');
            text
        }
        ComparisonFormat::Markdown => markdown(&doc),
        ComparisonFormat::Table => table(&doc),
    };
    let exit = if doc.breaches.is_empty() {
        Exit::Ok
    } else {
        Exit::Findings
    };
    finish(text.as_bytes(), exit)
}

fn header(doc: &Against) -> String {
    format!(
        "{} leads replayed through `{}` (recorded) and `{}` (new); {} fare differently",
        doc.leads,
        doc.base.playbook,
        doc.candidate.playbook,
        doc.differing.len()
    )
}

fn kpi_rows(doc: &Against) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "KPI".to_owned(),
        "recorded".to_owned(),
        "new".to_owned(),
        "change".to_owned(),
    ]];
    rows.extend(doc.kpis.iter().map(|d| {
        vec![
            d.key.clone(),
            format_value(d.unit, d.base.mean),
            format_value(d.unit, d.candidate.mean),
            format_change(d.unit, d.delta.mean),
        ]
    }));
    rows
}

fn lead_rows(doc: &Against) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "lead".to_owned(),
        "what".to_owned(),
        "recorded".to_owned(),
        "new".to_owned(),
    ]];
    for diff in doc.differing.iter().take(SHOWN) {
        for (i, c) in diff.changes.iter().enumerate() {
            let lead = if i == 0 {
                diff.lead.clone()
            } else {
                String::new()
            };
            rows.push(vec![
                lead,
                c.what.to_owned(),
                c.base.clone(),
                c.candidate.clone(),
            ]);
        }
    }
    rows
}

/// `and N more leads (all in --format json)`, when the list was cut.
fn more(doc: &Against) -> Option<String> {
    let rest = doc.differing.len().saturating_sub(SHOWN);
    (rest > 0).then(|| format!("and {rest} more leads (all in `--format json`)"))
}

fn approximations(doc: &Against) -> String {
    let i = &doc.candidate.inputs;
    format!(
        "seller actions replayed on the new playbook's leads: {} ignored (a pickup or touch of a lead it had not handed off, say), {} pickups by sellers it does not have applied as unnamed",
        i.seller_ignored, i.unnamed_pickups
    )
}

fn guardrail_lines(breaches: &[Breach]) -> String {
    (breaches.iter())
        .map(|b| format!("guardrail breached: {}: {}\n", b.guardrail, b.reason))
        .collect()
}

fn table(doc: &Against) -> String {
    let mut out = format!("{}\n\n{}", header(doc), columns(&kpi_rows(doc)));
    if !doc.differing.is_empty() {
        out.push('\n');
        out.push_str(&columns(&lead_rows(doc)));
    }
    if let Some(more) = more(doc) {
        out.push_str(&format!("{more}\n"));
    }
    out.push_str(&format!("\n{}\n{}\n", approximations(doc), doc.summary));
    out.push_str(&guardrail_lines(&doc.breaches));
    out
}

fn markdown(doc: &Against) -> String {
    let escape = |s: &str| s.replace('|', "\\|");
    let table = |rows: Vec<Vec<String>>, rule: &str| {
        let mut out = String::new();
        for (i, row) in rows.iter().enumerate() {
            let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
            if i == 0 {
                out.push_str(rule);
            }
        }
        out
    };
    let mut out = format!(
        "### handoff replay --against\n\n{}\n\n",
        escape(&header(doc))
    );
    out.push_str(&table(kpi_rows(doc), "|---|---:|---:|---:|\n"));
    if !doc.differing.is_empty() {
        out.push('\n');
        out.push_str(&table(lead_rows(doc), "|---|---|---|---|\n"));
    }
    if let Some(more) = more(doc) {
        out.push_str(&format!("\n{}\n", escape(&more)));
    }
    out.push_str(&format!(
        "\n{}\n\n**Summary:** {}\n",
        escape(&approximations(doc)),
        escape(&doc.summary)
    ));
    for b in &doc.breaches {
        out.push_str(&format!("- ❌ `{}`: {}\n", b.guardrail, escape(&b.reason)));
    }
    out
}

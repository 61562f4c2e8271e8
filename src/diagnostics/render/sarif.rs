//! SARIF 2.1.0 for code-scanning dashboards, declared as types so the parts of the standard we
//! emit are written down once.
//!
//! Fields are in the order `serde_json::Value` prints keys (byte order of their SARIF names), so
//! the document reads the same whether it is printed from these types or from a `Value`.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::Value;

use super::{primary_label, Location, Sources};
use crate::diagnostics::{Code, Diagnostic, Severity};

/// SARIF schema the `sarif` output declares, as GitHub code scanning expects.
const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The SARIF log: one run of `handoff`.
#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

/// The run: the tool with its rules, whether it completed, and its results.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    column_kind: &'static str,
    invocations: [Invocation<'a>; 1],
    results: Vec<SarifResult<'a>>,
    tool: Tool,
}

/// SARIF wraps the driver in a tool object to leave room for extensions.
#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

/// The tool itself, with one rule per registered code so dashboards can explain every result.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    /// Present only once Cargo.toml names a repository, because it must be a real address.
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    name: &'static str,
    rules: Vec<Rule>,
    version: &'static str,
}

/// One diagnostic code as a SARIF rule.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    default_configuration: Configuration,
    full_description: Text<'static>,
    id: &'static str,
    short_description: Text<'static>,
}

/// A rule's default severity.
#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

/// SARIF's message object: plain text only.
#[derive(Serialize)]
struct Text<'a> {
    text: Cow<'a, str>,
}

/// Whether the run completed, with one notification per failure that stopped it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification<'a>>,
}

/// A failure that stopped the run.
#[derive(Serialize)]
struct Notification<'a> {
    level: &'static str,
    message: Text<'a>,
}

/// One finding as a SARIF result.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    level: &'static str,
    locations: Vec<ResultLocation>,
    message: Text<'a>,
    /// The finding's other labels; left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation<'a>>,
    rule_id: &'static str,
    rule_index: Option<usize>,
}

/// A SARIF `location` wraps the file and region in a `physicalLocation`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: PhysicalLocation,
}

/// A label other than the primary one, numbered within its result.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation<'a> {
    id: usize,
    message: Text<'a>,
    physical_location: PhysicalLocation,
}

/// A file and a region of it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

/// A file, by URI.
#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

/// 1-based positions in Unicode code points (the run's `columnKind`), the end exclusive.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    end_column: usize,
    end_line: usize,
    start_column: usize,
    start_line: usize,
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
pub(super) fn sarif_uri(path: &str) -> String {
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

fn physical_location(loc: &Location<'_>) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: sarif_uri(loc.path),
        },
        region: Region {
            end_column: loc.end_column,
            end_line: loc.end_line,
            start_column: loc.column,
            start_line: loc.line,
        },
    }
}

/// SARIF 2.1.0 for code-scanning dashboards: one run, one rule per registered code.
pub fn sarif(diags: &[Diagnostic], sources: &Sources) -> Value {
    sarif_with_failures(diags, sources, &[])
}

/// Like [`sarif`], recording a run that could not complete as an unsuccessful invocation with
/// one tool notification per failure.
pub fn sarif_with_failures(diags: &[Diagnostic], sources: &Sources, failures: &[String]) -> Value {
    let rules = Code::ALL
        .iter()
        .map(|code| Rule {
            default_configuration: Configuration {
                level: sarif_level(code.severity()),
            },
            full_description: Text {
                text: Cow::Borrowed(code.explain()),
            },
            id: code.as_str(),
            short_description: Text {
                text: Cow::Borrowed(code.summary()),
            },
        })
        .collect();
    let notifications = failures
        .iter()
        .map(|f| Notification {
            level: "error",
            message: Text {
                text: Cow::Borrowed(f),
            },
        })
        .collect();
    let info_uri = env!("CARGO_PKG_REPOSITORY");
    let log = Log {
        schema: SARIF_SCHEMA,
        runs: [Run {
            column_kind: "unicodeCodePoints",
            invocations: [Invocation {
                execution_successful: failures.is_empty(),
                tool_execution_notifications: notifications,
            }],
            results: diags.iter().map(|d| sarif_result(d, sources)).collect(),
            tool: Tool {
                driver: Driver {
                    information_uri: (!info_uri.is_empty()).then_some(info_uri),
                    name: "handoff",
                    rules,
                    version: env!("CARGO_PKG_VERSION"),
                },
            },
        }],
        version: "2.1.0",
    };
    // Serialising these types cannot fail: they hold no maps, so every key is a field name.
    serde_json::to_value(log).unwrap_or_default()
}

fn sarif_result<'a>(diag: &'a Diagnostic, sources: &'a Sources) -> SarifResult<'a> {
    let mut text = diag.message.clone();
    if let Some(help) = &diag.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let primary = primary_label(diag);
    let locations = primary
        .and_then(|l| sources.locate(l.span))
        .map(|loc| ResultLocation {
            physical_location: physical_location(&loc),
        })
        .into_iter()
        .collect();
    let related_locations = diag
        .labels
        .iter()
        .filter(|l| !primary.is_some_and(|p| std::ptr::eq(p, *l)))
        .filter_map(|l| {
            let loc = sources.locate(l.span)?;
            Some((l, loc))
        })
        .enumerate()
        .map(|(id, (l, loc))| RelatedLocation {
            id,
            message: Text {
                text: Cow::Borrowed(&l.message),
            },
            physical_location: physical_location(&loc),
        })
        .collect();
    SarifResult {
        level: sarif_level(diag.severity()),
        locations,
        message: Text {
            text: Cow::Owned(text),
        },
        related_locations,
        rule_id: diag.code.as_str(),
        rule_index: Code::ALL.iter().position(|c| *c == diag.code),
    }
}

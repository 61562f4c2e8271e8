//! `handoff version [--format json]`: what a bug report or a CI log needs to know about the
//! binary: its version, the commit it was built from, and the versions of its JSON outputs.

use super::{finish, Exit};

/// Print the version, the commit built from and the output format versions.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value_t, value_name = "FORMAT")]
    pub format: VersionFormat,
}

/// Output formats of `version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum VersionFormat {
    /// One line for people, then the format versions
    #[default]
    Text,
    /// A JSON object for scripts (`docs/json-output.md`)
    Json,
}

/// The commit the binary was built from (12 hex digits), or `unknown` outside a git checkout.
const COMMIT: &str = match option_env!("HANDOFF_GIT_COMMIT") {
    Some(commit) => commit,
    None => "unknown",
};

/// The `format_version` of each JSON output, by the command and format that writes it, so a
/// script can tell whether it understands this binary's output before reading it.
fn output_formats() -> [(&'static str, u32); 6] {
    [
        (
            "check --format json",
            crate::diagnostics::render::JSON_FORMAT_VERSION,
        ),
        ("compile --emit ir", crate::emit::IR_FORMAT_VERSION),
        (
            "simulate --format json",
            crate::sim::summary::FORMAT_VERSION,
        ),
        ("compare --format json", super::compare::FORMAT_VERSION),
        ("sweep --format json", super::sweep::FORMAT_VERSION),
        ("test --format json", super::test::FORMAT_VERSION),
    ]
}

/// Prints the version in the chosen format.
pub fn run(args: &Args) -> Exit {
    let version = env!("CARGO_PKG_VERSION");
    let text = match args.format {
        VersionFormat::Text => {
            let mut text = format!("handoff {version} (commit {COMMIT})\n");
            for (output, format) in output_formats() {
                text.push_str(&format!("{output}: format_version {format}\n"));
            }
            text
        }
        VersionFormat::Json => {
            let formats: Vec<serde_json::Value> = output_formats()
                .iter()
                .map(|(output, format)| {
                    serde_json::json!({ "output": output, "format_version": format })
                })
                .collect();
            let doc = serde_json::json!({
                "name": "handoff",
                "version": version,
                "commit": COMMIT,
                "output_formats": formats,
            });
            // A `Value` always serialises.
            let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            text.push('\n');
            text
        }
    };
    finish(text.as_bytes(), Exit::Ok)
}

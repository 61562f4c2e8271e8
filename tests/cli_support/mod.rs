//! The `handoff` binary as the CLI tests run it: never coloured, with a fixed terminal width so
//! wrapped help text is the same on every machine.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::process::Output;

/// A `handoff` command ready for arguments.
pub fn handoff() -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("handoff");
    cmd.env("NO_COLOR", "1").env("COLUMNS", "100");
    cmd
}

/// Runs `handoff ARGS` in `cwd` and returns what it printed and its status.
pub fn run(args: &[&str], cwd: &Path) -> Output {
    handoff().args(args).current_dir(cwd).output().unwrap()
}

/// Standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// A JSON file an `--out` directory holds, parsed.
pub fn json_file(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

//! Records the git commit the binary is built from, for `handoff version`: `HANDOFF_GIT_COMMIT`
//! is set when `git` and a repository are there, and left unset otherwise (a build from a
//! source archive), so the build never depends on git.

use std::path::Path;
use std::process::Command;

fn main() {
    if let Some(commit) = git(&["rev-parse", "--short=12", "HEAD"]) {
        println!("cargo:rustc-env=HANDOFF_GIT_COMMIT={commit}");
    }
    // A new commit moves HEAD or the branch it points to; both are logged in `logs/HEAD`.
    // Only existing files are watched: a missing one would rerun this script on every build.
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        for file in ["HEAD", "logs/HEAD"] {
            let path = Path::new(&dir).join(file);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}

/// The trimmed output of a git command, or `None` when git is missing or fails.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

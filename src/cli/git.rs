//! Reading a playbook as it is at a git revision, for `compare --base REF`: a pull request is
//! judged against main without checking main out.

use super::CliError;
use std::path::Path;
use std::process::Command;

/// The text of `path` at revision `rev` (`git show REV:PATH`, with PATH taken relative to the
/// repository root so it works from any directory).
pub fn show(rev: &str, path: &Path) -> Result<String, CliError> {
    // An empty revision would make `git show :PATH`, the staged text, and say nothing.
    if rev.trim().is_empty() {
        return Err(CliError::new(
            "`--base` needs a git revision, such as `main` or `HEAD~1`",
        ));
    }
    if rev.starts_with('-') || rev.contains(':') {
        return Err(CliError::new(format!("`{rev}` is not a git revision")));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file = path
        .file_name()
        .ok_or_else(|| CliError::new(format!("`{}` is not a file", path.display())))?;
    let prefix = git(dir, &["rev-parse", "--show-prefix"])?;
    let spec = format!("{rev}:{}{}", prefix.trim(), file.to_string_lossy());
    git(dir, &["show", &spec])
}

fn git(dir: &Path, args: &[&str]) -> Result<String, CliError> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| CliError::new(format!("could not run `git`: {e}")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(CliError::new(format!(
            "`git {}` failed: {}",
            args.join(" "),
            stderr.trim()
        )));
    }
    String::from_utf8(out.stdout).map_err(|_| {
        CliError::new(format!(
            "`git {}` printed text that is not UTF-8",
            args.join(" ")
        ))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// A throwaway repository with one committed file, changed afterwards in the work tree.
    fn repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            let ok = Command::new("git")
                .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
                .args(args)
                .current_dir(dir.path())
                .output()
                .unwrap()
                .status
                .success();
            assert!(ok, "git {args:?}");
        };
        run(&["init", "-q"]);
        std::fs::create_dir(dir.path().join("pb")).unwrap();
        std::fs::write(dir.path().join("pb/a.playbook"), "committed").unwrap();
        run(&["add", "."]);
        run(&["commit", "-q", "-m", "one"]);
        std::fs::write(dir.path().join("pb/a.playbook"), "edited").unwrap();
        dir
    }

    #[test]
    fn reads_the_committed_text_not_the_work_tree() {
        let dir = repo();
        let text = show("HEAD", &dir.path().join("pb/a.playbook")).unwrap();
        assert_eq!(text, "committed");
    }

    #[test]
    fn refuses_odd_revisions_and_reports_git_errors() {
        let dir = repo();
        let path = dir.path().join("pb/a.playbook");
        assert!(show("--output=x", &path).is_err());
        assert!(show("HEAD:x", &path).is_err());
        for empty in ["", " "] {
            let e = show(empty, &path).unwrap_err();
            assert!(
                e.message().starts_with("`--base` needs a git revision"),
                "{e}"
            );
        }
        let e = show("no-such-revision", &path).unwrap_err();
        assert!(e.message().contains("failed"), "{e}");
    }
}

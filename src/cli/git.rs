//! Reading a playbook as it is at a git revision, for `compare --base REF`: a pull request is
//! judged against main without checking main out.

use super::CliError;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What a playbook of the work tree was at a base revision, for `compare --base`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// The playbook at the revision, under its path there (the old path when it was renamed).
    At {
        /// The path at the revision, relative to the repository root.
        path: String,
        /// Its text at the revision.
        text: String,
    },
    /// The playbook is not at the revision under its name or an earlier one: it is new.
    New,
}

/// Finds `path` at revision `rev`: under the same path, or under the path it had before a
/// rename (git's rename detection between `rev` and the work tree), or not at all when the
/// playbook was added since, so a pull request that adds or renames a playbook can be compared.
pub fn base(rev: &str, path: &Path) -> Result<Base, CliError> {
    check_revision(rev)?;
    let (dir, in_repo) = repository_path(path)?;
    if succeeds(&dir, &["cat-file", "-e", &format!("{rev}:{in_repo}")])? {
        let text = git(&dir, &["show", &format!("{rev}:{in_repo}")])?;
        return Ok(Base::At {
            path: in_repo,
            text,
        });
    }
    git(
        &dir,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|_| CliError::new(format!("`{rev}` is not a git revision of this repository")))?;
    match renamed_from(&dir, rev, &in_repo)? {
        Some(old) => {
            let text = git(&dir, &["show", &format!("{rev}:{old}")])?;
            Ok(Base::At { path: old, text })
        }
        None => Ok(Base::New),
    }
}

/// Refuses revisions that would make `git show` do something else.
fn check_revision(rev: &str) -> Result<(), CliError> {
    // An empty revision would make `git show :PATH`, the staged text, and say nothing.
    if rev.trim().is_empty() {
        return Err(CliError::new(
            "`--base` needs a git revision, such as `main` or `HEAD~1`",
        ));
    }
    if rev.starts_with('-') || rev.contains(':') {
        return Err(CliError::new(format!("`{rev}` is not a git revision")));
    }
    Ok(())
}

/// The directory to run git in (the file's) and the file's path from the repository root.
fn repository_path(path: &Path) -> Result<(PathBuf, String), CliError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file = path
        .file_name()
        .ok_or_else(|| CliError::new(format!("`{}` is not a file", path.display())))?;
    let prefix = git(dir, &["rev-parse", "--show-prefix"])?;
    Ok((
        dir.to_path_buf(),
        format!("{}{}", prefix.trim(), file.to_string_lossy()),
    ))
}

/// The path `in_repo` had at `rev` when git sees it as renamed since (`git diff -M`), comparing
/// `rev` with the work tree.
fn renamed_from(dir: &Path, rev: &str, in_repo: &str) -> Result<Option<String>, CliError> {
    let listing = git(dir, &["diff", "--name-status", "-M", "-z", rev, "--"])?;
    // `-z` gives `STATUS NUL PATH NUL` records, with two paths for a rename (`R090`).
    let mut fields = listing.split('\0');
    while let Some(status) = fields.next() {
        let paths = if status.starts_with('R') || status.starts_with('C') {
            2
        } else {
            1
        };
        let (Some(old), new) = (fields.next(), (paths == 2).then(|| fields.next()).flatten())
        else {
            break;
        };
        if status.starts_with('R') && new == Some(in_repo) {
            return Ok(Some(old.to_string()));
        }
    }
    Ok(None)
}

/// Whether a git command succeeds; an error only when git cannot run at all.
fn succeeds(dir: &Path, args: &[&str]) -> Result<bool, CliError> {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .map_err(|e| CliError::new(format!("could not run `git`: {e}")))
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

    fn at(path: &str, text: &str) -> Base {
        Base::At {
            path: path.into(),
            text: text.into(),
        }
    }

    #[test]
    fn reads_the_committed_text_not_the_work_tree() {
        let dir = repo();
        let found = base("HEAD", &dir.path().join("pb/a.playbook")).unwrap();
        assert_eq!(found, at("pb/a.playbook", "committed"));
    }

    #[test]
    fn a_new_playbook_has_no_base_and_a_renamed_one_is_followed() {
        let dir = repo();
        let git = |args: &[&str]| {
            assert!(Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .status()
                .unwrap()
                .success());
        };
        std::fs::write(dir.path().join("pb/new.playbook"), "added").unwrap();
        git(&["add", "pb/new.playbook"]);
        let new = base("HEAD", &dir.path().join("pb/new.playbook")).unwrap();
        assert_eq!(new, Base::New);
        std::fs::write(dir.path().join("pb/a.playbook"), "committed").unwrap();
        git(&["mv", "pb/a.playbook", "pb/renamed.playbook"]);
        let renamed = base("HEAD", &dir.path().join("pb/renamed.playbook")).unwrap();
        assert_eq!(renamed, at("pb/a.playbook", "committed"));
    }

    #[test]
    fn refuses_odd_revisions_and_reports_git_errors() {
        let dir = repo();
        let path = dir.path().join("pb/a.playbook");
        assert!(base("--output=x", &path).is_err());
        assert!(base("HEAD:x", &path).is_err());
        for empty in ["", " "] {
            let e = base(empty, &path).unwrap_err();
            assert!(
                e.message().starts_with("`--base` needs a git revision"),
                "{e}"
            );
        }
        let e = base("no-such-revision", &path).unwrap_err();
        assert_eq!(
            e.message(),
            "`no-such-revision` is not a git revision of this repository"
        );
    }
}

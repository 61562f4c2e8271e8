//! The `--out DIR` report of `simulate`, `compare` and `sweep`, replaced as a whole.
//!
//! A report is a set of files that belong together (the page embeds the charts, the CSV and the
//! JSON are the same run), so a reader must find one run's set, never a mix of two. The set is
//! written into a fresh hidden directory next to DIR and swapped in by renames once complete: a
//! failure half-way (a full disk) removes the fresh directory and leaves the old report as it was.
//! DIR is only replaced when it holds nothing but report files, so files that are not ours are
//! never deleted.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::files::{describe_io, display_path};
use super::{write_stderr, CliError};

/// A report being written: files go into a fresh directory, and messages name them as they will
/// be named once the report is in place.
pub struct Staging {
    fresh: PathBuf,
    shown: PathBuf,
}

impl Staging {
    /// Writes one file of the report, flushed to disk so that the swap publishes complete files.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), CliError> {
        let written = fs::File::create(self.fresh.join(name))
            .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()));
        written.map_err(|e| {
            CliError::new(format!(
                "cannot write `{}`: {}",
                display_path(&self.shown.join(name)),
                describe_io(&e)
            ))
        })
    }
}

/// Writes a report with `fill` and puts it in place of `dir`, whose old report (if any) goes as a
/// whole; on failure nothing in `dir` changes and no temporary directory is left.
pub fn replace(
    dir: &Path,
    fill: impl FnOnce(&Staging) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let target = target(dir)?;
    let old = existing_report(dir, &target)?;
    let (parent, name) = split(dir, &target)?;
    let fresh = reserve(parent, name, "new", |p| fs::create_dir(p)).map_err(|e| {
        CliError::new(format!(
            "cannot create a directory next to `{}`: {}",
            display_path(dir),
            describe_io(&e)
        ))
    })?;
    let staging = Staging {
        fresh: fresh.clone(),
        shown: dir.to_path_buf(),
    };
    let done = fill(&staging).and_then(|()| swap(dir, &target, &fresh, old, parent, name));
    if done.is_err() {
        // Ours and incomplete; if removing it fails too, the first error is the one to report.
        let _ = fs::remove_dir_all(&fresh);
    }
    done
}

/// Checks that `dir` could take a report, creating nothing, so that a command refuses a bad
/// `--out` before it spends minutes simulating.
pub fn check(dir: &Path) -> Result<(), CliError> {
    if dir.as_os_str().is_empty() {
        return Err(CliError::new("`--out` needs a directory name"));
    }
    match fs::canonicalize(dir) {
        Ok(real) => existing_report(dir, &real).map(drop),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CliError::new(format!(
            "cannot write the report into `{}`: {}",
            display_path(dir),
            describe_io(&e)
        ))),
    }
}

/// DIR as a real path: an existing directory with its symlinks resolved (a symlinked DIR keeps
/// its link and gets a new target), or a path to create, its parents made now.
fn target(dir: &Path) -> Result<PathBuf, CliError> {
    if dir.as_os_str().is_empty() {
        return Err(CliError::new("`--out` needs a directory name"));
    }
    let failed = |e: &io::Error| {
        CliError::new(format!(
            "cannot write the report into `{}`: {}",
            display_path(dir),
            describe_io(e)
        ))
    };
    match fs::canonicalize(dir) {
        Ok(real) => Ok(real),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let parent = dir
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            fs::create_dir_all(parent).map_err(|e| failed(&e))?;
            let name = dir.file_name().ok_or_else(|| failed(&e))?;
            Ok(fs::canonicalize(parent).map_err(|e| failed(&e))?.join(name))
        }
        Err(e) => Err(failed(&e)),
    }
}

/// Whether `target` already holds a report to replace, refusing anything that is not one: a
/// file, a directory with files that are not ours, or the current directory.
fn existing_report(dir: &Path, target: &Path) -> Result<Option<fs::Permissions>, CliError> {
    let refuse = |why: String| {
        CliError::new(format!(
            "cannot write the report into `{}`: {why}",
            display_path(dir)
        ))
    };
    let meta = match fs::metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(refuse(describe_io(&e))),
    };
    if !meta.is_dir() {
        return Err(refuse("not a directory".to_string()));
    }
    // Swapping the directory a shell stands in would leave the shell in a deleted one.
    if std::env::current_dir().is_ok_and(|cwd| cwd.starts_with(target)) {
        return Err(refuse(
            "it holds the current directory; name it from outside".to_string(),
        ));
    }
    let entries = fs::read_dir(target).map_err(|e| refuse(describe_io(&e)))?;
    for entry in entries {
        let entry = entry.map_err(|e| refuse(describe_io(&e)))?;
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if !is_file || !is_report_file(&entry.file_name()) {
            return Err(refuse(format!(
                "it holds `{}`, which is not part of a handoff report; name a new or empty directory",
                entry.file_name().to_string_lossy()
            )));
        }
    }
    Ok(Some(meta.permissions()))
}

/// The files a report may hold: the ones `simulate`, `compare` and `sweep` write, and the
/// temporary files an interrupted run of an older version left (`.NAME.PID.N.tmp`).
fn is_report_file(name: &OsStr) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    matches!(name, "summary.json" | "kpis.csv" | "report.html")
        || (name.ends_with(".svg") && !name.starts_with('.'))
        || (name.starts_with('.') && name.ends_with(".tmp"))
}

/// The parent directory and the name of `target`.
fn split<'a>(dir: &Path, target: &'a Path) -> Result<(&'a Path, &'a OsStr), CliError> {
    match (target.parent(), target.file_name()) {
        (Some(parent), Some(name)) => Ok((parent, name)),
        _ => Err(CliError::new(format!(
            "cannot write the report into `{}`: it has no parent directory",
            display_path(dir)
        ))),
    }
}

/// Claims `.NAME.PID.N.KIND` in `parent` with `claim`, trying further `N` while a stale one is in
/// the way.
fn reserve(
    parent: &Path,
    name: &OsStr,
    kind: &str,
    claim: impl Fn(&Path) -> io::Result<()>,
) -> io::Result<PathBuf> {
    let pid = std::process::id();
    let mut attempt = 0u32;
    loop {
        let mut hidden = OsString::from(".");
        hidden.push(name);
        hidden.push(format!(".{pid}.{attempt}.{kind}"));
        let path = parent.join(hidden);
        match claim(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

/// Puts `fresh` in place of `target`: with no old report one rename; otherwise the old directory
/// is renamed aside, the fresh one into place, and the old one removed, moving the old one back
/// if the second rename fails.
fn swap(
    dir: &Path,
    target: &Path,
    fresh: &Path,
    old: Option<fs::Permissions>,
    parent: &Path,
    name: &OsStr,
) -> Result<(), CliError> {
    let failed = |e: &io::Error| {
        CliError::new(format!(
            "cannot replace `{}`: {}",
            display_path(dir),
            describe_io(e)
        ))
    };
    let Some(permissions) = old else {
        return fs::rename(fresh, target).map_err(|e| failed(&e));
    };
    // The new report keeps who may read the old one.
    fs::set_permissions(fresh, permissions).map_err(|e| failed(&e))?;
    let aside = reserve(parent, name, "old", |p| match fs::symlink_metadata(p) {
        Ok(_) => Err(io::ErrorKind::AlreadyExists.into()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    })
    .map_err(|e| failed(&e))?;
    fs::rename(target, &aside).map_err(|e| failed(&e))?;
    if let Err(e) = fs::rename(fresh, target) {
        let _ = fs::rename(&aside, target);
        return Err(failed(&e));
    }
    if let Err(e) = fs::remove_dir_all(&aside) {
        write_stderr(&format!(
            "warning: the previous report is left in `{}`: {}\n",
            display_path(&aside),
            describe_io(&e)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn fill_with(files: &'static [&'static str]) -> impl FnOnce(&Staging) -> Result<(), CliError> {
        move |out| files.iter().try_for_each(|f| out.write(f, f.as_bytes()))
    }

    #[test]
    fn check_refuses_a_file_and_creates_nothing() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("taken");
        fs::write(&file, "x").unwrap();
        let e = check(&file).unwrap_err();
        assert!(e.message().ends_with("not a directory"), "{e}");
        let missing = root.path().join("a/b");
        check(&missing).unwrap();
        assert!(!root.path().join("a").exists());
    }

    #[test]
    fn creates_a_missing_directory_and_its_parents() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b/out");
        replace(&dir, fill_with(&["summary.json"])).unwrap();
        assert_eq!(names(&dir), ["summary.json"]);
        assert_eq!(names(&tmp.path().join("a/b")), ["out"]);
    }

    #[test]
    fn a_new_report_replaces_the_old_set_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        replace(&dir, fill_with(&["summary.json", "compare.svg"])).unwrap();
        replace(&dir, fill_with(&["summary.json", "funnel.svg"])).unwrap();
        assert_eq!(names(&dir), ["funnel.svg", "summary.json"]);
        assert_eq!(names(tmp.path()), ["out"]);
    }

    #[test]
    fn a_failed_fill_leaves_the_old_report_and_no_temporary_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        replace(&dir, fill_with(&["summary.json"])).unwrap();
        let err = replace(&dir, |out| {
            out.write("summary.json", b"new")?;
            out.write("no/such/chart.svg", b"x")
        })
        .unwrap_err();
        assert!(
            err.message().starts_with("cannot write `")
                && err.message().ends_with("out/no/such/chart.svg`: not found"),
            "{err}"
        );
        assert_eq!(
            fs::read_to_string(dir.join("summary.json")).unwrap(),
            "summary.json"
        );
        assert_eq!(names(tmp.path()), ["out"]);
    }

    #[test]
    fn refuses_directories_that_are_not_a_report() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("notes.txt"), "mine").unwrap();
        let err = replace(&dir, fill_with(&["summary.json"])).unwrap_err();
        assert!(
            err.message().ends_with(
                "it holds `notes.txt`, which is not part of a handoff report; name a new or empty directory"
            ),
            "{err}"
        );
        assert_eq!(names(&dir), ["notes.txt"]);
        let file = tmp.path().join("file");
        fs::write(&file, "").unwrap();
        let err = replace(&file, fill_with(&["summary.json"])).unwrap_err();
        assert!(err.message().ends_with("file`: not a directory"), "{err}");
        let err = replace(Path::new(""), fill_with(&[])).unwrap_err();
        assert_eq!(err.message(), "`--out` needs a directory name");
        assert_eq!(names(tmp.path()), ["file", "out"]);
    }

    #[test]
    fn an_empty_directory_is_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        fs::create_dir(&dir).unwrap();
        replace(&dir, fill_with(&["report.html"])).unwrap();
        assert_eq!(names(&dir), ["report.html"]);
        assert_eq!(names(tmp.path()), ["out"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_directory_keeps_its_link() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real");
        replace(&real, fill_with(&["summary.json", "compare.svg"])).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink("real", &link).unwrap();
        replace(&link, fill_with(&["summary.json"])).unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(names(&real), ["summary.json"]);
        assert_eq!(names(tmp.path()), ["link", "real"]);
    }
}

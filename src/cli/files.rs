//! Finding and reading playbooks on disk, with messages that say which path failed and why.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use super::CliError;
use crate::config::Glob;

/// The extension that marks a playbook when walking directories.
const PLAYBOOK_EXTENSION: &str = "playbook";

/// Directories no walk enters: build output and installed packages hold copies, not sources.
const SKIPPED_DIRECTORIES: &[&str] = &["target", "node_modules"];

/// What a directory walk skips beyond hidden directories and [`SKIPPED_DIRECTORIES`]: the
/// `exclude` patterns of `handoff.toml`, matched from its directory.
#[derive(Debug, Clone, Default)]
pub struct Exclusions {
    root: PathBuf,
    globs: Vec<Glob>,
}

impl Exclusions {
    /// Patterns whose paths start at `root` (an absolute, canonical directory).
    pub fn new(root: PathBuf, globs: Vec<Glob>) -> Self {
        Exclusions { root, globs }
    }

    /// Whether the entry at `path` (canonical) is excluded.
    fn excludes(&self, path: &Path) -> bool {
        if self.globs.is_empty() {
            return false;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let relative = path.strip_prefix(&self.root).ok().map(|r| {
            r.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        });
        self.globs
            .iter()
            .any(|g| g.matches(relative.as_deref().unwrap_or(""), &name))
    }
}

/// Expands the paths named on the command line into the playbooks to process.
///
/// Files are taken as given, whatever their extension, because naming a file is explicit.
/// Directories are walked recursively for `*.playbook` files in sorted order, so output is
/// deterministic; hidden directories (such as `.git`), `target` and `node_modules` are skipped
/// and symlinked directories are not followed, so a symlink loop cannot trap the walk.
/// A file named twice is processed once.
pub fn collect_playbooks(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    collect_playbooks_excluding(paths, &Exclusions::default())
}

/// [`collect_playbooks`], also skipping what `exclusions` names while walking (a file or
/// directory named on the command line is still taken, as ruff does).
pub fn collect_playbooks_excluding(
    paths: &[PathBuf],
    exclusions: &Exclusions,
) -> Result<Vec<PathBuf>, CliError> {
    let mut found = Vec::new();
    for path in paths {
        let meta = fs::metadata(path).map_err(|e| io_error(path, &e))?;
        if meta.is_dir() {
            found.extend(walk(path, exclusions)?);
        } else {
            found.push(path.clone());
        }
    }
    if found.is_empty() {
        let named: Vec<String> = paths
            .iter()
            .map(|p| format!("`{}`", display_path(p)))
            .collect();
        return Err(CliError::new(format!(
            "no playbooks found in {}",
            named.join(", ")
        )));
    }
    let mut seen = HashSet::new();
    found.retain(|p| seen.insert(p.clone()));
    Ok(found)
}

/// Collects the playbooks under `root`, sorted, without recursion so depth cannot overflow the
/// stack.
fn walk(root: &Path, exclusions: &Exclusions) -> Result<Vec<PathBuf>, CliError> {
    let mut found = Vec::new();
    // Exclusion patterns are matched on canonical paths, resolved once for the whole walk.
    let base = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| io_error(&dir, &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_error(&dir, &e))?;
            let path = entry.path();
            let canonical = path
                .strip_prefix(root)
                .map_or_else(|_| path.clone(), |rest| base.join(rest));
            if exclusions.excludes(&canonical) {
                continue;
            }
            let file_type = entry.file_type().map_err(|e| io_error(&path, &e))?;
            if file_type.is_dir() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !name.starts_with('.') && !SKIPPED_DIRECTORIES.contains(&name.as_str()) {
                    pending.push(path);
                }
            } else if is_playbook(&path) && !(file_type.is_symlink() && path.is_dir()) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Playbooks, and test files (which name the playbook they test).
fn is_playbook(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext == PLAYBOOK_EXTENSION || ext == crate::check::TEST_FILE_EXTENSION)
}

/// Reads a playbook as UTF-8 text.
///
/// Invalid UTF-8 gets its own message with the offset of the first bad byte, because "stream
/// did not contain valid UTF-8" does not help anyone find the byte.
pub fn read_source(path: &Path) -> Result<String, CliError> {
    let bytes = fs::read(path).map_err(|e| io_error(path, &e))?;
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes
            .get(..offset)
            .map_or(1, |b| line_ends(b) + 1);
        let byte = bytes.get(offset).copied().unwrap_or_default();
        CliError::new(format!(
            "`{}` is not valid UTF-8: invalid byte 0x{byte:02x} at byte offset {offset} (line {line})",
            display_path(path)
        ))
    })
}

/// How many lines end in `bytes`: LF, CRLF and a lone CR each end one, as in the parser.
fn line_ends(bytes: &[u8]) -> usize {
    let lone_cr = bytes
        .windows(2)
        .filter(|w| w.first() == Some(&b'\r') && w.get(1) != Some(&b'\n'))
        .count()
        + usize::from(bytes.last() == Some(&b'\r'));
    bytes.iter().filter(|&&c| c == b'\n').count() + lone_cr
}

/// The path as users should see it: relative to the current directory when it lies under it,
/// without `./` noise, otherwise as given.
pub fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let cleaned: PathBuf = relative
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    if cleaned.as_os_str().is_empty() {
        ".".to_string()
    } else {
        cleaned.display().to_string()
    }
}

/// Replaces the contents of `path` with `bytes`, atomically where that keeps the file's links.
///
/// The bytes go to a new temporary file in the same directory, are flushed to disk, and the file
/// is renamed over `path` (keeping its permissions). Readers, and a run killed half-way, see the
/// old file or the new one, never a truncated mix; on failure the temporary file is removed and
/// `path` is untouched.
/// A symlink is written through: its target is replaced and the link stays a link.
/// A file with more than one hard link is rewritten in place, because a rename would leave the
/// other names with the old text; so is a device or a pipe (`-o /dev/stdout`), which a rename
/// would replace with a regular file. Those writes are not atomic.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let failed = |e: &io::Error| {
        CliError::new(format!(
            "cannot write `{}`: {}",
            display_path(path),
            describe_io(e)
        ))
    };
    let target = through_symlink(path);
    if must_write_in_place(&target) {
        return write_in_place(&target, bytes).map_err(|e| failed(&e));
    }
    let name = target.file_name().ok_or_else(|| {
        CliError::new(format!(
            "cannot write `{}`: not a file name",
            display_path(path)
        ))
    })?;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let (temp, mut file) = create_temp(dir, name).map_err(|e| failed(&e))?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| match fs::metadata(&target) {
            // Reformatting must not change who may read or run the file.
            Ok(meta) => fs::set_permissions(&temp, meta.permissions()),
            Err(_) => Ok(()),
        })
        .and_then(|()| {
            drop(file);
            fs::rename(&temp, &target)
        });
    written.map_err(|e| {
        // The temporary file is ours and useless now; if removing it fails too, the original
        // error is the one worth reporting.
        let _ = fs::remove_file(&temp);
        failed(&e)
    })
}

/// The file a symlink at `path` points to (fully resolved), or `path` itself when it is not a
/// symlink or its target cannot be resolved.
fn through_symlink(path: &Path) -> PathBuf {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// Whether `path` is something a rename must not replace: a device, a pipe or a socket, or a
/// regular file with other names (hard links) that would keep the old text.
fn must_write_in_place(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| {
        let special = !m.is_file() && !m.is_dir();
        special || (m.is_file() && has_other_links(&m))
    })
}

#[cfg(unix)]
fn has_other_links(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.nlink() > 1
}

/// Elsewhere link counts are not read, and files are always replaced by rename.
#[cfg(not(unix))]
fn has_other_links(_meta: &fs::Metadata) -> bool {
    false
}

/// Overwrites the file at `path`, keeping its inode and so every name it has.
fn write_in_place(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)?;
    file.write_all(bytes)?;
    // Only a regular file has contents on disk to flush; a pipe refuses to.
    if file.metadata()?.is_file() {
        file.sync_all()?;
    }
    Ok(())
}

/// Creates `.NAME.PID.N.tmp` next to the target, trying further `N` if a stale one exists.
fn create_temp(dir: &Path, name: &std::ffi::OsStr) -> io::Result<(PathBuf, fs::File)> {
    let pid = std::process::id();
    let mut attempt = 0u32;
    loop {
        let mut temp_name = OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{pid}.{attempt}.tmp"));
        let temp = dir.join(temp_name);
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

fn io_error(path: &Path, err: &io::Error) -> CliError {
    let shown = display_path(path);
    if err.kind() == io::ErrorKind::NotFound {
        CliError::new(format!("`{shown}` does not exist"))
    } else {
        CliError::new(format!("cannot read `{shown}`: {}", describe_io(err)))
    }
}

/// An I/O error in the house style: lowercase, without the `(os error N)` suffix.
pub fn describe_io(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "not found".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::IsADirectory => "is a directory".to_string(),
        _ => {
            let text = err.to_string();
            let text = text
                .find(" (os error")
                .and_then(|i| text.get(..i))
                .unwrap_or(&text);
            let mut chars = text.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_lowercase().chain(chars).collect()
            })
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn invalid_utf8_is_located_on_the_line_any_line_end_gives() {
        assert_eq!(line_ends(b"a\nb\r\nc\rd\r"), 4);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.playbook");
        fs::write(&path, b"a\rb\r\xff").unwrap();
        let err = read_source(&path).unwrap_err();
        assert!(err.to_string().contains("(line 3)"), "{err}");
    }

    #[test]
    fn walks_directories_sorted_and_takes_named_files_as_given() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("b/nested")).unwrap();
        fs::create_dir_all(root.join(".git")).unwrap();
        fs::write(root.join("b/nested/z.playbook"), "").unwrap();
        fs::write(root.join("b/a.playbook"), "").unwrap();
        fs::write(root.join("a.playbook"), "").unwrap();
        fs::write(root.join("notes.txt"), "").unwrap();
        fs::write(root.join(".git/x.playbook"), "").unwrap();
        let found = collect_playbooks(&[root.to_path_buf(), root.join("notes.txt")]).unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        let expected: Vec<PathBuf> = [
            "a.playbook",
            "b/a.playbook",
            "b/nested/z.playbook",
            "notes.txt",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(names, expected);
    }

    #[test]
    fn build_output_and_installed_packages_are_not_walked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for sub in ["target/debug", "node_modules/x", "books"] {
            fs::create_dir_all(root.join(sub)).unwrap();
            fs::write(root.join(sub).join("a.playbook"), "").unwrap();
        }
        let found = collect_playbooks(&[root.to_path_buf()]).unwrap();
        assert_eq!(found, vec![root.join("books/a.playbook")]);
    }

    #[test]
    fn excluded_paths_are_skipped_but_named_files_are_taken() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        for sub in ["legacy", "books/old", "books"] {
            fs::create_dir_all(root.join(sub)).unwrap();
            fs::write(root.join(sub).join("a.playbook"), "").unwrap();
        }
        fs::write(root.join("books/b.draft.playbook"), "").unwrap();
        let globs = ["legacy", "books/old", "*.draft.playbook"].map(Glob::new);
        let exclusions = Exclusions::new(root.clone(), globs.to_vec());
        let named = root.join("legacy/a.playbook");
        let found =
            collect_playbooks_excluding(&[root.clone(), named.clone()], &exclusions).unwrap();
        assert_eq!(found, vec![root.join("books/a.playbook"), named]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_directories_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("a.playbook"), "").unwrap();
        std::os::unix::fs::symlink(root, root.join("loop")).unwrap();
        let found = collect_playbooks(&[root.to_path_buf()]).unwrap();
        assert_eq!(found, vec![root.join("a.playbook")]);
    }

    #[test]
    fn a_file_named_twice_is_processed_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.playbook");
        fs::write(&file, "").unwrap();
        let found = collect_playbooks(&[file.clone(), dir.path().to_path_buf()]).unwrap();
        assert_eq!(found, vec![file]);
    }

    #[test]
    fn missing_paths_and_empty_directories_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = collect_playbooks(&[dir.path().join("nope")]).unwrap_err();
        assert!(
            missing.message().ends_with("nope` does not exist"),
            "{missing}"
        );
        let empty = collect_playbooks(&[dir.path().to_path_buf()]).unwrap_err();
        assert!(
            empty.message().starts_with("no playbooks found in `"),
            "{empty}"
        );
    }

    #[test]
    fn invalid_utf8_names_the_offset_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.playbook");
        fs::write(&file, b"ok\nab\xffcd").unwrap();
        let err = read_source(&file).unwrap_err();
        assert!(
            err.message()
                .ends_with("is not valid UTF-8: invalid byte 0xff at byte offset 5 (line 2)"),
            "{err}"
        );
    }

    #[test]
    fn display_paths_drop_the_current_directory() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            display_path(&cwd.join("x").join("a.playbook")),
            format!("x{}a.playbook", std::path::MAIN_SEPARATOR)
        );
        assert_eq!(display_path(Path::new("./a.playbook")), "a.playbook");
        assert_eq!(display_path(Path::new(".")), ".");
    }

    #[test]
    fn atomic_writes_replace_the_file_and_leave_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.dot");
        fs::write(&out, "old").unwrap();
        write_atomically(&out, b"new").unwrap();
        assert_eq!(fs::read_to_string(&out).unwrap(), "new");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.dot")]);
    }

    #[test]
    fn failed_atomic_writes_say_why_and_clean_up() {
        let dir = tempfile::tempdir().unwrap();
        let missing = write_atomically(&dir.path().join("no/such/out.dot"), b"x").unwrap_err();
        assert!(
            missing.message().ends_with("out.dot`: not found"),
            "{missing}"
        );
        fs::create_dir(dir.path().join("taken")).unwrap();
        let taken = write_atomically(&dir.path().join("taken"), b"x").unwrap_err();
        assert!(taken.message().starts_with("cannot write `"), "{taken}");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("taken")]);
    }

    #[test]
    fn io_errors_are_lowercase_without_os_codes() {
        let err = io::Error::from_raw_os_error(28);
        let text = describe_io(&err);
        assert!(!text.contains("os error"), "{text}");
        assert!(text.starts_with(|c: char| c.is_lowercase()), "{text}");
    }
}

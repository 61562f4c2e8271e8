//! The project a document belongs to: the `[lints]` of the nearest `handoff.toml`, so the
//! editor shows what `handoff check` reports for the file (allowed warnings dropped, denied
//! ones raised to errors).

use crate::config::{self, Lints};
use lsp_types::Uri;
use std::path::{Path, PathBuf};

/// The lints of the `handoff.toml` nearest above a `file:` document, read afresh so an edit
/// of the settings applies at the next change; none for other schemes, or when the file is
/// missing or malformed (`handoff check` reports a malformed one).
pub fn lints(uri: &Uri) -> Lints {
    path_of(uri)
        .and_then(|p| nearest(&p))
        .and_then(|f| std::fs::read_to_string(f).ok())
        .and_then(|text| config::parse(&text).ok())
        .map(|c| c.lints)
        .unwrap_or_default()
}

fn nearest(file: &Path) -> Option<PathBuf> {
    file.ancestors()
        .skip(1)
        .map(|dir| dir.join(config::FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// The local path of a `file:` address, percent-decoded.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file:///C:/x` on Windows: the path starts at the drive letter.
    let rest = match rest.as_bytes() {
        [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() && cfg!(windows) => rest.get(1..)?,
        _ => rest,
    };
    Some(PathBuf::from(percent_decode(rest)?))
}

fn percent_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = [bytes.next()?, bytes.next()?];
            let hex = std::str::from_utf8(&hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn file_addresses_are_percent_decoded() {
        let uri: Uri = "file:///work/my%20plays/a%C3%A9.playbook".parse().unwrap();
        assert_eq!(
            path_of(&uri).unwrap(),
            PathBuf::from("/work/my plays/aé.playbook")
        );
        let other: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(path_of(&other), None);
    }

    #[test]
    fn the_nearest_settings_apply() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("handoff.toml"),
            "[lints]\nallow = [\"W0007\"]\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let file = dir.path().join("sub/x.playbook");
        let uri: Uri = format!("file://{}", file.display()).parse().unwrap();
        assert!(lints(&uri)
            .allow
            .contains(&crate::diagnostics::Code::DeclaresNothing));
    }
}

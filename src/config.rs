//! `handoff.toml`, a project's settings for `handoff check`, read from its text.
//!
//! Like `ruff.toml` or `Cargo.toml` it sits at the repository root, so a team states once which
//! paths hold playbooks, which warnings it accepts or refuses, and which output its CI wants.
//! This module only reads text (the core stays pure); `cli::config` finds and reads the file.
//! An unknown key is an error, never ignored, so a misspelt setting cannot silently do nothing.

use std::collections::BTreeSet;
use std::ops::Range;

use toml_edit::{Document, Item, TableLike, Value};

use crate::diagnostics::suggest::did_you_mean;
use crate::diagnostics::{messages, Code, Diagnostic, Severity};

/// The file name searched for, from the checked paths and the current directory upwards.
pub const FILE_NAME: &str = "handoff.toml";

/// A project's settings; every field has the meaning of an empty file by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// What `handoff check` checks when no path is given, relative to the file's directory.
    pub include: Vec<String>,
    /// Paths skipped when walking directories, on top of `target`, `node_modules` and hidden
    /// directories.
    pub exclude: Vec<Glob>,
    /// Warnings dropped or raised to errors.
    pub lints: Lints,
    /// Defaults for `handoff check` that its flags override.
    pub check: CheckSettings,
}

/// The `[lints]` table: warnings a project accepts (`allow`) or refuses (`deny`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lints {
    /// Codes whose findings are dropped.
    pub allow: BTreeSet<Code>,
    /// Codes whose findings become errors.
    pub deny: BTreeSet<Code>,
}

impl Lints {
    /// Drops allowed findings and makes denied ones errors, noting why.
    pub fn apply(&self, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diags
            .into_iter()
            .filter(|d| !self.allow.contains(&d.code))
            .map(|d| {
                if self.deny.contains(&d.code) && d.severity() != Severity::Error {
                    messages::denied_in_config(d, FILE_NAME)
                } else {
                    d
                }
            })
            .collect()
    }
}

/// The `[check]` table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckSettings {
    /// The output format when `--format` is not given.
    pub format: Option<FindingsFormat>,
    /// Whether warnings fail the check, as `--deny-warnings` does.
    pub deny_warnings: bool,
}

/// The formats findings can be rendered in, by the names `--format` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingsFormat {
    /// Annotated source for people.
    Human,
    /// The documented JSON document.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions annotations.
    Github,
}

impl FindingsFormat {
    const NAMES: [(&'static str, FindingsFormat); 4] = [
        ("human", FindingsFormat::Human),
        ("json", FindingsFormat::Json),
        ("sarif", FindingsFormat::Sarif),
        ("github", FindingsFormat::Github),
    ];
}

/// A path pattern of `exclude`: `*` and `?` within a name, `**` across directories.
///
/// A pattern without `/` matches a file or directory of that name anywhere (`legacy`,
/// `*.draft.playbook`); one with `/` matches the path from the configuration's directory
/// (`old/2023/*.playbook`); a leading `/` anchors a name there (`/scratch`), as in `.gitignore`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
    anchored: bool,
}

impl Glob {
    /// Reads a pattern as written in `exclude`.
    pub fn new(written: &str) -> Glob {
        let trimmed = written.trim_end_matches('/');
        let relative = trimmed.strip_prefix("./").unwrap_or(trimmed);
        let pattern = relative.strip_prefix('/').unwrap_or(relative);
        Glob {
            pattern: pattern.to_string(),
            anchored: pattern.contains('/') || relative.starts_with('/'),
        }
    }

    /// Whether the path `relative` (with `/` separators, from the configuration's directory)
    /// is excluded; `name` is its last component.
    pub fn matches(&self, relative: &str, name: &str) -> bool {
        if self.anchored {
            glob_match(&self.pattern, relative)
        } else {
            glob_match(&self.pattern, name)
        }
    }
}

/// Matches `text` against `pattern`: `**` crosses `/`, `*` and `?` do not.
fn glob_match(pattern: &str, text: &str) -> bool {
    if let Some(rest) = pattern.strip_prefix("**") {
        return match rest.strip_prefix('/') {
            // `**/` stands for no directory or any number of whole ones.
            Some(after) => {
                glob_match(after, text)
                    || text
                        .match_indices('/')
                        .any(|(i, _)| glob_match(after, text.get(i + 1..).unwrap_or("")))
            }
            None => suffixes(text, text.len()).any(|t| glob_match(rest, t)),
        };
    }
    let mut chars = pattern.chars();
    match chars.next() {
        None => text.is_empty(),
        Some('*') => {
            let stop = text.find('/').unwrap_or(text.len());
            suffixes(text, stop).any(|t| glob_match(chars.as_str(), t))
        }
        Some('?') => {
            let mut rest = text.chars();
            rest.next().is_some_and(|c| c != '/') && glob_match(chars.as_str(), rest.as_str())
        }
        Some(c) => text
            .strip_prefix(c)
            .is_some_and(|t| glob_match(chars.as_str(), t)),
    }
}

/// The tails of `text` starting at each character boundary up to byte `stop`.
fn suffixes(text: &str, stop: usize) -> impl Iterator<Item = &str> {
    (0..=stop).filter_map(move |i| text.get(i..))
}

/// A problem in `handoff.toml`, located so the CLI can print `handoff.toml:LINE:COLUMN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// In the house style: lowercase, keys and values in backticks.
    pub message: String,
}

/// Reads the text of a `handoff.toml`, reporting every problem, not just the first.
pub fn parse(text: &str) -> Result<Config, Vec<ConfigError>> {
    let doc = Document::parse(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        let message = e.message().trim_end_matches('.').to_string();
        vec![error_at(
            text,
            at,
            format!("invalid TOML: {}", lowercase_first(&message)),
        )]
    })?;
    let mut reader = Reader {
        text,
        errors: Vec::new(),
    };
    let config = reader.root(doc.as_table());
    if reader.errors.is_empty() {
        Ok(config)
    } else {
        let mut errors = reader.errors;
        errors.sort_by_key(|e| (e.line, e.column));
        Err(errors)
    }
}

/// Keys of each table, for "did you mean" and the list of valid keys.
const ROOT_KEYS: &[&str] = &["include", "exclude", "lints", "check"];
const LINTS_KEYS: &[&str] = &["allow", "deny"];
const CHECK_KEYS: &[&str] = &["format", "deny-warnings"];

struct Reader<'a> {
    text: &'a str,
    errors: Vec<ConfigError>,
}

impl Reader<'_> {
    fn root(&mut self, table: &dyn TableLike) -> Config {
        self.unknown_keys(table, "", ROOT_KEYS);
        let mut config = Config {
            include: self.strings(table, "include"),
            exclude: self
                .strings(table, "exclude")
                .iter()
                .map(|p| Glob::new(p))
                .collect(),
            ..Config::default()
        };
        if let Some(lints) = self.table(table, "lints") {
            config.lints = self.lints(lints);
        }
        if let Some(check) = self.table(table, "check") {
            config.check = self.check(check);
        }
        config
    }

    fn lints(&mut self, table: &dyn TableLike) -> Lints {
        self.unknown_keys(table, "lints", LINTS_KEYS);
        let allow = self.codes(table, "allow", true);
        let deny = self.codes(table, "deny", false);
        for (code, at) in &deny {
            if allow.iter().any(|(c, _)| c == code) {
                self.error(*at, format!("`{code}` is both allowed and denied"));
            }
        }
        Lints {
            allow: allow.into_iter().map(|(c, _)| c).collect(),
            deny: deny.into_iter().map(|(c, _)| c).collect(),
        }
    }

    fn check(&mut self, table: &dyn TableLike) -> CheckSettings {
        self.unknown_keys(table, "check", CHECK_KEYS);
        let mut settings = CheckSettings::default();
        if let Some((value, at)) = self.value(table, "format") {
            match value.as_str() {
                Some(name) => match FindingsFormat::NAMES.iter().find(|(n, _)| *n == name) {
                    Some((_, format)) => settings.format = Some(*format),
                    None => {
                        let names = FindingsFormat::NAMES.iter().map(|(n, _)| *n);
                        let hint = did_you_mean(name, names)
                            .map_or_else(String::new, |n| format!("; did you mean `{n}`?"));
                        self.error(
                            at,
                            format!("unknown format `{name}`: expected `human`, `json`, `sarif` or `github`{hint}"),
                        );
                    }
                },
                None => self.wrong_type(at, "format", "a string", value),
            }
        }
        if let Some((value, at)) = self.value(table, "deny-warnings") {
            match value.as_bool() {
                Some(deny) => settings.deny_warnings = deny,
                None => self.wrong_type(at, "deny-warnings", "`true` or `false`", value),
            }
        }
        settings
    }

    /// The codes listed under `key`, each known and, for `allow`, a warning.
    fn codes(&mut self, table: &dyn TableLike, key: &str, allow: bool) -> Vec<(Code, usize)> {
        let mut out = Vec::new();
        for (written, at) in self.located_strings(table, key) {
            let Some(code) = Code::parse(&written) else {
                let known = Code::ALL.iter().map(|c| c.as_str());
                let hint = did_you_mean(&written.to_ascii_uppercase(), known)
                    .map_or_else(String::new, |c| format!("; did you mean `{c}`?"));
                self.error(
                    at,
                    format!("unknown code `{written}` in `lints.{key}`{hint}"),
                );
                continue;
            };
            if allow && code.severity() == Severity::Error {
                self.error(
                    at,
                    format!("`{code}` is an error and cannot be allowed: a playbook with an error does not compile"),
                );
                continue;
            }
            out.push((code, at));
        }
        out
    }

    fn strings(&mut self, table: &dyn TableLike, key: &str) -> Vec<String> {
        self.located_strings(table, key)
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    }

    /// The strings of the array under `key`, each with its offset.
    fn located_strings(&mut self, table: &dyn TableLike, key: &str) -> Vec<(String, usize)> {
        let Some((value, at)) = self.value(table, key) else {
            return Vec::new();
        };
        let Some(array) = value.as_array() else {
            self.wrong_type(at, key, "a list of strings", value);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in array.iter() {
            let item_at = item.span().map_or(at, |s| s.start);
            match item.as_str() {
                Some(s) => out.push((s.to_string(), item_at)),
                None => self.wrong_type(item_at, key, "a list of strings", item),
            }
        }
        out
    }

    /// The value under `key` and its offset; a table there is reported as the wrong type.
    fn value<'t>(&mut self, table: &'t dyn TableLike, key: &str) -> Option<(&'t Value, usize)> {
        let (k, item) = table.get_key_value(key)?;
        let at = start(item.span()).or_else(|| start(k.span())).unwrap_or(0);
        match item {
            Item::Value(value) => Some((value, at)),
            _ => {
                self.error(at, format!("`{key}` must be a value, not a table"));
                None
            }
        }
    }

    fn table<'t>(&mut self, table: &'t dyn TableLike, key: &str) -> Option<&'t dyn TableLike> {
        let (k, item) = table.get_key_value(key)?;
        let found = item.as_table_like();
        if found.is_none() {
            let at = start(k.span()).unwrap_or(0);
            self.error(at, format!("`{key}` must be a table, such as `[{key}]`"));
        }
        found
    }

    fn unknown_keys(&mut self, table: &dyn TableLike, within: &str, known: &[&str]) {
        for (key, _) in table.iter() {
            if known.contains(&key) {
                continue;
            }
            let at = table.key(key).and_then(|k| start(k.span())).unwrap_or(0);
            let place = if within.is_empty() {
                String::new()
            } else {
                format!(" in `[{within}]`")
            };
            let hint = match did_you_mean(key, known.iter().copied()) {
                Some(near) => format!("; did you mean `{near}`?"),
                None => {
                    let names: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
                    format!("; expected one of {}", names.join(", "))
                }
            };
            self.error(at, format!("unknown key `{key}`{place}{hint}"));
        }
    }

    fn wrong_type(&mut self, at: usize, key: &str, expected: &str, found: &Value) {
        self.error(
            at,
            format!("`{key}` must be {expected}, not {}", found.type_name()),
        );
    }

    fn error(&mut self, at: usize, message: String) {
        self.errors.push(error_at(self.text, at, message));
    }
}

fn start(span: Option<Range<usize>>) -> Option<usize> {
    span.map(|s| s.start)
}

/// A located error at byte `at` of `text`.
fn error_at(text: &str, at: usize, message: String) -> ConfigError {
    let before = text.get(..at).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    ConfigError {
        line: before.matches('\n').count() + 1,
        column: before.get(line_start..).unwrap_or("").chars().count() + 1,
        message,
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::span::{FileId, Span};

    fn errors(text: &str) -> Vec<String> {
        parse(text)
            .unwrap_err()
            .into_iter()
            .map(|e| format!("{}:{}: {}", e.line, e.column, e.message))
            .collect()
    }

    #[test]
    fn a_full_file_is_read() {
        let text = "include = [\"playbooks\"]\nexclude = [\"legacy\", \"old/*.playbook\"]\n\n[lints]\nallow = [\"W0306\"]\ndeny = [\"w0305\"]\n\n[check]\nformat = \"github\"\ndeny-warnings = true\n";
        let config = parse(text).unwrap();
        assert_eq!(config.include, ["playbooks"]);
        assert_eq!(
            config.exclude,
            [Glob::new("legacy"), Glob::new("old/*.playbook")]
        );
        assert_eq!(config.lints.allow, BTreeSet::from([Code::UnreachableRule]));
        assert_eq!(config.lints.deny, BTreeSet::from([Code::UnreachableTrack]));
        assert_eq!(config.check.format, Some(FindingsFormat::Github));
        assert!(config.check.deny_warnings);
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn unknown_keys_are_errors_with_line_and_did_you_mean() {
        let text = "exlude = [\"x\"]\n[lints]\nalow = [\"W0306\"]\n[chek]\n";
        assert_eq!(
            errors(text),
            [
                "1:1: unknown key `exlude`; did you mean `exclude`?",
                "3:1: unknown key `alow` in `[lints]`; did you mean `allow`?",
                "4:2: unknown key `chek`; did you mean `check`?",
            ]
        );
    }

    #[test]
    fn codes_formats_and_types_are_checked() {
        let text = "[lints]\nallow = [\"E0101\", \"W3306\"]\ndeny = \"W0305\"\n[check]\nformat = \"githb\"\n";
        let found = errors(text);
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(
            found[0].starts_with("2:10: `E0101` is an error and cannot be allowed"),
            "{found:?}"
        );
        assert_eq!(
            found[1],
            "2:19: unknown code `W3306` in `lints.allow`; did you mean `W0306`?"
        );
        assert_eq!(
            found[2],
            "3:8: `deny` must be a list of strings, not string"
        );
        assert!(
            found[3].starts_with("5:10: unknown format `githb`"),
            "{found:?}"
        );
        assert_eq!(errors("[lints\n")[0].split(':').next(), Some("1"));
    }

    #[test]
    fn allowed_findings_go_and_denied_ones_become_errors() {
        let lints = parse("[lints]\nallow = [\"W0306\"]\ndeny = [\"W0305\"]\n")
            .unwrap()
            .lints;
        let at = Span::new(FileId(0), 0, 1);
        let found = lints.apply(vec![
            Diagnostic::new(Code::UnreachableRule, at, "a"),
            Diagnostic::new(Code::UnreachableTrack, at, "b"),
            Diagnostic::new(Code::UnusedDeclaration, at, "c"),
        ]);
        let severities: Vec<_> = found.iter().map(|d| (d.code, d.severity())).collect();
        assert_eq!(
            severities,
            [
                (Code::UnreachableTrack, Severity::Error),
                (Code::UnusedDeclaration, Severity::Warning)
            ]
        );
        assert_eq!(found[0].notes, ["`W0305` is denied in `handoff.toml`"]);
    }

    #[test]
    fn globs_match_names_anywhere_and_paths_from_the_root() {
        let name = Glob::new("legacy/");
        assert!(name.matches("a/b/legacy", "legacy"));
        let draft = Glob::new("*.draft.playbook");
        assert!(draft.matches("x/y.draft.playbook", "y.draft.playbook"));
        assert!(!draft.matches("x/y.playbook", "y.playbook"));
        let path = Glob::new("old/*.playbook");
        assert!(path.matches("old/a.playbook", "a.playbook"));
        assert!(!path.matches("old/sub/a.playbook", "a.playbook"));
        assert!(!path.matches("x/old/a.playbook", "a.playbook"));
        let deep = Glob::new("**/gen/**");
        assert!(deep.matches("gen/a.playbook", "a.playbook"));
        assert!(deep.matches("x/gen/y/a.playbook", "a.playbook"));
        let anchored = Glob::new("/scratch");
        assert!(anchored.matches("scratch", "scratch"));
        assert!(!anchored.matches("x/scratch", "scratch"));
        assert!(Glob::new("a?c").matches("abc", "abc"));
    }
}

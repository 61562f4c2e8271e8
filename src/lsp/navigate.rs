//! Go to definition, find references and rename, on the symbol index.

use super::analysis::{Analysis, FILE};
use super::index::{block_keyword, Index, Kind, SymbolId};
use super::keywords;
use crate::span::Span;
use crate::syntax;

/// Where the name at `offset` is declared.
pub fn definition(index: &Index, offset: usize) -> Option<Span> {
    index.symbol(index.at(offset)?).map(|s| s.span)
}

/// Where the name at `offset` is declared, from the index of the last text that parsed, found
/// again in the current text by its block's first line: go to definition keeps working while
/// an edit leaves the text unparsable and the name's block unread.
pub fn recovered_definition(last_good: &Index, text: &str, offset: usize) -> Option<Span> {
    let word = word_at(text, offset)?;
    let keyword = last_good
        .symbols
        .iter()
        .filter(|s| s.name == word)
        .find_map(|s| block_keyword(s.kind))?;
    let head = format!("{keyword} {word}");
    let mut at = 0;
    for line in crate::span::lines_inclusive(text) {
        let rest = line.strip_prefix(head.as_str());
        if rest.is_some_and(|r| !r.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')) {
            let start = at + keyword.len() + 1;
            return Some(Span::new(FILE, start, start + word.len()));
        }
        at += line.len();
    }
    None
}

/// The name the byte `offset` is in or just after.
fn word_at(text: &str, offset: usize) -> Option<&str> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let before = text.get(..offset)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_name(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let len = text
        .get(offset..)?
        .find(|c: char| !is_name(c))
        .unwrap_or(text.len() - offset);
    text.get(start..offset + len).filter(|w| !w.is_empty())
}

/// Every place the name at `offset` appears, its declaration first when asked for.
pub fn references(index: &Index, offset: usize, declaration: bool) -> Vec<Span> {
    let Some(id) = index.at(offset) else {
        return Vec::new();
    };
    let decl = index.symbol(id).filter(|_| declaration).map(|s| s.span);
    decl.into_iter().chain(index.uses(id)).collect()
}

/// Why a rename was refused; the message is shown to the author as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

/// The edits that rename the name at `offset` to `new_name` everywhere, or why not.
///
/// Refused on a name that is not a name, on a keyword, on a clash with a name of the same
/// kind, for a test (whose name is a string), and when the renamed text would not parse.
pub fn rename(a: &Analysis, offset: usize, new_name: &str) -> Result<Vec<(Span, String)>, Refused> {
    prepare_rename(&a.index, offset)?;
    let id = a
        .index
        .at(offset)
        .ok_or_else(|| Refused("there is no declared name here to rename".to_owned()))?;
    let s = a
        .index
        .symbol(id)
        .ok_or_else(|| Refused("there is no declared name here to rename".to_owned()))?;
    check_name(a, id, new_name)?;
    let mut edits: Vec<(Span, String)> = references(&a.index, offset, true)
        .into_iter()
        .map(|span| (span, new_name.to_owned()))
        .collect();
    edits.sort_by_key(|(span, _)| span.start);
    let renamed = apply(&a.text, &edits);
    let before = syntax::parse(FILE, &a.text).diagnostics.len();
    if syntax::parse(FILE, &renamed).diagnostics.len() > before {
        return Err(Refused(format!(
            "renaming `{}` to `{new_name}` would not parse",
            s.name
        )));
    }
    Ok(edits)
}

/// The span of the name a rename at `offset` would change, or why there is nothing to rename:
/// the editor asks first, so a rename on a keyword or a test's name is refused before the
/// author types a new name.
pub fn prepare_rename(index: &Index, offset: usize) -> Result<Span, Refused> {
    let id = index
        .at(offset)
        .ok_or_else(|| Refused("there is no declared name here to rename".to_owned()))?;
    let s = index
        .symbol(id)
        .ok_or_else(|| Refused("there is no declared name here to rename".to_owned()))?;
    if s.kind == Kind::Test {
        return Err(Refused(
            "a test's name is a string: edit it in place".to_owned(),
        ));
    }
    Ok(index
        .references
        .iter()
        .find(|r| {
            r.target == id && (r.span.range().contains(&offset) || r.span.end as usize == offset)
        })
        .map_or(s.span, |r| r.span))
}

fn check_name(a: &Analysis, id: SymbolId, new_name: &str) -> Result<(), Refused> {
    let s = a
        .index
        .symbol(id)
        .ok_or_else(|| Refused("there is no declared name here to rename".to_owned()))?;
    if !keywords::is_name(new_name) {
        return Err(Refused(format!(
            "`{new_name}` is not a name: names start with a letter or `_` and hold letters, digits and `_`"
        )));
    }
    if keywords::is_keyword(new_name) {
        return Err(Refused(format!(
            "`{new_name}` is a keyword of the language"
        )));
    }
    if let Some(other) = a.index.lookup(s.kind, &s.scope, new_name) {
        if other != id {
            return Err(Refused(format!(
                "a {} named `{new_name}` is already declared",
                s.kind.word()
            )));
        }
    }
    Ok(())
}

/// `text` with sorted, disjoint edits applied.
pub fn apply(text: &str, edits: &[(Span, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (span, new) in edits {
        out.push_str(text.get(at..span.start as usize).unwrap_or(""));
        out.push_str(new);
        at = span.end as usize;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    const SEED: &str = include_str!("../../playbooks/seed-matrix.playbook");

    fn seed() -> Analysis {
        Analysis::new(SEED.to_owned())
    }

    #[test]
    fn definition_of_a_use_is_its_declaration() {
        let a = seed();
        let used = SEED.find("then move to re_engage").unwrap() + 14;
        let span = definition(&a.index, used).unwrap();
        assert_eq!(&SEED[span.range()], "re_engage");
        assert!(SEED[..span.start as usize].ends_with("track "));
    }

    #[test]
    fn rename_changes_every_reference_and_still_checks_clean() {
        let a = seed();
        let at = SEED.find("track re_engage").unwrap() + 7;
        let edits = rename(&a, at, "revive").unwrap();
        // `re_engagement` is a kpi of its own.
        let uses = SEED.matches("re_engage").count() - SEED.matches("re_engagement").count();
        assert_eq!(edits.len(), uses);
        let renamed = apply(SEED, &edits);
        assert_eq!(
            renamed.matches("re_engage").count(),
            SEED.matches("re_engagement").count()
        );
        let before = crate::check::check_source(FILE, SEED).len();
        assert_eq!(crate::check::check_source(FILE, &renamed).len(), before);
    }

    #[test]
    fn definition_survives_an_edit_that_breaks_the_declaring_block() {
        let a = seed();
        let broken = SEED.replacen(
            "track re_engage {\n",
            "track re_engage {\n  touch email every\n",
            1,
        );
        let now = Analysis::new(broken.clone());
        let used = broken.find("then move to re_engage").unwrap() + 14;
        assert_eq!(definition(&now.index, used), None);
        let span = recovered_definition(&a.index, &broken, used).unwrap();
        assert_eq!(
            span.start as usize,
            broken.find("track re_engage").unwrap() + 6
        );
    }

    #[test]
    fn prepare_rename_gives_the_name_under_the_cursor() {
        let a = seed();
        let at = SEED.find("then move to re_engage").unwrap() + 16;
        let span = prepare_rename(&a.index, at).unwrap();
        assert_eq!(&SEED[span.range()], "re_engage");
        assert!(prepare_rename(&a.index, SEED.find("then move").unwrap()).is_err());
    }

    #[test]
    fn rename_is_refused_on_a_clash_a_keyword_or_a_non_name() {
        let a = seed();
        let at = SEED.find("track re_engage").unwrap() + 7;
        let clash = rename(&a, at, "long_cycle").unwrap_err();
        assert_eq!(clash.0, "a track named `long_cycle` is already declared");
        assert!(rename(&a, at, "where").unwrap_err().0.contains("keyword"));
        assert!(rename(&a, at, "9lives")
            .unwrap_err()
            .0
            .contains("not a name"));
    }
}

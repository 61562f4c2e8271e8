//! Completion: the words a block accepts, the declared names a position wants, and the fields
//! of the event a `where` filters.
//!
//! The context comes from the text before the cursor (the enclosing block's keyword and the
//! words before the cursor on its line), so half-typed input that does not parse still gets
//! candidates; the names come from the current index and the last one built from text that
//! parsed, so a name declared in a block broken by the edit is still offered.

use super::index::{value_scope, Index, Kind};
use super::keywords;
use std::collections::BTreeSet;

/// One completion candidate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// The text inserted.
    pub label: String,
    /// A keyword, or the kind of the declared name.
    pub kind: Option<Kind>,
}

/// The candidates at byte `offset` of `text`, from the names of `indexes`.
pub fn complete(text: &str, offset: usize, indexes: &[&Index]) -> Vec<Candidate> {
    let before = text.get(..offset.min(text.len())).unwrap_or("");
    let line = before.rsplit(['\n', '\r']).next().unwrap_or("");
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == '(')
        .filter(|w| !w.is_empty())
        .collect();
    // The word being typed is not context.
    let typing = !line.ends_with(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == '(');
    let context = words
        .get(..words.len() - usize::from(typing && !words.is_empty()))
        .unwrap_or(&[]);
    let Some(block) = enclosing_block(before) else {
        return keyword_candidates(keywords::BLOCKS);
    };
    let names = |kinds: &[Kind]| named(indexes, kinds);
    let event = filtered_event(context);
    if let Some(values) = compared_values(indexes, context, event.as_deref()) {
        return values;
    }
    if let Some(event) = event {
        let mut out = scoped(indexes, Kind::EventField, &event);
        out.extend(condition(indexes));
        return out;
    }
    if let Some(kinds) = wanted_kinds(block, context) {
        return names(kinds);
    }
    if context.iter().any(|w| *w == "when" || *w == "where") {
        return condition(indexes);
    }
    if context.is_empty() {
        return keyword_candidates(keywords::statements(block));
    }
    let mut out = keyword_candidates(keywords::statements(block));
    out.extend(condition(indexes));
    out
}

/// The keyword of the top-level block the text before the cursor ends inside: the last line
/// that starts with a block keyword, when the braces opened since are not all closed.
fn enclosing_block(before: &str) -> Option<&'static str> {
    let mut depth = 0i32;
    for line in before.rsplit('\n') {
        depth += braces(line);
        let first = line.split_whitespace().next().unwrap_or("");
        let starts_block = !line.starts_with(char::is_whitespace);
        if let Some(k) = keywords::BLOCKS.iter().find(|k| **k == first) {
            if starts_block {
                return (depth > 0).then_some(*k);
            }
        }
    }
    None
}

/// Opened minus closed braces on a line, outside strings and comments.
fn braces(line: &str) -> i32 {
    let mut depth = 0;
    let mut in_string = false;
    for c in line.chars() {
        match c {
            '"' => in_string = !in_string,
            '#' if !in_string => break,
            '{' if !in_string => depth += 1,
            '}' if !in_string => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// The event a `where` before the cursor filters (`on EVENT where`, `per EVENT where`,
/// `count EVENT where`), when the cursor is in that filter.
fn filtered_event(context: &[&str]) -> Option<String> {
    let at = context.iter().rposition(|w| *w == "where")?;
    if context.get(at + 1..)?.contains(&"within") {
        return None;
    }
    let event = context.get(at.checked_sub(1)?)?;
    let trigger = context.get(at.checked_sub(2)?)?;
    ["on", "per", "count"]
        .contains(trigger)
        .then(|| (*event).to_owned())
}

/// The values a name compared with `=`, `!=` or `in [...]` before the cursor may take: a
/// `one of` field's values (the event's own field's inside its `where`) or a band set's bands.
fn compared_values(
    indexes: &[&Index],
    context: &[&str],
    event: Option<&str>,
) -> Option<Vec<Candidate>> {
    let op = context
        .iter()
        .rposition(|w| matches!(*w, "=" | "!=" | "in"))?;
    let listed = context.get(op + 1..)?;
    if listed
        .iter()
        .any(|w| keywords::is_keyword(w) || !keywords::is_name(w))
    {
        return None;
    }
    let subject = context.get(op.checked_sub(1)?)?;
    let mut out = Vec::new();
    if let Some(ev) = event {
        out.extend(scoped(indexes, Kind::Value, &value_scope(ev, subject)));
    }
    out.extend(scoped(indexes, Kind::Value, subject));
    out.extend(scoped(indexes, Kind::Band, subject));
    (!out.is_empty()).then_some(out)
}

/// The kinds of name the words before the cursor call for, if they call for one.
fn wanted_kinds(block: &str, context: &[&str]) -> Option<&'static [Kind]> {
    let last = *context.last()?;
    let prev = context
        .len()
        .checked_sub(2)
        .and_then(|i| context.get(i))
        .copied();
    Some(match (prev, last) {
        (Some("picks"), _) | (Some("up"), "as") | (_, "owner") => &[Kind::Seller],
        (Some("route"), "to")
        | (Some("escalate" | "overflow" | "reassign" | "requeue"), "to")
        | (Some("otherwise"), "to") => &[Kind::Queue],
        (Some("route"), "via") => &[Kind::Router],
        (Some("rescue" | "rescued"), "with")
        | (Some("move" | "exit" | "recycle"), "to")
        | (Some("in"), "track") => &[Kind::Track],
        (_, "reason" | "disposition" | "dispose")
        | (Some("close" | "converted" | "closed" | "recycled" | "breaches"), "as") => {
            &[Kind::Reason]
        }
        (Some("disqualified"), "as") => &[Kind::Reason],
        (_, "context") if block != "playbook" => &[Kind::Context],
        (_, "sequence") if block == "handoff" => &[Kind::Sequence],
        (_, "calendar") if block != "playbook" || prev.is_some() => &[Kind::Calendar],
        (_, "notify") | (_, "roles") => &[Kind::Role],
        (_, "on" | "per" | "count" | "event") if block != "sequence" => &[Kind::Event],
        (Some("order"), "by") => &[Kind::Bands],
        (Some("owner"), "from") => &[Kind::Accounts],
        (_, "unless") => &[Kind::Handoff],
        (_, "kpi") => &[Kind::Kpi],
        (Some("handed"), "by") => &[Kind::Handoff],
        (_, "from") if block == "test" => &[Kind::Fixture],
        (_, "by" | "+") if block == "bands" => &[Kind::Score],
        (_, "field" | "key") | (_, "set" | "mix" | "draw") => &[Kind::Field],
        (_, "score") if block == "test" => &[Kind::Score],
        (_, "band") if block == "test" => &[Kind::Bands],
        (Some("assigned"), "to") => &[Kind::Seller],
        _ => return None,
    })
}

/// What a condition can name: lead fields, scores and band sets, and the condition words.
fn condition(indexes: &[&Index]) -> Vec<Candidate> {
    let mut out = named(indexes, &[Kind::Field, Kind::Score, Kind::Bands]);
    out.extend(keyword_candidates(keywords::CONDITION));
    out
}

fn keyword_candidates(words: &[&str]) -> Vec<Candidate> {
    words
        .iter()
        .map(|w| Candidate {
            label: (*w).to_owned(),
            kind: None,
        })
        .collect()
}

/// Unscoped names of `kinds` from every index, each once.
fn named(indexes: &[&Index], kinds: &[Kind]) -> Vec<Candidate> {
    let mut seen = BTreeSet::new();
    for kind in kinds {
        for idx in indexes {
            for s in idx.names(*kind) {
                seen.insert(Candidate {
                    label: s.name.clone(),
                    kind: Some(*kind),
                });
            }
        }
    }
    seen.into_iter().collect()
}

fn scoped(indexes: &[&Index], kind: Kind, scope: &str) -> Vec<Candidate> {
    let mut seen = BTreeSet::new();
    for idx in indexes {
        for s in idx.names(kind).filter(|s| s.scope == scope) {
            seen.insert(Candidate {
                label: s.name.clone(),
                kind: Some(kind),
            });
        }
    }
    seen.into_iter().collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::span::FileId;
    use crate::syntax;

    const SEED: &str = include_str!("../../playbooks/seed-matrix.playbook");

    /// Labels offered where `|` stands in `src` after the seed.
    fn labels(src: &str) -> Vec<String> {
        let text = format!("{SEED}\n{src}");
        let at = text.find('|').unwrap();
        let text = text.replacen('|', "", 1);
        let idx = Index::build(&syntax::parse(FileId(0), SEED).file);
        complete(&text, at, &[&idx])
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    #[test]
    fn top_level_offers_block_keywords() {
        assert!(labels("tr|").contains(&"track".to_owned()));
    }

    #[test]
    fn a_statement_start_offers_the_blocks_keywords() {
        let got = labels("queue q {\n  |\n}\n");
        assert!(got.contains(&"members".to_owned()));
        assert!(!got.contains(&"route to".to_owned()));
    }

    #[test]
    fn after_route_to_only_queues_are_offered() {
        let got = labels("handoff h {\n  route to |\n}\n");
        assert!(!got.is_empty());
        assert!(got.iter().all(|l| !l.contains(' ')));
        assert!(!got.contains(&"re_engage".to_owned()));
    }

    #[test]
    fn inside_where_the_events_fields_come_first() {
        let got = labels("handoff h {\n  on page_view where cat|\n}\n");
        assert_eq!(got[0], "category");
        assert!(got.contains(&"segment".to_owned()));
    }

    #[test]
    fn a_comparison_offers_the_values_of_its_subject() {
        assert_eq!(
            labels("handoff h {\n  when segment = |\n}\n"),
            ["enterprise", "mid_market", "smb"]
        );
        assert_eq!(
            labels("handoff h {\n  when grade = |\n}\n"),
            ["A", "B", "C"]
        );
        let got = labels("handoff h {\n  on page_view where category in [pricing, |\n}\n");
        assert!(got.contains(&"demo".to_owned()), "{got:?}");
    }

    #[test]
    fn a_condition_offers_fields_scores_and_band_sets() {
        let got = labels("handoff h {\n  when |\n}\n");
        for want in ["segment", "fit", "grade", "and"] {
            assert!(got.contains(&want.to_owned()), "{want}");
        }
    }
}

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use crate::span::FileId;
use crate::syntax;

const SEED: &str = include_str!("../../../playbooks/seed-matrix.playbook");

fn index(src: &str) -> Index {
    Index::build(&syntax::parse(FileId(0), src).file)
}

/// The texts of a symbol's uses.
fn uses<'a>(src: &'a str, idx: &Index, kind: Kind, scope: &str, name: &str) -> Vec<&'a str> {
    let id = idx.lookup(kind, scope, name).unwrap();
    idx.uses(id).map(|s| &src[s.range()]).collect()
}

#[test]
fn every_kind_of_block_declares_its_name() {
    let idx = index(SEED);
    for (kind, name) in [
        (Kind::Playbook, "seed_matrix"),
        (Kind::Calendar, "london"),
        (Kind::Field, "segment"),
        (Kind::Event, "page_view"),
        (Kind::Score, "intent"),
        (Kind::Bands, "grade"),
        (Kind::Track, "re_engage"),
        (Kind::Handoff, "hand_raise"),
        (Kind::Role, "sales_manager"),
    ] {
        let id = idx.lookup(kind, "", name);
        assert!(id.is_some(), "{kind:?} {name}");
        assert_eq!(&SEED[idx.symbols[id.unwrap()].span.range()], name);
    }
    assert!(idx.lookup(Kind::Band, "grade", "A").is_some());
    assert!(idx.lookup(Kind::Value, "segment", "enterprise").is_some());
    assert!(idx
        .lookup(Kind::EventField, "page_view", "category")
        .is_some());
}

#[test]
fn references_resolve_by_kind_and_scope() {
    let idx = index(SEED);
    assert!(uses(SEED, &idx, Kind::Track, "", "re_engage").len() >= 2);
    assert_eq!(uses(SEED, &idx, Kind::Score, "", "fit")[0], "fit");
    // `where category in [pricing, demo]` reads the event's field and its values.
    assert!(!uses(SEED, &idx, Kind::EventField, "page_view", "category").is_empty());
    assert!(!uses(SEED, &idx, Kind::Value, "page_view.category", "pricing").is_empty());
    // `grade = A` names band A of the set.
    assert!(!uses(SEED, &idx, Kind::Band, "grade", "A").is_empty());
    assert!(!uses(SEED, &idx, Kind::Value, "segment", "enterprise").is_empty());
}

#[test]
fn a_position_finds_the_symbol_declared_or_used_there() {
    let src =
        "track a {\n  enter by default\n  then move to b\n}\ntrack b {\n  enter when fit > 1\n}\n";
    let idx = index(src);
    let used = src.find("to b").unwrap() + 3;
    let b = idx.at(used).unwrap();
    assert_eq!(idx.symbols[b].name, "b");
    assert_eq!(idx.at(src.find("track b").unwrap() + 6), Some(b));
    assert_eq!(idx.at(src.find("move").unwrap()), None);
}

#[test]
fn a_duplicate_declaration_loses_as_in_the_checker() {
    let src = "track a {\n  enter by default\n}\ntrack a {\n  enter when x > 1\n}\n";
    let idx = index(src);
    let a = idx.lookup(Kind::Track, "", "a").unwrap();
    assert_eq!(
        idx.symbols[a].span.start as usize,
        src.find("track a").unwrap() + 6
    );
    assert_eq!(idx.names(Kind::Track).count(), 1);
}

/// The index resolves what the checker resolves: misspelling an indexed reference in a shipped
/// playbook makes the checker report a finding at exactly that place (every third reference,
/// to keep the test quick).
#[test]
fn every_indexed_reference_is_one_the_checker_resolves() {
    for src in [
        SEED,
        include_str!("../../../playbooks/inbound-plg.playbook"),
        include_str!("../../../playbooks/enterprise-abm.playbook"),
    ] {
        let idx = index(src);
        assert!(idx.references.len() > 100);
        for r in idx.references.iter().step_by(3) {
            let mut changed = src.to_owned();
            changed.replace_range(r.span.range(), "zz_nope");
            let found = crate::check::check_source(FileId(0), &changed);
            let target = &idx.symbols[r.target];
            assert!(
                found.iter().any(|d| d.span().start == r.span.start),
                "a misspelt {} `{}` at {} is not reported: {found:#?}",
                target.kind.word(),
                target.name,
                r.span.start
            );
        }
    }
}

/// Every reference and declaration of every shipped playbook spans exactly the name it stands
/// for, so definition, references, rename and tokens point at the right text.
#[test]
fn every_span_of_the_shipped_playbooks_covers_its_name() {
    for entry in std::fs::read_dir("playbooks").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "playbook") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let a = crate::lsp::analysis::Analysis::new(text.clone());
        for s in &a.index.symbols {
            let quoted = format!("\"{}\"", s.name);
            let covered = &text[s.span.range()];
            assert!(
                covered == s.name || covered == quoted,
                "{path:?}: {s:?} spans `{covered}`"
            );
        }
        for r in &a.index.references {
            let s = a.index.symbol(r.target).unwrap();
            assert_eq!(&text[r.span.range()], s.name, "{path:?}: {r:?} of {s:?}");
        }
    }
}

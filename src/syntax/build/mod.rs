//! pest pairs → AST. Confined to this module so `Pair<'i>` lifetimes never leak.
//!
//! Each handler walks its rule's children and matches the rules it cares about; keyword and
//! punctuation pairs fall through. The grammar guarantees shapes, so a missing child can only
//! mean a grammar/builder mismatch; handlers then fall back to an empty value rather than panic.

mod decls;
mod expr;
mod rules;
mod scenario;
mod testing;

use super::ast::*;
use super::Rule;
use crate::span::{FileId, Span};
use pest::iterators::Pair;
use std::sync::OnceLock;

type P<'i> = Pair<'i, Rule>;

/// Carries what every span needs: the file and the chunk's offset in it.
pub(super) struct Builder {
    pub file: FileId,
    pub offset: usize,
    /// Spans end here at the latest: recovery may parse a chunk with `}`s it added itself,
    /// and spans must not reach past the text the user wrote.
    pub limit: usize,
}

impl Builder {
    /// A pair's span without the whitespace and comments pest may include at its end.
    fn loc(&self, p: &P) -> Loc {
        let s = p.as_span();
        let text = trim_trailing_comments(p.as_str());
        let start = (self.offset + s.start()).min(self.limit);
        let end = (self.offset + s.start() + text.len()).min(self.limit);
        Loc(Span::new(self.file, start, end))
    }

    /// The top-level items of a `file` pair.
    pub fn items(&self, file: P) -> Vec<Item> {
        file.into_inner()
            .filter_map(|p| p.into_inner().next())
            .filter_map(|p| self.item(p))
            .collect()
    }

    fn item(&self, p: P) -> Option<Item> {
        Some(match p.as_rule() {
            Rule::playbook_decl => Item::Playbook(self.block(p, Self::playbook_stmt)),
            Rule::calendar_decl => Item::Calendar(self.block(p, Self::calendar_stmt)),
            Rule::lead_decl => Item::Lead(self.block(p, Self::field_decl)),
            Rule::event_decl => Item::Event(self.block(p, Self::field_decl)),
            Rule::score_decl => Item::Score(self.block(p, Self::score_stmt)),
            Rule::bands_decl => Item::Bands(self.bands(p)),
            Rule::disqualify_decl => Item::Disqualify(self.block(p, Self::trigger_stmt)),
            Rule::track_decl => Item::Track(self.block(p, Self::track_stmt)),
            Rule::handoff_decl => Item::Handoff(self.block(p, Self::handoff_stmt)),
            Rule::router_decl => Item::Router(self.block(p, Self::route_rule)),
            Rule::queue_decl => Item::Queue(self.block(p, Self::queue_stmt)),
            Rule::accounts_decl => Item::Accounts(self.block(p, Self::accounts_stmt)),
            Rule::context_decl => Item::Context(self.block(p, Self::context_stmt)),
            Rule::sequence_decl => Item::Sequence(self.block(p, Self::sequence_stmt)),
            Rule::reason_decl => Item::Reason(self.block(p, Self::reason_stmt)),
            Rule::kpi_decl => Item::Kpi(self.block(p, Self::kpi_stmt)),
            Rule::shape_decl => Item::Shape(self.block(p, Self::shape_stmt)),
            Rule::scenario_decl => Item::Scenario(self.block(p, Self::scenario_stmt)),
            Rule::test_decl => Item::Test(self.test_block(p)),
            Rule::fixture_decl => Item::Fixture(self.block(p, Self::field_value)),
            Rule::tests_decl => Item::Tests(self.tests_decl(p)),
            _ => return None,
        })
    }

    /// A `KIND NAME { stmt* }` block; `stmt` returns `None` for pairs that are not statements.
    fn block<S>(&self, p: P, stmt: fn(&Self, P) -> Option<S>) -> Block<S> {
        let loc = self.loc(&p);
        let mut name = None;
        let mut body = Vec::new();
        for c in p.into_inner() {
            if c.as_rule() == Rule::ident && name.is_none() {
                name = Some(self.ident(&c));
                continue;
            }
            let sloc = self.loc(&c);
            if let Some(kind) = stmt(self, c) {
                body.push(Stmt { kind, loc: sloc });
            }
        }
        let name = name.unwrap_or(Ident {
            name: String::new(),
            loc: Loc(Span::new(self.file, loc.start as usize, loc.start as usize)),
        });
        Block { name, body, loc }
    }

    fn stmts<S>(&self, p: P, stmt: fn(&Self, P) -> Option<S>) -> Vec<Stmt<S>> {
        p.into_inner()
            .filter_map(|c| {
                let loc = self.loc(&c);
                stmt(self, c).map(|kind| Stmt { kind, loc })
            })
            .collect()
    }

    fn ident(&self, p: &P) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            loc: self.loc(p),
        }
    }

    fn idents(&self, p: P) -> Vec<Ident> {
        p.into_inner()
            .filter(|c| c.as_rule() == Rule::ident)
            .map(|c| self.ident(&c))
            .collect()
    }

    /// Children that carry meaning: names, literals and sub-rules, not keywords or punctuation.
    fn parts<'i>(&self, p: P<'i>) -> Vec<P<'i>> {
        p.into_inner().filter(|c| !is_noise(c.as_rule())).collect()
    }

    fn first_ident(&self, p: P) -> Ident {
        p.into_inner()
            .find(|c| c.as_rule() == Rule::ident)
            .map(|c| self.ident(&c))
            .unwrap_or_else(|| self.empty_ident())
    }

    fn empty_ident(&self) -> Ident {
        Ident {
            name: String::new(),
            loc: Loc(Span::new(self.file, self.offset, self.offset)),
        }
    }

    fn string(&self, p: &P) -> StrLit {
        let raw = p
            .clone()
            .into_inner()
            .next()
            .map(|i| i.as_str())
            .unwrap_or("");
        StrLit {
            value: unescape(raw),
            loc: self.loc(p),
        }
    }

    fn number(&self, p: &P) -> NumberLit {
        NumberLit {
            value: p.as_str().trim_end_matches('%').parse().unwrap_or(f64::NAN),
            loc: self.loc(p),
        }
    }

    fn duration(&self, p: &P) -> DurationLit {
        let text = p.as_str();
        let split = text
            .find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(text.len());
        let (num, unit) = text.split_at(split);
        let unit = match unit {
            "m" => DurationUnit::Minutes,
            "h" => DurationUnit::Hours,
            "d" => DurationUnit::Days,
            "w" => DurationUnit::Weeks,
            "bh" => DurationUnit::BusinessHours,
            _ => DurationUnit::BusinessDays,
        };
        DurationLit {
            value: num.parse().unwrap_or(f64::NAN),
            unit,
            loc: self.loc(p),
        }
    }

    fn token(&self, p: &P) -> Token {
        Token {
            text: p.as_str().to_string(),
            loc: self.loc(p),
        }
    }

    fn literal(&self, p: P) -> Option<Literal> {
        Some(match p.as_rule() {
            Rule::number => Literal::Number(self.number(&p)),
            Rule::duration => Literal::Duration(self.duration(&p)),
            Rule::percent => Literal::Percent(self.number(&p)),
            Rule::boolean => Literal::Bool(p.as_str() == "yes", self.loc(&p)),
            Rule::string => Literal::Text(self.string(&p)),
            Rule::ident => Literal::Name(self.ident(&p)),
            Rule::bad_unit => Literal::BadUnit(self.token(&p)),
            _ => return None,
        })
    }
}

/// Keywords and punctuation: present in the tree for error messages, absent from the AST.
///
/// Called for every pair the builder looks at, so it is a table lookup; the table is built once
/// from the grammar's own rule list, so a keyword added to the grammar needs no change here.
fn is_noise(rule: Rule) -> bool {
    static NOISE: OnceLock<Vec<bool>> = OnceLock::new();
    let table = NOISE.get_or_init(|| {
        // pest lists the grammar's rules but not its built-in end-of-input rule.
        let rules = || Rule::all_rules().iter().copied().chain([Rule::EOI]);
        let mut table = vec![false; rules().map(|r| r as usize + 1).max().unwrap_or(0)];
        for r in rules() {
            if let Some(slot) = table.get_mut(r as usize) {
                *slot = is_noise_by_name(r);
            }
        }
        table
    });
    table.get(rule as usize).copied().unwrap_or(false)
}

/// The definition [`is_noise`] tabulates: rule names starting with `kw_` are keywords.
fn is_noise_by_name(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::lbrace
            | Rule::rbrace
            | Rule::lparen
            | Rule::rparen
            | Rule::lbracket
            | Rule::rbracket
            | Rule::comma
            | Rule::colon
            | Rule::plus
            | Rule::equals
            | Rule::EOI
    ) || format!("{rule:?}").starts_with("kw_")
}

/// Drops trailing whitespace and trailing comments (pest may include them at a pair's end when
/// an optional part after the last token was tried and not found).
fn trim_trailing_comments(text: &str) -> &str {
    let mut t = text.trim_end();
    loop {
        let line_start = t.rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let last = t.get(line_start..).unwrap_or("");
        match super::comments::comment_start(last) {
            Some(hash) => t = t.get(..line_start + hash).unwrap_or("").trim_end(),
            None => return t,
        }
    }
}

/// The characters that may follow a backslash in a string.
const ESCAPES: [char; 4] = ['"', '\\', 'n', 't'];

/// Resolves `\"`, `\\`, `\n` and `\t`; any other escape is kept as written, and
/// [`unknown_escapes`] reports it, so no value is ever guessed at.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(c @ ('"' | '\\')) => out.push(c),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Byte offsets (in `raw`, the text between the quotes) of every backslash that starts an
/// escape other than [`ESCAPES`], with the character after it.
pub(super) fn unknown_escapes(raw: &str) -> Vec<(usize, char)> {
    let mut found = Vec::new();
    let mut chars = raw.char_indices();
    while let Some((at, c)) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some((_, next)) if ESCAPES.contains(&next) => {}
                Some((_, next)) => found.push((at, next)),
                None => {}
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_punctuation_are_noise_and_nothing_else_is() {
        for rule in [Rule::kw_playbook, Rule::kw_sigma, Rule::comma, Rule::EOI] {
            assert!(is_noise(rule), "{rule:?}");
        }
        for rule in [Rule::ident, Rule::expr, Rule::duration, Rule::handoff_decl] {
            assert!(!is_noise(rule), "{rule:?}");
        }
        assert!(Rule::all_rules()
            .iter()
            .all(|&r| is_noise(r) == is_noise_by_name(r)));
    }

    #[test]
    fn only_four_escapes_are_resolved_and_the_others_are_found() {
        let raw = r#"C:\temp\report \r\0 \x41 \" \\ \n"#;
        assert_eq!(unescape(raw), "C:\temp\\report \\r\\0 \\x41 \" \\ \n");
        assert_eq!(
            unknown_escapes(raw),
            vec![(7, 'r'), (15, 'r'), (17, '0'), (20, 'x')]
        );
        assert!(unknown_escapes(r#"\\r \\\\"#).is_empty());
    }
}

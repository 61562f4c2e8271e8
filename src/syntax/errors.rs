//! pest errors → diagnostics in plain words.
//!
//! pest reports the rules it expected (`kw_sla`, `ident`); users need `` `sla` `` and "a name".
//! The mapping lives here, next to the grammar's naming conventions (`kw_` prefix = keyword).

use super::Rule;
use crate::diagnostics::messages::{self, SyntaxHint, Unexpected};
use crate::diagnostics::Diagnostic;
use crate::span::{FileId, Span};
use pest::error::{ErrorVariant, InputLocation};

/// Converts a pest failure in the chunk `src[offset..offset + len]` into a located diagnostic.
///
/// The token shown as unexpected is read from the whole source, so a block cut short by the
/// next block's keyword reports that keyword rather than an end of file that is not there.
pub(super) fn syntax_diagnostic(
    file: FileId,
    src: &str,
    offset: usize,
    len: usize,
    err: pest::error::Error<Rule>,
) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let text = src.get(offset..offset + len).unwrap_or("");
    let at = (offset + pos).min(src.len());
    if let ErrorVariant::CustomError { message } = &err.variant {
        // pest gives up on input that recurses too deep or backtracks too long.
        let found = found_token(src, at);
        return messages::too_complex(Span::new(file, at, at + found.len()), message);
    }
    let previous = text.get(..pos).and_then(|s| s.chars().next_back());
    let mut found = found_token(src, at);
    let mut start = at;
    if found.starts_with('=') && previous == Some('=') {
        // `==`: pest stops after the first `=`; show the operator as written.
        start -= 1;
        found = src.get(start..start + found.len() + 1).unwrap_or(found);
    }
    if let Some(diag) = unterminated_string(file, src, at) {
        return diag;
    }
    let end = (start + found.len().max(1)).min(src.len()).max(start);
    let span = Span::new(file, start, end);
    let positives = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } if positives.as_slice() == [Rule::file] => {
            vec![Rule::item, Rule::EOI]
        }
        ErrorVariant::ParsingError { positives, .. } if starts_line(src, start) => {
            new_line_positives(positives)
        }
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let help = hint(found, previous, &positives).or_else(|| named_lead(text, pos, &positives));
    let unexpected = if found.is_empty() {
        Unexpected::EndOfFile
    } else if found.starts_with('"') {
        Unexpected::Text
    } else if starts_line(src, start) && misspelt_keyword(found, &positives) {
        Unexpected::Keyword(found)
    } else {
        Unexpected::Token(found)
    };
    messages::unexpected(span, unexpected, &describe_expected(&positives), help)
}

/// The `lead` block is the one block without a name: say so when a name follows `lead`.
fn named_lead(text: &str, pos: usize, positives: &[Rule]) -> Option<SyntaxHint<'static>> {
    let before = text.get(..pos)?.trim_end();
    let word_start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    (positives == [Rule::lbrace] && before.get(word_start..) == Some("lead"))
        .then_some(SyntaxHint::NamedLead)
}

/// Tokens that only continue a statement (operators, optional tails), never start one: at the
/// start of a line they would be offered as if the line before were still open.
const CONTINUATIONS: &[Rule] = &[
    Rule::kw_and,
    Rule::kw_or,
    Rule::kw_not,
    Rule::kw_in,
    Rule::kw_contains,
    Rule::kw_ends_with,
    Rule::kw_where,
    Rule::kw_within,
    Rule::kw_to,
    Rule::kw_with,
    Rule::kw_as,
    Rule::kw_per,
    Rule::kw_times,
    Rule::kw_unless,
    Rule::kw_business,
    Rule::kw_wall,
    Rule::sla_clock,
    Rule::cmp_op,
    Rule::cmp_in,
    Rule::cmp_not_in,
    Rule::cmp_contains,
    Rule::cmp_ends_with,
];

/// Whether only whitespace stands between the start of its line and byte `at`.
fn starts_line(src: &str, at: usize) -> bool {
    let before = src.get(..at).unwrap_or("");
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    before
        .get(line_start..)
        .is_some_and(|s| s.trim().is_empty())
}

/// What may come at the start of a line: the expected tokens without [`CONTINUATIONS`] of the
/// line before, unless those are all there is (the line before is unfinished).
fn new_line_positives(positives: &[Rule]) -> Vec<Rule> {
    let starts: Vec<Rule> = positives
        .iter()
        .copied()
        .filter(|r| !CONTINUATIONS.contains(r))
        .collect();
    if starts.is_empty() {
        positives.to_vec()
    } else {
        starts
    }
}

/// A word where only keywords (or the end of the block) may stand, close to one of them.
fn misspelt_keyword(found: &str, positives: &[Rule]) -> bool {
    let keyword_like = |r: &Rule| {
        matches!(r, Rule::rbrace | Rule::item | Rule::EOI) || format!("{r:?}").starts_with("kw_")
    };
    !positives.is_empty()
        && positives.iter().all(keyword_like)
        && suggested_keyword(found, positives).is_some()
}

/// "unterminated string" for a `"` at byte `at` that its line ends before closing, pointing
/// at the quote and at the end of the line.
fn unterminated_string(file: FileId, src: &str, at: usize) -> Option<Diagnostic> {
    let rest = src.get(at..)?.strip_prefix('"')?;
    let mut escaped = false;
    let mut line_len = rest.len();
    for (i, c) in rest.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return None,
            '\n' | '\r' => {
                line_len = i;
                break;
            }
            _ => {}
        }
    }
    let text = rest.get(..line_len)?.trim_end();
    let line_end = at + 1 + text.len();
    let last = text.chars().next_back().map_or(0, char::len_utf8);
    Some(messages::unterminated_string(
        Span::new(file, at, at + 1),
        Span::new(file, line_end - last, line_end),
    ))
}

/// The token at `pos`, for "unexpected `x`": a word, a number with its suffix, or one character.
fn found_token(text: &str, pos: usize) -> &str {
    let rest = text.get(pos..).unwrap_or("");
    let word_len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '.' || *c == '%'))
        .map_or(rest.len(), |(i, _)| i);
    if word_len > 0 {
        return rest.get(..word_len).unwrap_or("");
    }
    let op_len = rest
        .char_indices()
        .find(|(_, c)| !matches!(c, '=' | '!' | '<' | '>' | '&' | '|'))
        .map_or(rest.len(), |(i, _)| i);
    if op_len > 1 {
        return rest.get(..op_len).unwrap_or("");
    }
    rest.chars()
        .next()
        .and_then(|c| rest.get(..c.len_utf8()))
        .unwrap_or("")
}

/// Rules that can start an operand; together they read better as "a value".
const OPERAND_RULES: &[Rule] = &[
    Rule::lparen,
    Rule::kw_count,
    Rule::boolean,
    Rule::duration,
    Rule::percent,
    Rule::bad_unit,
    Rule::number,
    Rule::string,
    Rule::ident,
];

/// "`a`, `b` or a name", deduplicated and in a stable order.
fn describe_expected(positives: &[Rule]) -> String {
    let is_value = [Rule::ident, Rule::number, Rule::string]
        .iter()
        .all(|r| positives.contains(r));
    let mut words: Vec<String> = positives
        .iter()
        .filter(|r| !(is_value && (OPERAND_RULES.contains(r) || **r == Rule::kw_not)))
        .filter_map(|r| rule_words(*r))
        .collect();
    words.sort();
    if is_value {
        // Before the sort's alphabetical tail, so the list stays readable.
        let value = if positives.contains(&Rule::kw_not) {
            "a condition"
        } else {
            "a value (a name, a number, a duration or quoted text)"
        };
        words.insert(0, value.to_string());
    }
    words.dedup();
    match words.as_slice() {
        [] => "something else".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// Plain-language name of a rule, or `None` for rules users never need to hear about.
fn rule_words(rule: Rule) -> Option<String> {
    let name = format!("{rule:?}");
    if let Some(kw) = name.strip_prefix("kw_") {
        let kw = match kw {
            "half_life" => "half-life".to_string(),
            "intent_lasts" => "intent lasts".to_string(),
            "around_the_clock" => "around the clock".to_string(),
            other => other.replace('_', " "),
        };
        return Some(format!("`{kw}`"));
    }
    let words = match rule {
        Rule::EOI => "end of file",
        Rule::ident => "a name",
        Rule::string => "quoted text",
        Rule::number => "a number",
        Rule::duration => "a duration such as `15m`, `4h`, `14d` or `1bd`",
        Rule::percent => "a percentage such as `35%`",
        Rule::boolean => "`yes` or `no`",
        Rule::clock_time => "a time of day such as `09:00`",
        Rule::date => "a date such as `2026-12-25`",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::lbracket => "`[`",
        Rule::rbracket => "`]`",
        Rule::comma => "`,`",
        Rule::colon => "`:`",
        Rule::plus => "`+`",
        Rule::equals => "`=`",
        Rule::cmp_op => "a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`)",
        Rule::field_type => "a type (`text`, `number`, `flag` or `one of ...`)",
        Rule::distribution => "a distribution (`constant`, `uniform`, `exponential`, `lognormal` or `empirical`)",
        Rule::event_ref => "an event name or `any`",
        Rule::expr | Rule::or_expr | Rule::and_expr | Rule::not_expr | Rule::comparison => {
            "a condition"
        }
        Rule::list => "a list such as `[a, b]`",
        Rule::context_item => "`why now`, `top N signals`, `last touch`, `campaign source` or `field NAME`",
        Rule::rate => "a rate such as `40 per day`",
        Rule::item => "a block (`playbook`, `calendar`, `lead`, `event`, `score`, `bands`, `disqualify`, `track`, `handoff`, `router`, `queue`, `accounts`, `context`, `sequence`, `reason`, `kpi` or `scenario`)",
        _ => return statement_words(rule),
    };
    Some(words.to_string())
}

/// Statement and block rules are named after their leading keyword.
fn statement_words(rule: Rule) -> Option<String> {
    let name = format!("{rule:?}");
    let stem = name
        .strip_suffix("_decl")
        .or_else(|| name.strip_suffix("_stmt"))
        .or_else(|| name.strip_suffix("_block"))?;
    Some(format!("a `{}` statement", stem.replace('_', " ")))
}

/// The expected keyword closest to `found`, if `found` looks like a misspelling of it.
fn suggested_keyword(found: &str, positives: &[Rule]) -> Option<String> {
    let keywords: Vec<String> = positives
        .iter()
        .filter_map(|r| format!("{r:?}").strip_prefix("kw_").map(str::to_string))
        .chain(
            (positives.contains(&Rule::item) || positives.contains(&Rule::file))
                .then(|| super::BLOCK_KEYWORDS.iter().map(|k| k.to_string()))
                .into_iter()
                .flatten(),
        )
        .collect();
    crate::diagnostics::suggest::did_you_mean(found, keywords.iter().map(String::as_str))
        .map(str::to_string)
}

/// A targeted hint for frequent slips.
fn hint<'a>(found: &'a str, previous: Option<char>, positives: &[Rule]) -> Option<SyntaxHint<'a>> {
    let expects = |r: Rule| positives.contains(&r);
    if found.starts_with("==") || (found.starts_with('=') && previous == Some('=')) {
        return Some(SyntaxHint::DoubleEquals);
    }
    if found == "&&" || found == "||" || found == "!" {
        return Some(SyntaxHint::SymbolicLogic);
    }
    if let Some(k) = suggested_keyword(found, positives) {
        return Some(SyntaxHint::Keyword(k));
    }
    if expects(Rule::duration) && found.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        let unit = found.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
        if !unit.is_empty() {
            return Some(SyntaxHint::NotAUnit(unit));
        }
        return Some(SyntaxHint::MissingUnit);
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used)]

    use super::*;

    /// No statement of any block starts with a token [`CONTINUATIONS`] drops at a line start.
    #[test]
    fn no_statement_starts_with_a_continuation() {
        let grammar = include_str!("../../grammar/playbook.pest");
        let statement = |name: &str| {
            ["_stmt", "_block", "_ref", "_decl", "_limit"]
                .iter()
                .any(|s| name.ends_with(s))
                || name.starts_with("rule_")
        };
        let mut seen = 0;
        for line in grammar.lines() {
            let Some((name, body)) = line.split_once('=') else {
                continue;
            };
            let name = name.trim();
            if !statement(name) {
                continue;
            }
            let first = body
                .trim_start_matches([' ', '_', '{', '('])
                .split([' ', '|', ')'])
                .next()
                .unwrap_or("");
            seen += 1;
            assert!(
                !CONTINUATIONS.iter().any(|r| format!("{r:?}") == first),
                "`{name}` starts with `{first}`"
            );
        }
        assert!(seen > 50, "only {seen} statement rules found");
    }

    /// The one diagnostic of parsing `src`, with its labels' spans.
    fn only_error(src: &str) -> (String, Vec<(usize, usize)>) {
        let parsed = super::super::parse(FileId(0), src);
        assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
        let d = &parsed.diagnostics[0];
        let spans = d
            .labels
            .iter()
            .map(|l| (l.span.start as usize, l.span.end as usize));
        (d.message.clone(), spans.collect())
    }

    #[test]
    fn an_unterminated_string_is_shown_from_its_quote_to_its_line_end() {
        // An escaped quote does not close it, the end of file ends the line, a CR does too.
        let src = "playbook p {\n  title \"a \\\" b  ";
        let quote = src.find('"').unwrap();
        assert_eq!(
            only_error(src),
            (
                "unterminated string".to_string(),
                vec![(quote, quote + 1), (src.len() - 3, src.len() - 2)]
            )
        );
        let src = "playbook p {\r  title \"ab\r}\r";
        let quote = src.find('"').unwrap();
        assert_eq!(
            only_error(src).1,
            vec![(quote, quote + 1), (quote + 2, quote + 3)]
        );
        assert_eq!(
            only_error("playbook p {\n  title \"ab\" x\n}\n").0,
            "unexpected `x`"
        );
    }
}

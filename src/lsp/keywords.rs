//! The language's words, as completion offers them and rename refuses them.
//!
//! The grammar (`grammar/playbook.pest`) is the authority; these lists follow its statement
//! rules so completion can offer the words a block accepts at the start of a statement.

/// Keywords that start a top-level block: the parser's own list, which its recovery uses.
pub const BLOCKS: &[&str] = crate::syntax::BLOCK_KEYWORDS;

/// Words of conditions (`when`, `where`), valid in every block that takes one.
pub const CONDITION: &[&str] = &[
    "and",
    "or",
    "not",
    "in",
    "contains",
    "ends with",
    "count",
    "where",
    "within",
    "yes",
    "no",
];

/// The words that start a statement in a block introduced by `block`.
pub fn statements(block: &str) -> &'static [&'static str] {
    match block {
        "playbook" => &["title", "calendar", "roles"],
        "calendar" => &["timezone", "hours", "holiday"],
        "lead" | "event" => &["text", "number", "flag", "one of"],
        "score" => &[
            "decay half-life",
            "cap",
            "add",
            "subtract",
            "per",
            "when",
            "where",
        ],
        "bands" => &["band", "from", "to", "below"],
        "disqualify" => &["when", "on", "where", "reason"],
        "track" => &[
            "enter by default",
            "enter when",
            "exit to",
            "touch",
            "every",
            "times",
            "then move to",
            "then close as",
            "kpi",
        ],
        "handoff" => &[
            "on",
            "where",
            "when",
            "priority",
            "route to",
            "route via",
            "sla",
            "sla same day",
            "business",
            "wall",
            "context",
            "sequence",
            "on breach",
            "rescue with",
            "requeue",
            "escalate to",
            "reassign",
            "notify",
            "after",
            "kpi",
        ],
        "router" => &["owner from", "when", "to", "otherwise to"],
        "queue" => &[
            "members",
            "assign round robin",
            "assign least loaded",
            "capacity",
            "calendar",
            "order fifo",
            "order by",
            "overflow to",
        ],
        "accounts" => &["key", "owner"],
        "context" => &[
            "include why now",
            "include top",
            "include last touch",
            "include campaign source",
            "include field",
            "message",
            "cta",
        ],
        "sequence" => &["day", "max attempts", "on", "disposition"],
        "reason" => &[
            "label",
            "recycle to",
            "after",
            "convert",
            "close",
            "suppress for",
            "unless",
            "kpi",
        ],
        "kpi" => &[
            "label", "target", "at least", "at most", "below", "median", "p90", "mean",
        ],
        "scenario" => &[
            "horizon",
            "warm-up",
            "source",
            "mix",
            "draw",
            "chance",
            "profile",
            "signal",
            "responds",
            "lasts",
            "staff",
            "sellers",
            "handle",
            "follow-up",
            "prefer follow-ups",
            "prefer new leads",
            "pickup delay",
            "following",
            "calendar",
            "around the clock",
            "connect",
            "meeting",
            "after connect",
        ],
        "shape" => &[
            "timezone",
            "on",
            "holidays from",
            "trend up",
            "trend down",
            "per year",
        ],
        "test" => &[
            "given lead",
            "at",
            "event",
            "set",
            "seller picks up",
            "touch",
            "dispose",
            "after",
            "expect handed off by",
            "expect no handoff",
            "expect sla due",
            "expect breaches",
            "expect in track",
            "expect converted",
            "expect closed",
            "expect recycled",
            "expect disqualified as",
            "expect suppressed until",
            "expect score",
            "expect band",
            "expect assigned to",
            "expect rescued with",
            "expect requeued",
            "expect escalated",
            "expect reassigned",
            "expect context",
        ],
        _ => &[],
    }
}

/// Whether `word` is one of the language's words, which a declared name must not be.
pub fn is_keyword(word: &str) -> bool {
    let is = |list: &[&str]| list.iter().any(|k| k.split(' ').any(|w| w == word));
    is(BLOCKS)
        || is(CONDITION)
        || BLOCKS.iter().any(|b| is(statements(b)))
        || word == "otherwise"
        || word == "any"
}

/// Whether `word` has the shape of a name: a letter or `_`, then letters, digits and `_`.
pub fn is_name(word: &str) -> bool {
    let mut chars = word.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    /// The words that start each alternative of the grammar's `expect_*` rules, as written
    /// (`kw_handed_off` is `handed off`).
    fn grammar_expectations() -> Vec<String> {
        let grammar = include_str!("../../grammar/playbook.pest");
        let mut words = Vec::new();
        let mut rule = String::new();
        for line in grammar.lines() {
            if line.starts_with("expect_") && !line.starts_with("expect_stmt") {
                rule = line.split_once('{').unwrap().1.to_owned();
            } else if !rule.is_empty() && line.trim_start().starts_with('|') {
                rule.push_str(line);
            } else {
                continue;
            }
            if !rule.trim_end().ends_with('}') {
                continue;
            }
            for alternative in top_level_alternatives(&std::mem::take(&mut rule)) {
                // The first element, a keyword or a group of them.
                let first = alternative.split(" ~ ").next().unwrap();
                let keywords = first.split(|c: char| !(c.is_alphanumeric() || c == '_'));
                for keyword in keywords.filter_map(|w| w.strip_prefix("kw_")) {
                    words.push(keyword.replace('_', " "));
                }
            }
        }
        words
    }

    /// A rule's body split at the `|` outside parentheses.
    fn top_level_alternatives(rule: &str) -> Vec<String> {
        let (mut depth, mut parts, mut part) = (0, Vec::new(), String::new());
        for c in rule.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                '|' if depth == 0 => {
                    parts.push(std::mem::take(&mut part));
                    continue;
                }
                _ => {}
            }
            part.push(c);
        }
        parts.push(part);
        parts
    }

    #[test]
    fn every_expectation_of_the_grammar_is_offered_in_a_test_block() {
        let offered = statements("test");
        let words = grammar_expectations();
        assert!(words.len() >= 15, "{words:?}");
        for word in words {
            let wanted = format!("expect {word}");
            assert!(
                offered.iter().any(|o| o.starts_with(&wanted)),
                "`{wanted}` is not offered"
            );
        }
    }
}

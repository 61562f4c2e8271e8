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

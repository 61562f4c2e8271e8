//! Conditions and what they compare, and windowed counters.

use super::*;

/// A typed boolean condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Cond {
    /// Always true (an absent condition).
    True,
    /// All hold.
    And {
        /// Operands.
        all: Vec<Cond>,
    },
    /// Any holds.
    Or {
        /// Operands.
        any: Vec<Cond>,
    },
    /// Negation.
    Not {
        /// The condition that must not hold.
        cond: Box<Cond>,
    },
    /// Numeric comparison.
    Compare {
        /// Left operand, as written (`3 <= count ...` keeps its order).
        lhs: Num,
        /// The comparison; equality tolerates float noise.
        cmp: Cmp,
        /// Right operand.
        rhs: Num,
    },
    /// A flag field is yes.
    Flag {
        /// The flag field read; a missing or non-flag value makes the test false.
        field: FieldRef,
    },
    /// An enum field's value is in a set (bit `i` = value `i`).
    EnumIn {
        /// The lead or event field whose value is tested.
        field: FieldRef,
        /// Allowed values as a bitmask.
        mask: u64,
    },
    /// A text field equals one of the values (case-insensitive, as CRMs compare).
    TextIn {
        /// The lead or event field whose value is tested.
        field: FieldRef,
        /// Lowercased candidates.
        values: Vec<String>,
    },
    /// A text field contains a substring (case-insensitive).
    Contains {
        /// The text field searched; a missing value makes the test false.
        field: FieldRef,
        /// Lowercased needle.
        needle: String,
    },
    /// A text field ends with a suffix (case-insensitive).
    EndsWith {
        /// The text field whose end is tested.
        field: FieldRef,
        /// Lowercased suffix.
        suffix: String,
    },
    /// The lead's band in a band set is one of `mask`.
    BandIn {
        /// The band set whose band (by its summed scores now) is tested.
        bands: BandSetId,
        /// Allowed bands as a bitmask (bit `i` = band `i`).
        mask: u64,
    },
    /// A text field's value is a key of a named-account set.
    InAccounts {
        /// The field holding the lead's domain, looked up in the account set.
        field: FieldRef,
        /// The account set the field's value is looked up in.
        accounts: AccountsId,
    },
}

/// Comparison operators on numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cmp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Cmp {
    /// Applies the comparison.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }
}

/// A numeric operand: missing or mistyped values make the comparison false, never an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Num {
    /// A constant (percentages are fractions, durations seconds).
    Const(f64),
    /// A number field of the lead or of the event.
    Field(FieldRef),
    /// A score's current value.
    Score(ScoreId),
    /// Events in a sliding window.
    Count(CounterId),
}

/// `count EVENT [where F] within W`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counter {
    /// Event counted; `None` counts every event.
    pub event: Option<EventId>,
    /// Filter on the event's fields.
    pub filter: Cond,
    /// Window length in seconds.
    pub window_secs: i64,
    /// How many of the latest counted times the engine keeps (`None`: all within the window).
    /// The checker sets it from the comparisons that read the count: when every one compares
    /// it with a constant `n`, counts above `floor(n) + 1` all compare alike (tolerance
    /// included), so keeping `floor(n) + 2` times is exact and bounds a lead's state however
    /// busy the lead. An edit of the IR that changes such a constant must raise it too.
    #[serde(default)]
    pub keep: Option<u32>,
}

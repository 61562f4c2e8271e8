//! Calendars, fields, scores, and the literals and tokens statements carry.

use super::*;

/// Calendar statements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum CalendarStmt {
    /// `timezone "Europe/London"`
    Timezone(StrLit),
    /// `hours mon to fri 09:00 to 17:30`
    Hours {
        /// First weekday.
        from_day: Ident,
        /// Last weekday, when a range.
        to_day: Option<Ident>,
        /// Opening time as written (`09:00`).
        open: Token,
        /// Closing time as written.
        close: Token,
    },
    /// `holiday 2026-12-25 "Christmas Day"`
    Holiday {
        /// The date as written.
        date: Token,
        /// Optional description.
        label: Option<StrLit>,
    },
}

/// A literal kept as its source text (times, dates); the checker validates it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Token {
    /// Source text.
    pub text: String,
    /// Where.
    pub loc: Loc,
}

/// `name: type` in a lead or event block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDecl {
    /// Field name.
    pub name: Ident,
    /// Declared type.
    pub ty: FieldType,
}

/// Field types a RevOps author can write.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum FieldType {
    /// Free text.
    Text,
    /// A number.
    Number,
    /// Yes or no.
    Flag,
    /// `one of a, b, c`.
    OneOf(Vec<Ident>),
}

/// Statements of a `score` block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ScoreStmt {
    /// `decay half-life 14d`
    Decay(DurationLit),
    /// `cap 100`
    Cap(NumberLit),
    /// `add N per EVENT [where ...]` or `add N when ...` (`subtract` negates).
    Points {
        /// `add` is true, `subtract` false.
        add: bool,
        /// Points.
        amount: NumberLit,
        /// What earns them.
        basis: PointsBasis,
    },
}

/// What earns score points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PointsBasis {
    /// Each matching event.
    PerEvent {
        /// Which event.
        event: EventRef,
        /// Optional filter on the event's fields.
        filter: Option<Expr>,
    },
    /// While a condition holds.
    When(Expr),
}

/// A number with where it was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumberLit {
    /// Value.
    pub value: f64,
    /// Where.
    pub loc: Loc,
}

/// A duration literal, unnormalised: `unit` says how it was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DurationLit {
    /// Magnitude.
    pub value: f64,
    /// Unit as written.
    pub unit: DurationUnit,
    /// Where.
    pub loc: Loc,
}

/// Duration units; business units need a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    /// `m`
    Minutes,
    /// `h`
    Hours,
    /// `d`
    Days,
    /// `w`
    Weeks,
    /// `bh`, counted in a calendar's working hours.
    BusinessHours,
    /// `bd`, counted in a calendar's working days.
    BusinessDays,
}

impl DurationUnit {
    /// The suffix as written in source.
    pub fn suffix(self) -> &'static str {
        match self {
            DurationUnit::Minutes => "m",
            DurationUnit::Hours => "h",
            DurationUnit::Days => "d",
            DurationUnit::Weeks => "w",
            DurationUnit::BusinessHours => "bh",
            DurationUnit::BusinessDays => "bd",
        }
    }

    /// True for units that count business time.
    pub fn is_business(self) -> bool {
        matches!(
            self,
            DurationUnit::BusinessHours | DurationUnit::BusinessDays
        )
    }
}

/// `EVENT` or `any`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum EventRef {
    /// Any event at all.
    Any(Loc),
    /// A declared event.
    Named(Ident),
}

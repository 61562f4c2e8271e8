//! Conditions: expressions, lists, comparisons and literals.

use super::*;

/// A boolean condition or value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    /// Shape.
    pub kind: ExprKind,
    /// Where.
    pub loc: Loc,
}

/// Expression shapes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ExprKind {
    /// `a or b or ...` (two or more).
    Or(Vec<Expr>),
    /// `a and b and ...` (two or more).
    And(Vec<Expr>),
    /// `not a`
    Not(Box<Expr>),
    /// `a OP b`
    Compare {
        /// Operator.
        op: CmpOp,
        /// Left side.
        lhs: Box<Expr>,
        /// Right side.
        rhs: Box<Expr>,
    },
    /// `a [not] in [x, y]` or `a in ACCOUNTS`
    In {
        /// Tested value.
        value: Box<Expr>,
        /// Candidates.
        list: List,
        /// `not in`
        negated: bool,
    },
    /// `a contains "x"`
    Contains(Box<Expr>, StrLit),
    /// `a ends with "x"`
    EndsWith(Box<Expr>, StrLit),
    /// `( a )`, kept so the formatter reproduces the author's grouping.
    Paren(Box<Expr>),
    /// `count EVENT [where ...] within DUR`
    Count {
        /// Event counted.
        event: EventRef,
        /// Filter.
        filter: Option<Box<Expr>>,
        /// Window.
        within: DurationLit,
    },
    /// A literal.
    Lit(Literal),
    /// A field, score, band set or value name.
    Name(Ident),
}

/// The right-hand side of `in`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum List {
    /// `[a, b]`
    Items(Vec<Expr>, Loc),
    /// A named set, such as an `accounts` block.
    Named(Ident),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CmpOp {
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

impl CmpOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// Literal values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Literal {
    /// `42`, `-3.5`
    Number(NumberLit),
    /// `15m`
    Duration(DurationLit),
    /// `35%` (value is the number before `%`).
    Percent(NumberLit),
    /// `yes` / `no`
    Bool(bool, Loc),
    /// `"text"`
    Text(StrLit),
    /// A name used as a value (enum value, band label).
    Name(Ident),
    /// A number glued to an unknown unit (`5x`); the checker reports it.
    BadUnit(Token),
}

impl Literal {
    /// Where the literal is.
    pub fn loc(&self) -> Loc {
        match self {
            Literal::Number(n) | Literal::Percent(n) => n.loc,
            Literal::Duration(d) => d.loc,
            Literal::Bool(_, l) => *l,
            Literal::Text(s) => s.loc,
            Literal::Name(i) => i.loc,
            Literal::BadUnit(t) => t.loc,
        }
    }
}

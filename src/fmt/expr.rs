//! Expressions and literals in canonical spelling.
//!
//! Everything here is a pure function of the AST: spacing, keyword case and number spelling are
//! fixed, so two sources that parse to the same tree print the same text.

use crate::syntax::ast::{
    DistKind, Distribution, DurationLit, EventRef, Expr, ExprKind, Ident, List, Literal, NumberLit,
    Share, ShareValue, StrLit,
};

/// Appends an expression; the author's parentheses are kept and no others are added, which is
/// enough because the tree already records the grouping the grammar gave the source.
pub(super) fn write(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Or(parts) => separated(out, parts, " or "),
        ExprKind::And(parts) => separated(out, parts, " and "),
        ExprKind::Not(inner) => {
            out.push_str("not ");
            write(out, inner);
        }
        ExprKind::Compare { op, lhs, rhs } => {
            write(out, lhs);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            write(out, rhs);
        }
        ExprKind::In {
            value,
            list,
            negated,
        } => {
            write(out, value);
            out.push_str(if *negated { " not in " } else { " in " });
            match list {
                List::Items(items, _) => {
                    out.push('[');
                    separated(out, items, ", ");
                    out.push(']');
                }
                List::Named(name) => out.push_str(&name.name),
            }
        }
        ExprKind::Contains(value, s) => {
            write(out, value);
            out.push_str(" contains ");
            out.push_str(&string(s));
        }
        ExprKind::EndsWith(value, s) => {
            write(out, value);
            out.push_str(" ends with ");
            out.push_str(&string(s));
        }
        ExprKind::Paren(inner) => {
            out.push('(');
            write(out, inner);
            out.push(')');
        }
        ExprKind::Count {
            event,
            filter,
            within,
        } => {
            out.push_str("count ");
            out.push_str(event_ref(event));
            if let Some(f) = filter {
                out.push_str(" where ");
                write(out, f);
            }
            out.push_str(" within ");
            out.push_str(&duration(within));
        }
        ExprKind::Lit(lit) => out.push_str(&literal(lit)),
        ExprKind::Name(name) => out.push_str(&name.name),
    }
}

/// The keyword and operands of a top-level `or`/`and` chain, the only place a line may break.
pub(super) fn chain(e: &Expr) -> Option<(&'static str, &[Expr])> {
    match &e.kind {
        ExprKind::Or(parts) => Some(("or", parts)),
        ExprKind::And(parts) => Some(("and", parts)),
        _ => None,
    }
}

fn separated(out: &mut String, parts: &[Expr], sep: &str) {
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        write(out, part);
    }
}

/// Shortest text that reads back as the same `f64`: integers without `.0`, no exponent (the
/// grammar has none).
pub(super) fn number(value: f64) -> String {
    if value.is_infinite() {
        // Only a literal longer than 308 digits overflows; a 310-digit one overflows the same way.
        let sign = if value < 0.0 { "-" } else { "" };
        return format!("{sign}1{}", "0".repeat(309));
    }
    format!("{value}")
}

/// `N` from a number literal.
pub(super) fn num(n: &NumberLit) -> String {
    number(n.value)
}

/// `N%`
pub(super) fn percent(n: &NumberLit) -> String {
    format!("{}%", number(n.value))
}

/// `Nunit`, the unit as the author chose it.
pub(super) fn duration(d: &DurationLit) -> String {
    format!("{}{}", number(d.value), d.unit.suffix())
}

/// A quoted string with `"`, `\`, newline and tab escaped.
pub(super) fn string(s: &StrLit) -> String {
    let mut out = String::with_capacity(s.value.len() + 2);
    out.push('"');
    for c in s.value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Any literal value.
pub(super) fn literal(lit: &Literal) -> String {
    match lit {
        Literal::Number(n) => num(n),
        Literal::Duration(d) => duration(d),
        Literal::Percent(n) => percent(n),
        Literal::Bool(b, _) => (if *b { "yes" } else { "no" }).to_string(),
        Literal::Text(s) => string(s),
        Literal::Name(i) => i.name.clone(),
        Literal::BadUnit(t) => t.text.clone(),
    }
}

/// `any` or the event's name.
pub(super) fn event_ref(e: &EventRef) -> &str {
    match e {
        EventRef::Any(_) => "any",
        EventRef::Named(i) => &i.name,
    }
}

/// Names joined by `sep` (`, ` for lists, ` + ` for score sums).
pub(super) fn names(ids: &[Ident], sep: &str) -> String {
    let mut out = String::new();
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(&id.name);
    }
    out
}

/// `{ a 10%, "b" 20% }`, on one line.
pub(super) fn shares(shares: &[Share]) -> String {
    let items: Vec<String> = shares
        .iter()
        .map(|s| {
            let value = match &s.value {
                ShareValue::Name(i) => i.name.clone(),
                ShareValue::Text(t) => string(t),
            };
            format!("{value} {}", percent(&s.percent))
        })
        .collect();
    format!("{{ {} }}", items.join(", "))
}

/// `constant(v)`, `uniform(a, b)`, `exponential(mean v)`, `lognormal(median v, sigma s)` or
/// `empirical(v p%, ...)`.
pub(super) fn distribution(d: &Distribution) -> String {
    match &d.kind {
        DistKind::Constant(v) => format!("constant({})", literal(v)),
        DistKind::Uniform(a, b) => format!("uniform({}, {})", literal(a), literal(b)),
        DistKind::Exponential(m) => format!("exponential(mean {})", literal(m)),
        DistKind::Lognormal(m, s) => {
            format!("lognormal(median {}, sigma {})", literal(m), num(s))
        }
        DistKind::Empirical(points) => {
            let items: Vec<String> = points
                .iter()
                .map(|(v, p)| format!("{} {}", literal(v), percent(p)))
                .collect();
            format!("empirical({})", items.join(", "))
        }
    }
}

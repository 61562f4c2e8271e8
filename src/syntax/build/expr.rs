//! Conditions: expressions, comparisons, lists, event references and the `find_*` helpers statements use to pick one child.

use super::*;

impl Builder {
    pub(super) fn expr(&self, p: P) -> Expr {
        let loc = self.loc(&p);
        let kind = match p.as_rule() {
            Rule::expr => {
                return p
                    .into_inner()
                    .next()
                    .map(|c| self.expr(c))
                    .unwrap_or_else(|| self.bad_expr(loc))
            }
            Rule::or_expr | Rule::and_expr => {
                let is_or = p.as_rule() == Rule::or_expr;
                let mut parts: Vec<Expr> =
                    self.parts(p).into_iter().map(|c| self.expr(c)).collect();
                if parts.len() == 1 {
                    return parts.pop().unwrap_or_else(|| self.bad_expr(loc));
                }
                if is_or {
                    ExprKind::Or(parts)
                } else {
                    ExprKind::And(parts)
                }
            }
            Rule::not_expr => {
                let mut parts = self.parts(p.clone());
                let negated = p.into_inner().any(|c| c.as_rule() == Rule::kw_not);
                let inner = parts
                    .pop()
                    .map(|c| self.expr(c))
                    .unwrap_or_else(|| self.bad_expr(loc));
                if negated {
                    ExprKind::Not(Box::new(inner))
                } else {
                    return inner;
                }
            }
            Rule::comparison => return self.comparison(p),
            Rule::paren => ExprKind::Paren(Box::new(
                self.parts(p)
                    .into_iter()
                    .next()
                    .map(|c| self.expr(c))
                    .unwrap_or_else(|| self.bad_expr(loc)),
            )),
            Rule::count_expr => {
                let mut event = EventRef::Any(loc);
                let mut filter = None;
                let mut within = None;
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::event_ref => event = self.event_ref(c),
                        Rule::expr => filter = Some(Box::new(self.expr(c))),
                        Rule::duration => within = Some(self.duration(&c)),
                        _ => {}
                    }
                }
                ExprKind::Count {
                    event,
                    filter,
                    within: within.unwrap_or(DurationLit {
                        value: f64::NAN,
                        unit: DurationUnit::Days,
                        loc,
                    }),
                }
            }
            Rule::ident => ExprKind::Name(self.ident(&p)),
            _ => match self.literal(p) {
                Some(lit) => ExprKind::Lit(lit),
                None => return self.bad_expr(loc),
            },
        };
        Expr { kind, loc }
    }

    pub(super) fn bad_expr(&self, loc: Loc) -> Expr {
        Expr {
            kind: ExprKind::Lit(Literal::BadUnit(Token {
                text: String::new(),
                loc,
            })),
            loc,
        }
    }

    pub(super) fn comparison(&self, p: P) -> Expr {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let Some(first) = parts.next() else {
            return self.bad_expr(loc);
        };
        let lhs = self.expr(first);
        let Some(tail) = parts.next() else {
            return lhs;
        };
        let lhs = Box::new(lhs);
        let kind = match tail.as_rule() {
            Rule::cmp_op => {
                let op = match tail.as_str() {
                    "=" => CmpOp::Eq,
                    "!=" => CmpOp::Ne,
                    "<" => CmpOp::Lt,
                    "<=" => CmpOp::Le,
                    ">" => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                let rhs = parts
                    .next()
                    .map(|c| self.expr(c))
                    .unwrap_or_else(|| self.bad_expr(loc));
                ExprKind::Compare {
                    op,
                    lhs,
                    rhs: Box::new(rhs),
                }
            }
            Rule::cmp_in | Rule::cmp_not_in => {
                let negated = tail.as_rule() == Rule::cmp_not_in;
                let list = tail
                    .into_inner()
                    .find(|c| c.as_rule() == Rule::list)
                    .map(|l| self.list(l))
                    .unwrap_or(List::Items(Vec::new(), loc));
                ExprKind::In {
                    value: lhs,
                    list,
                    negated,
                }
            }
            Rule::cmp_contains | Rule::cmp_ends_with => {
                let is_contains = tail.as_rule() == Rule::cmp_contains;
                let s = tail
                    .into_inner()
                    .find(|c| c.as_rule() == Rule::string)
                    .map(|c| self.string(&c))
                    .unwrap_or(StrLit {
                        value: String::new(),
                        loc,
                    });
                if is_contains {
                    ExprKind::Contains(lhs, s)
                } else {
                    ExprKind::EndsWith(lhs, s)
                }
            }
            _ => return *lhs,
        };
        Expr { kind, loc }
    }

    pub(super) fn list(&self, p: P) -> List {
        let loc = self.loc(&p);
        let bracketed = p
            .clone()
            .into_inner()
            .any(|c| c.as_rule() == Rule::lbracket);
        let parts = self.parts(p);
        if let (false, [only]) = (bracketed, parts.as_slice()) {
            return List::Named(self.ident(only));
        }
        List::Items(parts.into_iter().map(|c| self.expr(c)).collect(), loc)
    }

    pub(super) fn event_ref(&self, p: P) -> EventRef {
        let loc = self.loc(&p);
        match p.into_inner().find(|c| c.as_rule() == Rule::ident) {
            Some(i) => EventRef::Named(self.ident(&i)),
            None => EventRef::Any(loc),
        }
    }

    /// `EVENT [where EXPR]` as found in `on` statements and `per` points.
    pub(super) fn event_filter(&self, p: P) -> (EventRef, Option<Expr>) {
        let mut event = EventRef::Any(self.loc(&p));
        let mut filter = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::event_ref => event = self.event_ref(c),
                Rule::expr => filter = Some(self.expr(c)),
                _ => {}
            }
        }
        (event, filter)
    }

    pub(super) fn find_expr(&self, p: P) -> Expr {
        let loc = self.loc(&p);
        p.into_inner()
            .find(|c| c.as_rule() == Rule::expr)
            .map(|c| self.expr(c))
            .unwrap_or_else(|| self.bad_expr(loc))
    }

    pub(super) fn find_number(&self, p: P) -> NumberLit {
        let loc = self.loc(&p);
        p.into_inner()
            .find(|c| matches!(c.as_rule(), Rule::number | Rule::percent))
            .map(|c| self.number(&c))
            .unwrap_or(NumberLit {
                value: f64::NAN,
                loc,
            })
    }

    pub(super) fn find_duration(&self, p: P) -> Option<DurationLit> {
        p.into_inner()
            .find(|c| c.as_rule() == Rule::duration)
            .map(|c| self.duration(&c))
    }

    pub(super) fn find_string(&self, p: P) -> Option<StrLit> {
        p.into_inner()
            .find(|c| c.as_rule() == Rule::string)
            .map(|c| self.string(&c))
    }
}

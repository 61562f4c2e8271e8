//! Conditions: name resolution, typing and lowering to [`ir::Cond`].
//!
//! The grammar accepts any operand on either side of any operator; this is where `segment =
//! enterprize` becomes "not one of the field's values" and `employees = "many"` a type error.

use super::names::Kind;
use super::Lowerer;
use crate::diagnostics::suggest::did_you_mean;
use crate::diagnostics::{messages, Diagnostic};
use crate::ir::{self, Cmp, Cond, FieldRef, FieldType, Num};
use crate::syntax::ast::{self, CmpOp, Expr, ExprKind, Ident, List, Literal};

/// The event whose fields a condition may read (`on EVENT where ...`, counters, points).
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// Lead attributes, scores and bands only.
    Lead,
    /// Also the fields of this event (`None`: `any`, which has no fields).
    Event(Option<ir::EventId>),
}

/// What an operand denotes, before it becomes part of a condition.
enum Operand {
    Field(FieldRef, FieldType),
    Bands(ir::BandSetId),
    Num(Num),
    Duration,
    Percent,
    Text(String),
    Bool(bool),
    Bare(Ident),
    Cond(Cond),
    Invalid,
}

impl Operand {
    fn describe(&self) -> &'static str {
        match self {
            Operand::Field(_, FieldType::Text) => "a text field",
            Operand::Field(_, FieldType::Number) => "a number field",
            Operand::Field(_, FieldType::Flag) => "a flag",
            Operand::Field(_, FieldType::OneOf { .. }) => "a `one of` field",
            Operand::Bands(_) => "a band set",
            Operand::Num(_) => "a number",
            Operand::Duration => "a duration",
            Operand::Percent => "a percentage",
            Operand::Text(_) => "text",
            Operand::Bool(_) => "`yes` or `no`",
            Operand::Bare(_) => "a name",
            Operand::Cond(_) => "a condition",
            Operand::Invalid => "an invalid value",
        }
    }
}

impl Lowerer<'_> {
    /// Lowers a condition; errors are reported and the result is `Cond::True` where unusable.
    pub(super) fn cond(&mut self, e: &Expr, scope: Scope) -> Cond {
        match &e.kind {
            ExprKind::Or(parts) => Cond::Or {
                any: parts.iter().map(|p| self.cond(p, scope)).collect(),
            },
            ExprKind::And(parts) => Cond::And {
                all: parts.iter().map(|p| self.cond(p, scope)).collect(),
            },
            ExprKind::Not(inner) => negate(self.cond(inner, scope)),
            ExprKind::Paren(inner) => self.cond(inner, scope),
            ExprKind::Compare { op, lhs, rhs } => self.compare(*op, lhs, rhs, scope),
            ExprKind::In {
                value,
                list,
                negated,
            } => {
                let c = self.in_list(value, list, scope);
                if *negated {
                    negate(c)
                } else {
                    c
                }
            }
            ExprKind::Contains(value, needle) | ExprKind::EndsWith(value, needle) => {
                let contains = matches!(e.kind, ExprKind::Contains(..));
                match self.operand(value, scope) {
                    Operand::Field(field, FieldType::Text) => {
                        let text = needle.value.to_lowercase();
                        if contains {
                            Cond::Contains {
                                field,
                                needle: text,
                            }
                        } else {
                            Cond::EndsWith {
                                field,
                                suffix: text,
                            }
                        }
                    }
                    Operand::Invalid => Cond::True,
                    Operand::Bare(id) => {
                        self.unknown_name(&id, scope);
                        Cond::True
                    }
                    other => {
                        let op = if contains { "contains" } else { "ends with" };
                        self.diags.push(messages::text_operator_on(
                            *value.loc,
                            op,
                            other.describe(),
                            is_what(value, &other),
                        ));
                        Cond::True
                    }
                }
            }
            _ => match self.operand(e, scope) {
                Operand::Cond(c) => c,
                Operand::Field(field, FieldType::Flag) => Cond::Flag { field },
                Operand::Bool(true) | Operand::Invalid => Cond::True,
                Operand::Bool(false) => negate(Cond::True),
                Operand::Bare(id) => {
                    self.unknown_name(&id, scope);
                    Cond::True
                }
                other => {
                    let help = condition_help(e, &other);
                    self.diags.push(messages::not_a_condition(
                        *e.loc,
                        other.describe(),
                        &is_what(e, &other),
                        help,
                    ));
                    Cond::True
                }
            },
        }
    }

    fn operand(&mut self, e: &Expr, scope: Scope) -> Operand {
        match &e.kind {
            ExprKind::Paren(inner) => self.operand(inner, scope),
            ExprKind::Name(id) => self.name_operand(id, scope),
            ExprKind::Lit(lit) => self.literal_operand(lit),
            ExprKind::Count {
                event,
                filter,
                within,
            } => {
                let event = self.event_ref(event);
                let Some(event) = event else {
                    return Operand::Invalid;
                };
                let filter = filter
                    .as_ref()
                    .map_or(Cond::True, |f| self.cond(f, Scope::Event(event)));
                let window_secs = self.wall_secs(within, "a counting window");
                Operand::Num(Num::Count(self.counter(ir::Counter {
                    event,
                    filter,
                    window_secs,
                    keep: Some(0),
                })))
            }
            _ => Operand::Cond(self.cond(e, scope)),
        }
    }

    fn literal_operand(&mut self, lit: &Literal) -> Operand {
        match lit {
            Literal::Number(n) => Operand::Num(Num::Const(n.value)),
            Literal::Duration(d) => {
                self.wall_secs(d, "a comparison");
                Operand::Duration
            }
            Literal::Percent(p) => {
                self.percent(p);
                Operand::Percent
            }
            Literal::Bool(b, _) => Operand::Bool(*b),
            Literal::Text(s) => Operand::Text(s.value.clone()),
            Literal::Name(id) => Operand::Bare(id.clone()),
            Literal::BadUnit(t) => {
                self.bad_unit(t);
                Operand::Invalid
            }
        }
    }

    fn name_operand(&mut self, id: &Ident, scope: Scope) -> Operand {
        if let Scope::Event(Some(event)) = scope {
            let fields = self.event_fields(event);
            if let Some((i, f)) = fields.iter().enumerate().find(|(_, f)| f.name == id.name) {
                return Operand::Field(
                    FieldRef::Event(u16::try_from(i).unwrap_or(u16::MAX)),
                    f.ty.clone(),
                );
            }
        }
        if let Some(d) = self.names.get(Kind::Field, &id.name) {
            let ty = self
                .playbook
                .fields
                .get(d.index as usize)
                .map_or(FieldType::Text, |f| f.ty.clone());
            return Operand::Field(FieldRef::Lead(ir::FieldId(d.index)), ty);
        }
        if let Some(d) = self.names.get(Kind::Score, &id.name) {
            return Operand::Num(Num::Score(ir::ScoreId(d.index)));
        }
        if let Some(d) = self.names.get(Kind::Bands, &id.name) {
            return Operand::Bands(ir::BandSetId(d.index));
        }
        Operand::Bare(id.clone())
    }

    /// Reports a bare name that had to be a field, score or band set, whatever the operator
    /// around it: a misspelt field is one undefined name, not a type error.
    fn unknown_name(&mut self, id: &Ident, scope: Scope) {
        if [Kind::Field, Kind::Score, Kind::Bands]
            .iter()
            .any(|k| self.names.maybe_broken(*k, &id.name))
        {
            return;
        }
        let mut candidates: Vec<String> = self.names.names(Kind::Field).to_vec();
        candidates.extend(self.names.names(Kind::Score).iter().cloned());
        candidates.extend(self.names.names(Kind::Bands).iter().cloned());
        if let Scope::Event(Some(event)) = scope {
            candidates.extend(self.event_fields(event).iter().map(|f| f.name.clone()));
        }
        let event_with_field = self
            .playbook
            .events
            .iter()
            .find(|ev| ev.fields.iter().any(|f| f.name == id.name))
            .map(|ev| ev.name.as_str())
            .filter(|_| matches!(scope, Scope::Lead));
        let diag = messages::undefined_name(
            *id.loc,
            &id.name,
            did_you_mean(&id.name, candidates.iter().map(String::as_str)),
            event_with_field,
            self.names.get(Kind::Event, &id.name).is_some(),
        );
        self.diags.push(diag);
    }

    fn compare(&mut self, op: CmpOp, lhs: &Expr, rhs: &Expr, scope: Scope) -> Cond {
        let mut l = self.operand(lhs, scope);
        let mut r = self.operand(rhs, scope);
        let (mut lhs, mut rhs) = (lhs, rhs);
        let mut op = op;
        // `3 <= count ...` reads as well as `count ... >= 3`: put the subject on the left.
        if is_subject(&r) && !is_subject(&l) {
            std::mem::swap(&mut l, &mut r);
            std::mem::swap(&mut lhs, &mut rhs);
            op = flip(op);
        }
        let cmp = to_cmp(op);
        match (l, r) {
            (Operand::Invalid, _) | (_, Operand::Invalid) => Cond::True,
            (Operand::Bare(id), _) => {
                self.unknown_name(&id, scope);
                Cond::True
            }
            (Operand::Field(field, FieldType::OneOf { values }), Operand::Bare(v)) => {
                let mask = self.enum_mask(&values, std::slice::from_ref(&v), lhs);
                self.equality(lhs, op, Cond::EnumIn { field, mask })
            }
            (Operand::Bands(bands), Operand::Bare(v)) => {
                let mask = self.band_mask(bands, std::slice::from_ref(&v));
                self.equality(lhs, op, Cond::BandIn { bands, mask })
            }
            (Operand::Field(field, FieldType::Text), Operand::Text(t)) => self.equality(
                lhs,
                op,
                Cond::TextIn {
                    field,
                    values: vec![t.to_lowercase()],
                },
            ),
            (Operand::Field(field, FieldType::Flag), Operand::Bool(b)) => {
                let c = Cond::Flag { field };
                self.equality(lhs, op, if b { c } else { negate(c) })
            }
            (Operand::Field(field, FieldType::Number), Operand::Num(n)) => {
                self.numeric(Num::Field(field), cmp, n)
            }
            (Operand::Num(a), Operand::Num(b)) => self.numeric(a, cmp, b),
            (
                Operand::Num(_) | Operand::Field(_, FieldType::Number),
                r @ (Operand::Duration | Operand::Percent),
            ) => {
                self.diags
                    .push(messages::number_compared_with(*rhs.loc, r.describe()));
                Cond::True
            }
            (l, Operand::Bare(id)) if !matches!(l, Operand::Field(..) | Operand::Bands(_)) => {
                self.unknown_name(&id, scope);
                Cond::True
            }
            (l, r) => {
                let subject = subject_name(lhs);
                let takes = takes(&l);
                self.diags.push(messages::cannot_compare(
                    *rhs.loc,
                    l.describe(),
                    r.describe(),
                    is_what(rhs, &r),
                    *lhs.loc,
                    is_what(lhs, &l),
                    takes.as_deref().map(|t| (subject.as_str(), t)),
                ));
                Cond::True
            }
        }
    }

    /// `=` and `!=` are the only comparisons on values without an order.
    fn equality(&mut self, subject: &Expr, op: CmpOp, c: Cond) -> Cond {
        match op {
            CmpOp::Eq => c,
            CmpOp::Ne => negate(c),
            _ => {
                self.diags.push(messages::no_order(
                    *subject.loc,
                    op.symbol(),
                    &subject_name(subject),
                ));
                Cond::True
            }
        }
    }

    fn in_list(&mut self, value: &Expr, list: &List, scope: Scope) -> Cond {
        let subject = self.operand(value, scope);
        let items = match list {
            List::Named(set) => {
                return match subject {
                    Operand::Field(field, FieldType::Text) => {
                        match self.names.resolve(Kind::Accounts, set, &mut self.diags) {
                            Some(i) => Cond::InAccounts {
                                field,
                                accounts: ir::AccountsId(i),
                            },
                            None => Cond::True,
                        }
                    }
                    Operand::Invalid => Cond::True,
                    Operand::Bare(id) => {
                        self.unknown_name(&id, scope);
                        Cond::True
                    }
                    other => {
                        self.diags.push(messages::account_lookup_of(
                            *value.loc,
                            other.describe(),
                            is_what(value, &other),
                        ));
                        Cond::True
                    }
                };
            }
            List::Items(items, _) => items,
        };
        match subject {
            Operand::Invalid => Cond::True,
            Operand::Bare(id) => {
                self.unknown_name(&id, scope);
                Cond::True
            }
            Operand::Field(field, FieldType::OneOf { values }) => {
                let names = self.bare_names(items);
                Cond::EnumIn {
                    field,
                    mask: self.enum_mask(&values, &names, value),
                }
            }
            Operand::Bands(bands) => {
                let names = self.bare_names(items);
                Cond::BandIn {
                    bands,
                    mask: self.band_mask(bands, &names),
                }
            }
            Operand::Field(field, FieldType::Text) => {
                let mut values = Vec::new();
                for item in items {
                    match &item.kind {
                        ExprKind::Lit(Literal::Text(s)) => values.push(s.value.to_lowercase()),
                        _ => self.diags.push(messages::expected_text_in_list(
                            *item.loc,
                            &subject_name(value),
                        )),
                    }
                }
                Cond::TextIn { field, values }
            }
            Operand::Field(field, FieldType::Number) | Operand::Field(field, FieldType::Flag) => {
                let mut any = Vec::new();
                for item in items {
                    match &item.kind {
                        ExprKind::Lit(Literal::Number(n)) => any.push(Cond::Compare {
                            lhs: Num::Field(field),
                            cmp: Cmp::Eq,
                            rhs: Num::Const(n.value),
                        }),
                        _ => self.diags.push(messages::expected_number_in_list(
                            *item.loc,
                            &subject_name(value),
                        )),
                    }
                }
                Cond::Or { any }
            }
            other => {
                self.diags.push(messages::in_list_of(
                    *value.loc,
                    other.describe(),
                    is_what(value, &other),
                ));
                Cond::True
            }
        }
    }

    fn bare_names(&mut self, items: &[Expr]) -> Vec<Ident> {
        let mut out = Vec::new();
        for item in items {
            match &item.kind {
                ExprKind::Name(id) | ExprKind::Lit(Literal::Name(id)) => out.push(id.clone()),
                _ => self
                    .diags
                    .push(messages::expected_value_name_in_list(*item.loc)),
            }
        }
        out
    }

    /// Bitmask of the named values of a `one of` field (see [`Self::mask_of`]).
    fn enum_mask(&mut self, values: &[String], names: &[Ident], field: &Expr) -> u64 {
        let subject = subject_name(field);
        self.mask_of(values, names, |n, near| {
            messages::unknown_field_value(*n.loc, &n.name, &subject, values, *field.loc, near)
        })
    }

    /// Bitmask of the named bands of a band set (see [`Self::mask_of`]).
    fn band_mask(&mut self, bands: ir::BandSetId, names: &[Ident]) -> u64 {
        let labels: Vec<String> = self
            .band_labels
            .get(bands.index())
            .cloned()
            .unwrap_or_default();
        let set = self.names.names(Kind::Bands).get(bands.index());
        self.mask_of(&labels, names, |n, near| {
            messages::unknown_band(*n.loc, &n.name, set.map(String::as_str), &labels, near)
        })
    }

    /// Bit `i` set for each name equal to `labels[i]`. An unknown name is reported and makes
    /// the mask accept everything, so one typo does not cascade into "can never fire" findings.
    fn mask_of(
        &mut self,
        labels: &[String],
        names: &[Ident],
        unknown: impl Fn(&Ident, Option<&str>) -> Diagnostic,
    ) -> u64 {
        let mut mask = 0u64;
        let mut failed = false;
        for n in names {
            match labels.iter().position(|v| *v == n.name) {
                Some(i) if i < 64 => mask |= 1 << i,
                _ => {
                    let near = did_you_mean(&n.name, labels.iter().map(String::as_str));
                    self.diags.push(unknown(n, near));
                    failed = true;
                }
            }
        }
        if failed {
            u64::MAX
        } else {
            mask
        }
    }

    /// Resolves `EVENT` / `any`; `Some(None)` is `any`, `None` an unresolved name.
    pub(super) fn event_ref(&mut self, e: &ast::EventRef) -> Option<Option<ir::EventId>> {
        match e {
            ast::EventRef::Any(_) => Some(None),
            ast::EventRef::Named(id) => self
                .names
                .resolve(Kind::Event, id, &mut self.diags)
                .map(|i| Some(ir::EventId(i))),
        }
    }

    /// A numeric comparison; a count it reads keeps as many times as it needs to tell the
    /// comparison's outcomes apart ([`ir::Counter::keep`]).
    fn numeric(&mut self, lhs: Num, cmp: Cmp, rhs: Num) -> Cond {
        for (num, other) in [(&lhs, &rhs), (&rhs, &lhs)] {
            let Num::Count(id) = num else {
                continue;
            };
            let need = match other {
                Num::Const(n) => Some((n.max(0.0).floor() + 2.0).min(f64::from(u32::MAX)) as u32),
                _ => None,
            };
            if let Some(counter) = self.playbook.counters.get_mut(id.index()) {
                counter.keep = counter.keep.zip(need).map(|(a, b)| a.max(b));
            }
        }
        Cond::Compare { lhs, cmp, rhs }
    }

    fn counter(&mut self, c: ir::Counter) -> ir::CounterId {
        let same = |x: &ir::Counter| {
            (x.event, &x.filter, x.window_secs) == (c.event, &c.filter, c.window_secs)
        };
        if let Some(i) = self.playbook.counters.iter().position(same) {
            return ir::CounterId(u32::try_from(i).unwrap_or(u32::MAX));
        }
        self.playbook.counters.push(c);
        ir::CounterId(u32::try_from(self.playbook.counters.len() - 1).unwrap_or(u32::MAX))
    }

    fn event_fields(&self, event: ir::EventId) -> &[ir::FieldDef] {
        self.playbook
            .events
            .get(event.index())
            .map_or(&[], |e| e.fields.as_slice())
    }
}

/// Operands a comparison is about (as opposed to the value it is compared with).
fn is_subject(o: &Operand) -> bool {
    matches!(
        o,
        Operand::Field(..)
            | Operand::Bands(_)
            | Operand::Num(Num::Score(_) | Num::Count(_) | Num::Field(_))
    )
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

fn to_cmp(op: CmpOp) -> Cmp {
    match op {
        CmpOp::Eq => Cmp::Eq,
        CmpOp::Ne => Cmp::Ne,
        CmpOp::Lt => Cmp::Lt,
        CmpOp::Le => Cmp::Le,
        CmpOp::Gt => Cmp::Gt,
        CmpOp::Ge => Cmp::Ge,
    }
}

/// `not`, folding double negation so the IR stays small.
pub(super) fn negate(c: Cond) -> Cond {
    match c {
        Cond::Not { cond } => *cond,
        other => Cond::Not {
            cond: Box::new(other),
        },
    }
}

/// "`a`, `b`, `c`" for messages.
pub(super) fn backticked(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "`employees` is a number field", or "this is text" for an operand that is not a name.
fn is_what(e: &Expr, o: &Operand) -> String {
    format!("{} is {}", subject_name(e), o.describe())
}

/// A name as `` `name` ``, anything else as "this".
fn subject_name(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Name(id) | ExprKind::Lit(Literal::Name(id)) => format!("`{}`", id.name),
        ExprKind::Paren(inner) => subject_name(inner),
        _ => "this".to_string(),
    }
}

/// The values a subject can be compared with, for the help of a type error.
fn takes(o: &Operand) -> Option<String> {
    Some(match o {
        Operand::Field(_, FieldType::Text) => "quoted text, as in `\"software\"`".to_string(),
        Operand::Field(_, FieldType::Number) | Operand::Num(_) => "a plain number".to_string(),
        Operand::Field(_, FieldType::Flag) => "`yes` or `no`".to_string(),
        Operand::Field(_, FieldType::OneOf { values }) => format!("one of {}", backticked(values)),
        Operand::Bands(_) => "a band name".to_string(),
        _ => return None,
    })
}

/// How to turn a value that is not a condition into one.
fn condition_help(e: &Expr, o: &Operand) -> Option<String> {
    let name = subject_name(e);
    let name = name.trim_matches('`');
    let example = match o {
        Operand::Field(_, FieldType::Number) | Operand::Num(Num::Score(_)) => {
            format!("`{name} >= 100`")
        }
        Operand::Field(_, FieldType::Text) => format!("`{name} = \"...\"`"),
        Operand::Field(_, FieldType::OneOf { values }) => {
            format!(
                "`{name} = {}`",
                values.first().map_or("VALUE", String::as_str)
            )
        }
        Operand::Bands(_) => format!("`{name} = A`"),
        _ => return None,
    };
    Some(format!("compare it with a value, as in {example}"))
}

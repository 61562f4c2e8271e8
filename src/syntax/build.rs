//! pest pairs → AST. Confined to this module so `Pair<'i>` lifetimes never leak.
//!
//! Each handler walks its rule's children and matches the rules it cares about; keyword and
//! punctuation pairs fall through. The grammar guarantees shapes, so a missing child can only
//! mean a grammar/builder mismatch; handlers then fall back to an empty value rather than panic.

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
            Rule::scenario_decl => Item::Scenario(self.block(p, Self::scenario_stmt)),
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

    // ------------------------------------------------------------ expressions

    fn expr(&self, p: P) -> Expr {
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

    fn bad_expr(&self, loc: Loc) -> Expr {
        Expr {
            kind: ExprKind::Lit(Literal::BadUnit(Token {
                text: String::new(),
                loc,
            })),
            loc,
        }
    }

    fn comparison(&self, p: P) -> Expr {
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

    fn list(&self, p: P) -> List {
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

    fn event_ref(&self, p: P) -> EventRef {
        let loc = self.loc(&p);
        match p.into_inner().find(|c| c.as_rule() == Rule::ident) {
            Some(i) => EventRef::Named(self.ident(&i)),
            None => EventRef::Any(loc),
        }
    }

    /// `EVENT [where EXPR]` as found in `on` statements and `per` points.
    fn event_filter(&self, p: P) -> (EventRef, Option<Expr>) {
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

    fn find_expr(&self, p: P) -> Expr {
        let loc = self.loc(&p);
        p.into_inner()
            .find(|c| c.as_rule() == Rule::expr)
            .map(|c| self.expr(c))
            .unwrap_or_else(|| self.bad_expr(loc))
    }

    fn find_number(&self, p: P) -> NumberLit {
        let loc = self.loc(&p);
        p.into_inner()
            .find(|c| matches!(c.as_rule(), Rule::number | Rule::percent))
            .map(|c| self.number(&c))
            .unwrap_or(NumberLit {
                value: f64::NAN,
                loc,
            })
    }

    fn find_duration(&self, p: P) -> Option<DurationLit> {
        p.into_inner()
            .find(|c| c.as_rule() == Rule::duration)
            .map(|c| self.duration(&c))
    }

    fn find_string(&self, p: P) -> Option<StrLit> {
        p.into_inner()
            .find(|c| c.as_rule() == Rule::string)
            .map(|c| self.string(&c))
    }

    // ------------------------------------------------------------ statements

    fn playbook_stmt(&self, p: P) -> Option<PlaybookStmt> {
        Some(match p.as_rule() {
            Rule::title_stmt => PlaybookStmt::Title(self.find_string(p)?),
            Rule::calendar_ref => PlaybookStmt::Calendar(self.first_ident(p)),
            Rule::roles_stmt => PlaybookStmt::Roles(
                p.into_inner()
                    .find(|c| c.as_rule() == Rule::name_list)
                    .map(|l| self.idents(l))
                    .unwrap_or_default(),
            ),
            _ => return None,
        })
    }

    fn calendar_stmt(&self, p: P) -> Option<CalendarStmt> {
        Some(match p.as_rule() {
            Rule::timezone_stmt => CalendarStmt::Timezone(self.find_string(p)?),
            Rule::hours_stmt => {
                let mut days = Vec::new();
                let mut times = Vec::new();
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::ident => days.push(self.ident(&c)),
                        Rule::clock_time => times.push(self.token(&c)),
                        _ => {}
                    }
                }
                let mut days = days.into_iter();
                let mut times = times.into_iter();
                CalendarStmt::Hours {
                    from_day: days.next()?,
                    to_day: days.next(),
                    open: times.next()?,
                    close: times.next()?,
                }
            }
            Rule::holiday_stmt => {
                let mut date = None;
                let mut label = None;
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::date => date = Some(self.token(&c)),
                        Rule::string => label = Some(self.string(&c)),
                        _ => {}
                    }
                }
                CalendarStmt::Holiday { date: date?, label }
            }
            _ => return None,
        })
    }

    fn field_decl(&self, p: P) -> Option<FieldDecl> {
        if p.as_rule() != Rule::field_decl {
            return None;
        }
        let mut name = None;
        let mut ty = FieldType::Text;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => name = Some(self.ident(&c)),
                Rule::field_type => {
                    let inner = c.into_inner().next()?;
                    ty = match inner.as_rule() {
                        Rule::kw_number => FieldType::Number,
                        Rule::kw_flag => FieldType::Flag,
                        Rule::enum_type => FieldType::OneOf(
                            inner
                                .into_inner()
                                .find(|c| c.as_rule() == Rule::name_list)
                                .map(|l| self.idents(l))
                                .unwrap_or_default(),
                        ),
                        _ => FieldType::Text,
                    };
                }
                _ => {}
            }
        }
        Some(FieldDecl { name: name?, ty })
    }

    fn score_stmt(&self, p: P) -> Option<ScoreStmt> {
        Some(match p.as_rule() {
            Rule::decay_stmt => ScoreStmt::Decay(self.find_duration(p)?),
            Rule::cap_stmt => ScoreStmt::Cap(self.find_number(p)),
            Rule::points_stmt => {
                let mut add = true;
                let mut amount = None;
                let mut basis = None;
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::kw_subtract => add = false,
                        Rule::number => amount = Some(self.number(&c)),
                        Rule::points_per => {
                            let (event, filter) = self.event_filter(c);
                            basis = Some(PointsBasis::PerEvent { event, filter });
                        }
                        Rule::points_when => basis = Some(PointsBasis::When(self.find_expr(c))),
                        _ => {}
                    }
                }
                ScoreStmt::Points {
                    add,
                    amount: amount?,
                    basis: basis?,
                }
            }
            _ => return None,
        })
    }

    fn bands(&self, p: P) -> BandsDecl {
        let loc = self.loc(&p);
        let mut name = None;
        let mut scores = Vec::new();
        let mut bands = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => name = Some(self.ident(&c)),
                Rule::score_sum => scores = self.idents(c),
                Rule::band_stmt => {
                    let sloc = self.loc(&c);
                    if let Some(kind) = self.band(c) {
                        bands.push(Stmt { kind, loc: sloc });
                    }
                }
                _ => {}
            }
        }
        BandsDecl {
            name: name.unwrap_or_else(|| self.empty_ident()),
            scores,
            bands,
            loc,
        }
    }

    fn band(&self, p: P) -> Option<BandStmt> {
        let mut name = None;
        let mut from = None;
        let mut to = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => name = Some(self.ident(&c)),
                Rule::band_from => {
                    let mut nums = c
                        .into_inner()
                        .filter(|n| n.as_rule() == Rule::number)
                        .map(|n| self.number(&n));
                    from = nums.next();
                    to = nums.next();
                }
                Rule::band_below => to = Some(self.find_number(c)),
                _ => {}
            }
        }
        Some(BandStmt {
            name: name?,
            from,
            to,
        })
    }

    fn trigger_stmt(&self, p: P) -> Option<TriggerStmt> {
        Some(match p.as_rule() {
            Rule::when_stmt => TriggerStmt::When(self.find_expr(p)),
            Rule::on_stmt => {
                let (event, filter) = self.event_filter(p);
                TriggerStmt::On { event, filter }
            }
            Rule::reason_ref => TriggerStmt::Reason(self.first_ident(p)),
            _ => return None,
        })
    }

    fn track_stmt(&self, p: P) -> Option<TrackStmt> {
        Some(match p.as_rule() {
            Rule::enter_stmt => {
                if p.clone()
                    .into_inner()
                    .any(|c| c.as_rule() == Rule::kw_default)
                {
                    TrackStmt::EnterByDefault
                } else {
                    TrackStmt::EnterWhen(self.find_expr(p))
                }
            }
            Rule::exit_stmt => TrackStmt::Exit {
                to: self.first_ident(p.clone()),
                when: self.find_expr(p),
            },
            Rule::touch_stmt => TrackStmt::Touch {
                channel: self.first_ident(p.clone()),
                every: self.find_duration(p.clone())?,
                times: p
                    .into_inner()
                    .find(|c| c.as_rule() == Rule::number)
                    .map(|c| self.number(&c)),
            },
            Rule::then_stmt => {
                let inner = p.into_inner().find(|c| !is_noise(c.as_rule()))?;
                match inner.as_rule() {
                    Rule::then_move => TrackStmt::ThenMove(self.first_ident(inner)),
                    _ => TrackStmt::ThenClose(self.first_ident(inner)),
                }
            }
            Rule::kpi_ref => TrackStmt::Kpi(self.first_ident(p)),
            _ => return None,
        })
    }

    fn handoff_stmt(&self, p: P) -> Option<HandoffStmt> {
        Some(match p.as_rule() {
            Rule::on_stmt => {
                let (event, filter) = self.event_filter(p);
                HandoffStmt::On { event, filter }
            }
            Rule::when_stmt => HandoffStmt::When(self.find_expr(p)),
            Rule::priority_stmt => HandoffStmt::Priority(self.find_number(p)),
            Rule::route_stmt => {
                let inner = p.into_inner().find(|c| !is_noise(c.as_rule()))?;
                let target = self.first_ident(inner.clone());
                match inner.as_rule() {
                    Rule::route_queue => HandoffStmt::RouteTo(target),
                    _ => HandoffStmt::RouteVia(target),
                }
            }
            Rule::sla_stmt => {
                let mut within = None;
                let mut clock = None;
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::sla_same_day => return Some(HandoffStmt::SlaSameDay),
                        Rule::duration => within = Some(self.duration(&c)),
                        Rule::sla_clock => {
                            clock = Some(if c.as_str() == "wall" {
                                SlaClock::Wall
                            } else {
                                SlaClock::Business
                            })
                        }
                        _ => {}
                    }
                }
                HandoffStmt::Sla {
                    within: within?,
                    clock,
                }
            }
            Rule::context_ref => HandoffStmt::Context(self.first_ident(p)),
            Rule::sequence_ref => HandoffStmt::Sequence(self.first_ident(p)),
            Rule::breach_block => HandoffStmt::Breach(self.stmts(p, Self::breach_stmt)),
            Rule::kpi_ref => HandoffStmt::Kpi(self.first_ident(p)),
            _ => return None,
        })
    }

    fn breach_stmt(&self, p: P) -> Option<BreachStmt> {
        Some(match p.as_rule() {
            Rule::rescue_stmt => BreachStmt::Rescue(self.first_ident(p)),
            Rule::requeue_stmt => {
                let mut to = None;
                let mut context = None;
                let mut after_with = false;
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::kw_with => after_with = true,
                        Rule::ident if after_with => context = Some(self.ident(&c)),
                        Rule::ident => to = Some(self.ident(&c)),
                        _ => {}
                    }
                }
                BreachStmt::Requeue { to, context }
            }
            Rule::escalate_stmt => BreachStmt::Escalate(self.first_ident(p)),
            Rule::reassign_stmt => BreachStmt::Reassign(
                p.into_inner()
                    .find(|c| c.as_rule() == Rule::ident)
                    .map(|c| self.ident(&c)),
            ),
            Rule::notify_stmt => BreachStmt::Notify(self.first_ident(p)),
            Rule::breach_limit => {
                let breaches = self.find_number(p.clone());
                let mut names = self.idents(p).into_iter();
                BreachStmt::Limit {
                    breaches,
                    to: names.next()?,
                    reason: names.next()?,
                }
            }
            _ => return None,
        })
    }

    fn route_rule(&self, p: P) -> Option<RouteRule> {
        Some(match p.as_rule() {
            Rule::rule_owner => RouteRule::OwnerFrom(self.first_ident(p)),
            Rule::rule_when => {
                let when = self.find_expr(p.clone());
                let to = self.idents(p).pop()?;
                RouteRule::When { when, to }
            }
            Rule::rule_otherwise => RouteRule::Otherwise(self.first_ident(p)),
            _ => return None,
        })
    }

    fn queue_stmt(&self, p: P) -> Option<QueueStmt> {
        Some(match p.as_rule() {
            Rule::members_stmt => QueueStmt::Members(
                p.into_inner()
                    .find(|c| c.as_rule() == Rule::name_list)
                    .map(|l| self.idents(l))
                    .unwrap_or_default(),
            ),
            Rule::assign_stmt => {
                if p.into_inner().any(|c| c.as_rule() == Rule::kw_round_robin) {
                    QueueStmt::RoundRobin
                } else {
                    QueueStmt::LeastLoaded
                }
            }
            Rule::capacity_stmt => QueueStmt::Capacity(self.find_number(p)),
            Rule::calendar_ref => QueueStmt::Calendar(self.first_ident(p)),
            Rule::order_stmt => match p.into_inner().find(|c| c.as_rule() == Rule::ident) {
                Some(i) => QueueStmt::OrderBy(self.ident(&i)),
                None => QueueStmt::OrderFifo,
            },
            Rule::overflow_stmt => QueueStmt::Overflow(self.first_ident(p)),
            _ => return None,
        })
    }

    fn accounts_stmt(&self, p: P) -> Option<AccountsStmt> {
        Some(match p.as_rule() {
            Rule::key_stmt => AccountsStmt::Key(self.first_ident(p)),
            Rule::account_stmt => AccountsStmt::Account {
                key: self.find_string(p.clone())?,
                owner: self.first_ident(p),
            },
            _ => return None,
        })
    }

    fn context_stmt(&self, p: P) -> Option<ContextStmt> {
        Some(match p.as_rule() {
            Rule::include_stmt => {
                let item = p.into_inner().find(|c| c.as_rule() == Rule::context_item)?;
                let first = item.clone().into_inner().next()?;
                ContextStmt::Include(match first.as_rule() {
                    Rule::kw_why_now => ContextItem::WhyNow,
                    Rule::kw_top => ContextItem::TopSignals(self.find_number(item)),
                    Rule::kw_last_touch => ContextItem::LastTouch,
                    Rule::kw_campaign_source => ContextItem::CampaignSource,
                    _ => ContextItem::Field(self.first_ident(item)),
                })
            }
            Rule::message_stmt => ContextStmt::Message(self.find_string(p)?),
            Rule::cta_stmt => ContextStmt::Cta(self.find_string(p)?),
            _ => return None,
        })
    }

    fn sequence_stmt(&self, p: P) -> Option<SequenceStmt> {
        Some(match p.as_rule() {
            Rule::step_stmt => SequenceStmt::Step {
                day: self.find_number(p.clone()),
                channel: self.first_ident(p.clone()),
                note: self.find_string(p),
            },
            Rule::attempts_stmt => SequenceStmt::MaxAttempts(self.find_number(p)),
            Rule::outcome_stmt => {
                let mut names = self.idents(p).into_iter();
                SequenceStmt::Outcome {
                    outcome: names.next()?,
                    reason: names.next()?,
                }
            }
            _ => return None,
        })
    }

    fn reason_stmt(&self, p: P) -> Option<ReasonStmt> {
        Some(match p.as_rule() {
            Rule::label_stmt => ReasonStmt::Label(self.find_string(p)?),
            Rule::recycle_stmt => ReasonStmt::Recycle {
                to: self.first_ident(p.clone()),
                after: self.find_duration(p),
            },
            Rule::convert_stmt => ReasonStmt::Convert,
            Rule::close_stmt => ReasonStmt::Close,
            Rule::suppress_stmt => ReasonStmt::Suppress {
                window: self.find_duration(p.clone())?,
                unless: p
                    .into_inner()
                    .find(|c| c.as_rule() == Rule::name_list)
                    .map(|l| self.idents(l))
                    .unwrap_or_default(),
            },
            Rule::kpi_ref => ReasonStmt::Kpi(self.first_ident(p)),
            _ => return None,
        })
    }

    fn kpi_stmt(&self, p: P) -> Option<KpiStmt> {
        Some(match p.as_rule() {
            Rule::label_stmt => KpiStmt::Label(self.find_string(p)?),
            Rule::target_stmt => {
                let mut stat = None;
                let mut cmp = TargetCmp::AtLeast;
                let mut value = None;
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::ident => stat = Some(self.ident(&c)),
                        Rule::target_cmp => {
                            cmp = match c.into_inner().next().map(|k| k.as_rule()) {
                                Some(Rule::kw_at_most) => TargetCmp::AtMost,
                                Some(Rule::kw_below) => TargetCmp::Below,
                                _ => TargetCmp::AtLeast,
                            }
                        }
                        _ => {
                            if let Some(l) = self.literal(c) {
                                value = Some(l);
                            }
                        }
                    }
                }
                KpiStmt::Target {
                    stat,
                    cmp,
                    value: value?,
                }
            }
            _ => return None,
        })
    }

    // ------------------------------------------------------------ scenarios

    fn scenario_stmt(&self, p: P) -> Option<ScenarioStmt> {
        Some(match p.as_rule() {
            Rule::horizon_stmt => ScenarioStmt::Horizon(self.find_duration(p)?),
            Rule::source_block => {
                let mut name = None;
                let mut rate = None;
                let mut population = Vec::new();
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::ident => name = Some(self.ident(&c)),
                        Rule::rate => rate = Some(self.rate(c)),
                        _ => {
                            let loc = self.loc(&c);
                            if let Some(kind) = self.population_stmt(c) {
                                population.push(Stmt { kind, loc });
                            }
                        }
                    }
                }
                ScenarioStmt::Source {
                    name: name?,
                    rate: rate?,
                    population,
                }
            }
            Rule::mix_stmt | Rule::draw_stmt | Rule::chance_stmt => {
                ScenarioStmt::Population(self.population_stmt(p)?)
            }
            Rule::profile_block => {
                let name = self.first_ident(p.clone());
                let share = self.find_number(p.clone());
                ScenarioStmt::Profile {
                    name,
                    share,
                    body: self.stmts(p, Self::profile_stmt),
                }
            }
            Rule::staff_block => ScenarioStmt::Staff {
                queue: self.first_ident(p.clone()),
                body: self.stmts(p, Self::staff_stmt),
            },
            Rule::connect_stmt => ScenarioStmt::Connect {
                chance: self.find_number(p.clone()),
                half_life: self.find_duration(p),
            },
            Rule::meeting_stmt => ScenarioStmt::Meeting {
                chance: self.find_number(p.clone()),
                half_life: self.find_duration(p),
            },
            Rule::outcomes_stmt => ScenarioStmt::AfterConnect(self.shares(p)),
            _ => return None,
        })
    }

    fn rate(&self, p: P) -> Rate {
        let count = self.find_number(p.clone());
        let per = match p
            .into_inner()
            .map(|c| c.as_rule())
            .find(|r| matches!(r, Rule::kw_hour | Rule::kw_day | Rule::kw_week))
        {
            Some(Rule::kw_hour) => RatePeriod::Hour,
            Some(Rule::kw_week) => RatePeriod::Week,
            _ => RatePeriod::Day,
        };
        Rate { count, per }
    }

    fn shares(&self, p: P) -> Vec<Share> {
        p.into_inner()
            .filter(|c| c.as_rule() == Rule::share)
            .filter_map(|c| {
                let percent = self.find_number(c.clone());
                let v = c
                    .into_inner()
                    .find(|x| matches!(x.as_rule(), Rule::ident | Rule::string))?;
                let value = if v.as_rule() == Rule::string {
                    ShareValue::Text(self.string(&v))
                } else {
                    ShareValue::Name(self.ident(&v))
                };
                Some(Share { value, percent })
            })
            .collect()
    }

    fn population_stmt(&self, p: P) -> Option<PopulationStmt> {
        Some(match p.as_rule() {
            Rule::mix_stmt => PopulationStmt::Mix {
                field: self.first_ident(p.clone()),
                shares: self.shares(p),
            },
            Rule::draw_stmt => PopulationStmt::Draw {
                field: self.first_ident(p.clone()),
                dist: self
                    .distribution(p.into_inner().find(|c| c.as_rule() == Rule::distribution)?)?,
            },
            Rule::chance_stmt => PopulationStmt::Chance {
                field: self.first_ident(p.clone()),
                chance: self.find_number(p),
            },
            _ => return None,
        })
    }

    fn profile_stmt(&self, p: P) -> Option<ProfileStmt> {
        Some(match p.as_rule() {
            Rule::signal_stmt => {
                let mut event = None;
                let mut fields = Vec::new();
                let mut rate = None;
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::ident => event = Some(self.ident(&c)),
                        Rule::signal_fields => {
                            for a in c.into_inner().filter(|a| a.as_rule() == Rule::assignment) {
                                let mut parts = self.parts(a).into_iter();
                                let field = parts.next().map(|f| self.ident(&f));
                                let value = parts.next().and_then(|v| self.literal(v));
                                if let (Some(field), Some(value)) = (field, value) {
                                    fields.push(Assignment { field, value });
                                }
                            }
                        }
                        Rule::rate => rate = Some(self.rate(c)),
                        _ => {}
                    }
                }
                ProfileStmt::Signal {
                    event: event?,
                    fields,
                    rate,
                }
            }
            Rule::responds_stmt => ProfileStmt::Responds {
                chance: self.find_number(p.clone()),
                event: self.first_ident(p),
            },
            Rule::lasts_stmt => ProfileStmt::Lasts(
                self.distribution(p.into_inner().find(|c| c.as_rule() == Rule::distribution)?)?,
            ),
            _ => return None,
        })
    }

    fn staff_stmt(&self, p: P) -> Option<StaffStmt> {
        Some(match p.as_rule() {
            Rule::sellers_stmt => StaffStmt::Sellers(self.find_number(p)),
            Rule::handle_stmt => StaffStmt::Handle(
                self.distribution(p.into_inner().find(|c| c.as_rule() == Rule::distribution)?)?,
            ),
            Rule::calendar_ref => StaffStmt::Calendar(self.first_ident(p)),
            Rule::around_clock => StaffStmt::AroundTheClock,
            _ => return None,
        })
    }

    fn distribution(&self, p: P) -> Option<Distribution> {
        let loc = self.loc(&p);
        let inner = p.into_inner().next()?;
        let rule = inner.as_rule();
        let parts: Vec<P> = self.parts(inner);
        let lit = |i: usize| parts.get(i).cloned().and_then(|c| self.literal(c));
        let kind = match rule {
            Rule::dist_constant => DistKind::Constant(lit(0)?),
            Rule::dist_uniform => DistKind::Uniform(lit(0)?, lit(1)?),
            Rule::dist_exponential => DistKind::Exponential(lit(0)?),
            Rule::dist_lognormal => {
                let sigma = parts.get(1).map(|c| self.number(c))?;
                DistKind::Lognormal(lit(0)?, sigma)
            }
            Rule::dist_empirical => DistKind::Empirical(
                parts
                    .into_iter()
                    .filter_map(|pt| {
                        let mut it = pt.into_inner();
                        let v = it.next().and_then(|c| self.literal(c))?;
                        let w = it.next().map(|c| self.number(&c))?;
                        Some((v, w))
                    })
                    .collect(),
            ),
            _ => return None,
        };
        Some(Distribution { kind, loc })
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

//! Bands, triggers, tracks, handoffs, routing, queues, accounts, context packages, sequences, reasons and KPIs.

use super::*;

impl Builder {
    pub(super) fn bands(&self, p: P) -> BandsDecl {
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

    pub(super) fn band(&self, p: P) -> Option<BandStmt> {
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

    pub(super) fn trigger_stmt(&self, p: P) -> Option<TriggerStmt> {
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

    pub(super) fn track_stmt(&self, p: P) -> Option<TrackStmt> {
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

    pub(super) fn handoff_stmt(&self, p: P) -> Option<HandoffStmt> {
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

    pub(super) fn breach_stmt(&self, p: P) -> Option<BreachStmt> {
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

    pub(super) fn route_rule(&self, p: P) -> Option<RouteRule> {
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

    pub(super) fn queue_stmt(&self, p: P) -> Option<QueueStmt> {
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

    pub(super) fn accounts_stmt(&self, p: P) -> Option<AccountsStmt> {
        Some(match p.as_rule() {
            Rule::key_stmt => AccountsStmt::Key(self.first_ident(p)),
            Rule::account_stmt => AccountsStmt::Account {
                key: self.find_string(p.clone())?,
                owner: self.first_ident(p),
            },
            _ => return None,
        })
    }

    pub(super) fn context_stmt(&self, p: P) -> Option<ContextStmt> {
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

    pub(super) fn sequence_stmt(&self, p: P) -> Option<SequenceStmt> {
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

    pub(super) fn reason_stmt(&self, p: P) -> Option<ReasonStmt> {
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

    pub(super) fn kpi_stmt(&self, p: P) -> Option<KpiStmt> {
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
}

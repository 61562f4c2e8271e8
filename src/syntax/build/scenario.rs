//! Scenarios: sources, populations, profiles, staff and distributions.

use super::*;

impl Builder {
    pub(super) fn scenario_stmt(&self, p: P) -> Option<ScenarioStmt> {
        Some(match p.as_rule() {
            Rule::horizon_stmt => ScenarioStmt::Horizon(self.find_duration(p)?),
            Rule::warm_up_stmt => ScenarioStmt::WarmUp(self.find_duration(p)?),
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

    pub(super) fn rate(&self, p: P) -> Rate {
        let count = self.find_number(p.clone());
        let per = match p
            .clone()
            .into_inner()
            .map(|c| c.as_rule())
            .find(|r| matches!(r, Rule::kw_hour | Rule::kw_day | Rule::kw_week))
        {
            Some(Rule::kw_hour) => RatePeriod::Hour,
            Some(Rule::kw_week) => RatePeriod::Week,
            _ => RatePeriod::Day,
        };
        let following = p
            .into_inner()
            .find(|c| c.as_rule() == Rule::ident)
            .map(|c| self.ident(&c));
        Rate {
            count,
            per,
            following,
        }
    }

    pub(super) fn shape_stmt(&self, p: P) -> Option<ShapeStmt> {
        Some(match p.as_rule() {
            Rule::timezone_stmt => ShapeStmt::Timezone(self.find_string(p)?),
            Rule::shape_days => {
                let mut days = Vec::new();
                let mut levels = Vec::new();
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::ident => days.push(self.ident(&c)),
                        Rule::shape_level => levels.push(ShapeLevel {
                            at: c
                                .clone()
                                .into_inner()
                                .find(|t| t.as_rule() == Rule::clock_time)
                                .map(|t| self.token(&t)),
                            level: self.find_number(c),
                        }),
                        _ => {}
                    }
                }
                let mut days = days.into_iter();
                ShapeStmt::Days {
                    from_day: days.next()?,
                    to_day: days.next(),
                    levels,
                }
            }
            Rule::shape_holidays => ShapeStmt::Holidays {
                calendar: self.first_ident(p.clone()),
                level: self.find_number(p),
            },
            Rule::shape_trend => ShapeStmt::Trend {
                up: p.clone().into_inner().any(|c| c.as_rule() == Rule::kw_up),
                percent: self.find_number(p),
            },
            _ => return None,
        })
    }

    pub(super) fn shares(&self, p: P) -> Vec<Share> {
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

    pub(super) fn population_stmt(&self, p: P) -> Option<PopulationStmt> {
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

    pub(super) fn profile_stmt(&self, p: P) -> Option<ProfileStmt> {
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

    pub(super) fn staff_stmt(&self, p: P) -> Option<StaffStmt> {
        Some(match p.as_rule() {
            Rule::sellers_stmt => StaffStmt::Sellers(self.find_number(p)),
            Rule::handle_stmt => StaffStmt::Handle(
                self.distribution(p.into_inner().find(|c| c.as_rule() == Rule::distribution)?)?,
            ),
            Rule::follow_up_stmt => StaffStmt::FollowUp {
                channel: p
                    .clone()
                    .into_inner()
                    .find(|c| c.as_rule() == Rule::ident)
                    .map(|c| self.ident(&c)),
                dist: self
                    .distribution(p.into_inner().find(|c| c.as_rule() == Rule::distribution)?)?,
            },
            Rule::prefer_stmt => StaffStmt::Prefer {
                new_leads: p.into_inner().any(|c| c.as_rule() == Rule::kw_new_leads),
            },
            Rule::pickup_delay_stmt => StaffStmt::PickupDelay(
                self.distribution(p.into_inner().find(|c| c.as_rule() == Rule::distribution)?)?,
            ),
            Rule::calendar_ref => StaffStmt::Calendar(self.first_ident(p)),
            Rule::around_clock => StaffStmt::AroundTheClock,
            _ => return None,
        })
    }

    pub(super) fn distribution(&self, p: P) -> Option<Distribution> {
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

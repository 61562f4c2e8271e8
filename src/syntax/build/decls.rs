//! The playbook header, calendars, fields and scores.

use super::*;

impl Builder {
    pub(super) fn playbook_stmt(&self, p: P) -> Option<PlaybookStmt> {
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

    pub(super) fn calendar_stmt(&self, p: P) -> Option<CalendarStmt> {
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

    pub(super) fn field_decl(&self, p: P) -> Option<FieldDecl> {
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

    pub(super) fn score_stmt(&self, p: P) -> Option<ScoreStmt> {
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
}

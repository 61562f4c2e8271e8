//! Tests and fixtures.

use super::*;

impl Builder {
    /// `test "NAME" { ... }`: a block whose name is a string.
    /// `tests "PATH"`, the path kept as an identifier-like name with the string's span.
    pub(super) fn tests_decl(&self, p: P) -> TestsDecl {
        let loc = self.loc(&p);
        let path = (p.into_inner())
            .find(|c| c.as_rule() == Rule::string)
            .map(|c| {
                let s = self.string(&c);
                Ident {
                    name: s.value,
                    loc: s.loc,
                }
            })
            .unwrap_or_else(|| self.empty_ident());
        TestsDecl { path, loc }
    }

    pub(super) fn test_block(&self, p: P) -> Block<TestStmt> {
        let loc = self.loc(&p);
        let name = p
            .clone()
            .into_inner()
            .find(|c| c.as_rule() == Rule::string)
            .map(|c| {
                let s = self.string(&c);
                Ident {
                    name: s.value,
                    loc: s.loc,
                }
            })
            .unwrap_or_else(|| self.empty_ident());
        Block {
            name,
            body: self.stmts(p, Self::test_stmt),
            loc,
        }
    }

    pub(super) fn field_value(&self, p: P) -> Option<FieldValue> {
        if p.as_rule() != Rule::field_value {
            return None;
        }
        let mut parts = self.parts(p).into_iter();
        let field = self.ident(&parts.next()?);
        let value = self.literal(parts.next()?)?;
        Some(FieldValue { field, value })
    }

    fn field_values(&self, p: P) -> Vec<FieldValue> {
        p.into_inner().filter_map(|c| self.field_value(c)).collect()
    }

    fn moment(&self, p: P) -> Option<Moment> {
        let m = p.into_inner().find(|c| c.as_rule() == Rule::moment)?;
        let mut parts = m.into_inner();
        let date = self.token(&parts.next()?);
        let time = self.token(&parts.next()?);
        let zone = parts.find_map(|z| match z.as_rule() {
            Rule::string => Some(ZoneName::Iana(self.string(&z))),
            Rule::ident => Some(ZoneName::Calendar(self.ident(&z))),
            _ => None,
        });
        Some(Moment { date, time, zone })
    }

    fn context_expectation(&self, p: P) -> Option<ContextExpectation> {
        let part = p.into_inner().find(|c| c.as_rule() != Rule::kw_context)?;
        Some(match part.as_rule() {
            Rule::context_why => {
                let mut names = self.idents_of(part).into_iter();
                ContextExpectation::WhyNow {
                    rule: names.next()?,
                    event: names.next(),
                }
            }
            Rule::context_signal => ContextExpectation::Signal(self.first_ident(part)),
            Rule::context_last_touch => ContextExpectation::LastTouch(self.first_ident(part)),
            Rule::context_field => {
                ContextExpectation::Field(part.into_inner().find_map(|c| self.field_value(c))?)
            }
            _ => ContextExpectation::Package(self.ident(&part)),
        })
    }

    fn idents_of(&self, p: P) -> Vec<Ident> {
        self.idents(p)
    }

    fn test_stmt(&self, p: P) -> Option<TestStmt> {
        Some(match p.as_rule() {
            Rule::given_stmt => {
                let mut names = self.idents_of(p.clone()).into_iter();
                let name = names.next()?;
                TestStmt::Given {
                    name,
                    fixture: names.next(),
                    fields: self.field_values(p),
                }
            }
            Rule::at_stmt => TestStmt::At(self.moment(p)?),
            Rule::input_event => TestStmt::Event {
                event: self.first_ident(p.clone()),
                fields: self.field_values(p),
            },
            Rule::input_set => TestStmt::Set(p.into_inner().find_map(|c| self.field_value(c))?),
            Rule::input_pickup => TestStmt::Pickup(self.idents_of(p).into_iter().next()),
            Rule::input_touch => TestStmt::Touch(self.first_ident(p)),
            Rule::input_dispose => TestStmt::Dispose(self.first_ident(p)),
            Rule::after_stmt => TestStmt::After(self.find_duration(p)?),
            Rule::expect_stmt => TestStmt::Expect(
                self.expectation(p.into_inner().find(|c| !is_noise(c.as_rule()))?)?,
            ),
            _ => return None,
        })
    }

    fn expectation(&self, p: P) -> Option<Expectation> {
        Some(match p.as_rule() {
            Rule::expect_handoff => {
                let mut names = self.idents_of(p).into_iter();
                Expectation::HandedOff {
                    rule: names.next()?,
                    queue: names.next()?,
                    owner: names.next(),
                }
            }
            Rule::expect_no_handoff => Expectation::NoHandoff,
            Rule::expect_sla => match self.find_duration(p.clone()) {
                Some(d) => Expectation::SlaDueWithin(d),
                None => Expectation::SlaDueAt(self.moment(p)?),
            },
            Rule::expect_breaches => Expectation::Breaches(self.find_number(p)),
            Rule::expect_track => Expectation::InTrack(self.first_ident(p)),
            Rule::expect_ended => {
                let how = match p.clone().into_inner().map(|c| c.as_rule()).next() {
                    Some(Rule::kw_converted) => Ending::Converted,
                    Some(Rule::kw_closed) => Ending::Closed,
                    _ => Ending::Recycled,
                };
                Expectation::Ended {
                    how,
                    reason: self.idents_of(p).into_iter().next(),
                }
            }
            Rule::expect_disqualified => Expectation::Disqualified(self.first_ident(p)),
            Rule::expect_suppressed => Expectation::SuppressedUntil(self.moment(p)?),
            Rule::expect_score => Expectation::Score {
                score: self.first_ident(p.clone()),
                value: self.find_number(p),
            },
            Rule::expect_band => {
                let mut names = self.idents_of(p).into_iter();
                Expectation::Band {
                    bands: names.next()?,
                    band: names.next()?,
                }
            }
            Rule::expect_assigned => Expectation::AssignedTo(self.first_ident(p)),
            Rule::expect_context => Expectation::Context(self.context_expectation(p)?),
            Rule::expect_breach_step => {
                let step = match p.clone().into_inner().map(|c| c.as_rule()).next() {
                    Some(Rule::kw_rescued) => BreachStep::Rescued,
                    Some(Rule::kw_requeued) => BreachStep::Requeued,
                    Some(Rule::kw_escalated) => BreachStep::Escalated,
                    _ => BreachStep::Reassigned,
                };
                Expectation::BreachStep {
                    step,
                    target: self.idents_of(p).into_iter().next(),
                }
            }
            _ => return None,
        })
    }
}

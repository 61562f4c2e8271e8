//! `test` and `fixture` blocks → [`testing::Case`]s, kept beside the IR rather than in it.
//!
//! Names resolve like the rest of the playbook (with the closest spelling), values are typed
//! against their fields, and instants are read in the playbook calendar's zone (UTC without
//! one). A test's lead arrives once both its `given lead` and its first `at` are known.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

use super::Lowerer;
use crate::calendar::Timestamp;
use crate::diagnostics::{messages, suggest::did_you_mean};
use crate::engine::{Input, TouchOutcome};
use crate::ir::{self, Value};
use crate::span::Span;
use crate::syntax::ast::{self, Block, Ending, Expectation, FieldValue, Item, TestStmt};
use crate::testing::{self, Advance, Case, Expect, Step, StepKind};

mod context;
mod expectations;

/// Attribute values a fixture sets, by field.
type Fixture = Vec<(ir::FieldId, Value)>;

/// The zone instants are read in.
#[derive(Clone, Copy)]
enum Zone {
    Utc,
    Named(chrono_tz::Tz),
}

impl Lowerer<'_> {
    /// Lowers every test of the file, reporting what cannot run.
    pub(super) fn tests(&mut self, file: &ast::File) -> Vec<Case> {
        let fixtures = self.fixtures(file);
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut cases = Vec::new();
        for item in &file.items {
            let Item::Test(b) = item else { continue };
            if let Some(first) = seen.get(b.name.name.as_str()) {
                self.diags.push(messages::duplicate_declaration(
                    *b.name.loc,
                    "test",
                    &b.name.name,
                    *first,
                ));
            }
            seen.entry(&b.name.name).or_insert(*b.name.loc);
            cases.push(self.test(b, &fixtures));
        }
        cases
    }

    fn fixtures(&mut self, file: &ast::File) -> HashMap<String, Fixture> {
        let mut fixtures: HashMap<String, Fixture> = HashMap::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for item in &file.items {
            let Item::Fixture(b) = item else { continue };
            if let Some(first) = seen.get(b.name.name.as_str()) {
                self.diags.push(messages::duplicate_declaration(
                    *b.name.loc,
                    "fixture",
                    &b.name.name,
                    *first,
                ));
                continue;
            }
            seen.insert(&b.name.name, *b.name.loc);
            let values = b
                .body
                .iter()
                .filter_map(|s| self.attribute(&s.kind))
                .collect();
            fixtures.insert(b.name.name.clone(), values);
        }
        fixtures
    }

    fn test(&mut self, b: &Block<TestStmt>, fixtures: &HashMap<String, Fixture>) -> Case {
        let zone = self.zone();
        let mut case = Case {
            name: b.name.name.clone(),
            span: *b.name.loc,
            lead: String::new(),
            steps: Vec::new(),
        };
        let mut lead: Option<(Span, Vec<Value>)> = None;
        // The clock's earliest possible time and what set it (`at`, or `after` when `moved`).
        let mut clock: Option<(Timestamp, Span)> = None;
        let mut moved = false;
        let mut arrived = false;
        let mut expects = 0;
        // Reported only when the test has a lead: without one, its absence is the finding.
        let mut early = Vec::new();
        for s in &b.body {
            let span = *s.loc;
            let kind = match &s.kind {
                TestStmt::Given {
                    name,
                    fixture,
                    fields,
                } => {
                    if let Some((first, _)) = &lead {
                        self.diags.push(messages::lead_given_twice(span, *first));
                        continue;
                    }
                    case.lead = name.name.clone();
                    lead = Some((span, self.lead_values(fixture.as_ref(), fields, fixtures)));
                    None
                }
                TestStmt::At(m) => {
                    let Some(t) = self.moment(m, zone) else {
                        continue;
                    };
                    if let Some((previous, at)) = clock {
                        if t < previous {
                            self.diags.push(if moved {
                                messages::time_behind_after(span, &moment_text(m), at)
                            } else {
                                messages::time_goes_back(span, &moment_text(m), at)
                            });
                            continue;
                        }
                    }
                    clock = Some((t, span));
                    moved = false;
                    case.steps.push(Step {
                        kind: StepKind::At(t),
                        span,
                    });
                    None
                }
                other => {
                    if !arrived {
                        early.push(messages::before_arrival(span, keyword(other)));
                    }
                    if matches!(other, TestStmt::Expect(_)) {
                        expects += 1;
                    }
                    let step = self.step(other, zone);
                    match &step {
                        Some(StepKind::Expect(e)) => {
                            self.never_holds(e, span);
                            self.already_past(other, e, span, clock);
                        }
                        Some(StepKind::After(
                            Advance::Wall(secs) | Advance::BusinessSeconds(secs),
                        )) => {
                            // Business time moves the clock at least as far as wall time.
                            if let Some((t, _)) = clock {
                                clock = Some((t.saturating_add(*secs), span));
                                moved = true;
                            }
                        }
                        _ => {}
                    }
                    step
                }
            };
            if let Some(kind) = kind {
                case.steps.push(Step { kind, span });
            }
            if !arrived && clock.is_some() {
                if let Some((at, attributes)) = &lead {
                    arrived = true;
                    case.steps.push(Step {
                        kind: StepKind::Arrive(attributes.clone()),
                        span: *at,
                    });
                }
            }
        }
        if lead.is_none() {
            self.diags
                .push(messages::test_without_lead(*b.name.loc, &b.name.name));
            return case;
        }
        self.diags.append(&mut early);
        if expects == 0 {
            self.diags
                .push(messages::test_expects_nothing(*b.name.loc, &b.name.name));
        }
        case
    }

    /// Warns about an `expect` naming a time before the clock's earliest possible time.
    fn already_past(
        &mut self,
        s: &TestStmt,
        e: &Expect,
        span: Span,
        clock: Option<(Timestamp, Span)>,
    ) {
        let (Expect::SlaDueAt(t) | Expect::SuppressedUntil(t)) = e else {
            return;
        };
        let TestStmt::Expect(Expectation::SlaDueAt(m) | Expectation::SuppressedUntil(m)) = s else {
            return;
        };
        if let Some((_, set)) = clock.filter(|(now, _)| t < now) {
            self.diags
                .push(messages::time_already_past(span, &moment_text(m), set));
        }
    }

    /// The default calendar's zone, UTC without one (or with one that failed its own check).
    fn zone(&self) -> Zone {
        self.playbook
            .default_calendar
            .and_then(|c| self.playbook.calendars.get(c.index()))
            .and_then(|c| c.timezone.parse::<chrono_tz::Tz>().ok())
            .map_or(Zone::Utc, Zone::Named)
    }

    fn moment(&mut self, m: &ast::Moment, zone: Zone) -> Option<Timestamp> {
        let zone = match &m.zone {
            None => zone,
            Some(named) => self.named_zone(named)?,
        };
        let date = NaiveDate::parse_from_str(&m.date.text, "%Y-%m-%d").ok();
        let time = NaiveTime::parse_from_str(&m.time.text, "%H:%M").ok();
        if date.is_none() {
            self.diags
                .push(messages::not_a_date(*m.date.loc, &m.date.text));
        }
        if time.is_none() {
            self.diags
                .push(messages::not_a_time_of_day(*m.time.loc, &m.time.text));
        }
        let local = NaiveDateTime::new(date?, time?);
        let instant = match zone {
            Zone::Utc => Some(local.and_utc().timestamp()),
            Zone::Named(tz) => tz
                .from_local_datetime(&local)
                .earliest()
                .map(|t| t.timestamp()),
        };
        if instant.is_none() {
            let zone = match zone {
                Zone::Named(tz) => tz.name(),
                Zone::Utc => "UTC",
            };
            let span = Span {
                end: m.time.loc.end,
                ..m.date.loc.0
            };
            self.diags
                .push(messages::skipped_local_time(span, &moment_text(m), zone));
        }
        instant
    }

    /// The zone `in CALENDAR` or `in "Area/City"` names, reported when it names none.
    fn named_zone(&mut self, named: &ast::ZoneName) -> Option<Zone> {
        let (text, at) = match named {
            ast::ZoneName::Calendar(c) => {
                let id: ir::CalendarId = self.resolve(c)?;
                let spec = self.playbook.calendars.get(id.index())?;
                // A calendar with a bad zone was reported where it is declared.
                return spec.timezone.parse().ok().map(Zone::Named);
            }
            ast::ZoneName::Iana(z) => (&z.value, *z.loc),
        };
        match text.parse::<chrono_tz::Tz>() {
            Ok(tz) => Some(Zone::Named(tz)),
            Err(e) => {
                let known = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
                self.diags.push(messages::unknown_timezone(
                    at,
                    e.to_string(),
                    did_you_mean(text, known),
                ));
                None
            }
        }
    }

    /// A lead's attributes: defaults, then the fixture's, then the test's own.
    fn lead_values(
        &mut self,
        fixture: Option<&ast::Ident>,
        fields: &[FieldValue],
        fixtures: &HashMap<String, Fixture>,
    ) -> Vec<Value> {
        let mut values: Vec<Value> = (self.playbook.fields.iter())
            .map(|f| f.ty.default_value())
            .collect();
        let set = |values: &mut Vec<Value>, (field, value): (ir::FieldId, Value)| {
            if let Some(slot) = values.get_mut(field.index()) {
                *slot = value;
            }
        };
        if let Some(f) = fixture {
            match fixtures.get(&f.name) {
                Some(given) => given.iter().for_each(|v| set(&mut values, v.clone())),
                None => {
                    let near = did_you_mean(&f.name, fixtures.keys().map(String::as_str));
                    self.diags.push(messages::undefined(
                        *f.loc,
                        "fixture",
                        &f.name,
                        near,
                        false,
                        Some("fixture"),
                    ));
                }
            }
        }
        for f in fields {
            if let Some(v) = self.attribute(f) {
                set(&mut values, v);
            }
        }
        values
    }

    /// A lead attribute and its typed value.
    fn attribute(&mut self, f: &FieldValue) -> Option<(ir::FieldId, Value)> {
        let field: ir::FieldId = self.resolve(&f.field)?;
        let defs = self.playbook.fields.clone();
        let value = self.signal_value(&defs, field.index(), &f.value)?;
        Some((field, value))
    }

    fn step(&mut self, s: &TestStmt, zone: Zone) -> Option<StepKind> {
        Some(match s {
            TestStmt::Event { event, fields } => StepKind::Input(self.test_event(event, fields)?),
            TestStmt::Set(f) => {
                let (field, value) = self.attribute(f)?;
                StepKind::Input(Input::SetField { field, value })
            }
            TestStmt::Pickup(seller) => {
                let seller = match seller {
                    Some(s) => Some(self.resolve(s)?),
                    None => None,
                };
                StepKind::Input(Input::Pickup { seller })
            }
            TestStmt::Touch(outcome) => StepKind::Input(Input::Touch {
                outcome: self.outcome(outcome)?,
            }),
            TestStmt::Dispose(reason) => StepKind::Input(Input::Disposition {
                reason: self.resolve(reason)?,
            }),
            TestStmt::After(d) => StepKind::After(self.advance(d)?),
            TestStmt::Expect(e) => StepKind::Expect(self.expect(e, zone)?),
            TestStmt::Given { .. } | TestStmt::At(_) => return None,
        })
    }

    fn test_event(&mut self, event: &ast::Ident, fields: &[FieldValue]) -> Option<Input> {
        let id: ir::EventId = self.resolve(event)?;
        let defs = self.playbook.events.get(id.index())?.fields.clone();
        let mut values: Vec<Value> = defs.iter().map(|f| f.ty.default_value()).collect();
        for f in fields {
            let Some(i) = defs.iter().position(|d| d.name == f.field.name) else {
                self.diags.push(messages::event_has_no_field(
                    *f.field.loc,
                    &event.name,
                    &f.field.name,
                ));
                continue;
            };
            if let (Some(v), Some(slot)) =
                (self.signal_value(&defs, i, &f.value), values.get_mut(i))
            {
                *slot = v;
            }
        }
        Some(Input::Event {
            event: id,
            fields: values,
        })
    }

    fn outcome(&mut self, outcome: &ast::Ident) -> Option<TouchOutcome> {
        let found = TouchOutcome::ALL
            .iter()
            .find(|(_, name)| *name == outcome.name)
            .map(|(o, _)| *o);
        if found.is_none() {
            let near = did_you_mean(&outcome.name, TouchOutcome::ALL.iter().map(|(_, n)| *n));
            self.diags.push(messages::undefined(
                *outcome.loc,
                "touch outcome",
                &outcome.name,
                near,
                false,
                None,
            ));
        }
        found
    }

    fn advance(&mut self, d: &ast::DurationLit) -> Option<Advance> {
        let secs = self.duration_secs(d)?;
        Some(match d.unit {
            ast::DurationUnit::BusinessDays => {
                if d.value.fract() != 0.0 {
                    self.diags.push(messages::fractional_business_days(*d.loc));
                }
                Advance::BusinessDays(u32::try_from(secs / 86_400).unwrap_or(u32::MAX))
            }
            ast::DurationUnit::BusinessHours => Advance::BusinessSeconds(secs),
            _ => Advance::Wall(secs),
        })
    }

    fn expect(&mut self, e: &Expectation, zone: Zone) -> Option<Expect> {
        Some(match e {
            Expectation::HandedOff { rule, queue, owner } => {
                let rule = self.resolve(rule);
                let queue = self.resolve(queue);
                let owner = match owner {
                    Some(o) => Some(self.resolve(o)?),
                    None => None,
                };
                Expect::HandedOff {
                    rule: rule?,
                    queue: queue?,
                    owner,
                }
            }
            Expectation::NoHandoff => Expect::NoHandoff,
            Expectation::SlaDueAt(m) => Expect::SlaDueAt(self.moment(m, zone)?),
            Expectation::SlaDueWithin(d) => {
                Expect::SlaDueWithin(self.wall_secs(d, "`sla due within`"))
            }
            Expectation::Breaches(n) => Expect::Breaches(self.count(n, "a breach count", 0)),
            Expectation::InTrack(t) => Expect::InTrack(self.resolve(t)?),
            Expectation::Ended { how, reason } => {
                let reason = match reason {
                    Some(r) => Some(self.resolve(r)?),
                    None => None,
                };
                match how {
                    Ending::Converted => Expect::Converted(reason),
                    Ending::Closed => Expect::Closed(reason),
                    Ending::Recycled => Expect::Recycled(reason),
                }
            }
            Expectation::Disqualified(r) => Expect::Disqualified(self.resolve(r)?),
            Expectation::SuppressedUntil(m) => Expect::SuppressedUntil(self.moment(m, zone)?),
            Expectation::Score { score, value } => Expect::Score(self.resolve(score)?, value.value),
            Expectation::Band { bands, band } => {
                let set: ir::BandSetId = self.resolve(bands)?;
                let labels = self
                    .band_labels
                    .get(set.index())
                    .cloned()
                    .unwrap_or_default();
                let Some(i) = labels.iter().position(|l| *l == band.name) else {
                    self.diags.push(messages::not_a_value_of(
                        *band.loc,
                        &band.name,
                        &bands.name,
                        &labels,
                    ));
                    return None;
                };
                Expect::Band(set, i)
            }
            Expectation::AssignedTo(s) => Expect::AssignedTo(self.resolve(s)?),
            Expectation::BreachStep { step, target } => {
                Expect::BreachStep(self.breach_step(*step, target.as_ref())?)
            }
            Expectation::Context(c) => Expect::Context(self.context_check(c)?),
        })
    }

    fn breach_step(
        &mut self,
        step: ast::BreachStep,
        target: Option<&ast::Ident>,
    ) -> Option<testing::BreachStep> {
        let queue = match (step, target) {
            (ast::BreachStep::Rescued, _) | (_, None) => None,
            (_, Some(q)) => Some(self.resolve(q)?),
        };
        Some(match step {
            ast::BreachStep::Rescued => testing::BreachStep::Rescued(self.resolve(target?)?),
            ast::BreachStep::Requeued => testing::BreachStep::Requeued(queue),
            ast::BreachStep::Escalated => testing::BreachStep::Escalated(queue),
            ast::BreachStep::Reassigned => testing::BreachStep::Reassigned(queue),
        })
    }
}

/// The statement's keyword, for "`event` comes before the lead arrives".
fn keyword(s: &TestStmt) -> &'static str {
    match s {
        TestStmt::Given { .. } => "given",
        TestStmt::At(_) => "at",
        TestStmt::Event { .. } => "event",
        TestStmt::Set(_) => "set",
        TestStmt::Pickup(_) => "seller picks up",
        TestStmt::Touch(_) => "touch",
        TestStmt::Dispose(_) => "dispose",
        TestStmt::After(_) => "after",
        TestStmt::Expect(_) => "expect",
    }
}

fn moment_text(m: &ast::Moment) -> String {
    format!("{} {}", m.date.text, m.time.text)
}

#[cfg(test)]
mod tests;

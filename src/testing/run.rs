//! Runs one [`Case`] on the engine through [`Driver`]: no second interpreter, the same order of
//! timers and inputs as replay and the live runner.

use chrono::TimeZone;

use super::case::{Advance, BreachStep, Case, Expect, StepKind};
use super::coverage::{Observer, Reached};
use crate::calendar::Timestamp;
use crate::engine::{Action, Departure, Driver, Engine, HandoffRun, Input, LeadState, Stage, Step};
use crate::ir::{Playbook, ReasonId};
use crate::span::Span;

/// One line of a lead's trace: what the engine did (or ignored) and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TraceLine {
    /// When, as local time in the playbook calendar's zone (`2026-06-01 09:15`).
    pub at: String,
    /// The action described with names, or the input the engine ignored and why.
    pub text: String,
}

/// Why a test failed: the expectation, what held instead, and the lead's trace up to there.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    /// The `expect` statement that failed.
    pub span: Span,
    /// What the test expected, in the test's own words.
    pub expected: String,
    /// What held instead.
    pub actual: String,
}

/// A test's result with the lead's trace (up to the failure, when it failed).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    /// The first expectation that did not hold, if any.
    pub failure: Option<Failure>,
    /// Every action taken and every input ignored, in order.
    pub trace: Vec<TraceLine>,
    /// The parts of the playbook the test reached (up to the failure, when it failed).
    #[serde(skip)]
    pub reached: Reached,
}

/// Runs a test's steps in order and stops at the first expectation that does not hold.
pub fn run(engine: &Engine, case: &Case) -> Outcome {
    let mut r = Runner {
        engine,
        driver: Driver::new(),
        lead: LeadState::new(),
        now: 0,
        actions: Vec::new(),
        trace: Vec::new(),
        observer: Observer::default(),
    };
    for step in &case.steps {
        match &step.kind {
            StepKind::Arrive(attributes) => r.apply(&Input::Arrive {
                attributes: attributes.clone(),
                source: None,
            }),
            // The checker refuses an `at` behind an earlier `at` (E0702) but cannot follow
            // every `after` in business time: one that ends up behind the clock fails the test
            // rather than being moved silently.
            StepKind::At(t) if *t < r.now => {
                let p = engine.playbook();
                let failure = Failure {
                    span: step.span,
                    expected: format!("at {}", local_time(p, *t)),
                    actual: format!("the clock already at {}", local_time(p, r.now)),
                };
                return Outcome {
                    failure: Some(failure),
                    trace: r.trace,
                    reached: r.observer.reached,
                };
            }
            StepKind::At(t) => r.advance(*t),
            StepKind::After(by) => r.advance(r.after(*by)),
            StepKind::Input(input) => r.apply(input),
            StepKind::Expect(e) => {
                if let Err((expected, actual)) = r.check(e) {
                    return Outcome {
                        failure: Some(Failure {
                            span: step.span,
                            expected,
                            actual,
                        }),
                        trace: r.trace,
                        reached: r.observer.reached,
                    };
                }
            }
        }
    }
    Outcome {
        failure: None,
        trace: r.trace,
        reached: r.observer.reached,
    }
}

/// A local time in the playbook's default calendar zone (UTC without one), minutes precision.
pub fn local_time(playbook: &Playbook, t: Timestamp) -> String {
    let Some(utc) = chrono::DateTime::from_timestamp(t, 0) else {
        return format!("{t}s");
    };
    let zone = playbook
        .default_calendar
        .and_then(|c| playbook.calendars.get(c.index()))
        .and_then(|c| c.timezone.parse::<chrono_tz::Tz>().ok());
    match zone {
        Some(tz) => tz
            .from_utc_datetime(&utc.naive_utc())
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => utc.format("%Y-%m-%d %H:%M").to_string(),
    }
}

struct Runner<'e> {
    engine: &'e Engine,
    driver: Driver,
    lead: LeadState,
    now: Timestamp,
    actions: Vec<(Timestamp, Action)>,
    trace: Vec<TraceLine>,
    observer: Observer,
}

type Mismatch = (String, String);

impl Runner<'_> {
    fn playbook(&self) -> &Playbook {
        self.engine.playbook()
    }

    fn apply(&mut self, input: &Input) {
        let mut out = Vec::new();
        let before = self.lead.track.map(|t| t.track);
        let applied = self
            .driver
            .apply(self.engine, &mut self.lead, input, self.now, &mut out);
        (self.observer).observe(self.engine, before, &out, &self.lead, self.now);
        self.record(out);
        if let Step::Ignored(why) = applied.step {
            let text = format!("ignored {}: {}", input_word(input), why.name());
            self.trace.push(TraceLine {
                at: local_time(self.playbook(), applied.at),
                text,
            });
        }
    }

    fn advance(&mut self, until: Timestamp) {
        let mut out = Vec::new();
        let before = self.lead.track.map(|t| t.track);
        self.driver
            .advance(self.engine, &mut self.lead, until, &mut out);
        (self.observer).observe(self.engine, before, &out, &self.lead, until);
        self.record(out);
        self.now = until;
    }

    /// The instant `after` moves to, in business time on the default calendar when asked
    /// (wall time without a calendar, as the engine counts business time then).
    fn after(&self, by: Advance) -> Timestamp {
        let calendar = (self.playbook().default_calendar).and_then(|c| self.engine.calendar(c));
        match (by, calendar) {
            (Advance::Wall(secs) | Advance::BusinessSeconds(secs), None)
            | (Advance::Wall(secs), _) => self.now.saturating_add(secs),
            (Advance::BusinessDays(days), None) => {
                self.now.saturating_add(i64::from(days) * 86_400)
            }
            (Advance::BusinessSeconds(secs), Some(c)) => c.add_business_seconds(self.now, secs),
            (Advance::BusinessDays(days), Some(c)) => c.add_business_days(self.now, days),
        }
    }

    fn record(&mut self, out: Vec<(Timestamp, Action)>) {
        for (at, action) in out {
            if !matches!(action, Action::StartTimer { .. }) {
                self.trace.push(TraceLine {
                    at: local_time(self.playbook(), at),
                    text: action.describe(self.playbook()).to_string(),
                });
            }
            self.actions.push((at, action));
        }
    }

    fn handoff(&self) -> Option<&HandoffRun> {
        match &self.lead.stage {
            Stage::HandedOff(run) => Some(run),
            _ => None,
        }
    }

    /// Checks one expectation; on a mismatch, the expectation and what held, both in words.
    fn check(&self, e: &Expect) -> Result<(), Mismatch> {
        let p = self.playbook();
        let expected = self.expected(e);
        let fail = |actual: String| Err((expected.clone(), actual));
        let run = self.handoff();
        match e {
            Expect::HandedOff { rule, queue, owner } => match run {
                Some(r)
                    if r.rule == *rule
                        && r.queue == *queue
                        && (owner.is_none() || r.owner == *owner) =>
                {
                    Ok(())
                }
                _ => fail(self.state()),
            },
            Expect::NoHandoff => match run {
                None => Ok(()),
                Some(_) => fail(self.state()),
            },
            Expect::SlaDueAt(t) => match run {
                Some(r) if r.deadline == *t => Ok(()),
                Some(r) => fail(self.sla(r)),
                None => fail(self.state()),
            },
            Expect::SlaDueWithin(secs) => match run {
                Some(r) if r.deadline.saturating_sub(self.now) <= *secs => Ok(()),
                Some(r) => fail(self.sla(r)),
                None => fail(self.state()),
            },
            Expect::Breaches(n) => match run {
                Some(r) if r.breaches == *n => Ok(()),
                Some(r) => fail(format!("breaches {}", r.breaches)),
                None => fail(self.state()),
            },
            Expect::InTrack(t) => match self.lead.track {
                Some(run) if run.track == *t => Ok(()),
                _ => fail(self.state()),
            },
            Expect::Converted(reason) => self.departed(reason, &expected, |d| match d {
                Departure::Converted { reason } => Some(reason),
                _ => None,
            }),
            Expect::Closed(reason) => self.departed(reason, &expected, |d| match d {
                Departure::Closed { reason } => Some(reason),
                _ => None,
            }),
            Expect::Disqualified(reason) => self.departed(&Some(*reason), &expected, |d| match d {
                Departure::Disqualified { reason } => Some(reason),
                _ => None,
            }),
            Expect::Recycled(reason) => match self.last_recycle() {
                Some(r) if reason.is_none_or(|want| want == r) => Ok(()),
                Some(r) => fail(format!("recycled as {}", self.reason(r))),
                None => fail(self.state()),
            },
            Expect::SuppressedUntil(t) => match self.lead.suppression {
                Some(s) if s.until == *t => Ok(()),
                Some(s) => fail(format!("suppressed until {}", local_time(p, s.until))),
                None => fail("not suppressed".to_string()),
            },
            Expect::Score(id, want) => {
                let have = self
                    .engine
                    .score(&self.lead, *id, self.now)
                    .unwrap_or(f64::NAN);
                if (have - want).abs() < 0.005 {
                    Ok(())
                } else {
                    let name = p.scores.get(id.index()).map_or("", |s| s.name.as_str());
                    fail(format!("score {name} = {}", number(have)))
                }
            }
            Expect::Band(set, want) => {
                let have = self.engine.band(&self.lead, *set, self.now);
                if have == Some(*want) {
                    return Ok(());
                }
                let bands = p.band_sets.get(set.index());
                let label = have
                    .and_then(|i| bands.and_then(|b| b.bands.get(i)))
                    .map_or("no band", |b| b.name.as_str());
                fail(format!(
                    "band {} = {label}",
                    bands.map_or("", |b| b.name.as_str())
                ))
            }
            Expect::AssignedTo(seller) => match run {
                Some(r) if r.seller == Some(*seller) => Ok(()),
                Some(r) => fail(match r.seller {
                    Some(s) => format!("assigned to {}", self.seller(s)),
                    None => "not picked up".to_string(),
                }),
                None => fail(self.state()),
            },
            Expect::BreachStep(want) => match self.last_breach_steps() {
                Some(taken) if taken.iter().any(|t| step_matches(*want, *t)) => Ok(()),
                Some(taken) if taken.is_empty() => {
                    fail("the latest breach took no step".to_string())
                }
                Some(taken) => {
                    let taken: Vec<String> = taken.iter().map(|t| self.breach_step(*t)).collect();
                    fail(format!("the latest breach: {}", taken.join(", ")))
                }
                None => fail("no breach".to_string()),
            },
            Expect::Context(c) => self.context(c, &expected),
        }
    }

    /// The steps the latest SLA breach took, or `None` before any breach.
    fn last_breach_steps(&self) -> Option<Vec<BreachStep>> {
        let at =
            (self.actions.iter()).rposition(|(_, a)| matches!(a, Action::SlaBreached { .. }))?;
        let after = self.actions.get(at..).unwrap_or_default();
        Some(
            after
                .iter()
                .filter_map(|(_, a)| match a {
                    Action::RescueStarted { track } => Some(BreachStep::Rescued(*track)),
                    Action::Requeued { queue } => Some(BreachStep::Requeued(Some(*queue))),
                    Action::Escalated { queue } => Some(BreachStep::Escalated(Some(*queue))),
                    Action::Reassigned { queue } => Some(BreachStep::Reassigned(Some(*queue))),
                    _ => None,
                })
                .collect(),
        )
    }

    /// A breach step in the test's words.
    fn breach_step(&self, step: BreachStep) -> String {
        let p = self.playbook();
        let to = |word: &str, q: Option<crate::ir::QueueId>| match q {
            Some(q) => format!("{word} to {}", name(&p.queues, q.index(), |q| &q.name)),
            None => word.to_string(),
        };
        match step {
            BreachStep::Rescued(t) => format!("rescued with {}", self.track(t)),
            BreachStep::Requeued(q) => to("requeued", q),
            BreachStep::Escalated(q) => to("escalated", q),
            BreachStep::Reassigned(q) => to("reassigned", q),
        }
    }

    /// Matches the lead's departure with `pick`, and its reason when one is expected.
    fn departed(
        &self,
        reason: &Option<ReasonId>,
        expected: &str,
        pick: impl Fn(Departure) -> Option<ReasonId>,
    ) -> Result<(), Mismatch> {
        match &self.lead.stage {
            Stage::Done(d) if pick(*d).is_some_and(|r| reason.is_none_or(|want| want == r)) => {
                Ok(())
            }
            _ => Err((expected.to_string(), self.state())),
        }
    }

    /// The reason of the lead's latest recycle, when its latest ending was one.
    fn last_recycle(&self) -> Option<ReasonId> {
        let mut recycled = false;
        for (_, action) in self.actions.iter().rev() {
            match action {
                Action::BreachRecycled { reason, .. } => return Some(*reason),
                Action::Recycled { .. } => recycled = true,
                Action::Disposition { reason } if recycled => return Some(*reason),
                Action::Converted { .. }
                | Action::Closed { .. }
                | Action::Disqualified { .. }
                | Action::Enqueue { .. } => return None,
                _ => {}
            }
        }
        None
    }

    fn sla(&self, r: &HandoffRun) -> String {
        if r.deadline == Timestamp::MAX {
            return "no sla deadline".to_string();
        }
        let left = r.deadline.saturating_sub(self.now);
        format!(
            "sla due {} (in {})",
            local_time(self.playbook(), r.deadline),
            span_text(left)
        )
    }

    /// The lead's stage in the test's words.
    fn state(&self) -> String {
        let p = self.playbook();
        let track = self.lead.track.map(|t| self.track(t.track));
        match &self.lead.stage {
            Stage::New => "no lead".to_string(),
            Stage::Nurture => match track {
                Some(t) => format!("no handoff, in track {t}"),
                None => "no handoff, in no track".to_string(),
            },
            Stage::Parked { track, until } => format!(
                "no handoff, parked until {} then track {}",
                local_time(p, *until),
                self.track(*track)
            ),
            Stage::HandedOff(r) => {
                let mut s = format!(
                    "handed off by {} to {}",
                    name(&p.handoffs, r.rule.index(), |h| &h.name),
                    name(&p.queues, r.queue.index(), |q| &q.name)
                );
                if let Some(o) = r.owner {
                    s.push_str(&format!(" owner {}", self.seller(o)));
                }
                s
            }
            Stage::Done(Departure::Converted { reason }) => {
                format!("converted as {}", self.reason(*reason))
            }
            Stage::Done(Departure::Closed { reason }) => {
                format!("closed as {}", self.reason(*reason))
            }
            Stage::Done(Departure::Disqualified { reason }) => {
                format!("disqualified as {}", self.reason(*reason))
            }
        }
    }

    /// The expectation in the test's own words.
    fn expected(&self, e: &Expect) -> String {
        let p = self.playbook();
        let reason =
            |r: &Option<ReasonId>| r.map_or(String::new(), |r| format!(" as {}", self.reason(r)));
        match e {
            Expect::HandedOff { rule, queue, owner } => {
                let mut s = format!(
                    "handed off by {} to {}",
                    name(&p.handoffs, rule.index(), |h| &h.name),
                    name(&p.queues, queue.index(), |q| &q.name)
                );
                if let Some(o) = owner {
                    s.push_str(&format!(" owner {}", self.seller(*o)));
                }
                s
            }
            Expect::NoHandoff => "no handoff".to_string(),
            Expect::SlaDueAt(t) => format!("sla due {}", local_time(p, *t)),
            Expect::SlaDueWithin(secs) => format!("sla due within {}", span_text(*secs)),
            Expect::Breaches(n) => format!("breaches {n}"),
            Expect::InTrack(t) => format!("in track {}", self.track(*t)),
            Expect::Converted(r) => format!("converted{}", reason(r)),
            Expect::Closed(r) => format!("closed{}", reason(r)),
            Expect::Recycled(r) => format!("recycled{}", reason(r)),
            Expect::Disqualified(r) => format!("disqualified as {}", self.reason(*r)),
            Expect::SuppressedUntil(t) => format!("suppressed until {}", local_time(p, *t)),
            Expect::Score(id, v) => format!(
                "score {} = {}",
                name(&p.scores, id.index(), |s| &s.name),
                number(*v)
            ),
            Expect::Band(set, i) => {
                let bands = p.band_sets.get(set.index());
                format!(
                    "band {} = {}",
                    bands.map_or("", |b| b.name.as_str()),
                    bands
                        .and_then(|b| b.bands.get(*i))
                        .map_or("", |b| b.name.as_str())
                )
            }
            Expect::AssignedTo(s) => format!("assigned to {}", self.seller(*s)),
            Expect::BreachStep(step) => self.breach_step(*step),
            Expect::Context(c) => context::context_words(p, c),
        }
    }

    fn track(&self, id: crate::ir::TrackId) -> String {
        name(&self.playbook().tracks, id.index(), |t| &t.name)
    }

    fn reason(&self, id: ReasonId) -> String {
        name(&self.playbook().reasons, id.index(), |r| &r.name)
    }

    fn seller(&self, id: crate::ir::SellerId) -> String {
        name(&self.playbook().sellers, id.index(), |s| &s.name)
    }
}

/// Whether a step taken is the one expected (any queue when the test names none).
fn step_matches(want: BreachStep, taken: BreachStep) -> bool {
    let queue = |w: Option<_>, t: Option<_>| w.is_none() || w == t;
    match (want, taken) {
        (BreachStep::Rescued(w), BreachStep::Rescued(t)) => w == t,
        (BreachStep::Requeued(w), BreachStep::Requeued(t))
        | (BreachStep::Escalated(w), BreachStep::Escalated(t))
        | (BreachStep::Reassigned(w), BreachStep::Reassigned(t)) => queue(w, t),
        _ => false,
    }
}

fn name<T>(items: &[T], index: usize, get: impl Fn(&T) -> &String) -> String {
    items
        .get(index)
        .map_or_else(|| format!("#{index}"), |t| get(t).clone())
}

/// A number as a test writes it: whole numbers bare, others to two decimals.
fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// Seconds as the largest whole unit that divides them (`15m`, `2h`, `90s`).
fn span_text(secs: i64) -> String {
    match secs {
        s if s != 0 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s != 0 && s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

fn input_word(input: &Input) -> &'static str {
    match input {
        Input::Arrive { .. } => "arrival",
        Input::Event { .. } => "event",
        Input::SetField { .. } => "set",
        Input::Timer(_) => "timer",
        Input::Pickup { .. } => "seller picks up",
        Input::Touch { .. } => "touch",
        Input::Disposition { .. } => "dispose",
    }
}

mod context;
#[cfg(test)]
mod tests;

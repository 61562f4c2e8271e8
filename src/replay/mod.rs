//! Replay: recorded history (event lines, or a live store's input log) through one in-memory
//! [`Ledger`], the same driver and engine as `handoff run --clock events`, and what actually
//! happened measured from the actions it takes (`docs/replay.md`).
//!
//! The measures follow the simulator's definitions (`docs/kpis.md`) where history has what they
//! need: a handoff starts with its `create_task`, its first touch and SLA breaches are the
//! engine's `first_touch` and `sla_breached` actions, and it ends with the action that takes
//! the lead out of it. It is pure: the caller reads lines and prints the report.

pub mod explain;
mod facts;
pub mod sources;
#[cfg(test)]
mod tests;
#[cfg(feature = "live")]
pub mod verify;

use crate::calendar::Timestamp;
use crate::engine::{utc, Action, Engine, Input, Step, TouchOutcome};
use crate::events::{Decoded, Effect, Subject};
use crate::ir::{Playbook, ReasonId};
use crate::ledger::{Accepted, Emitted, LeadNo, Ledger, Refusal};
use crate::sim::stats::quantile_unsorted;
use explain::{Follow, Story};
use serde::Serialize;
use sources::SourceMap;
use std::collections::{BTreeMap, HashSet};

/// How a handoff ended, for leakage; the first ending wins, as in the simulator.
use crate::sim::kpi::HandoffEnd as End;

/// A handoff in progress: its first-touch delay and breaches so far.
#[derive(Debug, Clone, Copy)]
struct Handoff {
    delay: Option<i64>,
    breaches: u32,
    end: End,
}

/// What replay keeps of one lead.
#[derive(Debug, Clone, Default)]
struct LeadTally {
    open: Option<Handoff>,
    handed_off: bool,
    converted: bool,
    /// The reason of the latest disposition or breach limit, which names a recycle.
    reason: Option<ReasonId>,
}

/// Counts kept while replaying.
#[derive(Debug, Clone, Default)]
struct Tally {
    applied: u64,
    ignored: u64,
    late: u64,
    refused: u64,
    duplicates: u64,
    bad: u64,
    meetings: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    by_rule: BTreeMap<u32, u64>,
    delays: Vec<f64>,
    sla_met: u64,
    sla_missed: u64,
    leaked: u64,
    decided: u64,
    outcomes: BTreeMap<(&'static str, u32), u64>,
}

/// History going through a ledger, measured as it goes.
#[derive(Debug, Clone)]
pub struct Replay {
    ledger: Ledger,
    leads: Vec<LeadTally>,
    tally: Tally,
    /// Every `(source, id)` applied, so a re-sent line is dropped as `run` drops it.
    seen: HashSet<(String, String)>,
    /// The lead `--explain` follows, if any.
    follow: Option<Box<Follow>>,
}

impl Replay {
    /// An empty history running `engine`.
    pub fn new(engine: Engine) -> Replay {
        Replay {
            ledger: Ledger::new(engine),
            leads: Vec::new(),
            tally: Tally::default(),
            seen: HashSet::new(),
            follow: None,
        }
    }

    /// Follows the lead `key` through the history, to tell its story ([`Replay::story`]);
    /// `map` locates the rules the story names.
    pub fn explain(&mut self, key: &str, map: SourceMap) {
        self.follow = Some(Box::new(Follow::new(key, map)));
    }

    /// The followed lead's story, after the timers due by the ledger's clock have fired.
    pub fn story(&mut self) -> Option<Story> {
        let follow = self.follow.as_mut()?;
        let engine = self.ledger.engine();
        if let Some(clock) = self.ledger.clock() {
            follow.advance(engine, clock);
        }
        Some(follow.story(engine.playbook()))
    }

    /// The ledger, for a caller that wants each lead's state.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Applies one decoded line as `run --clock events` does (the timers due by its time first),
    /// appends what the ledger decided to `out` and measures it; a line whose `(source, id)`
    /// was applied before is dropped (`Ok(None)`).
    pub fn apply(
        &mut self,
        line: &Decoded,
        out: &mut Vec<Emitted>,
    ) -> Result<Option<Accepted>, Refusal> {
        let key = (line.source.clone(), line.id.clone());
        if self.seen.contains(&key) {
            self.tally.duplicates += 1;
            return Ok(None);
        }
        let before = out.len();
        let result = self.ledger.apply(line, out);
        match &result {
            Ok(accepted) => {
                self.seen.insert(key);
                let t = &mut self.tally;
                t.applied += u64::from(accepted.outcome == Step::Applied);
                t.ignored += u64::from(accepted.outcome != Step::Applied);
                t.late += u64::from(accepted.late);
                t.first = Some(t.first.map_or(line.time, |f| f.min(line.time)));
                t.last = Some(t.last.map_or(line.time, |l| l.max(line.time)));
                let meeting = matches!(
                    line.input(),
                    Some(Input::Touch {
                        outcome: TouchOutcome::Meeting
                    })
                );
                t.meetings += u64::from(meeting && accepted.outcome == Step::Applied);
            }
            Err(_) => self.tally.refused += 1,
        }
        self.measure(out.get(before..).unwrap_or_default());
        if let (Ok(_), Some(follow)) = (&result, self.follow.as_mut()) {
            follow_line(
                follow,
                &self.ledger,
                line,
                out.get(before..).unwrap_or_default(),
            );
        }
        result.map(Some)
    }

    /// Counts a line that could not be decoded, which the caller reports and skips.
    pub fn skip_bad_line(&mut self) {
        self.tally.bad += 1;
    }

    /// Fires the timers due by `until` (the end of the history), appending what they decided.
    pub fn advance(&mut self, until: Timestamp, out: &mut Vec<Emitted>) {
        let before = out.len();
        self.ledger.advance(until, out);
        self.measure(out.get(before..).unwrap_or_default());
        if let Some(follow) = self.follow.as_mut() {
            follow_assignments(follow, &self.ledger, out.get(before..).unwrap_or_default());
        }
    }

    fn measure(&mut self, emitted: &[Emitted]) {
        for e in emitted {
            if let Effect::Engine(action) = &e.effect {
                self.action(e.lead, action);
            }
        }
    }

    /// Reads one action of a lead, the way the simulator reacts to it (`sim::run`).
    fn action(&mut self, no: LeadNo, action: &Action) {
        let index = usize::try_from(no).unwrap_or(usize::MAX);
        if self.leads.len() <= index {
            self.leads
                .resize_with(index.saturating_add(1), LeadTally::default);
        }
        let (Some(lead), t) = (self.leads.get_mut(index), &mut self.tally) else {
            return;
        };
        let note = |lead: &mut LeadTally, end: End| {
            if let Some(h) = lead.open.as_mut().filter(|h| h.end == End::Running) {
                h.end = end;
            }
        };
        match action {
            Action::CreateTask { rule, .. } => {
                *t.by_rule.entry(rule.0).or_default() += 1;
                lead.handed_off = true;
                lead.open = Some(Handoff {
                    delay: None,
                    breaches: 0,
                    end: End::Running,
                });
            }
            Action::FirstTouch {
                delay_secs,
                breaches,
                ..
            } => {
                if let Some(h) = lead.open.as_mut() {
                    h.delay = Some(*delay_secs);
                    h.breaches = *breaches;
                }
            }
            Action::SlaBreached { breaches, .. } => {
                if let Some(h) = lead.open.as_mut().filter(|h| h.end == End::Running) {
                    h.breaches = *breaches;
                }
            }
            Action::Disposition { reason } => {
                lead.reason = Some(*reason);
                note(lead, End::Disposed);
            }
            Action::BreachRecycled { reason, .. } => {
                lead.reason = Some(*reason);
                note(lead, End::Recycled);
            }
            Action::Unresolved { .. } => {
                note(lead, End::Unresolved);
                end(lead, t);
            }
            Action::Recycled { .. } => {
                let reason = lead.reason.map_or(u32::MAX, |r| r.0);
                *t.outcomes.entry(("recycled", reason)).or_default() += 1;
                end(lead, t);
            }
            Action::Converted { reason } => {
                *t.outcomes.entry(("converted", reason.0)).or_default() += 1;
                lead.converted = true;
                end(lead, t);
            }
            Action::Closed { reason } => {
                *t.outcomes.entry(("closed", reason.0)).or_default() += 1;
                note(lead, End::Closed);
                end(lead, t);
            }
            Action::Disqualified { reason } => {
                *t.outcomes.entry(("disqualified", reason.0)).or_default() += 1;
                note(lead, End::Disqualified);
                end(lead, t);
            }
            _ => {}
        }
    }

    /// What the history did, as far as it has been replayed; handoffs still open are counted as
    /// the simulator counts them at its horizon.
    pub fn report(&self) -> Report {
        let mut t = self.tally.clone();
        for lead in &self.leads {
            let mut lead = lead.clone();
            end(&mut lead, &mut t);
        }
        let playbook = self.ledger.engine().playbook();
        build(playbook, &self.ledger, &self.leads, t)
    }
}

/// Gives the followed lead its line, if the line is about it, and its assignments.
fn follow_line(follow: &mut Follow, ledger: &Ledger, line: &Decoded, emitted: &[Emitted]) {
    if let Subject::Lead { lead, input } = &line.subject {
        if lead == follow.key() {
            let clock = ledger.clock().unwrap_or(line.time);
            let label = format!("{}/{}", line.source, line.id);
            follow.input(ledger.engine(), input, line.time, label, clock);
        }
    }
    follow_assignments(follow, ledger, emitted);
}

/// Tells the followed lead the sellers routing assigned it to.
fn follow_assignments(follow: &mut Follow, ledger: &Ledger, emitted: &[Emitted]) {
    let Some(no) = ledger.find(follow.key()) else {
        return;
    };
    for e in emitted.iter().filter(|e| e.lead == no) {
        if let Effect::Assign { queue, seller } = e.effect {
            follow.assigned(ledger.engine().playbook(), e.at, queue, seller);
        }
    }
}

/// Closes a lead's open handoff, if any, and counts it: SLA and leakage as `sim::run` does.
fn end(lead: &mut LeadTally, t: &mut Tally) {
    let Some(h) = lead.open.take() else {
        return;
    };
    let touched = h.delay.is_some();
    // Touched after the lead's intent lapsed leaks in the simulator; history has no intent.
    let leaked = h.end.leaked(touched, false, h.breaches);
    if let Some(d) = h.delay {
        t.delays.push(d as f64);
    }
    if h.breaches > 0 {
        t.sla_missed += 1;
    } else if touched {
        t.sla_met += 1;
    }
    if let Some(leaked) = leaked {
        t.decided += 1;
        t.leaked += u64::from(leaked);
    }
}

/// What a replayed history did (`docs/replay.md`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The playbook's name.
    pub playbook: String,
    /// The first and last times of the lines applied, RFC 3339.
    pub from: Option<String>,
    /// See `from`.
    pub to: Option<String>,
    /// Leads created.
    pub leads: u64,
    /// What became of the lines.
    pub inputs: Inputs,
    /// Handoffs started (a rule fired and the lead was routed to a queue).
    pub handoffs: u64,
    /// Handoffs by the rule that fired, in playbook order.
    pub handoffs_by_rule: Vec<Count>,
    /// Handoffs touched before any SLA breach.
    pub sla_met: u64,
    /// Handoffs that breached their SLA at least once.
    pub sla_missed: u64,
    /// `sla_met / (sla_met + sla_missed)`.
    pub sla_attainment: Option<f64>,
    /// Seconds from handoff to first touch of every touched handoff.
    pub speed_to_lead: Speed,
    /// Handoffs that leaked (`docs/kpis.md`, without the lapse of intent history cannot see).
    pub leaked: u64,
    /// Handoffs whose outcome is decided.
    pub decided: u64,
    /// `leaked / decided`.
    pub leakage: Option<f64>,
    /// Leads handed off at least once.
    pub handed_off_leads: u64,
    /// Of those, leads that converted.
    pub converted_leads: u64,
    /// `converted_leads / handed_off_leads`.
    pub mql_to_sql: Option<f64>,
    /// Touches that booked a meeting.
    pub meetings: u64,
    /// How leads left a handoff or the funnel, by outcome and reason.
    pub outcomes: Vec<Outcome>,
    /// Leads by their stage at the end.
    pub stages: Vec<Count>,
}

/// What became of the lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Inputs {
    /// Applied by the engine.
    pub applied: u64,
    /// Ignored by the engine (they did not fit the lead's stage).
    pub ignored: u64,
    /// Of those applied or ignored, older than their lead's last step.
    pub late: u64,
    /// About a lead nobody created, or creating one that exists.
    pub refused: u64,
    /// Re-sent lines (a `(source, id)` applied before), dropped.
    pub duplicates: u64,
    /// Lines that could not be decoded (`docs/events.md`), skipped.
    pub bad_lines: u64,
}

/// Speed to lead in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Speed {
    /// Touched handoffs.
    pub touched: u64,
    /// Median (type 7).
    pub median: Option<f64>,
    /// 90th percentile (type 7).
    pub p90: Option<f64>,
    /// Mean.
    pub mean: Option<f64>,
}

/// A count of something named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Its name.
    pub name: String,
    /// How many.
    pub count: u64,
}

/// How many leads left with one outcome and reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// `converted`, `closed`, `disqualified` or `recycled`.
    pub outcome: &'static str,
    /// The reason code.
    pub reason: String,
    /// How many.
    pub count: u64,
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn build(playbook: &Playbook, ledger: &Ledger, leads: &[LeadTally], mut t: Tally) -> Report {
    let rule_name = |id: u32| {
        (playbook
            .handoffs
            .get(usize::try_from(id).unwrap_or(usize::MAX)))
        .map_or_else(|| format!("#{id}"), |h| h.name.clone())
    };
    let reason_name = |id: u32| {
        (playbook
            .reasons
            .get(usize::try_from(id).unwrap_or(usize::MAX)))
        .map_or_else(|| "-".to_owned(), |r| r.name.clone())
    };
    let touched = t.delays.len() as u64;
    let mean = (touched > 0).then(|| t.delays.iter().sum::<f64>() / touched as f64);
    let speed_to_lead = Speed {
        touched,
        median: quantile_unsorted(&mut t.delays, 0.5),
        p90: quantile_unsorted(&mut t.delays, 0.9),
        mean,
    };
    let mut stages: BTreeMap<&str, u64> = BTreeMap::new();
    for lead in ledger.leads() {
        *stages.entry(lead.record.state.stage_name()).or_default() += 1;
    }
    let handed_off = leads.iter().filter(|l| l.handed_off).count() as u64;
    let converted = (leads.iter())
        .filter(|l| l.handed_off && l.converted)
        .count() as u64;
    Report {
        playbook: playbook.name.clone(),
        from: t.first.map(utc),
        to: t.last.map(utc),
        leads: ledger.len() as u64,
        inputs: Inputs {
            applied: t.applied,
            ignored: t.ignored,
            late: t.late,
            refused: t.refused,
            duplicates: t.duplicates,
            bad_lines: t.bad,
        },
        handoffs: t.by_rule.values().sum(),
        handoffs_by_rule: (t.by_rule.iter())
            .map(|(rule, count)| Count {
                name: rule_name(*rule),
                count: *count,
            })
            .collect(),
        sla_met: t.sla_met,
        sla_missed: t.sla_missed,
        sla_attainment: share(t.sla_met, t.sla_met + t.sla_missed),
        speed_to_lead,
        leaked: t.leaked,
        decided: t.decided,
        leakage: share(t.leaked, t.decided),
        handed_off_leads: handed_off,
        converted_leads: converted,
        mql_to_sql: share(converted, handed_off),
        meetings: t.meetings,
        outcomes: (t.outcomes.iter())
            .map(|((outcome, reason), count)| Outcome {
                outcome,
                reason: reason_name(*reason),
                count: *count,
            })
            .collect(),
        stages: (stages.into_iter())
            .map(|(name, count)| Count {
                name: name.to_owned(),
                count,
            })
            .collect(),
    }
}

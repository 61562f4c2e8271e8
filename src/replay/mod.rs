//! Replay: recorded history (event lines, or a live store's input log) through one in-memory
//! [`Ledger`], the same driver and engine as `handoff run --clock events`, and what actually
//! happened measured from the actions it takes (`docs/replay.md`).
//!
//! The measures follow the simulator's definitions (`docs/kpis.md`) where history has what they
//! need: a handoff starts with its `create_task`, its first touch and SLA breaches are the
//! engine's `first_touch` and `sla_breached` actions, and it ends with the action that takes
//! the lead out of it. It is pure: the caller reads lines and prints the report.

pub mod against;
pub mod explain;
mod facts;
mod report;
pub mod sources;
#[cfg(test)]
mod tests;
#[cfg(feature = "live")]
pub mod verify;

use crate::calendar::Timestamp;
use crate::engine::deploy::Kind;
use crate::engine::{Action, Deploy, Engine, Input, Step, TimerKind, TouchOutcome};
use crate::events::{Decoded, Effect, Subject};
use crate::ir::{Kpi, QueueId, ReasonId, SellerId};
use crate::ledger::{Accepted, Emitted, LeadNo, Ledger, Refusal};
use explain::{Follow, Story};
use report::build;
pub use report::{Count, Inputs, NotComputed, Outcome, Rate, Report, Speed};
use sources::SourceMap;
use std::collections::{BTreeMap, HashMap, HashSet};

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
    /// Got an automated touch; then emitted an event (`engagement_rate`).
    auto_touched: bool,
    engaged: bool,
    /// Recycled to automation; then emitted an event (`re_engagement`).
    recycled: bool,
    re_engaged: bool,
    /// Given a suppression window; then handed off again (`return_to_intent`).
    suppressed: bool,
    returned: bool,
    /// The owner of the lead's latest `enqueue`, which tells a named-account route.
    owned: bool,
    /// The open handoff is a target-account handoff (`docs/kpis.md`).
    target_account: bool,
    /// The lead's first handoff: its queue, the seller routing assigned it to (or its named
    /// owner) and its SLA deadline; and its breaches over all handoffs (`--against`).
    first_queue: Option<QueueId>,
    owner: Option<SellerId>,
    first_due: Option<Timestamp>,
    breaches: u32,
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
    seller_ignored: u64,
    unnamed_pickups: u64,
    target_account_meetings: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    by_rule: BTreeMap<u32, u64>,
    delays: Vec<f64>,
    sla_met: u64,
    sla_missed: u64,
    leaked: u64,
    decided: u64,
    outcomes: BTreeMap<(&'static str, u32), u64>,
    /// Names of rules and reasons counted under an earlier playbook version that the current
    /// one deletes, by the key they are counted under (past the current version's ids).
    retired: BTreeMap<u32, String>,
}

/// History going through a ledger, measured as it goes.
#[derive(Debug, Clone)]
pub struct Replay {
    ledger: Ledger,
    leads: Vec<LeadTally>,
    tally: Tally,
    /// Every `(source, id)` applied, so a re-sent line is dropped as `run` drops it.
    /// By source, so that looking a line up allocates nothing.
    seen: HashMap<String, HashSet<String>>,
    /// The lead `--explain` follows, if any.
    follow: Option<Box<Follow>>,
    /// Rules with the line `kpi target_account_meetings`, whose handoffs are target-account
    /// handoffs wherever they route.
    target_account_rules: Vec<u32>,
}

impl Replay {
    /// An empty history running `engine`.
    pub fn new(engine: Engine) -> Replay {
        Replay {
            target_account_rules: target_account_rules(&engine),
            ledger: Ledger::new(engine),
            leads: Vec::new(),
            tally: Tally::default(),
            seen: HashMap::new(),
            follow: None,
        }
    }

    /// What became of every lead, for `--against` ([`against::diff`]).
    pub fn outcomes(&self) -> Vec<against::LeadOutcome> {
        let playbook = self.ledger.engine().playbook();
        let none = LeadTally::default();
        (self.ledger.leads().iter().enumerate())
            .map(|(i, lead)| {
                let t = self.leads.get(i).unwrap_or(&none);
                against::LeadOutcome::new(playbook, &lead.key, &lead.record.state, t)
            })
            .collect()
    }

    /// Goes on under another playbook version: `ledger` holds every lead carried over by
    /// `plan` (`handoff run` deploying it, `docs/deploy.md`); counts by rule and by reason
    /// follow their rules and reasons by name, and keep the old name when the new version
    /// deletes one.
    pub fn carry_to(&mut self, plan: &Deploy, ledger: Ledger) {
        let old = self.ledger.engine().playbook().clone();
        let t = &mut self.tally;
        let mut next = 1_000_000 + t.retired.len() as u32;
        let mut key =
            |kind: Kind, id: u32, name: Option<&String>, retired: &mut BTreeMap<u32, String>| {
                if let Some(new) = plan.map(kind, id) {
                    return new;
                }
                if id >= 1_000_000 || id == u32::MAX {
                    return id;
                }
                next += 1;
                retired.insert(next, name.cloned().unwrap_or_else(|| format!("#{id}")));
                next
            };
        let rule = |id: u32| old.handoffs.get(usize::try_from(id).ok()?).map(|h| &h.name);
        let reason = |id: u32| old.reasons.get(usize::try_from(id).ok()?).map(|r| &r.name);
        t.by_rule = (std::mem::take(&mut t.by_rule).into_iter())
            .map(|(id, n)| (key(Kind::Handoff, id, rule(id), &mut t.retired), n))
            .collect();
        t.outcomes = (std::mem::take(&mut t.outcomes).into_iter())
            .map(|((o, id), n)| ((o, key(Kind::Reason, id, reason(id), &mut t.retired)), n))
            .collect();
        for lead in &mut self.leads {
            lead.reason = (lead.reason)
                .map(|r| ReasonId(key(Kind::Reason, r.0, reason(r.0), &mut t.retired)));
        }
        self.target_account_rules = target_account_rules(ledger.engine());
        self.ledger = ledger;
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
        let seen = (self.seen.get(&line.source)).is_some_and(|ids| ids.contains(&line.id));
        if seen {
            self.tally.duplicates += 1;
            return Ok(None);
        }
        let before = out.len();
        let result = self.ledger.apply(line, out);
        match &result {
            Ok(accepted) => {
                match self.seen.get_mut(&line.source) {
                    Some(ids) => ids.insert(line.id.clone()),
                    None => {
                        (self.seen.entry(line.source.clone()).or_default()).insert(line.id.clone())
                    }
                };
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
                ) && accepted.outcome == Step::Applied;
                t.meetings += u64::from(meeting);
                let seller = matches!(
                    line.input(),
                    Some(Input::Pickup { .. } | Input::Touch { .. } | Input::Disposition { .. })
                );
                t.seller_ignored += u64::from(seller && accepted.outcome != Step::Applied);
                let event = matches!(line.input(), Some(Input::Event { .. }));
                let no = accepted.lead.and_then(|no| usize::try_from(no).ok());
                if let Some(lead) = no.and_then(|no| self.leads.get_mut(no)) {
                    lead.engaged |= event && lead.auto_touched;
                    lead.re_engaged |= event && lead.recycled;
                    t.target_account_meetings += u64::from(meeting && lead.target_account);
                }
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

    /// Counts a pickup whose seller this playbook does not have, which the caller applies as
    /// a pickup by an unnamed seller (`--against`, `docs/replay.md`).
    pub fn note_unnamed_pickup(&mut self) {
        self.tally.unnamed_pickups += 1;
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
            match &e.effect {
                Effect::Engine(action) => self.action(e.lead, action),
                Effect::Assign { seller, .. } => {
                    if let Some(lead) = tally_of(&mut self.leads, e.lead) {
                        lead.owner.get_or_insert(*seller);
                    }
                }
            }
        }
    }

    /// Reads one action of a lead, the way the simulator reacts to it (`sim::run`).
    fn action(&mut self, no: LeadNo, action: &Action) {
        let (Some(lead), t) = (tally_of(&mut self.leads, no), &mut self.tally) else {
            return;
        };
        let note = |lead: &mut LeadTally, end: End| {
            if let Some(h) = lead.open.as_mut().filter(|h| h.end == End::Running) {
                h.end = end;
            }
        };
        match action {
            Action::AutoTouch { .. } => lead.auto_touched = true,
            Action::Enqueue { owner, queue, .. } => {
                lead.owned = owner.is_some();
                lead.first_queue.get_or_insert(*queue);
                if let Some(owner) = owner {
                    lead.owner.get_or_insert(*owner);
                }
            }
            Action::StartTimer { key, at } if key.kind == TimerKind::Sla => {
                lead.first_due.get_or_insert(*at);
            }
            Action::CreateTask { rule, .. } => {
                *t.by_rule.entry(rule.0).or_default() += 1;
                lead.returned |= lead.suppressed;
                lead.target_account = lead.owned || self.target_account_rules.contains(&rule.0);
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
                lead.breaches = lead.breaches.saturating_add(1);
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
            Action::Recycled {
                suppressed_until, ..
            } => {
                lead.recycled = true;
                lead.suppressed |= suppressed_until.is_some();
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

/// The tally of lead `no`, made when it is the first seen.
fn tally_of(leads: &mut Vec<LeadTally>, no: LeadNo) -> Option<&mut LeadTally> {
    let index = usize::try_from(no).ok()?;
    if leads.len() <= index {
        leads.resize_with(index.saturating_add(1), LeadTally::default);
    }
    leads.get_mut(index)
}

/// Rules with the line `kpi target_account_meetings`.
fn target_account_rules(engine: &Engine) -> Vec<u32> {
    (engine.playbook().handoffs.iter().zip(0..))
        .filter(|(h, _)| h.kpis.contains(&Kpi::TargetAccountMeetings))
        .map(|(_, i)| i)
        .collect()
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

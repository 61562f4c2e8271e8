//! Coverage of the playbook, not of lines: which handoff rules, router lines, breach steps,
//! reasons, tracks, bands, disqualifiers and sequence steps the tests reached.
//!
//! Read from what the engine already reports while a test runs (its actions, and the lead's
//! track and bands after each step), so coverage never interprets the playbook a second way;
//! the one exception, the router line taken, asks the engine's own router
//! ([`Engine::route_line`]).

use std::collections::HashSet;

use crate::calendar::Timestamp;
use crate::engine::{Action, Engine, LeadState};
use crate::ir::{
    BandSetId, BreachAction, HandoffId, Playbook, ReasonId, RouteTarget, RouterId, SequenceId,
    TrackId,
};
use crate::span::Span;

/// The kinds of playbook part coverage counts, in the order reports list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartKind {
    /// A handoff rule that fired.
    HandoffRule,
    /// A router line a handoff took.
    RouterLine,
    /// A breach step (or breach limit) that ran.
    BreachStep,
    /// A reason code recorded.
    Reason,
    /// A track a lead entered.
    TrackEntered,
    /// A track a lead left.
    TrackLeft,
    /// A band a lead was in.
    Band,
    /// A disqualifier that matched.
    Disqualifier,
    /// A sequence step that came due.
    SequenceStep,
}

impl PartKind {
    /// The kind in words, as reports show it.
    pub fn word(self) -> &'static str {
        match self {
            PartKind::HandoffRule => "handoff rule",
            PartKind::RouterLine => "router line",
            PartKind::BreachStep => "breach step",
            PartKind::Reason => "reason",
            PartKind::TrackEntered => "track entered",
            PartKind::TrackLeft => "track left",
            PartKind::Band => "band",
            PartKind::Disqualifier => "disqualifier",
            PartKind::SequenceStep => "sequence step",
        }
    }
}

/// One part of a playbook, by the ids the engine reports it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// A handoff rule.
    Rule(HandoffId),
    /// Line `n` of a router.
    RouterLine(RouterId, usize),
    /// Action `n` of a handoff's breach path.
    BreachStep(HandoffId, usize),
    /// A handoff's breach limit.
    BreachLimit(HandoffId),
    /// A reason code.
    Reason(ReasonId),
    /// Entering a track.
    TrackEntered(TrackId),
    /// Leaving a track.
    TrackLeft(TrackId),
    /// Band `n` of a band set.
    Band(BandSetId, usize),
    /// Disqualifier `n`.
    Disqualifier(usize),
    /// Step `n` (in day order) of a sequence.
    SequenceStep(SequenceId, usize),
}

impl Part {
    /// The part's kind.
    pub fn kind(self) -> PartKind {
        match self {
            Part::Rule(_) => PartKind::HandoffRule,
            Part::RouterLine(..) => PartKind::RouterLine,
            Part::BreachStep(..) | Part::BreachLimit(_) => PartKind::BreachStep,
            Part::Reason(_) => PartKind::Reason,
            Part::TrackEntered(_) => PartKind::TrackEntered,
            Part::TrackLeft(_) => PartKind::TrackLeft,
            Part::Band(..) => PartKind::Band,
            Part::Disqualifier(_) => PartKind::Disqualifier,
            Part::SequenceStep(..) => PartKind::SequenceStep,
        }
    }
}

/// A part a test can reach, with its name and where it is written, listed by the checker (which
/// knows the spans the IR leaves out).
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageItem {
    /// Which part.
    pub part: Part,
    /// Its name in reports (`inbound line 2`, `fast_follow_up day 1 linkedin`).
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// The parts tests reached.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reached(HashSet<Part>);

impl Reached {
    /// Whether some test reached `part`.
    pub fn contains(&self, part: Part) -> bool {
        self.0.contains(&part)
    }

    /// Adds what another run reached.
    pub fn extend(&mut self, other: &Reached) {
        self.0.extend(other.0.iter().copied());
    }

    fn insert(&mut self, part: Part) {
        self.0.insert(part);
    }
}

/// Watches one test's lead: what it reached, and the handoff its actions belong to.
#[derive(Debug, Default)]
pub(super) struct Observer {
    /// What the lead reached so far.
    pub(super) reached: Reached,
    /// The rule of the latest handoff, whose sequence the steps due belong to.
    rule: Option<HandoffId>,
    /// The rule of the latest breach, whose breach path the steps taken belong to.
    breached: Option<HandoffId>,
}

impl Observer {
    /// Records what one driver call did: the actions it took and the lead after it, with the
    /// track the lead ran before it (for tracks left).
    pub(super) fn observe(
        &mut self,
        engine: &Engine,
        before: Option<TrackId>,
        actions: &[(Timestamp, Action)],
        lead: &LeadState,
        now: Timestamp,
    ) {
        let mut track = before;
        for (at, action) in actions {
            self.action(engine, action, lead, *at);
            if let Action::EnteredTrack { track: t } | Action::RescueStarted { track: t } = action {
                // A rescue reports its start and then its entry: one track, not two.
                if track != Some(*t) {
                    self.left(track);
                }
                track = Some(*t);
                self.reached.insert(Part::TrackEntered(*t));
            }
        }
        let after = lead.track.map(|t| t.track);
        if after != track {
            self.left(track);
            if let Some(t) = after {
                self.reached.insert(Part::TrackEntered(t));
            }
        }
        let sets = engine.playbook().band_sets.len();
        for set in (0..sets).filter_map(|s| u32::try_from(s).ok()) {
            if let Some(band) = engine.band(lead, BandSetId(set), now) {
                self.reached.insert(Part::Band(BandSetId(set), band));
            }
        }
    }

    fn left(&mut self, track: Option<TrackId>) {
        if let Some(t) = track {
            self.reached.insert(Part::TrackLeft(t));
        }
    }

    fn action(&mut self, engine: &Engine, action: &Action, lead: &LeadState, at: Timestamp) {
        let playbook = engine.playbook();
        match action {
            Action::CreateTask { rule, .. } => {
                self.rule = Some(*rule);
                self.reached.insert(Part::Rule(*rule));
                self.router_line(engine, *rule, lead, at);
            }
            Action::StepDue { step, .. } => {
                let sequence = self.rule.and_then(|r| playbook.handoffs.get(r.index()));
                if let Some(sequence) = sequence.and_then(|h| h.sequence) {
                    let step = Part::SequenceStep(sequence, usize::from(*step));
                    self.reached.insert(step);
                }
            }
            Action::SlaBreached { rule, .. } => self.breached = Some(*rule),
            Action::BreachRecycled { reason, .. } => {
                self.reached.insert(Part::Reason(*reason));
                if let Some(rule) = self.breached {
                    self.reached.insert(Part::BreachLimit(rule));
                }
            }
            Action::Disposition { reason }
            | Action::Converted { reason }
            | Action::Closed { reason } => self.reached.insert(Part::Reason(*reason)),
            Action::Disqualified { reason } => {
                self.reached.insert(Part::Reason(*reason));
                let matching = (playbook.disqualifiers.iter().enumerate())
                    .filter(|(_, d)| d.reason == *reason);
                for (i, _) in matching {
                    self.reached.insert(Part::Disqualifier(i));
                }
            }
            _ => self.breach_step(playbook, action),
        }
    }

    /// Marks the step of the breaching rule's path that `action` took, if it is one.
    fn breach_step(&mut self, playbook: &Playbook, action: &Action) {
        let Some(rule) = self.breached else { return };
        let Some(def) = playbook.handoffs.get(rule.index()) else {
            return;
        };
        if let Some(i) = def.breach.iter().position(|b| breach_matches(b, action)) {
            self.reached.insert(Part::BreachStep(rule, i));
        }
    }

    fn router_line(&mut self, engine: &Engine, rule: HandoffId, lead: &LeadState, at: Timestamp) {
        let route = (engine.playbook().handoffs.get(rule.index())).map(|h| h.route);
        let Some(RouteTarget::Router(router)) = route else {
            return;
        };
        if let Some((line, _, _)) = engine.route_line(router, lead, at) {
            self.reached.insert(Part::RouterLine(router, line));
        }
    }
}

/// Whether a breach action of the playbook is the step the engine reported.
fn breach_matches(def: &BreachAction, action: &Action) -> bool {
    match (def, action) {
        (BreachAction::Rescue { track }, Action::RescueStarted { track: t }) => track == t,
        (BreachAction::Requeue { .. }, Action::Requeued { .. })
        | (BreachAction::Escalate { .. }, Action::Escalated { .. })
        | (BreachAction::Reassign { .. }, Action::Reassigned { .. }) => true,
        (BreachAction::Notify { role }, Action::NotifyRole { role: r }) => role.as_str() == &**r,
        _ => false,
    }
}

/// A playbook's coverage: every part with whether a test reached it.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage<'a> {
    /// The parts and whether each was reached, in the checker's order.
    pub parts: Vec<(&'a CoverageItem, bool)>,
}

impl<'a> Coverage<'a> {
    /// Matches the parts of a playbook against what its tests reached.
    pub fn new(items: &'a [CoverageItem], reached: &Reached) -> Self {
        let parts = items
            .iter()
            .map(|i| (i, reached.contains(i.part)))
            .collect();
        Coverage { parts }
    }

    /// How many parts were reached.
    pub fn covered(&self) -> usize {
        self.parts.iter().filter(|(_, hit)| *hit).count()
    }

    /// The share reached, in percent (100 for a playbook with nothing to reach).
    pub fn percent(&self) -> f64 {
        if self.parts.is_empty() {
            return 100.0;
        }
        self.covered() as f64 * 100.0 / self.parts.len() as f64
    }

    /// The parts no test reached.
    pub fn missed(&self) -> impl Iterator<Item = &'a CoverageItem> + '_ {
        self.parts.iter().filter(|(_, hit)| !hit).map(|(i, _)| *i)
    }
}

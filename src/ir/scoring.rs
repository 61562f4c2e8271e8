//! Scores, bands, triggers and disqualifiers.

use super::*;

/// A score: points while conditions hold plus decaying points per event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Score name.
    pub name: String,
    /// Event points halve every this many seconds; `None` means they never decay.
    pub half_life_secs: Option<i64>,
    /// Upper bound of the score.
    pub cap: Option<f64>,
    /// Points while a lead-attribute condition holds.
    pub when: Vec<(f64, Cond)>,
    /// Points per matching event.
    pub per_event: Vec<EventPoints>,
}

/// Points earned by each matching event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPoints {
    /// Event; `None` for any.
    pub event: Option<EventId>,
    /// Filter on its fields.
    pub filter: Cond,
    /// Points (negative for `subtract`).
    pub points: f64,
}

/// Bands over a sum of scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BandSet {
    /// Band set name.
    pub name: String,
    /// Scores summed.
    pub scores: Vec<ScoreId>,
    /// Bands in declaration order.
    pub bands: Vec<Band>,
}

/// One band: `[from, to)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Label.
    pub name: String,
    /// Inclusive lower bound; `None` is −∞.
    pub from: Option<f64>,
    /// Exclusive upper bound; `None` is +∞.
    pub to: Option<f64>,
}

impl Band {
    /// Whether a score falls in the band.
    pub fn contains(&self, score: f64) -> bool {
        self.from.is_none_or(|f| score >= f) && self.to.is_none_or(|t| score < t)
    }
}

/// What makes a rule fire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trigger {
    /// Events that fire the rule; empty means the rule fires on state (whenever `when` holds).
    pub on: Vec<EventTrigger>,
    /// Condition on the lead that must also hold.
    pub when: Cond,
}

/// One `on EVENT [where F]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventTrigger {
    /// Event; `None` for any.
    pub event: Option<EventId>,
    /// Filter on the event's fields.
    pub filter: Cond,
}

/// A disqualifier: matching leads are closed with a reason and never handed off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disqualifier {
    /// Name as written in the playbook, for diagnostics and reports.
    pub name: String,
    /// When it applies.
    pub trigger: Trigger,
    /// Reason recorded.
    pub reason: ReasonId,
}

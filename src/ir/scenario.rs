//! Checked scenarios: the synthetic world `handoff simulate` drives the engine with.
//!
//! Rates are per second, durations in seconds, probabilities and shares are fractions, and every
//! name is resolved against the playbook, so the simulator never re-validates.

use super::{CalendarId, Channel, EventId, FieldId, QueueId, ReasonId, ShapeId, Value};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Name, as `simulate --scenario` selects it.
    pub name: String,
    /// Simulated time span in seconds.
    pub horizon_secs: i64,
    /// The `warm-up` span in seconds; `None` has the simulator choose one by MSER-5. Left out
    /// of the IR when unset, so fingerprints of scenarios without it do not change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup_secs: Option<i64>,
    /// Lead sources with their Poisson arrival rates.
    pub sources: Vec<Source>,
    /// Attribute generators that apply to every source (a source's own generators win).
    pub population: Vec<AttrGen>,
    /// Latent-intent profiles; shares sum to 1.
    pub profiles: Vec<Profile>,
    /// Seller staffing per queue.
    pub staff: Vec<Staff>,
    /// Chance a touch connects, by response delay.
    pub connect: Response,
    /// Chance a connect books a meeting, by response delay.
    pub meeting: Response,
    /// Reasons sellers record after a connect that booked no meeting; shares sum to 1.
    pub after_connect: Vec<(ReasonId, f64)>,
}

/// A lead source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Name, recorded as the lead's campaign source.
    pub name: String,
    /// Arrivals per second (Poisson), on average over an ordinary week when shaped.
    pub rate_per_sec: f64,
    /// The shape arrivals follow through the week; `None` is the same rate at every hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<ShapeId>,
    /// Source-specific attribute generators.
    pub population: Vec<AttrGen>,
}

/// How one lead attribute is drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttrGen {
    /// The lead field the generator fills.
    pub field: FieldId,
    /// How its value is drawn.
    pub gen: Gen,
}

/// Attribute generators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Gen {
    /// Categorical: values with shares summing to 1.
    Mix {
        /// Values and shares.
        shares: Vec<(Value, f64)>,
    },
    /// A number drawn from a distribution.
    Draw {
        /// The distribution values are drawn from.
        dist: Dist,
    },
    /// A flag that is yes with this probability.
    Chance {
        /// Chance of `yes`, 0 to 1.
        p: f64,
    },
}

/// Distributions, parameters normalised (durations in seconds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Dist {
    /// Always `value`.
    Constant {
        /// The value every draw gives.
        value: f64,
    },
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Exponential with this mean.
    Exponential {
        /// Mean of the draws (the reciprocal of the rate).
        mean: f64,
    },
    /// Lognormal with this median and log-space standard deviation.
    Lognormal {
        /// Median of the draws (`e^mu`).
        median: f64,
        /// Sigma of the underlying normal.
        sigma: f64,
    },
    /// Discrete values with weights summing to 1.
    Empirical {
        /// Values and weights.
        points: Vec<(f64, f64)>,
    },
}

impl Dist {
    /// Mean of the distribution, used for load checks and theory comparisons.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Constant { value } => *value,
            Dist::Uniform { low, high } => (low + high) / 2.0,
            Dist::Exponential { mean } => *mean,
            Dist::Lognormal { median, sigma } => median * (sigma * sigma / 2.0).exp(),
            Dist::Empirical { points } => points.iter().map(|(v, w)| v * w).sum(),
        }
    }
}

/// Signal lines a profile may have: the simulator gives each its own random stream, numbered
/// in one byte after the streams of a lead's other purposes.
pub const MAX_SIGNAL_LINES: usize = 240;

/// Sources a scenario may have: the simulator numbers a lead's random streams by its source in
/// twelve bits, so that no two leads ever share a stream.
pub const MAX_SOURCES: usize = 4096;

/// A latent-intent profile: how a share of leads behaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Name, for reports and diagnostics.
    pub name: String,
    /// Share of leads.
    pub share: f64,
    /// Signals the lead emits.
    pub signals: Vec<SignalGen>,
    /// Chance an automated touch produces an event.
    pub responds: Vec<(f64, EventId)>,
    /// How long intent lasts before signals stop; `None` is the whole horizon.
    pub intent_lasts: Option<Dist>,
}

/// A signal a profile emits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalGen {
    /// The event the signal delivers.
    pub event: EventId,
    /// Event field values by field position; unset fields take the field's first value/default.
    pub fields: Vec<(u16, Value)>,
    /// Poisson rate per second; `None` means once, at arrival.
    pub rate_per_sec: Option<f64>,
    /// The shape the signal's rate follows through the week.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<ShapeId>,
}

/// When in the week a rate runs high or low: the simulator generates a non-homogeneous
/// Poisson process whose intensity is the rate times this shape's level, so an ordinary week
/// keeps the rate's average while arrivals crowd into office hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shape {
    /// Name, as `following NAME` refers to it.
    pub name: String,
    /// IANA time zone the days and times are read in.
    pub timezone: String,
    /// Levels by weekday, Monday first: `(minute of day, level)` from each minute to the next,
    /// the first at minute 0, levels relative to the weekly mean (which is 1).
    pub days: Vec<Vec<(u16, f64)>>,
    /// The calendar the holidays come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holiday_calendar: Option<CalendarId>,
    /// Dates on which the holiday level applies all day instead.
    #[serde(with = "crate::calendar::iso_dates")]
    pub holidays: Vec<NaiveDate>,
    /// Level on holidays, on the same scale as `days`.
    pub holiday_level: f64,
    /// Change of the rate per year, compounded day by day (0.1 grows 10% a year).
    pub growth_per_year: f64,
}

/// Staffing of one queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Staff {
    /// The queue these sellers work.
    pub queue: QueueId,
    /// Number of sellers.
    pub sellers: u32,
    /// Handling time of a pick-up, in seconds.
    pub handle: Dist,
    /// Handling time of each later sequence step, by channel (`None`: every channel without
    /// its own line); a step with neither takes a `handle` draw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_up: Vec<(Option<Channel>, Dist)>,
    /// A seller who frees up takes a new lead before due follow-ups.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prefer_new_leads: bool,
    /// How long a seller at work takes to notice a new lead; `None` is at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_delay: Option<Dist>,
    /// Working hours; `None` is around the clock.
    pub calendar: Option<CalendarId>,
}

/// A probability that falls with response delay: `chance · 0.5^(delay / half_life)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// Probability at zero delay.
    pub chance: f64,
    /// Half-life in seconds; `None` means no decay.
    pub half_life_secs: Option<f64>,
}

impl Response {
    /// Probability after a response delay of `delay_secs`.
    pub fn at_delay(&self, delay_secs: f64) -> f64 {
        match self.half_life_secs {
            Some(h) if h > 0.0 => self.chance * 0.5f64.powf(delay_secs.max(0.0) / h),
            _ => self.chance,
        }
    }
}

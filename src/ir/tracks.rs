//! Nurture tracks: channels, cadences, exits and where a track ends.

use super::*;

named_enum! {
/// Communication channels of touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Phone call.
    Call = "call",
    /// Email.
    Email = "email",
    /// LinkedIn message.
    Linkedin = "linkedin",
    /// Text message.
    Sms = "sms",
}
}

/// An automated nurture track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    /// Name as written in the playbook; rules and reasons refer to the track by it.
    pub name: String,
    /// Condition under which a new lead starts here (`None`: only by default or by transfer).
    pub enter_when: Option<Cond>,
    /// Moves to another track as soon as a condition holds.
    pub exits: Vec<TrackExit>,
    /// Automated touch cadence.
    pub cadence: Option<Cadence>,
    /// What happens after the last touch.
    pub then: TrackEnd,
    /// KPIs this track is accountable for.
    pub kpis: Vec<Kpi>,
}

/// `exit to TRACK when COND`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackExit {
    /// Destination.
    pub to: TrackId,
    /// Condition.
    pub when: Cond,
}

/// `touch CHANNEL every D [N times]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cadence {
    /// Where the automated touches go.
    pub channel: Channel,
    /// Interval in seconds.
    pub every_secs: i64,
    /// Number of touches; `None` is unbounded.
    pub times: Option<u32>,
}

/// The end of a track's cadence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "to", rename_all = "snake_case")]
pub enum TrackEnd {
    /// Stay in the track with no further touches.
    Stay,
    /// Move to another track.
    Move(TrackId),
    /// Close the lead with a reason.
    Close(ReasonId),
}

//! Tests and fixtures: a lead, its inputs on a virtual clock and what must hold (`handoff test`).

use super::*;

/// `tests "PATH"`: which playbook a test file's tests run against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestsDecl {
    /// The playbook's path as written (the string's value, with the string's span).
    pub path: Ident,
    /// The whole statement.
    pub loc: Loc,
}

/// `field value`: one attribute of a test lead or one field of a test event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldValue {
    /// The field named.
    pub field: Ident,
    /// Its value as written; the checker types it against the field.
    pub value: Literal,
}

/// `DATE TIME [in ZONE]`, a local instant in the playbook calendar's zone or the one named.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moment {
    /// The date as written.
    pub date: Token,
    /// The time of day as written.
    pub time: Token,
    /// The zone named, when not the playbook calendar's.
    pub zone: Option<ZoneName>,
}

/// The zone a moment names after `in`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ZoneName {
    /// A calendar of the playbook, whose zone it is.
    Calendar(Ident),
    /// An IANA time zone (`"Asia/Tokyo"`).
    Iana(StrLit),
}

/// One statement of a test, run in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TestStmt {
    /// `given lead NAME [from FIXTURE] [{ field value ... }]`
    Given {
        /// The lead's name in the test's output.
        name: Ident,
        /// The fixture whose attributes it starts from.
        fixture: Option<Ident>,
        /// Attributes set (over the fixture's).
        fields: Vec<FieldValue>,
    },
    /// `at DATE TIME`: sets the clock, firing the timers due by then.
    At(Moment),
    /// `event NAME [{ field value ... }]`
    Event {
        /// The playbook event.
        event: Ident,
        /// Its field values.
        fields: Vec<FieldValue>,
    },
    /// `set FIELD VALUE`: an attribute change.
    Set(FieldValue),
    /// `seller picks up [as SELLER]`
    Pickup(Option<Ident>),
    /// `touch OUTCOME`
    Touch(Ident),
    /// `dispose REASON`
    Dispose(Ident),
    /// `after DURATION`: advances the clock, firing due timers in order.
    After(DurationLit),
    /// `expect ...`
    Expect(Expectation),
}

/// What a test expects of the lead at that point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Expectation {
    /// `handed off by RULE to QUEUE [owner SELLER]`
    HandedOff {
        /// The handoff rule.
        rule: Ident,
        /// The queue the lead waits in.
        queue: Ident,
        /// The only seller who may take it.
        owner: Option<Ident>,
    },
    /// `no handoff`: the lead is not handed off now.
    NoHandoff,
    /// `sla due DATE TIME`
    SlaDueAt(Moment),
    /// `sla due within DURATION`
    SlaDueWithin(DurationLit),
    /// `breaches N`
    Breaches(NumberLit),
    /// `in track TRACK`
    InTrack(Ident),
    /// `converted|closed|recycled [as REASON]`
    Ended {
        /// How the lead's last handoff or life ended.
        how: Ending,
        /// The reason code.
        reason: Option<Ident>,
    },
    /// `disqualified as REASON`
    Disqualified(Ident),
    /// `suppressed until DATE TIME`
    SuppressedUntil(Moment),
    /// `score NAME = N`
    Score {
        /// The score.
        score: Ident,
        /// Its expected value.
        value: NumberLit,
    },
    /// `band NAME = LABEL`
    Band {
        /// The band set.
        bands: Ident,
        /// The expected band.
        band: Ident,
    },
    /// `assigned to SELLER`: the seller who picked the lead up.
    AssignedTo(Ident),
    /// `rescued with TRACK`, `requeued|escalated|reassigned [to QUEUE]`: a step the latest SLA
    /// breach took.
    BreachStep {
        /// Which step.
        step: BreachStep,
        /// The rescue track, or the queue the lead went to.
        target: Option<Ident>,
    },
    /// `context ...`: the context package attached last.
    Context(ContextExpectation),
}

/// What `expect context` checks of the context package attached last.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ContextExpectation {
    /// `context NAME`: the package is this one.
    Package(Ident),
    /// `context why now RULE [on EVENT]`: the rule (and event) that fired the handoff.
    WhyNow {
        /// The handoff rule.
        rule: Ident,
        /// The event that fired it.
        event: Option<Ident>,
    },
    /// `context signal EVENT`: the event is among the top signals.
    Signal(Ident),
    /// `context last touch CHANNEL`: the last touch went by this channel.
    LastTouch(Ident),
    /// `context field FIELD VALUE`: the package shows this attribute value.
    Field(FieldValue),
}

/// The breach steps `expect` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreachStep {
    /// `rescued with TRACK`
    Rescued,
    /// `requeued [to QUEUE]`
    Requeued,
    /// `escalated [to QUEUE]`
    Escalated,
    /// `reassigned [to QUEUE]`
    Reassigned,
}

impl BreachStep {
    /// The keyword as written.
    pub fn keyword(self) -> &'static str {
        match self {
            BreachStep::Rescued => "rescued",
            BreachStep::Requeued => "requeued",
            BreachStep::Escalated => "escalated",
            BreachStep::Reassigned => "reassigned",
        }
    }
}

/// The three endings `expect` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    /// `converted`
    Converted,
    /// `closed`
    Closed,
    /// `recycled`
    Recycled,
}

impl Ending {
    /// The keyword as written.
    pub fn keyword(self) -> &'static str {
        match self {
            Ending::Converted => "converted",
            Ending::Closed => "closed",
            Ending::Recycled => "recycled",
        }
    }
}

//! The checked IR: what a playbook means, with none of the syntax's looseness.
//!
//! Names are resolved to dense indices, durations are normalised to seconds (business time is
//! kept symbolic, resolved against a calendar at run time), values are typed, and defaults are
//! filled in. The engine, simulator, live runner and diagram emitters read only this; nothing
//! here points back into the source except the `origin` spans kept for runtime diagnostics.
//! Every type is serde-serializable so `handoff compile --emit ir` is a faithful dump.

pub mod limits;
pub mod scenario;

use crate::calendar::CalendarSpec;
use crate::span::Span;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub use scenario::Scenario;

/// Declares a fieldless enum and its source names from one list: the enum, `ALL` (every variant
/// with its source name, in declaration order) and `name`, so a new variant cannot miss its name.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }
    ) => {
        $(#[$meta])*
        pub enum $name { $($(#[$vmeta])* $variant,)* }

        impl $name {
            /// Every variant with its source name, in declaration order.
            pub const ALL: [($name, &'static str); [$(stringify!($variant)),*].len()] =
                [$(($name::$variant, $text)),*];

            /// Source name, as written in playbooks.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }
    };
}

macro_rules! id_type {
    ($($name:ident: $what:literal),* $(,)?) => {$(
        #[doc = concat!("Index of a ", $what, " in its table of [`Playbook`].")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The index as `usize`, for table lookups.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

id_type! {
    CalendarId: "calendar",
    FieldId: "lead field",
    EventId: "event",
    ScoreId: "score",
    BandSetId: "band set",
    CounterId: "windowed counter",
    TrackId: "track",
    HandoffId: "handoff rule",
    RouterId: "router",
    QueueId: "queue",
    SellerId: "seller",
    AccountsId: "named-account set",
    ContextId: "context package",
    SequenceId: "sequence",
    ReasonId: "reason code",
}

/// A whole checked playbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Playbook {
    /// Name from the `playbook` header, or the file stem when there is none.
    pub name: String,
    /// Human title.
    pub title: Option<String>,
    /// Calendars by [`CalendarId`].
    pub calendars: Vec<CalendarSpec>,
    /// Calendar for business time where a queue names none.
    pub default_calendar: Option<CalendarId>,
    /// Lead attributes by [`FieldId`].
    pub fields: Vec<FieldDef>,
    /// Events by [`EventId`].
    pub events: Vec<EventDef>,
    /// Scores by [`ScoreId`].
    pub scores: Vec<Score>,
    /// Band sets by [`BandSetId`].
    pub band_sets: Vec<BandSet>,
    /// Every distinct `count EVENT where ... within W` in the playbook, by [`CounterId`], so the
    /// engine keeps one sliding window per counter and lead instead of re-scanning history.
    pub counters: Vec<Counter>,
    /// Disqualifiers in declaration order (first match wins).
    pub disqualifiers: Vec<Disqualifier>,
    /// Tracks by [`TrackId`].
    pub tracks: Vec<Track>,
    /// Track for leads that match no `enter when`.
    pub default_track: Option<TrackId>,
    /// Handoff rules by [`HandoffId`], in declaration order.
    pub handoffs: Vec<Handoff>,
    /// Routers by [`RouterId`].
    pub routers: Vec<Router>,
    /// Queues by [`QueueId`].
    pub queues: Vec<Queue>,
    /// Named sellers (queue members) by [`SellerId`].
    pub sellers: Vec<Seller>,
    /// Named-account sets by [`AccountsId`].
    pub accounts: Vec<AccountSet>,
    /// Context packages by [`ContextId`].
    pub contexts: Vec<ContextPackage>,
    /// Manual sequences by [`SequenceId`].
    pub sequences: Vec<Sequence>,
    /// Reason codes by [`ReasonId`].
    pub reasons: Vec<Reason>,
    /// KPI targets declared with `kpi NAME { target ... }`.
    pub kpi_targets: Vec<KpiTarget>,
    /// Simulation scenarios.
    pub scenarios: Vec<Scenario>,
}

/// A typed lead or event field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    /// Field name.
    pub name: String,
    /// Type.
    pub ty: FieldType,
}

/// Field types; enum values are stored as indices into `values`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldType {
    /// Free text.
    Text,
    /// A number.
    Number,
    /// Yes or no.
    Flag,
    /// One of a closed set.
    OneOf {
        /// Allowed values in declaration order; a value is its index here.
        values: Vec<String>,
    },
}

/// A runtime value of a field. Text is shared (`Arc`) because simulated populations draw the
/// same few strings millions of times, and behind a thin pointer (`Arc<String>`, not the fat
/// `Arc<str>`) so a value takes 16 bytes instead of 24: a million live leads hold seven each.
///
/// Tagged in JSON because an enum index and a whole number would otherwise both be written as
/// a bare number and could not be told apart when the IR is read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// Yes or no.
    Flag(bool),
    /// A number.
    Number(f64),
    /// Index into the field's `OneOf` values.
    Enum(u16),
    /// Text.
    Text(Arc<String>),
}

impl FieldType {
    /// The value a field takes when nothing sets it (a scenario without a generator for it, an
    /// event input that leaves it out): the first enum value, 0, no, or empty text.
    pub fn default_value(&self) -> Value {
        match self {
            FieldType::Text => Value::text(""),
            FieldType::Number => Value::Number(0.0),
            FieldType::Flag => Value::Flag(false),
            FieldType::OneOf { .. } => Value::Enum(0),
        }
    }
}

impl Value {
    /// A text value.
    pub fn text(text: impl Into<String>) -> Value {
        Value::Text(Arc::new(text.into()))
    }
}

/// A declared event type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDef {
    /// Event name.
    pub name: String,
    /// Its fields, indexed by position in conditions ([`FieldRef::Event`]).
    pub fields: Vec<FieldDef>,
}

/// A source of a field value inside a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "of", content = "index", rename_all = "snake_case")]
pub enum FieldRef {
    /// A lead attribute.
    Lead(FieldId),
    /// A field of the event being evaluated (only inside `on EVENT where ...` and counters).
    Event(u16),
}

/// A typed boolean condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Cond {
    /// Always true (an absent condition).
    True,
    /// All hold.
    And {
        /// Operands.
        all: Vec<Cond>,
    },
    /// Any holds.
    Or {
        /// Operands.
        any: Vec<Cond>,
    },
    /// Negation.
    Not {
        /// Operand.
        cond: Box<Cond>,
    },
    /// Numeric comparison.
    Compare {
        /// Left.
        lhs: Num,
        /// Operator.
        cmp: Cmp,
        /// Right.
        rhs: Num,
    },
    /// A flag field is yes.
    Flag {
        /// The flag.
        field: FieldRef,
    },
    /// An enum field's value is in a set (bit `i` = value `i`).
    EnumIn {
        /// The lead or event field whose value is tested.
        field: FieldRef,
        /// Allowed values as a bitmask.
        mask: u64,
    },
    /// A text field equals one of the values (case-insensitive, as CRMs compare).
    TextIn {
        /// The lead or event field whose value is tested.
        field: FieldRef,
        /// Lowercased candidates.
        values: Vec<String>,
    },
    /// A text field contains a substring (case-insensitive).
    Contains {
        /// The text field searched.
        field: FieldRef,
        /// Lowercased needle.
        needle: String,
    },
    /// A text field ends with a suffix (case-insensitive).
    EndsWith {
        /// The text field whose end is tested.
        field: FieldRef,
        /// Lowercased suffix.
        suffix: String,
    },
    /// The lead's band in a band set is one of `mask`.
    BandIn {
        /// The band set.
        bands: BandSetId,
        /// Allowed bands as a bitmask (bit `i` = band `i`).
        mask: u64,
    },
    /// A text field's value is a key of a named-account set.
    InAccounts {
        /// The field holding the lead's domain, looked up in the account set.
        field: FieldRef,
        /// The set.
        accounts: AccountsId,
    },
}

/// Comparison operators on numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cmp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Cmp {
    /// Applies the comparison.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }
}

/// A numeric operand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Num {
    /// A constant (percentages are fractions, durations seconds).
    Const(f64),
    /// A number field.
    Field(FieldRef),
    /// A score's current value.
    Score(ScoreId),
    /// Events in a sliding window.
    Count(CounterId),
}

/// `count EVENT [where F] within W`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counter {
    /// Event counted; `None` counts every event.
    pub event: Option<EventId>,
    /// Filter on the event's fields.
    pub filter: Cond,
    /// Window length in seconds.
    pub window_secs: i64,
    /// How many of the latest counted times the engine keeps (`None`: all within the window).
    /// The checker sets it from the comparisons that read the count: when every one compares
    /// it with a constant `n`, counts above `floor(n) + 1` all compare alike (tolerance
    /// included), so keeping `floor(n) + 2` times is exact and bounds a lead's state however
    /// busy the lead. An edit of the IR that changes such a constant must raise it too.
    #[serde(default)]
    pub keep: Option<u32>,
}

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

/// A handoff rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handoff {
    /// Name as written in the playbook; KPIs by rule and diagnostics use it.
    pub name: String,
    /// When it fires.
    pub trigger: Trigger,
    /// Lower wins when several rules fire at once; declaration order breaks ties.
    pub priority: i64,
    /// Where the lead goes.
    pub route: RouteTarget,
    /// How fast a seller must act.
    pub sla: Sla,
    /// Context package for the seller.
    pub context: Option<ContextId>,
    /// Outreach sequence the seller runs.
    pub sequence: Option<SequenceId>,
    /// What happens when the SLA is missed, in order.
    pub breach: Vec<BreachAction>,
    /// Breach limit: after this many breaches the lead is recycled.
    pub breach_limit: Option<BreachLimit>,
    /// KPIs this rule is accountable for.
    pub kpis: Vec<Kpi>,
    /// Where the rule is declared, for runtime reports.
    pub origin: Span,
}

/// A routing destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum RouteTarget {
    /// A queue directly.
    Queue(QueueId),
    /// Through a router's rules.
    Router(RouterId),
}

/// An SLA deadline, symbolic where it depends on a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "amount", rename_all = "snake_case")]
pub enum Sla {
    /// Elapsed seconds.
    Wall(i64),
    /// Working seconds of the queue's calendar (or the default calendar).
    BusinessSeconds(i64),
    /// Business days of that calendar.
    BusinessDays(u32),
    /// The end of the current (or next) business day.
    SameDay,
}

/// One breach-path step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum BreachAction {
    /// Start an automated rescue track while the lead waits.
    Rescue {
        /// The rescue track that touches the lead while it waits.
        track: TrackId,
    },
    /// Put the lead back in a queue (its own when `queue` is `None`) with a fresh SLA.
    Requeue {
        /// Other queue.
        queue: Option<QueueId>,
        /// Fresh context.
        context: Option<ContextId>,
    },
    /// Hand the lead to another queue (a manager or senior team) with a fresh SLA.
    Escalate {
        /// The queue the lead is handed to.
        queue: QueueId,
    },
    /// Take the lead from its seller and give it to another (in `queue`, or the same queue).
    Reassign {
        /// Other queue.
        queue: Option<QueueId>,
    },
    /// Send a notification to a role.
    Notify {
        /// Role name as written.
        role: String,
    },
}

/// `after N breaches recycle to TRACK as REASON`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreachLimit {
    /// Breaches tolerated before recycling (the N-th breach recycles).
    pub breaches: u32,
    /// Destination.
    pub track: TrackId,
    /// Reason recorded.
    pub reason: ReasonId,
}

/// Ordered routing rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Router {
    /// Name as written in the playbook; `route via` refers to the router by it.
    pub name: String,
    /// First matching rule wins.
    pub rules: Vec<RouteRule>,
}

/// One router rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RouteRule {
    /// Leads whose key is in the account set go to the account's owner.
    Owner {
        /// The account set.
        accounts: AccountsId,
    },
    /// Leads matching a condition go to a queue.
    When {
        /// Condition.
        when: Cond,
        /// Where leads that match go.
        queue: QueueId,
    },
    /// Everything else.
    Otherwise {
        /// Where leads that match no earlier branch go.
        queue: QueueId,
    },
}

/// How a queue picks a seller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assign {
    /// Rotate through sellers.
    RoundRobin,
    /// The seller with the fewest open leads.
    LeastLoaded,
}

/// Order in which waiting leads are picked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "bands", rename_all = "snake_case")]
pub enum QueueOrder {
    /// First come, first served.
    Fifo,
    /// Better band first (declaration order of the band set), FIFO within a band.
    ByBand(BandSetId),
}

/// A pool of sellers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queue {
    /// Name as written in the playbook; routes and reports refer to the queue by it.
    pub name: String,
    /// Named members (may be empty when the scenario only gives a head count).
    pub members: Vec<SellerId>,
    /// Seller selection.
    pub assign: Assign,
    /// Open leads one seller may hold; `None` is unlimited.
    pub capacity_per_seller: Option<u32>,
    /// Working hours for business-time SLAs.
    pub calendar: Option<CalendarId>,
    /// Pick-up order.
    pub order: QueueOrder,
    /// Where leads go when every seller is at capacity.
    pub overflow: Option<QueueId>,
}

/// A named seller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seller {
    /// Name as written in the playbook, as queues and account owners list it.
    pub name: String,
    /// Queue the seller belongs to.
    pub queue: QueueId,
}

/// Named accounts and their owners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountSet {
    /// Name as written in the playbook; `in accounts` conditions refer to the set by it.
    pub name: String,
    /// Lead field matched against the keys.
    pub key: FieldId,
    /// Lowercased key → owner, sorted by key for binary search and stable output.
    pub owners: Vec<(String, SellerId)>,
}

impl AccountSet {
    /// Owner of a key, compared case-insensitively. ASCII keys (domains, nearly always) are
    /// lowercased byte by byte as they are compared, so routing a lead allocates nothing.
    pub fn owner_of(&self, key: &str) -> Option<SellerId> {
        let found = if key.is_ascii() {
            let lower = key.bytes().map(|b| b.to_ascii_lowercase());
            self.owners
                .binary_search_by(|(k, _)| k.bytes().cmp(lower.clone()))
        } else {
            let key = key.to_lowercase();
            self.owners
                .binary_search_by(|(k, _)| k.as_str().cmp(key.as_str()))
        };
        found.ok().and_then(|i| self.owners.get(i)).map(|(_, s)| *s)
    }
}

/// What the seller is told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextPackage {
    /// Name as written in the playbook; handoff rules attach the package by it.
    pub name: String,
    /// Items in order.
    pub items: Vec<ContextItem>,
    /// Recommended message.
    pub message: Option<String>,
    /// Recommended call to action.
    pub cta: Option<String>,
}

/// A context package item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ContextItem {
    /// The trigger that caused the handoff.
    WhyNow,
    /// The N most valuable recent signals.
    TopSignals(u32),
    /// The last automated or manual touch.
    LastTouch,
    /// The lead's campaign source.
    CampaignSource,
    /// A lead attribute.
    Field(FieldId),
}

/// A manual outreach sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sequence {
    /// Name as written in the playbook; handoff rules follow the sequence by it.
    pub name: String,
    /// Steps sorted by day (stable).
    pub steps: Vec<Step>,
    /// Attempts before the sequence is exhausted.
    pub max_attempts: u32,
    /// Outcome → reason.
    pub outcomes: Vec<(Outcome, ReasonId)>,
}

impl Sequence {
    /// Reason for an outcome, if the sequence maps it.
    pub fn reason_for(&self, outcome: Outcome) -> Option<ReasonId> {
        self.outcomes
            .iter()
            .find(|(o, _)| *o == outcome)
            .map(|(_, r)| *r)
    }
}

/// One manual step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Day offset from the handoff.
    pub day: u32,
    /// Where the seller makes this attempt.
    pub channel: Channel,
    /// Instruction.
    pub note: Option<String>,
}

named_enum! {
/// Outcomes of manual work that a sequence maps to reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A live conversation.
    Connect = "connect",
    /// A meeting was booked.
    Meeting = "meeting",
    /// The lead replied in writing.
    Reply = "reply",
    /// Contact details bounced.
    Bounce = "bounce",
    /// All attempts used without an outcome.
    Exhausted = "exhausted",
}
}

/// A disposition reason code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Name as written in the playbook, as sellers record it.
    pub name: String,
    /// Human label.
    pub label: Option<String>,
    /// Where the lead goes.
    pub destination: Destination,
    /// Window during which handoffs are blocked.
    pub suppression: Option<Suppression>,
    /// KPIs this reason feeds.
    pub kpis: Vec<Kpi>,
}

/// Where a dispositioned lead goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Destination {
    /// Back to automation.
    Recycle {
        /// The nurture track the lead goes back to.
        track: TrackId,
        /// Delay before the track starts, in seconds.
        after_secs: i64,
    },
    /// Sales-qualified: counts as converted.
    Convert,
    /// Out of the funnel.
    Close,
}

/// A suppression window with its overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppression {
    /// Window in seconds.
    pub window_secs: i64,
    /// Handoff rules that may break through (hand-raises).
    pub unless: Vec<HandoffId>,
}

named_enum! {
/// The KPIs the tool knows how to measure; names are fixed so reports compare across playbooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kpi {
    /// Share of leads that engaged (any signal) after an automated touch.
    EngagementRate = "engagement_rate",
    /// Share of handed-off leads that converted.
    MqlToSql = "mql_to_sql",
    /// Time from handoff to first touch.
    SpeedToLead = "speed_to_lead",
    /// Share of handoffs touched within their SLA.
    SlaAttainment = "sla_attainment",
    /// Share of handed-off leads lost without being worked (see docs/kpis.md).
    Leakage = "leakage",
    /// Share of recycled leads that showed intent again.
    ReEngagement = "re_engagement",
    /// Share of suppressed ("not now") leads that returned to intent after suppression.
    ReturnToIntent = "return_to_intent",
    /// Meetings booked with target (ABM) accounts.
    TargetAccountMeetings = "target_account_meetings",
    /// Share of seller time spent working leads.
    SellerUtilisation = "seller_utilisation",
    /// Leads waiting in queues (time average).
    QueueLength = "queue_length",
}
}

impl Kpi {
    /// Looks a KPI up by source name.
    pub fn parse(name: &str) -> Option<Kpi> {
        Kpi::ALL.iter().find(|(_, n)| *n == name).map(|(k, _)| *k)
    }

    /// The unit its values and targets are in.
    pub fn unit(self) -> KpiUnit {
        match self {
            Kpi::SpeedToLead => KpiUnit::Seconds,
            Kpi::TargetAccountMeetings | Kpi::QueueLength => KpiUnit::Count,
            _ => KpiUnit::Fraction,
        }
    }
}

/// What a KPI measures, which decides how targets are written, values printed and charts scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiUnit {
    /// A share between 0 and 1 (SLA attainment, leakage), written as a percentage.
    Fraction,
    /// A duration in seconds (speed-to-lead), written as a duration.
    Seconds,
    /// A plain quantity (meetings, queue length).
    Count,
}

impl KpiUnit {
    /// The values a KPI in this unit can take, which bound its confidence interval
    /// ([`crate::sim::stats::Estimate::within`]).
    pub fn range(self) -> (f64, f64) {
        match self {
            KpiUnit::Fraction => (0.0, 1.0),
            KpiUnit::Seconds | KpiUnit::Count => (0.0, f64::INFINITY),
        }
    }

    /// The lowercase name machine-readable outputs (CSV, JSON) use for the unit.
    pub fn name(self) -> &'static str {
        match self {
            KpiUnit::Fraction => "fraction",
            KpiUnit::Seconds => "seconds",
            KpiUnit::Count => "count",
        }
    }
}

/// `kpi NAME { target [STAT] at least|at most|below VALUE }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiTarget {
    /// The KPI the target applies to.
    pub kpi: Kpi,
    /// Human label.
    pub label: Option<String>,
    /// Statistic for distributions (speed-to-lead); `Mean` otherwise.
    pub stat: Stat,
    /// Direction.
    pub cmp: TargetCmp,
    /// Threshold in the KPI's unit (fractions, seconds).
    pub value: f64,
}

/// Statistics of a distribution KPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stat {
    /// Mean.
    Mean,
    /// Median.
    Median,
    /// 90th percentile.
    P90,
}

/// Direction of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetCmp {
    /// `>=`
    AtLeast,
    /// `<=`
    AtMost,
    /// `<`
    Below,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn account_owners_are_found_whatever_the_case() {
        let set = AccountSet {
            name: "strategic".into(),
            key: FieldId(0),
            owners: vec![
                ("globex.com".into(), SellerId(1)),
                ("initech.com".into(), SellerId(2)),
                ("société.fr".into(), SellerId(3)),
                ("umbrella.co.uk".into(), SellerId(4)),
            ],
        };
        assert_eq!(set.owner_of("GLOBEX.com"), Some(SellerId(1)));
        assert_eq!(set.owner_of("initech.com"), Some(SellerId(2)));
        assert_eq!(set.owner_of("Umbrella.Co.UK"), Some(SellerId(4)));
        assert_eq!(set.owner_of("SOCIÉTÉ.FR"), Some(SellerId(3)));
        for missing in ["globex.co", "globex.comm", "", "acme.com", "zzz"] {
            assert_eq!(set.owner_of(missing), None, "{missing}");
        }
    }

    /// The source names `named_enum!` declares are the names the JSON output uses, so a playbook
    /// and the IR or report it produces spell every channel, outcome and KPI the same way.
    #[test]
    fn source_names_match_serialized_names() {
        fn check<T: Copy + Serialize>(all: &[(T, &str)], name: impl Fn(T) -> &'static str) {
            for (value, text) in all {
                assert_eq!(serde_json::to_string(value).unwrap(), format!("\"{text}\""));
                assert_eq!(name(*value), *text);
            }
        }
        check(&Channel::ALL, Channel::name);
        check(&Outcome::ALL, Outcome::name);
        check(&Kpi::ALL, Kpi::name);
        assert_eq!(Kpi::parse("queue_length"), Some(Kpi::QueueLength));
    }
}

//! Bands, triggers, tracks, handoffs, routing, queues, accounts, context packages, sequences, reasons and KPIs.

use super::*;

/// `bands NAME by a + b { band X ... }`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandsDecl {
    /// Band set name, used in conditions (`grade = A`).
    pub name: Ident,
    /// Scores summed to place a lead.
    pub scores: Vec<Ident>,
    /// Bands in source order.
    pub bands: Vec<Stmt<BandStmt>>,
    /// Whole block.
    pub loc: Loc,
}

/// `band A from 70 [to 100]` or `band C below 40`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandStmt {
    /// Band label.
    pub name: Ident,
    /// Inclusive lower bound, absent for `below`.
    pub from: Option<NumberLit>,
    /// Exclusive upper bound, absent for open-ended `from`.
    pub to: Option<NumberLit>,
}

/// Statements shared by disqualifiers: conditions, event triggers and a reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TriggerStmt {
    /// `when EXPR`
    When(Expr),
    /// `on EVENT [where EXPR]`
    On {
        /// The event.
        event: EventRef,
        /// Optional filter on its fields.
        filter: Option<Expr>,
    },
    /// `reason NAME`
    Reason(Ident),
}

/// Statements of a nurture track.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TrackStmt {
    /// `enter by default`
    EnterByDefault,
    /// `enter when EXPR`
    EnterWhen(Expr),
    /// `exit to TRACK when EXPR`
    Exit {
        /// Destination track.
        to: Ident,
        /// Condition.
        when: Expr,
    },
    /// `touch CHANNEL every DUR [N times]`
    Touch {
        /// Channel of the automated touch.
        channel: Ident,
        /// Cadence.
        every: DurationLit,
        /// Number of touches; unbounded when absent.
        times: Option<NumberLit>,
    },
    /// `then move to TRACK`
    ThenMove(Ident),
    /// `then close as REASON`
    ThenClose(Ident),
    /// `kpi NAME`
    Kpi(Ident),
}

/// Statements of a handoff rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum HandoffStmt {
    /// `on EVENT [where EXPR]`
    On {
        /// Triggering event.
        event: EventRef,
        /// Filter on its fields.
        filter: Option<Expr>,
    },
    /// `when EXPR`
    When(Expr),
    /// `priority N` (lower wins).
    Priority(NumberLit),
    /// `route to QUEUE`
    RouteTo(Ident),
    /// `route via ROUTER`
    RouteVia(Ident),
    /// `sla DUR [business|wall]`
    Sla {
        /// Deadline.
        within: DurationLit,
        /// Explicit clock, if written.
        clock: Option<SlaClock>,
    },
    /// `sla same day`
    SlaSameDay,
    /// `context NAME`
    Context(Ident),
    /// `sequence NAME`
    Sequence(Ident),
    /// `on breach { ... }`
    Breach(Vec<Stmt<BreachStmt>>),
    /// `kpi NAME`
    Kpi(Ident),
}

/// The clock an SLA counts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaClock {
    /// Working hours of the calendar.
    Business,
    /// Elapsed time.
    Wall,
}

/// Breach-path statements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum BreachStmt {
    /// `rescue with TRACK`
    Rescue(Ident),
    /// `requeue [to QUEUE] [with context CTX]`
    Requeue {
        /// Other queue, if any.
        to: Option<Ident>,
        /// Fresh context package.
        context: Option<Ident>,
    },
    /// `escalate to QUEUE`
    Escalate(Ident),
    /// `reassign [to QUEUE]`
    Reassign(Option<Ident>),
    /// `notify ROLE`
    Notify(Ident),
    /// `after N breaches recycle to TRACK as REASON`
    Limit {
        /// Breaches tolerated.
        breaches: NumberLit,
        /// Destination track.
        to: Ident,
        /// Reason recorded.
        reason: Ident,
    },
}

/// One router rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum RouteRule {
    /// `owner from ACCOUNTS`
    OwnerFrom(Ident),
    /// `when EXPR to QUEUE`
    When {
        /// Condition.
        when: Expr,
        /// Destination.
        to: Ident,
    },
    /// `otherwise to QUEUE`
    Otherwise(Ident),
}

/// Queue statements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum QueueStmt {
    /// `members a, b`
    Members(Vec<Ident>),
    /// `assign round robin`
    RoundRobin,
    /// `assign least loaded`
    LeastLoaded,
    /// `capacity N per seller`
    Capacity(NumberLit),
    /// `calendar NAME`
    Calendar(Ident),
    /// `order fifo`
    OrderFifo,
    /// `order by BANDS`
    OrderBy(Ident),
    /// `overflow to QUEUE`
    Overflow(Ident),
}

/// Named-accounts statements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum AccountsStmt {
    /// `key FIELD`
    Key(Ident),
    /// `"acme.com" owner NAME`
    Account {
        /// Key value.
        key: StrLit,
        /// Owning seller (a queue member).
        owner: Ident,
    },
}

/// Context package statements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ContextStmt {
    /// `include ...`
    Include(ContextItem),
    /// `message "..."`
    Message(StrLit),
    /// `cta "..."`
    Cta(StrLit),
}

/// What a context package can include.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ContextItem {
    /// `why now`
    WhyNow,
    /// `top N signals`
    TopSignals(NumberLit),
    /// `last touch`
    LastTouch,
    /// `campaign source`
    CampaignSource,
    /// `field NAME`
    Field(Ident),
}

/// Manual sequence statements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum SequenceStmt {
    /// `day N CHANNEL ["note"]`
    Step {
        /// Day offset from the handoff.
        day: NumberLit,
        /// Channel.
        channel: Ident,
        /// Instruction for the seller.
        note: Option<StrLit>,
    },
    /// `max attempts N`
    MaxAttempts(NumberLit),
    /// `on OUTCOME disposition REASON`
    Outcome {
        /// Outcome name (`meeting`, `exhausted`, ...).
        outcome: Ident,
        /// Reason recorded.
        reason: Ident,
    },
}

/// Reason code statements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ReasonStmt {
    /// `label "..."`
    Label(StrLit),
    /// `recycle to TRACK [after DUR]`
    Recycle {
        /// Destination track.
        to: Ident,
        /// Delay before the track starts.
        after: Option<DurationLit>,
    },
    /// `convert`
    Convert,
    /// `close`
    Close,
    /// `suppress for DUR [unless HANDOFF, ...]`
    Suppress {
        /// Window.
        window: DurationLit,
        /// Handoff rules allowed to break through.
        unless: Vec<Ident>,
    },
    /// `kpi NAME`
    Kpi(Ident),
}

/// KPI declaration statements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum KpiStmt {
    /// `label "..."`
    Label(StrLit),
    /// `target [STAT] at least|at most|below VALUE`
    Target {
        /// Statistic (`median`, `p90`, `mean`).
        stat: Option<Ident>,
        /// Comparison.
        cmp: TargetCmp,
        /// Threshold.
        value: Literal,
    },
}

/// Direction of a KPI target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetCmp {
    /// `at least`
    AtLeast,
    /// `at most`
    AtMost,
    /// `below`
    Below,
}

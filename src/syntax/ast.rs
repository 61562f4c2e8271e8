//! The abstract syntax tree: what the author wrote, in order, with spans.
//!
//! Statements stay in lists (not struct fields) so the checker can report a repeated or
//! missing statement and the formatter can reproduce the author's order. Equality ignores
//! spans ([`Loc`]), so `parse(fmt(x)) == parse(x)` is a meaningful soundness check.

use crate::span::Span;
use serde::Serialize;

/// A span that compares equal to every other span, so node equality ignores positions.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[serde(transparent)]
pub struct Loc(pub Span);

impl PartialEq for Loc {
    fn eq(&self, _: &Loc) -> bool {
        true
    }
}

impl std::ops::Deref for Loc {
    type Target = Span;
    fn deref(&self) -> &Span {
        &self.0
    }
}

/// A name as written, with where it was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where.
    pub loc: Loc,
}

/// A whole playbook file: its top-level blocks in source order.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct File {
    /// Blocks in source order.
    pub items: Vec<Item>,
}

/// A named top-level block (`KIND NAME { ... }`), the unit of the language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block<S> {
    /// The block's name; the `lead` block is the one block without one (its name is empty).
    pub name: Ident,
    /// Statements in source order.
    pub body: Vec<Stmt<S>>,
    /// The whole block including the closing brace.
    pub loc: Loc,
}

/// One statement with its span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stmt<S> {
    /// What the statement says.
    pub kind: S,
    /// Where it says it.
    pub loc: Loc,
}

/// Every kind of top-level block.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Item {
    /// `playbook NAME { title ..., calendar ... }`: the file's header.
    Playbook(Block<PlaybookStmt>),
    /// Business hours, holidays and a time zone.
    Calendar(Block<CalendarStmt>),
    /// The typed lead attributes (`lead { ... }`).
    Lead(Block<FieldDecl>),
    /// A typed event; `body` lists its fields.
    Event(Block<FieldDecl>),
    /// Points from attributes and events.
    Score(Block<ScoreStmt>),
    /// Named bands over a sum of scores.
    Bands(BandsDecl),
    /// A rule that removes a lead from the funnel with a reason.
    Disqualify(Block<TriggerStmt>),
    /// An automated nurture track.
    Track(Block<TrackStmt>),
    /// A rule that hands a lead to a human.
    Handoff(Block<HandoffStmt>),
    /// Ordered routing rules from a lead to a queue.
    Router(Block<RouteRule>),
    /// A pool of sellers.
    Queue(Block<QueueStmt>),
    /// Named accounts and their owners.
    Accounts(Block<AccountsStmt>),
    /// The context package handed to the seller.
    Context(Block<ContextStmt>),
    /// A manual outreach sequence.
    Sequence(Block<SequenceStmt>),
    /// A disposition reason code and its recycle path.
    Reason(Block<ReasonStmt>),
    /// A KPI declaration with an optional target.
    Kpi(Block<KpiStmt>),
    /// A synthetic world for the simulator.
    Scenario(Block<ScenarioStmt>),
}

/// `playbook` header statements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PlaybookStmt {
    /// `title "..."`
    Title(StrLit),
    /// `calendar NAME`: the default calendar for business time.
    Calendar(Ident),
}

/// A string literal; `value` has escapes resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrLit {
    /// Unescaped text.
    pub value: String,
    /// Where, quotes included.
    pub loc: Loc,
}

/// Calendar statements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum CalendarStmt {
    /// `timezone "Europe/London"`
    Timezone(StrLit),
    /// `hours mon to fri 09:00 to 17:30`
    Hours {
        /// First weekday.
        from_day: Ident,
        /// Last weekday, when a range.
        to_day: Option<Ident>,
        /// Opening time as written (`09:00`).
        open: Token,
        /// Closing time as written.
        close: Token,
    },
    /// `holiday 2026-12-25 "Christmas Day"`
    Holiday {
        /// The date as written.
        date: Token,
        /// Optional description.
        label: Option<StrLit>,
    },
}

/// A literal kept as its source text (times, dates); the checker validates it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Token {
    /// Source text.
    pub text: String,
    /// Where.
    pub loc: Loc,
}

/// `name: type` in a lead or event block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDecl {
    /// Field name.
    pub name: Ident,
    /// Declared type.
    pub ty: FieldType,
}

/// Field types a RevOps author can write.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum FieldType {
    /// Free text.
    Text,
    /// A number.
    Number,
    /// Yes or no.
    Flag,
    /// `one of a, b, c`.
    OneOf(Vec<Ident>),
}

/// Statements of a `score` block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ScoreStmt {
    /// `decay half-life 14d`
    Decay(DurationLit),
    /// `cap 100`
    Cap(NumberLit),
    /// `add N per EVENT [where ...]` or `add N when ...` (`subtract` negates).
    Points {
        /// `add` is true, `subtract` false.
        add: bool,
        /// Points.
        amount: NumberLit,
        /// What earns them.
        basis: PointsBasis,
    },
}

/// What earns score points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PointsBasis {
    /// Each matching event.
    PerEvent {
        /// Which event.
        event: EventRef,
        /// Optional filter on the event's fields.
        filter: Option<Expr>,
    },
    /// While a condition holds.
    When(Expr),
}

/// A number with where it was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumberLit {
    /// Value.
    pub value: f64,
    /// Where.
    pub loc: Loc,
}

/// A duration literal, unnormalised: `unit` says how it was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DurationLit {
    /// Magnitude.
    pub value: f64,
    /// Unit as written.
    pub unit: DurationUnit,
    /// Where.
    pub loc: Loc,
}

/// Duration units; business units need a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    /// `m`
    Minutes,
    /// `h`
    Hours,
    /// `d`
    Days,
    /// `w`
    Weeks,
    /// `bh`, counted in a calendar's working hours.
    BusinessHours,
    /// `bd`, counted in a calendar's working days.
    BusinessDays,
}

impl DurationUnit {
    /// The suffix as written in source.
    pub fn suffix(self) -> &'static str {
        match self {
            DurationUnit::Minutes => "m",
            DurationUnit::Hours => "h",
            DurationUnit::Days => "d",
            DurationUnit::Weeks => "w",
            DurationUnit::BusinessHours => "bh",
            DurationUnit::BusinessDays => "bd",
        }
    }

    /// True for units that count business time.
    pub fn is_business(self) -> bool {
        matches!(
            self,
            DurationUnit::BusinessHours | DurationUnit::BusinessDays
        )
    }
}

/// `EVENT` or `any`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum EventRef {
    /// Any event at all.
    Any(Loc),
    /// A declared event.
    Named(Ident),
}

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

/// Scenario statements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ScenarioStmt {
    /// `horizon 90d`
    Horizon(DurationLit),
    /// `source NAME RATE [{ population }]`
    Source {
        /// Source label (campaign source).
        name: Ident,
        /// Arrival rate.
        rate: Rate,
        /// Population overrides for this source.
        population: Vec<Stmt<PopulationStmt>>,
    },
    /// A population setting that applies to every source.
    Population(PopulationStmt),
    /// `profile NAME SHARE { ... }`
    Profile {
        /// Profile name.
        name: Ident,
        /// Share of leads.
        share: NumberLit,
        /// Behaviour.
        body: Vec<Stmt<ProfileStmt>>,
    },
    /// `staff QUEUE { ... }`
    Staff {
        /// Queue staffed.
        queue: Ident,
        /// Staffing.
        body: Vec<Stmt<StaffStmt>>,
    },
    /// `connect P% [decay half-life D]`
    Connect {
        /// Probability at zero delay (a percentage).
        chance: NumberLit,
        /// Half-life in response delay.
        half_life: Option<DurationLit>,
    },
    /// `meeting P% [decay half-life D]`
    Meeting {
        /// Probability given a connect.
        chance: NumberLit,
        /// Half-life in response delay.
        half_life: Option<DurationLit>,
    },
    /// `after connect { reason P%, ... }`
    AfterConnect(Vec<Share>),
}

/// `N per hour|day|week`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    /// Count.
    pub count: NumberLit,
    /// Period.
    pub per: RatePeriod,
}

/// Period of a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RatePeriod {
    /// `per hour`
    Hour,
    /// `per day`
    Day,
    /// `per week`
    Week,
}

impl RatePeriod {
    /// Keyword as written.
    pub fn keyword(self) -> &'static str {
        match self {
            RatePeriod::Hour => "hour",
            RatePeriod::Day => "day",
            RatePeriod::Week => "week",
        }
    }
}

/// How lead attributes are drawn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PopulationStmt {
    /// `mix FIELD { value P%, ... }`
    Mix {
        /// Field.
        field: Ident,
        /// Shares.
        shares: Vec<Share>,
    },
    /// `draw FIELD DIST`
    Draw {
        /// Number field.
        field: Ident,
        /// Distribution.
        dist: Distribution,
    },
    /// `chance FIELD P%`
    Chance {
        /// Flag field.
        field: Ident,
        /// Probability of yes (a percentage).
        chance: NumberLit,
    },
}

/// `value P%` inside a mix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// The value: an identifier or a string.
    pub value: ShareValue,
    /// Percentage.
    pub percent: NumberLit,
}

/// A mix value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ShareValue {
    /// Identifier (enum value, reason, ...).
    Name(Ident),
    /// Quoted text.
    Text(StrLit),
}

/// Behaviour in a latent-intent profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ProfileStmt {
    /// `signal EVENT [with f = v and ...] (on arrival | RATE)`
    Signal {
        /// Event emitted.
        event: Ident,
        /// Field values.
        fields: Vec<Assignment>,
        /// When: `None` means once, on arrival.
        rate: Option<Rate>,
    },
    /// `responds P% as EVENT`
    Responds {
        /// Chance an automated touch produces the event.
        chance: NumberLit,
        /// Event produced.
        event: Ident,
    },
    /// `intent lasts DIST`
    Lasts(Distribution),
}

/// `field = value`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    /// Field.
    pub field: Ident,
    /// Value.
    pub value: Literal,
}

/// Staffing statements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum StaffStmt {
    /// `sellers N`
    Sellers(NumberLit),
    /// `handle DIST`
    Handle(Distribution),
    /// `calendar NAME`
    Calendar(Ident),
    /// `around the clock`
    AroundTheClock,
}

/// A distribution as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    /// Which family and its parameters.
    pub kind: DistKind,
    /// Where.
    pub loc: Loc,
}

/// Distribution families.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum DistKind {
    /// `constant(v)`
    Constant(Literal),
    /// `uniform(a, b)`
    Uniform(Literal, Literal),
    /// `exponential(mean v)`
    Exponential(Literal),
    /// `lognormal(median v, sigma s)`
    Lognormal(Literal, NumberLit),
    /// `empirical(v p%, ...)`
    Empirical(Vec<(Literal, NumberLit)>),
}

/// A boolean condition or value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    /// Shape.
    pub kind: ExprKind,
    /// Where.
    pub loc: Loc,
}

/// Expression shapes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ExprKind {
    /// `a or b or ...` (two or more).
    Or(Vec<Expr>),
    /// `a and b and ...` (two or more).
    And(Vec<Expr>),
    /// `not a`
    Not(Box<Expr>),
    /// `a OP b`
    Compare {
        /// Operator.
        op: CmpOp,
        /// Left side.
        lhs: Box<Expr>,
        /// Right side.
        rhs: Box<Expr>,
    },
    /// `a [not] in [x, y]` or `a in ACCOUNTS`
    In {
        /// Tested value.
        value: Box<Expr>,
        /// Candidates.
        list: List,
        /// `not in`
        negated: bool,
    },
    /// `a contains "x"`
    Contains(Box<Expr>, StrLit),
    /// `a ends with "x"`
    EndsWith(Box<Expr>, StrLit),
    /// `( a )`, kept so the formatter reproduces the author's grouping.
    Paren(Box<Expr>),
    /// `count EVENT [where ...] within DUR`
    Count {
        /// Event counted.
        event: EventRef,
        /// Filter.
        filter: Option<Box<Expr>>,
        /// Window.
        within: DurationLit,
    },
    /// A literal.
    Lit(Literal),
    /// A field, score, band set or value name.
    Name(Ident),
}

/// The right-hand side of `in`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum List {
    /// `[a, b]`
    Items(Vec<Expr>, Loc),
    /// A named set, such as an `accounts` block.
    Named(Ident),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CmpOp {
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

impl CmpOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// Literal values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Literal {
    /// `42`, `-3.5`
    Number(NumberLit),
    /// `15m`
    Duration(DurationLit),
    /// `35%` (value is the number before `%`).
    Percent(NumberLit),
    /// `yes` / `no`
    Bool(bool, Loc),
    /// `"text"`
    Text(StrLit),
    /// A name used as a value (enum value, band label).
    Name(Ident),
    /// A number glued to an unknown unit (`5x`); the checker reports it.
    BadUnit(Token),
}

impl Literal {
    /// Where the literal is.
    pub fn loc(&self) -> Loc {
        match self {
            Literal::Number(n) | Literal::Percent(n) => n.loc,
            Literal::Duration(d) => d.loc,
            Literal::Bool(_, l) => *l,
            Literal::Text(s) => s.loc,
            Literal::Name(i) => i.loc,
            Literal::BadUnit(t) => t.loc,
        }
    }
}

impl Item {
    /// The block's name and the keyword that introduces it, for diagnostics and outlines.
    pub fn name(&self) -> (&'static str, &Ident) {
        match self {
            Item::Playbook(b) => ("playbook", &b.name),
            Item::Calendar(b) => ("calendar", &b.name),
            Item::Lead(b) => ("lead", &b.name),
            Item::Event(b) => ("event", &b.name),
            Item::Score(b) => ("score", &b.name),
            Item::Bands(b) => ("bands", &b.name),
            Item::Disqualify(b) => ("disqualify", &b.name),
            Item::Track(b) => ("track", &b.name),
            Item::Handoff(b) => ("handoff", &b.name),
            Item::Router(b) => ("router", &b.name),
            Item::Queue(b) => ("queue", &b.name),
            Item::Accounts(b) => ("accounts", &b.name),
            Item::Context(b) => ("context", &b.name),
            Item::Sequence(b) => ("sequence", &b.name),
            Item::Reason(b) => ("reason", &b.name),
            Item::Kpi(b) => ("kpi", &b.name),
            Item::Scenario(b) => ("scenario", &b.name),
        }
    }

    /// The whole block's span.
    pub fn loc(&self) -> Loc {
        match self {
            Item::Bands(b) => b.loc,
            Item::Playbook(b) => b.loc,
            Item::Calendar(b) => b.loc,
            Item::Lead(b) | Item::Event(b) => b.loc,
            Item::Score(b) => b.loc,
            Item::Disqualify(b) => b.loc,
            Item::Track(b) => b.loc,
            Item::Handoff(b) => b.loc,
            Item::Router(b) => b.loc,
            Item::Queue(b) => b.loc,
            Item::Accounts(b) => b.loc,
            Item::Context(b) => b.loc,
            Item::Sequence(b) => b.loc,
            Item::Reason(b) => b.loc,
            Item::Kpi(b) => b.loc,
            Item::Scenario(b) => b.loc,
        }
    }
}

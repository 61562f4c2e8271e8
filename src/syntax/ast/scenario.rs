//! Scenarios: sources, populations, profiles, staff and distributions.

use super::*;

/// Scenario statements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ScenarioStmt {
    /// `horizon 90d`
    Horizon(DurationLit),
    /// `warm-up 14d`: the span simulated before KPIs count, instead of the one MSER-5 finds.
    WarmUp(DurationLit),
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

/// `N per hour|day|week [following SHAPE]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    /// Count.
    pub count: NumberLit,
    /// Period.
    pub per: RatePeriod,
    /// The shape the rate follows through the week; `None` is the same rate at every hour.
    pub following: Option<Ident>,
}

/// Statements of a `shape` block: when in the week a rate runs high or low.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ShapeStmt {
    /// `timezone "Europe/London"`: the zone the days and times are read in.
    Timezone(StrLit),
    /// `on mon to fri 00:00 5%, 09:00 100%, ...`: a day's levels from each time to the next.
    Days {
        /// First weekday.
        from_day: Ident,
        /// Last weekday, when a range.
        to_day: Option<Ident>,
        /// Levels in order; the first may leave out its time (midnight).
        levels: Vec<ShapeLevel>,
    },
    /// `holidays from CALENDAR P%`: the level on the calendar's holidays, all day.
    Holidays {
        /// The calendar whose holidays apply.
        calendar: Ident,
        /// The level (a percentage).
        level: NumberLit,
    },
    /// `trend up|down P% per year`: growth compounded day by day.
    Trend {
        /// Growth when true, decline when false.
        up: bool,
        /// Change per year (a percentage).
        percent: NumberLit,
    },
}

/// `[HH:MM] P%` in a shape's day: the level from that time on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShapeLevel {
    /// Time of day as written; `None` is midnight.
    pub at: Option<Token>,
    /// The level (a percentage).
    pub level: NumberLit,
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
    /// `handle DIST`: the first touch of a picked-up lead.
    Handle(Distribution),
    /// `follow-up [CHANNEL] DIST`: each later sequence step (on that channel).
    FollowUp {
        /// The channel, or every channel without its own line.
        channel: Option<Ident>,
        /// Handling time.
        dist: Distribution,
    },
    /// `prefer follow-ups` or `prefer new leads`: what a seller who frees up does first.
    Prefer {
        /// New leads first when true.
        new_leads: bool,
    },
    /// `pickup delay DIST`: how long a seller at work takes to notice a new lead.
    PickupDelay(Distribution),
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

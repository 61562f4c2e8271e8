//! Handoff rules and where they send a lead: SLAs, breach paths, routers, queues, sellers and named accounts.

use super::*;

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

/// Where a handoff sends its lead: a queue, or a router that picks one per lead.
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
        /// The account set whose owners take its leads.
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

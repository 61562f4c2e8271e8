//! KPI tallies of one replication and the KPI values computed from them (definitions in
//! `docs/kpis.md`; the comments here name the numerator and denominator of each).

use super::survival::km_quantile;
pub use crate::ir::KpiUnit as Unit;

/// How a handoff ended, for leakage; the first ending recorded wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoffEnd {
    /// Not ended yet (at the horizon, or the end of a replayed history).
    Running,
    /// A seller recorded a reason code.
    Disposed,
    /// Recycled to automation (by a reason or by the breach limit).
    Recycled,
    /// The sequence ran out with no reason.
    Unresolved,
    /// Closed.
    Closed,
    /// Disqualified.
    Disqualified,
}

impl HandoffEnd {
    /// Whether a handoff that ended so leaked (`docs/kpis.md`): touched, it leaked when the
    /// touch came after the lead's intent lapsed (`late`) or its sequence ran out; untouched, when
    /// it was recycled, closed or unresolved, or is still waiting after a breach. `None` for a
    /// handoff not decided yet. The simulator and replay both count leakage with this.
    pub fn leaked(self, touched: bool, late: bool, breaches: u32) -> Option<bool> {
        if touched {
            return Some(late || self == HandoffEnd::Unresolved);
        }
        match self {
            HandoffEnd::Recycled | HandoffEnd::Closed | HandoffEnd::Unresolved => Some(true),
            HandoffEnd::Disposed | HandoffEnd::Disqualified => Some(false),
            HandoffEnd::Running => (breaches > 0).then_some(true),
        }
    }
}

/// Counts and samples behind the KPIs, for one group (everything, one band or one queue).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// Leads that arrived in the observation window.
    pub leads: u64,
    /// ... of which a handoff rule fired for (handed off, or unroutable): marketing-qualified.
    pub mql_leads: u64,
    /// ... of which received at least one automated touch.
    pub auto_touched: u64,
    /// ... of which emitted an event after their first automated touch.
    pub engaged: u64,
    /// Leads handed off at least once.
    pub handed_off: u64,
    /// ... of which a seller touched at least once.
    pub touched_leads: u64,
    /// ... of which a seller reached in a conversation at least once.
    pub connected_leads: u64,
    /// Leads handed off that converted (sales-qualified).
    pub converted: u64,
    /// Handoffs that started in the window.
    pub handoffs: u64,
    /// First-touch delays (seconds) of touched handoffs.
    pub delays: Vec<f64>,
    /// How long each untouched handoff was watched (seconds, to its end or the horizon): the
    /// censored first-touch delays.
    pub censored: Vec<f64>,
    /// Handoffs touched within their SLA, one hour and one business day, each with the
    /// handoffs for which that is decided (touched, ended, or watched past the limit).
    pub within: [Within; 3],
    /// Touched handoffs whose lead had to wait (delay above zero).
    pub waited: u64,
    /// Handoffs touched before any breach.
    pub sla_met: u64,
    /// Handoffs that breached at least once.
    pub sla_missed: u64,
    /// Handoffs whose leakage is known by the end of the run.
    pub decided: u64,
    /// ... of which leaked.
    pub leaked: u64,
    /// Leads recycled to automation.
    pub recycled: u64,
    /// ... of which emitted an event afterwards.
    pub re_engaged: u64,
    /// Leads given a suppression window.
    pub suppressed: u64,
    /// ... of which were handed off again after the window started.
    pub returned: u64,
    /// Meetings booked.
    pub meetings: u64,
    /// ... with target accounts.
    pub target_meetings: u64,
    /// Seller time spent handling pickups within the window.
    pub busy_secs: f64,
    /// Seller working time within the window.
    pub available_secs: f64,
    /// Time integral of the number of leads waiting.
    pub queue_area: f64,
}

/// Handoffs touched within a limit, of those for which it is known.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Within {
    /// Touched within the limit.
    pub yes: u64,
    /// Decided either way.
    pub decided: u64,
}

impl Within {
    /// Counts one handoff: `Some(true)` touched within the limit, `Some(false)` not, `None`
    /// undecided.
    pub fn count(&mut self, within: Option<bool>) {
        if let Some(yes) = within {
            self.decided += 1;
            self.yes += u64::from(yes);
        }
    }
}

/// Which groups a KPI is reported for.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// Name in reports.
    pub name: &'static str,
    /// Unit.
    pub unit: Unit,
    /// Reported by band.
    pub by_band: bool,
    /// Reported by queue.
    pub by_queue: bool,
}

/// Every reported KPI in report order.
pub const ROWS: [Row; 18] = [
    row("engagement_rate", Unit::Fraction, true, false),
    row("mql_to_sql", Unit::Fraction, true, true),
    row("speed_to_lead.median", Unit::Seconds, true, true),
    row("speed_to_lead.p90", Unit::Seconds, true, true),
    row("speed_to_lead.mean", Unit::Seconds, true, true),
    row("speed_to_lead.untouched", Unit::Fraction, true, true),
    row("speed_to_lead.within_sla", Unit::Fraction, true, true),
    row("speed_to_lead.within_1h", Unit::Fraction, true, true),
    row("speed_to_lead.within_1bd", Unit::Fraction, true, true),
    row("share_waited", Unit::Fraction, true, true),
    row("sla_attainment", Unit::Fraction, true, true),
    row("leakage", Unit::Fraction, true, true),
    row("re_engagement", Unit::Fraction, true, false),
    row("return_to_intent", Unit::Fraction, true, false),
    row("target_account_meetings", Unit::Count, true, true),
    row("meetings", Unit::Count, true, true),
    row("seller_utilisation", Unit::Fraction, false, true),
    row("queue_length", Unit::Count, false, true),
];

const fn row(name: &'static str, unit: Unit, by_band: bool, by_queue: bool) -> Row {
    Row {
        name,
        unit,
        by_band,
        by_queue,
    }
}

fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        f64::NAN
    } else {
        num as f64 / den as f64
    }
}

impl Tally {
    /// Adds another group's counts (used for the overall queue figures).
    pub fn absorb_time(&mut self, other: &Tally) {
        self.busy_secs += other.busy_secs;
        self.available_secs += other.available_secs;
        self.queue_area += other.queue_area;
    }

    /// The value of every row of [`ROWS`] for this tally over a window of `window` seconds;
    /// NaN where the denominator is empty (the replication says nothing about it).
    pub fn values(&self, window: f64) -> [f64; 18] {
        let delays = &self.delays;
        let median = km_quantile(delays, &self.censored, 0.5).unwrap_or(f64::NAN);
        let p90 = km_quantile(delays, &self.censored, 0.9).unwrap_or(f64::NAN);
        let mean = if delays.is_empty() {
            f64::NAN
        } else {
            delays.iter().sum::<f64>() / delays.len() as f64
        };
        let touched = self.delays.len() as u64;
        let within = |w: &Within| ratio(w.yes, w.decided);
        let [sla, hour, day] = &self.within;
        [
            ratio(self.engaged, self.auto_touched),
            ratio(self.converted, self.handed_off),
            median,
            p90,
            mean,
            ratio(
                self.censored.len() as u64,
                touched + self.censored.len() as u64,
            ),
            within(sla),
            within(hour),
            within(day),
            ratio(self.waited, touched),
            ratio(self.sla_met, self.sla_met + self.sla_missed),
            ratio(self.leaked, self.decided),
            ratio(self.re_engaged, self.recycled),
            ratio(self.returned, self.suppressed),
            self.target_meetings as f64,
            self.meetings as f64,
            if self.available_secs > 0.0 {
                self.busy_secs / self.available_secs
            } else {
                f64::NAN
            },
            if window > 0.0 {
                self.queue_area / window
            } else {
                f64::NAN
            },
        ]
    }
}

/// The tallies of one replication: overall, by band and by queue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tallies {
    /// Every lead and handoff.
    pub overall: Tally,
    /// By band of the reporting band set; the last entry is "no band".
    pub bands: Vec<Tally>,
    /// By routed queue (handoff KPIs) and physical queue (seller time, queue length).
    pub queues: Vec<Tally>,
}

impl Tallies {
    /// Empty tallies for `bands` bands and `queues` queues.
    pub fn new(bands: usize, queues: usize) -> Tallies {
        Tallies {
            overall: Tally::default(),
            bands: vec![Tally::default(); bands + 1],
            queues: vec![Tally::default(); queues],
        }
    }

    /// Applies `f` to the overall tally and to the given band and queue tallies.
    pub fn each(&mut self, band: Option<usize>, queue: Option<usize>, f: impl Fn(&mut Tally)) {
        f(&mut self.overall);
        let last = self.bands.len().saturating_sub(1);
        if let Some(t) = self.bands.get_mut(band.unwrap_or(last)) {
            f(t);
        }
        if let Some(t) = queue.and_then(|q| self.queues.get_mut(q)) {
            f(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::HandoffEnd::*;

    #[test]
    fn a_handoff_leaks_as_docs_kpis_says() {
        assert_eq!(Disposed.leaked(true, false, 0), Some(false));
        assert_eq!(
            Disposed.leaked(true, true, 0),
            Some(true),
            "touched after intent lapsed"
        );
        assert_eq!(Unresolved.leaked(true, false, 0), Some(true));
        assert_eq!(Recycled.leaked(false, false, 2), Some(true));
        assert_eq!(Closed.leaked(false, false, 0), Some(true));
        assert_eq!(Disqualified.leaked(false, false, 0), Some(false));
        assert_eq!(
            Running.leaked(false, false, 1),
            Some(true),
            "waiting after a breach"
        );
        assert_eq!(Running.leaked(false, false, 0), None, "not decided yet");
    }
}

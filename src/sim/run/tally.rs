//! The tallies: what a finished lead counts for, and the result of a replication.

use super::*;

impl Run<'_> {
    /// The lead is finished (or the horizon came): tally its lead-level KPIs and drop it.
    pub(super) fn finish_lead(&mut self, lead: &mut SimLead) {
        if lead.handoff.is_some() {
            self.end_handoff(lead, true);
        }
        lead.finished = true;
    }

    /// Adds a finished lead's lead-level KPIs.
    pub(super) fn tally_lead(&mut self, lead: &SimLead) {
        let m = lead.milestones;
        let flag = u64::from;
        let band = lead.band.map(usize::from);
        self.tallies.each(band, None, |t| {
            t.leads += 1;
            t.mql_leads += flag(m.mql);
            t.auto_touched += flag(m.auto_touched);
            t.engaged += flag(m.auto_touched) * flag(m.engaged);
            t.recycled += flag(m.recycled);
            t.re_engaged += flag(m.recycled) * flag(m.re_engaged);
            t.suppressed += flag(m.suppressed);
            t.returned += flag(m.suppressed) * flag(m.returned);
        });
        if let Some((band, queue)) = lead.first.filter(|_| lead.milestones.handed_off) {
            let (band, queue) = (band.map(usize::from), usize::from(queue));
            self.tallies.each(band, Some(queue), |t| {
                t.handed_off += 1;
                t.touched_leads += flag(m.touched);
                t.connected_leads += flag(m.connected);
                t.converted += flag(m.converted);
            });
        }
    }

    pub(super) fn finish(mut self) -> ReplicationResult {
        let (warmup, horizon) = (self.warmup, self.horizon);
        for id in 0..self.leads.ids() {
            let Ok(id) = u32::try_from(id) else {
                break;
            };
            self.with_lead(id, |run, lead| {
                if let Some(h) = lead.handoff.as_deref_mut() {
                    if let Some(place) = h.place.take() {
                        run.sojourn(place.queue, place.since, horizon);
                    }
                }
                run.finish_lead(lead);
            });
        }
        let window = (horizon - warmup).max(0) as f64;
        let mut little = Vec::new();
        let mut still_waiting = Vec::new();
        self.timeline.queue_length = self
            .queues
            .iter()
            .map(|q| q.over_time.clone().means())
            .collect();
        for (i, q) in self.queues.iter_mut().enumerate() {
            let sellers = self.desk.sellers(queue_id(i));
            for (seller, since) in sellers.iter().zip(&q.busy_since) {
                if seller.busy {
                    q.busy_secs += overlap(*since, horizon, warmup, horizon);
                }
            }
            let per_seller = match self.desk.calendar(queue_id(i)) {
                Some(c) => c.business_seconds_between(warmup, horizon) as f64,
                None => window,
            };
            let area = q.length.mean(horizon as f64) * window;
            q.little.area = area;
            q.little.held_area = q.held.mean(horizon as f64) * window;
            q.little.window = window;
            little.push(q.little);
            still_waiting.push(self.desk.waiting(queue_id(i)));
            if let Some(t) = self.tallies.queues.get_mut(i) {
                t.busy_secs = q.busy_secs;
                t.available_secs = per_seller * sellers.len() as f64;
                t.queue_area = area;
            }
        }
        let mut overall = std::mem::take(&mut self.tallies.overall);
        for t in &self.tallies.queues {
            overall.absorb_time(t);
        }
        self.tallies.overall = overall;
        ReplicationResult {
            leads_arrived: self.sources.iter().map(|s| s.count).sum(),
            events: self.events,
            window,
            tallies: self.tallies,
            little,
            recording: self.recording.take(),
            still_waiting,
            timeline: self.timeline,
            by_hour: self.queues.iter().map(|q| q.by_hour).collect(),
            work_in_progress: self.wip.take().map(Level::means),
        }
    }
}

//! The sales side: queues, sellers, pickups, attempts and dispositions of handed-off leads.

use super::*;

impl Run<'_> {
    pub(super) fn start_handoff(&mut self, lead: &mut SimLead) {
        let (engine, band_set, now, warmup) = (self.engine, self.band_set, self.now, self.warmup);
        if lead.handoff.is_some() {
            return;
        }
        let Some(run) = lead.state.handoff() else {
            return;
        };
        let target = run.owner.is_some()
            || engine
                .playbook()
                .handoffs
                .get(run.rule.index())
                .is_some_and(|h| h.kpis.contains(&Kpi::TargetAccountMeetings));
        let band = band_set.and_then(|b| engine.band(&lead.state, b, now));
        let queue = run.queue.index();
        lead.handoff = Some(Box::new(HandoffSim {
            started_at: run.started_at,
            counted: run.started_at >= warmup,
            band,
            queue,
            target,
            delay: None,
            late: false,
            breaches: 0,
            end: End::Running,
            seller: None,
            place: None,
        }));
        if lead.milestones.suppressed {
            lead.milestones.returned = true;
        }
        lead.milestones.handed_off = true;
        lead.milestones.mql = true;
        if lead.first.is_none() {
            lead.first = Some((
                band.and_then(|b| u8::try_from(b).ok()),
                u16::try_from(queue).unwrap_or(u16::MAX),
            ));
        }
    }

    /// Puts a lead in a queue (its overflow when every seller is at capacity, as the shared
    /// [`Desk::route`] decides), replacing any earlier placement.
    pub(super) fn place(
        &mut self,
        id: u32,
        lead: &mut SimLead,
        queue: usize,
        owner: Option<SellerId>,
        priority: u32,
    ) {
        self.unplace(lead);
        let routed = self.desk.route(queue_id(queue));
        let seq = self.placements;
        self.placements += 1;
        let now = self.now;
        let Some(handoff) = lead.handoff.as_deref_mut() else {
            return;
        };
        let Some(routed) = routed else {
            return;
        };
        let q = routed.index();
        lead.ticket = lead.ticket.wrapping_add(1);
        let waiting = Waiting {
            lead: id,
            ticket: lead.ticket,
            priority,
            seq,
        };
        self.desk.push(routed, waiting, owner);
        if let Some(stats) = self.queues.get_mut(q) {
            stats.waiting_now(now, self.desk.waiting(routed));
        }
        handoff.place = Some(Place {
            queue: q,
            ticket: lead.ticket,
            since: now,
        });
        self.follow.push_back(Follow::Dispatch(q));
    }

    pub(super) fn unplace(&mut self, lead: &mut SimLead) {
        let now = self.now;
        let place = lead.handoff.as_deref_mut().and_then(|h| h.place.take());
        if let Some(place) = place {
            let queue = queue_id(place.queue);
            self.desk.forget(queue);
            if let Some(q) = self.queues.get_mut(place.queue) {
                q.waiting_now(now, self.desk.waiting(queue));
            }
            self.sojourn(place.queue, place.since, now);
        }
    }

    pub(super) fn sojourn(&mut self, queue: usize, since: Timestamp, end: Timestamp) {
        let (warmup, horizon) = (self.warmup, self.horizon);
        if let Some(q) = self.queues.get_mut(queue) {
            if since >= warmup {
                q.little.started += 1;
                q.little.sum += (end.min(horizon) - since) as f64;
            } else if end > warmup {
                q.little.max_boundary = q
                    .little
                    .max_boundary
                    .max((end.min(horizon) - warmup) as f64);
            }
        }
    }

    /// Offers waiting leads to available sellers until no pairing is left; outside working
    /// hours, schedules one look at the queue for the next opening.
    pub(super) fn dispatch(&mut self, q: usize) {
        let (now, horizon, queue) = (self.now, self.horizon, queue_id(q));
        loop {
            let leads = &self.leads;
            let valid = |w: &Waiting| {
                leads
                    .get(w.lead)
                    .and_then(|l| l.handoff.as_deref())
                    .and_then(|h| h.place)
                    .is_some_and(|p| p.queue == q && p.ticket == w.ticket)
            };
            match self.desk.offer(queue, now, valid) {
                Offer::Pickup { slot, waiting } => {
                    if let Some(stats) = self.queues.get_mut(q) {
                        stats.waiting_now(now, self.desk.waiting(queue));
                    }
                    self.with_lead(waiting.lead, |run, lead| {
                        run.pickup(q, slot, waiting, lead);
                    });
                }
                Offer::Closed { reopens } => {
                    let Some(stats) = self.queues.get_mut(q) else {
                        return;
                    };
                    if let Some(at) = reopens.filter(|at| *at <= horizon && !stats.wake_pending) {
                        stats.wake_pending = true;
                        self.schedule(
                            at,
                            Ev::Wake {
                                queue: u16::try_from(q).unwrap_or(u16::MAX),
                            },
                        );
                    }
                    return;
                }
                Offer::Nothing => return,
            }
        }
    }

    /// A seller takes a lead (the desk has counted it among the seller's open leads): busy for
    /// a handling time, first touch now.
    pub(super) fn pickup(&mut self, q: usize, s: usize, waiting: Waiting, lead: &mut SimLead) {
        let now = self.now;
        let id = waiting.lead;
        let Some(handoff) = lead.handoff.as_deref_mut() else {
            return;
        };
        let since = handoff.place.take().map_or(now, |p| p.since);
        handoff.seller = Some((q, s));
        let mut draw = self
            .rep
            .lead(lead.key, Purpose::Handle as u8, lead.state.handoffs);
        let Some(queue) = self.queues.get_mut(q) else {
            return;
        };
        let handle = draw.sample(&queue.handle);
        if let Some(since) = queue.busy_since.get_mut(s) {
            *since = now;
        }
        let member = self
            .desk
            .sellers(queue_id(q))
            .get(s)
            .and_then(|seller| seller.member);
        self.desk.set_busy(queue_id(q), s, true);
        self.sojourn(q, since, now);
        self.schedule(
            now.saturating_add(whole_secs(handle)),
            Ev::SellerFree {
                queue: u16::try_from(q).unwrap_or(u16::MAX),
                seller: u32::try_from(s).unwrap_or(u32::MAX),
            },
        );
        self.step(id, lead, &Input::Pickup { seller: member });
    }

    /// A sequence step is due: the seller attempts a touch in working hours.
    pub(super) fn attempt(&mut self, id: u32, lead: &mut SimLead) {
        let (now, world) = (self.now, self.world);
        let Some(handoff) = lead.handoff.as_deref() else {
            return;
        };
        let Some(run) = lead.state.handoff() else {
            return;
        };
        if run.is_queued() || run.awaiting_disposition {
            return;
        }
        let reopens = handoff
            .seller
            .and_then(|(q, _)| self.desk.calendar(queue_id(q)))
            .filter(|calendar| !calendar.is_open(now))
            .map(|calendar| calendar.next_open(now));
        if let Some(at) = reopens {
            self.schedule_for(id, lead, at, LeadEv::Attempt);
            return;
        }
        let delay = (now - handoff.started_at).max(0) as f64;
        let index = (lead.state.handoffs << 8) | (run.attempts & 0xFF);
        let mut rng = self.rep.lead(lead.key, Purpose::Attempt as u8, index);
        let connect = rng.unit() < world.connect.at_delay(delay);
        let meeting = connect && rng.unit() < world.meeting.at_delay(delay);
        let outcome = match (connect, meeting) {
            (_, true) => TouchOutcome::Meeting,
            (true, false) => TouchOutcome::Connect,
            _ => TouchOutcome::NoAnswer,
        };
        if meeting && handoff.counted {
            let (band, queue, target) = (handoff.band, handoff.queue, handoff.target);
            self.tallies.each(band, Some(queue), |t| {
                t.meetings += 1;
                t.target_meetings += u64::from(target);
            });
        }
        if connect {
            lead.milestones.connected = true;
        }
        self.step(id, lead, &Input::Touch { outcome });
    }

    /// After a conversation with no mapped outcome the seller records a reason, drawn from the
    /// scenario's `after connect` shares.
    pub(super) fn dispose(&mut self, id: u32, lead: &mut SimLead) {
        let world = self.world;
        let mut rng = self
            .rep
            .lead(lead.key, Purpose::Dispose as u8, lead.state.handoffs);
        let reason = rng
            .pick(world.after_connect.iter().map(|(_, s)| *s))
            .and_then(|i| world.after_connect.get(i))
            .map(|(r, _)| *r);
        if let Some(reason) = reason {
            self.step(id, lead, &Input::Disposition { reason });
        }
    }

    /// The handoff is over (or the horizon came): free the seller and tally it.
    pub(super) fn end_handoff(&mut self, lead: &mut SimLead, at_horizon: bool) {
        self.unplace(lead);
        let Some(handoff) = lead.handoff.take() else {
            return;
        };
        if !at_horizon {
            if let Some((q, s)) = handoff.seller {
                self.desk.release(queue_id(q), s);
                self.follow.push_back(Follow::Dispatch(q));
            }
        }
        let touched = handoff.delay.is_some();
        let leaked = handoff.end.leaked(touched, handoff.late, handoff.breaches);
        self.timeline.end(handoff.started_at, leaked);
        if !handoff.counted {
            return;
        }
        let sla = if handoff.breaches > 0 {
            Some(false)
        } else {
            touched.then_some(true)
        };
        let delay = handoff.delay;
        let within = self.touched_within(&handoff, at_horizon);
        // Watched to the horizon, it may yet be touched; ended untouched, it never will be.
        let watched = if at_horizon && handoff.end == End::Running {
            (self.horizon - handoff.started_at).max(0) as f64
        } else {
            f64::INFINITY
        };
        self.tallies.each(handoff.band, Some(handoff.queue), |t| {
            t.handoffs += 1;
            match delay {
                Some(d) => {
                    t.delays.push(d as f64);
                    t.waited += u64::from(d > 0);
                }
                None => t.censored.push(watched),
            }
            for (w, yes) in t.within.iter_mut().zip(within) {
                w.count(yes);
            }
            match sla {
                Some(true) => t.sla_met += 1,
                Some(false) => t.sla_missed += 1,
                None => {}
            }
            if let Some(leaked) = leaked {
                t.decided += 1;
                t.leaked += u64::from(leaked);
            }
        });
    }

    /// Whether the handoff was touched within its SLA, one hour and one business day (of its
    /// queue's sellers' calendar, else the playbook's default calendar, else 24 hours); `None`
    /// where that is not known yet at the horizon.
    fn touched_within(&self, h: &HandoffSim, at_horizon: bool) -> [Option<bool>; 3] {
        let ended = h.end != End::Running || !at_horizon;
        let watched_to = if at_horizon { self.horizon } else { self.now };
        let by = |limit: Timestamp| match h.delay {
            Some(d) => Some(h.started_at + d <= limit),
            None if ended || watched_to >= limit => Some(false),
            None => None,
        };
        let sla = match (h.breaches, h.delay) {
            (0, Some(_)) => Some(true),
            (0, None) if !ended => None,
            _ => Some(false),
        };
        let calendar = self.desk.calendar(queue_id(h.queue)).or_else(|| {
            let default = self.engine.playbook().default_calendar?;
            self.engine.calendar(default)
        });
        let day = match calendar {
            Some(c) => c.add_business_days(h.started_at, 1),
            None => h.started_at + 86_400,
        };
        [sla, by(h.started_at + 3_600), by(day)]
    }
}

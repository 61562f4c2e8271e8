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
            noticing: false,
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
        self.forget_reservation(lead);
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

    /// A seller takes a lead (the desk has counted it among the seller's open leads): after
    /// the staff's pickup delay, if any, the first touch, busy for a handling time.
    pub(super) fn pickup(&mut self, q: usize, s: usize, waiting: Waiting, lead: &mut SimLead) {
        let now = self.now;
        let id = waiting.lead;
        let Some(handoff) = lead.handoff.as_deref_mut() else {
            return;
        };
        let since = handoff.place.take().map_or(now, |p| p.since);
        handoff.seller = Some((q, s));
        self.sojourn(q, since, now);
        if let Some(queue) = self.queues.get_mut(q) {
            queue.holding(now, true);
        }
        let notice = self
            .queues
            .get(q)
            .and_then(|x| x.pickup_delay.as_ref())
            .map(|d| {
                let mut draw =
                    self.rep
                        .lead(lead.key, Purpose::PickupDelay as u8, lead.state.handoffs);
                whole_secs(draw.sample(d))
            });
        match notice.filter(|d| *d > 0) {
            Some(delay) => {
                if let Some(h) = lead.handoff.as_deref_mut() {
                    h.noticing = true;
                }
                self.desk.set_busy(queue_id(q), s, true);
                self.schedule_for(id, lead, now.saturating_add(delay), LeadEv::Pickup);
            }
            None => self.first_touch(id, lead, q, s),
        }
    }

    /// The seller who took the lead touches it: busy for a handling time, first touch now.
    fn first_touch(&mut self, id: u32, lead: &mut SimLead, q: usize, s: usize) {
        let mut draw = self
            .rep
            .lead(lead.key, Purpose::Handle as u8, lead.state.handoffs);
        let Some(queue) = self.queues.get(q) else {
            return;
        };
        let handle = draw.sample(&queue.handle);
        let member = self
            .desk
            .sellers(queue_id(q))
            .get(s)
            .and_then(|seller| seller.member);
        self.busy_for(q, s, whole_secs(handle));
        let (now, window) = (self.now, (self.warmup, self.horizon));
        if let Some(queue) = self.queues.get_mut(q) {
            queue.by_hour.pickup(now, window);
        }
        self.step(id, lead, &Input::Pickup { seller: member });
    }

    /// The pickup delay is over: the seller touches the lead if it still waits for them, and
    /// is free again otherwise.
    pub(super) fn noticed(&mut self, id: u32, lead: &mut SimLead) {
        let Some(h) = lead.handoff.as_deref_mut() else {
            return;
        };
        if !std::mem::take(&mut h.noticing) {
            return;
        }
        let Some((q, s)) = h.seller else {
            return;
        };
        if lead.state.handoff().is_some_and(|run| run.is_queued()) {
            self.first_touch(id, lead, q, s);
        } else {
            self.desk.set_busy(queue_id(q), s, false);
            self.follow.push_back(Follow::Free(q, s));
        }
    }

    /// A lead placed again (requeued, reassigned) while its seller had yet to notice it frees
    /// that seller: the reservation and the open lead are given up.
    fn forget_reservation(&mut self, lead: &mut SimLead) {
        let Some(h) = lead.handoff.as_deref_mut() else {
            return;
        };
        if !std::mem::take(&mut h.noticing) {
            return;
        }
        if let Some((q, s)) = h.seller.take() {
            self.desk.set_busy(queue_id(q), s, false);
            self.let_go(q, s);
            self.follow.push_back(Follow::Free(q, s));
        }
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
        // The first attempt is the pickup's own work, which its handling time covers; each
        // later one takes the seller's time.
        if let Some((q, s)) = handoff.seller.filter(|_| run.attempts > 0) {
            if !self.work_follow_up(id, lead, q, s) {
                return;
            }
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
                self.let_go(q, s);
                if handoff.noticing {
                    self.desk.set_busy(queue_id(q), s, false);
                    self.follow.push_back(Follow::Free(q, s));
                } else {
                    self.follow.push_back(Follow::Dispatch(q));
                }
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

    /// The seller of a lead whose sequence step is due does it when free, busy for the step's
    /// handling time, and returns true; a busy seller keeps it among their follow-ups for when
    /// they free up (false).
    fn work_follow_up(&mut self, id: u32, lead: &SimLead, q: usize, s: usize) -> bool {
        let busy = self
            .desk
            .sellers(queue_id(q))
            .get(s)
            .is_some_and(|seller| seller.busy);
        let Some(queue) = self.queues.get_mut(q) else {
            return true;
        };
        if busy {
            if let Some(list) = queue.follow_ups.get_mut(s) {
                if !list.contains(&(id, lead.key)) {
                    list.push_back((id, lead.key));
                }
            }
            return false;
        }
        let channel = lead.state.handoff().and_then(|run| {
            let rule = self.engine.playbook().handoffs.get(run.rule.index())?;
            let sequence = self
                .engine
                .playbook()
                .sequences
                .get(rule.sequence?.index())?;
            Some(sequence.steps.get(usize::from(run.step))?.channel)
        });
        let index =
            (lead.state.handoffs << 8) | (lead.state.handoff().map_or(0, |r| r.attempts) & 0xFF);
        let mut draw = self.rep.lead(lead.key, Purpose::FollowUp as u8, index);
        let handle = draw.sample(queue.follow_up_handle(channel));
        self.busy_for(q, s, whole_secs(handle));
        true
    }

    /// Seller `s` of queue `q` no longer holds a lead.
    fn let_go(&mut self, q: usize, s: usize) {
        self.desk.release(queue_id(q), s);
        let now = self.now;
        if let Some(queue) = self.queues.get_mut(q) {
            queue.holding(now, false);
        }
    }

    /// Marks seller `s` of queue `q` busy from now for `secs`.
    fn busy_for(&mut self, q: usize, s: usize, secs: Timestamp) {
        let now = self.now;
        let window = (self.warmup, self.horizon);
        if let Some(queue) = self.queues.get_mut(q) {
            queue.by_hour.work(now, now.saturating_add(secs), window);
        }
        if let Some(since) = self.queues.get_mut(q).and_then(|x| x.busy_since.get_mut(s)) {
            *since = now;
        }
        self.desk.set_busy(queue_id(q), s, true);
        self.schedule(
            now.saturating_add(secs),
            Ev::SellerFree {
                queue: u16::try_from(q).unwrap_or(u16::MAX),
                seller: u32::try_from(s).unwrap_or(u32::MAX),
            },
        );
    }

    /// A seller is free: due follow-ups first and then new leads, or the other way round as
    /// the staff prefers.
    pub(super) fn seller_free(&mut self, q: usize, s: usize) {
        let prefer_new = self.queues.get(q).is_some_and(|x| x.prefer_new_leads);
        if prefer_new {
            self.dispatch(q);
        }
        while self.is_idle(q, s) {
            let next = self
                .queues
                .get_mut(q)
                .and_then(|x| x.follow_ups.get_mut(s))
                .and_then(VecDeque::pop_front);
            let Some((id, key)) = next else {
                break;
            };
            self.with_lead(id, |run, lead| {
                if lead.key == key {
                    run.attempt(id, lead);
                }
            });
        }
        if !prefer_new {
            self.dispatch(q);
        }
    }

    fn is_idle(&self, q: usize, s: usize) -> bool {
        self.desk
            .sellers(queue_id(q))
            .get(s)
            .is_some_and(|seller| !seller.busy)
    }
}

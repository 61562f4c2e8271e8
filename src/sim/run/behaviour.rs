//! What a lead does on its own: arriving, signalling, responding to automated touches, and
//! the run's reactions to what the engine decides for it.

use super::*;

impl Run<'_> {
    pub(super) fn next_arrival(&mut self, s: usize) {
        let Some((rate, warp)) = self.world.sources.get(s).map(|w| (w.rate, w.warp)) else {
            return;
        };
        let Some(src) = self.sources.get_mut(s) else {
            return;
        };
        if rate <= 0.0 {
            return;
        }
        src.next += src.rng.exponential(1.0 / rate);
        let at = match warp.and_then(|w| self.world.warps.get(w)) {
            Some(warp) => START as f64 + warp.real(src.next - START as f64),
            None => src.next,
        }
        .floor();
        if at <= self.arrivals_end as f64 {
            self.schedule(
                at as Timestamp,
                Ev::Arrival {
                    source: u16::try_from(s).unwrap_or(u16::MAX),
                },
            );
        }
    }

    pub(super) fn arrive(&mut self, s: usize) {
        let world = self.world;
        let Some(source) = world.sources.get(s) else {
            return;
        };
        let Some(state) = self.sources.get_mut(s) else {
            return;
        };
        let key = LeadKey {
            source: u16::try_from(s).unwrap_or(u16::MAX),
            index: state.count,
        };
        state.count += 1;
        let mut rng = self.rep.lead(key, Purpose::Arrival as u8, 0);
        let mut attributes = self.spares.attributes.pop().unwrap_or_default();
        world.attributes(s, &mut rng, &mut attributes);
        let profile = rng
            .pick(world.profiles.iter().map(|p| p.share))
            .unwrap_or(0);
        let profile_def = world.profiles.get(profile);
        let intent_until = profile_def
            .and_then(|p| p.intent_lasts.as_ref())
            .map_or(self.horizon, |d| {
                self.now.saturating_add(whole_secs(rng.sample(d)))
            });
        self.out.clear();
        // Built here and admitted in place: a record is only copied if it outlives its run
        // ahead (into the table, below).
        let mut lead = SimLead {
            state: LeadState::new(),
            key,
            profile: u16::try_from(profile).unwrap_or(u16::MAX),
            counted: self.now >= self.warmup,
            band: None,
            first: None,
            milestones: Milestones::default(),
            intent_until,
            touches: 0,
            ticket: 0,
            handoff: None,
            stash: Vec::new(),
            pending: Vec::new(),
            orders: 0,
            finished: false,
        };
        let arrival = self.recording.is_some().then(|| Input::Arrive {
            attributes: attributes.clone(),
            source: Some(source.name.clone()),
        });
        let step = self.engine.admit(
            &mut lead.state,
            attributes,
            Some(source.name.clone()),
            self.now,
            &mut self.out,
        );
        self.events += 1;
        if let Some(arrival) = arrival {
            self.record(&lead, &arrival);
        }
        if step != Step::Applied {
            return;
        }
        lead.band = self
            .band_set
            .and_then(|b| self.engine.band(&lead.state, b, self.now))
            .and_then(|b| u8::try_from(b).ok());
        let Some(id) = self.leads.reserve() else {
            return;
        };
        // Room for a lead's usual handful of pending events, so a new list rarely grows.
        lead.pending = self
            .spares
            .pending
            .pop()
            .unwrap_or_else(|| Vec::with_capacity(8));
        self.ahead = self.run_ahead.then_some(id);
        self.react(id, &mut lead);
        if let Some(profile_def) = profile_def {
            for (g, (_, mean)) in profile_def.signals.iter().enumerate() {
                let gen = u8::try_from(g).unwrap_or(u8::MAX);
                match mean {
                    None => {
                        let first = LeadEv::Signal { gen, frac: 0, k: 0 };
                        self.schedule_for(id, &mut lead, self.now, first);
                    }
                    Some(mean) => self.next_signal(id, &mut lead, gen, (0, 0), *mean),
                }
            }
        }
        self.run_ahead(id, &mut lead);
        if lead.finished {
            self.leads.release(id);
            self.retire(&mut lead);
        } else {
            let due = lead.next_due();
            self.leads.put(id, lead, due);
        }
    }

    pub(super) fn handle_lead(&mut self, id: u32, lead: &mut SimLead, ev: LeadEv) {
        match ev {
            LeadEv::Signal { gen, frac, k } => self.signal(id, lead, usize::from(gen), frac, k),
            LeadEv::Respond { index } => {
                let input = self
                    .world
                    .profiles
                    .get(usize::from(lead.profile))
                    .and_then(|p| p.responds.get(usize::from(index)));
                if let Some((_, input)) = input {
                    // A response to an automated touch is what engagement counts; a lead's own
                    // signals are not.
                    if self.step(id, lead, input) && lead.milestones.auto_touched {
                        lead.milestones.engaged = true;
                    }
                }
            }
            LeadEv::Timer { kind, generation } => {
                // A timer input owns nothing, so it is not dropped: dropping it would run the
                // drop code of every kind of input on each timer, a cost the instruction counts
                // of docs/benchmarks.md show.
                let input =
                    std::mem::ManuallyDrop::new(Input::Timer(TimerKey { kind, generation }));
                self.step(id, lead, &input);
            }
            LeadEv::Attempt => self.attempt(id, lead),
            LeadEv::Pickup => self.noticed(id, lead),
            LeadEv::Resume => {
                self.out.clear();
                self.out.append(&mut lead.stash);
                self.react(id, lead);
            }
        }
    }

    /// Schedules signal `k` of generator `gen` of a lead, `mean` seconds apart on average, if
    /// its intent lasts that long; the last signal was `frac` 65 536ths of a second after the
    /// clock's whole second (see [`LeadEv::Signal`]).
    pub(super) fn next_signal(
        &mut self,
        id: u32,
        lead: &mut SimLead,
        gen: u8,
        (frac, k): (u16, u32),
        mean: f64,
    ) {
        // Nothing is scheduled for a finished lead: skip the draw too.
        if lead.finished {
            return;
        }
        let mut gap = self.blocks.signal_gap(&self.rep, lead.key, gen, k, mean);
        if let Some(warp) = self.signal_warp(lead, gen) {
            // The gap is in the shape's flat seconds: from now, warped back to real ones.
            let now = (self.now - START) as f64 + f64::from(frac) / 65_536.0;
            gap = warp.real(warp.flat(now) + gap) - now;
        }
        let Some((at, frac)) = after_gap(self.now, frac, gap) else {
            return;
        };
        if at < lead.intent_until {
            let k = k.saturating_add(1);
            self.schedule_for(id, lead, at, LeadEv::Signal { gen, frac, k });
        }
    }

    /// The warp signal line `gen` of the lead's profile follows, if it is shaped.
    fn signal_warp(&self, lead: &SimLead, gen: u8) -> Option<&super::super::warp::Warp> {
        let world = self.world;
        let w = world
            .profiles
            .get(usize::from(lead.profile))?
            .signal_warps
            .get(usize::from(gen))
            .copied()
            .flatten()?;
        world.warps.get(w)
    }

    pub(super) fn signal(&mut self, id: u32, lead: &mut SimLead, gen: usize, frac: u16, k: u32) {
        let world = self.world;
        let line = world
            .profiles
            .get(usize::from(lead.profile))
            .and_then(|p| p.signals.get(gen));
        if let Some((input, mean)) = line {
            self.step(id, lead, input);
            if let (Some(mean), Ok(gen)) = (*mean, u8::try_from(gen)) {
                self.next_signal(id, lead, gen, (frac, k), mean);
            }
        }
    }

    /// Delivers one input to a live lead and reacts to the actions; whether the engine
    /// applied it.
    pub(super) fn step(&mut self, id: u32, lead: &mut SimLead, input: &Input) -> bool {
        self.out.clear();
        let step = self
            .engine
            .step(&mut lead.state, input, self.now, &mut self.out);
        self.events += 1;
        if self.recording.is_some() {
            self.record(lead, input);
        }
        #[cfg(test)]
        self.trace
            .entry(id)
            .or_default()
            .push(format!("{} {input:?} {step:?} {:?}", self.now, self.out));
        if step != Step::Applied {
            return false;
        }
        if matches!(input, Input::Event { .. }) && lead.milestones.recycled {
            lead.milestones.re_engaged = true;
        }
        self.react(id, lead);
        true
    }

    /// Reacts to the actions of the step just taken. A step without actions changed no stage
    /// (`tests/engine_props.rs` checks that every change of stage comes with an action), so
    /// there is nothing to react to: most signals. That is told here, inlined into the step,
    /// before the call that reacts.
    #[inline(always)]
    pub(super) fn react(&mut self, id: u32, lead: &mut SimLead) {
        if !self.out.is_empty() {
            self.react_to_actions(id, lead);
        }
    }

    #[inline(never)]
    pub(super) fn react_to_actions(&mut self, id: u32, lead: &mut SimLead) {
        if self.ahead == Some(id) && lead.handoff.is_none() && lead.state.handoff().is_some() {
            self.ahead = None;
            // Ahead of the clock the handoff waits for the run to reach it; at the clock's
            // time (a hand-raise on arrival) it starts at once.
            if self.now > self.clock {
                // Moved, not swapped: the run's buffer keeps its capacity for the next step.
                lead.stash.append(&mut self.out);
                self.schedule_for(id, lead, self.now, LeadEv::Resume);
                return;
            }
        }
        let out = std::mem::take(&mut self.out);
        self.start_handoff(lead);
        for action in &out {
            self.act(id, lead, action);
        }
        // The buffer taken above is put back. What stands in its place is almost always the
        // empty `Vec` that `take` left, which owns nothing: forgetting it skips a call to the
        // drop code of every action (it pays in instruction counts, docs/benchmarks.md), and
        // anything else is dropped.
        let stand_in = std::mem::replace(&mut self.out, out);
        if stand_in.capacity() == 0 {
            std::mem::forget(stand_in);
        }
        let ended = lead.handoff.is_some() && lead.state.handoff().is_none();
        let done = lead.state.is_done();
        if ended {
            self.end_handoff(lead, false);
            if !done {
                self.released.push(id);
            }
        }
        if done {
            self.finish_lead(lead);
        }
    }

    pub(super) fn act(&mut self, id: u32, lead: &mut SimLead, action: &Action) {
        let now = self.now;
        match action {
            Action::StartTimer { key, at } => {
                let TimerKey { kind, generation } = *key;
                self.schedule_for(id, lead, *at, LeadEv::Timer { kind, generation });
            }
            Action::AutoTouch { .. } => self.auto_touch(id, lead),
            Action::Enqueue {
                queue,
                owner,
                priority,
                ..
            } => self.place(id, lead, queue.index(), *owner, *priority),
            Action::Dequeue { .. } => self.unplace(lead),
            Action::FirstTouch {
                delay_secs,
                breaches,
                ..
            } => {
                lead.milestones.touched = true;
                let late = now > lead.intent_until;
                if let Some(h) = lead.handoff.as_deref_mut() {
                    h.delay = Some(*delay_secs);
                    h.breaches = *breaches;
                    h.late = late;
                }
            }
            Action::StepDue { .. } => self.follow.push_back(Follow::Attempt(id)),
            Action::AwaitingDisposition { .. } => self.follow.push_back(Follow::Dispose(id)),
            Action::SlaBreached { breaches, .. } => note(lead, |h| h.breaches = *breaches),
            Action::BreachRecycled { .. } => note(lead, |h| h.end = End::Recycled),
            Action::Unresolved { .. } => note(lead, |h| h.end = End::Unresolved),
            Action::Disposition { .. } => note(lead, |h| h.end = End::Disposed),
            Action::Closed { .. } => note(lead, |h| h.end = End::Closed),
            Action::Disqualified { .. } => note(lead, |h| h.end = End::Disqualified),
            Action::Recycled {
                suppressed_until, ..
            } => {
                lead.milestones.recycled = true;
                if suppressed_until.is_some() {
                    lead.milestones.suppressed = true;
                }
            }
            Action::Converted { .. } => lead.milestones.converted = true,
            Action::Unroutable { .. } => lead.milestones.mql = true,
            _ => {}
        }
    }

    /// An automated touch: each `responds` entry of the profile may answer within a day.
    pub(super) fn auto_touch(&mut self, id: u32, lead: &mut SimLead) {
        let (world, rep) = (self.world, self.rep);
        lead.milestones.auto_touched = true;
        let touch = lead.touches;
        lead.touches = lead.touches.saturating_add(1);
        let Some(profile) = world.profiles.get(usize::from(lead.profile)) else {
            return;
        };
        let entries = profile.responds.len();
        for (entry, (chance, _)) in profile.responds.iter().enumerate() {
            let (yes, when) =
                (self.blocks).response(&rep, lead.key, (touch, entries, entry), *chance);
            if yes {
                // Within the next day, at least a second after the touch.
                let delay = 1 + whole_secs(when * 86_399.0);
                self.schedule_for(
                    id,
                    lead,
                    self.now.saturating_add(delay),
                    LeadEv::Respond {
                        index: u16::try_from(entry).unwrap_or(u16::MAX),
                    },
                );
            }
        }
    }
}

//! Manual work and its end: pickup, sequence steps, touch outcomes, dispositions and recycling.
//!
//! Sequence days count from the first touch (day 0 is the day a seller picks the lead up), so a
//! lead that waited in a queue still gets its whole sequence. Each touch is one attempt; the
//! sequence is exhausted after `max attempts` or its last step. A handoff with no sequence gets
//! one attempt.

use super::action::{Action, TouchRecord};
use super::input::{TimerKind, TouchOutcome};
use super::state::{Departure, Stage, SuppressionState};
use super::{Ctx, Tracer};
use crate::calendar::Timestamp;
use crate::ir::{Destination, Outcome, ReasonId, SellerId, Sequence, Step, TrackId};

const DAY_SECS: i64 = 86_400;

impl<T: Tracer> Ctx<'_, T> {
    fn sequence(&self) -> Option<&Sequence> {
        let run = self.lead.handoff()?;
        let def = self.playbook.handoffs.get(run.rule.index())?;
        self.playbook.sequences.get(def.sequence?.index())
    }

    fn current_step(&self) -> Option<&Step> {
        let run = self.lead.handoff()?;
        self.sequence()?.steps.get(usize::from(run.step))
    }

    /// A seller takes the lead: the first touch, which stops the SLA clock and any rescue track
    /// and starts the sequence.
    pub(super) fn pickup(&mut self, seller: Option<SellerId>) {
        let now = self.now;
        let channel = self.current_step().map(|s| s.channel);
        let Stage::HandedOff(run) = &mut self.lead.stage else {
            return;
        };
        if !run.is_queued() {
            return;
        }
        run.touched_at = Some(now);
        run.seller = seller;
        let touched = Action::FirstTouch {
            rule: run.rule,
            delay_secs: now.saturating_sub(run.started_at),
            breaches: run.breaches,
        };
        self.lead.generations.bump(TimerKind::Sla);
        self.stop_track();
        self.lead.last_touch = Some(TouchRecord {
            channel,
            manual: true,
            at: now,
        });
        self.out.push(touched);
        self.next_step();
    }

    /// Schedules (or announces, when already due) the next sequence step, or ends the sequence.
    fn next_step(&mut self) {
        let Some(run) = self.lead.handoff() else {
            return;
        };
        let (step, attempts, start) = (run.step, run.attempts, run.touched_at.unwrap_or(self.now));
        let Some(sequence) = self.sequence() else {
            if attempts == 0 {
                self.out.push(Action::StepDue {
                    step: 0,
                    channel: None,
                });
            } else {
                self.exhausted();
            }
            return;
        };
        let due = sequence
            .steps
            .get(usize::from(step))
            .filter(|_| attempts < sequence.max_attempts)
            .map(|s| (s.channel, start.saturating_add(i64::from(s.day) * DAY_SECS)));
        match due {
            None => self.exhausted(),
            Some((channel, at)) if at <= self.now => self.out.push(Action::StepDue {
                step,
                channel: Some(channel),
            }),
            Some((_, at)) => self.start_timer(TimerKind::Step, at),
        }
    }

    /// The step timer fired: the step is due now.
    pub(super) fn step_due(&mut self) {
        let channel = self.current_step().map(|s| s.channel);
        if let Some(run) = self.lead.handoff() {
            let step = run.step;
            self.out.push(Action::StepDue { step, channel });
        }
    }

    /// A seller's attempt and its outcome (a touch on a waiting lead picks it up first).
    pub(super) fn touch(&mut self, outcome: TouchOutcome) {
        if self.lead.handoff().is_some_and(|r| r.is_queued()) {
            self.pickup(None);
        }
        let channel = self.current_step().map(|s| s.channel);
        let mapped = |o: Outcome, cx: &Self| cx.sequence().and_then(|s| s.reason_for(o));
        let (meeting, connect, reply, bounce) = (
            mapped(Outcome::Meeting, self),
            mapped(Outcome::Connect, self),
            mapped(Outcome::Reply, self),
            mapped(Outcome::Bounce, self),
        );
        let now = self.now;
        let Stage::HandedOff(run) = &mut self.lead.stage else {
            return;
        };
        self.lead.last_touch = Some(TouchRecord {
            channel,
            manual: true,
            at: now,
        });
        if run.awaiting_disposition {
            return;
        }
        run.attempts = run.attempts.saturating_add(1);
        run.step = run.step.saturating_add(1);
        let conversation = match outcome {
            TouchOutcome::Meeting => Some(meeting),
            TouchOutcome::Connect => Some(connect),
            TouchOutcome::Reply => Some(reply),
            TouchOutcome::Bounce => bounce.map(Some),
            TouchOutcome::NoAnswer => None,
        };
        match conversation {
            Some(Some(reason)) => self.dispose(reason),
            Some(None) => {
                run.awaiting_disposition = true;
                self.lead.generations.bump(TimerKind::Step);
                self.out.push(Action::AwaitingDisposition { outcome });
            }
            None => {
                self.lead.generations.bump(TimerKind::Step);
                self.next_step();
            }
        }
    }

    /// All attempts used: the sequence's `exhausted` reason, or back to automation unresolved.
    fn exhausted(&mut self) {
        match self
            .sequence()
            .and_then(|s| s.reason_for(Outcome::Exhausted))
        {
            Some(reason) => self.dispose(reason),
            None => self.unresolved(),
        }
    }

    /// Ends the handoff with no reason code: the lead resumes the track it was in.
    fn unresolved(&mut self) {
        let Some(run) = self.lead.handoff() else {
            return;
        };
        let (rule, resume) = (run.rule, run.resume_track.or(self.playbook.default_track));
        self.leave_queue();
        self.out.push(Action::Unresolved { rule });
        self.lead.stage = Stage::Nurture;
        match resume {
            Some(track) => self.enter_track(track),
            None => self.stop_track(),
        }
    }

    /// Records a reason code and sends the lead where the reason says.
    pub(super) fn dispose(&mut self, reason: ReasonId) {
        let Some(def) = self.playbook.reasons.get(reason.index()) else {
            return;
        };
        self.leave_queue();
        self.out.push(Action::Disposition { reason });
        self.stop_track();
        self.lead.generations.bump(TimerKind::Park);
        match def.destination {
            Destination::Recycle { track, after_secs } if after_secs > 0 => {
                let until = self.now.saturating_add(after_secs);
                let suppressed_until = self.suppress(reason);
                self.lead.stage = Stage::Parked { track, until };
                self.out.push(Action::Recycled {
                    track,
                    at: until,
                    suppressed_until,
                });
                self.start_timer(TimerKind::Park, until);
            }
            Destination::Recycle { track, .. } => self.recycle_now(reason, track),
            Destination::Convert => {
                self.lead.stage = Stage::Done(Departure::Converted { reason });
                self.out.push(Action::Converted { reason });
            }
            Destination::Close => {
                self.lead.stage = Stage::Done(Departure::Closed { reason });
                self.out.push(Action::Closed { reason });
            }
        }
    }

    /// Back to automation in `track` now, with the reason's suppression window.
    pub(super) fn recycle_now(&mut self, reason: ReasonId, track: TrackId) {
        let suppressed_until = self.suppress(reason);
        self.lead.stage = Stage::Nurture;
        self.out.push(Action::Recycled {
            track,
            at: self.now,
            suppressed_until,
        });
        self.enter_track(track);
    }

    /// Opens the reason's suppression window (replacing any earlier one) and returns its end.
    fn suppress(&mut self, reason: ReasonId) -> Option<Timestamp> {
        let window = self
            .playbook
            .reasons
            .get(reason.index())?
            .suppression
            .as_ref()?
            .window_secs;
        if window <= 0 {
            return None;
        }
        let until = self.now.saturating_add(window);
        self.lead.suppression = Some(SuppressionState { until, reason });
        self.start_timer(TimerKind::Suppression, until);
        Some(until)
    }
}

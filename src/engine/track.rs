//! Automated nurture tracks: entry, touch cadence, exits and what happens at the end.
//!
//! The first touch goes out on entry, then one every interval; the track's `then` applies one
//! interval after the last touch, so the last touch and the next track's first never coincide.
//! A track without a cadence has no end and simply holds the lead until an exit or a handoff.

use super::action::{Action, TouchRecord};
use super::input::TimerKind;
use super::state::{Departure, TrackRun};
use super::{Ctx, Tracer};
use crate::ir::{Cadence, TrackEnd, TrackId};

/// Interval of a cadence, at least one second so a zero interval cannot stall the clock.
fn interval(cadence: &Cadence) -> i64 {
    cadence.every_secs.max(1)
}

impl<T: Tracer> Ctx<'_, T> {
    /// Starts a track from its beginning, replacing the running one.
    pub(super) fn enter_track(&mut self, track: TrackId) {
        let Some(def) = self.playbook.tracks.get(track.index()) else {
            return;
        };
        self.raised = true;
        self.lead.track = Some(TrackRun { track, sent: 0 });
        self.out.push(Action::EnteredTrack { track });
        match &def.cadence {
            Some(cadence) => {
                if cadence.times != Some(0) {
                    self.auto_touch(track, cadence);
                }
                self.start_timer(TimerKind::Track, self.now.saturating_add(interval(cadence)));
            }
            None => {
                self.lead.generations.bump(TimerKind::Track);
            }
        }
    }

    /// Cancels the running track, if any.
    pub(super) fn stop_track(&mut self) {
        if self.lead.track.take().is_some() {
            self.lead.generations.bump(TimerKind::Track);
        }
    }

    fn auto_touch(&mut self, track: TrackId, cadence: &Cadence) {
        if let Some(run) = &mut self.lead.track {
            run.sent = run.sent.saturating_add(1);
        }
        self.lead.last_touch = Some(TouchRecord {
            channel: Some(cadence.channel),
            manual: false,
            at: self.now,
        });
        self.out.push(Action::AutoTouch {
            track,
            channel: cadence.channel,
        });
    }

    /// The track timer: the next touch, or the end of the cadence.
    pub(super) fn track_timer(&mut self) {
        let Some(run) = self.lead.track else {
            return;
        };
        let Some(def) = self.playbook.tracks.get(run.track.index()) else {
            return;
        };
        let Some(cadence) = &def.cadence else {
            return;
        };
        if cadence.times.is_some_and(|n| run.sent >= n) {
            match def.then {
                TrackEnd::Stay => {}
                TrackEnd::Move(next) => self.enter_track(next),
                TrackEnd::Close(reason) => {
                    self.leave_queue();
                    self.stop_track();
                    self.lead.stage = super::Stage::Done(Departure::Closed { reason });
                    self.out.push(Action::Closed { reason });
                }
            }
        } else {
            self.auto_touch(run.track, cadence);
            self.start_timer(TimerKind::Track, self.now.saturating_add(interval(cadence)));
        }
    }

    /// Moves the lead along `exit to` clauses as long as one holds (at most once per track, so
    /// exits that point at each other cannot loop).
    pub(super) fn follow_exits(&mut self) {
        if !self.raised {
            // Quiet, and nothing since could have made an exit true.
            self.exits_false = true;
            return;
        }
        for _ in 0..=self.playbook.tracks.len() {
            let Some(run) = self.lead.track else {
                self.exits_false = true;
                return;
            };
            let Some(def) = self.playbook.tracks.get(run.track.index()) else {
                return;
            };
            let scope = super::Scope::state(self.playbook, self.lead, self.now);
            let tests =
                (self.engine.tables.exits.get(run.track.index())).map_or(&[][..], |t| &t[..]);
            let next = (def.exits.iter().zip(tests).enumerate())
                .find(|(_, (exit, test))| exit.to != run.track && test.holds(&scope))
                .map(|(index, (exit, _))| (index, exit.to));
            match next {
                Some((index, next)) => {
                    self.trace.exited(&scope, run.track, index);
                    self.enter_track(next);
                }
                None => {
                    self.exits_false = true;
                    return;
                }
            }
        }
    }
}

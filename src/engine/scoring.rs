//! Scores, bands, windowed counters and remembered signals.
//!
//! Event points decay exponentially, so a lead keeps one number per score plus the time it was
//! last decayed to (O(1) per event, whatever the history); windowed counts keep the event times
//! still inside their window, dropping the others whenever one is added.

use super::action::SignalRecord;
use super::cond::Scope;
use super::plan::Plan;
use super::state::{Counted, LeadState};
use crate::calendar::Timestamp;
use crate::ir::{BandSetId, CounterId, Playbook, Score, ScoreId, Value};

/// Multiplier that decays points over `elapsed` seconds with a half-life (1 without one).
fn decay_factor(score: &Score, elapsed: Timestamp) -> f64 {
    match score.half_life_secs {
        Some(h) if h > 0 && elapsed > 0 => (-(elapsed as f64) / h as f64).exp2(),
        _ => 1.0,
    }
}

/// A score's value at `now`: fit points plus decayed event points, capped.
pub(crate) fn score_value(
    playbook: &Playbook,
    lead: &LeadState,
    score: ScoreId,
    now: Timestamp,
) -> Option<f64> {
    let def = playbook.scores.get(score.index())?;
    let parts = lead.scores.get(score.index())?;
    let events = parts.events * decay_factor(def, now.saturating_sub(lead.scored_at));
    Some(capped(parts.fit, events, def.cap))
}

/// Fit points plus event points, held to the score's cap: one rule for every reader of a
/// score, the compiled band thresholds included.
#[inline]
pub(crate) fn capped(fit: f64, events: f64, cap: Option<f64>) -> f64 {
    let total = fit + events;
    cap.map_or(total, |cap| total.min(cap))
}

/// Index of the band the lead is in at `now`: the first band containing the sum of the scores.
pub(crate) fn band_index(
    playbook: &Playbook,
    lead: &LeadState,
    bands: BandSetId,
    now: Timestamp,
) -> Option<usize> {
    band_at(playbook, bands, band_sum(playbook, lead, bands, now)?)
}

/// The sum of a band set's scores at `now`.
pub(crate) fn band_sum(
    playbook: &Playbook,
    lead: &LeadState,
    bands: BandSetId,
    now: Timestamp,
) -> Option<f64> {
    let set = playbook.band_sets.get(bands.index())?;
    let mut sum = 0.0;
    for score in &set.scores {
        sum += score_value(playbook, lead, *score, now)?;
    }
    Some(sum)
}

/// Index of the first band of a set containing a sum.
pub(crate) fn band_at(playbook: &Playbook, bands: BandSetId, sum: f64) -> Option<usize> {
    let set = playbook.band_sets.get(bands.index())?;
    set.bands.iter().position(|b| b.contains(sum))
}

/// Events counted by a windowed counter at `now` (those within the last `window` seconds), up
/// to the counter's `keep`.
pub(crate) fn count(
    playbook: &Playbook,
    lead: &LeadState,
    counter: CounterId,
    now: Timestamp,
) -> Option<usize> {
    let def = playbook.counters.get(counter.index())?;
    let oldest_outside = now.saturating_sub(def.window_secs);
    Some(
        lead.counters
            .iter()
            .filter(|c| c.counter == counter && c.at(lead.arrived_at) > oldest_outside)
            .count(),
    )
}

/// Decays every score's event points to `now`, so reads at `now` need no exponential.
pub(crate) fn decay_to(playbook: &Playbook, lead: &mut LeadState, now: Timestamp) {
    let elapsed = now.saturating_sub(lead.scored_at);
    if elapsed <= 0 {
        return;
    }
    for (parts, def) in lead.scores.iter_mut().zip(&playbook.scores) {
        if parts.events != 0.0 {
            parts.events *= decay_factor(def, elapsed);
        }
    }
    lead.scored_at = now;
}

/// Recomputes fit points from the attributes (on arrival and when an attribute changes).
/// `fit_when` holds the compiled conditions of each score's fit rules.
pub(crate) fn refresh_fit(
    playbook: &Playbook,
    fit_when: &[Vec<Plan>],
    lead: &mut LeadState,
    now: Timestamp,
) {
    for (index, (def, whens)) in playbook.scores.iter().zip(fit_when).enumerate() {
        let fit: f64 = {
            let scope = Scope::state(playbook, lead, now);
            (def.when.iter().zip(whens))
                .filter(|(_, when)| when.holds(&scope))
                .fold(0.0, |sum, ((points, _), _)| sum + points)
        };
        if let Some(parts) = lead.scores.get_mut(index) {
            parts.fit = fit;
            clamp_to_cap(def, parts);
        }
    }
}

/// Keeps banked event points from exceeding the cap, so a capped score starts falling as soon as
/// its points decay instead of sitting at the cap on a hidden surplus.
fn clamp_to_cap(def: &Score, parts: &mut super::state::ScoreState) {
    if let Some(cap) = def.cap {
        parts.events = parts.events.min((cap - parts.fit).max(0.0));
    }
}

/// Applies an event's points and counters; returns the points it earned (for ranking signals)
/// and whether any score gained points or any counter counted the event (the only ways an event
/// can make a rising condition true, see [`Plan::rises_only`]).
pub(crate) fn record_event(
    playbook: &Playbook,
    points: &[(ScoreId, usize, Plan)],
    counters: &[(crate::ir::CounterId, Plan)],
    lead: &mut LeadState,
    fields: &[Value],
    now: Timestamp,
) -> (f64, bool) {
    // Whether the event being scored passes a filter, given the lead as it is at that moment.
    let passes = |lead: &LeadState, filter: &Plan| {
        let scope = Scope {
            playbook,
            lead,
            event: fields,
            now,
        };
        filter.holds(&scope)
    };
    let (mut earned, mut rose) = (0.0, false);
    for (score, entry, filter) in points {
        let Some(def) = playbook.scores.get(score.index()) else {
            continue;
        };
        let Some(rule) = def.per_event.get(*entry) else {
            continue;
        };
        let applies = passes(lead, filter);
        if !applies {
            continue;
        }
        rose |= rule.points > 0.0;
        if let Some(parts) = lead.scores.get_mut(score.index()) {
            parts.events += rule.points;
            clamp_to_cap(def, parts);
            earned += rule.points;
        }
    }
    if counters.is_empty() {
        return (earned, rose);
    }
    let arrived_at = lead.arrived_at;
    let mut pruned = false;
    for (counter, filter) in counters {
        let counter = *counter;
        let Some(def) = playbook.counters.get(counter.index()) else {
            continue;
        };
        if !passes(lead, filter) {
            continue;
        }
        // Times out of their window are dropped before the first one is added: reads skip
        // them anyway ([`count`]), so an event that counts nothing need not touch the list.
        if !pruned {
            lead.counters.retain(|c| {
                playbook
                    .counters
                    .get(c.counter.index())
                    .is_some_and(|def| c.at(arrived_at) > now.saturating_sub(def.window_secs))
            });
            pruned = true;
        }
        if let Some(keep) = def.keep {
            if keep == 0 {
                continue;
            }
            // Times are kept oldest first, so the counter's first is its oldest.
            let mut held = (lead.counters.iter().enumerate()).filter(|(_, c)| c.counter == counter);
            if let Some((oldest, _)) = held.next() {
                if 1 + held.count() >= keep as usize {
                    lead.counters.remove(oldest);
                }
            }
        }
        lead.counters
            .push(Counted::new(counter, lead.arrived_at, now));
        rose = true;
    }
    (earned, rose)
}

/// Remembers a signal if it ranks among the `keep` most valuable (ties go to the newer one).
pub(crate) fn remember_signal(lead: &mut LeadState, signal: SignalRecord, keep: usize) {
    if keep == 0 {
        return;
    }
    if lead.signals.len() < keep {
        lead.signals.push(signal);
        return;
    }
    let weakest = lead
        .signals
        .iter_mut()
        .min_by(|a, b| a.points.total_cmp(&b.points).then(a.at.cmp(&b.at)));
    if let Some(weakest) = weakest {
        if signal.points >= weakest.points {
            *weakest = signal;
        }
    }
}

/// The remembered signals ranked best first, at most `n` of them.
pub(crate) fn top_signals(lead: &LeadState, n: usize) -> Vec<SignalRecord> {
    let mut ranked = lead.signals.to_vec();
    ranked.sort_by(|a, b| b.points.total_cmp(&a.points).then(b.at.cmp(&a.at)));
    ranked.truncate(n);
    ranked
}

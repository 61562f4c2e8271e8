//! A scenario prepared for one replication: attribute generators resolved per source, event
//! inputs built once per signal, staffing per queue.
//!
//! Built per replication so that every text value is a fresh `Arc` owned by that replication's
//! thread: sharing one `Arc<str>` between threads would make every lead's attribute clone contend
//! on the same reference count.

use super::rng::ChaChaStream;
use super::warp::Warp;
use crate::calendar::{BusinessCalendar, Timestamp};
use crate::engine::{Engine, Input};
use crate::ir::scenario::{AttrGen, Dist, Gen, Response, Scenario};
use crate::ir::{Channel, EventId, Playbook, ReasonId, Value};
use std::sync::Arc;

/// One lead source.
pub(crate) struct SourceWorld {
    pub name: Arc<str>,
    /// Arrivals per second.
    pub rate: f64,
    /// The shape arrivals follow, as an index into [`World::warps`].
    pub warp: Option<usize>,
    /// Generator per lead field (the source's own, else the scenario's), `None` for defaults.
    pub gens: Vec<Option<Gen>>,
}

/// One behaviour profile.
pub(crate) struct ProfileWorld {
    pub share: f64,
    /// Signals: the event input and the mean gap between two in seconds, the reciprocal of the
    /// rate worked out once rather than per signal (`None`: once on arrival).
    pub signals: Vec<(Input, Option<f64>)>,
    /// The shape each signal follows, as an index into [`World::warps`], by signal line.
    pub signal_warps: Vec<Option<usize>>,
    /// Responses to automated touches: probability and the event input.
    pub responds: Vec<(f64, Input)>,
    pub intent_lasts: Option<Dist>,
}

/// Sellers of one queue.
pub(crate) struct StaffWorld {
    pub sellers: u32,
    pub handle: Dist,
    /// Handling of later sequence steps by channel (`None`: any channel without its own).
    pub follow_up: Vec<(Option<Channel>, Dist)>,
    pub prefer_new_leads: bool,
    pub pickup_delay: Option<Dist>,
    /// Working hours; `None` around the clock.
    pub calendar: Option<BusinessCalendar>,
}

/// Everything a replication needs from the scenario.
pub(crate) struct World {
    pub sources: Vec<SourceWorld>,
    /// The time warp of each shape of the playbook, over the run.
    pub warps: Vec<Warp>,
    pub defaults: Vec<Value>,
    pub profiles: Vec<ProfileWorld>,
    /// Staffing by queue index.
    pub staff: Vec<Option<StaffWorld>>,
    pub connect: Response,
    pub meeting: Response,
    pub after_connect: Vec<(ReasonId, f64)>,
}

fn fresh(value: &Value) -> Value {
    match value {
        Value::Text(t) => Value::text(t.as_str()),
        other => other.clone(),
    }
}

fn fresh_gen(gen: &Gen) -> Gen {
    match gen {
        Gen::Mix { shares } => Gen::Mix {
            shares: shares.iter().map(|(v, s)| (fresh(v), *s)).collect(),
        },
        other => other.clone(),
    }
}

/// An event input with the given field values and defaults for the rest.
fn event_input(playbook: &Playbook, event: EventId, set: &[(u16, Value)]) -> Input {
    let fields = playbook
        .events
        .get(event.index())
        .map(|def| {
            def.fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    set.iter()
                        .find(|(j, _)| usize::from(*j) == i)
                        .map_or_else(|| f.ty.default_value(), |(_, v)| fresh(v))
                })
                .collect()
        })
        .unwrap_or_default();
    Input::Event { event, fields }
}

impl World {
    /// Prepares a scenario against the engine's playbook, for a run of `horizon_secs` from
    /// the simulator's start.
    pub fn new(engine: &Engine, scenario: &Scenario, horizon_secs: i64) -> World {
        let playbook = engine.playbook();
        let warps = playbook
            .shapes
            .iter()
            .map(|shape| Warp::new(shape, super::START, horizon_secs))
            .collect();
        let gen_for = |gens: &[AttrGen], field: usize| {
            gens.iter()
                .find(|g| g.field.index() == field)
                .map(|g| fresh_gen(&g.gen))
        };
        let profiles: Vec<ProfileWorld> = scenario
            .profiles
            .iter()
            .map(|p| ProfileWorld {
                share: p.share,
                signals: p
                    .signals
                    .iter()
                    .map(|s| {
                        (
                            event_input(playbook, s.event, &s.fields),
                            s.rate_per_sec.filter(|r| *r > 0.0).map(|r| 1.0 / r),
                        )
                    })
                    .collect(),
                signal_warps: p
                    .signals
                    .iter()
                    .map(|s| s.shape.map(|id| id.index()))
                    .collect(),
                responds: p
                    .responds
                    .iter()
                    .map(|(chance, event)| (*chance, event_input(playbook, *event, &[])))
                    .collect(),
                intent_lasts: p.intent_lasts.clone(),
            })
            .collect();
        let sources = scenario
            .sources
            .iter()
            .map(|s| SourceWorld {
                name: Arc::from(s.name.as_str()),
                rate: s.rate_per_sec.max(0.0),
                warp: s.shape.map(|id| id.index()),
                gens: (0..playbook.fields.len())
                    .map(|f| gen_for(&s.population, f).or_else(|| gen_for(&scenario.population, f)))
                    .collect(),
            })
            .collect();
        let staff = (0..playbook.queues.len())
            .map(|q| {
                scenario
                    .staff
                    .iter()
                    .find(|s| s.queue.index() == q)
                    .map(|s| StaffWorld {
                        sellers: s.sellers,
                        handle: s.handle.clone(),
                        follow_up: s.follow_up.clone(),
                        prefer_new_leads: s.prefer_new_leads,
                        pickup_delay: s.pickup_delay.clone(),
                        calendar: s.calendar.and_then(|c| engine.calendar(c)).cloned(),
                    })
            })
            .collect();
        World {
            sources,
            warps,
            defaults: playbook
                .fields
                .iter()
                .map(|f| f.ty.default_value())
                .collect(),
            profiles,
            staff,
            connect: scenario.connect,
            meeting: scenario.meeting,
            after_connect: scenario.after_connect.clone(),
        }
    }

    /// Draws a lead's attributes for a source into `into` (a vector reused from a finished
    /// lead, so an arrival need not allocate).
    pub fn attributes(&self, source: usize, rng: &mut ChaChaStream, into: &mut Vec<Value>) {
        let gens = self.sources.get(source).map(|s| s.gens.as_slice());
        into.clear();
        let values = self.defaults.iter().enumerate().map(|(f, default)| {
            match gens.and_then(|g| g.get(f)).and_then(Option::as_ref) {
                Some(Gen::Mix { shares }) => rng
                    .pick(shares.iter().map(|(_, s)| *s))
                    .and_then(|i| shares.get(i))
                    .map_or_else(|| default.clone(), |(v, _)| v.clone()),
                Some(Gen::Draw { dist }) => Value::Number(rng.sample(dist)),
                Some(Gen::Chance { p }) => Value::Flag(rng.chance_unit() < *p),
                None => default.clone(),
            }
        });
        into.extend(values);
    }
}

/// Seconds of a duration draw as a whole number of seconds (the engine's clock resolution),
/// rounded half away from zero like `f64::round`, which without SSE4.1 (not in the x86-64
/// baseline) is a call into libm on every draw. Splitting off the fraction is exact.
pub(crate) fn whole_secs(secs: f64) -> Timestamp {
    if secs.is_finite() && secs > 0.0 {
        let secs = secs.min(1e15);
        let whole = secs as Timestamp;
        whole + Timestamp::from(secs - whole as f64 >= 0.5)
    } else {
        0
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whole seconds agree with `f64::round` on every draw a distribution can give, halves
        /// and the largest values included.
        #[test]
        fn whole_secs_rounds_like_f64_round(secs in prop_oneof![
            0.0f64..10.0,
            0.0f64..1e7,
            0.0f64..2e15,
            (0u64..1_000_000).prop_map(|n| n as f64 + 0.5),
            (0u64..1_000_000).prop_map(|n| n as f64 + 0.5 - f64::EPSILON * n as f64),
            any::<f64>(),
        ]) {
            let expected = if secs.is_finite() && secs > 0.0 {
                secs.round().min(1e15) as Timestamp
            } else {
                0
            };
            prop_assert_eq!(whole_secs(secs), expected);
        }
    }

    #[test]
    fn whole_secs_edges() {
        for (secs, expected) in [
            (0.49999999999999994, 0),
            (0.5, 1),
            (1.5, 2),
            (2.499_999_999_999_999_6, 2),
            (f64::NAN, 0),
            (-3.0, 0),
            (f64::INFINITY, 0),
            (1e300, 1_000_000_000_000_000),
        ] {
            assert_eq!(whole_secs(secs), expected, "{secs}");
        }
    }
}

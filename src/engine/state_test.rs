//! State conditions compiled once per playbook. The `when` of a handoff rule without `on` and
//! the exits of a track are tested after every step that raised a score or a count, which makes
//! them the conditions the engine tests most once event filters are resolved, and walking
//! `grade = A or count page_view ... within 7d >= 3` as written repeats work that depends only
//! on the playbook.
//! Here band membership whose selected bands are all those above some sum becomes a threshold
//! on the sum, and a windowed count compared with a constant becomes the set of counts that
//! pass; anything else stays the condition, tested as written.

use super::cond::{band_threshold, compare, Scope};
use super::scoring;
use super::state::LeadState;
use crate::ir::{BandSetId, Cmp, Cond, CounterId, Num, Playbook};

/// A state condition as the engine tests it; always the same answer as [`Scope::holds`] on
/// the condition it was compiled from.
#[derive(Debug, Clone)]
pub(crate) enum StateTest {
    /// All hold.
    All(Vec<StateTest>),
    /// Any holds.
    Any(Vec<StateTest>),
    /// The lead's band in `bands` is selected by `cond` (a band selection), which selects every
    /// sum from `min` up.
    SumAtLeast {
        bands: BandSetId,
        /// The summed scores, each with its cap (`None` if the set or a score is missing):
        /// read straight from the lead when its scores are decayed to the time of the test,
        /// as they are in a step on an event or an attribute change (a timer leaves them
        /// decayed to the last one, and then the sum is computed the long way).
        terms: Option<Vec<(usize, Option<f64>)>>,
        min: f64,
        cond: Cond,
    },
    /// A windowed count compares with a constant: bit `k` of `passes` says whether count `k`
    /// does, for counts below 64; above, the comparison is made.
    Count {
        counter: CounterId,
        passes: u64,
        comparison: CountComparison,
    },
    /// Anything else, tested as written.
    Cond(Cond),
}

/// `count cmp n`, or `n cmp count` when `flipped`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CountComparison {
    cmp: Cmp,
    n: f64,
    flipped: bool,
}

impl CountComparison {
    fn holds(self, count: usize) -> bool {
        let count = count as f64;
        if self.flipped {
            compare(self.cmp, self.n, count)
        } else {
            compare(self.cmp, count, self.n)
        }
    }
}

impl StateTest {
    /// Compiles a state condition of a playbook.
    pub(crate) fn new(playbook: &Playbook, cond: &Cond) -> StateTest {
        match cond {
            Cond::And { all } => {
                StateTest::All(all.iter().map(|c| Self::new(playbook, c)).collect())
            }
            Cond::Or { any } => {
                StateTest::Any(any.iter().map(|c| Self::new(playbook, c)).collect())
            }
            Cond::BandIn { bands, mask } => playbook
                .band_sets
                .get(bands.index())
                .and_then(|set| band_threshold(&set.bands, *mask))
                .map_or_else(
                    || StateTest::Cond(cond.clone()),
                    |min| StateTest::SumAtLeast {
                        bands: *bands,
                        terms: sum_terms(playbook, *bands),
                        min,
                        cond: cond.clone(),
                    },
                ),
            Cond::Compare { lhs, cmp, rhs } => {
                let comparison = match (lhs, rhs) {
                    (Num::Count(counter), Num::Const(n)) => Some((*counter, *n, false)),
                    (Num::Const(n), Num::Count(counter)) => Some((*counter, *n, true)),
                    _ => None,
                };
                match comparison {
                    Some((counter, n, flipped)) => {
                        let comparison = CountComparison {
                            cmp: *cmp,
                            n,
                            flipped,
                        };
                        let passes = (0..64usize)
                            .filter(|&k| comparison.holds(k))
                            .fold(0u64, |bits, k| bits | (1 << k));
                        StateTest::Count {
                            counter,
                            passes,
                            comparison,
                        }
                    }
                    None => StateTest::Cond(cond.clone()),
                }
            }
            _ => StateTest::Cond(cond.clone()),
        }
    }

    /// Whether the condition holds for the lead in scope.
    pub(crate) fn holds(&self, scope: &Scope<'_>) -> bool {
        match self {
            StateTest::All(all) => all.iter().all(|t| t.holds(scope)),
            StateTest::Any(any) => any.iter().any(|t| t.holds(scope)),
            StateTest::SumAtLeast {
                bands,
                terms,
                min,
                cond,
            } => {
                let sum = match terms {
                    Some(terms) if scope.lead.scored_at == scope.now => {
                        decayed_sum(scope.lead, terms)
                    }
                    _ => scoring::band_sum(scope.playbook, scope.lead, *bands, scope.now),
                };
                match sum {
                    Some(sum) if !sum.is_nan() => sum >= *min,
                    // No threshold orders NaN: the condition decides.
                    Some(_) => scope.holds(cond),
                    None => false,
                }
            }
            StateTest::Count {
                counter,
                passes,
                comparison,
            } => scoring::count(scope.playbook, scope.lead, *counter, scope.now).is_some_and(|k| {
                match u32::try_from(k).ok().and_then(|k| passes.checked_shr(k)) {
                    Some(bits) => bits & 1 != 0,
                    None => comparison.holds(k),
                }
            }),
            StateTest::Cond(cond) => scope.holds(cond),
        }
    }
}

/// The summed scores of a band set with their caps; `None` if the set or a score is missing.
fn sum_terms(playbook: &Playbook, bands: BandSetId) -> Option<Vec<(usize, Option<f64>)>> {
    let set = playbook.band_sets.get(bands.index())?;
    (set.scores.iter())
        .map(|s| {
            playbook
                .scores
                .get(s.index())
                .map(|def| (s.index(), def.cap))
        })
        .collect()
}

/// The sum of scores decayed to the lead's `scored_at`, as [`scoring::band_sum`] computes it
/// at that time (where every decay factor is 1), without looking the scores up again.
fn decayed_sum(lead: &LeadState, terms: &[(usize, Option<f64>)]) -> Option<f64> {
    let mut sum = 0.0;
    for &(score, cap) in terms {
        let parts = lead.scores.get(score)?;
        sum += scoring::capped(parts.fit, parts.events, cap);
    }
    Some(sum)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::engine::{Engine, Input, LeadState};
    use crate::ir::{Band, Value};
    use proptest::prelude::*;

    fn band(from: Option<f64>, to: Option<f64>) -> Band {
        Band {
            name: String::new(),
            from,
            to,
        }
    }

    #[test]
    fn thresholds_of_band_selections() {
        let grades = [
            band(Some(70.0), None),
            band(Some(40.0), Some(70.0)),
            band(None, Some(40.0)),
        ];
        assert_eq!(band_threshold(&grades, 0b001), Some(70.0));
        assert_eq!(band_threshold(&grades, 0b011), Some(40.0));
        assert_eq!(band_threshold(&grades, 0b111), Some(f64::NEG_INFINITY));
        assert_eq!(band_threshold(&grades, 0b000), Some(f64::INFINITY));
        assert_eq!(band_threshold(&grades, 0b010), None);
        assert_eq!(band_threshold(&grades, 0b100), None);
        // A gap between bands is in no band.
        let gapped = [band(Some(70.0), None), band(Some(40.0), Some(60.0))];
        assert_eq!(band_threshold(&gapped, 0b01), Some(70.0));
        assert_eq!(band_threshold(&gapped, 0b11), None);
    }

    /// The seed playbook's state rules and track exits, compiled (once: the proptest below
    /// reads them in every case).
    fn seed() -> &'static (Engine, Vec<(Cond, StateTest)>) {
        static SEED: std::sync::OnceLock<(Engine, Vec<(Cond, StateTest)>)> =
            std::sync::OnceLock::new();
        SEED.get_or_init(compile_seed)
    }

    fn compile_seed() -> (Engine, Vec<(Cond, StateTest)>) {
        let src = std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap();
        let playbook = crate::check::compile(crate::span::FileId(0), &src)
            .playbook
            .unwrap();
        let mut conds: Vec<Cond> = (playbook.handoffs.iter())
            .filter(|h| h.trigger.on.is_empty())
            .map(|h| h.trigger.when.clone())
            .chain((playbook.tracks.iter()).flat_map(|t| t.exits.iter().map(|e| e.when.clone())))
            .collect();
        // Band selections and count comparisons of every shape the compiler handles, and
        // some it leaves as written.
        let grade = playbook.band_sets[0].clone();
        let counter = CounterId(0);
        for mask in 0..(1u64 << grade.bands.len()) {
            conds.push(Cond::BandIn {
                bands: BandSetId(0),
                mask,
            });
        }
        for cmp in [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge] {
            for n in [0.0, 1.0, 2.5, 3.0, 70.0] {
                conds.push(Cond::Compare {
                    lhs: Num::Count(counter),
                    cmp,
                    rhs: Num::Const(n),
                });
                conds.push(Cond::Compare {
                    lhs: Num::Const(n),
                    cmp,
                    rhs: Num::Count(counter),
                });
            }
        }
        let tests = conds
            .into_iter()
            .map(|c| {
                let t = StateTest::new(&playbook, &c);
                (c, t)
            })
            .collect();
        (Engine::new(&playbook).unwrap(), tests)
    }

    /// Drives a lead of the seed playbook through a history of (event kind, page category, gap
    /// in seconds), calling `check` with its state and a time at each step and half a gap after.
    fn drive(
        history: &[(usize, u16, i64)],
        segment: u16,
        employees: f64,
        mut check: impl FnMut(&LeadState, i64),
    ) {
        let (engine, _) = seed();
        let playbook = engine.playbook();
        let event = |name: &str| playbook.events.iter().position(|e| e.name == name).unwrap();
        let mut attributes: Vec<Value> = playbook
            .fields
            .iter()
            .map(|f| f.ty.default_value())
            .collect();
        attributes[0] = Value::Enum(segment);
        attributes[2] = Value::Number(employees);
        let (mut lead, mut out, mut now) = (LeadState::default(), Vec::new(), 1_800_000_000);
        let arrive = Input::Arrive {
            attributes,
            source: None,
        };
        let _ = engine.step(&mut lead, &arrive, now, &mut out);
        for &(kind, category, gap) in history {
            now += gap;
            let (e, fields) = match kind {
                0 => (event("page_view"), vec![Value::Enum(category)]),
                1 => (event("email_click"), vec![]),
                _ => (event("event_attended"), vec![]),
            };
            let input = Input::Event {
                event: crate::ir::EventId(e as u32),
                fields,
            };
            let _ = engine.step(&mut lead, &input, now, &mut out);
            check(&lead, now);
            check(&lead, now + gap / 2);
        }
    }

    /// The first compiled test that disagrees with its condition along a history, and when.
    fn first_disagreement(
        history: &[(usize, u16, i64)],
        segment: u16,
        employees: f64,
    ) -> Option<(Cond, i64)> {
        let (engine, tests) = seed();
        let mut found = None;
        drive(history, segment, employees, |lead, at| {
            let scope = Scope::state(engine.playbook(), lead, at);
            let wrong = tests
                .iter()
                .find(|(c, t)| t.holds(&scope) != scope.holds(c));
            if let (None, Some((cond, _))) = (&found, wrong) {
                found = Some((cond.clone(), at));
            }
        });
        found
    }

    /// A mid-market lead of 200 employees or more in EMEA has 50 fit points; an attendance
    /// adds 20 intent points, so at that instant its grade sum is exactly 70, band A's bound,
    /// which a threshold off by the bound's equality gets wrong.
    #[test]
    fn a_sum_on_the_band_bound_is_in_the_band() {
        let history = [(2, 0, 0)];
        let (engine, _) = seed();
        let mut sums = Vec::new();
        drive(&history, 1, 297.9, |lead, at| {
            sums.push(scoring::band_sum(engine.playbook(), lead, BandSetId(0), at));
        });
        assert_eq!(sums, [Some(70.0), Some(70.0)]);
        assert_eq!(first_disagreement(&history, 1, 297.9), None);
    }

    proptest! {
        /// Along any history of page views, clicks and attendances, every compiled test agrees
        /// with the condition it was compiled from, at every step and between steps.
        #[test]
        fn compiled_state_tests_agree_with_conditions(
            history in prop::collection::vec((0usize..3, 0u16..6, 0i64..4 * 86_400), 1..60),
            segment in 0u16..3,
            employees in 0.0..500.0f64,
        ) {
            prop_assert_eq!(first_disagreement(&history, segment, employees), None);
        }
    }
}

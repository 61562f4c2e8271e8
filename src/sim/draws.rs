//! How the simulator lays its draws out on a lead's random words: signal gaps and touch
//! responses are addressed words of their purpose's stream ([`Replication::word`]), so a lead
//! needs no generator state, and the blocks they come from are kept between draws.

use super::rng::{exponential_at, half_unit_of, BlockSlot, LeadKey, Purpose, Replication};

/// Keystream blocks kept between a replication's draws: one slot per signal generator
/// (generators beyond the slots share them, which costs recomputation, never a wrong draw,
/// since slots are keyed), and the last slot for touch responses.
#[derive(Debug, Clone, Default)]
pub struct BlockCache {
    slots: [BlockSlot; BlockCache::SLOTS],
}

impl BlockCache {
    const SLOTS: usize = 5;
    const RESPONSES: usize = BlockCache::SLOTS - 1;

    /// Gap `k` of signal generator `generator` of a lead: an exponential draw with this mean,
    /// from 32-bit word `k` of the purpose `Signal + generator`. A lead's gaps are drawn one
    /// after the other, so fifteen gaps in sixteen cost no ChaCha block. 32 bits are plenty
    /// for a gap: the draw's tail ends at 22 means (a chance of 3·10⁻¹⁰ cut off), and its grain
    /// is 10⁻⁹ of the mean.
    pub fn signal_gap(
        &mut self,
        rep: &Replication,
        lead: LeadKey,
        generator: u8,
        k: u32,
        mean: f64,
    ) -> f64 {
        let purpose = (Purpose::Signal as u8).saturating_add(generator);
        let slot = usize::from(generator) % BlockCache::RESPONSES;
        let word = match self.slots.get_mut(slot) {
            Some(slot) => rep.word(slot, lead, purpose, u64::from(k)),
            None => 0,
        };
        exponential_at(half_unit_of(word), mean)
    }

    /// The answer of a lead to automated touch `touch`, for response `entry` of `entries` in
    /// its profile, which comes with this chance: whether it responds, and a uniform `[0, 1)`
    /// draw for when. Both come from one uniform `u`, 32-bit word `touch × entries + entry` of
    /// the purpose `Response`: the lead responds when `u < chance`, and then `u / chance` is
    /// uniform on `[0, 1)` and independent of the decision. So one block serves sixteen
    /// answers.
    pub fn response(
        &mut self,
        rep: &Replication,
        lead: LeadKey,
        (touch, entries, entry): (u32, usize, usize),
        chance: f64,
    ) -> (bool, f64) {
        let w = u64::from(touch)
            .saturating_mul(entries as u64)
            .saturating_add(entry as u64);
        let word = match self.slots.get_mut(BlockCache::RESPONSES) {
            Some(slot) => rep.word(slot, lead, Purpose::Response as u8, w),
            None => 0,
        };
        let u = half_unit_of(word);
        if u < chance {
            (true, (u / chance).min(1.0 - f64::EPSILON))
        } else {
            (false, 0.0)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::sim::rng::tests::their_word;

    #[test]
    fn signal_gaps_are_words_of_chacha8rng_sixteen_to_a_block() {
        let rep = Replication::new(42, 3);
        let key = LeadKey {
            source: 1,
            index: 77,
        };
        let mut cache = BlockCache::default();
        for generator in [0u8, 2, 5] {
            for k in [0u32, 1, 7, 15, 16, 17, 63, 1000] {
                let word = their_word(&rep, key, Purpose::Signal as u8 + generator, k.into());
                let expected = -(1.0 - f64::from(word) / 4_294_967_296.0).ln() * 60.0;
                // The same draw whether the block is cached, recomputed, or evicted by another
                // generator sharing the slot.
                let gap = |cache: &mut BlockCache| cache.signal_gap(&rep, key, generator, k, 60.0);
                assert_eq!(gap(&mut cache), expected);
                assert_eq!(gap(&mut cache), expected);
                assert_eq!(gap(&mut BlockCache::default()), expected);
            }
        }
        let other = LeadKey { index: 78, ..key };
        assert_ne!(
            cache.signal_gap(&rep, key, 0, 0, 1.0),
            cache.signal_gap(&rep, other, 0, 0, 1.0)
        );
    }

    #[test]
    fn touch_responses_decide_and_place_with_one_word_of_chacha8rng() {
        let rep = Replication::new(7, 1);
        let key = LeadKey {
            source: 2,
            index: 4_242,
        };
        let mut cache = BlockCache::default();
        for entries in [1usize, 2, 3] {
            for touch in [0u32, 1, 2, 3, 5, 11, 400] {
                for entry in 0..entries {
                    let w = u64::from(touch) * entries as u64 + entry as u64;
                    let u = f64::from(their_word(&rep, key, Purpose::Response as u8, w))
                        / 4_294_967_296.0;
                    for chance in [0.0, u, 0.5, 1.0] {
                        let expected = if u < chance {
                            (true, u / chance)
                        } else {
                            (false, 0.0)
                        };
                        let draw = |cache: &mut BlockCache| {
                            cache.response(&rep, key, (touch, entries, entry), chance)
                        };
                        assert_eq!(draw(&mut cache), expected);
                        assert_eq!(draw(&mut BlockCache::default()), expected);
                    }
                }
            }
        }
    }

    #[test]
    fn response_timing_is_uniform_and_independent_of_the_chance() {
        // Among the answers that respond, `when` is uniform on [0, 1): its mean is 1/2 and a
        // quarter of it falls below 1/4, within five standard errors, for a small and a large
        // chance alike.
        let rep = Replication::new(5, 0);
        let mut cache = BlockCache::default();
        for chance in [0.03, 0.6] {
            let whens: Vec<f64> = (0..400_000u64)
                .map(|i| LeadKey {
                    source: 0,
                    index: i,
                })
                .map(|key| cache.response(&rep, key, (0, 1, 0), chance))
                .filter_map(|(yes, when)| yes.then_some(when))
                .collect();
            let n = whens.len() as f64;
            assert!(
                (n / 400_000.0 - chance).abs() < 5.0 * (chance * (1.0 - chance) / 400_000.0).sqrt()
            );
            let mean = whens.iter().sum::<f64>() / n;
            assert!(
                (mean - 0.5).abs() < 5.0 * (1.0 / 12.0 / n).sqrt(),
                "{chance}: {mean}"
            );
            let low = whens.iter().filter(|w| **w < 0.25).count() as f64 / n;
            assert!(
                (low - 0.25).abs() < 5.0 * (0.25 * 0.75 / n).sqrt(),
                "{chance}: {low}"
            );
            assert!(whens.iter().all(|w| (0.0..1.0).contains(w)));
        }
    }
}

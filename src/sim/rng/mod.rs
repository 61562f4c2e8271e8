//! Reproducible randomness: one master seed, one ChaCha8 stream per (replication, entity,
//! purpose), addressed by counter so no per-lead generator state has to be stored.
//!
//! Every draw is taken from `rand_chacha`'s ChaCha8 stream: the replication selects the 256-bit
//! key (a SplitMix64 expansion of the master seed and the replication number), the entity (a lead,
//! a source, a queue) and the purpose select the 64-bit stream number, and the draw index selects
//! the block counter (`index << 32`), exactly as `ChaCha8Rng::set_stream` and `set_word_pos` would.
//! Blocks are computed one at a time here, because `ChaCha8Rng` refills four blocks and copies a
//! 300-byte state, which would cost more than the rest of a simulated event; a unit test checks
//! that the words are identical to `ChaCha8Rng`'s.
//!
//! Because a draw depends only on these keys, never on thread or iteration order, results are
//! identical for any thread count, and two playbook variants see the same leads behave the same
//! way (common random numbers).

mod chacha;

use chacha::keystream;
pub use chacha::ChaChaStream;

/// What a stream is for; part of the stream number, so purposes never share draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Purpose {
    /// A lead's attributes, profile and intent duration, drawn once on arrival.
    Arrival = 0,
    /// Responses of a lead to automated touches (see [`crate::sim::draws`]).
    Response = 1,
    /// Handling time of a pickup (index: handoff number).
    Handle = 2,
    /// Outcome of a manual attempt (index: handoff and attempt).
    Attempt = 3,
    /// The seller's reason after a conversation (index: handoff number).
    Dispose = 4,
    /// Handling time of a later sequence step (index: handoff and attempt).
    FollowUp = 5,
    /// How long the seller takes to notice the lead (index: handoff number).
    PickupDelay = 6,
    /// A lead's signal process (purpose byte `Signal + generator`, index: signal number).
    Signal = 16,
}

// Signal line `g` of a profile uses purpose `Signal + g`: the checker's limit on signal lines
// keeps every line's purpose distinct and inside the byte.
const _: () = assert!(
    Purpose::Signal as usize + crate::ir::scenario::MAX_SIGNAL_LINES - 1 == u8::MAX as usize
);

/// Which kind of entity a stream belongs to (top bits of the stream number).
#[derive(Debug, Clone, Copy)]
enum Entity {
    Lead = 0,
    Source = 1,
}

/// Identifies a simulated lead across playbook variants: the k-th arrival of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LeadKey {
    /// Source index in the scenario.
    pub source: u16,
    /// Arrival number within that source.
    pub index: u64,
}

/// The key of one replication: all streams of the replication hang off it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replication {
    key: [u32; 8],
}

/// SplitMix64: a well-mixed, stable hash from (seed, replication) to key material.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Replication {
    /// The key of replication `replication` under the master seed.
    pub fn new(seed: u64, replication: u32) -> Replication {
        let mut state = seed ^ u64::from(replication).wrapping_mul(0xD1B5_4A32_D192_ED03);
        let mut key = [0u32; 8];
        for pair in key.chunks_exact_mut(2) {
            let word = splitmix(&mut state);
            if let [lo, hi] = pair {
                *lo = word as u32;
                *hi = (word >> 32) as u32;
            }
        }
        Replication { key }
    }

    /// The 32-byte seed `ChaCha8Rng::from_seed` would take for this replication.
    pub fn seed_bytes(&self) -> [u8; 32] {
        let mut bytes = [0u8; 32];
        for (chunk, word) in bytes.chunks_exact_mut(4).zip(self.key) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        bytes
    }

    /// A lead's stream for one purpose at draw index `index`.
    pub fn lead(&self, lead: LeadKey, purpose: u8, index: u32) -> ChaChaStream {
        ChaChaStream::new(self.key, lead_stream(lead, purpose), u64::from(index) << 32)
    }

    /// A source's arrival stream (drawn sequentially).
    pub fn source(&self, source: u16) -> ChaChaStream {
        ChaChaStream::new(
            self.key,
            ((Entity::Source as u64) << 60) | u64::from(source),
            0,
        )
    }

    /// Word `w` (32 bits) of a lead's purpose, addressed as a sequence of words: word `w % 16`
    /// of the first block at draw index `w / 16`. The block is kept in `slot`, keyed by stream
    /// and counter, so that consecutive words cost one block in sixteen and a hit can never
    /// give a wrong word.
    pub fn word(&self, slot: &mut BlockSlot, lead: LeadKey, purpose: u8, w: u64) -> u32 {
        let stream = lead_stream(lead, purpose);
        let counter = u64::from(u32::try_from(w / 16).unwrap_or(u32::MAX)) << 32;
        let block = match &mut slot.0 {
            Some(hit) if hit.stream == stream && hit.counter == counter => &hit.block,
            entry => {
                let block = keystream(&self.key, counter, stream);
                &entry
                    .insert(CachedBlock {
                        stream,
                        counter,
                        block,
                    })
                    .block
            }
        };
        block.get((w % 16) as usize).copied().unwrap_or(0)
    }
}

/// One keystream block kept between draws of [`Replication::word`], with the stream and
/// counter it belongs to.
#[derive(Debug, Clone, Default)]
pub struct BlockSlot(Option<CachedBlock>);

#[derive(Debug, Clone)]
struct CachedBlock {
    stream: u64,
    counter: u64,
    block: [u32; 16],
}

// A lead's stream number packs its source into 12 bits and its arrival number into 40: the
// checker's limit on sources and the simulator's on leads per replication keep every lead's
// streams its own.
const _: () = assert!(crate::ir::scenario::MAX_SOURCES <= 1 << 12);
const _: () = assert!(super::MAX_LEADS <= (1u64 << 40) as f64);

/// The stream number of a lead's purpose.
fn lead_stream(lead: LeadKey, purpose: u8) -> u64 {
    ((Entity::Lead as u64) << 60)
        | ((u64::from(lead.source) & 0xFFF) << 48)
        | ((lead.index & 0xFF_FFFF_FFFF) << 8)
        | u64::from(purpose)
}

/// A uniform `[0, 1)` double from the top 53 bits of a word (as `rand` makes one from a `u64`).
pub(crate) fn unit_of(word: u64) -> f64 {
    (word >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform `[0, 1)` double from a 32-bit half word, for draws that need no finer grain.
pub(crate) fn half_unit_of(half: u32) -> f64 {
    f64::from(half) * (1.0 / 4_294_967_296.0)
}

/// An exponential draw with this mean from a word (inverse transform: exact tail).
pub(crate) fn exponential_of(word: u64, mean: f64) -> f64 {
    exponential_at(unit_of(word), mean)
}

/// An exponential draw with this mean from a uniform `[0, 1)` draw (inverse transform).
pub(crate) fn exponential_at(unit: f64, mean: f64) -> f64 {
    -(1.0 - unit).ln() * mean
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
pub(crate) mod tests {
    use super::*;
    use crate::ir::scenario::Dist;
    use rand::RngCore;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn words_are_those_of_chacha8rng() {
        for (seed, replication) in [(0u64, 0u32), (42, 7), (u64::MAX, 123_456)] {
            let rep = Replication::new(seed, replication);
            let key = LeadKey {
                source: 3,
                index: 987_654_321,
            };
            for (purpose, index) in [(0u8, 0u32), (17, 5), (3, u32::MAX)] {
                let mut ours = rep.lead(key, purpose, index);
                let mut theirs = ChaCha8Rng::from_seed(rep.seed_bytes());
                theirs.set_stream(ours.stream);
                theirs.set_word_pos(u128::from(index) << 36);
                // Mixed widths across several block boundaries.
                for i in 0..100 {
                    if i % 5 == 0 {
                        let expected = f64::from(theirs.next_u32()) / 4_294_967_296.0;
                        assert_eq!(ours.chance_unit(), expected);
                    } else if i % 3 == 0 {
                        assert_eq!(ours.next_u32(), theirs.next_u32());
                    } else {
                        assert_eq!(ours.next_u64(), theirs.next_u64());
                    }
                }
            }
        }
    }

    /// The 32-bit word of ChaCha8Rng at draw index `w / 16`, word `w % 16` of a lead's purpose.
    pub(crate) fn their_word(rep: &Replication, key: LeadKey, purpose: u8, w: u64) -> u32 {
        let mut theirs = ChaCha8Rng::from_seed(rep.seed_bytes());
        theirs.set_stream(lead_stream(key, purpose));
        theirs.set_word_pos((u128::from(w / 16) << 36) + u128::from(w % 16));
        theirs.next_u32()
    }

    #[test]
    fn addressed_words_are_those_of_chacha8rng_whether_kept_or_not() {
        let rep = Replication::new(42, 3);
        let key = LeadKey {
            source: 1,
            index: 77,
        };
        let mut slot = BlockSlot::default();
        for purpose in [0u8, 17, 255] {
            for w in [0u64, 1, 15, 16, 17, 63, 1000, 15, 0] {
                let expected = their_word(&rep, key, purpose, w);
                assert_eq!(rep.word(&mut slot, key, purpose, w), expected);
                assert_eq!(rep.word(&mut slot, key, purpose, w), expected);
                assert_eq!(
                    rep.word(&mut BlockSlot::default(), key, purpose, w),
                    expected
                );
            }
        }
    }

    #[test]
    fn streams_differ_by_replication_lead_purpose_and_index() {
        let a = Replication::new(1, 0);
        let b = Replication::new(1, 1);
        let lead = LeadKey {
            source: 0,
            index: 1,
        };
        let other = LeadKey {
            source: 0,
            index: 2,
        };
        let first = |r: &Replication, l, p, i| r.lead(l, p, i).next_u64();
        let base = first(&a, lead, 0, 0);
        assert_ne!(base, first(&b, lead, 0, 0));
        assert_ne!(base, first(&a, other, 0, 0));
        assert_ne!(base, first(&a, lead, 1, 0));
        assert_ne!(base, first(&a, lead, 0, 1));
        assert_eq!(base, first(&a, lead, 0, 0));
        assert_ne!(a.source(0).next_u64(), a.source(1).next_u64());
    }

    #[test]
    fn samples_have_the_right_means() {
        let rep = Replication::new(9, 0);
        let mut rng = rep.source(0);
        let n = 200_000;
        let mean = |rng: &mut ChaChaStream, d: &Dist| {
            (0..n).map(|_| rng.sample(d)).sum::<f64>() / f64::from(n)
        };
        for d in [
            Dist::Constant { value: 3.0 },
            Dist::Uniform {
                low: 2.0,
                high: 6.0,
            },
            Dist::Exponential { mean: 5.0 },
            Dist::Lognormal {
                median: 10.0,
                sigma: 0.5,
            },
            Dist::Empirical {
                points: vec![(1.0, 0.25), (3.0, 0.75)],
            },
        ] {
            let m = mean(&mut rng, &d);
            // Five standard errors of the largest variance above (lognormal, ~6.5² / 200k).
            assert!((m - d.mean()).abs() < 0.08, "{d:?}: {m}");
        }
        let picks = (0..n)
            .filter(|_| rng.pick([0.2, 0.0, 0.8].into_iter()) == Some(2))
            .count();
        assert!((f64::from(picks as u32) / f64::from(n) - 0.8).abs() < 0.005);
        assert_eq!(rng.pick([0.0, 0.0].into_iter()), None);
    }
}

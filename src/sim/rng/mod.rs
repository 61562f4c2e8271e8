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

use crate::ir::scenario::Dist;
use rand::RngCore;
use rand_distr::{Distribution, StandardNormal};

/// What a stream is for; part of the stream number, so purposes never share draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Purpose {
    /// A lead's attributes, profile and intent duration, drawn once on arrival.
    Arrival = 0,
    /// Responses of a lead to automated touches (see [`Replication::response`]).
    Response = 1,
    /// Handling time of a pickup (index: handoff number).
    Handle = 2,
    /// Outcome of a manual attempt (index: handoff and attempt).
    Attempt = 3,
    /// The seller's reason after a conversation (index: handoff number).
    Dispose = 4,
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

    /// Gap `k` of signal generator `generator` of a lead: an exponential draw with this mean,
    /// from 32-bit word `k` of the purpose `Signal + generator` (see [`Replication::lead_word`]).
    /// A lead's gaps are drawn one after the other, so fifteen gaps in sixteen cost no ChaCha
    /// block. 32 bits are plenty for a gap: the draw's tail ends at 22 means (a chance of
    /// 3·10⁻¹⁰ cut off), and its grain is 10⁻⁹ of the mean, far below the whole second it is
    /// rounded to.
    pub fn signal_gap(
        &self,
        cache: &mut BlockCache,
        lead: LeadKey,
        generator: u8,
        k: u32,
        mean: f64,
    ) -> f64 {
        let purpose = (Purpose::Signal as u8).saturating_add(generator);
        let slot = BlockCache::signal_slot(generator);
        exponential_at(
            half_unit_of(self.lead_word(cache, slot, lead, purpose, u64::from(k))),
            mean,
        )
    }

    /// The answer of a lead to automated touch `touch`, for response `entry` of `entries` in
    /// its profile, which comes with this chance: whether it responds, and a uniform `[0, 1)`
    /// draw for when. Both come from one uniform `u`, 32-bit word `touch × entries + entry` of
    /// the purpose `Response`: the lead responds when `u < chance`, and then `u / chance` is
    /// uniform on `[0, 1)` and independent of the decision. So one block serves sixteen
    /// answers.
    pub fn response(
        &self,
        cache: &mut BlockCache,
        lead: LeadKey,
        (touch, entries, entry): (u32, usize, usize),
        chance: f64,
    ) -> (bool, f64) {
        let w = u64::from(touch)
            .saturating_mul(entries as u64)
            .saturating_add(entry as u64);
        let word = self.lead_word(
            cache,
            BlockCache::RESPONSES,
            lead,
            Purpose::Response as u8,
            w,
        );
        let u = half_unit_of(word);
        if u < chance {
            (true, (u / chance).min(1.0 - f64::EPSILON))
        } else {
            (false, 0.0)
        }
    }

    /// Word `w` (32 bits) of a lead's purpose, addressed as a sequence of words: word `w % 16`
    /// of the first block at draw index `w / 16`. The block is kept in slot `slot` of `cache`,
    /// keyed by stream and counter, so a hit can never give a wrong word.
    fn lead_word(
        &self,
        cache: &mut BlockCache,
        slot: usize,
        lead: LeadKey,
        purpose: u8,
        w: u64,
    ) -> u32 {
        let stream = lead_stream(lead, purpose);
        let counter = u64::from(u32::try_from(w / 16).unwrap_or(u32::MAX)) << 32;
        let block = match cache.slots.get_mut(slot) {
            Some(Some(hit)) if hit.stream == stream && hit.counter == counter => &hit.block,
            Some(entry) => {
                let block = keystream(&self.key, counter, stream);
                &entry
                    .insert(CachedBlock {
                        stream,
                        counter,
                        block,
                    })
                    .block
            }
            None => return 0,
        };
        block.get((w % 16) as usize).copied().unwrap_or(0)
    }
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
fn unit_of(word: u64) -> f64 {
    (word >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform `[0, 1)` double from a 32-bit half word, for draws that need no finer grain.
fn half_unit_of(half: u32) -> f64 {
    f64::from(half) * (1.0 / 4_294_967_296.0)
}

/// An exponential draw with this mean from a word (inverse transform: exact tail).
fn exponential_of(word: u64, mean: f64) -> f64 {
    exponential_at(unit_of(word), mean)
}

/// An exponential draw with this mean from a uniform `[0, 1)` draw (inverse transform).
fn exponential_at(unit: f64, mean: f64) -> f64 {
    -(1.0 - unit).ln() * mean
}

/// Keystream blocks kept between draws: one slot per signal generator (generators beyond the
/// slots share them, which costs recomputation, never a wrong draw, since entries are keyed),
/// and the last slot for touch responses.
#[derive(Debug, Clone, Default)]
pub struct BlockCache {
    slots: [Option<CachedBlock>; BlockCache::SLOTS],
}

impl BlockCache {
    const SLOTS: usize = 5;
    const RESPONSES: usize = BlockCache::SLOTS - 1;

    /// The slot of a signal generator's blocks.
    fn signal_slot(generator: u8) -> usize {
        usize::from(generator) % BlockCache::RESPONSES
    }
}

#[derive(Debug, Clone)]
struct CachedBlock {
    stream: u64,
    counter: u64,
    block: [u32; 16],
}

/// A ChaCha8 keystream positioned at a block, producing one 64-byte block at a time.
#[derive(Debug, Clone)]
pub struct ChaChaStream {
    key: [u32; 8],
    stream: u64,
    counter: u64,
    block: [u32; 16],
    used: usize,
}

const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// The lanes of `v` rotated down by `n`: lane `i` of the result is lane `(i + n) % 4` of `v`.
/// LLVM compiles it to one lane shuffle (`pshufd`).
#[inline(always)]
fn lanes_down(v: wide::u32x4, n: usize) -> wide::u32x4 {
    let a = v.to_array();
    wide::u32x4::new(std::array::from_fn(|i| {
        a.get((i + n) % 4).copied().unwrap_or(0)
    }))
}

/// Each lane rotated left by `bits` (SSE2 has no rotate).
#[inline(always)]
fn rotate(v: wide::u32x4, bits: u32) -> wide::u32x4 {
    (v << bits) | (v >> (32 - bits))
}

/// ChaCha's quarter round on the four columns at once, one row a vector.
#[inline(always)]
fn quarter_rows(rows: &mut [wide::u32x4; 4]) {
    let [a, b, c, d] = rows;
    *a += *b;
    *d = rotate(*d ^ *a, 16);
    *c += *d;
    *b = rotate(*b ^ *c, 12);
    *a += *b;
    *d = rotate(*d ^ *a, 8);
    *c += *d;
    *b = rotate(*b ^ *c, 7);
}

/// One ChaCha8 block of a key, block counter and stream number.
///
/// The state's four rows are four SIMD vectors: a column round is one quarter round on them,
/// and a diagonal round is one more after rotating the lanes of rows 1 to 3 so that each
/// diagonal lines up in a lane. About 240 instructions a block, against 511 for the same
/// function on one `u32` a word, and the same words (unit tests against `rand_chacha`).
fn keystream(key: &[u32; 8], counter: u64, stream: u64) -> [u32; 16] {
    let [k0, k1, k2, k3, k4, k5, k6, k7] = *key;
    let input = [
        wide::u32x4::new(SIGMA),
        wide::u32x4::new([k0, k1, k2, k3]),
        wide::u32x4::new([k4, k5, k6, k7]),
        wide::u32x4::new([
            counter as u32,
            (counter >> 32) as u32,
            stream as u32,
            (stream >> 32) as u32,
        ]),
    ];
    let mut rows = input;
    for _ in 0..4 {
        quarter_rows(&mut rows);
        let [a, b, c, d] = rows;
        rows = [a, lanes_down(b, 1), lanes_down(c, 2), lanes_down(d, 3)];
        quarter_rows(&mut rows);
        let [a, b, c, d] = rows;
        rows = [a, lanes_down(b, 3), lanes_down(c, 2), lanes_down(d, 1)];
    }
    let mut out = [0u32; 16];
    for ((chunk, row), add) in out.chunks_exact_mut(4).zip(rows).zip(input) {
        chunk.copy_from_slice(&(row + add).to_array());
    }
    out
}

impl ChaChaStream {
    fn new(key: [u32; 8], stream: u64, counter: u64) -> ChaChaStream {
        ChaChaStream {
            key,
            stream,
            counter,
            block: [0; 16],
            used: 16,
        }
    }

    fn refill(&mut self) {
        self.block = keystream(&self.key, self.counter, self.stream);
        self.counter = self.counter.wrapping_add(1);
        self.used = 0;
    }

    /// A uniform draw in `[0, 1)` with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        unit_of(self.next_u64())
    }

    /// A uniform draw in `[0, 1)` from one 32-bit word, for choices among shares and chances,
    /// where a grain of 2⁻³² is far below any share a scenario can state. Taking half the
    /// words of [`ChaChaStream::unit`] keeps a typical arrival's draws within one ChaCha block.
    pub fn chance_unit(&mut self) -> f64 {
        half_unit_of(self.next_u32())
    }

    /// An exponential draw with this mean (inverse transform: one draw, exact tail).
    pub fn exponential(&mut self, mean: f64) -> f64 {
        exponential_of(self.next_u64(), mean)
    }

    /// A draw from a scenario distribution, never negative or NaN.
    pub fn sample(&mut self, dist: &Dist) -> f64 {
        let x = match dist {
            Dist::Constant { value } => *value,
            Dist::Uniform { low, high } => low + (high - low) * self.unit(),
            Dist::Exponential { mean } => self.exponential(*mean),
            Dist::Lognormal { median, sigma } => {
                let z: f64 = StandardNormal.sample(self);
                median * (sigma * z).exp()
            }
            Dist::Empirical { points } => {
                let total: f64 = points.iter().map(|(_, w)| w.max(0.0)).sum();
                let mut u = self.unit() * total;
                let mut chosen = points.last().map_or(0.0, |(v, _)| *v);
                for (v, w) in points {
                    if u < w.max(0.0) {
                        chosen = *v;
                        break;
                    }
                    u -= w.max(0.0);
                }
                chosen
            }
        };
        if x.is_finite() {
            x.max(0.0)
        } else {
            0.0
        }
    }

    /// Picks an index by weights (normalised here, so shares off by rounding still work);
    /// `None` for an empty or all-zero list.
    pub fn pick(&mut self, weights: impl Iterator<Item = f64> + Clone) -> Option<usize> {
        let total: f64 = weights.clone().map(|w| w.max(0.0)).sum();
        if total <= 0.0 {
            return None;
        }
        let mut u = self.chance_unit() * total;
        let mut last = None;
        for (i, w) in weights.enumerate() {
            let w = w.max(0.0);
            if w > 0.0 {
                last = Some(i);
                if u < w {
                    return Some(i);
                }
                u -= w;
            }
        }
        last
    }
}

impl RngCore for ChaChaStream {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        if self.used >= self.block.len() {
            self.refill();
        }
        let word = self.block.get(self.used).copied().unwrap_or(0);
        self.used += 1;
        word
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        let lo = u64::from(self.next_u32());
        let hi = u64::from(self.next_u32());
        (hi << 32) | lo
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(4) {
            let bytes = self.next_u32().to_le_bytes();
            chunk.copy_from_slice(bytes.get(..chunk.len()).unwrap_or(&[]));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
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
    fn their_word(rep: &Replication, key: LeadKey, purpose: u8, w: u64) -> u32 {
        let mut theirs = ChaCha8Rng::from_seed(rep.seed_bytes());
        theirs.set_stream(lead_stream(key, purpose));
        theirs.set_word_pos((u128::from(w / 16) << 36) + u128::from(w % 16));
        theirs.next_u32()
    }

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
                let gap = |cache: &mut BlockCache| rep.signal_gap(cache, key, generator, k, 60.0);
                assert_eq!(gap(&mut cache), expected);
                assert_eq!(gap(&mut cache), expected);
                assert_eq!(gap(&mut BlockCache::default()), expected);
            }
        }
        let other = LeadKey { index: 78, ..key };
        assert_ne!(
            rep.signal_gap(&mut cache, key, 0, 0, 1.0),
            rep.signal_gap(&mut cache, other, 0, 0, 1.0)
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
                            rep.response(cache, key, (touch, entries, entry), chance)
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
                .map(|key| rep.response(&mut cache, key, (0, 1, 0), chance))
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

//! The ChaCha8 block function and a stream of its words, positioned by block counter.

use super::{exponential_of, half_unit_of, unit_of};
use crate::ir::scenario::Dist;
use rand::RngCore;
use rand_distr::{Distribution, StandardNormal};

/// A ChaCha8 keystream positioned at a block, producing one 64-byte block at a time.
#[derive(Debug, Clone)]
pub struct ChaChaStream {
    key: [u32; 8],
    pub(super) stream: u64,
    counter: u64,
    block: [u32; 16],
    used: usize,
}

const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// ChaCha's quarter round on four words of the state.
#[inline(always)]
fn quarter(a: &mut u32, b: &mut u32, c: &mut u32, d: &mut u32) {
    *a = a.wrapping_add(*b);
    *d = (*d ^ *a).rotate_left(16);
    *c = c.wrapping_add(*d);
    *b = (*b ^ *c).rotate_left(12);
    *a = a.wrapping_add(*b);
    *d = (*d ^ *a).rotate_left(8);
    *c = c.wrapping_add(*d);
    *b = (*b ^ *c).rotate_left(7);
}

/// One ChaCha8 block of a key, block counter and stream number, on plain words: each round's
/// four quarter rounds are independent chains, which the processor runs side by side.
pub(super) fn keystream(key: &[u32; 8], counter: u64, stream: u64) -> [u32; 16] {
    let [k0, k1, k2, k3, k4, k5, k6, k7] = *key;
    let [s0, s1, s2, s3] = SIGMA;
    let input = [
        s0,
        s1,
        s2,
        s3,
        k0,
        k1,
        k2,
        k3,
        k4,
        k5,
        k6,
        k7,
        counter as u32,
        (counter >> 32) as u32,
        stream as u32,
        (stream >> 32) as u32,
    ];
    let [mut x0, mut x1, mut x2, mut x3, mut x4, mut x5, mut x6, mut x7, mut x8, mut x9, mut x10, mut x11, mut x12, mut x13, mut x14, mut x15] =
        input;
    for _ in 0..4 {
        quarter(&mut x0, &mut x4, &mut x8, &mut x12);
        quarter(&mut x1, &mut x5, &mut x9, &mut x13);
        quarter(&mut x2, &mut x6, &mut x10, &mut x14);
        quarter(&mut x3, &mut x7, &mut x11, &mut x15);
        quarter(&mut x0, &mut x5, &mut x10, &mut x15);
        quarter(&mut x1, &mut x6, &mut x11, &mut x12);
        quarter(&mut x2, &mut x7, &mut x8, &mut x13);
        quarter(&mut x3, &mut x4, &mut x9, &mut x14);
    }
    let mut out = [
        x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15,
    ];
    for (word, add) in out.iter_mut().zip(input) {
        *word = word.wrapping_add(add);
    }
    out
}

impl ChaChaStream {
    pub(super) fn new(key: [u32; 8], stream: u64, counter: u64) -> ChaChaStream {
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

//! The ChaCha8 block function and a stream of its words, positioned by block counter.
//!
//! The block is computed on SIMD row vectors through `wide`, which a scalar block or plain
//! arrays did not match (docs/benchmarks.md, "What was tried").

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
/// diagonal lines up in a lane. The words are those of `rand_chacha` (unit tests).
pub(super) fn keystream(key: &[u32; 8], counter: u64, stream: u64) -> [u32; 16] {
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

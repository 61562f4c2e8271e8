//! The event set: a radix heap over event times with 256-way buckets, first in first out among
//! equal times.
//!
//! Simulated time never goes backwards, so the pending events form a monotone priority queue, for
//! which a radix heap beats a binary heap: a push is an append, and a pop only ever redistributes
//! one bucket into lower ones, scanning memory sequentially instead of sifting through a tree of
//! a million entries. Times are whole seconds after the run's start in a `u32` (136 years).
//!
//! Buckets are keyed by the highest *byte* in which a time differs from the last popped time and
//! by that byte's value (a hierarchical timing wheel in radix-heap form), so an event moves at most
//! three times between being scheduled and being served, however far ahead it was scheduled; a
//! bucket per bit would move an event scheduled a month ahead up to twenty times. A bitmap per
//! level finds the lowest non-empty bucket without scanning empty ones.
//!
//! Equal times come out in the order they were scheduled, which is what makes the run
//! deterministic: entries with equal times always sit in the same bucket, a bucket is only
//! redistributed when every lower bucket is empty, and later pushes append behind; so the order
//! survives every redistribution, and a time's bucket at the lowest level is served from the front.

/// One level per byte of the key.
const LEVELS: usize = 4;
/// One bucket per value of a byte.
const SLOTS: usize = 256;

/// A monotone priority queue of `T` keyed by whole seconds, ties in scheduling order.
#[derive(Debug, Clone)]
pub(crate) struct Agenda<T> {
    /// A lower bound of every pending time (at most the last popped one).
    last: u32,
    len: usize,
    /// Bucket `level * SLOTS + slot` holds the times whose highest byte differing from `last` is
    /// byte `level` (level 0 also holds `last` itself) and whose byte `level` is `slot`.
    /// Buckets are plain vectors, appended to and, at level 0, read from the front through
    /// `heads`.
    buckets: Vec<Vec<(u32, T)>>,
    /// Per level-0 bucket, the index of its first item not yet popped.
    heads: [usize; SLOTS],
    /// Per level, one bit per non-empty bucket.
    occupied: [[u64; SLOTS / 64]; LEVELS],
}

/// The level and slot of time `key` relative to the lower bound `last`.
fn place(key: u32, last: u32) -> (usize, usize) {
    let diff = key ^ last;
    let level = if diff == 0 {
        0
    } else {
        (31 - diff.leading_zeros() as usize) / 8
    };
    (level, ((key >> (8 * level)) & 0xFF) as usize)
}

/// The lowest set bit of a level's bitmap.
fn lowest(bits: &[u64; SLOTS / 64]) -> Option<usize> {
    bits.iter()
        .enumerate()
        .find(|(_, w)| **w != 0)
        .map(|(i, w)| i * 64 + w.trailing_zeros() as usize)
}

impl<T: Copy> Agenda<T> {
    /// An empty agenda at time 0.
    pub fn new() -> Self {
        Agenda {
            last: 0,
            len: 0,
            buckets: (0..LEVELS * SLOTS).map(|_| Vec::new()).collect(),
            heads: [0; SLOTS],
            occupied: [[0; SLOTS / 64]; LEVELS],
        }
    }

    /// Number of pending events.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    fn append(&mut self, at: u32, item: T) {
        let (level, slot) = place(at, self.last);
        if let Some(b) = self.buckets.get_mut(level * SLOTS + slot) {
            b.push((at, item));
            if let Some(word) = self
                .occupied
                .get_mut(level)
                .and_then(|bits| bits.get_mut(slot / 64))
            {
                *word |= 1 << (slot % 64);
            }
        }
    }

    fn mark_empty(&mut self, level: usize, slot: usize) {
        if let Some(word) = self
            .occupied
            .get_mut(level)
            .and_then(|bits| bits.get_mut(slot / 64))
        {
            *word &= !(1 << (slot % 64));
        }
    }

    /// Schedules an event; a time before the last popped one is served at that time instead.
    pub fn push(&mut self, at: u32, item: T) {
        self.append(at.max(self.last), item);
        self.len += 1;
    }

    /// The next three events, as far as they are already in the lowest level (nearly always:
    /// only the first events of a new 256-second window need a redistribution to be found).
    pub fn peek_three(&self) -> [Option<&(u32, T)>; 3] {
        let mut found = [None; 3];
        let Some(bits) = self.occupied.first() else {
            return found;
        };
        let mut rest = *bits;
        let mut k = 0;
        while k < found.len() {
            let Some(slot) = lowest(&rest) else {
                break;
            };
            if let Some(word) = rest.get_mut(slot / 64) {
                *word &= !(1 << (slot % 64));
            }
            let head = self.heads.get(slot).copied().unwrap_or(0);
            let items = self.buckets.get(slot).and_then(|b| b.get(head..));
            for item in items.into_iter().flatten() {
                match found.get_mut(k) {
                    Some(place) => *place = Some(item),
                    None => break,
                }
                k += 1;
            }
        }
        found
    }

    /// Removes the earliest event (the earliest scheduled among equal times).
    pub fn pop(&mut self) -> Option<(u32, T)> {
        if self.len == 0 {
            return None;
        }
        while self
            .occupied
            .first()
            .is_some_and(|bits| bits.iter().all(|w| *w == 0))
        {
            let (level, slot) = self
                .occupied
                .iter()
                .enumerate()
                .find_map(|(level, bits)| lowest(bits).map(|slot| (level, slot)))?;
            // The bucket's buffer goes with its items and is freed once they are redistributed:
            // higher buckets fill slowly and hold up to a day of events, so keeping (or passing
            // around) their buffers would pin the peak of every bucket for the whole run. The
            // lowest level, refilled constantly with a few events per bucket, keeps its buffers.
            let items = std::mem::take(self.buckets.get_mut(level * SLOTS + slot)?);
            self.mark_empty(level, slot);
            // Every time in the bucket shares the bytes above `level` with `last` and has byte
            // `level` equal to `slot`; clearing the bytes below gives a bound under all of them
            // and above every other bucket's lower bound, so every item moves to a lower level
            // (not necessarily level 0, hence the loop).
            let first = items.first()?.0;
            self.last = first & !((1u32 << (8 * level)) - 1);
            for (k, item) in items {
                self.append(k, item);
            }
        }
        let slot = self.occupied.first().and_then(lowest)?;
        let bucket = self.buckets.get_mut(slot)?;
        let head = self.heads.get_mut(slot)?;
        let item = *bucket.get(*head)?;
        *head += 1;
        if *head == bucket.len() {
            bucket.clear();
            *head = 0;
            self.mark_empty(0, slot);
        }
        self.last = item.0;
        self.len -= 1;
        Some(item)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn equal_times_come_out_in_insertion_order() {
        let mut a = Agenda::new();
        for i in 0..5 {
            a.push(10, i);
        }
        a.push(5, 99);
        assert_eq!(a.pop(), Some((5, 99)));
        a.push(10, 5);
        let order: Vec<_> = std::iter::from_fn(|| a.pop()).collect();
        assert_eq!(order, (0..6).map(|i| (10, i)).collect::<Vec<_>>());
    }

    #[test]
    fn extreme_times_are_ordered() {
        let mut a = Agenda::new();
        for t in [u32::MAX, 0, 7, 1 << 31, 1] {
            a.push(t, t);
        }
        let order: Vec<_> = std::iter::from_fn(|| a.pop()).map(|(t, _)| t).collect();
        assert_eq!(order, vec![0, 1, 7, 1 << 31, u32::MAX]);
    }

    proptest! {
        /// Interleaved pushes (never before the last pop) and pops agree with a stable-sorted
        /// model: earliest time first, scheduling order among equal times. Gaps range from equal
        /// times to years, so every level of buckets fills and is redistributed.
        #[test]
        fn matches_a_sorted_model(ops in prop::collection::vec(
            (any::<bool>(), prop_oneof![0u32..50, 0u32..70_000, 0u32..(1 << 26)]),
            0..400,
        )) {
            let mut a = Agenda::new();
            let mut model: Vec<(u32, u64)> = Vec::new();
            let (mut now, mut seq) = (0u32, 0u64);
            for (is_pop, dt) in ops {
                if is_pop {
                    model.sort();
                    // What peeking shows, when it shows anything, is what comes out next.
                    for (k, seen) in a.peek_three().into_iter().enumerate() {
                        if let Some(seen) = seen {
                            prop_assert_eq!(Some(seen), model.get(k));
                        }
                    }
                    let expected = if model.is_empty() { None } else { Some(model.remove(0)) };
                    let got = a.pop();
                    prop_assert_eq!(got, expected);
                    if let Some((t, _)) = got {
                        now = t;
                    }
                } else {
                    a.push(now + dt, seq);
                    model.push((now + dt, seq));
                    seq += 1;
                }
                prop_assert_eq!(a.len(), model.len());
            }
        }
    }
}

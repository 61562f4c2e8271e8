//! The event set: a radix heap over event times, first in first out among equal times.
//!
//! Simulated time never goes backwards, so the pending events form a monotone priority queue, for
//! which a radix heap beats a binary heap: a push is an append, and a pop only ever redistributes
//! one bucket into lower ones, scanning memory sequentially instead of sifting through a tree of
//! a million entries. Times are whole seconds after the run's start in a `u32` (136 years), so an
//! entry with its event fits in 16 bytes.
//!
//! Equal times come out in the order they were scheduled, which is what makes the run
//! deterministic: each bucket holds its events in scheduling order, because a bucket is only
//! refilled from a higher one when it is empty, and later pushes append behind; so the order
//! survives every redistribution, and the lowest bucket is served from the front.

use std::collections::VecDeque;

/// One bucket per bit of the key plus one for keys equal to the last popped.
const BUCKETS: usize = 33;

/// A monotone priority queue of `T` keyed by whole seconds, ties in scheduling order.
#[derive(Debug, Clone)]
pub(crate) struct Agenda<T> {
    /// The time of the last popped item; every pending time is at least this.
    last: u32,
    len: usize,
    /// Bucket `i > 0` holds times whose highest bit differing from `last` is bit `i - 1`.
    buckets: Vec<VecDeque<(u32, T)>>,
    /// An empty deque with capacity, swapped in for the bucket being redistributed.
    spare: VecDeque<(u32, T)>,
}

fn bucket(key: u32, last: u32) -> usize {
    let diff = key ^ last;
    if diff == 0 {
        0
    } else {
        (32 - diff.leading_zeros()) as usize
    }
}

impl<T> Agenda<T> {
    /// An empty agenda at time 0.
    pub fn new() -> Self {
        Agenda {
            last: 0,
            len: 0,
            buckets: (0..BUCKETS).map(|_| VecDeque::new()).collect(),
            spare: VecDeque::new(),
        }
    }

    /// Number of pending events.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Schedules an event; a time before the last popped one is served at that time instead.
    pub fn push(&mut self, at: u32, item: T) {
        let at = at.max(self.last);
        if let Some(b) = self.buckets.get_mut(bucket(at, self.last)) {
            b.push_back((at, item));
            self.len += 1;
        }
    }

    /// Removes the earliest event (the earliest scheduled among equal times).
    pub fn pop(&mut self) -> Option<(u32, T)> {
        if self.len == 0 {
            return None;
        }
        if self.buckets.first().is_some_and(VecDeque::is_empty) {
            let index = self.buckets.iter().position(|b| !b.is_empty())?;
            // Swap the bucket out with the spare deque so both keep their capacity: buckets are
            // refilled over and over, and reallocating them dominated the profile.
            let mut items = std::mem::take(&mut self.spare);
            std::mem::swap(&mut items, self.buckets.get_mut(index)?);
            self.last = items.iter().map(|(k, _)| *k).min()?;
            for (k, item) in items.drain(..) {
                if let Some(b) = self.buckets.get_mut(bucket(k, self.last)) {
                    b.push_back((k, item));
                }
            }
            self.spare = items;
        }
        let item = self.buckets.first_mut()?.pop_front()?;
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
        /// model: earliest time first, scheduling order among equal times.
        #[test]
        fn matches_a_sorted_model(ops in prop::collection::vec((any::<bool>(), 0u32..50), 0..400)) {
            let mut a = Agenda::new();
            let mut model: Vec<(u32, u64)> = Vec::new();
            let (mut now, mut seq) = (0u32, 0u64);
            for (is_pop, dt) in ops {
                if is_pop {
                    model.sort();
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

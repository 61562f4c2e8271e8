//! The event set: a radix heap over `(time, sequence number)` keys.
//!
//! Simulated time never goes backwards, so the pending events form a monotone priority queue, for
//! which a radix heap beats a binary heap: a push is an append, and a pop only ever redistributes
//! one bucket into lower ones, scanning memory sequentially instead of sifting through a tree of
//! a million entries. The sequence number makes every key unique, so events at the same time come
//! out in the order they were scheduled, deterministically.

use crate::calendar::Timestamp;

/// Keys are `time << 64 | sequence`: unique, and increasing as long as time does not go back.
const BUCKETS: usize = 129;

/// A monotone priority queue of `T` keyed by time, ties broken by insertion order.
#[derive(Debug, Clone)]
pub(crate) struct Agenda<T> {
    /// The key of the last popped item; every pending key is at least this.
    last: u128,
    seq: u64,
    len: usize,
    /// Bucket `i > 0` holds keys whose highest bit differing from `last` is bit `i - 1`.
    buckets: Vec<Vec<(u128, T)>>,
    /// An empty vector with capacity, swapped in for the bucket being redistributed.
    spare: Vec<(u128, T)>,
}

fn key(at: Timestamp, seq: u64) -> u128 {
    // Shifting the signed time by 2^63 keeps the order of negative and positive times.
    (u128::from((at as u64) ^ (1 << 63)) << 64) | u128::from(seq)
}

fn time_of(key: u128) -> Timestamp {
    (((key >> 64) as u64) ^ (1 << 63)) as Timestamp
}

fn bucket(key: u128, last: u128) -> usize {
    let diff = key ^ last;
    if diff == 0 {
        0
    } else {
        (128 - diff.leading_zeros()) as usize
    }
}

impl<T> Agenda<T> {
    /// An empty agenda starting at time `start`.
    pub fn new(start: Timestamp) -> Self {
        Agenda {
            last: key(start, 0),
            seq: 0,
            len: 0,
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            spare: Vec::new(),
        }
    }

    /// Number of pending events.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Schedules an event; a time before the last popped one is moved up to it (it cannot be
    /// served in the past).
    pub fn push(&mut self, at: Timestamp, item: T) {
        let k = key(at, self.seq).max(self.last);
        self.seq += 1;
        if let Some(b) = self.buckets.get_mut(bucket(k, self.last)) {
            b.push((k, item));
            self.len += 1;
        }
    }

    /// Removes the earliest event (earliest scheduled among equal times).
    pub fn pop(&mut self) -> Option<(Timestamp, T)> {
        if self.len == 0 {
            return None;
        }
        if self.buckets.first().is_some_and(Vec::is_empty) {
            let index = self.buckets.iter().position(|b| !b.is_empty())?;
            // Swap the bucket out with the spare vector so both keep their capacity: buckets
            // are refilled over and over, and reallocating them dominated the profile.
            let mut items = std::mem::take(&mut self.spare);
            std::mem::swap(&mut items, self.buckets.get_mut(index)?);
            self.last = items.iter().map(|(k, _)| *k).min()?;
            for (k, item) in items.drain(..) {
                if let Some(b) = self.buckets.get_mut(bucket(k, self.last)) {
                    b.push((k, item));
                }
            }
            self.spare = items;
        }
        let (k, item) = self.buckets.first_mut()?.pop()?;
        self.len -= 1;
        Some((time_of(k), item))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn equal_times_come_out_in_insertion_order() {
        let mut a = Agenda::new(0);
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
    fn negative_and_large_times_are_ordered() {
        let mut a = Agenda::new(i64::MIN);
        for t in [i64::MAX, 0, -5, 7, i64::MIN, -1] {
            a.push(t, t);
        }
        let order: Vec<_> = std::iter::from_fn(|| a.pop()).map(|(t, _)| t).collect();
        assert_eq!(order, vec![i64::MIN, -5, -1, 0, 7, i64::MAX]);
    }

    proptest! {
        /// Interleaved pushes (never before the last pop) and pops agree with a sorted model.
        #[test]
        fn matches_a_sorted_model(ops in prop::collection::vec((any::<bool>(), 0i64..1000), 0..400)) {
            let mut a = Agenda::new(0);
            let mut model: Vec<(i64, u64)> = Vec::new();
            let (mut now, mut seq) = (0i64, 0u64);
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

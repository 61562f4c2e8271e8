//! A vector that keeps its first `N` elements inside the lead's state.
//!
//! Scores, remembered signals and windowed-count times are read on nearly every event. As
//! ordinary vectors each would be a separate allocation, one more cache miss per event and
//! a few dozen bytes of allocator overhead per lead; inline, they sit next to the rest of the
//! state. Elements beyond `N` move to one heap vector, so any playbook still works.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::ops::{Deref, DerefMut};

/// Up to `N` elements stored inline, all of them on the heap once there are more.
#[derive(Debug, Clone)]
pub struct InlineVec<T: Copy + Default, const N: usize> {
    len: usize,
    inline: [T; N],
    #[expect(
        clippy::box_collection,
        reason = "a boxed vector is 8 bytes in every lead, a bare one 24, for a rare spill"
    )]
    spill: Option<Box<Vec<T>>>,
}

impl<T: Copy + Default, const N: usize> InlineVec<T, N> {
    /// An empty vector.
    pub fn new() -> Self {
        InlineVec {
            len: 0,
            inline: [T::default(); N],
            spill: None,
        }
    }

    /// Appends an element, moving everything to the heap when the inline slots are full.
    /// The inline case is small enough to inline into the engine's step; the rest is kept out
    /// of line.
    #[inline]
    pub fn push(&mut self, value: T) {
        if self.spill.is_none() {
            if let Some(slot) = self.inline.get_mut(self.len) {
                *slot = value;
                self.len += 1;
                return;
            }
        }
        self.push_spilled(value);
    }

    /// [`InlineVec::push`] once the inline slots are full or spilled.
    #[cold]
    #[inline(never)]
    fn push_spilled(&mut self, value: T) {
        if let Some(spill) = &mut self.spill {
            spill.push(value);
            return;
        }
        let mut all = Vec::with_capacity(2 * N.max(1));
        all.extend_from_slice(&self.inline);
        all.push(value);
        self.spill = Some(Box::new(all));
    }

    /// Removes the element at `index`, keeping the order of the rest; out of range does nothing.
    pub fn remove(&mut self, index: usize) {
        let mut i = 0;
        self.retain(|_| {
            i += 1;
            i != index + 1
        });
    }

    /// Keeps only the elements for which `keep` holds, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        if let Some(spill) = &mut self.spill {
            spill.retain(|x| keep(x));
            return;
        }
        let mut count = 0;
        for i in 0..self.len {
            let Some(x) = self.inline.get(i).copied() else {
                break;
            };
            if keep(&x) {
                if let Some(slot) = self.inline.get_mut(count) {
                    *slot = x;
                }
                count += 1;
            }
        }
        self.len = count;
    }
}

impl<T: Copy + Default, const N: usize> Default for InlineVec<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy + Default, const N: usize> Deref for InlineVec<T, N> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match &self.spill {
            Some(spill) => spill.as_slice(),
            None => self.inline.get(..self.len).unwrap_or(&[]),
        }
    }
}

impl<T: Copy + Default, const N: usize> DerefMut for InlineVec<T, N> {
    fn deref_mut(&mut self) -> &mut [T] {
        match &mut self.spill {
            Some(spill) => spill.as_mut_slice(),
            None => self.inline.get_mut(..self.len).unwrap_or(&mut []),
        }
    }
}

impl<T: Copy + Default, const N: usize> FromIterator<T> for InlineVec<T, N> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut v = Self::new();
        for x in iter {
            v.push(x);
        }
        v
    }
}

impl<T: Copy + Default + PartialEq, const N: usize> PartialEq for InlineVec<T, N> {
    /// Equal when the elements are, wherever they are stored.
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Copy + Default + Serialize, const N: usize> Serialize for InlineVec<T, N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de, T: Copy + Default + Deserialize<'de>, const N: usize> Deserialize<'de>
    for InlineVec<T, N>
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(deserializer).map(|v| v.into_iter().collect())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Pushes and retains behave exactly like a `Vec`, inline and spilled alike.
        #[test]
        fn behaves_like_a_vec(ops in prop::collection::vec((any::<bool>(), 0u8..20), 0..60)) {
            let mut ours: InlineVec<u8, 3> = InlineVec::new();
            let mut model: Vec<u8> = Vec::new();
            for (is_push, x) in ops {
                if is_push {
                    ours.push(x);
                    model.push(x);
                } else {
                    ours.retain(|v| *v >= x);
                    model.retain(|v| *v >= x);
                }
                prop_assert_eq!(&*ours, model.as_slice());
            }
            let json = serde_json::to_string(&ours).unwrap();
            prop_assert_eq!(&json, &serde_json::to_string(&model).unwrap());
            let back: InlineVec<u8, 3> = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, ours);
        }
    }

    #[test]
    fn equality_ignores_where_elements_live() {
        let mut spilled: InlineVec<u8, 2> = [1, 2, 3].into_iter().collect();
        spilled.retain(|v| *v < 3);
        let inline: InlineVec<u8, 2> = [1, 2].into_iter().collect();
        assert_eq!(spilled, inline);
        let mut values: InlineVec<u8, 2> = [5, 6].into_iter().collect();
        values.iter_mut().for_each(|v| *v += 1);
        assert_eq!(&*values, &[6, 7]);
    }
}

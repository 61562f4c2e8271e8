//! The live leads of a replication: records in a dense table of fixed-size chunks whose slots are
//! reused, found by lead id through a table of slot numbers.
//!
//! A million leads can be alive at once and nearly every event lands on a different one, so how
//! records sit in memory decides the speed of the run. Boxing each lead put it wherever the
//! allocator had room and cost an allocation and a free per lead; here records sit side by side
//! in arrival order, a finished lead's slot goes to the next arrival, and a lookup is one read
//! of an 8-byte entry (8 MB for a million leads, which fits the last-level cache) plus the
//! record itself. Lead ids are never reused, so an event scheduled for a finished lead finds
//! nothing instead of its successor. Because a record's address is known from its id without
//! reading the record, the run can ask for the next event's lead to be fetched into cache while
//! it works on this one. Beside each slot number sits a word the owner keeps up to date (the time
//! of the lead's next event), so an event that finds its lead not due is dropped without the
//! record being read at all.

/// Slot number of a lead that has finished.
const GONE: u32 = u32::MAX;

/// Records per chunk of the table. The table grows a chunk at a time rather than by doubling
/// one vector, so it never holds twice the records it needs, nor copies them all (which, with
/// old and new buffers alive together, set the run's peak memory).
const CHUNK: usize = 4096;

/// Where a lead's record is, and the owner's word about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    /// Slot of the record, `GONE` once the lead has finished.
    slot: u32,
    /// Set by the owner with [`Leads::set_due`].
    due: u32,
}

/// Records of type `T` by lead id.
#[derive(Debug, Clone)]
pub(crate) struct Leads<T> {
    /// Entry of each lead id ever admitted.
    slot_of: Vec<Entry>,
    /// Records by slot, `CHUNK` to a chunk; a free slot holds a default record.
    chunks: Vec<Vec<T>>,
    /// Slots handed out so far.
    used: usize,
    /// Slots of finished leads, reused last-freed first (its memory is the most recently used).
    free: Vec<u32>,
}

impl<T: Default> Leads<T> {
    /// No leads.
    pub fn new() -> Self {
        Leads {
            slot_of: Vec::new(),
            chunks: Vec::new(),
            used: 0,
            free: Vec::new(),
        }
    }

    /// Number of leads alive now.
    pub fn live(&self) -> usize {
        self.used - self.free.len()
    }

    /// Number of ids handed out so far (finished leads included).
    pub fn ids(&self) -> usize {
        self.slot_of.len()
    }

    /// Admits a lead and returns its id, or `None` when ids or slots run out (past 4 billion).
    pub fn insert(&mut self, lead: T) -> Option<u32> {
        let id = u32::try_from(self.slot_of.len())
            .ok()
            .filter(|id| *id != GONE)?;
        let slot = match self.free.pop() {
            Some(slot) => {
                *self.record_mut(slot as usize)? = lead;
                slot
            }
            None => {
                let slot = u32::try_from(self.used).ok().filter(|s| *s != GONE)?;
                if self.chunks.last().is_none_or(|c| c.len() == CHUNK) {
                    self.chunks.push(Vec::with_capacity(CHUNK));
                }
                self.chunks.last_mut()?.push(lead);
                self.used += 1;
                slot
            }
        };
        self.slot_of.push(Entry {
            slot,
            due: u32::MAX,
        });
        Some(id)
    }

    fn slot(&self, id: u32) -> Option<usize> {
        self.slot_of
            .get(id as usize)
            .filter(|e| e.slot != GONE)
            .map(|e| e.slot as usize)
    }

    fn record(&self, slot: usize) -> Option<&T> {
        self.chunks.get(slot / CHUNK)?.get(slot % CHUNK)
    }

    fn record_mut(&mut self, slot: usize) -> Option<&mut T> {
        self.chunks.get_mut(slot / CHUNK)?.get_mut(slot % CHUNK)
    }

    /// The live lead with this id.
    pub fn get(&self, id: u32) -> Option<&T> {
        self.record(self.slot(id)?)
    }

    /// The live lead with this id, to change.
    pub fn get_mut(&mut self, id: u32) -> Option<&mut T> {
        let slot = self.slot(id)?;
        self.record_mut(slot)
    }

    /// The word last set with [`Leads::set_due`] for a live lead (`u32::MAX` until then), read
    /// without touching its record.
    pub fn due(&self, id: u32) -> Option<u32> {
        self.slot_of
            .get(id as usize)
            .filter(|e| e.slot != GONE)
            .map(|e| e.due)
    }

    /// Keeps a word beside a lead's slot number: the run stores the time of the lead's next
    /// event there.
    pub fn set_due(&mut self, id: u32, due: u32) {
        if let Some(entry) = self.slot_of.get_mut(id as usize) {
            entry.due = due;
        }
    }

    /// Asks for the slot number of a lead to be fetched into cache, ahead of a lookup.
    pub fn prefetch_slot(&self, id: u32) {
        if let Some(slot) = self.slot_of.get(id as usize) {
            mem_prefetch::prefetch_read_data::<_, 3>(slot);
        }
    }

    /// Removes a finished lead and returns its record.
    pub fn remove(&mut self, id: u32) -> Option<T> {
        let slot = self.slot(id)?;
        let lead = std::mem::take(self.record_mut(slot)?);
        if let Some(entry) = self.slot_of.get_mut(id as usize) {
            entry.slot = GONE;
        }
        self.free.push(u32::try_from(slot).ok()?);
        Some(lead)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// Inserts and removes agree with a map from id to value: ids are never reused, removed
        /// leads are gone for good (with their due word), and slots are recycled (the table never outgrows the most
        /// leads alive at once).
        #[test]
        fn behaves_like_a_map(ops in prop::collection::vec((any::<bool>(), 0u32..40), 0..300)) {
            let mut leads = Leads::new();
            let mut model = BTreeMap::new();
            let mut most_alive = 0;
            for (is_insert, x) in ops {
                if is_insert {
                    let id = leads.insert(x).unwrap();
                    prop_assert_eq!(id as usize, leads.ids() - 1);
                    prop_assert_eq!(leads.due(id), Some(u32::MAX));
                    leads.set_due(id, x * 7);
                    model.insert(id, x);
                } else if leads.ids() > 0 {
                    let id = x % leads.ids() as u32;
                    prop_assert_eq!(leads.remove(id), model.remove(&id));
                    prop_assert_eq!(leads.remove(id), None);
                }
                most_alive = most_alive.max(model.len());
                prop_assert_eq!(leads.live(), model.len());
                prop_assert!(leads.used <= most_alive);
                for id in 0..leads.ids() as u32 {
                    prop_assert_eq!(leads.get(id), model.get(&id));
                    prop_assert_eq!(leads.due(id), model.get(&id).map(|x| x * 7));
                }
            }
        }
    }
}

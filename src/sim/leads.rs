//! The live leads of a replication: records in a dense table of fixed-size chunks whose slots are
//! reused, found by lead id through a table of slot numbers.
//!
//! A million leads can be alive at once and nearly every event lands on a different one, so how
//! records sit in memory decides the speed of the run. A boxed lead would sit wherever the
//! allocator had room and cost an allocation and a free per lead; here records sit side by side
//! in arrival order, a finished lead's slot goes to the next arrival, and a lookup is one read
//! of an 8-byte entry (8 MB for a million leads, which fits the last-level cache) plus the
//! record itself. Lead ids are never reused, so an event scheduled for a finished lead finds
//! nothing instead of its successor. Because a record's address is known from its id without
//! reading the record, the run can ask for the next event's lead to be fetched into cache while
//! it works on this one. Beside each slot number sits a word the owner keeps up to date (the time
//! of the lead's next event), so an event that finds its lead not due is dropped without the
//! record being read at all.
//!
//! An arriving lead is built and run ahead by the caller outside the table, with an id reserved
//! for it ([`Leads::reserve`]): most leads finish there and are never copied in
//! ([`Leads::release`]); the others are put in ([`Leads::put`]). Until then the lead counts as
//! absent.

/// Slot number of a lead that has finished.
const GONE: u32 = u32::MAX;

/// Marks the slot number of a lead whose record is out ([`Leads::reserve`]).
const OUT: u32 = 1 << 31;

/// Records per chunk of the table. The table grows a chunk at a time rather than by doubling
/// one vector, so it never holds twice the records it needs, nor copies them all (which, with
/// old and new buffers alive together, set the run's peak memory).
const CHUNK: usize = 4096;

/// Where a lead's record is, and the owner's word about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    /// Slot of the record, with [`OUT`] set while the record is out; `GONE` once the lead has
    /// finished.
    slot: u32,
    /// Set by the owner ([`Leads::set_due`], [`Leads::put`]).
    due: u32,
}

/// Records of type `T` by lead id; the default has none, and allocates nothing (which lets
/// the run move the table aside cheaply, see `Run::with_lead`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Leads<T> {
    /// Entry of each lead id ever admitted.
    slot_of: Vec<Entry>,
    /// Records by slot, `CHUNK` to a chunk; a free slot, or one whose record is out, holds a
    /// default or stale record that the next [`Leads::put`] replaces.
    chunks: Vec<Vec<T>>,
    /// Slots handed out so far.
    used: usize,
    /// Slots of finished leads, reused last-freed first (its memory is the most recently used).
    free: Vec<u32>,
}

impl<T: Default> Leads<T> {
    /// Number of leads alive now (those out included).
    pub fn live(&self) -> usize {
        self.used - self.free.len()
    }

    /// Number of ids handed out so far (finished leads included).
    pub fn ids(&self) -> usize {
        self.slot_of.len()
    }

    /// Admits a lead whose record the caller builds and holds: a new id with a slot, the record
    /// out until [`Leads::put`]. `None` when ids or slots run out (past two billion).
    pub fn reserve(&mut self) -> Option<u32> {
        let id = u32::try_from(self.slot_of.len())
            .ok()
            .filter(|id| *id != GONE)?;
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                let slot = u32::try_from(self.used).ok().filter(|s| *s < OUT)?;
                if self.chunks.last().is_none_or(|c| c.len() == CHUNK) {
                    self.chunks.push(Vec::with_capacity(CHUNK));
                }
                self.chunks.last_mut()?.push(T::default());
                self.used += 1;
                slot
            }
        };
        self.slot_of.push(Entry {
            slot: slot | OUT,
            due: u32::MAX,
        });
        Some(id)
    }

    /// Entry of a live lead whose record is in (a finished lead's `GONE` has `OUT` set too).
    fn entry_in(&self, id: u32) -> Option<&Entry> {
        self.slot_of.get(id as usize).filter(|e| e.slot & OUT == 0)
    }

    /// Slot of a lead whose record is in.
    fn slot(&self, id: u32) -> Option<usize> {
        self.entry_in(id).map(|e| e.slot as usize)
    }

    fn record(&self, slot: usize) -> Option<&T> {
        self.chunks.get(slot / CHUNK)?.get(slot % CHUNK)
    }

    fn record_mut(&mut self, slot: usize) -> Option<&mut T> {
        self.chunks.get_mut(slot / CHUNK)?.get_mut(slot % CHUNK)
    }

    /// The live lead with this id, unless its record is out.
    pub fn get(&self, id: u32) -> Option<&T> {
        self.record(self.slot(id)?)
    }

    /// The live lead with this id, to change, unless its record is out.
    pub fn get_mut(&mut self, id: u32) -> Option<&mut T> {
        let slot = self.slot(id)?;
        self.record_mut(slot)
    }

    /// Puts in the record of a lead that is out, with the word to keep beside it; does nothing
    /// for a lead that is not out.
    pub fn put(&mut self, id: u32, lead: T, due: u32) {
        let Some(entry) = self.slot_of.get_mut(id as usize) else {
            return;
        };
        if entry.slot == GONE || entry.slot & OUT == 0 {
            return;
        }
        entry.slot &= !OUT;
        entry.due = due;
        let slot = entry.slot as usize;
        if let Some(record) = self.record_mut(slot) {
            *record = lead;
        }
    }

    /// Frees the slot of a finished lead, whether its record is in or out; its id will find
    /// nothing from now on. A record left in the slot is replaced by the next [`Leads::put`].
    pub fn release(&mut self, id: u32) {
        let Some(entry) = self.slot_of.get_mut(id as usize) else {
            return;
        };
        if entry.slot == GONE {
            return;
        }
        self.free.push(entry.slot & !OUT);
        entry.slot = GONE;
    }

    /// Keeps a word beside a lead's slot number: the run stores the time of the lead's next
    /// event there.
    pub fn set_due(&mut self, id: u32, due: u32) {
        if let Some(entry) = self.slot_of.get_mut(id as usize) {
            entry.due = due;
        }
    }

    /// The word last set for a live lead whose record is in (`u32::MAX` until set), read
    /// without touching the record.
    pub fn due(&self, id: u32) -> Option<u32> {
        self.entry_in(id).map(|e| e.due)
    }

    /// Asks for the slot number of a lead to be fetched into cache, ahead of a lookup.
    pub fn prefetch_slot(&self, id: u32) {
        if let Some(slot) = self.slot_of.get(id as usize) {
            mem_prefetch::prefetch_read_data::<_, 3>(slot);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// Reserving, putting in, changing and releasing agree with a map from id to value:
        /// ids are never reused, a reserved lead is absent until put in, a released lead is gone
        /// for good, the due word stays beside the record, and slots are recycled (the table
        /// never outgrows the most leads alive at once).
        #[test]
        fn behaves_like_a_map(ops in prop::collection::vec((0u8..4, 0u32..40), 0..300)) {
            let mut leads = Leads::default();
            // Per id: value and due word once put in, `None` while reserved; absent once
            // released.
            let mut model: BTreeMap<u32, Option<(u32, u32)>> = BTreeMap::new();
            let mut most_alive = 0;
            for (op, x) in ops {
                let pick = (leads.ids() > 0).then(|| x % leads.ids() as u32);
                match (op, pick) {
                    (0, _) => {
                        let id = leads.reserve().unwrap();
                        prop_assert_eq!(id as usize, leads.ids() - 1);
                        model.insert(id, None);
                    }
                    (1, Some(id)) => {
                        leads.put(id, x, x * 7);
                        if let Some(entry) = model.get_mut(&id).filter(|e| e.is_none()) {
                            *entry = Some((x, x * 7));
                        }
                    }
                    (2, Some(id)) => {
                        if let Some(v) = leads.get_mut(id) {
                            *v += 1;
                            leads.set_due(id, x);
                        }
                        if let Some(Some((v, due))) = model.get_mut(&id) {
                            *v += 1;
                            *due = x;
                        }
                    }
                    (3, Some(id)) => {
                        leads.release(id);
                        model.remove(&id);
                    }
                    _ => {}
                }
                most_alive = most_alive.max(model.len());
                prop_assert_eq!(leads.live(), model.len());
                prop_assert!(leads.used <= most_alive);
                for id in 0..leads.ids() as u32 {
                    let inside = model.get(&id).copied().flatten();
                    prop_assert_eq!(leads.get(id).copied(), inside.map(|(v, _)| v));
                    prop_assert_eq!(leads.due(id), inside.map(|(_, due)| due));
                }
            }
        }
    }
}

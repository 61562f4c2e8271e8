//! SLA deadlines: wall time, or business time of the queue's calendar (the playbook's default
//! calendar when the queue names none, around the clock when there is neither).

use super::Engine;
use crate::calendar::{BusinessCalendar, Timestamp};
use crate::ir::{QueueId, Sla};

impl Engine {
    /// The calendar business-time SLAs of a queue count in.
    pub fn queue_calendar(&self, queue: QueueId) -> &BusinessCalendar {
        self.playbook
            .queues
            .get(queue.index())
            .and_then(|q| q.calendar)
            .or(self.playbook.default_calendar)
            .and_then(|c| self.calendars.get(c.index()))
            .unwrap_or(&self.always_open)
    }

    /// The deadline of an SLA started at `now` for a lead in `queue`.
    ///
    /// Never earlier than one second after `now`: a zero or already-passed deadline would let a
    /// breach path that restarts the SLA loop forever without the clock moving.
    /// `Timestamp::MAX` means the deadline cannot be computed and never passes.
    pub fn sla_deadline(&self, sla: Sla, queue: QueueId, now: Timestamp) -> Timestamp {
        let calendar = self.queue_calendar(queue);
        let deadline = match sla {
            Sla::Wall(secs) => now.saturating_add(secs),
            Sla::BusinessSeconds(secs) => calendar.add_business_seconds(now, secs),
            Sla::BusinessDays(days) => calendar.add_business_days(now, days),
            Sla::SameDay => calendar.end_of_business_day(now),
        };
        deadline.max(now.saturating_add(1))
    }
}

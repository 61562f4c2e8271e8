//! Routing: which queue (and which owner) a handed-off lead goes to, and its place in the queue.

use super::cond::Scope;
use super::scoring;
use super::state::LeadState;
use super::Engine;
use crate::calendar::Timestamp;
use crate::ir::{QueueId, QueueOrder, RouteRule, RouteTarget, RouterId, SellerId, Value};

impl Engine {
    /// Resolves a route: a queue directly, or a router's first matching rule. An `owner from`
    /// rule matches when the lead's key field names an account, and sends the lead to the owner's
    /// queue with the owner as the only seller allowed to take it.
    /// `None` when no rule matches (the checker warns about routers without `otherwise`).
    pub fn route(
        &self,
        target: RouteTarget,
        lead: &LeadState,
        now: Timestamp,
    ) -> Option<(QueueId, Option<SellerId>)> {
        self.route_with_line(target, lead, now)
            .map(|(queue, owner, _)| (queue, owner))
    }

    /// [`Engine::route`] with the router line that matched (from 0), for the engine's tracer;
    /// `None` for a route to a queue.
    pub(super) fn route_with_line(
        &self,
        target: RouteTarget,
        lead: &LeadState,
        now: Timestamp,
    ) -> Option<(QueueId, Option<SellerId>, Option<usize>)> {
        let playbook = &self.playbook;
        let routed = match target {
            RouteTarget::Queue(queue) => Some((queue, None, None)),
            RouteTarget::Router(router) => self
                .route_line(router, lead, now)
                .map(|(line, queue, owner)| (queue, owner, Some(line))),
        };
        routed.filter(|(queue, _, _)| queue.index() < playbook.queues.len())
    }

    /// The router line a lead takes (its index in the router, the queue and the owner): the
    /// one evaluation [`Engine::route`] uses, public so test coverage can name the line taken.
    pub fn route_line(
        &self,
        router: RouterId,
        lead: &LeadState,
        now: Timestamp,
    ) -> Option<(usize, QueueId, Option<SellerId>)> {
        let playbook = &self.playbook;
        let scope = Scope::state(playbook, lead, now);
        let whens = self.tables.route_when.get(router.index())?;
        (playbook.routers.get(router.index())?.rules.iter())
            .zip(whens)
            .enumerate()
            .find_map(|(line, (rule, when))| {
                let (queue, owner) = match rule {
                    RouteRule::Owner { accounts } => {
                        let set = playbook.accounts.get(accounts.index())?;
                        let Some(Value::Text(key)) = lead.attributes.get(set.key.index()) else {
                            return None;
                        };
                        let seller = set.owner_of(key)?;
                        (playbook.sellers.get(seller.index())?.queue, Some(seller))
                    }
                    RouteRule::When { queue, .. } => {
                        if !when.as_ref().is_some_and(|w| w.holds(&scope)) {
                            return None;
                        }
                        (*queue, None)
                    }
                    RouteRule::Otherwise { queue } => (*queue, None),
                };
                Some((line, queue, owner))
            })
    }

    /// Pick-up order key in a queue: the band index for `order by BANDS` (better bands are
    /// declared first), one past the last band when the lead is in none, 0 for FIFO queues.
    pub fn queue_priority(&self, queue: QueueId, lead: &LeadState, now: Timestamp) -> u32 {
        let Some(def) = self.playbook.queues.get(queue.index()) else {
            return 0;
        };
        match def.order {
            QueueOrder::Fifo => 0,
            QueueOrder::ByBand(bands) => {
                let count = self
                    .playbook
                    .band_sets
                    .get(bands.index())
                    .map_or(0, |s| s.bands.len());
                let index = scoring::band_index(&self.playbook, lead, bands, now).unwrap_or(count);
                u32::try_from(index).unwrap_or(u32::MAX)
            }
        }
    }
}

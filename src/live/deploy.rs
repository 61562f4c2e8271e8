//! Opening a store with a playbook (`docs/deploy.md`): a new store, or one whose current
//! version is this playbook, opens as it is; one that last ran another version has every lead
//! carried over to this one by names ([`Deploy`]), with its route, in one transaction, or the
//! store is left as it was and the runner stops.

use super::store::{Store, StoreError};
use crate::engine::deploy::{Kind, Note};
use crate::engine::{Deploy, Engine, Renames};
use crate::ir::{Playbook, QueueId, SellerId};
use crate::ledger::{Holder, LeadNo, LeadRecord, Ledger, Route};

/// Carries the store's leads over to `playbook` when the store last ran another version;
/// returns what the carried leads start afresh with, or `None` when nothing was deployed.
pub fn prepare(
    store: &mut Store,
    playbook: &Playbook,
    renames: &Renames,
    at: i64,
) -> Result<Option<Vec<Note>>, StoreError> {
    let Some((_, old)) = store.current_version()? else {
        return Ok(None);
    };
    if old.fingerprint() == playbook.fingerprint() {
        return Ok(None);
    }
    let refuse = |text: String| StoreError::Deploy(old.name.clone(), text);
    let plan = Deploy::plan(&old, playbook, renames)
        .map_err(|errors| refuse(errors.iter().map(|e| format!("{e}\n")).collect()))?;
    let old_engine = Engine::new(&old).map_err(|e| refuse(e.to_string()))?;
    let before = store.load(old_engine)?;
    let new_engine = Engine::new(playbook).map_err(|e| refuse(e.to_string()))?;
    let after = carry_ledger(&before, &plan, new_engine).map_err(refuse)?;
    let all: Vec<LeadNo> = (0..after.len())
        .filter_map(|n| LeadNo::try_from(n).ok())
        .collect();
    let mut batch = store.batch(0)?;
    let version = batch.deploy(playbook, at)?;
    batch.set_meta("version", &version.to_string())?;
    // What a replay of the store needs to redo this deploy (`docs/replay.md`).
    let entries = serde_json::to_string(&renames.entries()).unwrap_or_default();
    batch.set_meta(&renames_key(version), &entries)?;
    batch.save(&after, &all)?;
    let routing = serde_json::to_string(&after.routing_snapshot()).unwrap_or_default();
    batch.set_meta("routing", &routing)?;
    batch.commit()?;
    Ok(Some(plan.notes()))
}

/// The store's meta key of the `--map` entries of the deploy to `version`, as a JSON list.
pub fn renames_key(version: i64) -> String {
    format!("renames.{version}")
}

/// Every lead of `before` carried over to `engine`'s playbook by `plan`, with its route, clock
/// and routing as they were: what a deploy writes, and what a replay of a store that crossed
/// a deploy redoes in memory. The error says which leads cannot be carried.
pub fn carry_ledger(before: &Ledger, plan: &Deploy, engine: Engine) -> Result<Ledger, String> {
    let carried = plan
        .carry_all(
            (before.leads().iter()).map(|l| (l.key.as_str(), &l.record.state, &l.record.driver)),
        )
        .map_err(|e| e.to_string())?;
    let mut after = Ledger::new(engine);
    let mut unrouted = Vec::new();
    for (no, (lead, (state, driver))) in before.leads().iter().zip(carried).enumerate() {
        let route = match lead.record.route {
            Some(route) => match carry_route(plan, route) {
                Some(route) => Some(route),
                None => {
                    unrouted.push(lead.key.clone());
                    None
                }
            },
            None => None,
        };
        let record = LeadRecord {
            state,
            driver,
            steps: lead.record.steps,
            route,
        };
        after.restore(
            LeadNo::try_from(no).unwrap_or(LeadNo::MAX),
            lead.key.clone(),
            record,
        );
    }
    if !unrouted.is_empty() {
        return Err(format!(
            "{} lead(s) wait in or were assigned in a queue, or to a seller, the new version deletes: {}; \
             map it with `--map queue:OLD=NEW` or `--map seller:OLD=NEW`",
            unrouted.len(),
            unrouted.iter().take(10).map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    after.restore_clock(before.clock());
    after.restore_routing(&before.routing_snapshot());
    Ok(after)
}

/// A route with its queue and sellers mapped to the new version by name or `--map`.
fn carry_route(plan: &Deploy, route: Route) -> Option<Route> {
    let seller = |s: SellerId| plan.map(Kind::Seller, s.0).map(SellerId);
    let owner = match route.owner {
        Some(s) => Some(seller(s)?),
        None => None,
    };
    let holder = match route.holder {
        Holder::Seller { seller: s } => Holder::Seller { seller: seller(s)? },
        other => other,
    };
    Some(Route {
        queue: QueueId(plan.map(Kind::Queue, route.queue.0)?),
        owner,
        holder,
        ..route
    })
}

//! What `handoff status` and `handoff lead` read from a store, beside a runner that may be
//! writing it: counts by stage and queue, timers, dead letters, the outbox and its lag, and one
//! lead's state, timers, inputs and actions, all by name.

use super::store::{read_record, Store, StoreError};
use crate::calendar::Timestamp;
use crate::engine::{utc, Departure, LeadState, Stage};

use crate::ir::{Playbook, SellerId};
use crate::ledger::RoutingSnapshot;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::{json, Value as Json};

/// The state of a whole store.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The playbook the store runs.
    pub playbook: String,
    /// Its version number in the store.
    pub version: i64,
    /// Its content hash.
    pub fingerprint: String,
    /// Timers due at or before this time have fired.
    pub clock: Option<String>,
    /// Leads in all.
    pub leads: u64,
    /// Leads by stage.
    pub stages: Vec<Count>,
    /// Leads waiting for a first touch, by queue.
    pub queues: Vec<Count>,
    /// Pending timers.
    pub timers: u64,
    /// When the next timer is due.
    pub next_timer: Option<String>,
    /// Inputs accepted.
    pub inputs: u64,
    /// Lines in dead letters.
    pub dead_letters: u64,
    /// Actions in the outbox.
    pub actions: u64,
    /// Actions not yet delivered.
    pub undelivered: u64,
    /// When the oldest undelivered action was taken.
    pub oldest_undelivered: Option<String>,
    /// Seconds from the oldest undelivered action to now: how far delivery lags.
    pub delivery_lag_secs: Option<i64>,
    /// Actions `handoff serve --deliver` gave up on after its last attempt.
    pub dead_deliveries: u64,
    /// Every named seller: open leads assigned or picked up, and whether away.
    pub sellers: Vec<SellerStatus>,
}

/// One seller as routing sees it.
#[derive(Debug, Clone, Serialize)]
pub struct SellerStatus {
    /// The seller's name.
    pub name: String,
    /// The queue the seller works.
    pub queue: String,
    /// Leads counted against the seller's capacity.
    pub open: u64,
    /// Marked away.
    pub away: bool,
}

/// A count by name.
#[derive(Debug, Clone, Serialize)]
pub struct Count {
    /// The stage or queue.
    pub name: String,
    /// How many leads.
    pub count: u64,
}

fn count(store: &Store, sql: &str) -> Result<u64, StoreError> {
    store
        .conn()
        .query_row(sql, [], |row| row.get::<_, i64>(0))
        .map(|n| u64::try_from(n).unwrap_or(0))
        .map_err(|e| store.error(e))
}

fn counts(store: &Store, sql: &str) -> Result<Vec<Count>, StoreError> {
    let mut stmt = store.conn().prepare(sql).map_err(|e| store.error(e))?;
    let rows = stmt
        .query_map([], |row| {
            Ok(Count {
                name: row.get(0)?,
                count: u64::try_from(row.get::<_, i64>(1)?).unwrap_or(0),
            })
        })
        .map_err(|e| store.error(e))?;
    rows.collect::<Result<_, _>>().map_err(|e| store.error(e))
}

/// The playbook version the store runs, required by every reader.
fn current(store: &Store) -> Result<(i64, Playbook), StoreError> {
    store.current_version()?.ok_or_else(|| {
        StoreError::Corrupt(
            store.path().to_owned(),
            "no playbook was ever run on it".into(),
        )
    })
}

/// Reads the state of the store at wall time `now`.
pub fn status(store: &Store, now: Timestamp) -> Result<Status, StoreError> {
    let (version, playbook) = current(store)?;
    let relayed: i64 = store
        .meta("relayed")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let (open, dead_deliveries) = deliveries(store)?;
    let oldest: Option<i64> = store
        .conn()
        .query_row(
            &format!("SELECT min(at) FROM outbox WHERE n > ?1{open}"),
            [relayed],
            |row| row.get(0),
        )
        .map_err(|e| store.error(e))?;
    let next_timer: Option<i64> = store
        .conn()
        .query_row("SELECT min(due) FROM timers", [], |row| row.get(0))
        .map_err(|e| store.error(e))?;
    let undelivered = store
        .conn()
        .query_row(
            &format!("SELECT count(*) FROM outbox WHERE n > ?1{open}"),
            [relayed],
            |row| row.get::<_, i64>(0),
        )
        .map_err(|e| store.error(e))?;
    Ok(Status {
        fingerprint: playbook.fingerprint_hex(),
        playbook: playbook.name.clone(),
        version,
        clock: store.meta("clock")?.and_then(|c| c.parse().ok()).map(utc),
        leads: count(store, "SELECT count(*) FROM leads")?,
        stages: counts(store, "SELECT stage, count(*) FROM leads GROUP BY stage ORDER BY stage")?,
        queues: counts(
            store,
            "SELECT queue, count(*) FROM leads WHERE queue IS NOT NULL GROUP BY queue ORDER BY queue",
        )?,
        timers: count(store, "SELECT count(*) FROM timers")?,
        next_timer: next_timer.map(utc),
        inputs: count(store, "SELECT count(*) FROM inputs")?,
        dead_letters: count(store, "SELECT count(*) FROM dead_letters")?,
        actions: count(store, "SELECT count(*) FROM outbox")?,
        undelivered: u64::try_from(undelivered).unwrap_or(0),
        oldest_undelivered: oldest.map(utc),
        delivery_lag_secs: oldest.map(|at| (now - at).max(0)),
        dead_deliveries,
        sellers: sellers(store, &playbook)?,
    })
}

/// For a store `handoff serve --deliver` delivered from: the condition that leaves out the
/// actions past the cursor it delivered or gave up on, and how many it gave up on.
fn deliveries(store: &Store) -> Result<(&'static str, u64), StoreError> {
    let table = count(
        store,
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'",
    )?;
    if table == 0 {
        return Ok(("", 0));
    }
    Ok((
        " AND n NOT IN (SELECT n FROM deliveries WHERE state IN ('delivered', 'dead'))",
        count(
            store,
            "SELECT count(*) FROM deliveries WHERE state = 'dead'",
        )?,
    ))
}

/// Open leads per seller (from each lead's route) and who is away (from routing's snapshot).
fn sellers(store: &Store, playbook: &Playbook) -> Result<Vec<SellerStatus>, StoreError> {
    let open = counts(
        store,
        "SELECT CAST(json_extract(record, '$.lead.route.holder.seller') AS TEXT), count(*) FROM leads \
         WHERE json_extract(record, '$.lead.route.holder.holder') = 'seller' GROUP BY 1",
    )?;
    let routing: RoutingSnapshot = match store.meta("routing")? {
        Some(text) => serde_json::from_str(&text).unwrap_or_default(),
        None => RoutingSnapshot::default(),
    };
    Ok((playbook.sellers.iter().enumerate())
        .map(|(i, seller)| SellerStatus {
            name: seller.name.clone(),
            queue: (playbook.queues.get(seller.queue.index()))
                .map_or_else(String::new, |q| q.name.clone()),
            open: (open.iter())
                .find(|c| c.name == i.to_string())
                .map_or(0, |c| c.count),
            away: routing.away.contains(&seller.name),
        })
        .collect())
}

/// One lead as `handoff lead` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct LeadView {
    /// The CRM's lead id.
    pub lead: String,
    /// Its stage and what goes with it, by name.
    pub state: Json,
    /// Its pending timers: kind and due time.
    pub timers: Vec<Json>,
    /// Its last inputs, newest last.
    pub inputs: Vec<Json>,
    /// Its last actions, newest last.
    pub actions: Vec<Json>,
}

/// Reads one lead with its last `limit` inputs and actions; `None` when the store has no such
/// lead.
pub fn lead(store: &Store, key: &str, limit: u32) -> Result<Option<LeadView>, StoreError> {
    let (_, playbook) = current(store)?;
    let row: Option<(i64, String)> = store
        .conn()
        .query_row(
            "SELECT lead, record FROM leads WHERE key = ?1",
            [key],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .map_err(|e| store.error(e))?;
    let Some((no, text)) = row else {
        return Ok(None);
    };
    let record = read_record(&text).map_err(|why| StoreError::Record(key.to_owned(), why))?;
    let timers = (record.driver.pending().iter())
        .map(|p| json!({"kind": p.key.kind.name(), "due": utc(p.due)}))
        .collect();
    let inputs = recent(
        store,
        "SELECT line, time, applied_at, late, ignored, text FROM inputs WHERE lead = ?1 \
         ORDER BY n DESC LIMIT ?2",
        no,
        limit,
        |row| {
            Ok(json!({
                "line": row.get::<_, Option<i64>>(0)?,
                "time": utc(row.get(1)?),
                "applied_at": utc(row.get(2)?),
                "late": row.get::<_, bool>(3)?,
                "ignored": row.get::<_, Option<String>>(4)?,
                "event": serde_json::from_str::<Json>(&row.get::<_, String>(5)?).unwrap_or(Json::Null),
            }))
        },
    )?;
    let actions = recent(
        store,
        "SELECT line FROM outbox WHERE lead = ?1 ORDER BY n DESC LIMIT ?2",
        no,
        limit,
        |row| Ok(serde_json::from_str::<Json>(&row.get::<_, String>(0)?).unwrap_or(Json::Null)),
    )?;
    Ok(Some(LeadView {
        lead: key.to_owned(),
        state: state_json(&playbook, &record.state),
        timers,
        inputs,
        actions,
    }))
}

/// The last `limit` rows of a lead, oldest first.
fn recent(
    store: &Store,
    sql: &str,
    lead: i64,
    limit: u32,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<Json>,
) -> Result<Vec<Json>, StoreError> {
    let mut stmt = store.conn().prepare(sql).map_err(|e| store.error(e))?;
    let rows = stmt
        .query_map(params![lead, limit], row)
        .map_err(|e| store.error(e))?;
    let mut out: Vec<Json> = rows.collect::<Result<_, _>>().map_err(|e| store.error(e))?;
    out.reverse();
    Ok(out)
}

/// A lead state with names: stage, track, handoff, scores and attributes.
pub fn state_json(playbook: &Playbook, state: &LeadState) -> Json {
    let p = playbook;
    let mut stage = serde_json::Map::new();
    stage.insert("stage".into(), json!(state.stage_name()));
    match &state.stage {
        Stage::New | Stage::Nurture => {}
        Stage::Parked { track, until } => {
            stage.insert("track".into(), named(&p.tracks, track.index(), |t| &t.name));
            stage.insert("until".into(), json!(utc(*until)));
        }
        Stage::HandedOff(run) => {
            let seller = |s: Option<SellerId>| s.map(|s| named(&p.sellers, s.index(), |x| &x.name));
            stage.insert(
                "rule".into(),
                named(&p.handoffs, run.rule.index(), |h| &h.name),
            );
            stage.insert(
                "queue".into(),
                named(&p.queues, run.queue.index(), |q| &q.name),
            );
            stage.insert("owner".into(), json!(seller(run.owner)));
            stage.insert("started_at".into(), json!(utc(run.started_at)));
            stage.insert(
                "deadline".into(),
                json!((run.deadline != Timestamp::MAX).then(|| utc(run.deadline))),
            );
            stage.insert("breaches".into(), json!(run.breaches));
            stage.insert("touched_at".into(), json!(run.touched_at.map(utc)));
            stage.insert("seller".into(), json!(seller(run.seller)));
            stage.insert("attempts".into(), json!(run.attempts));
            stage.insert(
                "awaiting_disposition".into(),
                json!(run.awaiting_disposition),
            );
        }
        Stage::Done(
            Departure::Converted { reason }
            | Departure::Closed { reason }
            | Departure::Disqualified { reason },
        ) => {
            stage.insert(
                "reason".into(),
                named(&p.reasons, reason.index(), |r| &r.name),
            );
        }
    }
    let scores: serde_json::Map<String, Json> = (playbook.scores.iter().zip(state.scores.iter()))
        .map(|(def, s)| (def.name.clone(), json!({"fit": s.fit, "events": s.events})))
        .collect();
    let attributes: serde_json::Map<String, Json> = (playbook.fields.iter().zip(&state.attributes))
        .map(|(def, v)| {
            (
                def.name.clone(),
                crate::events::value_json(Some(&def.ty), v),
            )
        })
        .collect();
    json!({
        "stage": stage,
        "track": state.track.map(|t| named(&p.tracks, t.track.index(), |x| &x.name)),
        "arrived_at": utc(state.arrived_at),
        "handoffs": state.handoffs,
        "suppressed_until": state.suppression.map(|s| utc(s.until)),
        "scores": scores,
        "attributes": attributes,
    })
}

/// The name of the item at `index`, or `#index` for an id the playbook does not have.
fn named<T>(items: &[T], index: usize, name: impl Fn(&T) -> &String) -> Json {
    Json::String(
        items
            .get(index)
            .map_or_else(|| format!("#{index}"), |item| name(item).clone()),
    )
}

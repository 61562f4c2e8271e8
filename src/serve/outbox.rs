//! Delivery's durable bookkeeping in the store: for each action of the outbox past the relay
//! cursor, how many attempts were made, when the next is due, and whether it was delivered or
//! given up on (table `deliveries`, docs/serve.md). The cursor `meta.relayed` moves over every
//! action delivered or given up on, so it means what it means to `handoff run`.

use crate::live::store::{Store, StoreError};
use rusqlite::{params, Connection};
use std::collections::HashSet;

/// Most outbox rows looked at for one round of delivery.
const WINDOW: i64 = 4096;

/// Most actions handed out for one round.
const ROUND: usize = 64;

/// An action to deliver.
#[derive(Debug, Clone)]
pub struct Pending {
    /// Its outbox row.
    pub n: i64,
    /// Its lead's number.
    pub lead: i64,
    /// Its idempotency key, sent as `webhook-id`.
    pub key: String,
    /// The action line.
    pub line: String,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// The actions due now, and when the earliest one waiting for a retry is due.
#[derive(Debug, Default)]
pub struct Due {
    /// At most one a lead, the lead's earliest undelivered action.
    pub actions: Vec<Pending>,
    /// Milliseconds since the epoch.
    pub next_try: Option<i64>,
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The outbox row.
    pub n: i64,
    /// Attempts made, this one included.
    pub attempts: u32,
    /// What happened.
    pub result: AttemptResult,
}

/// The result of one attempt.
#[derive(Debug, Clone)]
pub enum AttemptResult {
    /// The receiver answered 2xx.
    Delivered,
    /// It failed; the next attempt is due at this time (milliseconds since the epoch).
    Retry(i64, String),
    /// It failed for the last time.
    Dead(String),
}

/// Milliseconds since the epoch by the wall clock.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn cursor(store: &Store) -> Result<i64, StoreError> {
    Ok((store.meta("relayed")?)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0))
}

/// The actions due at `now`: for each lead, its earliest action neither delivered nor given up
/// on, when its retry (if any) is due; a lead's later actions wait for it, and a `busy` lead's
/// for the attempt under way.
pub fn due(store: &Store, now: i64, busy: &HashSet<i64>) -> Result<Due, StoreError> {
    let cursor = cursor(store)?;
    let mut stmt = (store.conn())
        .prepare_cached(
            "SELECT o.n, o.lead, o.key, o.line, coalesce(d.attempts, 0), coalesce(d.next_try, 0) \
             FROM outbox o LEFT JOIN deliveries d ON d.n = o.n \
             WHERE o.n > ?1 AND (d.state IS NULL OR d.state = 'retry') ORDER BY o.n LIMIT ?2",
        )
        .map_err(|e| store.error(e))?;
    let rows = stmt
        .query_map(params![cursor, WINDOW], |row| {
            Ok((
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(5)?,
                Pending {
                    n: row.get(0)?,
                    lead: row.get(1)?,
                    key: row.get(2)?,
                    line: row.get(3)?,
                    attempts: u32::try_from(row.get::<_, i64>(4)?).unwrap_or(u32::MAX),
                },
            ))
        })
        .map_err(|e| store.error(e))?;
    let mut leads = HashSet::new();
    let mut due = Due::default();
    for row in rows {
        let (lead, next_try, pending) = row.map_err(|e| store.error(e))?;
        if !leads.insert(lead) || busy.contains(&lead) || due.actions.len() >= ROUND {
            continue;
        }
        if next_try <= now {
            due.actions.push(pending);
        } else {
            due.next_try = Some(due.next_try.map_or(next_try, |t: i64| t.min(next_try)));
        }
    }
    Ok(due)
}

/// Records attempts and moves the cursor over every action now delivered or given up on. A
/// crash that loses this only delivers those actions again, so it does not wait for the disk.
pub fn record(store: &Store, attempts: &[Attempt]) -> Result<(), StoreError> {
    store.without_sync(|conn| {
        let tx = conn.unchecked_transaction()?;
        for a in attempts {
            let (state, next_try, error) = match &a.result {
                AttemptResult::Delivered => ("delivered", 0, None),
                AttemptResult::Retry(at, why) => ("retry", *at, Some(why.as_str())),
                AttemptResult::Dead(why) => ("dead", 0, Some(why.as_str())),
            };
            tx.execute(
                "INSERT INTO deliveries (n, attempts, next_try, state, error) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (n) DO UPDATE SET \
                 attempts = ?2, next_try = ?3, state = ?4, error = ?5",
                params![a.n, a.attempts, next_try, state, error],
            )?;
        }
        advance(&tx)?;
        tx.commit()
    })
}

/// Moves `meta.relayed` to just before the first action still to deliver, and forgets the
/// delivered actions it passed (the ones given up on stay, for `handoff status`).
fn advance(conn: &Connection) -> rusqlite::Result<()> {
    let cursor: i64 = conn.query_row(
        "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'relayed'), 0)",
        [],
        |row| row.get(0),
    )?;
    let first_open: Option<i64> = conn.query_row(
        "SELECT min(o.n) FROM outbox o LEFT JOIN deliveries d ON d.n = o.n \
         WHERE o.n > ?1 AND (d.state IS NULL OR d.state = 'retry')",
        [cursor],
        |row| row.get(0),
    )?;
    let last: i64 = match first_open {
        Some(n) => n - 1,
        None => conn.query_row("SELECT coalesce(max(n), 0) FROM outbox", [], |row| {
            row.get(0)
        })?,
    };
    if last > cursor {
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('relayed', ?1) \
             ON CONFLICT (key) DO UPDATE SET value = ?1",
            [last.to_string()],
        )?;
        conn.execute(
            "DELETE FROM deliveries WHERE n <= ?1 AND state = 'delivered'",
            [last],
        )?;
    }
    Ok(())
}

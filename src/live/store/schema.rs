//! The store's schema, versioned by SQLite's `user_version`: each migration takes the schema
//! from one version to the next inside the opening transaction, so a store is never left
//! half-migrated, and a store newer than this build is refused rather than misread.

use rusqlite::Transaction;

/// Migrations in order; migration `i` takes a store from version `i` to `i + 1`.
const MIGRATIONS: [&str; 2] = [
    r"
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Every playbook version that ran on this store, the IR it compiled to, and when it started.
CREATE TABLE versions (
    version INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    deployed_at INTEGER NOT NULL,
    ir TEXT NOT NULL
);

-- One row per lead: its record (engine state, pending timers, step count) as versioned JSON,
-- and the columns status queries read.
CREATE TABLE leads (
    lead INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    stage TEXT NOT NULL,
    queue TEXT,
    record TEXT NOT NULL
);
CREATE INDEX leads_stage ON leads (stage, queue);

-- The pending timers of every lead, at most one per kind; derived from the lead's record and
-- written with it.
CREATE TABLE timers (
    lead INTEGER NOT NULL,
    kind TEXT NOT NULL,
    generation INTEGER NOT NULL,
    due INTEGER NOT NULL,
    PRIMARY KEY (lead, kind)
) WITHOUT ROWID;
CREATE INDEX timers_due ON timers (due);

-- Every accepted (source, id), so that a re-sent line is dropped.
CREATE TABLE inbox (
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (source, id)
) WITHOUT ROWID;

-- The input log: each accepted input, when it was applied, what it did (`lead` is null for a
-- seller's away or back line).
CREATE TABLE inputs (
    n INTEGER PRIMARY KEY,
    lead INTEGER,
    step INTEGER NOT NULL,
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    line INTEGER,
    time INTEGER NOT NULL,
    applied_at INTEGER NOT NULL,
    late INTEGER NOT NULL,
    ignored TEXT,
    version INTEGER NOT NULL,
    text TEXT NOT NULL,
    actions INTEGER NOT NULL
);
CREATE INDEX inputs_lead ON inputs (lead, n);

-- Actions for the outside world, in the order they were taken; the relay delivers them past
-- the cursor `meta.relayed`.
CREATE TABLE outbox (
    n INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    lead INTEGER NOT NULL,
    step INTEGER NOT NULL,
    at INTEGER NOT NULL,
    line TEXT NOT NULL
);
CREATE INDEX outbox_lead ON outbox (lead, n);

-- Lines that could not be applied, with why.
CREATE TABLE dead_letters (
    n INTEGER PRIMARY KEY,
    line INTEGER,
    received INTEGER NOT NULL,
    text TEXT NOT NULL,
    error TEXT NOT NULL
);
",
    // 2: `handoff serve --deliver` keeps each attempt at an action past the relay cursor.
    r"
-- Delivery of the outbox by `handoff serve --deliver`: attempts made at an action, when the
-- next is due (milliseconds since the epoch), and its state: `retry`, `delivered` or `dead`.
CREATE TABLE deliveries (
    n INTEGER PRIMARY KEY,
    attempts INTEGER NOT NULL,
    next_try INTEGER NOT NULL,
    state TEXT NOT NULL,
    error TEXT
);
CREATE INDEX deliveries_state ON deliveries (state);
",
];

/// The schema version this build writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// Why a store's schema cannot be used.
#[derive(Debug)]
pub enum SchemaError {
    /// Written by a newer build.
    Newer(i64),
    /// SQLite failed.
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for SchemaError {
    fn from(e: rusqlite::Error) -> Self {
        SchemaError::Sqlite(e)
    }
}

/// Brings the schema to [`VERSION`] inside `tx`; returns the version it found.
pub fn migrate(tx: &Transaction<'_>) -> Result<i64, SchemaError> {
    let found: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > VERSION {
        return Err(SchemaError::Newer(found));
    }
    for sql in MIGRATIONS.iter().skip(usize::try_from(found).unwrap_or(0)) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", VERSION)?;
    Ok(found)
}

//! The durable store of a live deployment: one SQLite file in WAL mode holding lead records,
//! their timers, the input log, the inbox of seen `(source, id)`, the outbox of actions, dead
//! letters and every playbook version deployed. A batch of lines is one transaction, so a line
//! counts as accepted only once its effects are committed together (`docs/live.md`).

mod batch;
mod checkpoint;
mod log;
mod schema;

pub use batch::Batch;
pub use checkpoint::Checkpointer;
pub use log::{LoggedInput, OutboxLine};

use crate::engine::Engine;
use crate::ir::Playbook;
use crate::ledger::{LeadNo, LeadRecord, Ledger, RoutingSnapshot};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};
use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};

/// How hard a commit waits for the disk (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Every commit reaches the disk before it returns: nothing committed is lost to a power cut.
    Full,
    /// Commits reach the operating system; a power cut (not a crash of the process) can lose the
    /// last transactions, which the docs spell out.
    Normal,
}

/// Why the store cannot be used; the runner prints it and exits 2.
#[derive(Debug)]
pub enum StoreError {
    /// Another runner holds the store.
    Locked(PathBuf),
    /// The file is not a store (or is damaged).
    Corrupt(PathBuf, String),
    /// The disk is full.
    Full(PathBuf),
    /// Written by a newer build of handoff.
    Newer(PathBuf, i64),
    /// The store does not exist (for commands that only read).
    Missing(PathBuf),
    /// A lead record that this build cannot read.
    Record(String, String),
    /// The store ran another version of the playbook (named) and its leads cannot be carried
    /// over to this one; the text says which and how to get on.
    Deploy(String, String),
    /// Any other failure of SQLite or the file system.
    Other(PathBuf, String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Locked(p) => write!(
                f,
                "store `{}` is in use by another `handoff run`; stop it first or use another store",
                p.display()
            ),
            StoreError::Corrupt(p, why) => write!(
                f,
                "`{}` is not a readable handoff store ({why}); restore it from a backup or start a new store",
                p.display()
            ),
            StoreError::Full(p) => write!(
                f,
                "the disk holding `{}` is full; nothing of the failed batch was written, free space and run again",
                p.display()
            ),
            StoreError::Newer(p, v) => write!(
                f,
                "store `{}` has schema version {v}, newer than this build reads ({}); upgrade handoff",
                p.display(),
                schema::VERSION
            ),
            StoreError::Missing(p) => write!(f, "no store at `{}`", p.display()),
            StoreError::Record(lead, why) => {
                write!(f, "the record of lead `{lead}` cannot be read: {why}")
            }
            StoreError::Deploy(name, why) => write!(
                f,
                "the store ran another version of playbook `{name}`, and it was left as it was: {why}"
            ),
            StoreError::Other(p, why) => write!(f, "store `{}`: {why}", p.display()),
        }
    }
}

impl std::error::Error for StoreError {}

/// The format of a lead record as stored; a change to the engine's state that old records
/// cannot be read as needs a new number and a conversion.
const RECORD_FORMAT: u32 = 1;

/// A lead record as stored: its format and the record.
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored<R> {
    format: u32,
    lead: R,
}

/// The page cache of a runner's connection, in KiB as SQLite's negative `cache_size` says: an
/// upper bound, taken only as the store grows.
const CACHE_KIB: i64 = -262_144;

/// Pages of write-ahead log after which a commit checkpoints it itself (SQLite's default is
/// 1000), when the [`Checkpointer`] falls behind.
const CHECKPOINT_PAGES: i64 = 16_384;

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Held for as long as the store is open for writing.
    _lock: Option<File>,
}

impl Store {
    /// Opens (creating if needed) a store for a runner: takes its lock, sets WAL and the
    /// durability, and brings the schema up to date.
    pub fn open(path: &Path, durability: Durability) -> Result<Store, StoreError> {
        let lock = lock(path)?;
        let conn = Connection::open(path).map_err(|e| classify(path, e))?;
        let sync = match durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        let setup = || -> rusqlite::Result<()> {
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", sync)?;
            // Leads are updated in random order: with the default 2 MiB page cache every
            // update of a large store reads its pages from the file again.
            conn.pragma_update(None, "cache_size", CACHE_KIB)?;
            // A backstop for [`Checkpointer`]: a checkpoint copies each page once however often
            // the log holds it, so fewer, larger ones copy less when leads change at random.
            conn.pragma_update(None, "wal_autocheckpoint", CHECKPOINT_PAGES)?;
            Ok(())
        };
        setup().map_err(|e| classify(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_owned(),
            _lock: Some(lock),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing store to read, beside a runner that may be writing it.
    pub fn open_read(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_owned()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| classify(path, e))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| classify(path, e))?;
        if version > schema::VERSION {
            return Err(StoreError::Newer(path.to_owned(), version));
        }
        if version == 0 {
            return Err(StoreError::Corrupt(
                path.to_owned(),
                "it has no handoff schema".into(),
            ));
        }
        Ok(Store {
            conn,
            path: path.to_owned(),
            _lock: None,
        })
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| classify(&path, e))?;
        schema::migrate(&tx).map_err(|e| match e {
            schema::SchemaError::Newer(v) => StoreError::Newer(path.clone(), v),
            schema::SchemaError::Sqlite(e) => classify(&path, e),
        })?;
        tx.commit().map_err(|e| classify(&path, e))
    }

    /// The SQLite connection, for the read queries of `status` and `lead`.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The store's path, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with commits that do not wait for the disk, for writes whose loss in a power
    /// cut only repeats work (the relay's cursor: actions are delivered again), then restores
    /// the store's durability.
    pub(crate) fn without_sync<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let before: i64 = (self.conn)
            .query_row("PRAGMA synchronous", [], |row| row.get(0))
            .map_err(|e| self.error(e))?;
        (self.conn)
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| self.error(e))?;
        let result = f(&self.conn);
        (self.conn)
            .pragma_update(None, "synchronous", before)
            .map_err(|e| self.error(e))?;
        result.map_err(|e| self.error(e))
    }

    /// Maps an SQLite error on this store to a store error.
    pub(crate) fn error(&self, e: rusqlite::Error) -> StoreError {
        classify(&self.path, e)
    }

    /// A meta value.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()
            .map_err(|e| self.error(e))
    }

    /// The playbook version the store last ran, with its number: `None` for a new store.
    pub fn current_version(&self) -> Result<Option<(i64, Playbook)>, StoreError> {
        let row: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT version, ir FROM versions \
                 WHERE version = (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'version')",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(|e| self.error(e))?;
        row.map(|(version, ir)| {
            serde_json::from_str(&ir)
                .map(|p| (version, p))
                .map_err(|e| {
                    StoreError::Corrupt(self.path.clone(), format!("version {version}: {e}"))
                })
        })
        .transpose()
    }

    /// Reads every lead and the clock into a ledger running `engine`.
    pub fn load(&self, engine: Engine) -> Result<Ledger, StoreError> {
        let mut ledger = Ledger::new(engine);
        let mut stmt = self
            .conn
            .prepare("SELECT lead, key, record FROM leads ORDER BY lead")
            .map_err(|e| self.error(e))?;
        let rows = stmt
            .query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        for row in rows {
            let (no, key, text) = row.map_err(|e| self.error(e))?;
            let record = read_record(&text).map_err(|why| StoreError::Record(key.clone(), why))?;
            let no = LeadNo::try_from(no).unwrap_or(LeadNo::MAX);
            if !ledger.restore(no, key.clone(), record) {
                return Err(StoreError::Record(key, "its number is out of order".into()));
            }
        }
        let clock = self.meta("clock")?.and_then(|c| c.parse().ok());
        ledger.restore_clock(clock);
        let routing = match self.meta("routing")? {
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| StoreError::Corrupt(self.path.clone(), format!("routing: {e}")))?,
            None => RoutingSnapshot::default(),
        };
        ledger.restore_routing(&routing);
        Ok(ledger)
    }

    /// Begins the transaction of one batch, under playbook version `version`.
    pub fn batch(&mut self, version: i64) -> Result<Batch<'_>, StoreError> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| classify(&path, e))?;
        Ok(Batch::new(tx, path, version))
    }
}

/// A record as stored.
pub(crate) fn write_record(record: &LeadRecord) -> String {
    serde_json::to_string(&Stored {
        format: RECORD_FORMAT,
        lead: record,
    })
    .unwrap_or_default()
}

/// A stored record, refused when its format is not this build's.
pub(crate) fn read_record(text: &str) -> Result<LeadRecord, String> {
    let stored: Stored<LeadRecord> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if stored.format != RECORD_FORMAT {
        return Err(format!(
            "record format {} is not {RECORD_FORMAT}",
            stored.format
        ));
    }
    Ok(stored.lead)
}

/// Takes the runner's lock beside the store, so two runners never write one store.
fn lock(path: &Path) -> Result<File, StoreError> {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let lock_path = PathBuf::from(name);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| {
            StoreError::Other(path.to_owned(), format!("cannot open its lock file: {e}"))
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Locked(path.to_owned())),
        Err(std::fs::TryLockError::Error(e)) => Err(StoreError::Other(
            path.to_owned(),
            format!("cannot lock it: {e}"),
        )),
    }
}

/// Names the SQLite failures a user can act on.
fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    let path = path.to_owned();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
            StoreError::Corrupt(path, e.to_string())
        }
        Some(ErrorCode::DiskFull) => StoreError::Full(path),
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::Locked(path),
        _ => StoreError::Other(path, e.to_string()),
    }
}

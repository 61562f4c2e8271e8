//! The relay: delivers the outbox past its cursor to the action sink, then moves the cursor in
//! a transaction of its own. A crash between the two delivers some actions again on restart,
//! never loses one: delivery is at least once, and a receiver gets exactly-once effects by
//! dropping a `key` it has seen (`docs/live.md`). For the same reason the cursor's commit does
//! not wait for the disk: a power cut that loses it only delivers those actions again.

use super::store::{Store, StoreError};
use rusqlite::params;
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

/// Where delivered action lines go.
pub enum Sink {
    /// Appended to a file, synced to disk before the cursor moves.
    File(PathBuf, File),
    /// Standard output, flushed before the cursor moves.
    Stdout,
}

impl Sink {
    /// Opens a file sink for appending.
    pub fn file(path: PathBuf) -> Result<Sink, String> {
        let file = File::options()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| format!("cannot open `{}` for actions: {e}", path.display()))?;
        Ok(Sink::File(path, file))
    }

    fn deliver(&mut self, text: &[u8]) -> Result<(), String> {
        match self {
            Sink::File(path, file) => file
                .write_all(text)
                .and_then(|()| file.sync_data())
                .map_err(|e| format!("cannot write actions to `{}`: {e}", path.display())),
            Sink::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(text)
                    .and_then(|()| out.flush())
                    .map_err(|e| format!("cannot write actions: {e}"))
            }
        }
    }
}

/// Why delivery stopped.
#[derive(Debug)]
pub enum RelayError {
    /// The store failed.
    Store(StoreError),
    /// The sink failed; the cursor did not move.
    Sink(String),
}

impl std::fmt::Display for RelayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RelayError::Store(e) => e.fmt(f),
            RelayError::Sink(e) => f.write_str(e),
        }
    }
}

/// Most actions delivered in one write.
const CHUNK: i64 = 4096;

/// Delivers every undelivered action; returns how many.
pub fn relay(store: &mut Store, sink: &mut Sink) -> Result<u64, RelayError> {
    let mut delivered = 0;
    loop {
        let cursor: i64 = (store.meta("relayed").map_err(RelayError::Store)?)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let (last, text, count) = pending(store, cursor).map_err(RelayError::Store)?;
        if count == 0 {
            return Ok(delivered);
        }
        sink.deliver(text.as_bytes()).map_err(RelayError::Sink)?;
        store
            .without_sync(|conn| {
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('relayed', ?1) \
                     ON CONFLICT (key) DO UPDATE SET value = ?1",
                    params![last.to_string()],
                )
            })
            .map_err(RelayError::Store)?;
        delivered += count;
    }
}

/// The next chunk past `cursor`: the last row number, the lines, and how many.
fn pending(store: &Store, cursor: i64) -> Result<(i64, String, u64), StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT n, line FROM outbox WHERE n > ?1 ORDER BY n LIMIT ?2")
        .map_err(|e| store.error(e))?;
    let rows = stmt
        .query_map(params![cursor, CHUNK], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
        })
        .map_err(|e| store.error(e))?;
    let (mut last, mut text, mut count) = (cursor, String::new(), 0);
    for row in rows {
        let (n, line) = row.map_err(|e| store.error(e))?;
        last = n;
        text.push_str(&line);
        text.push('\n');
        count += 1;
    }
    Ok((last, text, count))
}

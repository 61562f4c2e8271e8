//! Reading a store's history back: the playbook versions, the input log and the outbox in
//! order, for `handoff replay --store` and `--verify`.

use super::{Store, StoreError};
use crate::ir::Playbook;

/// One accepted line of the input log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedInput {
    /// Its place in the log.
    pub n: i64,
    /// Its line number in the source it was read from, when it had one.
    pub line: Option<i64>,
    /// Its event time as the line gave it.
    pub time: i64,
    /// The time it was applied at.
    pub applied_at: i64,
    /// The playbook version it was applied under.
    pub version: i64,
    /// The line as it was read.
    pub text: String,
}

/// One action of the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxLine {
    /// Its place in the outbox.
    pub n: i64,
    /// Its idempotency key, `LEAD:STEP:INDEX`.
    pub key: String,
    /// The action line as delivered.
    pub line: String,
}

impl Store {
    /// Every playbook version the store ran, in order, with its IR.
    pub fn versions(&self) -> Result<Vec<(i64, Playbook)>, StoreError> {
        let mut stmt = (self.conn())
            .prepare("SELECT version, ir FROM versions ORDER BY version")
            .map_err(|e| self.error(e))?;
        let rows = stmt
            .query_map([], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(|e| self.error(e))?;
        let mut versions = Vec::new();
        for row in rows {
            let (version, ir) = row.map_err(|e| self.error(e))?;
            let playbook = serde_json::from_str(&ir).map_err(|e| {
                StoreError::Corrupt(self.path().to_owned(), format!("version {version}: {e}"))
            })?;
            versions.push((version, playbook));
        }
        Ok(versions)
    }

    /// The input log in the order the lines were applied.
    pub fn inputs(&self) -> Result<Vec<LoggedInput>, StoreError> {
        let mut stmt = (self.conn())
            .prepare("SELECT n, line, time, applied_at, version, text FROM inputs ORDER BY n")
            .map_err(|e| self.error(e))?;
        let rows = stmt
            .query_map([], |row| {
                Ok(LoggedInput {
                    n: row.get(0)?,
                    line: row.get(1)?,
                    time: row.get(2)?,
                    applied_at: row.get(3)?,
                    version: row.get(4)?,
                    text: row.get(5)?,
                })
            })
            .map_err(|e| self.error(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.error(e))
    }

    /// The outbox in the order the actions were taken.
    pub fn outbox(&self) -> Result<Vec<OutboxLine>, StoreError> {
        let mut stmt = (self.conn())
            .prepare("SELECT n, key, line FROM outbox ORDER BY n")
            .map_err(|e| self.error(e))?;
        let rows = stmt
            .query_map([], |row| {
                Ok(OutboxLine {
                    n: row.get(0)?,
                    key: row.get(1)?,
                    line: row.get(2)?,
                })
            })
            .map_err(|e| self.error(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.error(e))
    }
}

//! One batch of lines as one transaction: inbox, input log, outbox, dead letters and the
//! changed lead records all commit together or not at all.

use super::{classify, write_record, StoreError};
use crate::engine::Step;
use crate::events::Decoded;
use crate::ir::Playbook;
use crate::ledger::{Accepted, Emitted, LeadNo, Ledger};
use rusqlite::{params, Transaction};
use std::path::PathBuf;

/// An open batch; dropped without [`Batch::commit`], it rolls back.
pub struct Batch<'a> {
    tx: Transaction<'a>,
    path: PathBuf,
    version: i64,
}

impl<'a> Batch<'a> {
    pub(super) fn new(tx: Transaction<'a>, path: PathBuf, version: i64) -> Batch<'a> {
        Batch { tx, path, version }
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        classify(&self.path, e)
    }

    /// Whether a line with this `(source, id)` was accepted before.
    pub fn seen(&self, source: &str, id: &str) -> Result<bool, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT 1 FROM inbox WHERE source = ?1 AND id = ?2")
            .map_err(|e| self.err(e))?;
        stmt.exists(params![source, id]).map_err(|e| self.err(e))
    }

    /// Records an accepted line: its `(source, id)` in the inbox and its entry in the input log.
    pub fn accept(
        &self,
        line: Option<usize>,
        decoded: &Decoded,
        text: &str,
        accepted: &Accepted,
        actions: usize,
    ) -> Result<(), StoreError> {
        let mut inbox = self
            .tx
            .prepare_cached("INSERT INTO inbox (source, id) VALUES (?1, ?2)")
            .map_err(|e| self.err(e))?;
        inbox
            .execute(params![decoded.source, decoded.id])
            .map_err(|e| self.err(e))?;
        let ignored = match accepted.outcome {
            Step::Applied => None,
            Step::Ignored(why) => Some(why.name()),
        };
        let mut log = self
            .tx
            .prepare_cached(
                "INSERT INTO inputs (lead, step, source, id, line, time, applied_at, late, ignored, \
                 version, text, actions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .map_err(|e| self.err(e))?;
        log.execute(params![
            accepted.lead,
            i64::try_from(accepted.step).unwrap_or(i64::MAX),
            decoded.source,
            decoded.id,
            line.and_then(|l| i64::try_from(l).ok()),
            decoded.time,
            accepted.at,
            accepted.late,
            ignored,
            self.version,
            text,
            i64::try_from(actions).unwrap_or(i64::MAX),
        ])
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Records a line that could not be applied, with why.
    pub fn dead_letter(
        &self,
        line: Option<usize>,
        received: i64,
        text: &str,
        error: &str,
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO dead_letters (line, received, text, error) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(|e| self.err(e))?;
        stmt.execute(params![
            line.and_then(|l| i64::try_from(l).ok()),
            received,
            text,
            error
        ])
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Puts the actions meant for the outside world in the outbox, as action lines.
    pub fn emit(&self, ledger: &Ledger, emitted: &[Emitted]) -> Result<(), StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO outbox (key, lead, step, at, line) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(|e| self.err(e))?;
        for e in emitted.iter().filter(|e| e.is_external()) {
            let (key, line) = ledger.action_line(e);
            stmt.execute(params![
                key,
                e.lead,
                i64::try_from(e.step).unwrap_or(i64::MAX),
                e.at,
                line
            ])
            .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Writes the records and timers of the leads that changed.
    pub fn save(&self, ledger: &Ledger, changed: &[LeadNo]) -> Result<(), StoreError> {
        let playbook = ledger.engine().playbook();
        let mut upsert = self
            .tx
            .prepare_cached(
                "INSERT INTO leads (lead, key, stage, queue, record) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (lead) DO UPDATE SET stage = ?3, queue = ?4, record = ?5",
            )
            .map_err(|e| self.err(e))?;
        let mut clear = self
            .tx
            .prepare_cached("DELETE FROM timers WHERE lead = ?1")
            .map_err(|e| self.err(e))?;
        let mut timer = self
            .tx
            .prepare_cached(
                "INSERT INTO timers (lead, kind, generation, due) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(|e| self.err(e))?;
        for &no in changed {
            let Some(lead) = ledger.lead(no) else {
                continue;
            };
            let state = &lead.record.state;
            let queue = state
                .handoff()
                .filter(|run| run.is_queued())
                .and_then(|run| playbook.queues.get(run.queue.index()))
                .map(|q| q.name.as_str());
            upsert
                .execute(params![
                    no,
                    lead.key,
                    state.stage_name(),
                    queue,
                    write_record(&lead.record)
                ])
                .map_err(|e| self.err(e))?;
            clear.execute(params![no]).map_err(|e| self.err(e))?;
            for pending in lead.record.driver.pending() {
                timer
                    .execute(params![
                        no,
                        pending.key.kind.name(),
                        pending.key.generation,
                        pending.due
                    ])
                    .map_err(|e| self.err(e))?;
            }
        }
        Ok(())
    }

    /// Sets a meta value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = ?2",
            )
            .map_err(|e| self.err(e))?;
        stmt.execute(params![key, value]).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Records a playbook version as deployed at `at` and returns its number; a version seen
    /// before keeps its number.
    pub fn deploy(&mut self, playbook: &Playbook, at: i64) -> Result<i64, StoreError> {
        let fingerprint = playbook.fingerprint_hex();
        let ir = serde_json::to_string(playbook).unwrap_or_default();
        self.tx
            .execute(
                "INSERT INTO versions (fingerprint, name, deployed_at, ir) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (fingerprint) DO NOTHING",
                params![fingerprint, playbook.name, at, ir],
            )
            .map_err(|e| self.err(e))?;
        let version = self
            .tx
            .query_row(
                "SELECT version FROM versions WHERE fingerprint = ?1",
                [&fingerprint],
                |row| row.get(0),
            )
            .map_err(|e| self.err(e))?;
        self.version = version;
        Ok(version)
    }

    /// Commits the batch: everything in it is durable once this returns.
    pub fn commit(self) -> Result<(), StoreError> {
        let path = self.path;
        self.tx.commit().map_err(|e| classify(&path, e))
    }
}

//! Checkpoints off the commit path: a thread with its own connection copies the write-ahead log
//! back into the store every little while, passively (never blocking the runner's commits), so a
//! commit rarely has to checkpoint a long log itself and the latency of a line stays that of
//! one fsync. SQLite's own checkpoint after [`super::CHECKPOINT_PAGES`] stays as a backstop.

use super::{classify, StoreError};
use rusqlite::Connection;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the log is copied back.
const EVERY: Duration = Duration::from_millis(250);
/// How often the thread looks whether it should stop.
const TICK: Duration = Duration::from_millis(25);

/// The checkpointing thread; dropping it stops the thread and waits for it.
pub struct Checkpointer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the store at `path` (which a runner holds open).
    pub fn start(path: &Path) -> Result<Checkpointer, StoreError> {
        let conn = Connection::open(path).map_err(|e| classify(path, e))?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut waited = Duration::ZERO;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(TICK);
                waited += TICK;
                if waited >= EVERY {
                    waited = Duration::ZERO;
                    // A failed passive checkpoint is tried again at the next tick; the runner's
                    // own commits report any real trouble with the store.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            }
        });
        Ok(Checkpointer {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

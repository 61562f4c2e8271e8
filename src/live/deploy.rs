//! Opening a store with a playbook: the version it last ran must be this one, or every lead
//! must carry over to this one by names.

use super::store::{Store, StoreError};
use crate::ir::Playbook;

/// Refuses a playbook that differs from the store's current version while leads exist.
pub fn check(store: &Store, playbook: &Playbook) -> Result<(), StoreError> {
    let Some((_, current)) = store.current_version()? else {
        return Ok(());
    };
    if current.fingerprint() == playbook.fingerprint() {
        return Ok(());
    }
    Err(StoreError::Other(
        store.path().to_owned(),
        format!(
            "it runs another version of playbook `{}`; carrying its leads over is not built yet",
            current.name
        ),
    ))
}

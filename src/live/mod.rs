//! Live mode: the checked playbook running on real events, durably (`docs/live.md`).
//!
//! The [`crate::ledger::Ledger`] holds every lead in memory and decides everything, purely;
//! this module gives it a world: event lines read from a file or standard input, a SQLite
//! [`store::Store`] that commits each batch of lines with its effects in one transaction, and a
//! relay that delivers the outbox of actions at least once. It is the one part of the library,
//! with `cli`, that touches files and clocks.

mod deploy;
pub use deploy::{carry_ledger, renames_key};
pub mod deployment;
pub mod input;
pub mod relay;
pub mod runner;
pub mod status;
pub mod store;

pub use runner::{run, Clock, RunError, RunOptions, RunReport};

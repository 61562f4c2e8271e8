#![doc = include_str!("../ARCHITECTURE.md")]

// pest runs without its `std` feature (our nesting guard bounds recursion, so its per-call stack
// probe is pure overhead); its generated parser then names `alloc` directly.
extern crate alloc;

pub mod calendar;
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod compare;
pub mod config;
pub mod diagnostics;
pub mod emit;
pub mod engine;
pub mod events;
pub mod fmt;
pub mod guardrail;
pub mod ir;
pub mod knobs;
pub mod ledger;
#[cfg(feature = "live")]
pub mod live;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod queues;
pub mod replay;
pub mod report;
#[cfg(feature = "serve")]
pub mod serve;
pub mod shard;
pub mod sim;
pub mod span;
pub mod syntax;
pub mod testing;

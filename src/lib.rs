#![doc = include_str!("../ARCHITECTURE.md")]

pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod span;

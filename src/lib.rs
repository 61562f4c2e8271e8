#![doc = include_str!("../ARCHITECTURE.md")]

pub mod diagnostics;
pub mod sim;
pub mod span;

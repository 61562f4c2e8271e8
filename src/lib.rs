#![doc = include_str!("../ARCHITECTURE.md")]

pub mod calendar;
pub mod diagnostics;
pub mod span;

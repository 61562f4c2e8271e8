#![doc = include_str!("../ARCHITECTURE.md")]

pub mod diagnostics;
pub mod fmt;
pub mod span;
pub mod syntax;

#![doc = include_str!("../ARCHITECTURE.md")]

pub mod calendar;
pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod emit;
pub mod ir;
pub mod sim;
pub mod span;
pub mod syntax;

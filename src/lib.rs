#![doc = include_str!("../ARCHITECTURE.md")]

pub mod calendar;
pub mod check;
pub mod cli;
pub mod compare;
pub mod diagnostics;
pub mod emit;
pub mod engine;
pub mod fmt;
pub mod guardrail;
pub mod ir;
pub mod knobs;
pub mod report;
pub mod sim;
pub mod span;
pub mod syntax;

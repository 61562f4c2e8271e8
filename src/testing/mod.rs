//! Playbook tests (`handoff test`): a lead, its inputs on a virtual clock and what must hold.
//!
//! The checker lowers `test` blocks into [`Case`]s beside the IR (never inside it, so a
//! playbook's IR and fingerprint do not change with its tests); [`run`] drives one case's lead
//! through [`crate::engine::Driver`], the driver replay and the live runner use, and checks
//! each expectation against the lead's state and the actions taken so far.

mod case;
mod coverage;
mod run;

pub use case::{Advance, BreachStep, Case, ContextCheck, Expect, Step, StepKind};
pub use coverage::{Coverage, CoverageItem, Part, PartKind, Reached};
pub use run::{run, Failure, Outcome, TraceLine};

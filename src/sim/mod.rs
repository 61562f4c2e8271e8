//! Simulation statistics and the queueing theory the simulator is validated against.

pub mod stats;
pub mod theory;

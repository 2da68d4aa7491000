//! Generating model files from the data tables.

pub mod generate;
pub mod mmc;

//! Generating model files from the data tables.

pub mod mmc;
pub mod national;

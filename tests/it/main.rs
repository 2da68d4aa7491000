//! Integration tests: one binary, one module per concern (ripgrep's layout).

mod architecture;
mod assumptions;
mod chain;
mod cli;
mod common;
mod experiments;
mod fuzz;
mod maps;
mod mechanism;
mod models;
mod osm;
mod region;
mod regions;
mod regressions;
mod release;
mod report;
mod serve;
mod shard;
mod theory;
mod trace;
mod travel;
mod validation;

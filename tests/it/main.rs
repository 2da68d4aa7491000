//! Integration tests: one binary, one module per concern (ripgrep's layout).

mod chain;
mod common;
mod experiments;
mod models;
mod regions;
mod theory;
mod validation;

//! # akuttsim
//!
//! Discrete-event simulation of the Norwegian acute medical chain (den akuttmedisinske kjeden):
//!
//! ```text
//!  citizen ── 116117 ──▶ legevaktsentral (lvs) ──▶ legevakt station ─── or ───▶ satellite
//!     │                     │  advice · home visit       doctors              nurse + host doctor on video
//!     └──── 113 ──▶ AMK ◀───┘  forward to 113
//! ```
//!
//! Data flows one way: [`scenario`] (TOML → validated [`scenario::Scenario`]) → [`sim::run`] (one
//! replication, one thread, returns plain data) → [`runner`] (replications in parallel, summary)
//! → [`report`] (JSON, CSV, manifest, terminal table). See `README.md` for the user's view and
//! `models/README.md` for every scenario field.

#![warn(missing_docs)]

pub mod bench;
pub mod calibrate;
pub mod cli;
pub mod dist;
pub mod experiment;
pub mod geo;
pub mod kpi;
pub mod national;
pub mod plot;
pub mod report;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod schedule;
pub mod sim;
pub mod stats;
pub mod time;

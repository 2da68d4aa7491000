//! # akuttsim
//!
//! Discrete-event simulation of the Norwegian acute medical chain (den akuttmedisinske kjeden):
//!
//! ```text
//!  citizen ── 116117 ──▶ legevaktsentral (lvs) ──▶ legevakt station ─── or ───▶ satellite
//!     │                     │  advice · home visit       doctors              nurse + host doctor on video
//!     └──── 113 ──▶ AMK ◀───┘  forward to 113 ──▶ road / boat / air ambulance ──▶ hospital ED
//! ```
//!
//! ## Architecture: one direction, layer by layer
//!
//! ```text
//!  base      time, rng, dist, schedule, ids, urgency, stats, kpi        (used by every layer)
//!   ▲
//!  input     scenario (raw → overlay → validate → build), travel, data tables, experiment
//!            files, region generation                        → immutable Scenario, Experiment
//!   ▲
//!  sim       the engine: one replication, one thread          → ReplicationResult (plain data)
//!   ▲
//!  run       replications and experiment variants on rayon, common random numbers, shards
//!   ▲
//!  analysis  every summary, paired comparison, CDF, hourly and per-station/zone table, once,
//!            into plain result structs                        → Analysis
//!   ▲
//!  output    files (atomic, one run per folder) → report (CSV, JSON, manifest, console)
//!            → plot (PNG, SVG) → page (HTML)
//!   ▲
//!  cli       the command line (and servers): the only place where layers are wired together
//! ```
//!
//! Where the next capabilities live: routed travel matrices in `input::travel`; generating a
//! model of any region from the data tables in `input::region`; shards in `run` and their
//! merging in `analysis`; an HTML report in `output` (beside `plot`); servers in `cli`.
//!
//! **The rule**: a module may use only the layers above it in this list (`base` first) and
//! modules of its own layer; never one downstream of it. Plots and reports read the result
//! structs of `analysis`, never live simulation state; nothing recomputes a summary. The rule is
//! checked by `tests/it/architecture.rs`, which reads every `crate::…` path in `src/`.
//!
//! See `README.md` for the user's view and `models/README.md` for every scenario field.

#![warn(missing_docs)]
#![warn(clippy::too_many_lines)]

pub mod analysis;
pub mod base;
pub mod cli;
pub mod input;
pub mod output;
pub mod run;
pub mod sim;

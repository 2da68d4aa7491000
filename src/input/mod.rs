//! Inputs: everything read from files and checked before a simulation runs.
//!
//! * [`scenario`] — model files (`models/*.toml`) → validated, immutable [`scenario::Scenario`];
//! * [`experiment`] — experiment files (`experiments/*.toml`) → variants as scenarios;
//! * [`travel`] — places and the travel-time matrix;
//! * [`tables`] — the data tables shipped in `models/data/`;
//! * [`region`] — generating model files from the data tables;
//! * [`problem`] — the problems every check reports, and the load error that carries them.

pub mod calibration;
pub mod experiment;
pub mod problem;
pub mod region;
pub mod scenario;
pub mod tables;
pub mod travel;

use serde::Serialize;
use std::path::Path;

/// A path as shown in messages: relative to the working folder when it lies below it (files
/// are anchored to absolute paths internally; users wrote them relative).
pub fn shown_path(p: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(&cwd).ok().map(|r| r.display().to_string()))
        .unwrap_or_else(|| p.display().to_string())
}

/// How long and from which seed to run (one replication's settings).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct RunSpec {
    /// Base seed.
    pub seed: u64,
    /// Measured days (after warm-up).
    pub days: f64,
    /// Warm-up days (simulated first, not measured).
    pub warmup_days: f64,
    /// Keep a per-patient, per-vehicle and per-response trace (memory grows with the horizon).
    pub trace: bool,
}

impl RunSpec {
    /// Check the run length against the bounds (`what` names where the values come from, e.g.
    /// `--days` or `days`). Returns every problem as (field, message).
    pub fn problems(&self, days_field: &str, warmup_field: &str) -> Vec<(String, String)> {
        use scenario::limits::{MAX_DAYS, MAX_WARMUP_DAYS, MIN_DAYS};
        let mut out = Vec::new();
        if !(self.days.is_finite() && (MIN_DAYS..=MAX_DAYS).contains(&self.days)) {
            out.push((
                days_field.to_string(),
                format!(
                    "{} — give a number of days from {MIN_DAYS:.6} (one minute) to {MAX_DAYS} (a century)",
                    self.days
                ),
            ));
        }
        if !(self.warmup_days.is_finite() && (0.0..=MAX_WARMUP_DAYS).contains(&self.warmup_days)) {
            out.push((
                warmup_field.to_string(),
                format!(
                    "{} — give a number of days from 0 to {MAX_WARMUP_DAYS}",
                    self.warmup_days
                ),
            ));
        }
        out
    }
}

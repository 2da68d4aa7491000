//! Upper bounds on every quantity a scenario or a run may ask for.
//!
//! Each bound is far above any real Norwegian use (the whole country is 5.6 M people in 1,594
//! delområder; the largest AMK has fewer than 100 vehicles) and far below what would exhaust memory,
//! overflow integer time or run for days. A value beyond a bound is rejected with the bound in
//! the message, never truncated silently.

/// Inhabitants of one zone \[persons\] (Oslo, the largest kommune, has 0.72 M).
pub const MAX_ZONE_POPULATION: f64 = 10_000_000.0;
/// Inhabitants of a whole scenario \[persons\] (Norway: 5.6 M).
pub const MAX_TOTAL_POPULATION: f64 = 20_000_000.0;
/// Zones in one scenario.
pub const MAX_ZONES: usize = 20_000;
/// Facilities (stations, satellites, ambulance stations, hospitals) in one scenario.
pub const MAX_FACILITIES: usize = 20_000;
/// Entries of the travel matrix (places × facilities), each two `f32`s: 160 MB at the bound.
pub const MAX_MATRIX_ENTRIES: usize = 20_000_000;
/// Need rate of one channel and urgency [needs per 1000 inhabitants per year] (all 116117 needs
/// of Norway are ≈ 570).
pub const MAX_RATE_PER_1000: f64 = 100_000.0;
/// Expected needs of one replication (population × rates × days). The national model makes ≈ 3 M
/// a year; at the bound a replication takes minutes and its statistics stay bounded.
pub const MAX_EXPECTED_NEEDS: f64 = 200_000_000.0;
/// Trace rows (`--trace`: patient events and vehicle state changes) one run may produce, as
/// estimated by [`TRACE_ROWS_PER_PATIENT`] × expected patients: about 1 GB of CSV and a few
/// hundred MB of memory.
pub const MAX_TRACE_ROWS: f64 = 5_000_000.0;
/// Trace rows per patient, for the estimate: the shipped models write 6–11 (patient events
/// and vehicle state changes together; Møre og Romsdal 6.8, Fjordby 10.6).
pub const TRACE_ROWS_PER_PATIENT: f64 = 8.0;
/// Vehicles of one `[[ambulance_stations]].vehicles` entry.
pub const MAX_VEHICLES_PER_ENTRY: u32 = 1_000;
/// Vehicles in one scenario (Norway: ≈ 530 road ambulances).
pub const MAX_VEHICLES: usize = 20_000;
pub use crate::base::dist::{
    MAX_DRAW as MAX_DRAW_MIN, MAX_LOGNORMAL_SIGMA, MAX_PARAMETER as MAX_DURATION_MIN,
};
pub use crate::base::schedule::{MAX_SCHEDULE_LEVEL, MAX_SHIFT_COUNT};
/// ED bays of one hospital.
pub const MAX_ED_BAYS: u32 = 10_000;
/// Vehicle speed [km/h].
pub const MAX_SPEED_KMH: f64 = 1_200.0;
/// Route ÷ great-circle distance.
pub const MAX_DETOUR: f64 = 10.0;
/// A profile weight (weights are relative; any scale up to this).
pub const MAX_PROFILE_WEIGHT: f64 = 1e12;
/// Demand growth of an experiment variant [%].
pub const MAX_GROWTH_PERCENT: f64 = 10_000.0;
/// Measured days of one replication (a century).
pub const MAX_DAYS: f64 = 36_525.0;
/// Shortest measured period \[days\] (one minute): shorter gives no meaningful figure.
pub const MIN_DAYS: f64 = 1.0 / 1440.0;
/// Warm-up days of one replication (ten years).
pub const MAX_WARMUP_DAYS: f64 = 3_653.0;
/// Replications of one run or of each experiment variant.
pub const MAX_REPLICATIONS: u64 = 100_000;
/// Worker threads (more than the machine has only adds overhead).
pub const MAX_THREADS: usize = 1_024;
/// Variants of one experiment (each with all its replications).
pub const MAX_VARIANTS: usize = 1_000;
/// Characters of a variant name (it becomes part of file names).
pub const MAX_VARIANT_NAME_CHARS: usize = 80;
/// Scripted incidents of one scenario.
pub const MAX_INCIDENTS: usize = 1_000_000;
/// Patients in the chain at once in one replication (with the calls on the AMK's other lines
/// waiting or under way, each a caller): beyond this the model is so overloaded that a queue
/// grows without bound, and the replication stops with an error instead of exhausting memory
/// (≈ 0.2 GB of patient records at the bound).
pub const MAX_PATIENTS_IN_SYSTEM: usize = 1_000_000;

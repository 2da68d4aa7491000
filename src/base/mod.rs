//! Foundation shared by every layer: simulated time, random-number streams, distributions,
//! weekly schedules, typed ids, urgency and channel sets, streaming statistics and the KPI
//! registry. Nothing here knows about scenarios, the engine or outputs.

pub mod closed;
pub mod dist;
pub mod ids;
pub mod kpi;
pub mod names;
pub mod rng;
pub mod schedule;
pub mod stats;
pub mod time;
pub mod urgency;

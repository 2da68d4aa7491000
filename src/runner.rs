//! Monte Carlo replications in parallel, and their summary.
//!
//! Replications run on a rayon pool with the requested number of threads. Each replication is
//! independent and seeded from (base seed, replication index), results are collected in
//! replication order and reduced sequentially — so the summary is byte-identical for any thread
//! count.

use crate::kpi::KPI_DEFS;
use crate::scenario::Scenario;
use crate::sim::{self, OUTCOME_NAMES, ReplicationResult, RunSpec};
use crate::stats::{Estimate, estimate};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Run `replications` replications on `threads` threads (0 = all cores). `on_done` is called as
/// each replication finishes (for a progress bar); it must be thread-safe.
pub fn run_replications(
    scn: &Scenario,
    spec: &RunSpec,
    replications: u64,
    threads: usize,
    on_done: &(dyn Fn() + Sync),
) -> anyhow::Result<Vec<ReplicationResult>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    Ok(pool.install(|| {
        (0..replications)
            .into_par_iter()
            .map(|r| {
                let res = sim::run(scn, spec, r);
                on_done();
                res
            })
            .collect()
    }))
}

/// Patient accounting over all replications.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PatientCounts {
    /// Latent needs generated (warm-up included), summed over replications.
    pub generated: u64,
    /// Paths that ended.
    pub completed: u64,
    /// Still in the chain when the run stopped.
    pub in_system_at_end: u64,
}

/// What `summary.json` holds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Base seed.
    pub seed: u64,
    /// Replications.
    pub replications: u64,
    /// Measured days per replication.
    pub horizon_days: f64,
    /// Warm-up days per replication (simulated before the measured period).
    pub warmup_days: f64,
    /// Patient accounting.
    pub patients: PatientCounts,
    /// Ended paths by outcome in the measured period, summed over replications.
    pub outcomes: BTreeMap<String, u64>,
    /// KPI name → mean, 95 % CI, unit.
    pub kpi: BTreeMap<String, Estimate>,
}

/// Reduce replication results (in replication order) to a summary.
pub fn summarise(scn: &Scenario, spec: &RunSpec, results: &[ReplicationResult]) -> Summary {
    let mut kpi = BTreeMap::new();
    for (i, def) in KPI_DEFS.iter().enumerate() {
        let vals: Vec<Option<f64>> = results.iter().map(|r| r.kpis[i]).collect();
        let mut e = estimate(&vals, def.unit);
        // Every KPI is ≥ 0 and shares are ≤ 1: the t interval of a skewed statistic near a bound
        // can cross it, which means nothing physically, so it is clipped to the possible range.
        let hi = if def.unit == "share" {
            1.0
        } else {
            f64::INFINITY
        };
        e.ci95_low = e.ci95_low.map(|x| x.clamp(0.0, hi));
        e.ci95_high = e.ci95_high.map(|x| x.clamp(0.0, hi));
        kpi.insert(def.name.to_string(), e);
    }
    let mut outcomes = BTreeMap::new();
    for (i, n) in OUTCOME_NAMES.iter().enumerate() {
        outcomes.insert(n.to_string(), results.iter().map(|r| r.outcomes[i]).sum());
    }
    Summary {
        scenario: scn.name.clone(),
        seed: spec.seed,
        replications: results.len() as u64,
        horizon_days: spec.days,
        warmup_days: spec.warmup_days,
        patients: PatientCounts {
            generated: results.iter().map(|r| r.generated).sum(),
            completed: results.iter().map(|r| r.completed).sum(),
            in_system_at_end: results.iter().map(|r| r.in_system_at_end).sum(),
        },
        outcomes,
        kpi,
    }
}

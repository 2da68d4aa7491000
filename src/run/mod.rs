//! Running replications: one model's, or every variant's of an experiment, in parallel on
//! rayon.
//!
//! Each replication is independent and seeded from (base seed, replication index) only, so
//! replication *r* sees the same demand in every variant and under every assumption set (common
//! random numbers). Results are collected in (set, variant, replication) order, so everything
//! computed from them is byte-identical for any number of threads. A run can be split into shards (`--shard i/n`):
//! shard *i* runs the replications *r* with *r* mod *n* = *i*, and merging the shards in
//! replication order gives exactly the single run.

use crate::input::RunSpec;
use crate::input::experiment::Experiment;
use crate::input::scenario::Scenario;
use crate::sim::{self, ReplicationResult, SimError};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A replication failed (e.g. the model is overloaded).
    #[error(transparent)]
    Sim(#[from] SimError),
    /// The user interrupted the run (Ctrl-C).
    #[error("interrupted — nothing was written")]
    Interrupted,
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads: {cause}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// Cause.
        cause: String,
    },
}

/// Which replications this machine runs: shard `index` of `count` takes the replications
/// r with r mod count = index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 0-based.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl Shard {
    /// The whole run on one machine.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// The replications of `0..total` this shard runs, in order.
    pub fn replications(&self, total: u64) -> impl Iterator<Item = u64> + use<> {
        let (i, n) = (self.index, self.count);
        (0..total).filter(move |r| r % n == i)
    }
}

/// How to run: threads, shard, and the hooks a caller needs.
pub struct Options<'a> {
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// Which replications.
    pub shard: Shard,
    /// Called as each replication finishes (for a progress bar); must be thread-safe.
    pub on_done: &'a (dyn Fn() + Sync),
    /// Set to true to stop (Ctrl-C); replications not yet started are skipped.
    pub stop: &'a AtomicBool,
}

fn pool(threads: usize) -> Result<rayon::ThreadPool, RunError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunError::Threads {
            threads,
            cause: e.to_string(),
        })
}

/// Run the replications of one scenario (those of `opts.shard`), in replication order.
pub fn replications(
    scn: &Scenario,
    spec: &RunSpec,
    replications: u64,
    opts: &Options,
) -> Result<Vec<ReplicationResult>, RunError> {
    let reps: Vec<u64> = opts.shard.replications(replications).collect();
    let out: Vec<Result<ReplicationResult, RunError>> = pool(opts.threads)?.install(|| {
        reps.par_iter()
            .map(|&r| {
                if opts.stop.load(Ordering::Relaxed) {
                    return Err(RunError::Interrupted);
                }
                let res = sim::run(scn, spec, r)?;
                (opts.on_done)();
                Ok(res)
            })
            .collect()
    });
    let out: Result<Vec<_>, _> = out.into_iter().collect();
    if opts.stop.load(Ordering::Relaxed) {
        return Err(RunError::Interrupted);
    }
    out
}

/// Run every (assumption set, variant) × replication of an experiment on one pool. Results per
/// (set, variant) in the order of [`Experiment::cells`] — set by set, each set in variant order;
/// without assumption sets simply per variant — each in replication order.
pub fn experiment(
    exp: &Experiment,
    opts: &Options,
) -> Result<Vec<Vec<ReplicationResult>>, RunError> {
    let reps: Vec<u64> = opts.shard.replications(exp.replications).collect();
    let cells: Vec<&Scenario> = exp.cells().map(|v| &*v.scenario).collect();
    let nv = cells.len();
    let jobs: Vec<(usize, u64)> = (0..nv)
        .flat_map(|v| reps.iter().map(move |&r| (v, r)))
        .collect();
    let flat: Vec<Result<ReplicationResult, RunError>> = pool(opts.threads)?.install(|| {
        jobs.par_iter()
            .map(|&(v, r)| {
                if opts.stop.load(Ordering::Relaxed) {
                    return Err(RunError::Interrupted);
                }
                let res = sim::run(cells[v], &exp.spec, r)?;
                (opts.on_done)();
                Ok(res)
            })
            .collect()
    });
    if opts.stop.load(Ordering::Relaxed) {
        return Err(RunError::Interrupted);
    }
    let mut results: Vec<Vec<ReplicationResult>> =
        (0..nv).map(|_| Vec::with_capacity(reps.len())).collect();
    for (res, &(v, _)) in flat.into_iter().zip(&jobs) {
        results[v].push(res?);
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_replications() {
        let all: Vec<u64> = (0..4)
            .flat_map(|i| Shard { index: i, count: 4 }.replications(10))
            .collect();
        let mut sorted = all.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
        assert_eq!(
            Shard::ALL.replications(3).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
    }
}

//! Helpers shared by the integration tests.

use akuttsim::runner::{self, Summary};
use akuttsim::scenario::{self, Scenario};
use akuttsim::sim::RunSpec;
use std::path::Path;

/// Load a scenario from TOML text (relative paths resolve against the repository root).
pub fn scenario(text: &str) -> Scenario {
    match scenario::load_str(text, Path::new(env!("CARGO_MANIFEST_DIR")), "test.toml") {
        Ok(s) => s,
        Err(e) => panic!("test scenario invalid: {e}"),
    }
}

/// The problems reported for an invalid scenario, as "path: message" lines.
pub fn problems(text: &str) -> Vec<String> {
    match scenario::load_str(text, Path::new(env!("CARGO_MANIFEST_DIR")), "test.toml") {
        Ok(_) => panic!("scenario unexpectedly valid"),
        Err(scenario::LoadError::Invalid { problems, .. }) => {
            problems.iter().map(|p| p.to_string()).collect()
        }
        Err(e) => panic!("unexpected error kind: {e}"),
    }
}

/// Run and summarise.
pub fn run(
    scn: &Scenario,
    reps: u64,
    days: f64,
    warmup: f64,
    seed: u64,
    threads: usize,
) -> Summary {
    let spec = RunSpec {
        seed,
        days,
        warmup_days: warmup,
        trace: false,
    };
    let res = runner::run_replications(scn, &spec, reps, threads, &|| {}).expect("thread pool");
    runner::summarise(scn, &spec, &res)
}

/// Mean and CI of a KPI.
pub fn kpi(s: &Summary, name: &str) -> (f64, f64, f64) {
    let e = &s.kpi[name];
    (
        e.mean.unwrap_or_else(|| panic!("{name} has no value")),
        e.ci95_low.unwrap_or(f64::NAN),
        e.ci95_high.unwrap_or(f64::NAN),
    )
}

/// A single-station M/M/c scenario (see `akuttsim::bench::mmc_station_toml`).
pub fn mmc_station(doctors: u32, mean_service_min: f64, rates: [f64; 3]) -> String {
    akuttsim::bench::mmc_station_toml(doctors, mean_service_min, rates)
}

/// Run the `akuttsim` binary from the repository root.
pub fn cli<I, S>(args: I) -> std::process::Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    std::process::Command::new(env!("CARGO_BIN_EXE_akuttsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the akuttsim binary runs")
}

/// Assert that a command succeeded, showing its stderr if not.
pub fn assert_ok(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

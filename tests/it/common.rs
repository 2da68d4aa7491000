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

/// A single-station scenario: one zone at the station (travel 0), walk-in only, flat demand,
/// `doctors` doctors around the clock, exponential consultations. Rates per urgency per 1000 per
/// year for a population of 10,000.
pub fn mmc_station(doctors: u32, mean_service_min: f64, rates: [f64; 3]) -> String {
    format!(
        r#"
name = "M/M/c station"
[[zones]]
name = "here"
population = 10000
lat = 60.0
lon = 10.0
class = "urban"
[demand.calls_116117]
per_1000_per_year = {{ red = {r}, yellow = {y}, green = {g} }}
direct_attendance_share = {{ red = 1.0, yellow = 1.0, green = 1.0 }}
[[legevakt]]
name = "station"
lat = 60.0
lon = 10.0
open = [{{ days = "all", from = "00:00", to = "24:00" }}]
doctors = [{{ days = "all", from = "00:00", to = "24:00", count = {doctors} }}]
consultation_time_min = {{ dist = "exponential", mean = {mean_service_min} }}
home_visit_time_min = {{ dist = "constant", value = 30 }}
"#,
        r = rates[0],
        y = rates[1],
        g = rates[2],
    )
}

//! Helpers shared by the integration tests.

use akuttsim::analysis::{self, Analysis, Summary};
use akuttsim::input::RunSpec;
use akuttsim::input::experiment::Experiment;
use akuttsim::input::problem::LoadError;
use akuttsim::input::scenario::{self, Scenario};
use akuttsim::run;
use akuttsim::sim::ReplicationResult;
use std::path::Path;
use std::sync::atomic::AtomicBool;

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
        Err(LoadError::Invalid { problems, .. }) => {
            problems.iter().map(|p| p.to_string()).collect()
        }
        Err(e) => panic!("unexpected error kind: {e}"),
    }
}

/// Run options for tests: `threads` threads, the whole run, no progress, never stopped.
pub fn opts(threads: usize) -> run::Options<'static> {
    static NEVER: AtomicBool = AtomicBool::new(false);
    run::Options {
        threads,
        shard: run::Shard::ALL,
        on_done: &|| {},
        stop: &NEVER,
    }
}

/// A run length.
pub fn spec(days: f64, warmup: f64, seed: u64) -> RunSpec {
    RunSpec {
        seed,
        days,
        warmup_days: warmup,
        trace: false,
    }
}

/// Run the replications of a scenario.
pub fn replications(
    scn: &Scenario,
    reps: u64,
    spec: &RunSpec,
    threads: usize,
) -> Vec<ReplicationResult> {
    run::replications(scn, spec, reps, &opts(threads)).expect("the run completes")
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
    let spec = spec(days, warmup, seed);
    let res = replications(scn, reps, &spec, threads);
    analysis::summarise(scn, &spec, &res)
}

/// Run an experiment and analyse it.
pub fn experiment(exp: &Experiment, threads: usize) -> (Vec<Vec<ReplicationResult>>, Analysis) {
    let results = run::experiment(exp, &opts(threads)).expect("the experiment completes");
    let a = analysis::analyse_experiment(exp, &results);
    (results, a)
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

/// A single-station M/M/c scenario (see `akuttsim::input::region::mmc`).
pub fn mmc_station(doctors: u32, mean_service_min: f64, rates: [f64; 3]) -> String {
    akuttsim::input::region::mmc::mmc_station_toml(doctors, mean_service_min, rates)
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

/// Debian's Chromium for the browser tests: found on the PATH or at /usr/bin/chromium, else
/// installed once with apt-get (as CI does on a fresh machine). None, with the reason printed,
/// where it cannot be installed — the caller then skips, saying so.
pub fn chromium() -> Option<std::path::PathBuf> {
    static FOUND: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    FOUND
        .get_or_init(|| {
            let at = std::path::PathBuf::from("/usr/bin/chromium");
            if at.exists() && Path::new("/usr/bin/chromedriver").exists() {
                return Some(at);
            }
            eprintln!("Chromium not found: installing Debian's chromium and chromium-driver …");
            let ok = std::process::Command::new("sh")
                .args([
                    "-c",
                    "(apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive \
                     apt-get install -y -qq chromium chromium-driver >/dev/null",
                ])
                .status()
                .is_ok_and(|s| s.success());
            if ok && at.exists() {
                Some(at)
            } else {
                eprintln!("SKIP: Chromium could not be installed (apt-get failed or no root)");
                None
            }
        })
        .clone()
}

/// Load a page in headless Chromium: the DOM after loading, and what the browser logged
/// (console messages and failed loads appear as lines containing "CONSOLE" or "ERR_").
pub fn chromium_dump(browser: &Path, url: &str) -> (String, String) {
    let o = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            "--dump-dom",
            url,
        ])
        .output()
        .expect("chromium runs");
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

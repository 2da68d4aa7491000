//! `akuttsim bench`: the benchmark suite, separate from `cargo test` (no timed assertions in
//! tests). Each workload is measured on the release build, single-threaded unless stated, best of
//! several runs; the report says for every target whether it was met and by how much.
//!
//! (a) M/M/c: one legevakt, c = 3 doctors, load 0.9, exponential times, 10⁶ patients — events/s;
//! (b) one simulated year of `models/romsdal.toml` — wall time and events/s;
//! (c) one simulated year of the national model `models/norway-kommuner.toml`;
//! (d) peak memory (VmHWM) of one replication of (b) for 1 and 10 simulated years, each in a
//!     fresh child process;
//! (e) replication throughput of (b) with 1 and 2 threads;
//! (f) the same M/M/c model in SimPy (`tests/peer/simpy_mmc.py`), when Python and SimPy are
//!     present: the ratio akuttsim / SimPy on events/s and customers/s, and both mean waits next
//!     to Erlang C.

use crate::kpi::Kpi;
use crate::runner;
use crate::scenario::{self, Scenario};
use crate::sim::{self, RunSpec};
use anyhow::Context;
use serde::Serialize;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// One measured figure.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// Workload.
    pub workload: String,
    /// What was measured.
    pub figure: String,
    /// Value.
    pub value: f64,
    /// Unit.
    pub unit: String,
    /// Target, as text ("≥ 20,000,000"), if any.
    pub target: String,
    /// Met? (None when there is no target.)
    pub met: Option<bool>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// akuttsim version.
    pub version: String,
    /// Date of the run (UTC, YYYY-MM-DD).
    pub date: String,
    /// CPU model and cores.
    pub machine: String,
    /// Figures.
    pub figures: Vec<Figure>,
    /// Notes (SimPy missing, …).
    pub notes: Vec<String>,
}

const MMC_C: u32 = 3;
const MMC_MEAN_MIN: f64 = 15.0;
const MMC_RHO: f64 = 0.9;

/// A single-station M/M/c scenario: one zone of 10,000 inhabitants at the station (travel 0),
/// walk-in only, flat demand, `doctors` doctors around the clock, exponential consultations of
/// mean `mean_service_min`; `per_1000` are the red/yellow/green rates per 1000 per year. Used by
/// the benchmark and by the tests against queueing theory.
pub fn mmc_station_toml(doctors: u32, mean_service_min: f64, per_1000: [f64; 3]) -> String {
    let [r, y, g] = per_1000;
    format!(
        r#"
name = "M/M/{doctors} station"
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
"#
    )
}

/// The benchmark's M/M/c scenario and the days needed for `patients` arrivals.
fn mmc_text(patients: f64) -> (String, f64) {
    // λ = ρ c / mean per minute; population 10,000 → rate per 1000 per year.
    let lambda = MMC_RHO * MMC_C as f64 / MMC_MEAN_MIN;
    let per_1000 = lambda * 525_600.0 / 10.0;
    let days = patients / (lambda * 1440.0);
    (
        mmc_station_toml(MMC_C, MMC_MEAN_MIN, [0.0, 0.0, per_1000]),
        days,
    )
}

/// Erlang C mean wait [min].
pub fn erlang_c_wait(c: u32, lambda: f64, mu: f64) -> f64 {
    let a = lambda / mu;
    let rho = a / c as f64;
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / (k + 1) as f64;
    }
    let top = term / (1.0 - rho);
    let pw = top / (sum + top);
    pw / (c as f64 * mu - lambda)
}

/// Time one replication: best of `n` runs. Returns (seconds, events, result of the last run).
fn time_runs(scn: &Scenario, spec: &RunSpec, n: usize) -> (f64, u64, sim::ReplicationResult) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..n {
        let t0 = Instant::now();
        let r = sim::run(scn, spec, 0);
        best = best.min(t0.elapsed().as_secs_f64());
        last = Some(r);
    }
    let r = last.expect("n ≥ 1");
    (best, r.events, r)
}

fn fig(
    workload: &str,
    figure: &str,
    value: f64,
    unit: &str,
    target: Option<(f64, bool)>,
) -> Figure {
    let (target_s, met) = match target {
        Some((t, at_least)) => (
            format!("{} {}", if at_least { "≥" } else { "≤" }, fmt_num(t)),
            Some(if at_least { value >= t } else { value <= t }),
        ),
        None => (String::new(), None),
    };
    Figure {
        workload: workload.into(),
        figure: figure.into(),
        value,
        unit: unit.into(),
        target: target_s,
        met,
    }
}

fn fmt_num(x: f64) -> String {
    if x.abs() >= 1e6 {
        format!("{:.1} M", x / 1e6)
    } else if x.abs() >= 1000.0 {
        format!("{:.0}", x)
    } else if x.abs() >= 10.0 {
        format!("{:.1}", x)
    } else {
        format!("{:.3}", x)
    }
}

/// Peak resident memory of this process [KiB] (Linux `/proc/self/status` VmHWM).
pub fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// The child side of (d): run one replication and print the peak memory.
pub fn memory_child(model: &Path, days: f64) -> anyhow::Result<()> {
    let scn = scenario::load(model)?;
    let spec = RunSpec {
        seed: 1,
        days,
        warmup_days: 0.0,
        trace: false,
    };
    let r = sim::run(&scn, &spec, 0);
    println!(
        "{} {}",
        peak_rss_kib().context("VmHWM not available (Linux /proc only)")?,
        r.events
    );
    Ok(())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|x| x.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    format!("{cpu}, {cores} cores")
}

fn today() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown date".into())
}

/// Run the suite. `root` is the repository root (models/, tests/peer/). `quick` shortens every
/// workload (for a smoke test), so its figures are not comparable with the targets.
pub fn run(root: &Path, quick: bool, log: &dyn Fn(&str)) -> anyhow::Result<Report> {
    let mut figures = Vec::new();
    let mut notes = Vec::new();
    let reps = if quick { 1 } else { 3 };

    // (a) M/M/c.
    let patients = if quick { 1e5 } else { 1e6 };
    let (text, days) = mmc_text(patients);
    let mmc = scenario::load_str(&text, root, "M/M/c benchmark")?;
    let spec = RunSpec {
        seed: 1,
        days,
        warmup_days: 0.0,
        trace: false,
    };
    log("(a) M/M/c, 10⁶ patients …");
    let (secs, events, r) = time_runs(&mmc, &spec, reps);
    let served = r.outcomes[crate::sim::Outcome::StationConsultation as usize] as f64;
    let ev_s = events as f64 / secs;
    let a_pps = served / secs;
    figures.push(fig(
        "(a) M/M/3, load 0.9, 10⁶ patients",
        "events per second",
        ev_s,
        "events/s",
        Some((20e6, true)),
    ));
    figures.push(fig(
        "(a) M/M/3, load 0.9, 10⁶ patients",
        "patients per second",
        served / secs,
        "patients/s",
        None,
    ));
    let lambda = MMC_RHO * MMC_C as f64 / MMC_MEAN_MIN;
    let ec = erlang_c_wait(MMC_C, lambda, 1.0 / MMC_MEAN_MIN);
    let wait = r.kpis[Kpi::WaitMeanGreen as usize].unwrap_or(f64::NAN);
    figures.push(fig(
        "(a) M/M/3, load 0.9, 10⁶ patients",
        "mean wait (Erlang C: see next row)",
        wait,
        "min",
        None,
    ));
    figures.push(fig(
        "(a) M/M/3, load 0.9",
        "mean wait, Erlang C",
        ec,
        "min",
        None,
    ));

    // (b) Romsdal, one simulated year.
    log("(b) Romsdal, one simulated year …");
    let romsdal = scenario::load(&root.join("models/romsdal.toml"))?;
    let year = RunSpec {
        seed: 1,
        days: 365.0,
        warmup_days: 0.0,
        trace: false,
    };
    let (secs, events, _) = time_runs(&romsdal, &year, if quick { 1 } else { 5 });
    figures.push(fig(
        "(b) models/romsdal.toml, 1 simulated year",
        "wall time",
        secs * 1000.0,
        "ms",
        Some((50.0, false)),
    ));
    figures.push(fig(
        "(b) models/romsdal.toml, 1 simulated year",
        "events per second",
        events as f64 / secs,
        "events/s",
        None,
    ));

    // (c) National model.
    log("(c) national model, one simulated year …");
    let national = scenario::load(&root.join("models/norway-kommuner.toml"))?;
    let nat_spec = RunSpec {
        days: if quick { 30.0 } else { 365.0 },
        ..year
    };
    let (secs, events, _) = time_runs(&national, &nat_spec, if quick { 1 } else { 2 });
    let per_year = secs * 365.0 / nat_spec.days;
    figures.push(fig(
        "(c) national model (357 kommuner), 1 simulated year",
        "wall time",
        per_year,
        "s",
        Some((3.0, false)),
    ));
    figures.push(fig(
        "(c) national model (357 kommuner), 1 simulated year",
        "events per second",
        events as f64 / secs,
        "events/s",
        None,
    ));

    // (d) Peak memory, 1 and 10 years, fresh processes.
    log("(d) peak memory, 1 and 10 simulated years …");
    let exe = std::env::current_exe()?;
    let mut mem = Vec::new();
    for years in [1.0, 10.0] {
        let out = Command::new(&exe)
            .args(["bench-memory", "--days"])
            .arg(format!("{}", 365.0 * years))
            .arg(root.join("models/romsdal.toml"))
            .output()
            .context("cannot start the memory child process")?;
        let s = String::from_utf8_lossy(&out.stdout);
        match s
            .split_whitespace()
            .next()
            .and_then(|x| x.parse::<f64>().ok())
        {
            Some(kib) => {
                mem.push(kib);
                figures.push(fig(
                    &format!("(d) models/romsdal.toml, {years:.0} simulated year(s)"),
                    "peak resident memory",
                    kib / 1024.0,
                    "MiB",
                    None,
                ));
            }
            None => notes.push(format!(
                "(d) no memory figure: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )),
        }
    }
    if mem.len() == 2 {
        figures.push(fig(
            "(d) peak memory, 10 years ÷ 1 year",
            "ratio",
            mem[1] / mem[0],
            "×",
            Some((1.2, false)),
        ));
    }

    // (e) Replication throughput, 1 and 2 threads.
    log("(e) replication throughput, 1 and 2 threads …");
    let n = if quick { 2 } else { 16 };
    let mut thr = Vec::new();
    for threads in [1usize, 2] {
        let t0 = Instant::now();
        let res = runner::run_replications(&romsdal, &year, n, threads, &|| {})?;
        let secs = t0.elapsed().as_secs_f64();
        assert_eq!(res.len() as u64, n);
        thr.push(n as f64 / secs);
        figures.push(fig(
            &format!("(e) models/romsdal.toml, {n} replication-years, {threads} thread(s)"),
            "replications per second",
            n as f64 / secs,
            "replications/s",
            None,
        ));
    }
    figures.push(fig(
        "(e) speed-up 1 → 2 threads",
        "ratio",
        thr[1] / thr[0],
        "×",
        Some((1.8, true)),
    ));

    // (f) SimPy.
    let script = root.join("tests/peer/simpy_mmc.py");
    let simpy_customers = if quick { 20_000 } else { 200_000 };
    log("(f) SimPy peer comparison …");
    let py = Command::new("python3")
        .arg(&script)
        .args(["--customers", &simpy_customers.to_string()])
        .output();
    match py {
        Ok(o) if o.status.success() => {
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).context("SimPy output")?;
            let wall = v["wall_s"].as_f64().unwrap_or(f64::NAN);
            let sev = v["events"].as_f64().unwrap_or(f64::NAN) / wall;
            let scu = v["customers"].as_f64().unwrap_or(f64::NAN) / wall;
            figures.push(fig(
                "(f) SimPy, same M/M/3",
                "events per second",
                sev,
                "events/s",
                None,
            ));
            figures.push(fig(
                "(f) SimPy, same M/M/3",
                "customers per second",
                scu,
                "customers/s",
                None,
            ));
            figures.push(fig(
                "(f) akuttsim ÷ SimPy",
                "events per second",
                ev_s / sev,
                "×",
                None,
            ));
            figures.push(fig(
                "(f) akuttsim ÷ SimPy",
                "customers per second",
                a_pps / scu,
                "×",
                None,
            ));
            figures.push(fig(
                &format!("(f) SimPy, same M/M/3, {simpy_customers} customers"),
                "mean wait (Erlang C above)",
                v["mean_wait_min"].as_f64().unwrap_or(f64::NAN),
                "min",
                None,
            ));
        }
        Ok(o) => notes.push(format!(
            "(f) SimPy not run: {} (install with `pip install simpy`)",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("python3 failed")
        )),
        Err(e) => notes.push(format!("(f) SimPy not run: python3 not found ({e})")),
    }
    if quick {
        notes
            .push("quick run: shortened workloads, figures not comparable with the targets".into());
    }
    Ok(Report {
        version: env!("CARGO_PKG_VERSION").into(),
        date: today(),
        machine: machine(),
        figures,
        notes,
    })
}

/// The report as a Markdown table.
pub fn markdown(r: &Report) -> String {
    let mut s = format!(
        "Measured {} on {} (akuttsim {}, release build, single thread unless stated):\n\n| workload | figure | value | target | met |\n|---|---|---|---|---|\n",
        r.date, r.machine, r.version
    );
    for f in &r.figures {
        s.push_str(&format!(
            "| {} | {} | {} {} | {} | {} |\n",
            f.workload,
            f.figure,
            fmt_num(f.value),
            f.unit,
            f.target,
            match f.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "",
            }
        ));
    }
    for n in &r.notes {
        s.push_str(&format!("\n{n}\n"));
    }
    s
}

/// Replace the block between `<!-- bench:begin -->` and `<!-- bench:end -->` in a file.
pub fn update_block(file: &Path, body: &str) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let (b, e) = ("<!-- bench:begin -->", "<!-- bench:end -->");
    let (Some(i), Some(j)) = (text.find(b), text.find(e)) else {
        anyhow::bail!(
            "{}: no {b} … {e} block to update — add the two markers",
            file.display()
        );
    };
    let new = format!("{}{b}\n{body}{}", &text[..i], &text[j..]);
    crate::report::write_atomic(file, new.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_c_reference_value() {
        // c = 3, λ = 0.18 /min, μ = 1/15: a = 2.7, C = 0.8171, Wq = C / (cμ − λ) = 40.85 min.
        let w = erlang_c_wait(3, 0.18, 1.0 / 15.0);
        assert!((w - 40.85).abs() < 0.01, "{w}");
    }

    #[test]
    fn readme_block_is_replaced_between_markers_only() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("R.md");
        std::fs::write(&f, "a\n<!-- bench:begin -->\nold\n<!-- bench:end -->\nb\n").unwrap();
        update_block(&f, "new\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&f).unwrap(),
            "a\n<!-- bench:begin -->\nnew\n<!-- bench:end -->\nb\n"
        );
        std::fs::write(&f, "no markers").unwrap();
        assert!(update_block(&f, "x").is_err());
    }
}

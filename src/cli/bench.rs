//! `akuttsim bench`: the benchmark suite, separate from `cargo test` (no timed assertions in
//! tests). Each workload is measured on the release build, single-threaded unless stated, best of
//! several runs; the report says for every target whether it was met and by how much.
//!
//! (a) M/M/c: one legevakt, c = 3 doctors, load 0.9, exponential times, 10⁶ patients — events/s;
//! (b) one simulated year of each whole-AMK-area model (`models/more-og-romsdal.toml`,
//!     `models/sogn-og-fjordane.toml`) — wall time (target ≤ 0.5 s) and events/s;
//! (c) one simulated year of the national model `models/norway-kommuner.toml`;
//! (d) peak memory (VmHWM) of one replication of the first model of (b) for 1 and 10 simulated
//!     years, each in a fresh child process;
//! (e) replication throughput of the first model of (b) with 1 and 2 threads;
//! (f) the same M/M/c model in SimPy (`tests/peer/simpy_mmc.py`), when Python and SimPy are
//!     present: the ratio akuttsim / SimPy on events/s and customers/s, and both mean waits next
//!     to Erlang C;
//! (g) the shipped structure experiments on the whole-area models, every variant × assumption
//!     set × replication on 2 threads — wall time (target < 60 s);
//! (h) `akuttsim region` for a whole health-trust area (27 kommuner): generate and load the
//!     model — wall time (target < 1 s).

use crate::base::kpi::Kpi;
use crate::input::RunSpec;
use crate::input::region::mmc::mmc_station_toml;
use crate::input::scenario::{self, Scenario};
use crate::run;
use crate::sim;
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

/// Erlang C mean wait \[min\].
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
fn time_runs(
    scn: &Scenario,
    spec: &RunSpec,
    n: usize,
) -> anyhow::Result<(f64, u64, sim::ReplicationResult)> {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..n {
        let t0 = Instant::now();
        let r = sim::run(scn, spec, 0)?;
        best = best.min(t0.elapsed().as_secs_f64());
        last = Some(r);
    }
    let r = last.expect("n ≥ 1");
    Ok((best, r.events, r))
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

/// Peak resident memory of this process \[KiB\] (Linux `/proc/self/status` VmHWM).
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
    let r = sim::run(&scn, &spec, 0)?;
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

/// Figures and notes gathered by the workloads.
#[derive(Default)]
struct Gathered {
    figures: Vec<Figure>,
    notes: Vec<String>,
}

/// The M/M/c workload's throughput, for the SimPy comparison: (events/s, patients/s).
type Throughput = (f64, f64);

/// Run the suite. `root` is the repository root (models/, tests/peer/). `quick` shortens every
/// workload (for a smoke test), so its figures are not comparable with the targets.
pub fn run(root: &Path, quick: bool, log: &dyn Fn(&str)) -> anyhow::Result<Report> {
    let mut g = Gathered::default();
    log("(a) M/M/c, 10⁶ patients …");
    let tp = mmc_workload(root, quick, &mut g)?;
    log("(b) whole AMK areas, one simulated year each …");
    let mut whole = Vec::new();
    for m in WHOLE_AREA_MODELS {
        let scn = scenario::load(&root.join(m))?;
        model_year(
            &scn,
            &format!("(b) {m}, 1 simulated year"),
            if quick { 30.0 } else { 365.0 },
            if quick { 1 } else { 3 },
            0.5,
            &mut g,
        )?;
        whole.push(scn);
    }
    log("(c) national model, one simulated year …");
    let national = scenario::load(&root.join("models/norway-kommuner.toml"))?;
    model_year(
        &national,
        "(c) national model (357 kommuner), 1 simulated year",
        if quick { 30.0 } else { 365.0 },
        if quick { 1 } else { 2 },
        3.0,
        &mut g,
    )?;
    log("(d) peak memory, 1 and 10 simulated years …");
    memory(root, &mut g)?;
    log("(e) replication throughput, 1 and 2 threads …");
    threads(&whole[0], if quick { 2 } else { 8 }, &mut g)?;
    log("(f) SimPy peer comparison …");
    simpy(root, if quick { 20_000 } else { 200_000 }, tp, &mut g)?;
    log("(g) shipped structure experiments on the whole AMK areas, 2 threads …");
    for e in STRUCTURE_EXPERIMENTS {
        structure_experiment(root, e, quick, &mut g)?;
    }
    log("(h) akuttsim region for a whole health-trust area …");
    region_generation(root, &mut g)?;
    if quick {
        g.notes
            .push("quick run: shortened workloads, figures not comparable with the targets".into());
    }
    Ok(Report {
        version: env!("CARGO_PKG_VERSION").into(),
        date: today(),
        machine: machine(),
        figures: g.figures,
        notes: g.notes,
    })
}

/// The whole-AMK-area models whose simulated year is benchmarked (target ≤ 0.5 s on one core).
const WHOLE_AREA_MODELS: [&str; 2] = [
    "models/more-og-romsdal.toml",
    "models/sogn-og-fjordane.toml",
];

/// The shipped structure experiments on the whole-area models (target < 60 s on 2 threads).
const STRUCTURE_EXPERIMENTS: [&str; 2] = [
    "experiments/romsdal-structures.toml",
    "experiments/sunnfjord-structures.toml",
];

/// (g) one shipped structure experiment, every variant × assumption set × replication, on two
/// threads (the simulation only: loading and writing outputs take well under a second).
fn structure_experiment(
    root: &Path,
    file: &str,
    quick: bool,
    g: &mut Gathered,
) -> anyhow::Result<()> {
    let mut exp = crate::input::experiment::load(&root.join(file))?;
    if quick {
        exp.replications = 1;
        exp.spec.days = 30.0;
    }
    let stop = std::sync::atomic::AtomicBool::new(false);
    let opts = run::Options {
        threads: 2,
        shard: run::Shard::ALL,
        on_done: &|| {},
        stop: &stop,
    };
    let t0 = Instant::now();
    let res = run::experiment(&exp, &opts)?;
    let secs = t0.elapsed().as_secs_f64();
    let runs: usize = res.iter().map(Vec::len).sum();
    g.figures.push(fig(
        &format!("(g) {file}, {runs} replication-years, 2 threads"),
        "wall time",
        secs,
        "s",
        Some((60.0, false)),
    ));
    Ok(())
}

/// (h) `akuttsim region --amk "AMK Møre og Romsdal"`: the 27 kommuner read from the tables,
/// the model written and loaded (target < 1 s), best of 5.
fn region_generation(root: &Path, g: &mut Gathered) -> anyhow::Result<()> {
    use crate::input::region::generate;
    let data = root.join("models/data/norway");
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t0 = Instant::now();
        let ks = generate::amk_kommuner("AMK Møre og Romsdal", &data)?;
        let m = generate::region_toml(&data, "", &ks, "Møre og Romsdal (generated)")?;
        let scn = scenario::load_str(&m.toml, &root.join("models"), "generated model")?;
        anyhow::ensure!(scn.zones.len() > 100, "the generated model has its zones");
        best = best.min(t0.elapsed().as_secs_f64());
    }
    g.figures.push(fig(
        "(h) akuttsim region, AMK Møre og Romsdal (27 kommuner), generate + load",
        "wall time",
        best * 1000.0,
        "ms",
        Some((1000.0, false)),
    ));
    Ok(())
}

/// (a) the M/M/c queue at load 0.9.
fn mmc_workload(root: &Path, quick: bool, g: &mut Gathered) -> anyhow::Result<Throughput> {
    let patients = if quick { 1e5 } else { 1e6 };
    let (text, days) = mmc_text(patients);
    let mmc = scenario::load_str(&text, root, "M/M/c benchmark")?;
    let spec = RunSpec {
        seed: 1,
        days,
        warmup_days: 0.0,
        trace: false,
    };
    let (secs, events, r) = time_runs(&mmc, &spec, if quick { 1 } else { 3 })?;
    let served = r.outcomes[crate::sim::Outcome::StationConsultation as usize] as f64;
    let ev_s = events as f64 / secs;
    let w = "(a) M/M/3, load 0.9, 10⁶ patients";
    g.figures.push(fig(
        w,
        "events per second",
        ev_s,
        "events/s",
        Some((20e6, true)),
    ));
    g.figures.push(fig(
        w,
        "patients per second",
        served / secs,
        "patients/s",
        None,
    ));
    let lambda = MMC_RHO * MMC_C as f64 / MMC_MEAN_MIN;
    let ec = erlang_c_wait(MMC_C, lambda, 1.0 / MMC_MEAN_MIN);
    let wait = r.kpis[Kpi::WaitMeanGreen].unwrap_or(f64::NAN);
    g.figures.push(fig(
        w,
        "mean wait (Erlang C: see next row)",
        wait,
        "min",
        None,
    ));
    g.figures.push(fig(
        "(a) M/M/3, load 0.9",
        "mean wait, Erlang C",
        ec,
        "min",
        None,
    ));
    Ok((ev_s, served / secs))
}

/// (b), (c): one simulated year of a model (or `days`, scaled to a year), best of `n`, against
/// a target in seconds per year.
fn model_year(
    scn: &Scenario,
    label: &str,
    days: f64,
    n: usize,
    target_s: f64,
    g: &mut Gathered,
) -> anyhow::Result<()> {
    let spec = RunSpec {
        seed: 1,
        days,
        warmup_days: 0.0,
        trace: false,
    };
    let (secs, events, _) = time_runs(scn, &spec, n)?;
    let per_year = secs * 365.0 / days;
    if target_s < 1.0 {
        g.figures.push(fig(
            label,
            "wall time",
            per_year * 1000.0,
            "ms",
            Some((target_s * 1000.0, false)),
        ));
    } else {
        g.figures.push(fig(
            label,
            "wall time",
            per_year,
            "s",
            Some((target_s, false)),
        ));
    }
    g.figures.push(fig(
        label,
        "events per second",
        events as f64 / secs,
        "events/s",
        None,
    ));
    Ok(())
}

/// (d) peak memory of one Romsdal replication, 1 and 10 years, each in a fresh process.
fn memory(root: &Path, g: &mut Gathered) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    let mut mem = Vec::new();
    for years in [1.0, 10.0] {
        let out = Command::new(&exe)
            .args(["bench-memory", "--days"])
            .arg(format!("{}", 365.0 * years))
            .arg(root.join(WHOLE_AREA_MODELS[0]))
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
                g.figures.push(fig(
                    &format!("(d) {}, {years:.0} simulated year(s)", WHOLE_AREA_MODELS[0]),
                    "peak resident memory",
                    kib / 1024.0,
                    "MiB",
                    None,
                ));
            }
            None => g.notes.push(format!(
                "(d) no memory figure: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )),
        }
    }
    if mem.len() == 2 {
        g.figures.push(fig(
            "(d) peak memory, 10 years ÷ 1 year",
            "ratio",
            mem[1] / mem[0],
            "×",
            Some((1.2, false)),
        ));
    }
    Ok(())
}

/// (e) replication throughput with 1 and 2 threads.
fn threads(scn: &Scenario, n: u64, g: &mut Gathered) -> anyhow::Result<()> {
    let year = RunSpec {
        seed: 1,
        days: 365.0,
        warmup_days: 0.0,
        trace: false,
    };
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mut thr = Vec::new();
    for threads in [1usize, 2] {
        let opts = run::Options {
            threads,
            shard: run::Shard::ALL,
            on_done: &|| {},
            stop: &stop,
        };
        let t0 = Instant::now();
        let res = run::replications(scn, &year, n, &opts)?;
        let secs = t0.elapsed().as_secs_f64();
        anyhow::ensure!(res.len() as u64 == n, "every replication ran");
        thr.push(n as f64 / secs);
        g.figures.push(fig(
            &format!(
                "(e) {}, {n} replication-years, {threads} thread(s)",
                WHOLE_AREA_MODELS[0]
            ),
            "replications per second",
            n as f64 / secs,
            "replications/s",
            None,
        ));
    }
    g.figures.push(fig(
        "(e) speed-up 1 → 2 threads",
        "ratio",
        thr[1] / thr[0],
        "×",
        Some((1.8, true)),
    ));
    Ok(())
}

/// (f) the same M/M/c model in SimPy, when Python and SimPy are present.
fn simpy(root: &Path, customers: u32, tp: Throughput, g: &mut Gathered) -> anyhow::Result<()> {
    let script = root.join("tests/peer/simpy_mmc.py");
    let py = Command::new("python3")
        .arg(&script)
        .args(["--customers", &customers.to_string()])
        .output();
    match py {
        Ok(o) if o.status.success() => {
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).context("SimPy output")?;
            let wall = v["wall_s"].as_f64().unwrap_or(f64::NAN);
            let sev = v["events"].as_f64().unwrap_or(f64::NAN) / wall;
            let scu = v["customers"].as_f64().unwrap_or(f64::NAN) / wall;
            g.figures.push(fig(
                "(f) SimPy, same M/M/3",
                "events per second",
                sev,
                "events/s",
                None,
            ));
            g.figures.push(fig(
                "(f) SimPy, same M/M/3",
                "customers per second",
                scu,
                "customers/s",
                None,
            ));
            g.figures.push(fig(
                "(f) akuttsim ÷ SimPy",
                "events per second",
                tp.0 / sev,
                "×",
                None,
            ));
            g.figures.push(fig(
                "(f) akuttsim ÷ SimPy",
                "customers per second",
                tp.1 / scu,
                "×",
                None,
            ));
            g.figures.push(fig(
                &format!("(f) SimPy, same M/M/3, {customers} customers"),
                "mean wait (Erlang C above)",
                v["mean_wait_min"].as_f64().unwrap_or(f64::NAN),
                "min",
                None,
            ));
        }
        Ok(o) => g.notes.push(format!(
            "(f) SimPy not run: {} (install with `pip install simpy`)",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("python3 failed")
        )),
        Err(e) => g
            .notes
            .push(format!("(f) SimPy not run: python3 not found ({e})")),
    }
    Ok(())
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
    crate::output::files::write_atomic(file, new.as_bytes())
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

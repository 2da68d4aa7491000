//! The command line: parse arguments, wire the stages, map errors to exit codes
//! (0 ok, 1 bad input, 2 failure).

use crate::report::{self, Manifest};
use crate::runner;
use crate::scenario::{self, LoadError};
use crate::sim::RunSpec;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// akuttsim — discrete-event simulation of the Norwegian acute medical chain.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Sub-commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a model: replications in parallel, KPI table, summary.json and manifest.json.
    Run {
        /// Scenario file (TOML), e.g. models/fjordby.toml.
        model: PathBuf,
        /// Independent replications.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        replications: u64,
        /// Base seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Measured days per replication (after warm-up).
        #[arg(long, default_value_t = 365.0)]
        days: f64,
        /// Warm-up days simulated first and not measured.
        #[arg(long, default_value_t = 7.0)]
        warmup_days: f64,
        /// Worker threads (0 = one per core). Results do not depend on it.
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Output folder (default: output/<model name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Also write trace_vehicles.csv and trace_responses.csv (every vehicle state change and
        /// red response; memory and file size grow with the horizon).
        #[arg(long)]
        trace: bool,
    },
    /// Compare variants of a model (experiments/*.toml): common random numbers, paired
    /// differences with 95 % CIs, CSV, JSON and plots.
    Experiment {
        /// Experiment file (TOML).
        file: PathBuf,
        /// Replications per variant (default: the file's, else 20).
        #[arg(long, value_parser = clap::value_parser!(u64).range(2..=100_000))]
        replications: Option<u64>,
        /// Measured days per replication (default: the file's, else 365).
        #[arg(long)]
        days: Option<f64>,
        /// Worker threads (0 = one per core). Results do not depend on it.
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Output folder (default: output/<experiment file name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Benchmark suite (release build): M/M/c events/s, Romsdal and national years, peak memory,
    /// thread scaling, SimPy comparison. Prints a table; writes output/bench/.
    Bench {
        /// Shortened workloads (a smoke test; figures not comparable with the targets).
        #[arg(long)]
        quick: bool,
        /// Also rewrite the benchmark table in README.md (between its bench markers).
        #[arg(long)]
        update_readme: bool,
        /// Output folder.
        #[arg(long, default_value = "output/bench")]
        out: PathBuf,
    },
    /// (internal) one replication of MODEL for DAYS, then print peak memory [KiB] and events.
    #[command(hide = true)]
    BenchMemory {
        /// Model.
        model: PathBuf,
        /// Days.
        #[arg(long)]
        days: f64,
    },
    /// List every KPI: name, unit, national target, published figure, source, meaning.
    Kpis,
    /// Write the national scale-test model (all kommuner, services placed by rule).
    NationalModel {
        /// Kommune table.
        #[arg(long, default_value = "models/data/norway/kommuner_2025.csv")]
        kommuner: PathBuf,
        /// Output file (its folder must hold common/national-defaults.toml and data/).
        #[arg(long, default_value = "models/norway-kommuner.toml")]
        out: PathBuf,
    },
    /// Regenerate the calibration report (simulated vs published figures for the regional models).
    Calibrate {
        /// Calibration file listing models and published figures.
        #[arg(default_value = "models/calibration.toml")]
        file: PathBuf,
        /// Where to write the report.
        #[arg(long, default_value = "models/CALIBRATION.md")]
        out: PathBuf,
        /// Replications per model.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        replications: u64,
        /// Measured days per replication.
        #[arg(long, default_value_t = 365.0)]
        days: f64,
        /// Base seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Worker threads (0 = one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
    /// Check scenario files and report every problem at once.
    Check {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// An error with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    /// 1 = bad input, 2 = failure while running or writing.
    pub code: i32,
    /// The error.
    pub error: anyhow::Error,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        let error = e.into();
        let code = if error.downcast_ref::<LoadError>().is_some() {
            1
        } else {
            2
        };
        Failure { code, error }
    }
}

fn bad_input(msg: String) -> Failure {
    Failure {
        code: 1,
        error: anyhow::anyhow!(msg),
    }
}

/// Run the program with parsed arguments; `argv` is recorded in the manifest.
pub fn run(cli: Cli, argv: Vec<String>) -> Result<(), Failure> {
    match cli.command {
        Command::Experiment {
            file,
            replications,
            days,
            threads,
            out,
            quiet,
        } => run_experiment(&file, replications, days, threads, out, quiet, argv),
        Command::Bench {
            quick,
            update_readme,
            out,
        } => {
            if cfg!(debug_assertions) {
                eprintln!(
                    "warning: this is a debug build; run `cargo run --release -- bench` for real figures"
                );
            }
            let r = crate::bench::run(Path::new("."), quick, &|m| eprintln!("{m}"))?;
            let md = crate::bench::markdown(&r);
            report::write_atomic(&out.join("bench.json"), &report::to_json(&r)?)?;
            report::write_atomic(&out.join("bench.md"), md.as_bytes())?;
            print!("{md}");
            if update_readme {
                crate::bench::update_block(Path::new("README.md"), &md)?;
                println!("updated README.md");
            }
            Ok(())
        }
        Command::Kpis => {
            print!("{}", report::kpi_reference());
            Ok(())
        }
        Command::BenchMemory { model, days } => {
            crate::bench::memory_child(&model, days)?;
            Ok(())
        }
        Command::NationalModel { kommuner, out } => {
            let text = crate::national::national_toml(&kommuner)?;
            report::write_atomic(&out, text.as_bytes())?;
            let scn = scenario::load(&out)?;
            println!(
                "wrote {} — {} zones, {:.0} inhabitants, {} legevakter, {} ambulances, {} hospitals",
                out.display(),
                scn.zones.len(),
                scn.population(),
                scn.stations.len(),
                scn.vehicles.len(),
                scn.hospitals.len()
            );
            Ok(())
        }
        Command::Calibrate {
            file,
            out,
            replications,
            days,
            seed,
            threads,
        } => {
            let md = crate::calibrate::report(&file, replications, days, seed, threads)?;
            report::write_atomic(&out, md.as_bytes())?;
            print!("{md}");
            println!("wrote {}", out.display());
            Ok(())
        }
        Command::Check { files } => {
            let mut failed = Vec::new();
            for f in &files {
                match scenario::load(f) {
                    Ok(s) => {
                        println!(
                            "{}: ok — \"{}\": {} zones ({:.0} inhabitants), {} legevaktsentral, {} legevakt stations, {} satellites, AMK {}, {} ambulance stations ({} vehicles), {} hospitals; travel pairs: {} from CSV, {} from the great-circle rule",
                            f.display(),
                            s.name,
                            s.zones.len(),
                            s.population(),
                            s.lvs.len(),
                            s.stations.len(),
                            s.satellites.len(),
                            if s.amk.is_some() { "yes" } else { "no" },
                            s.amb_stations.len(),
                            s.vehicles.len(),
                            s.hospitals.len(),
                            s.travel.pairs_from_csv,
                            s.travel.pairs_from_rule
                        );
                    }
                    Err(e) => {
                        eprintln!("{e}");
                        failed.push(e);
                    }
                }
            }
            if !failed.is_empty() {
                return Err(bad_input(format!(
                    "{} of {} files have problems (listed above)",
                    failed.len(),
                    files.len()
                )));
            }
            Ok(())
        }
        Command::Run {
            model,
            replications,
            seed,
            days,
            warmup_days,
            threads,
            out,
            quiet,
            trace,
        } => {
            if !(days.is_finite() && days > 0.0) {
                return Err(bad_input(format!(
                    "--days {days}: give a number of days > 0"
                )));
            }
            if !(warmup_days.is_finite() && warmup_days >= 0.0) {
                return Err(bad_input(format!(
                    "--warmup-days {warmup_days}: give a number of days ≥ 0"
                )));
            }
            let scn = scenario::load(&model)?;
            let out = out.unwrap_or_else(|| default_out(&model));
            let spec = RunSpec {
                seed,
                days,
                warmup_days,
                trace,
            };
            let bar = progress(replications, quiet);
            let started = Instant::now();
            let started_unix = unix_now();
            let results =
                runner::run_replications(&scn, &spec, replications, threads, &|| bar.inc(1))?;
            bar.finish_and_clear();
            let summary = runner::summarise(&scn, &spec, &results);
            let threads_used = threads_used(threads);
            let manifest = Manifest {
                version: env!("CARGO_PKG_VERSION").to_string(),
                arguments: argv,
                seed,
                replications,
                threads: threads_used,
                inputs: report::hash_inputs(&scn.inputs)?,
                events: results.iter().map(|r| r.events).sum(),
                wall_time_s: started.elapsed().as_secs_f64(),
                started_unix_s: started_unix,
            };
            report::write_atomic(&out.join("summary.json"), &report::to_json(&summary)?)?;
            if !scn.amb_stations.is_empty() {
                report::write_atomic(
                    &out.join("ambulance_stations.csv"),
                    &report::to_csv(&report::station_rows(&results, days))?,
                )?;
            }
            if trace {
                let mut tv = Vec::new();
                let mut tr = Vec::new();
                for r in &results {
                    if let Some(t) = &r.trace {
                        tv.extend(t.transitions.iter().map(|x| report::TraceTransitionRow {
                            replication: r.replication,
                            vehicle: x.vehicle,
                            t_min: x.t_min,
                            from: x.from,
                            to: x.to,
                        }));
                        tr.extend(t.responses.iter().map(|x| report::TraceResponseRow {
                            replication: r.replication,
                            t_ring_min: x.t_ring_min,
                            t_notified_min: x.t_notified_min,
                            t_on_scene_min: x.t_on_scene_min,
                            response_min: x.response_min,
                            vehicle: x.vehicle,
                        }));
                    }
                }
                report::write_atomic(&out.join("trace_vehicles.csv"), &report::to_csv(&tv)?)?;
                report::write_atomic(&out.join("trace_responses.csv"), &report::to_csv(&tr)?)?;
            }
            report::write_atomic(&out.join("manifest.json"), &report::to_json(&manifest)?)?;
            println!(
                "{} — {} replications × {} days (+{} warm-up), seed {}",
                scn.name, replications, days, warmup_days, seed
            );
            print!("{}", report::kpi_table(&summary));
            println!(
                "patients: {} generated, {} completed, {} in the chain at the end; {} events in {:.2} s",
                summary.patients.generated,
                summary.patients.completed,
                summary.patients.in_system_at_end,
                manifest.events,
                manifest.wall_time_s
            );
            println!("wrote {}", out.join("summary.json").display());
            Ok(())
        }
    }
}

/// Threads rayon will use for `threads` (0 = one per core).
fn threads_used(threads: usize) -> usize {
    if threads == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    } else {
        threads
    }
}

/// Seconds since the Unix epoch (0 if the clock is before it).
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn default_out(model: &Path) -> PathBuf {
    let stem = model
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "run".into());
    PathBuf::from("output").join(stem)
}

fn progress(n: u64, quiet: bool) -> ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} replications, ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn run_experiment(
    file: &Path,
    replications: Option<u64>,
    days: Option<f64>,
    threads: usize,
    out: Option<PathBuf>,
    quiet: bool,
    argv: Vec<String>,
) -> Result<(), Failure> {
    use crate::experiment::{self, Experiment, ExperimentManifest};
    let mut exp = Experiment::load(file)?;
    if let Some(r) = replications {
        exp.replications = r;
    }
    if let Some(d) = days {
        if !(d.is_finite() && d > 0.0) {
            return Err(bad_input(format!("--days {d}: give a number of days > 0")));
        }
        exp.spec.days = d;
    }
    let out = out.unwrap_or_else(|| default_out(file));
    let total = exp.replications * exp.variants.len() as u64;
    let bar = progress(total, quiet);
    let started = Instant::now();
    let started_unix = unix_now();
    let res = experiment::run(&exp, threads, &|| bar.inc(1))?;
    bar.finish_and_clear();
    experiment::write_outputs(&exp, &res, &out)?;
    let threads_used = threads_used(threads);
    let manifest = ExperimentManifest {
        version: env!("CARGO_PKG_VERSION").to_string(),
        arguments: argv,
        seed: exp.spec.seed,
        replications: exp.replications,
        variants: exp.variants.iter().map(|(n, _)| n.clone()).collect(),
        threads: threads_used,
        inputs: report::hash_inputs(&exp.inputs)?,
        events: res.results.iter().flatten().map(|r| r.events).sum(),
        wall_time_s: started.elapsed().as_secs_f64(),
        started_unix_s: started_unix,
    };
    report::write_atomic(&out.join("manifest.json"), &report::to_json(&manifest)?)?;
    println!(
        "{} — {} variants × {} replications × {} days (+{} warm-up), seed {}; baseline \"{}\"",
        exp.name,
        exp.variants.len(),
        exp.replications,
        exp.spec.days,
        exp.spec.warmup_days,
        exp.spec.seed,
        exp.variants[exp.baseline].0
    );
    print!("{}", report::comparison_table(&exp, &res));
    println!(
        "{} events in {:.2} s; wrote {}/ (summary.json, kpi.csv, comparison.csv, utilisation_by_hour.csv, plots)",
        manifest.events,
        manifest.wall_time_s,
        out.display()
    );
    Ok(())
}

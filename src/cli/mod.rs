//! The command line: parse arguments, wire the stages, map errors to exit codes.
//!
//! Exit codes (the contract `README.md` documents and `tests/it/cli.rs` checks):
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done (also `--help`, `--version`) |
//! | 1 | bad input: a command-line argument, a model or experiment file, an output folder that holds other files, or a model so overloaded that a queue grows without bound |
//! | 2 | failure while running or writing (disk full, permission denied, …) |
//! | 130 | interrupted (Ctrl-C or SIGTERM): nothing was written, earlier results are untouched |

pub mod bench;
mod commands;
mod serve;
mod travel;

use crate::input::problem::LoadError;
use crate::input::scenario::limits::{MAX_REPLICATIONS, MAX_THREADS};
use crate::run::RunError;
use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

/// akuttsim — discrete-event simulation of the Norwegian acute medical chain.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by `run` and `experiment`.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Independent replications [default: 10 for run; the file's, else 20, for experiment].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=MAX_REPLICATIONS))]
    pub replications: Option<u64>,
    /// Base seed [default: 1 for run; the file's for experiment].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Measured days per replication, after the warm-up [default: 365; or the file's].
    #[arg(long)]
    pub days: Option<f64>,
    /// Warm-up days simulated first and not measured [default: 7; or the file's].
    #[arg(long)]
    pub warmup_days: Option<f64>,
    /// Worker threads (0 = one per core). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=MAX_THREADS as u64))]
    pub threads: u64,
    /// Output folder [default: output/MODEL or output/EXPERIMENT, the file name without .toml].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Also write trace_patients.csv (every event of every patient: time, event, place,
    /// resource), trace_vehicles.csv and trace_responses.csv (every vehicle state change and red
    /// response). Memory and file size grow with the horizon: a run estimated at more than 5
    /// million trace rows is refused (shorten --days or lower --replications).
    #[arg(long)]
    pub trace: bool,
    /// Run only shard I of N (1 ≤ I ≤ N): the replications r with r mod N = I − 1. The output
    /// folder then holds shard.json for `akuttsim merge`, which combines the N shard folders
    /// into exactly the outputs of the single run.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<crate::run::Shard>,
    /// How the KPIs are printed: a table (≤ 100 columns, shares in per cent), or JSON or CSV
    /// on standard output for a program (shares as 0..1; the other lines go to standard error)
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// How `run` and `experiment` print their KPIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// JSON: an array of KPI lines.
    Json,
    /// CSV: one row per KPI line.
    Csv,
}

/// `--shard I/N` → the 0-based shard.
fn parse_shard(s: &str) -> Result<crate::run::Shard, String> {
    let bad =
        || format!("\"{s}\" — give --shard I/N with 1 ≤ I ≤ N ≤ {MAX_SHARDS}, e.g. --shard 2/4");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if i == 0 || i > n || n > MAX_SHARDS {
        return Err(bad());
    }
    Ok(crate::run::Shard {
        index: i - 1,
        count: n,
    })
}

/// Most shards of one run.
pub const MAX_SHARDS: u64 = 10_000;

/// Sub-commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a model: replications in parallel; KPI table, summary.json, CSV tables, plots
    /// and manifest.json in the output folder.
    Run {
        /// Scenario file (TOML), e.g. models/fjordby.toml.
        model: PathBuf,
        /// Run options.
        #[command(flatten)]
        opts: RunArgs,
    },
    /// Compare variants of a model (experiments/*.toml): common random numbers, paired
    /// differences with 95 % CIs, CSV, JSON and plots.
    Experiment {
        /// Experiment file (TOML).
        file: PathBuf,
        /// Run options (they override the file's).
        #[command(flatten)]
        opts: RunArgs,
    },
    /// Combine the shard folders of one run or experiment (`--shard I/N`, every I of N) into
    /// the outputs of the single run: the same summary.json, kpi.csv and comparison.csv.
    Merge {
        /// The shard folders (any order).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder for the merged results.
        #[arg(long)]
        out: PathBuf,
    },
    /// Check model and experiment files and report every problem at once.
    Check {
        /// Model or experiment files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The teaching page: a web page on 127.0.0.1 where a class moves sliders (ambulances per
    /// station, satellites, doctors, demand growth, a doctor car), presses Run and sees a short
    /// experiment against the previous run in seconds. Ctrl-C stops it.
    Serve {
        /// Port (0 = any free port; the address is printed).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Address to listen on. Loopback by default: only this machine can reach the page.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Folder of the model files offered on the page.
        #[arg(long, default_value = "models")]
        models: PathBuf,
        /// Worker threads of a run (0 = one per core). Results do not depend on it.
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=MAX_THREADS as u64))]
        threads: u64,
    },
    /// List every KPI: name, unit, national target, published figure, source, meaning.
    Kpis,
    /// Regenerate the calibration report (simulated vs published figures for the regional models).
    Calibrate {
        /// Calibration file listing models and published figures.
        #[arg(default_value = "models/calibration.toml")]
        file: PathBuf,
        /// Where to write the report.
        #[arg(long, default_value = "models/CALIBRATION.md")]
        out: PathBuf,
        /// Replications per model.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=MAX_REPLICATIONS))]
        replications: u64,
        /// Measured days per replication.
        #[arg(long, default_value_t = 365.0)]
        days: f64,
        /// Base seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Worker threads (0 = one per core).
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=MAX_THREADS as u64))]
        threads: u64,
    },
    /// Route a model's travel matrix over an OpenStreetMap extract: every zone point and
    /// facility snapped to the car network, every place → facility pair by contraction
    /// hierarchies, ferries included. Writes the CSV that `[travel] matrix_csv` reads.
    TravelMatrix {
        /// Model whose zones and facilities to route (TOML).
        model: PathBuf,
        /// OpenStreetMap extract (`.osm.pbf`, a county or the Norway extract).
        #[arg(long)]
        osm: PathBuf,
        /// Output CSV [default: output/travel-MODEL.csv].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Mean wait for a ferry departure, added to every ferry leg \[min\].
        #[arg(long, default_value_t = 15.0)]
        ferry_wait_min: f64,
        /// Speed on ferry legs without a `duration` tag \[km/h\].
        #[arg(long, default_value_t = 20.0)]
        ferry_speed_kmh: f64,
        /// Factor on posted `maxspeed` limits (1 = drive at the limit).
        #[arg(long, default_value_t = 1.0)]
        maxspeed_factor: f64,
    },
    /// Write a complete, editable model for a set of kommuner from the facility tables in
    /// models/data/norway/: zones, legevakter, legevaktsentral, AMK, ambulance stations,
    /// helicopters and hospitals; every gap filled by a rule marked `[assumption]` and listed.
    Region {
        /// Kommune numbers (2024), comma-separated, e.g. 1505,1554,1560,1557.
        #[arg(long, required_unless_present_any = ["amk", "all"], conflicts_with_all = ["amk", "all"])]
        kommuner: Option<String>,
        /// Instead of --kommuner: every kommune of an AMK area (amk_kommuner.csv), e.g.
        /// "AMK Møre og Romsdal".
        #[arg(long, conflicts_with = "all")]
        amk: Option<String>,
        /// Instead of --kommuner: every kommune of the country (the national model,
        /// models/norway.toml).
        #[arg(long)]
        all: bool,
        /// The model's name, e.g. "Kristiansund IKL".
        #[arg(long)]
        name: String,
        /// Output model file; its folder's path to models/ is written into it.
        #[arg(long)]
        out: PathBuf,
        /// The facility tables.
        #[arg(long, default_value = "models/data/norway")]
        data: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
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
    /// (internal) one replication of MODEL for DAYS, then print peak memory \[KiB\] and events.
    #[command(hide = true)]
    BenchMemory {
        /// Model.
        model: PathBuf,
        /// Days.
        #[arg(long)]
        days: f64,
    },
}

/// An error with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    /// 1 = bad input, 2 = failure while running or writing, 130 = interrupted.
    pub code: i32,
    /// The error.
    pub error: anyhow::Error,
}

/// Exit code of bad input.
pub const BAD_INPUT: i32 = 1;
/// Exit code of a failure while running or writing.
pub const FAILURE: i32 = 2;
/// Exit code of an interrupted run (128 + SIGINT).
pub const INTERRUPTED: i32 = 130;

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        let error = e.into();
        let code = if error.downcast_ref::<LoadError>().is_some() {
            BAD_INPUT
        } else {
            match error.downcast_ref::<RunError>() {
                Some(RunError::Interrupted) => INTERRUPTED,
                Some(RunError::Sim(_)) => BAD_INPUT,
                _ => FAILURE,
            }
        };
        Failure { code, error }
    }
}

/// Bad input, with a message that names the fix.
pub fn bad_input(msg: impl Into<String>) -> Failure {
    Failure {
        code: BAD_INPUT,
        error: anyhow::anyhow!(msg.into()),
    }
}

/// The whole program: parse `argv`, run, and return the exit code. Errors are printed once, as
/// a chain (`error: what: why`).
pub fn main(argv: Vec<OsString>) -> i32 {
    let cli = match Cli::try_parse_from(&argv) {
        Ok(c) => c,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => BAD_INPUT,
            };
            let _ = e.print();
            return code;
        }
    };
    let argv: Vec<String> = argv
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match commands::run(cli, argv) {
        Ok(()) => 0,
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            f.code
        }
    }
}

//! What each sub-command does: the only place where the layers are wired together.

use super::{Cli, Command, Failure, Format, RunArgs, bad_input};
use crate::analysis::{self, Analysis};
use crate::base::names::file_slug;
use crate::input::experiment::{self, Experiment};
use crate::input::problem::LoadError;
use crate::input::scenario::limits::MAX_REPLICATIONS;
use crate::input::scenario::{self, Scenario, de::parse_toml};
use crate::input::{RunSpec, calibration};
use crate::output::files::{OutputDir, Refused, write_atomic};
use crate::output::report::{self, Manifest};
use crate::output::{console, html, lines, plot};
use crate::run::{self, Shard};
use crate::sim;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Set by Ctrl-C; runs stop at the next replication and write nothing.
static STOP: AtomicBool = AtomicBool::new(false);

fn catch_ctrl_c() {
    // A second handler cannot be installed (tests call `run` many times): ignore that.
    let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::Relaxed));
}

/// Run one command.
pub fn run(cli: Cli, argv: Vec<String>) -> Result<(), Failure> {
    match cli.command {
        Command::Run { model, opts } => run_model(&model, &opts, argv),
        Command::Experiment { file, opts } => run_experiment(&file, &opts, argv),
        Command::Check { files } => check(&files),
        Command::Merge { dirs, out } => merge(&dirs, &out, argv),
        Command::Region {
            kommuner,
            amk,
            all,
            name,
            out,
            data,
            force,
        } => region(
            kommuner.as_deref(),
            amk.as_deref(),
            all,
            &name,
            &out,
            &data,
            force,
        ),
        Command::Serve {
            port,
            bind,
            models,
            threads,
        } => super::serve::serve(super::serve::Options {
            bind,
            port,
            models,
            threads,
        }),
        Command::Kpis => {
            print!("{}", console::kpi_reference());
            Ok(())
        }
        Command::Calibrate {
            file,
            out,
            replications,
            days,
            seed,
            threads,
        } => calibrate(&file, &out, replications, days, seed, threads as usize),
        Command::TravelMatrix {
            model,
            osm,
            out,
            ferry_wait_min,
            ferry_speed_kmh,
            maxspeed_factor,
        } => super::travel::travel_matrix(
            &model,
            &osm,
            out.as_deref(),
            super::travel::Params {
                ferry_wait_min,
                ferry_speed_kmh,
                maxspeed_factor,
            },
        ),
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
            let r = super::bench::run(Path::new("."), quick, &|m| eprintln!("{m}"))?;
            let md = super::bench::markdown(&r);
            write_atomic(&out.join("bench.json"), &report::to_json(&r)?)?;
            write_atomic(&out.join("bench.md"), md.as_bytes())?;
            print!("{md}");
            if update_readme {
                super::bench::update_block(Path::new("README.md"), &md)?;
                println!("updated README.md");
            }
            Ok(())
        }
        Command::BenchMemory { model, days } => {
            super::bench::memory_child(&model, days)?;
            Ok(())
        }
    }
}

/// A path must be valid UTF-8: it is written into JSON files and used in file names.
fn utf8(p: &Path, what: &str) -> Result<(), Failure> {
    if p.to_str().is_none() {
        return Err(bad_input(format!(
            "{what} {} is not valid UTF-8 — rename it, or use a path in UTF-8",
            p.display()
        )));
    }
    Ok(())
}

/// The run length from the options, the file's settings and the defaults, checked.
fn spec_of(opts: &RunArgs, file: Option<&RunSpec>) -> Result<RunSpec, Failure> {
    let d = file.copied().unwrap_or(RunSpec {
        seed: 1,
        days: 365.0,
        warmup_days: 7.0,
        trace: false,
    });
    let spec = RunSpec {
        seed: opts.seed.unwrap_or(d.seed),
        days: opts.days.unwrap_or(d.days),
        warmup_days: opts.warmup_days.unwrap_or(d.warmup_days),
        trace: opts.trace,
    };
    let problems = spec.problems("--days", "--warmup-days");
    if !problems.is_empty() {
        let msg: Vec<String> = problems
            .into_iter()
            .map(|(f, m)| format!("{f} {m}"))
            .collect();
        return Err(bad_input(msg.join("; ")));
    }
    Ok(spec)
}

/// The output folder: `--out`, or `output/<file name without .toml>`.
fn out_dir(opts: &RunArgs, file: &Path) -> Result<PathBuf, Failure> {
    let out = match &opts.out {
        Some(o) => o.clone(),
        None => {
            let stem = file
                .file_stem()
                .and_then(|s| s.to_str())
                .map(file_slug)
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "run".into());
            PathBuf::from("output").join(stem)
        }
    };
    utf8(&out, "--out")?;
    Ok(out)
}

fn threads_used(threads: u64) -> usize {
    if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads as usize
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
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

/// Whether the file run was a model (`run`) or an experiment.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Model,
    Experiment,
}

impl Kind {
    /// The sub-command that runs this kind of file.
    fn command(self) -> &'static str {
        match self {
            Kind::Model => "run",
            Kind::Experiment => "experiment",
        }
    }
}

/// What [`execute`] did: the whole run (its analysis, the output folder as the user named it,
/// the start time) or one shard of it (the folder, the shard).
enum Done {
    Full(Box<Analysis>, PathBuf, Instant),
    Shard(PathBuf, Shard),
}

/// Refuse a run whose load cannot be simulated, naming the set and variant.
fn check_work(exp: &Experiment, kind: Kind, file: &Path) -> Result<(), Failure> {
    let sets: Vec<Option<&str>> = if exp.assumptions.is_empty() {
        vec![None]
    } else {
        exp.assumptions
            .iter()
            .map(|s| Some(s.name.as_str()))
            .collect()
    };
    for (set, variants) in sets.iter().zip(exp.grid()) {
        for v in variants {
            if let Some(msg) = v.scenario.work_problem(&exp.spec) {
                let what = match (kind, set) {
                    (Kind::Model, _) => String::new(),
                    (Kind::Experiment, None) => format!(" variant \"{}\"", v.name),
                    (Kind::Experiment, Some(s)) => {
                        format!(" assumption set \"{s}\", variant \"{}\"", v.name)
                    }
                };
                return Err(bad_input(format!("{}{what}: {msg}", file.display())));
            }
        }
    }
    Ok(())
}

/// Refuse `--trace` on a run whose trace would be enormous (more than
/// [`MAX_TRACE_ROWS`](crate::input::scenario::limits::MAX_TRACE_ROWS) estimated rows), naming
/// the run length and replication count that would fit.
fn check_trace(exp: &Experiment, replications: u64) -> Result<(), Failure> {
    use crate::input::scenario::limits::{MAX_TRACE_ROWS, TRACE_ROWS_PER_PATIENT};
    if !exp.spec.trace {
        return Ok(());
    }
    let total_days = exp.spec.days + exp.spec.warmup_days;
    // Rows per simulated day of one replication of every cell.
    let per_day: f64 = exp
        .cells()
        .map(|v| v.scenario.expected_patients(total_days) / total_days.max(1e-9))
        .sum::<f64>()
        * TRACE_ROWS_PER_PATIENT;
    let rows = per_day * total_days * replications as f64;
    if rows <= MAX_TRACE_ROWS {
        return Ok(());
    }
    let days_fit =
        (MAX_TRACE_ROWS / (per_day * replications as f64) - exp.spec.warmup_days).floor();
    let reps_fit = (MAX_TRACE_ROWS / (per_day * total_days)).floor();
    let one = (MAX_TRACE_ROWS / per_day - exp.spec.warmup_days).floor();
    let fix = if days_fit >= 1.0 {
        format!("give --days {days_fit:.0} or fewer")
    } else if one >= 1.0 {
        format!("give --replications 1 --days {one:.0} or fewer")
    } else {
        "give --replications 1 and a shorter --days and --warmup-days".to_string()
    };
    let or_reps = if reps_fit >= 1.0 && days_fit >= 1.0 {
        format!(", or --replications {reps_fit:.0} or fewer")
    } else {
        String::new()
    };
    let s = if replications == 1 { "" } else { "s" };
    Err(bad_input(format!(
        "--trace: this run would write about {rows:.1e} trace rows ({replications} replication{s} × {total_days} days) — at most {MAX_TRACE_ROWS:.0e} are supported; {fix}{or_reps}, or leave out --trace"
    )))
}

fn create_out(out_path: &Path) -> Result<OutputDir, Failure> {
    OutputDir::create(out_path).map_err(|e| {
        if e.downcast_ref::<Refused>().is_some() {
            bad_input(format!("{e:#}"))
        } else {
            Failure::from(e)
        }
    })
}

/// Run an experiment (a model run is one of one variant), or the shard of it that `--shard`
/// names, write every output into the output folder and put it in place.
fn execute(
    exp: &Experiment,
    kind: Kind,
    file: &Path,
    opts: &RunArgs,
    argv: Vec<String>,
) -> Result<Done, Failure> {
    check_work(exp, kind, file)?;
    let shard = opts.shard.unwrap_or(Shard::ALL);
    check_trace(exp, shard.replications(exp.replications).count() as u64)?;
    catch_ctrl_c();
    let out_path = out_dir(opts, file)?;
    let out = create_out(&out_path)?;
    let reps = shard.replications(exp.replications).count() as u64;
    let bar = progress(reps * exp.cells().count() as u64, opts.quiet);
    let (started, started_unix) = (Instant::now(), unix_now());
    let run_opts = run::Options {
        threads: opts.threads as usize,
        shard,
        on_done: &|| bar.inc(1),
        stop: &STOP,
    };
    let results = run::experiment(exp, &run_opts)?;
    bar.finish_and_clear();
    if let Some(sh) = opts.shard {
        let sf = report::ShardFile {
            version: env!("CARGO_PKG_VERSION").to_string(),
            command: kind.command().to_string(),
            file: file.display().to_string(),
            replications: exp.replications,
            seed: exp.spec.seed,
            days: exp.spec.days,
            warmup_days: exp.spec.warmup_days,
            trace: exp.spec.trace,
            shard: sh.index + 1,
            shards: sh.count,
            inputs: report::hash_inputs(&exp.inputs, &exp.dir)?,
            results,
        };
        out.write("shard.json", &report::to_json(&sf)?)?;
        if STOP.load(Ordering::Relaxed) {
            return Err(run::RunError::Interrupted.into());
        }
        out.commit()?;
        return Ok(Done::Shard(out_path, sh));
    }
    let a = write_outputs(
        exp,
        kind,
        file,
        opts,
        argv,
        &results,
        &out,
        (started, started_unix),
    )?;
    if STOP.load(Ordering::Relaxed) {
        return Err(run::RunError::Interrupted.into());
    }
    out.commit()?;
    Ok(Done::Full(Box::new(a), out_path, started))
}

/// Analyse the results of every (set, variant) cell and write the tables, plots and manifest.
#[allow(clippy::too_many_arguments)]
fn write_outputs(
    exp: &Experiment,
    kind: Kind,
    file: &Path,
    opts: &RunArgs,
    argv: Vec<String>,
    results: &[Vec<sim::ReplicationResult>],
    out: &OutputDir,
    (started, started_unix): (Instant, u64),
) -> Result<Analysis, Failure> {
    let a = analysis::analyse_experiment(exp, results);
    match kind {
        Kind::Model => report::write_run(&a, out)?,
        Kind::Experiment => report::write_experiment(&a, out)?,
    }
    plot::set_model_dir(&exp.dir); // the maps find the boundary tables above the model
    plot::all(&a, out.path())?;
    plot::sweeps(&a, &exp.sweeps, out.path())?;
    let ctx = html::Context {
        command: kind.command(),
        file,
        inputs: &exp.inputs,
        base: &exp.dir,
        description: &exp.description,
    };
    out.write("report.html", &html::render(&a, &ctx, out.path())?)?;
    let manifest = Manifest {
        version: env!("CARGO_PKG_VERSION").to_string(),
        source_revision: report::SOURCE_REVISION.to_string(),
        arguments: argv,
        file: file.display().to_string(),
        seed: a.spec.seed,
        replications: a.replications,
        variants: a.set_variants(0).iter().map(|v| v.name.clone()).collect(),
        assumptions: a.assumptions.clone(),
        threads: threads_used(opts.threads),
        inputs: report::hash_inputs(&exp.inputs, &exp.dir)?,
        events: a.variants.iter().map(|v| v.events).sum(),
        wall_time_s: started.elapsed().as_secs_f64(),
        started_unix_s: started_unix,
    };
    out.write("manifest.json", &report::to_json(&manifest)?)?;
    Ok(a)
}

/// Run an experiment of the teaching page (`akuttsim serve`) into `out`, quietly, with the
/// same checks and outputs as `akuttsim experiment`; `label` names it in the manifest and the
/// report. Returns the analysis and the wall time [s].
pub(super) fn run_served(
    exp: &Experiment,
    label: &Path,
    out: &Path,
    threads: u64,
) -> Result<(Analysis, f64), Failure> {
    let opts = RunArgs {
        replications: None,
        seed: None,
        days: None,
        warmup_days: None,
        threads,
        out: Some(out.to_path_buf()),
        quiet: true,
        trace: false,
        shard: None,
        format: Format::Table,
    };
    let argv = vec!["akuttsim".into(), "serve".into()];
    match execute(exp, Kind::Experiment, label, &opts, argv)? {
        Done::Full(a, _, started) => Ok((*a, started.elapsed().as_secs_f64())),
        Done::Shard(..) => Err(anyhow::anyhow!("a teaching-page run is never a shard").into()),
    }
}

/// The experiment of one model run, with the run options applied.
fn prepare_model(model: &Path, opts: &RunArgs) -> Result<Experiment, Failure> {
    utf8(model, "model")?;
    let spec = spec_of(opts, None)?;
    let replications = opts.replications.unwrap_or(10);
    let scn: Scenario = scenario::load(model)?;
    let dir = model.parent().unwrap_or(Path::new(".")).to_path_buf();
    Ok(Experiment::of_model(scn, spec, replications, dir))
}

/// An experiment file, with the run options applied.
fn prepare_experiment(file: &Path, opts: &RunArgs) -> Result<Experiment, Failure> {
    utf8(file, "experiment file")?;
    let mut exp: Experiment = experiment::load(file)?;
    exp.spec = spec_of(opts, Some(&exp.spec))?;
    if let Some(r) = opts.replications {
        if r < 2 {
            return Err(bad_input(format!(
                "--replications {r} — an experiment needs from 2 to {MAX_REPLICATIONS} (a CI needs two replications)"
            )));
        }
        exp.replications = r;
    }
    Ok(exp)
}

fn shard_done(out_path: &Path, sh: Shard) {
    println!(
        "shard {}/{} written to {}/shard.json; when all {} shards have run: akuttsim merge DIR… --out DIR",
        sh.index + 1,
        sh.count,
        out_path.display(),
        sh.count
    );
}

fn run_model(model: &Path, opts: &RunArgs, argv: Vec<String>) -> Result<(), Failure> {
    let exp = prepare_model(model, opts)?;
    match execute(&exp, Kind::Model, model, opts, argv)? {
        Done::Shard(p, sh) => shard_done(&p, sh),
        Done::Full(a, out_path, started) => print_run(&a, &exp, &out_path, started, opts.format)?,
    }
    Ok(())
}

/// Print the KPI lines of a run or an experiment as JSON or CSV on standard output.
fn print_machine<T: serde::Serialize>(rows: &[T], format: Format) -> anyhow::Result<()> {
    let bytes = match format {
        Format::Json => report::to_json(&rows)?,
        _ => report::to_csv(rows)?,
    };
    std::io::Write::write_all(&mut std::io::stdout().lock(), &bytes)?;
    Ok(())
}

/// Print a line for people: on standard output with the table, else on standard error (so
/// standard output holds only the JSON or CSV).
macro_rules! say {
    ($format:expr, $($arg:tt)*) => {
        if $format == Format::Table { println!($($arg)*) } else { eprintln!($($arg)*) }
    };
}

fn print_run(
    a: &Analysis,
    exp: &Experiment,
    out_path: &Path,
    started: Instant,
    format: Format,
) -> anyhow::Result<()> {
    let s = &a.variants[0].summary;
    say!(
        format,
        "{} — {} replications × {} days (+{} warm-up), seed {}",
        a.name,
        exp.replications,
        exp.spec.days,
        exp.spec.warmup_days,
        exp.spec.seed
    );
    match format {
        Format::Table => print!("{}", console::kpi_table(s)),
        _ => print_machine(&lines::kpi_lines(s), format)?,
    }
    say!(
        format,
        "patients: {} generated, {} completed, {} in the chain at the end; {} events in {:.2} s",
        s.patients.generated,
        s.patients.completed,
        s.patients.in_system_at_end,
        a.variants[0].events,
        started.elapsed().as_secs_f64()
    );
    say!(
        format,
        "wrote {}/ (report.html, summary.json, kpi.csv, plots)",
        out_path.display()
    );
    Ok(())
}

fn run_experiment(file: &Path, opts: &RunArgs, argv: Vec<String>) -> Result<(), Failure> {
    let exp = prepare_experiment(file, opts)?;
    match execute(&exp, Kind::Experiment, file, opts, argv)? {
        Done::Shard(p, sh) => shard_done(&p, sh),
        Done::Full(a, out_path, started) => {
            print_experiment(&a, &exp, &out_path, started, opts.format)?
        }
    }
    Ok(())
}

fn print_experiment(
    a: &Analysis,
    exp: &Experiment,
    out_path: &Path,
    started: Instant,
    format: Format,
) -> anyhow::Result<()> {
    let sets = match exp.assumptions.len() {
        0 => String::new(),
        1 => "1 assumption set × ".to_string(),
        n => format!("{n} assumption sets × "),
    };
    let head = format!(
        "{} — {sets}{} variants × {} replications × {} days (+{} warm-up), seed {}; baseline \"{}\"",
        exp.name,
        exp.variants.len(),
        exp.replications,
        exp.spec.days,
        exp.spec.warmup_days,
        exp.spec.seed,
        exp.baseline().name
    );
    say!(format, "{}", console::wrap(&head).trim_end());
    match format {
        Format::Table => print!("{}", console::comparison_table(a)),
        _ => print_machine(&lines::variant_lines(a), format)?,
    }
    let tail = format!(
        "{} events in {:.2} s; wrote {}/ (report.html, summary.json, kpi.csv, comparison.csv, {}utilisation_by_hour.csv, plots)",
        a.variants.iter().map(|v| v.events).sum::<u64>(),
        started.elapsed().as_secs_f64(),
        out_path.display(),
        if exp.assumptions.is_empty() {
            ""
        } else {
            "robustness.csv, "
        }
    );
    say!(format, "{}", console::wrap(&tail).trim_end());
    Ok(())
}

/// Check each file as what it is: a model, or an experiment (it names a `base`).
fn check(files: &[PathBuf]) -> Result<(), Failure> {
    let mut failed = 0;
    for f in files {
        match check_one(f) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("{e}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        return Err(bad_input(format!(
            "{failed} of {} files have problems (listed above)",
            files.len()
        )));
    }
    Ok(())
}

fn check_one(f: &Path) -> Result<String, LoadError> {
    let text = std::fs::read_to_string(f).map_err(|e| LoadError::io(f, &e))?;
    let table = parse_toml(&text, &f.display().to_string())?;
    if experiment::is_experiment_table(&table) {
        let exp = experiment::load(f)?;
        let sets = match exp.assumptions.len() {
            0 => String::new(),
            n => format!(
                ", {n} assumption set{} ({})",
                if n == 1 { "" } else { "s" },
                exp.assumptions
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return Ok(format!(
            "{}: ok — experiment \"{}\": {} variants ({}){sets}, baseline \"{}\", {} replications × {} days",
            f.display(),
            exp.name,
            exp.variants.len(),
            exp.variants
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            exp.baseline().name,
            exp.replications,
            exp.spec.days
        ));
    }
    let s = scenario::load(f)?;
    Ok(format!(
        "{}: ok — model \"{}\": {} zones ({:.0} inhabitants, {} population points), {} legevaktsentral, {} legevakt stations, {} satellites, AMK {}, {} ambulance stations ({} vehicles), {} hospitals; travel pairs: {}{}",
        f.display(),
        s.name,
        s.zones.len(),
        s.population(),
        s.points.len(),
        s.lvs.len(),
        s.stations.len(),
        s.satellites.len(),
        if s.amk.is_some() { "yes" } else { "no" },
        s.amb_stations.len(),
        s.vehicles.len(),
        s.hospitals.len(),
        s.travel
            .pairs_by_source()
            .iter()
            .map(|(src, n)| format!("{n} {}", src.name()))
            .collect::<Vec<_>>()
            .join(", "),
        s.warnings
            .iter()
            .map(|w| format!("\n  warning: {w}"))
            .collect::<String>()
    ))
}

fn calibrate(
    file: &Path,
    out: &Path,
    replications: u64,
    days: f64,
    seed: u64,
    threads: usize,
) -> Result<(), Failure> {
    let cal = calibration::load(file).map_err(|e| bad_input(format!("{e:#}")))?;
    let spec = RunSpec {
        seed,
        days,
        warmup_days: 7.0,
        trace: false,
    };
    if let Some((f, m)) = spec.problems("--days", "warm-up").into_iter().next() {
        return Err(bad_input(format!("{f} {m}")));
    }
    let dir = file.parent().unwrap_or(Path::new("."));
    let opts = run::Options {
        threads,
        shard: Shard::ALL,
        on_done: &|| {},
        stop: &STOP,
    };
    catch_ctrl_c();
    let mut runs = Vec::new();
    for region in &cal.region {
        let scn = scenario::load(&dir.join(&region.model))?;
        let res = run::replications(&scn, &spec, replications, &opts)?;
        let mut experiments = Vec::new();
        for e in &region.experiment {
            let text = region
                .experiment_model(e)
                .map_err(|err| bad_input(format!("{}: {err:#}", file.display())))?;
            let label = format!("{} [[region.experiment]] {}", file.display(), e.name);
            let variant = scenario::load_str(&text, dir, &label)?;
            let r = run::replications(&variant, &spec, replications, &opts)?;
            experiments.push(analysis::summarise(&variant, &spec, &r));
        }
        runs.push(crate::output::calibration::RegionRun {
            region,
            zones: scn.zones.len(),
            population: scn.population(),
            summary: analysis::summarise(&scn, &spec, &res),
            experiments,
        });
    }
    let md = crate::output::calibration::report(&cal, &runs, replications, days, seed)?;
    write_atomic(out, md.as_bytes())?;
    print!("{md}");
    println!("wrote {}", out.display());
    Ok(())
}

/// Read one shard folder's `shard.json`.
fn read_shard(dir: &Path) -> Result<report::ShardFile, Failure> {
    let f = dir.join("shard.json");
    let file = std::fs::File::open(&f).map_err(|e| {
        bad_input(format!(
            "{}: {e} — give the folders written by `run` or `experiment` with --shard I/N",
            f.display()
        ))
    })?;
    serde_json::from_reader(std::io::BufReader::new(file)).map_err(|e| {
        bad_input(format!(
            "{}: not a shard file ({e}) — give the folders written with --shard I/N",
            f.display()
        ))
    })
}

/// `akuttsim merge`: the shards of one run, checked to be one run split whole, combined in
/// replication order and written as the single run would have written them.
fn merge(dirs: &[PathBuf], out: &Path, argv: Vec<String>) -> Result<(), Failure> {
    let started = (Instant::now(), unix_now());
    let mut shards = Vec::with_capacity(dirs.len());
    for d in dirs {
        shards.push((d, read_shard(d)?));
    }
    let (d0, first) = &shards[0];
    let version = env!("CARGO_PKG_VERSION");
    let same = |s: &report::ShardFile| {
        s.command == first.command
            && s.file == first.file
            && s.replications == first.replications
            && s.seed == first.seed
            && s.days.to_bits() == first.days.to_bits()
            && s.warmup_days.to_bits() == first.warmup_days.to_bits()
            && s.trace == first.trace
            && s.shards == first.shards
            && s.inputs == first.inputs
    };
    let mut seen = vec![None::<&PathBuf>; first.shards as usize];
    for (d, s) in &shards {
        if s.version != version {
            return Err(bad_input(format!(
                "{}: written by akuttsim {}, this is {version} — merge with the version that ran the shards",
                d.display(),
                s.version
            )));
        }
        if !same(s) {
            return Err(bad_input(format!(
                "{} and {} are shards of different runs (file, options, shard count or inputs differ) — merge the shards of one run",
                d0.display(),
                d.display()
            )));
        }
        let slot = &mut seen[(s.shard - 1) as usize];
        if let Some(prev) = slot {
            return Err(bad_input(format!(
                "shard {}/{} is given twice ({} and {}) — give each shard once",
                s.shard,
                s.shards,
                prev.display(),
                d.display()
            )));
        }
        *slot = Some(d);
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, d)| d.is_none())
        .map(|(i, _)| format!("{}/{}", i + 1, first.shards))
        .collect();
    if !missing.is_empty() {
        return Err(bad_input(format!(
            "shard(s) {} missing — run them with --shard and give every folder",
            missing.join(", ")
        )));
    }
    let file = PathBuf::from(&first.file);
    let opts = RunArgs {
        replications: Some(first.replications),
        seed: Some(first.seed),
        days: Some(first.days),
        warmup_days: Some(first.warmup_days),
        threads: 0,
        out: Some(out.to_path_buf()),
        quiet: true,
        trace: first.trace,
        shard: None,
        format: Format::Table,
    };
    let (exp, kind) = match first.command.as_str() {
        "run" => (prepare_model(&file, &opts)?, Kind::Model),
        _ => (prepare_experiment(&file, &opts)?, Kind::Experiment),
    };
    if report::hash_inputs(&exp.inputs, &exp.dir)? != first.inputs {
        return Err(bad_input(format!(
            "{}: the model or experiment files changed since the shards ran — rerun the shards, or restore the files they ran on",
            file.display()
        )));
    }
    let n_shards = first.shards;
    let cells = exp.cells().count();
    let mut results: Vec<Vec<sim::ReplicationResult>> = (0..cells).map(|_| Vec::new()).collect();
    for (d, s) in shards {
        if s.results.len() != cells {
            return Err(bad_input(format!(
                "{}: {} scenarios in the shard, {cells} in {} — rerun the shard",
                d.display(),
                s.results.len(),
                file.display()
            )));
        }
        for (c, r) in s.results.into_iter().enumerate() {
            results[c].extend(r);
        }
    }
    for r in &mut results {
        r.sort_by_key(|x| x.replication);
        let ok = r.len() as u64 == exp.replications
            && r.iter().enumerate().all(|(i, x)| x.replication == i as u64);
        if !ok {
            return Err(bad_input(format!(
                "the shards do not hold replications 0..{} exactly once — rerun them",
                exp.replications
            )));
        }
    }
    let dest = create_out(out)?;
    let a = write_outputs(&exp, kind, &file, &opts, argv, &results, &dest, started)?;
    dest.commit()?;
    match kind {
        Kind::Model => print_run(&a, &exp, out, started.0, Format::Table)?,
        Kind::Experiment => print_experiment(&a, &exp, out, started.0, Format::Table)?,
    }
    println!("merged {n_shards} shards");
    Ok(())
}

/// `akuttsim region`: write a model for a set of kommuner from the facility tables, check that
/// it loads, and list every assumption it had to make.
fn region(
    kommuner: Option<&str>,
    amk: Option<&str>,
    all: bool,
    name: &str,
    out: &Path,
    data: &Path,
    force: bool,
) -> Result<(), Failure> {
    use crate::input::region::generate;
    let ks = match (kommuner, amk) {
        _ if all => generate::all_kommuner(data),
        (_, Some(a)) => generate::amk_kommuner(a, data),
        (Some(k), None) => generate::parse_kommuner(k, data),
        (None, None) => Err(anyhow::anyhow!(
            "give --kommuner 1505,1554,…, --amk NAME or --all"
        )),
    }
    .map_err(|e| bad_input(format!("{e:#}")))?;
    if out.exists() && !force {
        return Err(bad_input(format!(
            "{} exists — it may hold your edits; give another --out, or --force to replace it",
            out.display()
        )));
    }
    if out.extension().is_none_or(|e| e != "toml") {
        return Err(bad_input(format!(
            "--out {} — give a .toml file name",
            out.display()
        )));
    }
    let models = data
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| bad_input("--data must be the models/data/norway folder of a checkout"))?;
    let folder = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)
        .map_err(|e| bad_input(format!("cannot create {}: {e}", folder.display())))?;
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let rel = pathdiff::diff_paths(abs(models), abs(folder)).unwrap_or_else(|| abs(models));
    let rel = rel.to_string_lossy().replace('\\', "/");
    let rel = if rel.is_empty() {
        String::new()
    } else {
        format!("{rel}/")
    };
    let g = generate::region_toml(data, &rel, &ks, name)?;
    let scn = scenario::load_str(&g.toml, folder, &out.display().to_string())?;
    write_atomic(out, g.toml.as_bytes())?;
    println!(
        "wrote {}: \"{name}\" — {} zones ({:.0} inhabitants), {} legevakt stations, {} ambulance stations and bases, {} hospitals; it loads",
        out.display(),
        g.counts.0,
        scn.population(),
        g.counts.1,
        g.counts.2,
        g.counts.3
    );
    for w in &scn.warnings {
        println!("  warning: {w}");
    }
    println!(
        "{} assumptions (each marked [assumption] in the file):",
        g.assumptions.len()
    );
    for a in &g.assumptions {
        println!("  - {a}");
    }
    Ok(())
}

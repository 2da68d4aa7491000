//! `akuttsim serve`: the teaching page. A small HTTP server (tiny_http) on loopback serves one
//! page; each press of "Run" posts the page's settings, and the server runs a short experiment
//! of two variants on common random numbers — the previous settings and the new ones — and
//! answers with their KPIs, the paired differences and the plots of the usual output folder.
//!
//! Every request is checked as the experiment loader checks a file (a request that does not
//! load gets a 400 with the loader's message); the work one request may ask for is bounded
//! ([`MAX_REPLICATIONS`], [`MAX_DAYS`], [`MAX_PATIENTS`]); one run at a time. Each run request
//! is read and answered on a thread of its own, at most [`MAX_RUN_REQUESTS`] at once (503
//! beyond), so a slow or stalled upload never holds up the page and its plots, which the
//! handler threads answer. Only JSON posts with a loopback `Host` are taken when the server
//! listens on loopback (no other web page in the teacher's browser can start runs). Run
//! folders live in a temporary folder, the last [`KEEP_RUNS`] kept, removed when the server
//! stops (Ctrl-C or SIGTERM).

mod knobs;

use super::{BAD_INPUT, Failure};
use crate::base::kpi::Kpi;
use crate::input::experiment;
use crate::input::scenario::{self, overlay};
use crate::output::lines;
use knobs::{Knobs, Settings};
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tiny_http::{Header, Method, Request, Response, Server};

/// Most replications per variant one request may ask for.
pub const MAX_REPLICATIONS: u64 = 20;
/// Most measured days per replication one request may ask for.
pub const MAX_DAYS: f64 = 365.0;
/// Most simulated patients one request may cause (every variant, replication and day, warm-up
/// included): about 20 M events, 3–4 s on the two cores of the benchmark machine (1.5 M
/// patients of Sogn og Fjordane took 0.5 s there, plots included).
pub const MAX_PATIENTS: f64 = 4e6;
/// Run requests in the server at once (being read, waiting or running); 503 beyond.
pub const MAX_RUN_REQUESTS: usize = 5;
/// Run folders kept (older ones are removed).
pub const KEEP_RUNS: u64 = 20;
/// Largest request body accepted [bytes].
const MAX_BODY: u64 = 64 * 1024;
/// Threads answering the page, its models and plots (run requests get threads of their own).
const HANDLERS: usize = 2;
/// Warm-up days of every run on the page.
const WARMUP_DAYS: f64 = 7.0;
/// The KPIs the page shows first (all are in the "every KPI" table below them).
const KEY_KPIS: [Kpi; 12] = [
    Kpi::RedUrban12,
    Kpi::RedRural25,
    Kpi::RedP50Urban,
    Kpi::RedP50Rural,
    Kpi::RedFirstUnit,
    Kpi::YellowP90,
    Kpi::AmbUtil,
    Kpi::AmkWithin10s,
    Kpi::LvsWithin2Min,
    Kpi::Travel40,
    Kpi::WaitP90Green,
    Kpi::CostTotal,
];

/// `akuttsim serve` options.
pub struct Options {
    /// Address to bind (loopback unless told otherwise).
    pub bind: std::net::IpAddr,
    /// Port (0: any free port, printed).
    pub port: u16,
    /// Folder of the models offered.
    pub models: PathBuf,
    /// Worker threads of a run (0 = one per core).
    pub threads: u64,
}

/// A model offered on the page.
struct Offered {
    /// File name in the models folder, e.g. `fjordby.toml`.
    file: String,
    /// Its path.
    path: PathBuf,
    /// Name and description.
    name: String,
    description: String,
    /// The resolved table (variants are built on it).
    table: overlay::ModelTable,
    /// What the page can change.
    knobs: Knobs,
    /// Expected patients per simulated day (the work bound).
    patients_per_day: f64,
}

/// What the page lists for a model.
#[derive(Serialize)]
struct ModelInfo<'a> {
    file: &'a str,
    name: &'a str,
    description: &'a str,
    knobs: &'a Knobs,
    patients_per_day: f64,
    /// Longest run of `MAX_REPLICATIONS`… the page offers: days × replications that fit.
    max_replication_days: f64,
}

/// The page's defaults and limits.
#[derive(Serialize)]
struct Limits {
    max_replications: u64,
    max_days: f64,
    max_patients: f64,
    max_ambulances: u32,
    max_extra_doctors: u32,
    demand_growth_percent: (f64, f64),
    default_replications: u64,
    default_days: f64,
    default_seed: u64,
    warmup_days: f64,
}

/// A press of "Run".
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunRequest {
    /// File name of an offered model.
    model: String,
    /// The settings of the previous run (none: the model as it is).
    #[serde(default)]
    previous: Option<Settings>,
    /// The settings to try.
    settings: Settings,
    /// Replications per variant.
    replications: Option<u64>,
    /// Measured days per replication.
    days: Option<f64>,
    /// Base seed.
    seed: Option<u64>,
}

/// The answer to a run.
#[derive(Serialize)]
struct RunAnswer {
    run: u64,
    model: String,
    replications: u64,
    days: f64,
    warmup_days: f64,
    seed: u64,
    events: u64,
    wall_time_s: f64,
    /// KPI names shown first.
    key: Vec<&'static str>,
    /// Every KPI line of both variants ("previous run" is the baseline).
    lines: Vec<lines::VariantLine>,
    /// Plot URLs by role.
    plots: std::collections::BTreeMap<&'static str, String>,
    /// The full report of the run (with the model's stated assumptions and the sources).
    report: String,
}

/// Shared server state.
struct State {
    models: Vec<Offered>,
    limits: Limits,
    runs: PathBuf,
    next_run: AtomicU64,
    running: Mutex<()>,
    /// Run requests in the server now.
    run_requests: AtomicUsize,
    threads: u64,
    /// Listening on loopback: only requests addressed to a loopback host are answered.
    loopback: bool,
}

/// An HTTP answer before it is sent.
struct Answer {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Answer {
    fn json<T: Serialize>(status: u16, v: &T) -> Answer {
        match serde_json::to_vec_pretty(v) {
            Ok(body) => Answer {
                status,
                content_type: "application/json; charset=utf-8",
                body,
            },
            Err(e) => Answer::error(500, &format!("could not write the answer: {e}")),
        }
    }

    /// `{"error": message}` with a status.
    fn error(status: u16, message: &str) -> Answer {
        let body = serde_json::json!({ "error": message })
            .to_string()
            .into_bytes();
        Answer {
            status,
            content_type: "application/json; charset=utf-8",
            body,
        }
    }
}

/// Run the server until Ctrl-C.
pub fn serve(opts: Options) -> Result<(), Failure> {
    let models = offered_models(&opts.models)?;
    let server = Server::http((opts.bind, opts.port)).map_err(|e| Failure {
        code: super::FAILURE,
        error: anyhow::anyhow!(
            "cannot listen on {}:{}: {e} — choose another --port (0 = any free port)",
            opts.bind,
            opts.port
        ),
    })?;
    let runs = tempfile::Builder::new()
        .prefix("akuttsim-serve-")
        .tempdir()
        .map_err(|e| anyhow::anyhow!("cannot create a folder for the runs: {e}"))?
        .keep();
    {
        let runs = runs.clone();
        // Ctrl-C: remove the run folders, then stop (a run in progress is abandoned).
        let _ = ctrlc::set_handler(move || {
            let _ = std::fs::remove_dir_all(&runs);
            eprintln!("akuttsim serve: stopped; removed {}", runs.display());
            std::process::exit(super::INTERRUPTED);
        });
    }
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| anyhow::anyhow!("the server has no IP address"))?;
    if !opts.bind.is_loopback() {
        eprintln!(
            "warning: listening on {} — anyone who can reach this machine can run simulations here",
            opts.bind
        );
    }
    eprintln!(
        "akuttsim serve: {} models from {}; runs in {} (removed when the server stops)",
        models.len(),
        opts.models.display(),
        runs.display()
    );
    println!("akuttsim serve: open http://{addr}/ (Ctrl-C to stop)");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let state = Arc::new(State {
        models,
        limits: Limits {
            max_replications: MAX_REPLICATIONS,
            max_days: MAX_DAYS,
            max_patients: MAX_PATIENTS,
            max_ambulances: knobs::MAX_AMBULANCES,
            max_extra_doctors: knobs::MAX_EXTRA_DOCTORS,
            demand_growth_percent: knobs::DEMAND_GROWTH_RANGE,
            default_replications: 10,
            default_days: 90.0,
            default_seed: 1,
            warmup_days: WARMUP_DAYS,
        },
        runs,
        next_run: AtomicU64::new(1),
        running: Mutex::new(()),
        run_requests: AtomicUsize::new(0),
        threads: opts.threads,
        loopback: opts.bind.is_loopback(),
    });
    let server = Arc::new(server);
    let handlers: Vec<_> = (0..HANDLERS)
        .map(|_| {
            let (server, state) = (server.clone(), state.clone());
            std::thread::spawn(move || {
                for req in server.incoming_requests() {
                    if req.method() == &Method::Post && req.url() == "/api/run" {
                        take_run(&state, req);
                    } else {
                        answer(&state, req);
                    }
                }
            })
        })
        .collect();
    for h in handlers {
        let _ = h.join();
    }
    Ok(())
}

/// Every model file of the folder that loads (experiment and calibration files are skipped).
fn offered_models(dir: &Path) -> Result<Vec<Offered>, Failure> {
    let entries = std::fs::read_dir(dir).map_err(|e| Failure {
        code: BAD_INPUT,
        error: anyhow::anyhow!(
            "--models {}: {e} — give the folder of the model files (models/ in the project)",
            dir.display()
        ),
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let Ok(table) = overlay::read_model(&path) else {
            continue;
        };
        let t = &table.table;
        let is_model = t.contains_key("zones") || t.contains_key("zone_sources");
        if experiment::is_experiment_table(t) || !is_model {
            continue; // not a model (calibration.toml, experiment files)
        }
        let scn = match scenario::load(&path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("warning: {} is not offered: {e}", path.display());
                continue;
            }
        };
        out.push(Offered {
            file: path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            knobs: Knobs::of(&table),
            name: scn.name.clone(),
            description: scn.description.clone(),
            patients_per_day: scn.expected_patients(1.0),
            path,
            table,
        });
    }
    if out.is_empty() {
        return Err(Failure {
            code: BAD_INPUT,
            error: anyhow::anyhow!(
                "--models {}: no model file there loads — give the folder of the model files (models/ in the project)",
                dir.display()
            ),
        });
    }
    Ok(out)
}

/// Take a run request onto a thread of its own, or refuse it (503) when
/// [`MAX_RUN_REQUESTS`] are in the server already.
fn take_run(state: &Arc<State>, req: Request) {
    let n = state.run_requests.fetch_add(1, Ordering::SeqCst);
    if n >= MAX_RUN_REQUESTS {
        state.run_requests.fetch_sub(1, Ordering::SeqCst);
        let a = Answer::error(
            503,
            &format!("{n} runs are in the server already — try again in a few seconds"),
        );
        let _ = req.respond(response(a));
        return;
    }
    let state = state.clone();
    let spawned = std::thread::Builder::new()
        .name("run request".into())
        .spawn(move || {
            answer(&state, req);
            state.run_requests.fetch_sub(1, Ordering::SeqCst);
        });
    if spawned.is_err() {
        // no thread to be had: the request is dropped with its connection
        eprintln!("warning: no thread for a run request");
    }
}

/// An answer as tiny_http sends it.
fn response(a: Answer) -> Response<std::io::Cursor<Vec<u8>>> {
    let mut resp = Response::from_data(a.body).with_status_code(a.status);
    for (k, v) in [
        ("Content-Type", a.content_type),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
    ] {
        if let Ok(h) = Header::from_bytes(k, v) {
            resp.add_header(h);
        }
    }
    if a.status == 405
        && let Ok(h) = Header::from_bytes("Allow", "GET, HEAD, POST")
    {
        resp.add_header(h);
    }
    resp
}

/// Answer one request; a panic in a handler becomes a 500, never a dead server.
fn answer(state: &State, mut req: Request) {
    let a = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| route(state, &mut req)))
        .unwrap_or_else(|_| Answer::error(500, "internal error (a bug: please report it)"));
    let _ = req.respond(response(a));
}

/// The value of a request header (first of that name).
fn header<'a>(req: &'a Request, name: &'static str) -> Option<&'a str> {
    req.headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

/// Is the request addressed to a loopback host (`127.0.0.1:…`, `localhost:…`, `[::1]:…`)? A
/// page elsewhere that resolves its own name to 127.0.0.1 (DNS rebinding) sends its own name.
fn loopback_host(req: &Request) -> bool {
    let Some(host) = header(req, "Host") else {
        return false;
    };
    let name = match host.rsplit_once(':') {
        Some((n, port)) if port.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => host,
    };
    matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

fn route(state: &State, req: &mut Request) -> Answer {
    let url = req.url().split('?').next().unwrap_or("").to_string();
    if state.loopback && !loopback_host(req) {
        return Answer::error(
            403,
            "this server answers only pages opened as http://127.0.0.1:PORT/ or http://localhost:PORT/",
        );
    }
    let method = match req.method() {
        Method::Head => &Method::Get, // tiny_http leaves the body out of a HEAD answer
        m => m,
    };
    match (method, url.as_str()) {
        (Method::Get, "/") => Answer {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: include_str!("page.html").as_bytes().to_vec(),
        },
        (Method::Get, "/api/models") => {
            let models: Vec<ModelInfo> = state
                .models
                .iter()
                .map(|m| ModelInfo {
                    file: &m.file,
                    name: &m.name,
                    description: &m.description,
                    knobs: &m.knobs,
                    patients_per_day: m.patients_per_day,
                    max_replication_days: MAX_PATIENTS / (2.0 * m.patients_per_day.max(1e-9)),
                })
                .collect();
            Answer::json(
                200,
                &serde_json::json!({ "models": models, "limits": &state.limits }),
            )
        }
        (Method::Post, "/api/run") => {
            let json = header(req, "Content-Type")
                .is_some_and(|t| t.trim().starts_with("application/json"));
            if !json {
                return Answer::error(
                    415,
                    "send the run as Content-Type: application/json, as the page does",
                );
            }
            match read_body(req) {
                Ok(body) => run(state, &body),
                Err(a) => a,
            }
        }
        (Method::Get, u) if u.starts_with("/runs/") => run_file(state, u),
        (_, "/" | "/api/models" | "/api/run") => Answer::error(405, "method not allowed"),
        _ => Answer::error(404, "not found — the page is at /"),
    }
}

fn read_body(req: &mut Request) -> Result<Vec<u8>, Answer> {
    let too_large = || Answer::error(413, &format!("request larger than {MAX_BODY} bytes"));
    if req.body_length().is_some_and(|n| n as u64 > MAX_BODY) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    req.as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body)
        .map_err(|e| Answer::error(400, &format!("cannot read the request: {e}")))?;
    if body.len() as u64 > MAX_BODY {
        return Err(too_large());
    }
    Ok(body)
}

/// A file of a run folder: `/runs/<n>/<file>`, nothing else.
fn run_file(state: &State, url: &str) -> Answer {
    let mut parts = url.trim_start_matches("/runs/").splitn(2, '/');
    let (Some(n), Some(file)) = (parts.next(), parts.next()) else {
        return Answer::error(404, "not found");
    };
    let safe = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    if n.parse::<u64>().is_err() || !safe(file) {
        return Answer::error(404, "not found");
    }
    let content_type = match file.rsplit('.').next() {
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("html") => "text/html; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        Some("json") => "application/json; charset=utf-8",
        _ => return Answer::error(404, "not found"),
    };
    match std::fs::read(state.runs.join(n).join(file)) {
        Ok(body) => Answer {
            status: 200,
            content_type,
            body,
        },
        Err(_) => Answer::error(
            404,
            "no such run file (the server keeps the last 20 runs) — press Run again",
        ),
    }
}

/// A press of "Run": check, run the two variants, answer with the KPIs and plots.
fn run(state: &State, body: &[u8]) -> Answer {
    let mut de = serde_json::Deserializer::from_slice(body);
    let req: RunRequest = match serde_path_to_error::deserialize(&mut de) {
        Ok(r) => r,
        Err(e) => {
            let at = e.path().to_string();
            return Answer::error(
                400,
                &format!(
                    "request{}: {} — send {{\"model\": FILE, \"settings\": {{…}}}} as the page does",
                    if at == "." {
                        String::new()
                    } else {
                        format!(" {at}")
                    },
                    e.into_inner()
                ),
            );
        }
    };
    let exp = match build(state, &req) {
        Ok(e) => e,
        Err(msg) => return Answer::error(400, &msg),
    };
    let _lock = state.running.lock().unwrap_or_else(|e| e.into_inner());
    let id = state.next_run.fetch_add(1, Ordering::SeqCst);
    if id > KEEP_RUNS {
        let _ = std::fs::remove_dir_all(state.runs.join((id - KEEP_RUNS).to_string()));
    }
    let out = state.runs.join(id.to_string());
    let label = PathBuf::from(format!("teaching page run {id} ({})", req.model));
    match super::commands::run_served(&exp, &label, &out, state.threads) {
        Ok((a, wall)) => {
            let lines = lines::variant_lines(&a);
            let this = a
                .set_variants(0)
                .iter()
                .find(|v| v.name == THIS)
                .map(|v| v.slug.clone())
                .unwrap_or_default();
            let url = |f: &str| format!("/runs/{id}/{f}");
            let plots = [
                ("differences", "differences.svg".to_string()),
                ("kpi_targets", "kpi_targets.svg".into()),
                ("response_cdf", "response_cdf.svg".into()),
                ("utilisation_by_hour", "utilisation_by_hour.svg".into()),
                ("map_response", format!("map_response_{this}.svg")),
            ]
            .into_iter()
            .filter(|(_, f)| out.join(f).exists())
            .map(|(role, f)| (role, url(&f)))
            .collect();
            Answer::json(
                200,
                &RunAnswer {
                    run: id,
                    model: req.model.clone(),
                    replications: exp.replications,
                    days: exp.spec.days,
                    warmup_days: exp.spec.warmup_days,
                    seed: exp.spec.seed,
                    events: a.variants.iter().map(|v| v.events).sum(),
                    wall_time_s: wall,
                    key: KEY_KPIS.iter().map(|k| k.def().name).collect(),
                    lines,
                    plots,
                    report: url("report.html"),
                },
            )
        }
        Err(f) if f.code == BAD_INPUT => Answer::error(400, &format!("{:#}", f.error)),
        Err(f) => Answer::error(500, &format!("{:#}", f.error)),
    }
}

/// Variant names on the page.
const PREVIOUS: &str = "previous run";
const THIS: &str = "this run";

/// The experiment of a request, checked as the loader checks a file; the message names the fix.
fn build(state: &State, req: &RunRequest) -> Result<experiment::Experiment, String> {
    let Some(m) = state.models.iter().find(|m| m.file == req.model) else {
        return Err(format!(
            "model \"{}\" is not offered — use one of: {}",
            req.model,
            state
                .models
                .iter()
                .map(|m| m.file.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    let replications = req
        .replications
        .unwrap_or(state.limits.default_replications);
    if !(2..=MAX_REPLICATIONS).contains(&replications) {
        return Err(format!(
            "replications = {replications} — give from 2 (a CI needs two) to {MAX_REPLICATIONS} on this page; run `akuttsim experiment` for more"
        ));
    }
    let days = req.days.unwrap_or(state.limits.default_days);
    if !(1.0..=MAX_DAYS).contains(&days) {
        return Err(format!(
            "days = {days} — give from 1 to {MAX_DAYS} on this page; run `akuttsim experiment` for longer runs"
        ));
    }
    let seed = req.seed.unwrap_or(state.limits.default_seed);
    let Ok(seed) = i64::try_from(seed) else {
        return Err(format!("seed = {seed} — give from 0 to {}", i64::MAX));
    };
    let previous = req.previous.clone().unwrap_or_default();
    m.knobs.check(&previous, "previous")?;
    m.knobs.check(&req.settings, "settings")?;
    // A first, cheap estimate (demand growth scaling every patient: an upper bound for the
    // growth's share) refuses a far too big run before the variants are loaded.
    let growth = |s: &Settings| 1.0 + s.demand_growth_percent.max(0.0) / 100.0;
    let rep_days = replications as f64 * (days + WARMUP_DAYS);
    let rough = m.patients_per_day * rep_days * (growth(&previous) + growth(&req.settings));
    if rough > 2.0 * MAX_PATIENTS {
        return Err(too_much(rough, rep_days));
    }
    let mut t = toml::Table::new();
    t.insert("name".into(), format!("Teaching page: {}", m.name).into());
    t.insert(
        "description".into(),
        format!(
            "The settings of the teaching page's previous run against its new ones, on {} (common random numbers).",
            m.file
        )
        .into(),
    );
    t.insert("base".into(), m.file.clone().into()); // relative to the models folder
    t.insert("replications".into(), (replications as i64).into());
    t.insert("days".into(), days.into());
    t.insert("warmup_days".into(), WARMUP_DAYS.into());
    t.insert("seed".into(), seed.into());
    t.insert("baseline".into(), PREVIOUS.into());
    t.insert(
        "variants".into(),
        toml::Value::Array(vec![
            m.knobs.variant(&m.table, PREVIOUS, &previous).into(),
            m.knobs.variant(&m.table, THIS, &req.settings).into(),
        ]),
    );
    let dir = m.path.parent().unwrap_or(Path::new("."));
    let exp = experiment::load_table(t, &format!("request on {}", m.file), dir, Vec::new())
        .map_err(|e| format!("{e}"))?;
    let patients: f64 = exp
        .cells()
        .map(|v| v.scenario.expected_patients(days + WARMUP_DAYS))
        .sum::<f64>()
        * replications as f64;
    if patients > MAX_PATIENTS {
        return Err(too_much(patients, rep_days));
    }
    Ok(exp)
}

/// The refusal of a run that would simulate `patients` over `rep_days` replication-days.
fn too_much(patients: f64, rep_days: f64) -> String {
    let fit = (MAX_PATIENTS / (patients / rep_days)).floor();
    format!(
        "this run would simulate about {patients:.0} patients — the page allows {MAX_PATIENTS:.0} per run; make replications × (days + {WARMUP_DAYS}) at most {fit:.0}, or run `akuttsim experiment` for a big one"
    )
}

//! Experiments: a base model, named variants (overrides, another model file, demand growth,
//! extra ambulances) and parameter sweeps, run with common random numbers and compared with
//! paired differences.
//!
//! Every variant's replication *r* uses the same seed, so it sees the same latent needs (times,
//! places, urgencies) and the same per-patient draws: differences between variants come from
//! structure, not luck, and the paired confidence intervals are narrow.

use crate::kpi::KPI_DEFS;
use crate::report::{self, InputHash};
use crate::runner::{self, Summary};
use crate::scenario::validate::{
    Problems, anchor_paths, de, de_array, merge, parse_toml, resolve_extends,
};
use crate::scenario::{self, LoadError, Problem, Scenario};
use crate::sim::{self, ReplicationResult, RunSpec};
use crate::stats::{self, Difference};
use anyhow::Context;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A variant as written in an experiment file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVariant {
    /// Unique name.
    pub name: String,
    /// Another model file instead of the base (relative to the experiment file).
    pub model: Option<String>,
    /// Overlay on the base (or on `model`): same merge rules as `extends`.
    pub overrides: Option<toml::Table>,
    /// Demand growth [%]: a number for both channels, or `{ calls_116117 = …, calls_113 = … }`.
    pub demand_growth_percent: Option<toml::Value>,
    /// Extra road ambulances: `{ "Station name" = N }` — copies of the station's first vehicle.
    pub add_ambulances: Option<BTreeMap<String, u32>>,
}

/// A parameter sweep: one variant per value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSweep {
    /// Name, used in variant names ("name = value").
    pub name: String,
    /// Field path in the base scenario, e.g. `ambulance_stations["Ambulanse Molde"].vehicles[0].count`.
    pub field: String,
    /// Values to try.
    pub values: Vec<toml::Value>,
}

/// Run settings of an experiment file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    name: String,
    description: Option<String>,
    base: String,
    replications: Option<u64>,
    days: Option<f64>,
    warmup_days: Option<f64>,
    seed: Option<u64>,
    baseline: Option<String>,
}

/// A validated experiment: scenarios ready to run.
pub struct Experiment {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Replications per variant.
    pub replications: u64,
    /// Run length.
    pub spec: RunSpec,
    /// Variants in order; index `baseline` is the baseline.
    pub variants: Vec<(String, Scenario)>,
    /// Index of the baseline variant.
    pub baseline: usize,
    /// Every input file.
    pub inputs: Vec<PathBuf>,
}

fn scenario_problem(prefix: &str, e: LoadError, p: &mut Problems) {
    match e {
        LoadError::Invalid { file, problems } => {
            for q in problems {
                p.push(
                    format!("{prefix} → {}", q.path),
                    format!("{} ({file})", q.message),
                );
            }
        }
        LoadError::Io { file, source } => p.push(prefix, format!("cannot read {file}: {source}")),
    }
}

impl Experiment {
    /// Read and check an experiment file (every problem at once).
    pub fn load(path: &Path) -> Result<Experiment, LoadError> {
        let label = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| LoadError::Io {
            file: label.clone(),
            source: e,
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut table = parse_toml(&text, &label)?;
        let mut p = Problems::default();
        let variants_raw: Vec<(Option<String>, Option<RawVariant>)> =
            de_array(table.remove("variants"), "variants", &mut p);
        let sweeps_raw: Vec<(Option<String>, Option<RawSweep>)> =
            de_array(table.remove("sweeps"), "sweeps", &mut p);
        const KNOWN: [&str; 8] = [
            "name",
            "description",
            "base",
            "replications",
            "days",
            "warmup_days",
            "seed",
            "baseline",
        ];
        let unknown: Vec<String> = table
            .keys()
            .filter(|k| !KNOWN.contains(&k.as_str()))
            .cloned()
            .collect();
        for k in unknown {
            table.remove(&k);
            p.push(
                k.clone(),
                format!("unknown field `{k}` — expected one of {}, [[variants]], [[sweeps]]; remove it or correct the spelling", KNOWN.join(", ")),
            );
        }
        let settings: Option<RawSettings> = de(toml::Value::Table(table), "experiment", &mut p);
        let mut inputs = vec![path.to_path_buf()];
        let Some(st) = settings else {
            return Err(LoadError::Invalid {
                file: label,
                problems: p.0,
            });
        };
        let replications = st.replications.unwrap_or(20);
        if replications < 2 {
            p.push(
                "replications",
                format!("{replications} — give at least 2 (a CI needs two replications)"),
            );
        }
        let days = st.days.unwrap_or(365.0);
        if !(days.is_finite() && days > 0.0) {
            p.push("days", format!("{days} — give a number of days > 0"));
        }
        let warmup = st.warmup_days.unwrap_or(7.0);
        if !(warmup.is_finite() && warmup >= 0.0) {
            p.push(
                "warmup_days",
                format!("{warmup} — give a number of days ≥ 0"),
            );
        }
        // The base as a merged table.
        let base_path = dir.join(&st.base);
        let base_table = match std::fs::read_to_string(&base_path) {
            Ok(t) => {
                let bdir = base_path.parent().unwrap_or(Path::new("."));
                let blabel = base_path.display().to_string();
                match parse_toml(&t, &blabel)
                    .and_then(|tb| resolve_extends(tb, bdir, &blabel, &mut inputs, 0))
                {
                    Ok(mut tb) => {
                        anchor_paths(&mut tb, bdir);
                        inputs.push(base_path.clone());
                        Some(tb)
                    }
                    Err(e) => {
                        scenario_problem("base", e, &mut p);
                        None
                    }
                }
            }
            Err(e) => {
                p.push("base", format!("cannot read \"{}\": {e} — give the model path relative to the experiment file", base_path.display()));
                None
            }
        };
        let Some(base_table) = base_table else {
            return Err(LoadError::Invalid {
                file: label,
                problems: p.0,
            });
        };
        // Each variant's table.
        let mut tables: Vec<(String, String, toml::Table)> = Vec::new(); // (name, path label, table)
        if variants_raw.is_empty() && sweeps_raw.is_empty() {
            tables.push(("base".into(), "base".into(), base_table.clone()));
        }
        for (i, (_, v)) in variants_raw.iter().enumerate() {
            let Some(v) = v else { continue };
            let vp = format!("variants[{i}]");
            let mut t = match &v.model {
                None => base_table.clone(),
                Some(m) => {
                    let mp = dir.join(m);
                    match std::fs::read_to_string(&mp) {
                        Ok(text) => {
                            let mdir = mp.parent().unwrap_or(Path::new("."));
                            let ml = mp.display().to_string();
                            match parse_toml(&text, &ml)
                                .and_then(|tb| resolve_extends(tb, mdir, &ml, &mut inputs, 0))
                            {
                                Ok(mut tb) => {
                                    anchor_paths(&mut tb, mdir);
                                    inputs.push(mp);
                                    tb
                                }
                                Err(e) => {
                                    scenario_problem(&format!("{vp}.model"), e, &mut p);
                                    continue;
                                }
                            }
                        }
                        Err(e) => {
                            p.push(format!("{vp}.model"), format!("cannot read \"{}\": {e} — give a path relative to the experiment file", mp.display()));
                            continue;
                        }
                    }
                }
            };
            if let Some(o) = &v.overrides {
                merge(&mut t, o.clone(), &format!("{vp}.overrides"), &mut p);
            }
            if let Some(g) = &v.demand_growth_percent {
                apply_growth(&mut t, g, &format!("{vp}.demand_growth_percent"), &mut p);
            }
            if let Some(a) = &v.add_ambulances {
                for (station, n) in a {
                    add_ambulances(
                        &mut t,
                        station,
                        *n,
                        &format!("{vp}.add_ambulances[\"{station}\"]"),
                        &mut p,
                    );
                }
            }
            tables.push((v.name.clone(), vp, t));
        }
        for (i, (_, s)) in sweeps_raw.iter().enumerate() {
            let Some(s) = s else { continue };
            if s.values.is_empty() {
                p.push(
                    format!("sweeps[{i}].values"),
                    "no values — give a list, e.g. values = [1, 2, 3]",
                );
            }
            for (j, val) in s.values.iter().enumerate() {
                let mut t = base_table.clone();
                let shown = match val {
                    toml::Value::String(x) => x.clone(),
                    other => other.to_string(),
                };
                if let Err(e) = set_path_in(&mut t, &s.field, val.clone()) {
                    p.push(format!("sweeps[{i}].field"), format!("\"{}\": {e} — give a path like ambulance_stations[\"Name\"].vehicles[0].count", s.field));
                    break;
                }
                tables.push((
                    format!("{} = {shown}", s.name),
                    format!("sweeps[{i}].values[{j}]"),
                    t,
                ));
            }
        }
        // Names unique.
        for i in 0..tables.len() {
            for j in 0..i {
                if tables[i].0 == tables[j].0 {
                    p.push(
                        tables[i].1.clone(),
                        format!(
                            "variant name \"{}\" is used twice — names must be unique",
                            tables[i].0
                        ),
                    );
                }
            }
        }
        // Validate every variant's scenario (all problems of all variants).
        let mut variants = Vec::new();
        for (name, vp, t) in tables {
            match scenario::validate::load_table(
                t,
                dir,
                &format!("{label} {vp} (\"{name}\")"),
                Vec::new(),
            ) {
                Ok(s) => {
                    inputs.extend(s.inputs.iter().cloned());
                    variants.push((name, s));
                }
                Err(e) => scenario_problem(&format!("{vp} (\"{name}\")"), e, &mut p),
            }
        }
        let baseline = match &st.baseline {
            None => 0,
            Some(b) => match variants.iter().position(|(n, _)| n == b) {
                Some(i) => i,
                None => {
                    p.push(
                        "baseline",
                        format!("\"{b}\" is not a variant — use one of the variant names"),
                    );
                    0
                }
            },
        };
        if !p.0.is_empty() {
            return Err(LoadError::Invalid {
                file: label,
                problems: p.0,
            });
        }
        inputs.sort();
        inputs.dedup();
        Ok(Experiment {
            name: st.name,
            description: st.description.unwrap_or_default(),
            replications,
            spec: RunSpec {
                seed: st.seed.unwrap_or(1),
                days,
                warmup_days: warmup,
                trace: false,
            },
            variants,
            baseline,
            inputs,
        })
    }
}

/// Set a field of a scenario table by path, e.g. `ambulance_stations["Ambulanse Molde"].vehicles[0].count`:
/// keys separated by dots, `["Name"]` picks the entry of a list by its name, `[i]` by position.
/// The field must exist (a sweep changes a value, it does not invent one).
pub fn set_path_in(t: &mut toml::Table, path: &str, value: toml::Value) -> Result<(), String> {
    let mut root = toml::Value::Table(std::mem::take(t));
    let r = set_value(&mut root, path, value);
    if let toml::Value::Table(tb) = root {
        *t = tb;
    }
    r
}

fn set_value(root: &mut toml::Value, path: &str, value: toml::Value) -> Result<(), String> {
    let mut cur = root;
    let mut rest = path;
    loop {
        // Next segment.
        let (seg, after): (String, &str);
        if let Some(r) = rest.strip_prefix("[\"") {
            let end = r.find("\"]").ok_or("unclosed [\"…\"]")?;
            let name = &r[..end];
            let next = &r[end + 2..];
            cur = cur
                .as_array_mut()
                .and_then(|a| {
                    a.iter_mut()
                        .find(|e| e.get("name").and_then(|x| x.as_str()) == Some(name))
                })
                .ok_or(format!("no entry named \"{name}\""))?;
            rest = next.strip_prefix('.').unwrap_or(next);
            if rest.is_empty() {
                return Err("a path must end with a field name".into());
            }
            continue;
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').ok_or("unclosed […]")?;
            let i: usize = r[..end]
                .parse()
                .map_err(|_| format!("\"{}\" is not an index", &r[..end]))?;
            let next = &r[end + 1..];
            let a = cur.as_array_mut().ok_or("not a list")?;
            let len = a.len();
            let slot = a
                .get_mut(i)
                .ok_or(format!("no entry [{i}] (the list has {len})"))?;
            if next.is_empty() {
                *slot = value;
                return Ok(());
            }
            cur = slot;
            rest = next.strip_prefix('.').unwrap_or(next);
            continue;
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            seg = rest[..end].to_string();
            after = &rest[end..];
        }
        let tb = cur
            .as_table_mut()
            .ok_or(format!("`{seg}` is not inside a table"))?;
        if after.is_empty() {
            if !tb.contains_key(&seg) {
                return Err(format!("no field `{seg}` to change"));
            }
            tb.insert(seg, value);
            return Ok(());
        }
        cur = tb.get_mut(&seg).ok_or(format!("no field `{seg}`"))?;
        rest = after.strip_prefix('.').unwrap_or(after);
    }
}

fn apply_growth(t: &mut toml::Table, g: &toml::Value, path: &str, p: &mut Problems) {
    let growth: Vec<(&str, f64)> = match g {
        toml::Value::Integer(x) => vec![("calls_116117", *x as f64), ("calls_113", *x as f64)],
        toml::Value::Float(x) => vec![("calls_116117", *x), ("calls_113", *x)],
        toml::Value::Table(m) => {
            let mut v = Vec::new();
            for (k, x) in m {
                let ch = match k.as_str() {
                    "calls_116117" => "calls_116117",
                    "calls_113" => "calls_113",
                    _ => {
                        p.push(
                            format!("{path}.{k}"),
                            "unknown channel — use calls_116117 or calls_113",
                        );
                        continue;
                    }
                };
                match x.as_float().or(x.as_integer().map(|i| i as f64)) {
                    Some(f) => v.push((ch, f)),
                    None => p.push(format!("{path}.{k}"), "expected a number of per cent"),
                }
            }
            v
        }
        _ => {
            p.push(
                path,
                "expected a number of per cent, or { calls_116117 = …, calls_113 = … }",
            );
            return;
        }
    };
    for (ch, pct) in growth {
        if !(pct.is_finite() && pct > -100.0) {
            p.push(path, format!("{pct} — growth must be > −100 %"));
            continue;
        }
        let f = 1.0 + pct / 100.0;
        let rates = t
            .get_mut("demand")
            .and_then(|d| d.get_mut(ch))
            .and_then(|c| c.get_mut("per_1000_per_year"))
            .and_then(|r| r.as_table_mut());
        if let Some(rates) = rates {
            for (_, v) in rates.iter_mut() {
                if let Some(x) = v.as_float().or(v.as_integer().map(|i| i as f64)) {
                    *v = toml::Value::Float(x * f);
                }
            }
        }
    }
}

fn add_ambulances(t: &mut toml::Table, station: &str, n: u32, path: &str, p: &mut Problems) {
    let st = t
        .get_mut("ambulance_stations")
        .and_then(|a| a.as_array_mut())
        .and_then(|a| {
            a.iter_mut()
                .find(|e| e.get("name").and_then(|x| x.as_str()) == Some(station))
        });
    let Some(st) = st else {
        p.push(
            path,
            format!(
                "no ambulance station named \"{station}\" — use a name from [[ambulance_stations]]"
            ),
        );
        return;
    };
    let Some(vs) = st.get_mut("vehicles").and_then(|v| v.as_array_mut()) else {
        p.push(path, "the station has no vehicles list to copy");
        return;
    };
    let Some(first) = vs.first().cloned() else {
        p.push(path, "the station has no vehicle to copy");
        return;
    };
    if n == 0 {
        p.push(path, "0 — give the number of ambulances to add (≥ 1)");
        return;
    }
    let mut copy = first;
    if let Some(tb) = copy.as_table_mut() {
        tb.insert("count".into(), toml::Value::Integer(n as i64));
    }
    vs.push(copy);
}

/// Results of all variants.
pub struct ExperimentResult {
    /// Per variant, replications in order.
    pub results: Vec<Vec<ReplicationResult>>,
    /// Per variant summary (as `run` writes).
    pub summaries: Vec<Summary>,
}

/// Run all variants × replications on one rayon pool; results in (variant, replication) order.
pub fn run(
    exp: &Experiment,
    threads: usize,
    on_done: &(dyn Fn() + Sync),
) -> anyhow::Result<ExperimentResult> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let nv = exp.variants.len();
    let r = exp.replications;
    let flat: Vec<ReplicationResult> = pool.install(|| {
        (0..nv as u64 * r)
            .into_par_iter()
            .map(|k| {
                let (v, rep) = ((k / r) as usize, k % r);
                let res = sim::run(&exp.variants[v].1, &exp.spec, rep);
                on_done();
                res
            })
            .collect()
    });
    let mut results: Vec<Vec<ReplicationResult>> = Vec::with_capacity(nv);
    let mut it = flat.into_iter();
    for _ in 0..nv {
        results.push(it.by_ref().take(r as usize).collect());
    }
    let summaries = exp
        .variants
        .iter()
        .zip(&results)
        .map(|((_, s), res)| runner::summarise(s, &exp.spec, res))
        .collect();
    Ok(ExperimentResult { results, summaries })
}

/// One row of `comparison.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonRow {
    /// Variant.
    pub variant: String,
    /// KPI name.
    pub kpi: String,
    /// Baseline mean.
    pub baseline_mean: Option<f64>,
    /// Variant mean.
    pub variant_mean: Option<f64>,
    /// Paired mean difference (variant − baseline).
    pub difference: Option<f64>,
    /// Paired 95 % CI, low.
    pub ci95_low: Option<f64>,
    /// Paired 95 % CI, high.
    pub ci95_high: Option<f64>,
    /// Unit.
    pub unit: String,
    /// Unpaired (Welch) 95 % CI, low — for comparison.
    pub unpaired_ci95_low: Option<f64>,
    /// Unpaired (Welch) 95 % CI, high.
    pub unpaired_ci95_high: Option<f64>,
    /// Replication pairs used.
    pub pairs: usize,
}

/// Paired comparisons of every variant against the baseline, every KPI.
pub fn compare(exp: &Experiment, res: &ExperimentResult) -> Vec<ComparisonRow> {
    let b = exp.baseline;
    let mut rows = Vec::new();
    for (v, (name, _)) in exp.variants.iter().enumerate() {
        if v == b {
            continue;
        }
        for (k, def) in KPI_DEFS.iter().enumerate() {
            let bv: Vec<Option<f64>> = res.results[b].iter().map(|r| r.kpis[k]).collect();
            let vv: Vec<Option<f64>> = res.results[v].iter().map(|r| r.kpis[k]).collect();
            let pd: Option<Difference> = stats::paired_difference(&bv, &vv);
            let wd = stats::welch_difference(&bv, &vv);
            rows.push(ComparisonRow {
                variant: name.clone(),
                kpi: def.name.to_string(),
                baseline_mean: res.summaries[b].kpi[def.name].mean,
                variant_mean: res.summaries[v].kpi[def.name].mean,
                difference: pd.map(|d| d.mean),
                ci95_low: pd.map(|d| d.ci95_low),
                ci95_high: pd.map(|d| d.ci95_high),
                unit: def.unit.to_string(),
                unpaired_ci95_low: wd.map(|d| d.ci95_low),
                unpaired_ci95_high: wd.map(|d| d.ci95_high),
                pairs: pd.map_or(0, |d| d.n),
            });
        }
    }
    rows
}

/// One row of `kpi.csv`.
#[derive(Debug, Serialize)]
pub struct KpiRow<'a> {
    /// Variant.
    pub variant: &'a str,
    /// Replication.
    pub replication: u64,
    /// KPI name.
    pub kpi: &'a str,
    /// Value (empty when undefined).
    pub value: Option<f64>,
}

/// One row of `utilisation_by_hour.csv`.
#[derive(Debug, Serialize)]
pub struct HourRow<'a> {
    /// Variant.
    pub variant: &'a str,
    /// Pool (servers of one role at one place).
    pub pool: &'a str,
    /// Role of the pool.
    pub role: &'a str,
    /// Hour of the week, 0 = Monday 00–01.
    pub hour_of_week: usize,
    /// Busy server-hours per week, mean over replications and weeks.
    pub busy_server_hours_per_week: f64,
    /// Scheduled server-hours per week.
    pub scheduled_server_hours_per_week: f64,
    /// Busy ÷ scheduled (empty when nobody is scheduled).
    pub utilisation: Option<f64>,
}

/// `summary.json` of an experiment: variants in file order.
pub struct ExperimentSummary<'a> {
    exp: &'a Experiment,
    res: &'a ExperimentResult,
}

impl Serialize for ExperimentSummary<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Variants<'b>(&'b Experiment, &'b ExperimentResult);
        impl Serialize for Variants<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.variants.len()))?;
                for ((n, _), sum) in self.0.variants.iter().zip(&self.1.summaries) {
                    m.serialize_entry(n, sum)?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("experiment", &self.exp.name)?;
        m.serialize_entry("description", &self.exp.description)?;
        m.serialize_entry("seed", &self.exp.spec.seed)?;
        m.serialize_entry("replications", &self.exp.replications)?;
        m.serialize_entry("horizon_days", &self.exp.spec.days)?;
        m.serialize_entry("warmup_days", &self.exp.spec.warmup_days)?;
        m.serialize_entry("baseline", &self.exp.variants[self.exp.baseline].0)?;
        m.serialize_entry("variants", &Variants(self.exp, self.res))?;
        m.end()
    }
}

/// Write every output of an experiment into `out` (atomically, file by file).
pub fn write_outputs(exp: &Experiment, res: &ExperimentResult, out: &Path) -> anyhow::Result<()> {
    report::write_atomic(
        &out.join("summary.json"),
        &report::to_json(&ExperimentSummary { exp, res })?,
    )?;
    let mut kpi_rows = Vec::new();
    for ((name, _), rs) in exp.variants.iter().zip(&res.results) {
        for r in rs {
            for (k, def) in KPI_DEFS.iter().enumerate() {
                kpi_rows.push(KpiRow {
                    variant: name,
                    replication: r.replication,
                    kpi: def.name,
                    value: r.kpis[k],
                });
            }
        }
    }
    report::write_atomic(&out.join("kpi.csv"), &report::to_csv(&kpi_rows)?)?;
    report::write_atomic(
        &out.join("comparison.csv"),
        &report::to_csv(&compare(exp, res))?,
    )?;
    let weeks = exp.spec.days / 7.0;
    let mut hour_rows = Vec::new();
    for ((name, _), rs) in exp.variants.iter().zip(&res.results) {
        let n = rs.len() as f64;
        for (pi, hp) in rs[0].hourly.iter().enumerate() {
            for h in 0..168 {
                let b: f64 = rs.iter().map(|r| r.hourly[pi].busy_h[h]).sum::<f64>() / n / weeks;
                let c: f64 =
                    rs.iter().map(|r| r.hourly[pi].scheduled_h[h]).sum::<f64>() / n / weeks;
                hour_rows.push(HourRow {
                    variant: name,
                    pool: &hp.pool,
                    role: hp.role,
                    hour_of_week: h,
                    busy_server_hours_per_week: b,
                    scheduled_server_hours_per_week: c,
                    utilisation: (c > 0.0).then(|| b / c),
                });
            }
        }
    }
    report::write_atomic(
        &out.join("utilisation_by_hour.csv"),
        &report::to_csv(&hour_rows)?,
    )?;
    #[derive(Serialize)]
    struct StationRowV<'a> {
        variant: &'a str,
        replication: u64,
        station: String,
        vehicles: u32,
        missions_per_year: f64,
        utilisation: f64,
        standby_share: f64,
    }
    let mut st_rows = Vec::new();
    for ((name, _), rs) in exp.variants.iter().zip(&res.results) {
        for r in report::station_rows(rs, exp.spec.days) {
            st_rows.push(StationRowV {
                variant: name,
                replication: r.replication,
                station: r.station,
                vehicles: r.vehicles,
                missions_per_year: r.missions_per_year,
                utilisation: r.utilisation,
                standby_share: r.standby_share,
            });
        }
    }
    if !st_rows.is_empty() {
        report::write_atomic(
            &out.join("ambulance_stations.csv"),
            &report::to_csv(&st_rows)?,
        )?;
    }
    crate::plot::experiment_plots(exp, res, out).context("plots")?;
    Ok(())
}

/// Manifest of an experiment run.
#[derive(Serialize)]
pub struct ExperimentManifest {
    /// akuttsim version.
    pub version: String,
    /// Command line.
    pub arguments: Vec<String>,
    /// Base seed.
    pub seed: u64,
    /// Replications per variant.
    pub replications: u64,
    /// Variants.
    pub variants: Vec<String>,
    /// Threads (timing field).
    pub threads: usize,
    /// Inputs with SHA-256.
    pub inputs: Vec<InputHash>,
    /// Events processed.
    pub events: u64,
    /// Wall time [s] (timing field).
    pub wall_time_s: f64,
    /// Start [s since the Unix epoch] (timing field).
    pub started_unix_s: u64,
}

/// Problems as plain strings (for tests).
pub fn problems_of(e: &LoadError) -> Vec<Problem> {
    match e {
        LoadError::Invalid { problems, .. } => problems.clone(),
        LoadError::Io { .. } => Vec::new(),
    }
}

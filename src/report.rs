//! Writing results: JSON and CSV files written atomically (temporary name, then rename), the
//! run manifest, and the KPI table printed to the terminal.

use crate::kpi::KPI_DEFS;
use crate::runner::Summary;
use anyhow::Context;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `bytes` to `path` atomically: a crash or Ctrl-C leaves either the old file or the new
/// one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output folder {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Serialize as pretty JSON with a trailing newline.
pub fn to_json<T: Serialize>(v: &T) -> anyhow::Result<Vec<u8>> {
    let mut b = serde_json::to_vec_pretty(v)?;
    b.push(b'\n');
    Ok(b)
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

/// One input file and its hash.
#[derive(Debug, Serialize)]
pub struct InputHash {
    /// Path as given.
    pub path: String,
    /// SHA-256, hex.
    pub sha256: String,
}

/// `manifest.json`: how a result was produced.
#[derive(Debug, Serialize)]
pub struct Manifest {
    /// akuttsim version.
    pub version: String,
    /// Command line.
    pub arguments: Vec<String>,
    /// Base seed.
    pub seed: u64,
    /// Replications.
    pub replications: u64,
    /// Threads used (timing field: not part of the result).
    pub threads: usize,
    /// Input files with their SHA-256.
    pub inputs: Vec<InputHash>,
    /// Events processed, all replications.
    pub events: u64,
    /// Wall time [s] (timing field).
    pub wall_time_s: f64,
    /// Start of the run [s since the Unix epoch] (timing field).
    pub started_unix_s: u64,
}

/// Hash every input.
pub fn hash_inputs(paths: &[PathBuf]) -> anyhow::Result<Vec<InputHash>> {
    paths
        .iter()
        .map(|p| {
            Ok(InputHash {
                path: p.display().to_string(),
                sha256: sha256_file(p)?,
            })
        })
        .collect()
}

fn fmt_val(x: Option<f64>, unit: &str) -> String {
    match x {
        None => "–".into(),
        Some(v) if unit == "share" => format!("{v:.3}"),
        Some(v) if v.abs() >= 100.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
    }
}

/// The KPI table as text: value, 95 % CI, target, unit, national reference.
pub fn kpi_table(s: &Summary) -> String {
    let mut rows: Vec<[String; 6]> = vec![[
        "KPI".into(),
        "mean".into(),
        "95 % CI".into(),
        "target".into(),
        "unit".into(),
        "national figure".into(),
    ]];
    for def in KPI_DEFS {
        let e = &s.kpi[def.name];
        if e.n == 0 && def.target.is_none() {
            continue; // nothing to show, e.g. no red patients at legevakt
        }
        let ci = match (e.ci95_low, e.ci95_high) {
            (Some(a), Some(b)) => format!(
                "{} – {}",
                fmt_val(Some(a), def.unit),
                fmt_val(Some(b), def.unit)
            ),
            _ => "–".into(),
        };
        let target = def
            .target
            .map(|t| {
                format!(
                    "{} {}",
                    if t.at_least { "≥" } else { "≤" },
                    fmt_val(Some(t.value), def.unit)
                )
            })
            .unwrap_or_default();
        rows.push([
            def.name.into(),
            fmt_val(e.mean, def.unit),
            ci,
            target,
            def.unit.into(),
            def.reference.into(),
        ]);
    }
    let w: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (i, r) in rows.iter().enumerate() {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, v)| {
                let pad = w[c] - v.chars().count();
                if c == 1 || c == 2 {
                    format!("{}{}", " ".repeat(pad), v)
                } else {
                    format!("{}{}", v, " ".repeat(pad))
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
        if i == 0 {
            out.push_str(&"-".repeat(w.iter().sum::<usize>() + 10));
            out.push('\n');
        }
    }
    out
}

/// Serialize rows as CSV (header from the struct's field names).
pub fn to_csv<T: Serialize>(rows: &[T]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))
}

/// One row of `ambulance_stations.csv`.
#[derive(Debug, Serialize)]
pub struct StationRow {
    /// Replication index.
    pub replication: u64,
    /// Station name.
    pub station: String,
    /// Vehicles at the station.
    pub vehicles: u32,
    /// Missions started per year of the measured period [missions/year].
    pub missions_per_year: f64,
    /// Vehicle time on missions ÷ vehicle time on duty [share].
    pub utilisation: f64,
    /// 1 − utilisation [share].
    pub standby_share: f64,
}

/// Rows of `ambulance_stations.csv` for a set of replications.
pub fn station_rows(results: &[crate::sim::ReplicationResult], days: f64) -> Vec<StationRow> {
    let years = days / crate::time::DAYS_PER_YEAR;
    let mut rows = Vec::new();
    for r in results {
        for s in &r.amb_stations {
            let u = if s.duty_h > 0.0 {
                s.busy_h / s.duty_h
            } else {
                f64::NAN
            };
            rows.push(StationRow {
                replication: r.replication,
                station: s.name.clone(),
                vehicles: s.vehicles,
                missions_per_year: s.missions as f64 / years,
                utilisation: u,
                standby_share: 1.0 - u,
            });
        }
    }
    rows
}

/// Rows of the trace files, with the replication index.
#[derive(Debug, Serialize)]
pub struct TraceTransitionRow {
    /// Replication.
    pub replication: u64,
    /// Vehicle index.
    pub vehicle: u32,
    /// Time [min since start].
    pub t_min: f64,
    /// From state.
    pub from: crate::sim::ambulance::VState,
    /// To state.
    pub to: crate::sim::ambulance::VState,
}

/// One red response in `trace_responses.csv`.
#[derive(Debug, Serialize)]
pub struct TraceResponseRow {
    /// Replication.
    pub replication: u64,
    /// 113 call rang [min].
    pub t_ring_min: f64,
    /// Ambulance notified [min].
    pub t_notified_min: f64,
    /// On scene [min].
    pub t_on_scene_min: f64,
    /// Response incl. AMK [min].
    pub response_min: f64,
    /// Vehicle.
    pub vehicle: u32,
}

/// Key KPIs of an experiment: value per variant and paired difference vs the baseline.
pub fn comparison_table(
    exp: &crate::experiment::Experiment,
    res: &crate::experiment::ExperimentResult,
) -> String {
    let key = [
        "lvs_answered_within_2min_share",
        "legevakt_wait_p90_min_green",
        "legevakt_travel_within_40min_population_share",
        "legevakt_doctor_utilisation",
        "satellite_consultations",
        "needs_suppressed_by_distance_per_1000",
        "amk_answered_within_10s_share",
        "red_response_within_12min_urban_share",
        "red_response_within_25min_rural_share",
        "red_first_on_scene_within_target_share",
        "red_events_with_doctor_share",
        "ambulance_missions_per_1000",
        "ambulance_utilisation",
    ];
    let rows = crate::experiment::compare(exp, res);
    let mut out = String::new();
    for (v, (name, _)) in exp.variants.iter().enumerate() {
        out.push_str(&format!(
            "\n{}{}\n",
            name,
            if v == exp.baseline { " (baseline)" } else { "" }
        ));
        for k in key {
            let def = KPI_DEFS.iter().find(|d| d.name == k).expect("known KPI");
            let e = &res.summaries[v].kpi[k];
            if e.n == 0 {
                continue;
            }
            let diff = rows
                .iter()
                .find(|r| r.variant == *name && r.kpi == k)
                .and_then(|r| Some((r.difference?, r.ci95_low?, r.ci95_high?)))
                .map(|(d, l, h)| {
                    format!(
                        "   Δ {} [{} – {}]",
                        fmt_val(Some(d), def.unit),
                        fmt_val(Some(l), def.unit),
                        fmt_val(Some(h), def.unit)
                    )
                })
                .unwrap_or_default();
            out.push_str(&format!(
                "  {:<48} {:>9} {}{}\n",
                k,
                fmt_val(e.mean, def.unit),
                def.unit,
                diff
            ));
        }
    }
    out
}

/// Every KPI as a Markdown table (the reference printed by `akuttsim kpis`).
pub fn kpi_reference() -> String {
    let mut s = String::from(
        "| KPI | unit | target | published figure | meaning | source |\n|---|---|---|---|---|---|\n",
    );
    for d in KPI_DEFS {
        let target = d
            .target
            .map(|t| format!("{} {}", if t.at_least { "≥" } else { "≤" }, t.value))
            .unwrap_or_default();
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            d.name, d.unit, target, d.reference, d.description, d.source
        ));
    }
    s
}

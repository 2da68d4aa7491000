//! The calibration report: simulated vs published figures for the shipped regional models.
//!
//! `models/calibration.toml` lists, per model, the published figures to compare with (value,
//! label, source) and what explains the difference; `akuttsim calibrate` runs each model and
//! writes `models/CALIBRATION.md`. The numbers in the report are always from a fresh run.

use crate::kpi::KPI_DEFS;
use crate::runner;
use crate::scenario;
use crate::sim::RunSpec;
use anyhow::Context;
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::Path;

/// The calibration file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationFile {
    /// Regions to report.
    pub region: Vec<Region>,
    /// Parameters tuned to get closer to published figures.
    #[serde(default)]
    pub tuned: Vec<Tuned>,
}

/// One region.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Model file, relative to the calibration file.
    pub model: String,
    /// Heading.
    pub label: String,
    /// Figures to compare.
    pub figure: Vec<Figure>,
}

/// One published figure.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// KPI name (as in summary.json).
    pub kpi: String,
    /// Published value, in the KPI's unit.
    pub published: f64,
    /// What the published value is (place, year).
    pub label: String,
    /// Where it comes from.
    pub source: String,
    /// What explains the difference.
    pub explanation: String,
}

/// A tuned parameter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tuned {
    /// Which parameter, in which file.
    pub parameter: String,
    /// Value used.
    pub value: String,
    /// Sourced, or calibrated (and against what).
    pub how: String,
}

fn fmt(x: f64, unit: &str) -> String {
    if unit == "share" {
        format!("{:.1} %", x * 100.0)
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// Run every region and build the Markdown report.
pub fn report(
    file: &Path,
    replications: u64,
    days: f64,
    seed: u64,
    threads: usize,
) -> anyhow::Result<String> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let cal: CalibrationFile = toml::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: {} — see models/calibration.toml for the format",
            file.display(),
            e.message()
        )
    })?;
    let dir = file.parent().unwrap_or(Path::new("."));
    let spec = RunSpec {
        seed,
        days,
        warmup_days: 7.0,
        trace: false,
    };
    let mut out = String::new();
    writeln!(out, "# Calibration report\n")?;
    writeln!(
        out,
        "Simulated vs published figures for the shipped regional models. Regenerate with\n`cargo run --release -- calibrate` (akuttsim {}, {} replications × {} days after 7 warm-up days, seed {}).\nShares are shown in per cent; the simulated value is the mean with its 95 % CI over replications;\n\"difference\" is simulated − published. Published figures are for whole health regions or for\nNorway unless the label says otherwise, so a district may legitimately differ.\n",
        env!("CARGO_PKG_VERSION"),
        replications,
        days,
        seed
    )?;
    for region in &cal.region {
        let path = dir.join(&region.model);
        let scn = scenario::load(&path)?;
        let res = runner::run_replications(&scn, &spec, replications, threads, &|| {})?;
        let sum = runner::summarise(&scn, &spec, &res);
        writeln!(out, "## {}\n", region.label)?;
        writeln!(
            out,
            "Model: `models/{}` — {} zones, {:.0} inhabitants.\n",
            region.model,
            scn.zones.len(),
            scn.population()
        )?;
        writeln!(
            out,
            "| figure | simulated (95 % CI) | published | difference | explanation |"
        )?;
        writeln!(out, "|---|---|---|---|---|")?;
        for f in &region.figure {
            let def = KPI_DEFS
                .iter()
                .find(|d| d.name == f.kpi)
                .with_context(|| format!("{}: unknown KPI {}", file.display(), f.kpi))?;
            let e = &sum.kpi[def.name];
            let (sim, diff) = match e.mean {
                Some(m) => {
                    let ci = match (e.ci95_low, e.ci95_high) {
                        (Some(a), Some(b)) => {
                            format!(" ({} – {})", fmt(a, def.unit), fmt(b, def.unit))
                        }
                        _ => String::new(),
                    };
                    let d = m - f.published;
                    let ds = if def.unit == "share" {
                        format!("{:+.1} pp", d * 100.0)
                    } else {
                        format!("{d:+.1}")
                    };
                    (format!("{}{}", fmt(m, def.unit), ci), ds)
                }
                None => ("–".into(), "–".into()),
            };
            let unit = if def.unit == "share" {
                String::new()
            } else {
                format!(" {}", def.unit)
            };
            writeln!(
                out,
                "| `{}` | {}{} | {}{} — {} ({}) | {} | {} |",
                def.name,
                sim,
                unit,
                fmt(f.published, def.unit),
                unit,
                f.label,
                f.source,
                diff,
                f.explanation
            )?;
        }
        writeln!(out)?;
    }
    if !cal.tuned.is_empty() {
        writeln!(out, "## Parameters tuned\n")?;
        writeln!(out, "| parameter | value | sourced or calibrated |")?;
        writeln!(out, "|---|---|---|")?;
        for t in &cal.tuned {
            writeln!(out, "| {} | {} | {} |", t.parameter, t.value, t.how)?;
        }
        writeln!(out)?;
    }
    Ok(out)
}

//! The calibration report (`models/CALIBRATION.md`): simulated vs published figures, from
//! fresh runs of the regional models.

use crate::analysis::Summary;
use crate::base::kpi::KPI_DEFS;
use crate::input::calibration::{CalibrationFile, Region};
use anyhow::Context;
use std::fmt::Write as _;

fn fmt(x: f64, unit: &str) -> String {
    if unit == "share" {
        format!("{:.1} %", x * 100.0)
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// One region's run, for the report.
pub struct RegionRun<'a> {
    /// The region of the calibration file.
    pub region: &'a Region,
    /// Zones of its model.
    pub zones: usize,
    /// Inhabitants of its model.
    pub population: f64,
    /// Its summary.
    pub summary: Summary,
}

/// Build the Markdown report.
pub fn report(
    cal: &CalibrationFile,
    runs: &[RegionRun],
    replications: u64,
    days: f64,
    seed: u64,
) -> anyhow::Result<String> {
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
    for run in runs {
        let region = run.region;
        let sum = &run.summary;
        writeln!(out, "## {}\n", region.label)?;
        writeln!(
            out,
            "Model: `models/{}` — {} zones, {:.0} inhabitants.\n",
            region.model, run.zones, run.population
        )?;
        writeln!(
            out,
            "| figure | simulated (95 % CI) | published | difference | explanation |"
        )?;
        writeln!(out, "|---|---|---|---|---|")?;
        for f in &region.figure {
            let def = KPI_DEFS.iter().find(|d| d.name == f.kpi).with_context(|| {
                format!(
                    "calibration file: unknown KPI {} — use a name from `akuttsim kpis`",
                    f.kpi
                )
            })?;
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

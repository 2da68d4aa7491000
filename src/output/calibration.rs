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
    /// The summary of each of the region's experiments, in file order.
    pub experiments: Vec<Summary>,
}

/// "value (low – high)" of a KPI in a summary, in the KPI's unit; "–" when it has no value.
fn value_ci(sum: &Summary, name: &str, unit: &str) -> (Option<f64>, String) {
    let e = &sum.kpi[name];
    match e.mean {
        Some(m) => {
            let ci = match (e.ci95_low, e.ci95_high) {
                (Some(a), Some(b)) => format!(" ({} – {})", fmt(a, unit), fmt(b, unit)),
                _ => String::new(),
            };
            (Some(m), format!("{}{}", fmt(m, unit), ci))
        }
        None => (None, "–".into()),
    }
}

/// simulated − published, in pp for shares.
fn diff(d: f64, unit: &str) -> String {
    if unit == "share" {
        format!("{:+.1} pp", d * 100.0)
    } else {
        format!("{d:+.1}")
    }
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
        "Simulated vs published figures for the whole-AMK-area models. Regenerate with\n`cargo run --release -- calibrate` (akuttsim {}, {} replications × {} days after 7 warm-up days, seed {});\n`cargo test` checks that this file is what that command writes.\nShares are shown in per cent; the simulated value is the mean with its 95 % CI over replications;\n\"difference\" is simulated − published. The label says where a published figure is not for the\nsame area, year or definition. \"Measured\" is the same model with one cause removed or changed\n(the experiments of models/calibration.toml, on the same seed: the same patients).\n",
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
            "| figure | simulated (95 % CI) | published | difference | measured: the same run with one cause removed | explanation |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        for f in &region.figure {
            let def = KPI_DEFS.iter().find(|d| d.name == f.kpi).with_context(|| {
                format!(
                    "calibration file: unknown KPI {} — use a name from `akuttsim kpis`",
                    f.kpi
                )
            })?;
            let (m, sim) = value_ci(sum, def.name, def.unit);
            let difference = m.map_or("–".into(), |m| diff(m - f.published, def.unit));
            let mut measured = Vec::new();
            for name in &f.experiments {
                let i = region
                    .experiment
                    .iter()
                    .position(|e| &e.name == name)
                    .expect("checked when the calibration file was loaded");
                let (m, v) = value_ci(&run.experiments[i], def.name, def.unit);
                let d = m.map_or("–".into(), |m| diff(m - f.published, def.unit));
                measured.push(format!(
                    "{}: {v} (difference {d})",
                    region.experiment[i].label
                ));
            }
            let measured = if measured.is_empty() {
                "–".to_string()
            } else {
                measured.join("; ")
            };
            let unit = if def.unit == "share" {
                String::new()
            } else {
                format!(" {}", def.unit)
            };
            writeln!(
                out,
                "| `{}` | {}{} | {}{} — {} ({}) | {} | {} | {} |",
                def.name,
                sim,
                unit,
                fmt(f.published, def.unit),
                unit,
                f.label,
                f.source,
                difference,
                measured,
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

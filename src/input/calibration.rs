//! The calibration file (`models/calibration.toml`): which models to compare with which
//! published figures, and which parameters were tuned.

use anyhow::Context;
use serde::Deserialize;
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

/// Read the calibration file.
pub fn load(file: &Path) -> anyhow::Result<CalibrationFile> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    toml::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: {} — see models/calibration.toml for the format",
            file.display(),
            e.message()
        )
    })
}

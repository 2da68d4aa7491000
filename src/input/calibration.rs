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
    /// Experiments that measure the cause of a difference: the model with overrides, run on the
    /// same seed (the same patients).
    #[serde(default)]
    pub experiment: Vec<Experiment>,
}

/// One calibration experiment: the region's model with some keys overridden.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// Short name, referred to by the figures' `experiments`.
    pub name: String,
    /// What it changes, in words (shown in the report).
    pub label: String,
    /// Keys to override, as in a model file (tables merge; `[[…]]` entries by name, with
    /// `remove = true` to drop one).
    pub overrides: toml::Table,
}

impl Region {
    /// The model text of experiment `e`: the region's model extended by the overrides.
    pub fn experiment_model(&self, e: &Experiment) -> anyhow::Result<String> {
        let mut t = e.overrides.clone();
        t.insert("extends".into(), toml::Value::String(self.model.clone()));
        t.entry("name")
            .or_insert_with(|| toml::Value::String(format!("{} — {}", self.label, e.label)));
        toml::to_string(&t).with_context(|| format!("calibration experiment {}", e.name))
    }
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
    /// Names of the region's experiments whose value of this KPI the report shows.
    #[serde(default)]
    pub experiments: Vec<String>,
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
    let cal: CalibrationFile = toml::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: {} — see models/calibration.toml for the format",
            file.display(),
            e.message()
        )
    })?;
    for (i, r) in cal.region.iter().enumerate() {
        for (j, f) in r.figure.iter().enumerate() {
            for name in &f.experiments {
                anyhow::ensure!(
                    r.experiment.iter().any(|e| &e.name == name),
                    "{}: region[{i}].figure[{j}].experiments names \"{name}\", which is not an \
                     experiment of this region — add [[region.experiment]] name = \"{name}\" or \
                     remove it from the list",
                    file.display()
                );
            }
        }
    }
    Ok(cal)
}

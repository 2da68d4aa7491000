//! Result files: `summary.json`, the tidy CSV tables and `manifest.json`, from the analysis
//! structs only.

use super::files::OutputDir;
use crate::analysis::{Analysis, Summary};
use anyhow::Context;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The source revision this binary was built from (`git describe`), or "unknown" outside a
/// git checkout.
pub const SOURCE_REVISION: &str = git_version::git_version!(
    args = ["--always", "--dirty=-modified", "--abbrev=12"],
    fallback = "unknown"
);

/// Serialize as pretty JSON with a trailing newline.
pub fn to_json<T: Serialize>(v: &T) -> anyhow::Result<Vec<u8>> {
    let mut b = serde_json::to_vec_pretty(v)?;
    b.push(b'\n');
    Ok(b)
}

/// Serialize rows as CSV (header from the struct's field names).
pub fn to_csv<T: Serialize>(rows: &[T]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

/// One input file and its hash.
#[derive(Debug, Serialize)]
pub struct InputHash {
    /// Path relative to the folder of the model or experiment file that was run.
    pub path: String,
    /// SHA-256, hex.
    pub sha256: String,
}

/// Hash every input; paths are recorded relative to `base` (the folder of the file run), so a
/// manifest does not depend on where the repository is checked out.
pub fn hash_inputs(paths: &[PathBuf], base: &Path) -> anyhow::Result<Vec<InputHash>> {
    let base = std::path::absolute(base).unwrap_or_else(|_| base.to_path_buf());
    let mut out: Vec<InputHash> = paths
        .iter()
        .map(|p| {
            let abs = std::path::absolute(p).unwrap_or_else(|_| p.clone());
            let rel = pathdiff::diff_paths(&abs, &base).unwrap_or(abs);
            Ok(InputHash {
                path: normalise(&rel),
                sha256: sha256_file(p)?,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup_by(|a, b| a.path == b.path);
    Ok(out)
}

/// A relative path with `/` separators and no `./`.
fn normalise(p: &Path) -> String {
    let s: Vec<String> = p
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    s.join("/")
}

/// `manifest.json`: how a result was produced.
#[derive(Debug, Serialize)]
pub struct Manifest {
    /// akuttsim version (bumped when results change; see CHANGELOG.md).
    pub version: String,
    /// Source revision the binary was built from.
    pub source_revision: String,
    /// Command line.
    pub arguments: Vec<String>,
    /// The file that was run, relative to the working folder.
    pub file: String,
    /// Base seed.
    pub seed: u64,
    /// Replications (per variant).
    pub replications: u64,
    /// Variants (one for a run).
    pub variants: Vec<String>,
    /// Threads used (timing field: not part of the result).
    pub threads: usize,
    /// Input files with their SHA-256, relative to the folder of the file run.
    pub inputs: Vec<InputHash>,
    /// Events processed, all replications.
    pub events: u64,
    /// Wall time \[s\] (timing field).
    pub wall_time_s: f64,
    /// Start of the run [s since the Unix epoch] (timing field).
    pub started_unix_s: u64,
}

/// `summary.json` of an experiment: its settings and each variant's summary, in file order.
#[derive(Serialize)]
struct ExperimentSummary<'a> {
    experiment: &'a str,
    description: &'a str,
    seed: u64,
    replications: u64,
    horizon_days: f64,
    warmup_days: f64,
    baseline: &'a str,
    variants: Variants<'a>,
}

struct Variants<'a>(&'a Analysis);

impl Serialize for Variants<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.variants.len()))?;
        for v in &self.0.variants {
            m.serialize_entry(&v.name, &v.summary)?;
        }
        m.end()
    }
}

/// The `summary.json` of a run (one variant).
pub fn run_summary(a: &Analysis) -> &Summary {
    &a.variants[0].summary
}

/// Write the files of a run: `summary.json`, `kpi.csv`, `ambulance_stations.csv`,
/// `utilisation_by_hour.csv`.
pub fn write_run(a: &Analysis, out: &OutputDir) -> anyhow::Result<()> {
    out.write("summary.json", &to_json(run_summary(a))?)?;
    write_tables(a, out)
}

/// Write the files of an experiment: `summary.json`, `kpi.csv`, `comparison.csv`,
/// `utilisation_by_hour.csv`, `ambulance_stations.csv`.
pub fn write_experiment(a: &Analysis, out: &OutputDir) -> anyhow::Result<()> {
    let s = ExperimentSummary {
        experiment: &a.name,
        description: &a.description,
        seed: a.spec.seed,
        replications: a.replications,
        horizon_days: a.spec.days,
        warmup_days: a.spec.warmup_days,
        baseline: &a.variants[a.baseline].name,
        variants: Variants(a),
    };
    out.write("summary.json", &to_json(&s)?)?;
    out.write("comparison.csv", &to_csv(&a.comparison)?)?;
    write_tables(a, out)
}

fn write_tables(a: &Analysis, out: &OutputDir) -> anyhow::Result<()> {
    if let Some(t) = &a.trace {
        out.write("trace_vehicles.csv", &to_csv(&t.vehicles)?)?;
        out.write("trace_responses.csv", &to_csv(&t.responses)?)?;
    }
    out.write("kpi.csv", &to_csv(&a.kpi_rows)?)?;
    out.write("utilisation_by_hour.csv", &to_csv(&a.hourly)?)?;
    if !a.stations.is_empty() {
        out.write("ambulance_stations.csv", &to_csv(&a.stations)?)?;
    }
    Ok(())
}

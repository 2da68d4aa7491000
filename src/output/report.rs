//! Result files: `summary.json`, the tidy CSV tables and `manifest.json`, from the analysis
//! structs only.
//!
//! With assumption sets, `summary.json` has an `assumptions` level (set → variant → summary)
//! instead of `variants`, every table gains an `assumptions` column right after `variant`, and
//! `robustness.csv` is written; without sets every file is as it always was.

use super::files::OutputDir;
use crate::analysis::{Analysis, Summary, VariantAnalysis};
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

/// One row of a routed travel CSV (`[travel] matrix_csv`).
#[derive(Serialize)]
struct TravelRow<'a> {
    from: &'a str,
    to: &'a str,
    minutes: f64,
    km: f64,
    ferry: bool,
    source: &'static str,
}

/// A routed matrix as the travel CSV a model reads: `from,to,minutes,km,ferry,source` (source
/// `routed`), minutes and km rounded to 0.01.
pub fn travel_csv(m: &crate::input::travel::osm::Matrix) -> anyhow::Result<Vec<u8>> {
    let r2 = |x: f64| (x * 100.0).round() / 100.0;
    let rows: Vec<TravelRow> = m
        .pairs
        .iter()
        .filter(|p| p.from != p.to)
        .map(|p| TravelRow {
            from: &p.from,
            to: &p.to,
            minutes: r2(p.minutes),
            km: r2(p.km),
            ferry: p.ferry,
            source: "routed",
        })
        .collect();
    to_csv(&rows)
}

/// Serialize rows as CSV with one more column, `name`, right after the column `after` (first
/// when there is none), holding `value(row)`. The other fields are written exactly as
/// [`to_csv`] writes them.
pub fn to_csv_with_column<T: Serialize>(
    rows: &[T],
    after: &str,
    name: &str,
    value: impl Fn(&T) -> &str,
) -> anyhow::Result<Vec<u8>> {
    let plain = to_csv(rows)?;
    let mut records = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(plain.as_slice())
        .into_records();
    let Some(header) = records.next() else {
        return Ok(plain); // no rows: no header either
    };
    let header = header?;
    let at = header.iter().position(|h| h == after).map_or(0, |i| i + 1);
    let mut w = csv::Writer::from_writer(Vec::new());
    let with = |rec: &csv::StringRecord, extra: &str| -> Vec<String> {
        let mut f: Vec<String> = rec.iter().map(str::to_string).collect();
        f.insert(at, extra.to_string());
        f
    };
    w.write_record(with(&header, name))?;
    for (rec, row) in records.zip(rows) {
        w.write_record(with(&rec?, value(row)))?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

/// One input file and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
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
    /// Assumption sets (absent without `[[assumptions]]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<String>,
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

/// `summary.json` of an experiment: its settings and each variant's summary, in file order —
/// with assumption sets, each set's variants, in file order.
#[derive(Serialize)]
struct ExperimentSummary<'a> {
    experiment: &'a str,
    description: &'a str,
    seed: u64,
    replications: u64,
    horizon_days: f64,
    warmup_days: f64,
    baseline: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    variants: Option<Variants<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assumptions: Option<Sets<'a>>,
}

/// Variant name → summary.
struct Variants<'a>(&'a [VariantAnalysis]);

impl Serialize for Variants<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for v in self.0 {
            m.serialize_entry(&v.name, &v.summary)?;
        }
        m.end()
    }
}

/// Assumption set name → variant name → summary.
struct Sets<'a>(&'a Analysis);

impl Serialize for Sets<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let a = self.0;
        let mut m = s.serialize_map(Some(a.assumptions.len()))?;
        for (i, name) in a.assumptions.iter().enumerate() {
            m.serialize_entry(name, &Variants(a.set_variants(i)))?;
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
/// `utilisation_by_hour.csv`, `ambulance_stations.csv`, and with assumption sets
/// `robustness.csv`.
pub fn write_experiment(a: &Analysis, out: &OutputDir) -> anyhow::Result<()> {
    let sets = !a.assumptions.is_empty();
    let s = ExperimentSummary {
        experiment: &a.name,
        description: &a.description,
        seed: a.spec.seed,
        replications: a.replications,
        horizon_days: a.spec.days,
        warmup_days: a.spec.warmup_days,
        baseline: &a.variants[a.baseline].name,
        variants: (!sets).then(|| Variants(&a.variants)),
        assumptions: sets.then_some(Sets(a)),
    };
    out.write("summary.json", &to_json(&s)?)?;
    out.write(
        "comparison.csv",
        &table(a, &a.comparison, |r| r.assumptions.as_deref())?,
    )?;
    if sets {
        out.write("robustness.csv", &to_csv(&a.robustness)?)?;
    }
    write_tables(a, out)
}

/// A table as CSV: with assumption sets, with the `assumptions` column after `variant`.
fn table<T: Serialize>(
    a: &Analysis,
    rows: &[T],
    set: impl Fn(&T) -> Option<&str>,
) -> anyhow::Result<Vec<u8>> {
    if a.assumptions.is_empty() {
        to_csv(rows)
    } else {
        to_csv_with_column(rows, "variant", "assumptions", |r| {
            set(r).unwrap_or_default()
        })
    }
}

/// One row of `trace_patients.csv` (the README documents every column).
#[derive(Serialize)]
struct PatientRow<'a> {
    variant: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    assumptions: Option<&'a str>,
    replication: u64,
    patient: u32,
    time_min: f64,
    day: i64,
    clock: &'a str,
    warmup: bool,
    event: &'static str,
    detail: &'static str,
    place: &'a str,
    resource: &'a str,
    urgency: &'static str,
    channel: &'static str,
}

/// `d h:mm:ss` of a time \[ms since start\]: the day (0 = the first, a Monday) and the clock
/// time, to the second (rounded down).
fn day_clock(t_ms: i64, buf: &mut String) -> i64 {
    use crate::base::time::{MS_PER_DAY, MS_PER_S};
    use std::fmt::Write as _;
    let day = t_ms.div_euclid(MS_PER_DAY);
    let s = t_ms.rem_euclid(MS_PER_DAY) / MS_PER_S;
    buf.clear();
    let _ = write!(buf, "{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    day
}

/// Stream `trace_patients.csv`: the blocks in order (variant, replication), each block's
/// events in the order they happened; with assumption sets, the `assumptions` column after
/// `variant`. An empty trace still gets its header.
fn write_patient_trace(
    blocks: &[crate::analysis::PatientTraceBlock],
    sets: bool,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut c = csv::WriterBuilder::new().has_headers(false).from_writer(w);
    let header: &[&str] = &[
        "variant",
        "assumptions",
        "replication",
        "patient",
        "time_min",
        "day",
        "clock",
        "warmup",
        "event",
        "detail",
        "place",
        "resource",
        "urgency",
        "channel",
    ];
    let header: Vec<&str> = header
        .iter()
        .copied()
        .filter(|h| sets || *h != "assumptions")
        .collect();
    c.write_record(&header)?;
    let mut clock = String::with_capacity(8);
    for b in blocks {
        for e in &b.events {
            let Some(info) = (e.patient as usize)
                .checked_sub(1)
                .and_then(|i| b.patients.get(i))
            else {
                continue;
            };
            let day = day_clock(e.t_ms, &mut clock);
            let row = PatientRow {
                variant: &b.variant,
                assumptions: sets.then(|| b.assumptions.as_deref().unwrap_or_default()),
                replication: b.replication,
                patient: e.patient,
                time_min: e.t_ms as f64 / crate::base::time::MS_PER_MIN as f64,
                day,
                clock: &clock,
                warmup: e.t_ms < b.warmup_ms,
                event: e.event.name(),
                detail: e.detail.name(),
                place: b.names.place(e.place, info.zone),
                resource: b.names.resource(e.resource),
                urgency: info.urgency.name(),
                channel: info.channel.name(),
            };
            c.serialize(row).map_err(std::io::Error::other)?;
        }
    }
    c.flush()
}

fn write_tables(a: &Analysis, out: &OutputDir) -> anyhow::Result<()> {
    if let Some(t) = &a.trace {
        let v = table(a, &t.vehicles, |r| r.assumptions.as_deref())?;
        out.write("trace_vehicles.csv", &v)?;
        let r = table(a, &t.responses, |r| r.assumptions.as_deref())?;
        out.write("trace_responses.csv", &r)?;
        out.write_with("trace_patients.csv", |w| {
            write_patient_trace(&t.patients, !a.assumptions.is_empty(), w)
        })?;
    }
    let k = table(a, &a.kpi_rows, |r| r.assumptions.as_deref())?;
    out.write("kpi.csv", &k)?;
    let h = table(a, &a.hourly, |r| r.assumptions.as_deref())?;
    out.write("utilisation_by_hour.csv", &h)?;
    if !a.stations.is_empty() {
        let s = table(a, &a.stations, |r| r.assumptions.as_deref())?;
        out.write("ambulance_stations.csv", &s)?;
    }
    if !a.legevakt_stations.is_empty() {
        let s = table(a, &a.legevakt_stations, |r| r.assumptions.as_deref())?;
        out.write("legevakt_stations.csv", &s)?;
    }
    let z = table(a, &a.zones, |r| r.assumptions.as_deref())?;
    out.write("zones.csv", &z)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        variant: &'static str,
        note: &'static str,
        value: Option<f64>,
        #[serde(skip)]
        set: &'static str,
    }

    #[test]
    fn a_column_is_inserted_after_variant_and_the_rest_is_written_as_before() {
        let rows = [
            Row {
                variant: "a, b",
                note: "say \"hi\"",
                value: Some(0.1),
                set: "no decay",
            },
            Row {
                variant: "c",
                note: "",
                value: None,
                set: "x, y",
            },
        ];
        let plain = String::from_utf8(to_csv(&rows).unwrap()).unwrap();
        assert_eq!(
            plain,
            "variant,note,value\n\"a, b\",\"say \"\"hi\"\"\",0.1\nc,,\n"
        );
        let with = to_csv_with_column(&rows, "variant", "assumptions", |r| r.set).unwrap();
        assert_eq!(
            String::from_utf8(with).unwrap(),
            "variant,assumptions,note,value\n\"a, b\",no decay,\"say \"\"hi\"\"\",0.1\nc,\"x, y\",,\n"
        );
        let none: [Row; 0] = [];
        assert!(
            to_csv_with_column(&none, "variant", "s", |r| r.set)
                .unwrap()
                .is_empty()
        );
    }
}

/// `shard.json`: what one shard of a run or experiment computed, for `akuttsim merge`.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct ShardFile {
    /// akuttsim version that wrote it (a merge needs the same version).
    pub version: String,
    /// `run` or `experiment`.
    pub command: String,
    /// The file that was run, as given (relative to the working folder).
    pub file: String,
    /// Replications of the whole run (per scenario).
    pub replications: u64,
    /// Base seed.
    pub seed: u64,
    /// Measured days.
    pub days: f64,
    /// Warm-up days.
    pub warmup_days: f64,
    /// Traces recorded.
    pub trace: bool,
    /// This shard, 1-based.
    pub shard: u64,
    /// Number of shards.
    pub shards: u64,
    /// Every input with its hash (a merge checks they are unchanged).
    pub inputs: Vec<InputHash>,
    /// Per (set, variant) cell, in the experiment's cell order: this shard's replications.
    pub results: Vec<Vec<crate::sim::ReplicationResult>>,
}

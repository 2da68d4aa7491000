//! Experiment files: a base model, named variants (overrides, another model file, demand
//! growth, extra ambulances) and parameter sweeps, assumption sets, with the run settings.
//!
//! An **assumption set** (`[[assumptions]]`) is a named overlay applied to every variant, after
//! the variant's own changes: with sets, the experiment is the grid sets × variants, and each
//! variant is compared with the baseline under each set. Without `[[assumptions]]` there is one
//! implicit set (the model as it is) and nothing about the experiment changes.
//!
//! Loading resolves every (set, variant) into a validated [`Scenario`] (all problems of all
//! scenarios at once), so an experiment that loads can run. How variants are compared is `run`
//! and `analysis`'s business.

use super::RunSpec;
use super::problem::{LoadError, Problems};
use super::scenario::de::{Element, de, de_array, parse_toml};
use super::scenario::limits::{MAX_REPLICATIONS, MAX_VARIANT_NAME_CHARS, MAX_VARIANTS};
use super::scenario::overlay::{self, ModelTable, Overlay};
use super::scenario::{self, Scenario};
use crate::base::names::file_slug;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// An assumption set as written in an experiment file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAssumptions {
    /// Unique name.
    pub name: String,
    /// Overlay on every variant, applied after the variant's own changes (same merge rules as a
    /// variant's `overrides`); none = the model as it is.
    pub overrides: Option<toml::Table>,
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

/// The top-level keys of an experiment file.
pub const EXPERIMENT_KEYS: [&str; 11] = [
    "name",
    "description",
    "base",
    "replications",
    "days",
    "warmup_days",
    "seed",
    "baseline",
    "variants",
    "sweeps",
    "assumptions",
];

/// One variant, ready to run.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Unique name.
    pub name: String,
    /// File-name-safe name (unique among the variants).
    pub slug: String,
    /// The scenario (shared: `Experiment::variants` and the first assumption set hold the same).
    pub scenario: Arc<Scenario>,
}

/// An assumption set, ready to run: every variant with the set's overrides applied.
#[derive(Debug, Clone)]
pub struct AssumptionSet {
    /// Unique name.
    pub name: String,
    /// File-name-safe name (unique among the sets).
    pub slug: String,
    /// Every variant under this set, in variant order (names and slugs as
    /// `Experiment::variants`).
    pub variants: Vec<Variant>,
}

/// One parameter sweep of an experiment, for plots of a KPI against the swept value: the
/// variants it made with their numeric values (a sweep over text values has none).
#[derive(Debug, Clone)]
pub struct SweepAxis {
    /// The sweep's name (its variants are "name = value").
    pub name: String,
    /// (variant name, value), in file order.
    pub points: Vec<(String, f64)>,
}

impl SweepAxis {
    /// The sweep axes of the raw sweeps with at least two numeric values.
    fn of(raw: &[Element<RawSweep>]) -> Vec<SweepAxis> {
        raw.iter()
            .filter_map(|e| e.value.as_ref())
            .map(|s| SweepAxis {
                name: s.name.clone(),
                points: s
                    .values
                    .iter()
                    .filter_map(|v| {
                        let x = v.as_float().or_else(|| v.as_integer().map(|i| i as f64))?;
                        Some((format!("{} = {v}", s.name), x))
                    })
                    .collect(),
            })
            .filter(|a| a.points.len() >= 2)
            .collect()
    }
}

/// A validated experiment: scenarios ready to run.
pub struct Experiment {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Replications per variant.
    pub replications: u64,
    /// Run length and seed.
    pub spec: RunSpec,
    /// Variants in order (with assumption sets: under the first set).
    pub variants: Vec<Variant>,
    /// Index of the baseline variant.
    pub baseline: usize,
    /// Every input file, sorted.
    pub inputs: Vec<PathBuf>,
    /// The parameter sweeps with numeric values (for the sweep plots).
    pub sweeps: Vec<SweepAxis>,
    /// Folder of the experiment file (manifest paths are recorded relative to it).
    pub dir: PathBuf,
    /// Assumption sets in file order; empty without `[[assumptions]]` (one implicit set).
    pub assumptions: Vec<AssumptionSet>,
}

impl Experiment {
    /// The baseline variant.
    pub fn baseline(&self) -> &Variant {
        &self.variants[self.baseline]
    }

    /// What runs: the variants under each assumption set, in set order (one implicit set, the
    /// variants themselves, without `[[assumptions]]`).
    pub fn grid(&self) -> Vec<&[Variant]> {
        if self.assumptions.is_empty() {
            vec![self.variants.as_slice()]
        } else {
            self.assumptions
                .iter()
                .map(|a| a.variants.as_slice())
                .collect()
        }
    }

    /// Every (set, variant) scenario, set by set, each set in variant order: the order of the
    /// results of `run::experiment`.
    pub fn cells(&self) -> impl Iterator<Item = &Variant> {
        self.grid().into_iter().flatten()
    }

    /// One model run as an experiment of one variant (what `akuttsim run` does); `dir` is the
    /// model file's folder.
    pub fn of_model(scn: Scenario, spec: RunSpec, replications: u64, dir: PathBuf) -> Experiment {
        let slug = file_slug(&scn.name);
        Experiment {
            name: scn.name.clone(),
            description: scn.description.clone(),
            replications,
            spec,
            inputs: scn.inputs.clone(),
            variants: vec![Variant {
                name: scn.name.clone(),
                slug: if slug.is_empty() {
                    "model".into()
                } else {
                    slug
                },
                scenario: Arc::new(scn),
            }],
            baseline: 0,
            dir,
            assumptions: Vec::new(),
            sweeps: Vec::new(),
        }
    }
}

/// Does this table look like an experiment file (it names a `base` model)?
pub fn is_experiment_table(t: &toml::Table) -> bool {
    t.contains_key("base") && !t.contains_key("zones") && !t.contains_key("zone_sources")
}

/// A variant before validation: name, where it is reported, its base and overlays.
struct Pending {
    name: String,
    path: String,
    base: ModelTable,
    overlays: Vec<(String, Overlay)>,
}

/// Read and check an experiment file (every problem at once).
pub fn load(path: &Path) -> Result<Experiment, LoadError> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::io(path, &e))?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let table = parse_toml(&text, &label)?;
    load_table(table, &label, &dir, vec![path.to_path_buf()])
}

/// Check an experiment given as a table rather than a file (what `akuttsim serve` builds from
/// a request): the same checks as [`load`]. `label` names it in messages, `dir` resolves its
/// relative paths, `inputs` are the files it came from (none for a request).
pub fn load_table(
    mut table: toml::Table,
    label: &str,
    dir: &Path,
    mut inputs: Vec<PathBuf>,
) -> Result<Experiment, LoadError> {
    let (label, dir) = (label.to_string(), dir.to_path_buf());
    let mut p = Problems::default();
    let variants_raw: Vec<Element<RawVariant>> =
        de_array(table.remove("variants"), "variants", &mut p);
    let sweeps_raw: Vec<Element<RawSweep>> = de_array(table.remove("sweeps"), "sweeps", &mut p);
    let sets_declared = table.contains_key("assumptions");
    let sets_raw: Vec<Element<RawAssumptions>> =
        de_array(table.remove("assumptions"), "assumptions", &mut p);
    let unknown: Vec<String> = table
        .keys()
        .filter(|k| !EXPERIMENT_KEYS.contains(&k.as_str()))
        .cloned()
        .collect();
    for k in unknown {
        table.remove(&k);
        p.push(
            k.clone(),
            format!(
                "unknown field `{k}` — expected one of {}; remove it or correct the spelling",
                EXPERIMENT_KEYS.join(", ")
            ),
        );
    }
    let Some(st) = de::<RawSettings>(toml::Value::Table(table), "", &mut p) else {
        return Err(p.finish(&label, || ()).expect_err("problems were found"));
    };
    let spec = settings(&st, &mut p);
    let replications = st.replications.unwrap_or(20);
    let base_path = dir.join(&st.base);
    let base = match overlay::read_model(&base_path) {
        Ok(m) => m,
        Err(e) => {
            model_problem("base", e, &mut p);
            return Err(p.finish(&label, || ()).expect_err("problems were found"));
        }
    };
    inputs.extend(base.inputs.iter().cloned());
    let mut pending = variants(&variants_raw, &base, &dir, &mut inputs, &mut p);
    pending.extend(sweeps(&sweeps_raw, &base, &mut p));
    let sweeps = SweepAxis::of(&sweeps_raw);
    if pending.is_empty() {
        pending.push(Pending {
            name: "base".into(),
            path: "base".into(),
            base: base.clone(),
            overlays: Vec::new(),
        });
    }
    check_names(&pending, &mut p);
    let sets = assumption_sets(&sets_raw, sets_declared, &dir, &mut p);
    check_grid_size(pending.len(), sets.len(), &mut p);
    let baseline = match &st.baseline {
        None => 0,
        Some(b) => pending
            .iter()
            .position(|v| &v.name == b)
            .unwrap_or_else(|| {
                p.push(
                    "baseline",
                    format!("\"{b}\" is not a variant — use one of the variant names"),
                );
                0
            }),
    };
    if !(2..=MAX_REPLICATIONS).contains(&replications) {
        p.push(
            "replications",
            format!(
                "{replications} — give from 2 (a CI needs two replications) to {MAX_REPLICATIONS}"
            ),
        );
    }
    let ctx = Resolve {
        label: &label,
        spec: &spec,
    };
    let (out, assumptions) = resolve(&ctx, pending, &sets, &mut inputs, &mut p);
    inputs.sort();
    inputs.dedup();
    p.finish(&label, || Experiment {
        name: st.name,
        description: st.description.unwrap_or_default(),
        replications,
        spec,
        variants: out,
        baseline,
        inputs,
        dir,
        assumptions,
        sweeps,
    })
}

/// An assumption set before it is applied: name, where it is reported, its overlay.
struct PendingSet {
    name: String,
    path: String,
    overlays: Vec<(String, Overlay)>,
}

/// What every scenario of an experiment is validated with.
struct Resolve<'a> {
    /// The experiment file as named in messages.
    label: &'a str,
    /// The run length of the file.
    spec: &'a RunSpec,
}

/// Validate one (set, variant) table; `at` is where its problems are reported, e.g.
/// `variants[0] ("central only")`.
fn validate_one(
    ctx: &Resolve,
    table: toml::Table,
    v: &Pending,
    at: &str,
    inputs: &mut Vec<PathBuf>,
    p: &mut Problems,
) -> Option<Variant> {
    let vlabel = format!("{} {at}", ctx.label);
    match scenario::validate::scenario(table, &v.base.dir, &vlabel, Vec::new()) {
        Ok(s) => {
            inputs.extend(s.inputs.iter().cloned());
            if let Some(msg) = s.work_problem(ctx.spec) {
                p.push(at, msg);
            }
            Some(Variant {
                slug: file_slug(&v.name),
                name: v.name.clone(),
                scenario: Arc::new(s),
            })
        }
        Err(e) => {
            model_problem(at, e, p);
            None
        }
    }
}

/// Compose and validate every variant, under every assumption set when there are sets. Returns
/// the variants (under the first set) and the sets with their variants. A scenario with problems
/// is left out (the problems make the load fail).
fn resolve(
    ctx: &Resolve,
    pending: Vec<Pending>,
    sets: &[PendingSet],
    inputs: &mut Vec<PathBuf>,
    p: &mut Problems,
) -> (Vec<Variant>, Vec<AssumptionSet>) {
    // Each variant's own overlays once (their problems are reported once)…
    let composed: Vec<(Pending, overlay::ModelTable)> = pending
        .into_iter()
        .map(|v| {
            let table = overlay::compose(&v.base, &v.overlays, p);
            let m = overlay::ModelTable {
                table,
                inputs: Vec::new(),
                dir: v.base.dir.clone(),
                label: v.base.label.clone(),
            };
            (v, m)
        })
        .collect();
    let at = |v: &Pending| format!("{} (\"{}\")", v.path, v.name);
    if sets.is_empty() {
        let out = composed
            .into_iter()
            .filter_map(|(v, m)| validate_one(ctx, m.table, &v, &at(&v), inputs, p))
            .collect();
        return (out, Vec::new());
    }
    // … then each set's on top, set by set.
    let mut grid = Vec::with_capacity(sets.len());
    for set in sets {
        let mut variants = Vec::with_capacity(composed.len());
        for (v, m) in &composed {
            let at = format!("{} (\"{}\") → {}", set.path, set.name, at(v));
            let mut q = Problems::default();
            let t = overlay::compose(m, &set.overlays, &mut q);
            p.extend_prefixed(&format!("{at} → "), q.into_vec(), "");
            variants.extend(validate_one(ctx, t, v, &at, inputs, p));
        }
        grid.push(AssumptionSet {
            name: set.name.clone(),
            slug: file_slug(&set.name),
            variants,
        });
    }
    (grid[0].variants.clone(), grid)
}

/// The assumption sets of the file, their names checked (unique, not too long for file names,
/// their file names distinct). `declared`: the file has an `assumptions` key.
fn assumption_sets(
    raw: &[Element<RawAssumptions>],
    declared: bool,
    dir: &Path,
    p: &mut Problems,
) -> Vec<PendingSet> {
    if declared && raw.is_empty() && p.as_slice().iter().all(|q| q.path != "assumptions") {
        p.push(
            "assumptions",
            "no assumption sets — give at least one [[assumptions]] entry with a name, or remove the key",
        );
    }
    let mut out = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut slugs: HashMap<String, String> = HashMap::new();
    for (i, a) in raw.iter().enumerate() {
        let path = format!("assumptions[{i}]");
        let Some(a) = &a.value else { continue };
        let n = a.name.chars().count();
        if n > MAX_VARIANT_NAME_CHARS {
            p.push(
                format!("{path}.name"),
                format!("the assumption set name has {n} characters — give at most {MAX_VARIANT_NAME_CHARS} (it becomes part of file names)"),
            );
        }
        if let Some(prev) = seen.insert(a.name.clone(), path.clone()) {
            p.push(
                format!("{path}.name"),
                format!(
                    "assumption set name \"{}\" is used twice (also by {prev}) — names must be unique",
                    a.name
                ),
            );
        } else {
            let slug = file_slug(&a.name);
            if slug.is_empty() {
                p.push(
                    format!("{path}.name"),
                    format!("assumption set name \"{}\" has no letters or digits — give a name files can be named after", a.name),
                );
            } else if let Some(prev) = slugs.insert(slug.clone(), path.clone()) {
                p.push(
                    format!("{path}.name"),
                    format!("assumption set name \"{}\" gives the same file names (\"{slug}\") as {prev} — rename one of them", a.name),
                );
            }
        }
        let overlays = a
            .overrides
            .iter()
            .map(|o| {
                (
                    "overrides".to_string(),
                    Overlay::Merge {
                        table: o.clone(),
                        dir: dir.to_path_buf(),
                    },
                )
            })
            .collect();
        out.push(PendingSet {
            name: a.name.clone(),
            path,
            overlays,
        });
    }
    out
}

/// At most [`MAX_VARIANTS`] scenarios (sets × variants) in one experiment.
fn check_grid_size(variants: usize, sets: usize, p: &mut Problems) {
    if sets > 1 && variants <= MAX_VARIANTS && variants * sets > MAX_VARIANTS {
        p.push(
            "assumptions",
            format!(
                "{sets} assumption sets × {variants} variants = {} scenarios — at most {MAX_VARIANTS} in one experiment; split it",
                variants * sets
            ),
        );
    }
}

/// Run length of the file, checked.
fn settings(st: &RawSettings, p: &mut Problems) -> RunSpec {
    let spec = RunSpec {
        seed: st.seed.unwrap_or(1),
        days: st.days.unwrap_or(365.0),
        warmup_days: st.warmup_days.unwrap_or(7.0),
        trace: false,
    };
    for (field, msg) in spec.problems("days", "warmup_days") {
        p.push(field, msg);
    }
    spec
}

/// Report the problems of a model file under `prefix`.
fn model_problem(prefix: &str, e: LoadError, p: &mut Problems) {
    match e {
        LoadError::Invalid { file, problems } => {
            p.extend_prefixed(&format!("{prefix} → "), problems, &format!(" ({file})"));
        }
        LoadError::Io { file, cause } => p.push(
            prefix,
            format!(
                "cannot read {file}: {cause} — give the model path relative to the experiment file"
            ),
        ),
    }
}

fn variants(
    raw: &[Element<RawVariant>],
    base: &ModelTable,
    dir: &Path,
    inputs: &mut Vec<PathBuf>,
    p: &mut Problems,
) -> Vec<Pending> {
    let mut out = Vec::new();
    let mut models: HashMap<PathBuf, ModelTable> = HashMap::new();
    for (i, v) in raw.iter().enumerate() {
        let Some(v) = &v.value else { continue };
        let vp = format!("variants[{i}]");
        let vbase = match &v.model {
            None => base.clone(),
            Some(m) => {
                let mp = dir.join(m);
                if let Some(t) = models.get(&mp) {
                    t.clone()
                } else {
                    match overlay::read_model(&mp) {
                        Ok(t) => {
                            inputs.extend(t.inputs.iter().cloned());
                            models.insert(mp, t.clone());
                            t
                        }
                        Err(e) => {
                            model_problem(&format!("{vp}.model"), e, p);
                            continue;
                        }
                    }
                }
            }
        };
        let mut overlays = Vec::new();
        if let Some(o) = &v.overrides {
            overlays.push((
                format!("{vp}.overrides"),
                Overlay::Merge {
                    table: o.clone(),
                    dir: dir.to_path_buf(),
                },
            ));
        }
        if let Some(g) = &v.demand_growth_percent {
            let gp = format!("{vp}.demand_growth_percent");
            if let Some(o) = overlay::parse_growth(g, &gp, p) {
                overlays.push((gp, o));
            }
        }
        for (station, n) in v.add_ambulances.iter().flatten() {
            overlays.push((
                format!("{vp}.add_ambulances[\"{station}\"]"),
                Overlay::AddAmbulances {
                    station: station.clone(),
                    count: *n,
                },
            ));
        }
        out.push(Pending {
            name: v.name.clone(),
            path: vp,
            base: vbase,
            overlays,
        });
    }
    out
}

fn sweeps(raw: &[Element<RawSweep>], base: &ModelTable, p: &mut Problems) -> Vec<Pending> {
    let mut out = Vec::new();
    for (i, s) in raw.iter().enumerate() {
        let Some(s) = &s.value else { continue };
        if s.values.is_empty() {
            p.push(
                format!("sweeps[{i}].values"),
                "no values — give a list, e.g. values = [1, 2, 3]",
            );
        }
        for (j, val) in s.values.iter().enumerate() {
            let shown = match val {
                toml::Value::String(x) => x.clone(),
                other => other.to_string(),
            };
            out.push(Pending {
                name: format!("{} = {shown}", s.name),
                path: format!("sweeps[{i}].values[{j}]"),
                base: base.clone(),
                overlays: vec![(
                    format!("sweeps[{i}].field"),
                    Overlay::Set {
                        field: s.field.clone(),
                        value: val.clone(),
                    },
                )],
            });
        }
    }
    out
}

/// Variant names: unique, not too long for file names, and their file names distinct.
fn check_names(pending: &[Pending], p: &mut Problems) {
    if pending.len() > MAX_VARIANTS {
        p.push(
            "variants",
            format!(
                "{} variants — at most {MAX_VARIANTS} in one experiment; split it",
                pending.len()
            ),
        );
    }
    let mut seen: HashMap<String, &str> = HashMap::new();
    let mut slugs: HashMap<String, &str> = HashMap::new();
    for v in pending {
        let n = v.name.chars().count();
        if n > MAX_VARIANT_NAME_CHARS {
            p.push(
                v.path.clone(),
                format!("the variant name has {n} characters — give at most {MAX_VARIANT_NAME_CHARS} (it becomes part of file names)"),
            );
        }
        if let Some(prev) = seen.insert(v.name.clone(), &v.path) {
            p.push(
                v.path.clone(),
                format!(
                    "variant name \"{}\" is used twice (also by {prev}) — names must be unique",
                    v.name
                ),
            );
            continue;
        }
        let slug = file_slug(&v.name);
        if slug.is_empty() {
            p.push(
                v.path.clone(),
                format!("variant name \"{}\" has no letters or digits — give a name files can be named after", v.name),
            );
        } else if let Some(prev) = slugs.insert(slug.clone(), &v.path) {
            p.push(
                v.path.clone(),
                format!("variant name \"{}\" gives the same file names (\"{slug}\") as {prev} — rename one of them", v.name),
            );
        }
    }
}

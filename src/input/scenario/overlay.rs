//! Overlays: how one model table is built from others before it is validated.
//!
//! * `extends = "base.toml"` — a model file is merged on top of the file it extends (chains
//!   allowed, at most [`MAX_EXTENDS_DEPTH`] deep);
//! * an experiment variant's `overrides` (the same merge), `demand_growth_percent`,
//!   `add_ambulances`, and a sweep's `field = value`.
//!
//! Merge rules: tables merge recursively; arrays of named tables (zones, stations, …) merge
//! element by element by `name` — `remove = true` deletes an element, a new name is appended;
//! anything else is replaced. Relative file paths inside a table (`travel.matrix_csv`,
//! `zone_sources[].csv`, `zone_sources[].points_csv`, `indicator.tettbygd_kommuner_csv`) are anchored to the folder of the file that wrote them, so a file that
//! extends another, or a variant, still finds the base's tables.
//!
//! Entry points: [`read_model`] (a file with its `extends` chain) and [`compose`] (a resolved
//! model with a list of overlays) — the experiment loader uses nothing else.

use super::de::parse_toml;
use crate::input::problem::{LoadError, Problems};
use std::path::{Path, PathBuf};

/// Deepest `extends` chain accepted (a longer one is almost certainly a cycle).
pub const MAX_EXTENDS_DEPTH: usize = 8;

/// A model file resolved into one table: its `extends` chain merged and its relative paths
/// anchored to absolute ones.
#[derive(Debug, Clone)]
pub struct ModelTable {
    /// The merged table.
    pub table: toml::Table,
    /// Every file read for it (the file itself first, then the files it extends).
    pub inputs: Vec<PathBuf>,
    /// Folder of the file (relative paths of anything added later resolve here).
    pub dir: PathBuf,
    /// The file as named in messages.
    pub label: String,
}

/// Read a model file and resolve its `extends` chain.
pub fn read_model(path: &Path) -> Result<ModelTable, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::io(path, &e))?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut m = model_from_str(&text, &dir, &path.display().to_string())?;
    m.inputs.insert(0, path.to_path_buf());
    Ok(m)
}

/// Resolve model text (its relative paths resolve against `dir`; `label` names it in messages).
pub fn model_from_str(text: &str, dir: &Path, label: &str) -> Result<ModelTable, LoadError> {
    let table = parse_toml(text, label)?;
    let mut inputs = Vec::new();
    let mut table = resolve_extends(table, dir, label, &mut inputs, 0)?;
    anchor_paths(&mut table, dir);
    Ok(ModelTable {
        table,
        inputs,
        dir: dir.to_path_buf(),
        label: label.to_string(),
    })
}

/// A change applied to a model table.
#[derive(Debug, Clone)]
pub enum Overlay {
    /// Merge a table on top (as `extends` does); its relative paths resolve against the folder
    /// of the file that wrote it.
    Merge {
        /// The table to merge.
        table: toml::Table,
        /// Folder of the file it comes from.
        dir: PathBuf,
    },
    /// Scale demand: per cent growth of the 116117 and 113 rates.
    DemandGrowth {
        /// Growth of `demand.calls_116117` [%].
        calls_116117: f64,
        /// Growth of `demand.calls_113` [%].
        calls_113: f64,
    },
    /// Add `count` copies of the first vehicle of an ambulance station.
    AddAmbulances {
        /// Station name.
        station: String,
        /// Vehicles to add.
        count: u32,
    },
    /// Set one existing field, e.g. `ambulance_stations["Ambulanse Molde"].vehicles[0].count`.
    Set {
        /// Field path: keys separated by dots, `["Name"]` picks a list entry by name, `[i]` by
        /// position.
        field: String,
        /// New value.
        value: toml::Value,
    },
}

/// Apply overlays in order to a copy of `base`. Problems are reported under each overlay's path.
pub fn compose(base: &ModelTable, overlays: &[(String, Overlay)], p: &mut Problems) -> toml::Table {
    let mut t = base.table.clone();
    for (path, o) in overlays {
        match o {
            Overlay::Merge { table, dir } => {
                let mut over = table.clone();
                anchor_paths(&mut over, dir);
                merge(&mut t, over, path, p);
            }
            Overlay::DemandGrowth {
                calls_116117,
                calls_113,
            } => {
                scale_demand(&mut t, "calls_116117", *calls_116117, path, p);
                scale_demand(&mut t, "calls_113", *calls_113, path, p);
            }
            Overlay::AddAmbulances { station, count } => {
                add_ambulances(&mut t, station, *count, path, p)
            }
            Overlay::Set { field, value } => {
                if let Err(e) = set_path_in(&mut t, field, value.clone()) {
                    p.push(
                        path.clone(),
                        format!("\"{field}\": {e} — give a path like ambulance_stations[\"Name\"].vehicles[0].count"),
                    );
                }
            }
        }
    }
    t
}

/// Parse a variant's `demand_growth_percent`: one number for both channels, or
/// `{ calls_116117 = …, calls_113 = … }`.
pub fn parse_growth(g: &toml::Value, path: &str, p: &mut Problems) -> Option<Overlay> {
    let num = |x: &toml::Value| x.as_float().or(x.as_integer().map(|i| i as f64));
    let (a, b) = match g {
        toml::Value::Table(m) => {
            let mut out = (0.0, 0.0);
            for (k, x) in m {
                let slot = match k.as_str() {
                    "calls_116117" => &mut out.0,
                    "calls_113" => &mut out.1,
                    _ => {
                        p.push(
                            format!("{path}.{k}"),
                            "unknown channel — use calls_116117 or calls_113",
                        );
                        continue;
                    }
                };
                match num(x) {
                    Some(f) => *slot = f,
                    None => p.push(format!("{path}.{k}"), "expected a number of per cent"),
                }
            }
            out
        }
        other => match num(other) {
            Some(f) => (f, f),
            None => {
                p.push(
                    path,
                    "expected a number of per cent, or { calls_116117 = …, calls_113 = … }",
                );
                return None;
            }
        },
    };
    for x in [a, b] {
        if !(x.is_finite() && x > -100.0 && x <= super::limits::MAX_GROWTH_PERCENT) {
            p.push(
                path,
                format!(
                    "{x} — growth must be more than −100 % and at most {} %",
                    super::limits::MAX_GROWTH_PERCENT
                ),
            );
            return None;
        }
    }
    Some(Overlay::DemandGrowth {
        calls_116117: a,
        calls_113: b,
    })
}

/// Make the relative file paths inside a scenario table absolute, relative to `dir`.
fn anchor_paths(t: &mut toml::Table, dir: &Path) {
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let fix = |v: &mut toml::Value| {
        if let toml::Value::String(s) = v {
            let p = Path::new(s.as_str());
            if p.is_relative() {
                *s = dir.join(p).to_string_lossy().to_string();
            }
        }
    };
    if let Some(toml::Value::Table(tr)) = t.get_mut("travel")
        && let Some(v) = tr.get_mut("matrix_csv")
    {
        fix(v);
    }
    if let Some(toml::Value::Array(a)) = t.get_mut("zone_sources") {
        for e in a {
            if let toml::Value::Table(z) = e {
                for key in ["csv", "points_csv"] {
                    if let Some(v) = z.get_mut(key) {
                        fix(v);
                    }
                }
            }
        }
    }
    if let Some(toml::Value::Table(ind)) = t.get_mut("indicator")
        && let Some(v) = ind.get_mut("tettbygd_kommuner_csv")
    {
        fix(v);
    }
}

fn named(v: &toml::Value) -> Option<&str> {
    v.as_table()?.get("name")?.as_str()
}

/// Overlay `over` on `base` (see the module documentation for the rules).
fn merge(base: &mut toml::Table, over: toml::Table, path: &str, p: &mut Problems) {
    for (k, v) in over {
        let kp = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}.{k}")
        };
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o, &kp, p),
            (Some(toml::Value::Array(b)), toml::Value::Array(o))
                if !o.is_empty() && o.iter().all(|e| named(e).is_some()) =>
            {
                merge_named(b, o, &kp, p)
            }
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Merge a list of named tables into another, element by element by name.
fn merge_named(base: &mut Vec<toml::Value>, over: Vec<toml::Value>, kp: &str, p: &mut Problems) {
    for e in over {
        let toml::Value::Table(mut et) = e else {
            continue; // checked by the caller: every element is a named table
        };
        let name = et
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or_default()
            .to_string();
        let remove = matches!(et.remove("remove"), Some(toml::Value::Boolean(true)));
        match base.iter().position(|x| named(x) == Some(name.as_str())) {
            Some(i) if remove => {
                base.remove(i);
            }
            Some(i) => {
                if let toml::Value::Table(bt) = &mut base[i] {
                    merge(bt, et, &format!("{kp}[\"{name}\"]"), p);
                }
            }
            None if remove => p.push(
                format!("{kp}[\"{name}\"]"),
                format!(
                    "nothing named \"{name}\" to remove — check the name against the base scenario"
                ),
            ),
            None => base.push(toml::Value::Table(et)),
        }
    }
}

/// Resolve `extends = "base.toml"` chains (relative to `dir`), returning the merged table.
fn resolve_extends(
    mut table: toml::Table,
    dir: &Path,
    label: &str,
    inputs: &mut Vec<PathBuf>,
    depth: usize,
) -> Result<toml::Table, LoadError> {
    let Some(ext) = table.remove("extends") else {
        return Ok(table);
    };
    let invalid = |msg: String| LoadError::one(label, "extends", msg);
    let Some(rel) = ext.as_str() else {
        return Err(invalid(
            "expected a file name, e.g. extends = \"romsdal.toml\"".into(),
        ));
    };
    if depth >= MAX_EXTENDS_DEPTH {
        return Err(invalid(format!(
            "more than {MAX_EXTENDS_DEPTH} levels of extends — is there a cycle?"
        )));
    }
    let base_path = dir.join(rel);
    let text = std::fs::read_to_string(&base_path).map_err(|e| {
        invalid(format!(
            "cannot read \"{}\": {e} — give a path relative to this file",
            base_path.display()
        ))
    })?;
    inputs.push(base_path.clone());
    let base_dir = base_path.parent().unwrap_or(Path::new("."));
    let base_label = base_path.display().to_string();
    let base = parse_toml(&text, &base_label)?;
    let mut base = resolve_extends(base, base_dir, &base_label, inputs, depth + 1)?;
    anchor_paths(&mut base, base_dir);
    let mut p = Problems::default();
    merge(&mut base, table, "", &mut p);
    p.finish(label, || base)
}

/// Set a field of a scenario table by path. The field must exist (a sweep changes a value, it
/// does not invent one).
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
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let seg = &rest[..end];
            let after = &rest[end..];
            let tb = cur
                .as_table_mut()
                .ok_or(format!("`{seg}` is not inside a table"))?;
            if after.is_empty() {
                if !tb.contains_key(seg) {
                    return Err(format!("no field `{seg}` to change"));
                }
                tb.insert(seg.to_string(), value);
                return Ok(());
            }
            cur = tb.get_mut(seg).ok_or(format!("no field `{seg}`"))?;
            rest = after.strip_prefix('.').unwrap_or(after);
        }
    }
}

fn scale_demand(t: &mut toml::Table, channel: &str, pct: f64, path: &str, p: &mut Problems) {
    if pct == 0.0 {
        return;
    }
    let f = 1.0 + pct / 100.0;
    let rates = t
        .get_mut("demand")
        .and_then(|d| d.get_mut(channel))
        .and_then(|c| c.get_mut("per_1000_per_year"))
        .and_then(|r| r.as_table_mut());
    match rates {
        Some(rates) => {
            for (_, v) in rates.iter_mut() {
                if let Some(x) = v.as_float().or(v.as_integer().map(|i| i as f64)) {
                    *v = toml::Value::Float(x * f);
                }
            }
        }
        None => p.push(
            path,
            format!("the model has no demand.{channel}.per_1000_per_year to grow — set the growth of that channel to 0"),
        ),
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
        tb.insert("count".into(), toml::Value::Integer(i64::from(n)));
    }
    vs.push(copy);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(s: &str) -> toml::Table {
        toml::from_str(s).unwrap()
    }

    #[test]
    fn named_lists_merge_by_name_and_remove() {
        let mut b = table(
            "[[zones]]\nname = \"a\"\npopulation = 1\n[[zones]]\nname = \"b\"\npopulation = 2",
        );
        let o = table(
            "[[zones]]\nname = \"a\"\npopulation = 5\n[[zones]]\nname = \"b\"\nremove = true\n[[zones]]\nname = \"c\"\npopulation = 3",
        );
        let mut p = Problems::default();
        merge(&mut b, o, "", &mut p);
        assert!(p.is_empty());
        let z = b["zones"].as_array().unwrap();
        assert_eq!(z.len(), 2);
        assert_eq!(z[0]["population"].as_integer(), Some(5));
        assert_eq!(z[1]["name"].as_str(), Some("c"));
    }

    #[test]
    fn set_path_changes_existing_fields_only() {
        let mut t = table("[[s]]\nname = \"x\"\nv = [{ count = 1 }]");
        set_path_in(&mut t, "s[\"x\"].v[0].count", toml::Value::Integer(3)).unwrap();
        assert_eq!(t["s"][0]["v"][0]["count"].as_integer(), Some(3));
        assert!(set_path_in(&mut t, "s[\"x\"].nope", toml::Value::Integer(1)).is_err());
        assert!(set_path_in(&mut t, "s[\"y\"].v", toml::Value::Integer(1)).is_err());
    }
}

//! `[[zones]]` and `[[zone_sources]]`: the population points of a scenario.

use super::common;
use crate::input::problem::Problems;
use crate::input::scenario::de::{Element, closed};
use crate::input::scenario::limits::{MAX_TOTAL_POPULATION, MAX_ZONE_POPULATION, MAX_ZONES};
use crate::input::scenario::raw::{RawZone, RawZoneSource};
use crate::input::scenario::{Zone, ZoneClass};
use crate::input::tables::{self, ZoneRow};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The zones of a scenario, and for each the preferred legevakt named in the file (zones from a
/// table name none).
pub struct Zones {
    /// Zones in order: inline zones, then table zones.
    pub zones: Vec<Zone>,
    /// For each zone: the `[[zones]]` index it came from (None for table zones) and the
    /// legevakt it names.
    pub preferences: Vec<(Option<usize>, Option<String>)>,
    /// Tables read.
    pub inputs: Vec<PathBuf>,
}

/// Validate the inline zones and the zone tables.
pub fn validate(
    inline: &[Element<RawZone>],
    sources: &[Element<RawZoneSource>],
    dir: &Path,
    p: &mut Problems,
) -> Zones {
    let mut out = Zones {
        zones: Vec::new(),
        preferences: Vec::new(),
        inputs: Vec::new(),
    };
    if inline.is_empty() && sources.is_empty() && !p.any_under("zones") {
        p.push(
            "zones",
            "no zones — add at least one [[zones]] with name, population, lat, lon, class",
        );
    }
    for (i, z) in inline.iter().enumerate() {
        let Some(z) = &z.value else { continue };
        let path = format!("zones[{i}]");
        if !(z.population.is_finite() && z.population > 0.0 && z.population <= MAX_ZONE_POPULATION)
        {
            p.push(
                format!("{path}.population"),
                format!(
                    "{} — give the number of inhabitants, > 0 and at most {MAX_ZONE_POPULATION}",
                    z.population
                ),
            );
        }
        common::latlon(z.lat, z.lon, &path, p);
        let class = closed(&z.class, &format!("{path}.class"), p).unwrap_or(ZoneClass::Rural);
        out.preferences.push((Some(i), z.legevakt.clone()));
        out.zones.push(Zone {
            name: z.name.clone(),
            population: z.population,
            lat: z.lat,
            lon: z.lon,
            class,
            preferred_site: None,
        });
    }
    for (i, src) in sources.iter().enumerate() {
        let Some(src) = &src.value else { continue };
        let path = format!("zone_sources[{i}]");
        let csv_path = dir.join(&src.csv);
        let Some(zs) = from_table(src, &csv_path, &path, p) else {
            continue;
        };
        out.inputs.push(csv_path);
        for z in zs {
            if out.zones.iter().any(|x| x.name == z.name) {
                p.push(
                    path.clone(),
                    format!("zone \"{}\" is defined twice — remove it from [[zones]] or exclude it here", z.name),
                );
            }
            out.preferences.push((None, None));
            out.zones.push(z);
        }
    }
    if out.zones.len() > MAX_ZONES {
        p.push(
            "zones",
            format!(
                "{} zones — at most {MAX_ZONES} are supported; merge small zones",
                out.zones.len()
            ),
        );
    }
    let total: f64 = out.zones.iter().map(|z| z.population).sum();
    if total > MAX_TOTAL_POPULATION {
        p.push(
            "zones",
            format!("{total:.0} inhabitants in all — at most {MAX_TOTAL_POPULATION} are supported"),
        );
    }
    out
}

/// Select zones from a national (or user) zone table.
fn from_table(
    src: &RawZoneSource,
    csv_path: &Path,
    path: &str,
    p: &mut Problems,
) -> Option<Vec<Zone>> {
    let label = crate::input::shown_path(csv_path);
    let rows = tables::read_zone_table(csv_path, &label, &format!("{path}.csv"), p)?;
    let kommuner = src.kommuner.clone().unwrap_or_default();
    let dels = src.delomraader.clone().unwrap_or_default();
    let all = src.all.unwrap_or(false);
    if kommuner.is_empty() && dels.is_empty() && !all {
        p.push(
            path,
            "selects nothing — give kommuner = [\"1506\", …], delomraader = [\"15061000\", …] or all = true",
        );
        return None;
    }
    for (j, k) in kommuner.iter().enumerate() {
        if !rows.iter().any(|r| &r.kommune_no == k) {
            p.push(
                format!("{path}.kommuner[{j}]"),
                format!("\"{k}\" is not a kommune number in {label} — use the 4-digit 2024 numbers, e.g. \"1506\""),
            );
        }
    }
    for (j, d) in dels.iter().enumerate() {
        if !rows
            .iter()
            .any(|r| r.delomraade_no.as_deref() == Some(d.as_str()))
        {
            p.push(
                format!("{path}.delomraader[{j}]"),
                format!("\"{d}\" is not a delområde number in {label} — use the 8-digit numbers, e.g. \"15061000\""),
            );
        }
    }
    let exclude = src.exclude.clone().unwrap_or_default();
    let selected: Vec<&ZoneRow> = rows
        .iter()
        .filter(|r| {
            all || kommuner.contains(&r.kommune_no)
                || r.delomraade_no.as_ref().is_some_and(|d| dels.contains(d))
        })
        .filter(|r| {
            !exclude.iter().any(|x| {
                Some(x.as_str()) == r.delomraade_no.as_deref()
                    || *x == r.zone_name()
                    || *x == r.zone_id
            })
        })
        .collect();
    let mut count: HashMap<String, usize> = HashMap::new();
    for r in &selected {
        *count.entry(r.zone_name()).or_default() += 1;
    }
    let urban = src.urban.clone().unwrap_or_default();
    let mut out = Vec::new();
    for r in &selected {
        let mut name = r.zone_name();
        if count[&name] > 1 {
            name = format!("{name} ({})", r.zone_id);
        }
        let class = if urban.contains(&name) {
            ZoneClass::Urban
        } else {
            ZoneClass::Rural
        };
        out.push(Zone {
            name,
            population: r.population_2025,
            lat: r.lat,
            lon: r.lon,
            class,
            preferred_site: None,
        });
    }
    for (j, u) in urban.iter().enumerate() {
        if !out.iter().any(|z| &z.name == u) {
            let some: Vec<&str> = out.iter().take(4).map(|z| z.name.as_str()).collect();
            p.push(
                format!("{path}.urban[{j}]"),
                format!(
                    "\"{u}\" is not a selected zone — names look like \"{}\"",
                    some.join("\", \"")
                ),
            );
        }
    }
    // Zones with no inhabitants generate no demand: dropped, unless nothing is left.
    out.retain(|z| z.population > 0.0);
    if out.is_empty() {
        p.push(
            path,
            format!("the rows selected from {label} have no inhabitants — select kommuner or delområder with population_2025 > 0"),
        );
        return None;
    }
    Some(out)
}

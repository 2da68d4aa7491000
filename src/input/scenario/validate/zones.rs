//! `[[zones]]` and `[[zone_sources]]`: the zones of a scenario and their population points.

use super::common;
use crate::input::problem::Problems;
use crate::input::scenario::de::{Element, closed};
use crate::input::scenario::limits::{MAX_TOTAL_POPULATION, MAX_ZONE_POPULATION, MAX_ZONES};
use crate::input::scenario::raw::{RawZone, RawZoneSource};
use crate::input::scenario::{PointSource, ZoneClass};
use crate::input::tables::{self, PointRow, ZoneRow};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Most points one zone may have.
const MAX_POINTS_PER_ZONE: usize = 100;

/// A population point as validated (ids are given when the scenario is assembled).
#[derive(Debug, Clone)]
pub struct PointSpec {
    /// Latitude \[degrees\].
    pub lat: f64,
    /// Longitude \[degrees\].
    pub lon: f64,
    /// Relative weight (> 0).
    pub weight: f64,
    /// Place name, if any.
    pub place: Option<String>,
    /// Where it comes from.
    pub source: PointSource,
}

/// A zone as validated.
#[derive(Debug, Clone)]
pub struct ZoneSpec {
    /// Name.
    pub name: String,
    /// Inhabitants.
    pub population: f64,
    /// Urban or rural.
    pub class: ZoneClass,
    /// Kommune number, when known.
    pub kommune: Option<String>,
    /// Its points (at least one).
    pub points: Vec<PointSpec>,
}

/// The zones of a scenario, and for each the preferred legevakt named in the file (zones from a
/// table name none).
pub struct Zones {
    /// Zones in order: inline zones, then table zones.
    pub zones: Vec<ZoneSpec>,
    /// For each zone: the `[[zones]]` index it came from (None for table zones) and the
    /// legevakt it names.
    pub preferences: Vec<(Option<usize>, Option<String>)>,
    /// Tables read.
    pub inputs: Vec<PathBuf>,
    /// Warnings (e.g. an urban zone placed at an area centroid).
    pub warnings: Vec<String>,
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
        warnings: Vec::new(),
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
        let points = inline_points(z, &path, p);
        let class = closed(&z.class, &format!("{path}.class"), p).unwrap_or(ZoneClass::Rural);
        if let Some(k) = &z.kommune
            && !(k.len() == 4 && k.chars().all(|c| c.is_ascii_digit()))
        {
            p.push(
                format!("{path}.kommune"),
                format!("\"{k}\" is not a kommune number — give the 4 digits of the 2024 numbering, e.g. \"1506\""),
            );
        }
        out.preferences.push((Some(i), z.legevakt.clone()));
        out.zones.push(ZoneSpec {
            name: z.name.clone(),
            population: z.population,
            class,
            kommune: z.kommune.clone(),
            points,
        });
    }
    for (i, src) in sources.iter().enumerate() {
        let Some(src) = &src.value else { continue };
        let path = format!("zone_sources[{i}]");
        let csv_path = dir.join(&src.csv);
        let table_points = match &src.points_csv {
            Some(pc) => {
                let pp = dir.join(pc);
                let label = crate::input::shown_path(&pp);
                let rows = tables::read_points_table(&pp, &label, &format!("{path}.points_csv"), p);
                out.inputs.push(pp);
                rows
            }
            None => Some(HashMap::new()),
        };
        let Some(table_points) = table_points else {
            continue;
        };
        let Some(zs) = from_table(src, &csv_path, &table_points, &path, p) else {
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
    for z in &out.zones {
        if z.class == ZoneClass::Urban
            && z.points.len() == 1
            && z.points[0].source == PointSource::AreaCentroid
        {
            out.warnings.push(format!(
                "zone \"{}\" is urban but its point is an area centroid, which may lie where nobody lives — give the zone population points (points = [...], or points_csv in [[zone_sources]])",
                z.name
            ));
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

/// The points of an inline zone: `lat`/`lon`, or `points`.
fn inline_points(z: &RawZone, path: &str, p: &mut Problems) -> Vec<PointSpec> {
    match (&z.points, z.lat, z.lon) {
        (Some(pts), None, None) => {
            if pts.is_empty() || pts.len() > MAX_POINTS_PER_ZONE {
                p.push(
                    format!("{path}.points"),
                    format!("{} points — give 1 to {MAX_POINTS_PER_ZONE}", pts.len()),
                );
            }
            pts.iter()
                .enumerate()
                .map(|(k, pt)| {
                    let pp = format!("{path}.points[{k}]");
                    common::latlon(pt.lat, pt.lon, &pp, p);
                    if !(pt.weight.is_finite() && pt.weight > 0.0 && pt.weight <= 1e9) {
                        p.push(
                            format!("{pp}.weight"),
                            format!("{} — give a relative weight > 0 (e.g. the inhabitants near the point)", pt.weight),
                        );
                    }
                    PointSpec {
                        lat: pt.lat,
                        lon: pt.lon,
                        weight: pt.weight,
                        place: pt.place.clone(),
                        source: PointSource::Given,
                    }
                })
                .collect()
        }
        (None, Some(lat), Some(lon)) => {
            common::latlon(lat, lon, path, p);
            vec![PointSpec {
                lat,
                lon,
                weight: 1.0,
                place: None,
                source: PointSource::Given,
            }]
        }
        (Some(_), _, _) => {
            p.push(
                format!("{path}.points"),
                "give either lat and lon or points, not both",
            );
            Vec::new()
        }
        _ => {
            p.push(
                format!("{path}.lat"),
                "missing — give lat and lon (degrees, WGS84), or points = [{ lat, lon, weight }, …]",
            );
            Vec::new()
        }
    }
}

/// The point of a table row, or the rows of the points table for it.
fn row_points(r: &ZoneRow, table: &HashMap<String, Vec<PointRow>>) -> Vec<PointSpec> {
    let source_of = |s: Option<&str>, place: Option<&String>| match (s, place) {
        (Some("area_centroid"), _) => PointSource::AreaCentroid,
        (_, Some(pl)) if !pl.is_empty() => PointSource::Place(pl.clone()),
        _ => PointSource::Unknown,
    };
    match table.get(&r.zone_id) {
        Some(rows) => rows
            .iter()
            .map(|x| PointSpec {
                lat: x.lat,
                lon: x.lon,
                weight: x.weight,
                place: x.place.clone().filter(|s| !s.is_empty()),
                source: source_of(x.point_source.as_deref(), x.place.as_ref()),
            })
            .collect(),
        None => vec![PointSpec {
            lat: r.lat,
            lon: r.lon,
            weight: 1.0,
            place: r.point_place.clone().filter(|s| !s.is_empty()),
            source: source_of(r.point_source.as_deref(), r.point_place.as_ref()),
        }],
    }
}

/// Select zones from a national (or user) zone table.
fn from_table(
    src: &RawZoneSource,
    csv_path: &Path,
    table_points: &HashMap<String, Vec<PointRow>>,
    path: &str,
    p: &mut Problems,
) -> Option<Vec<ZoneSpec>> {
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
        out.push(ZoneSpec {
            name,
            population: r.population_2025,
            class,
            kommune: Some(r.kommune_no.clone()),
            points: row_points(r, table_points),
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

/// The zones and points of a scenario with their ids: each zone's points in order, named for
/// travel tables (a single point by its zone's name; several as "zone · place" or "zone #k"),
/// their weights normalised to shares.
pub fn assemble(
    specs: Vec<ZoneSpec>,
) -> (
    crate::base::ids::IdVec<crate::base::ids::ZoneId, crate::input::scenario::Zone>,
    crate::base::ids::IdVec<crate::base::ids::PointId, crate::input::scenario::ZonePoint>,
) {
    use crate::base::ids::{IdVec, PointId, ZoneId};
    use crate::input::scenario::{Zone, ZonePoint};
    let mut zones: IdVec<ZoneId, Zone> = IdVec::new();
    let mut points: IdVec<PointId, ZonePoint> = IdVec::new();
    for spec in specs {
        let z = ZoneId::new(zones.len());
        let total: f64 = spec.points.iter().map(|x| x.weight).sum();
        let several = spec.points.len() > 1;
        let mut ids = Vec::with_capacity(spec.points.len());
        let mut cum = Vec::with_capacity(spec.points.len());
        let mut acc = 0.0;
        let places: Vec<Option<&String>> = spec.points.iter().map(|x| x.place.as_ref()).collect();
        for (k, pt) in spec.points.iter().enumerate() {
            let unique = pt
                .place
                .as_ref()
                .is_some_and(|pl| places.iter().filter(|x| **x == Some(pl)).count() == 1);
            let name = match (&pt.place, several) {
                (_, false) => spec.name.clone(),
                (Some(pl), true) if unique => format!("{} · {pl}", spec.name),
                _ => format!("{} #{}", spec.name, k + 1),
            };
            acc += pt.weight / total;
            cum.push(if k + 1 == spec.points.len() { 1.0 } else { acc });
            ids.push(points.push_and_get_key(ZonePoint {
                zone: z,
                name,
                lat: pt.lat,
                lon: pt.lon,
                weight: pt.weight / total,
                source: pt.source.clone(),
            }));
        }
        let main = spec
            .points
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.weight.total_cmp(&b.1.weight).then(b.0.cmp(&a.0)))
            .map_or((0.0, 0.0), |(_, x)| (x.lat, x.lon));
        zones.push(Zone {
            name: spec.name,
            population: spec.population,
            lat: main.0,
            lon: main.1,
            class: spec.class,
            preferred_site: None,
            kommune: spec.kommune,
            indicator_class: spec.class,
            points: ids,
            point_cum: cum,
        });
    }
    (zones, points)
}

/// One row of a tettbygd-kommuner table (other columns are documentation).
#[derive(Debug, serde::Deserialize)]
struct TettbygdRow {
    kommune_no: String,
}

/// Classify every zone under the published indicator: urban when its kommune is in the
/// tettbygd table. Zones without a kommune keep their own class (a warning says how many).
pub fn indicator_classes(
    path: &Path,
    zones: &mut crate::base::ids::IdVec<crate::base::ids::ZoneId, crate::input::scenario::Zone>,
    warnings: &mut Vec<String>,
    p: &mut Problems,
) {
    let label = crate::input::shown_path(path);
    let Some(mut rdr) =
        crate::input::tables::open_csv(path, &label, "indicator.tettbygd_kommuner_csv", p)
    else {
        return;
    };
    let mut tettbygd = std::collections::HashSet::new();
    for (i, row) in rdr.deserialize::<TettbygdRow>().enumerate() {
        match row {
            Ok(r) => {
                tettbygd.insert(r.kommune_no);
            }
            Err(e) => {
                p.push(
                    format!("{label}:{}", i + 2),
                    format!("{e} — the table needs a column kommune_no (4 digits)"),
                );
                return;
            }
        }
    }
    let mut unknown = 0;
    for z in zones.iter_mut() {
        match &z.kommune {
            Some(k) => {
                z.indicator_class = if tettbygd.contains(k) {
                    ZoneClass::Urban
                } else {
                    ZoneClass::Rural
                };
            }
            None => unknown += 1,
        }
    }
    if unknown > 0 {
        warnings.push(format!(
            "{unknown} zone(s) have no kommune number: the published indicator classes them by their own urban/rural class (give kommune = \"…\" in [[zones]])"
        ));
    }
}

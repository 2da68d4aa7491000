//! Data tables shipped in `models/data/` (or a user's own): reading and checking their rows.
//!
//! Zone tables (`delomraader_2025.csv`, `kommuner_2025.csv`) have one row per delområde or
//! kommune with its 2025 population and a representative point. A scenario selects rows from
//! them with `[[zone_sources]]`.

use crate::input::problem::Problems;
use crate::input::scenario::limits::MAX_ZONE_POPULATION;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// One row of a zone table.
#[derive(Debug, Clone, Deserialize)]
pub struct ZoneRow {
    /// Unique row id (`delomraade_no-bydel_no`, or the kommune number).
    pub zone_id: String,
    /// Kommune number (4 digits, 2024 numbering).
    pub kommune_no: String,
    /// Kommune name.
    pub kommune_name: String,
    /// Inhabitants on 1 January 2025 \[persons\].
    pub population_2025: f64,
    /// Latitude of the representative point \[degrees\].
    pub lat: f64,
    /// Longitude \[degrees\].
    pub lon: f64,
    /// Delområde number (8 digits), at delområde level.
    pub delomraade_no: Option<String>,
    /// Delområde name, at delområde level.
    pub delomraade_name: Option<String>,
    /// Where the point comes from: `geonames_place` (a populated place inside the area) or
    /// `area_centroid`.
    pub point_source: Option<String>,
    /// The populated place used as the point, when there is one.
    pub point_place: Option<String>,
}

impl ZoneRow {
    /// Zone name as generated: "Kommune: Delområde", or "Kommune".
    pub fn zone_name(&self) -> String {
        match self.delomraade_name.as_deref() {
            Some(d) if !d.is_empty() => format!("{}: {}", self.kommune_name, d),
            _ => self.kommune_name.clone(),
        }
    }
}

/// Open a CSV table, or report at `at` that `label` cannot be read.
pub fn open_csv(
    path: &Path,
    label: &str,
    at: &str,
    p: &mut Problems,
) -> Option<csv::Reader<std::fs::File>> {
    match csv::Reader::from_path(path) {
        Ok(r) => Some(r),
        Err(e) => {
            p.push(
                at,
                format!("cannot read \"{label}\": {e} — give a path relative to the scenario file that names it"),
            );
            None
        }
    }
}

/// Read every row of a zone table, checking each (`label` names the file in messages). `None`
/// when the file cannot be read or a row is malformed; problems name the file and the line.
pub fn read_zone_table(
    path: &Path,
    label: &str,
    at: &str,
    p: &mut Problems,
) -> Option<Vec<ZoneRow>> {
    let mut rdr = open_csv(path, label, at, p)?;
    let before = p.len();
    let mut rows = Vec::new();
    for (i, r) in rdr.deserialize::<ZoneRow>().enumerate() {
        let line = i + 2;
        match r {
            Ok(r) => {
                if !(r.population_2025.is_finite()
                    && (0.0..=MAX_ZONE_POPULATION).contains(&r.population_2025))
                {
                    p.push(
                        format!("{label}:{line}.population_2025"),
                        format!(
                            "{} — give inhabitants from 0 to {MAX_ZONE_POPULATION}",
                            r.population_2025
                        ),
                    );
                }
                if !(r.lat.is_finite() && (-90.0..=90.0).contains(&r.lat)) {
                    p.push(
                        format!("{label}:{line}.lat"),
                        format!(
                            "{} is not a latitude — give degrees north between -90 and 90",
                            r.lat
                        ),
                    );
                }
                if !(r.lon.is_finite() && (-180.0..=180.0).contains(&r.lon)) {
                    p.push(
                        format!("{label}:{line}.lon"),
                        format!(
                            "{} is not a longitude — give degrees east between -180 and 180",
                            r.lon
                        ),
                    );
                }
                rows.push(r);
            }
            Err(e) => {
                p.push(
                    format!("{label}:{line}"),
                    format!("{e} — the table needs zone_id, kommune_no, kommune_name, population_2025, lat, lon"),
                );
                if p.len() - before > 20 {
                    break; // a wrong file: the first problems say enough
                }
            }
        }
    }
    (p.len() == before).then_some(rows)
}

/// One row of a table of population points (several per zone).
#[derive(Debug, Clone, Deserialize)]
pub struct PointRow {
    /// The zone table's `zone_id`.
    pub zone_id: String,
    /// Latitude \[degrees\].
    pub lat: f64,
    /// Longitude \[degrees\].
    pub lon: f64,
    /// Relative weight (> 0; any scale).
    pub weight: f64,
    /// Place name.
    pub place: Option<String>,
    /// `geonames_place`, `area_centroid`, …
    pub point_source: Option<String>,
}

/// Read a points table into zone id → its points (in file order). `None` when the file cannot
/// be read or a row is malformed.
pub fn read_points_table(
    path: &Path,
    label: &str,
    at: &str,
    p: &mut Problems,
) -> Option<HashMap<String, Vec<PointRow>>> {
    let mut rdr = open_csv(path, label, at, p)?;
    let before = p.len();
    let mut out: HashMap<String, Vec<PointRow>> = HashMap::new();
    for (i, r) in rdr.deserialize::<PointRow>().enumerate() {
        let line = i + 2;
        match r {
            Ok(r) => {
                let ok = r.lat.is_finite()
                    && (-90.0..=90.0).contains(&r.lat)
                    && r.lon.is_finite()
                    && (-180.0..=180.0).contains(&r.lon);
                if !ok {
                    p.push(
                        format!("{label}:{line}"),
                        format!("({}, {}) is not a WGS84 point — give lat from -90 to 90 and lon from -180 to 180", r.lat, r.lon),
                    );
                } else if !(r.weight.is_finite() && r.weight > 0.0 && r.weight <= 1e9) {
                    p.push(
                        format!("{label}:{line}.weight"),
                        format!("{} — give a relative weight > 0", r.weight),
                    );
                } else {
                    out.entry(r.zone_id.clone()).or_default().push(r);
                }
            }
            Err(e) => {
                p.push(
                    format!("{label}:{line}"),
                    format!("{e} — the table needs zone_id, lat, lon, weight (place, point_source optional)"),
                );
                if p.len() - before > 20 {
                    break;
                }
            }
        }
    }
    (p.len() == before).then_some(out)
}

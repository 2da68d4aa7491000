//! Geography: places (zones and facilities), great-circle distances and the travel-time matrix.
//!
//! The matrix is computed once at load: every place (zones first, then facilities) to every
//! facility. By default travel time = great-circle km × detour ÷ speed (detour 1.3 and 65 km/h
//! reproduce the two documented Molde/Kristiansund → Hjelset trips, domain.md §4). A user CSV of
//! routed times (`from,to,minutes[,km]`, e.g. exported from OSRM or a GIS) overrides any pair it
//! lists, in both directions; pairs it does not list keep the great-circle rule, and `check` says
//! how many pairs came from each source.

use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// Mean Earth radius [km] (IUGG).
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle (haversine) distance between two WGS84 points [km].
pub fn great_circle_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().asin()
}

/// A named point.
#[derive(Debug, Clone)]
pub struct Point {
    /// Name (unique across zones and facilities).
    pub name: String,
    /// Latitude [degrees].
    pub lat: f64,
    /// Longitude [degrees].
    pub lon: f64,
}

/// Travel times and road distances from every place to every facility.
#[derive(Debug, Clone)]
pub struct Travel {
    n_fac: usize,
    n_zones: usize,
    minutes: Vec<f32>,
    km: Vec<f32>,
    /// How many (place, facility) pairs came from the user CSV.
    pub pairs_from_csv: usize,
    /// How many came from the great-circle rule.
    pub pairs_from_rule: usize,
}

/// One row of a travel-time CSV.
#[derive(Debug, Deserialize)]
struct CsvRow {
    from: String,
    to: String,
    minutes: f64,
    km: Option<f64>,
}

impl Travel {
    /// Build the matrix from zones, facilities, the rule and an optional CSV.
    /// Errors are `(path, message)` pairs; `csv_label` names the CSV in messages.
    pub fn build(
        zones: &[Point],
        facilities: &[Point],
        detour: f64,
        speed_kmh: f64,
        csv: Option<(&Path, &str)>,
    ) -> Result<Travel, Vec<(String, String)>> {
        let n_fac = facilities.len();
        let n_zones = zones.len();
        let places: Vec<&Point> = zones.iter().chain(facilities.iter()).collect();
        let mut minutes = vec![0f32; places.len() * n_fac];
        let mut km = vec![0f32; places.len() * n_fac];
        for (p, pt) in places.iter().enumerate() {
            for (f, fac) in facilities.iter().enumerate() {
                let d = great_circle_km(pt.lat, pt.lon, fac.lat, fac.lon) * detour;
                km[p * n_fac + f] = d as f32;
                minutes[p * n_fac + f] = (d / speed_kmh * 60.0) as f32;
            }
        }
        let mut t = Travel {
            n_fac,
            n_zones,
            minutes,
            km,
            pairs_from_csv: 0,
            pairs_from_rule: places.len() * n_fac,
        };
        if let Some((path, label)) = csv {
            let place_idx: HashMap<&str, usize> = places
                .iter()
                .enumerate()
                .map(|(i, p)| (p.name.as_str(), i))
                .collect();
            let fac_idx: HashMap<&str, usize> = facilities
                .iter()
                .enumerate()
                .map(|(i, p)| (p.name.as_str(), i))
                .collect();
            let mut errs = Vec::new();
            let mut rdr = match csv::Reader::from_path(path) {
                Ok(r) => r,
                Err(e) => {
                    return Err(vec![(
                        "travel.matrix_csv".into(),
                        format!(
                            "cannot read \"{label}\": {e} — check the path (relative to the scenario file)"
                        ),
                    )]);
                }
            };
            let mut seen = std::collections::HashSet::new();
            for (i, row) in rdr.deserialize::<CsvRow>().enumerate() {
                let line = i + 2;
                let row = match row {
                    Ok(r) => r,
                    Err(e) => {
                        errs.push((
                            format!("{label}:{line}"),
                            format!("{e} — each row needs from,to,minutes[,km] with numbers for minutes and km"),
                        ));
                        continue;
                    }
                };
                if !(row.minutes.is_finite() && row.minutes >= 0.0) {
                    errs.push((
                        format!("{label}:{line}.minutes"),
                        format!("{} is not a travel time — give minutes ≥ 0", row.minutes),
                    ));
                    continue;
                }
                // A pair applies in both directions when both ends are facilities.
                let mut set = |p: usize, f: usize, t: &mut Travel| {
                    let k = p * t.n_fac + f;
                    t.minutes[k] = row.minutes as f32;
                    if let Some(d) = row.km {
                        t.km[k] = d as f32;
                    } else {
                        // No km given: keep the rule's km scaled to the routed time at the rule speed.
                        t.km[k] = (row.minutes / 60.0 * speed_kmh) as f32;
                    }
                    if seen.insert(k) {
                        t.pairs_from_csv += 1;
                        t.pairs_from_rule -= 1;
                    }
                };
                match (
                    place_idx.get(row.from.as_str()),
                    place_idx.get(row.to.as_str()),
                ) {
                    (Some(&a), Some(&b)) => {
                        let mut any = false;
                        if let Some(&fb) = fac_idx.get(row.to.as_str()) {
                            set(a, fb, &mut t);
                            any = true;
                        }
                        if let Some(&fa) = fac_idx.get(row.from.as_str()) {
                            set(b, fa, &mut t);
                            any = true;
                        }
                        if !any {
                            errs.push((
                                format!("{label}:{line}"),
                                "both ends are zones — one end of a pair must be a facility".into(),
                            ));
                        }
                    }
                    (a, b) => {
                        for (col, name, found) in [
                            ("from", &row.from, a.is_some()),
                            ("to", &row.to, b.is_some()),
                        ] {
                            if !found {
                                errs.push((
                                    format!("{label}:{line}.{col}"),
                                    format!("\"{name}\" is not a zone or facility of this scenario — use a name from [[zones]] or a facility"),
                                ));
                            }
                        }
                    }
                }
            }
            if !errs.is_empty() {
                return Err(errs);
            }
        }
        Ok(t)
    }

    /// Travel time from place `p` (zone index, or n_zones + facility index) to facility `f` [min].
    #[inline]
    pub fn minutes(&self, p: usize, f: usize) -> f64 {
        self.minutes[p * self.n_fac + f] as f64
    }

    /// Road distance from place `p` to facility `f` [km].
    #[inline]
    pub fn km(&self, p: usize, f: usize) -> f64 {
        self.km[p * self.n_fac + f] as f64
    }

    /// Place index of a facility (for facility → facility lookups).
    #[inline]
    pub fn facility_place(&self, f: usize) -> usize {
        self.n_zones + f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_known_distance() {
        // Molde centre → Hjelset: 17.6 km great-circle per regions/romsdal/municipalities_extra.csv.
        let d = great_circle_km(62.73752, 7.15912, 62.7805, 7.49277);
        assert!((d - 17.6).abs() < 0.2, "{d}");
    }

    #[test]
    fn rule_gives_documented_drive_time() {
        // 17.6 km × 1.3 / 65 km/h = 21 min (municipalities_extra.csv, est_drive_min 21).
        let z = vec![Point {
            name: "Molde".into(),
            lat: 62.73752,
            lon: 7.15912,
        }];
        let f = vec![Point {
            name: "SNR".into(),
            lat: 62.7805,
            lon: 7.49277,
        }];
        let t = Travel::build(&z, &f, 1.3, 65.0, None).unwrap();
        assert!((t.minutes(0, 0) - 21.0).abs() < 0.5, "{}", t.minutes(0, 0));
        assert_eq!(t.minutes(t.facility_place(0), 0), 0.0);
    }
}

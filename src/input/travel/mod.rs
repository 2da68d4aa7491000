//! Geography: places (zones and facilities), great-circle distances and the travel-time matrix.
//!
//! Places are numbered zones first, then facilities; [`Travel::place`] says which a
//! [`PlaceId`] is, and no other code computes place numbers. The matrix holds every place to
//! every facility, computed once at load. By default travel time = great-circle km × detour ÷
//! speed (detour 1.3 and 65 km/h reproduce the documented Molde/Kristiansund → Hjelset trips,
//! see `models/SOURCES.md`). A user CSV of routed times (`from,to,minutes[,km]`, e.g. exported
//! from OSRM or a GIS) overrides any pair it lists, in both directions; pairs it does not list
//! keep the great-circle rule, and `check` says how many pairs came from each source.

use crate::base::ids::{FacilityId, IdVec, PlaceId, ZoneId};
use crate::input::problem::Problems;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Mean Earth radius [km] (IUGG).
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle (haversine) distance between two WGS84 points \[km\].
pub fn great_circle_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// A named point.
#[derive(Debug, Clone)]
pub struct Point {
    /// Name (unique across zones and facilities).
    pub name: String,
    /// Latitude \[degrees\].
    pub lat: f64,
    /// Longitude \[degrees\].
    pub lon: f64,
}

/// What a place is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A zone.
    Zone(ZoneId),
    /// A facility.
    Facility(FacilityId),
}

/// The great-circle rule for pairs no table gives.
#[derive(Debug, Clone, Copy)]
pub struct RoadRule {
    /// Road distance ÷ great-circle distance.
    pub detour: f64,
    /// Average speed [km/h].
    pub speed_kmh: f64,
}

/// Travel times and road distances from every place to every facility.
#[derive(Debug, Clone)]
pub struct Travel {
    places: IdVec<PlaceId, Point>,
    n_zones: usize,
    n_fac: usize,
    minutes: Vec<f32>,
    km: Vec<f32>,
    rule: RoadRule,
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
    /// Build the matrix from zones, facilities, the rule and an optional CSV (`csv_label` names
    /// it in messages). Problems with the CSV are reported into `p`; `None` if there were any.
    pub fn build(
        zones: Vec<Point>,
        facilities: Vec<Point>,
        rule: RoadRule,
        csv: Option<(&Path, &str)>,
        p: &mut Problems,
    ) -> Option<Travel> {
        let n_fac = facilities.len();
        let n_zones = zones.len();
        let places: IdVec<PlaceId, Point> = zones.into_iter().chain(facilities).collect();
        let n = places.len() * n_fac;
        let mut t = Travel {
            n_zones,
            n_fac,
            minutes: vec![0.0; n],
            km: vec![0.0; n],
            rule,
            pairs_from_csv: 0,
            pairs_from_rule: n,
            places,
        };
        for a in 0..t.places.len() {
            for f in 0..n_fac {
                let pa = &t.places[PlaceId::new(a)];
                let pf = &t.places[PlaceId::new(n_zones + f)];
                let d = great_circle_km(pa.lat, pa.lon, pf.lat, pf.lon) * rule.detour;
                t.km[a * n_fac + f] = d as f32;
                t.minutes[a * n_fac + f] = (d / rule.speed_kmh * 60.0) as f32;
            }
        }
        if let Some((path, label)) = csv {
            let before = p.len();
            t.read_csv(path, label, p);
            if p.len() > before {
                return None;
            }
        }
        Some(t)
    }

    /// Override pairs from a routed-times CSV.
    fn read_csv(&mut self, path: &Path, label: &str, p: &mut Problems) {
        let place_idx: HashMap<String, PlaceId> = self
            .places
            .iter_enumerated()
            .map(|(i, pt)| (pt.name.clone(), i))
            .collect();
        let mut rdr = match csv::Reader::from_path(path) {
            Ok(r) => r,
            Err(e) => {
                p.push(
                    "travel.matrix_csv",
                    format!("cannot read \"{label}\": {e} — check the path (relative to the scenario file)"),
                );
                return;
            }
        };
        let mut seen = HashSet::new();
        for (i, row) in rdr.deserialize::<CsvRow>().enumerate() {
            let line = i + 2;
            let row = match row {
                Ok(r) => r,
                Err(e) => {
                    p.push(
                        format!("{label}:{line}"),
                        format!("{e} — each row needs from,to,minutes[,km] with numbers for minutes and km"),
                    );
                    continue;
                }
            };
            if !(row.minutes.is_finite()
                && (0.0..=super::scenario::limits::MAX_DURATION_MIN).contains(&row.minutes))
            {
                p.push(
                    format!("{label}:{line}.minutes"),
                    format!(
                        "{} is not a travel time — give minutes from 0 to {}",
                        row.minutes,
                        super::scenario::limits::MAX_DURATION_MIN
                    ),
                );
                continue;
            }
            if let Some(k) = row.km
                && !(k.is_finite() && (0.0..=100_000.0).contains(&k))
            {
                p.push(
                    format!("{label}:{line}.km"),
                    format!("{k} is not a distance — give km from 0 to 100000"),
                );
                continue;
            }
            let (a, b) = (place_idx.get(&row.from), place_idx.get(&row.to));
            let (Some(&a), Some(&b)) = (a, b) else {
                for (col, name, found) in [
                    ("from", &row.from, a.is_some()),
                    ("to", &row.to, b.is_some()),
                ] {
                    if !found {
                        p.push(
                            format!("{label}:{line}.{col}"),
                            format!("\"{name}\" is not a zone or facility of this scenario — use a name from [[zones]] or a facility"),
                        );
                    }
                }
                continue;
            };
            // A pair applies in both directions when both ends are facilities.
            let mut any = false;
            for (from, to) in [(a, b), (b, a)] {
                if let Place::Facility(f) = self.place(to) {
                    let k = from.index() * self.n_fac + f.index();
                    self.minutes[k] = row.minutes as f32;
                    // No km given: the rule's speed turned into a distance for the routed time.
                    self.km[k] = row.km.unwrap_or(row.minutes / 60.0 * self.rule.speed_kmh) as f32;
                    if seen.insert(k) {
                        self.pairs_from_csv += 1;
                        self.pairs_from_rule -= 1;
                    }
                    any = true;
                }
            }
            if !any {
                p.push(
                    format!("{label}:{line}"),
                    "both ends are zones — one end of a pair must be a facility",
                );
            }
        }
    }

    /// Number of places (zones and facilities).
    pub fn n_places(&self) -> usize {
        self.places.len()
    }

    /// The place of a zone.
    #[inline]
    pub fn zone_place(&self, z: ZoneId) -> PlaceId {
        PlaceId::new(z.index())
    }

    /// The place of a facility.
    #[inline]
    pub fn facility_place(&self, f: FacilityId) -> PlaceId {
        PlaceId::new(self.n_zones + f.index())
    }

    /// What a place is.
    #[inline]
    pub fn place(&self, p: PlaceId) -> Place {
        if p.index() < self.n_zones {
            Place::Zone(ZoneId::new(p.index()))
        } else {
            Place::Facility(FacilityId::new(p.index() - self.n_zones))
        }
    }

    /// Name and coordinates of a place.
    #[inline]
    pub fn point(&self, p: PlaceId) -> &Point {
        &self.places[p]
    }

    /// Every place with its id.
    pub fn places(&self) -> impl Iterator<Item = (PlaceId, &Point)> {
        self.places.iter_enumerated()
    }

    /// Travel time from place `p` to facility `f` \[min\].
    #[inline]
    pub fn minutes(&self, p: PlaceId, f: FacilityId) -> f64 {
        f64::from(self.minutes[p.index() * self.n_fac + f.index()])
    }

    /// Road distance from place `p` to facility `f` \[km\].
    #[inline]
    pub fn km(&self, p: PlaceId, f: FacilityId) -> f64 {
        f64::from(self.km[p.index() * self.n_fac + f.index()])
    }

    /// Great-circle distance between two places \[km\].
    #[inline]
    pub fn great_circle_km(&self, a: PlaceId, b: PlaceId) -> f64 {
        let (p, q) = (&self.places[a], &self.places[b]);
        great_circle_km(p.lat, p.lon, q.lat, q.lon)
    }

    /// Road travel between two places \[min\]: the matrix when one end is a facility, else the
    /// great-circle rule.
    #[inline]
    pub fn road_min(&self, a: PlaceId, b: PlaceId) -> f64 {
        match (self.place(a), self.place(b)) {
            (_, Place::Facility(f)) => self.minutes(a, f),
            (Place::Facility(f), _) => self.minutes(b, f),
            _ => self.great_circle_km(a, b) * self.rule.detour / self.rule.speed_kmh * 60.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_known_distance() {
        // Molde centre → Hjelset: 17.6 km great-circle between the GeoNames points
        // (models/SOURCES.md [GeoNames]; the road trip is ~20 km / ~20 min, [HMR-SNR]).
        let d = great_circle_km(62.73752, 7.15912, 62.7805, 7.49277);
        assert!((d - 17.6).abs() < 0.2, "{d}");
    }

    #[test]
    fn rule_gives_documented_drive_time() {
        // 17.6 km × 1.3 / 65 km/h = 21 min (documented estimate, 21 min).
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
        let rule = RoadRule {
            detour: 1.3,
            speed_kmh: 65.0,
        };
        let t = Travel::build(z, f, rule, None, &mut Problems::default()).unwrap();
        let f0 = FacilityId::new(0);
        let m = t.minutes(t.zone_place(ZoneId::new(0)), f0);
        assert!((m - 21.0).abs() < 0.5, "{m}");
        assert_eq!(t.minutes(t.facility_place(f0), f0), 0.0);
        assert_eq!(t.place(t.facility_place(f0)), Place::Facility(f0));
    }
}

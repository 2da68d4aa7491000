//! Geography: places (zone points and facilities), great-circle distances and the travel-time
//! matrix.
//!
//! Places are numbered population points first, then facilities; [`Travel::place`] says which a
//! [`PlaceId`] is, and no other code computes place numbers. The matrix holds every place to
//! every facility, computed once at load, from four sources, each overriding the one before:
//!
//! 1. the **great-circle rule**: great-circle km × detour ÷ speed (detour 1.3 and 65 km/h
//!    reproduce the documented Molde/Kristiansund → Hjelset trips, see `models/SOURCES.md`);
//! 2. **ferry estimates** (`[[travel.ferries]]`): for a pair with one end on the far side of a
//!    listed ferry, land legs to and from the quays by the rule, plus the crossing and half
//!    the headway (the mean wait for a departure);
//! 3. a **travel CSV** (`from,to,minutes[,km][,ferry][,source]`): times documented in a
//!    publication (`source = documented`) or routed over OpenStreetMap by `akuttsim
//!    travel-matrix` (`source = routed`). Facility pairs apply in both directions.
//!
//! `check` says how many pairs came from each source.

pub mod osm;

use crate::base::ids::{FacilityId, IdVec, PlaceId, PointId};
use crate::input::problem::Problems;
use serde::Deserialize;
use std::collections::HashMap;
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

/// North–south distance between two latitudes \[km\]: a lower bound on the great-circle
/// distance between any two points at them.
#[inline]
pub fn meridian_km(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_KM * (lat1 - lat2).abs().to_radians()
}

/// A lower bound on the time to cover `meridian_km` north–south at most `km_per_min` \[min\],
/// slightly weakened, so that rounding never lifts it above a true time.
#[inline]
pub fn time_lower_bound(meridian_km: f64, km_per_min: f64) -> f64 {
    meridian_km / km_per_min * (1.0 - 1e-6)
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
    /// A population point of a zone.
    Point(PointId),
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

/// Where a pair's travel time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairSource {
    /// Great-circle km × detour ÷ speed.
    GreatCircle = 0,
    /// Land legs by the rule plus a listed ferry's crossing and half its headway.
    FerryEstimate = 1,
    /// A time documented in a publication (travel CSV, `source = documented`; the default).
    Documented = 2,
    /// Routed over OpenStreetMap (travel CSV, `source = routed`).
    Routed = 3,
}

impl PairSource {
    /// Every source, in report order.
    pub const ALL: [PairSource; 4] = [
        PairSource::Routed,
        PairSource::Documented,
        PairSource::FerryEstimate,
        PairSource::GreatCircle,
    ];

    /// Name in reports.
    pub fn name(self) -> &'static str {
        match self {
            PairSource::GreatCircle => "great-circle",
            PairSource::FerryEstimate => "ferry estimate",
            PairSource::Documented => "documented",
            PairSource::Routed => "routed",
        }
    }
}

/// A ferry for the ferry-aware estimate: the places on its far side reach everything else over
/// it.
#[derive(Debug, Clone)]
pub struct Ferry {
    /// Name (for messages).
    pub name: String,
    /// Quay on the far side (lat, lon).
    pub quay_far: (f64, f64),
    /// Quay on the near side (lat, lon).
    pub quay_near: (f64, f64),
    /// Crossing \[min\].
    pub crossing_min: f64,
    /// Time between departures \[min\]: half of it is the mean wait.
    pub headway_min: f64,
    /// Places (by name: zones, their points, facilities) on the far side.
    pub far_side: Vec<String>,
}

/// Travel times and road distances from every place to every facility.
#[derive(Debug, Clone)]
pub struct Travel {
    places: IdVec<PlaceId, Point>,
    n_points: usize,
    n_fac: usize,
    minutes: Vec<f32>,
    km: Vec<f32>,
    source: Vec<PairSource>,
    ferry: Vec<bool>,
    rule: RoadRule,
    /// The fastest any road trip of the model goes in latitude: max over the matrix and the
    /// rule of (north–south km) / minutes. The north–south distance is a lower bound on the
    /// great-circle one, so (north–south km) / this is a lower bound on any road time — what
    /// dispatch uses to skip far-off returning vehicles without looking their times up.
    meridian_km_per_min: f64,
    /// Names a travel table or a ferry gave that this scenario does not have (skipped; a table
    /// shared by the variants of a model names facilities some variants lack).
    unknown: std::collections::BTreeSet<String>,
}

/// One row of a travel-time CSV.
#[derive(Debug, Deserialize)]
struct CsvRow {
    from: String,
    to: String,
    minutes: f64,
    km: Option<f64>,
    ferry: Option<bool>,
    source: Option<PairSource>,
}

impl Travel {
    /// Build the matrix from the population points, the facilities, the rule, the ferries and
    /// an optional CSV (`csv_label` names it in messages). `aliases` are further names a CSV or a
    /// ferry may use for a set of points (a zone's name for all of its points). Problems are
    /// reported into `p`; `None` if there were any.
    pub fn build(
        points: Vec<Point>,
        aliases: &[(String, Vec<PointId>)],
        facilities: Vec<Point>,
        rule: RoadRule,
        ferries: &[Ferry],
        csv: Option<(&Path, &str)>,
        p: &mut Problems,
    ) -> Option<Travel> {
        let n_fac = facilities.len();
        let n_points = points.len();
        let places: IdVec<PlaceId, Point> = points.into_iter().chain(facilities).collect();
        let n = places.len() * n_fac;
        let mut t = Travel {
            n_points,
            n_fac,
            minutes: vec![0.0; n],
            km: vec![0.0; n],
            source: vec![PairSource::GreatCircle; n],
            ferry: vec![false; n],
            rule,
            places,
            meridian_km_per_min: f64::INFINITY,
            unknown: Default::default(),
        };
        for a in 0..t.places.len() {
            for f in 0..n_fac {
                let pa = &t.places[PlaceId::new(a)];
                let pf = &t.places[PlaceId::new(n_points + f)];
                let (m, km) = t.rule_leg((pa.lat, pa.lon), (pf.lat, pf.lon));
                t.minutes[a * n_fac + f] = m as f32;
                t.km[a * n_fac + f] = km as f32;
            }
        }
        let names = t.name_index(aliases);
        let before = p.len();
        t.ferry_estimates(ferries, &names, p);
        if let Some((path, label)) = csv {
            t.read_csv(path, label, &names, p);
        }
        t.meridian_km_per_min = t.fastest_meridian_speed();
        (p.len() == before).then_some(t)
    }

    /// See [`Travel::meridian_km_per_min`] (infinite when a pair of distinct latitudes is 0 min
    /// apart: no bound then).
    fn fastest_meridian_speed(&self) -> f64 {
        // point-to-point trips follow the rule: great-circle × detour at the rule's speed
        let mut v = self.rule.speed_kmh / 60.0 / self.rule.detour.max(1e-9);
        for a in 0..self.places.len() {
            let la = self.places[PlaceId::new(a)].lat;
            for f in 0..self.n_fac {
                let d = meridian_km(la, self.places[PlaceId::new(self.n_points + f)].lat);
                let m = f64::from(self.minutes[a * self.n_fac + f]);
                if d > 0.0 {
                    v = v.max(if m > 0.0 { d / m } else { f64::INFINITY });
                }
            }
        }
        v
    }

    /// A lower bound on the road time between places at latitudes `lat_a` and `lat_b`
    /// \[min\]: their north–south distance at the fastest speed of the model.
    #[inline]
    pub fn road_min_lower_bound(&self, lat_a: f64, lat_b: f64) -> f64 {
        time_lower_bound(meridian_km(lat_a, lat_b), self.meridian_km_per_min)
    }

    /// See the field of that name.
    #[inline]
    pub fn meridian_km_per_min(&self) -> f64 {
        self.meridian_km_per_min
    }

    /// Latitude of a place \[°\].
    #[inline]
    pub fn lat(&self, p: PlaceId) -> f64 {
        self.places[p].lat
    }

    /// (minutes, km) between two points by the great-circle rule.
    fn rule_leg(&self, a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
        let km = great_circle_km(a.0, a.1, b.0, b.1) * self.rule.detour;
        (km / self.rule.speed_kmh * 60.0, km)
    }

    /// Every name a table may use → the places it stands for.
    fn name_index(&self, aliases: &[(String, Vec<PointId>)]) -> HashMap<String, Vec<PlaceId>> {
        let mut names: HashMap<String, Vec<PlaceId>> = self
            .places
            .iter_enumerated()
            .map(|(i, pt)| (pt.name.clone(), vec![i]))
            .collect();
        for (name, pts) in aliases {
            names
                .entry(name.clone())
                .or_insert_with(|| pts.iter().map(|&x| PlaceId::new(x.index())).collect());
        }
        names
    }

    /// Ferry estimates for every pair with one end on the far side of a ferry (the best over the
    /// ferries when several serve a place).
    fn ferry_estimates(
        &mut self,
        ferries: &[Ferry],
        names: &HashMap<String, Vec<PlaceId>>,
        p: &mut Problems,
    ) {
        for (i, f) in ferries.iter().enumerate() {
            let mut far = vec![false; self.places.len()];
            let mut found = false;
            for n in &f.far_side {
                match names.get(n) {
                    Some(ids) => {
                        ids.iter().for_each(|x| far[x.index()] = true);
                        found = true;
                    }
                    None => {
                        self.unknown.insert(n.clone());
                    }
                }
            }
            if !found {
                p.push(
                    format!("travel.ferries[{i}].far_side"),
                    format!("none of {:?} is a zone, point or facility of this scenario — use names from [[zones]] (or \"zone · place\" for one point) and the facilities", f.far_side),
                );
                continue;
            }
            let wait = f.headway_min / 2.0;
            let cross_km =
                great_circle_km(f.quay_far.0, f.quay_far.1, f.quay_near.0, f.quay_near.1);
            for a in 0..self.places.len() {
                for fi in 0..self.n_fac {
                    let b = self.n_points + fi;
                    if far[a] == far[b] {
                        continue; // both on one side: no crossing
                    }
                    let (pa, pb) = (&self.places[PlaceId::new(a)], &self.places[PlaceId::new(b)]);
                    let (qa, qb) = if far[a] {
                        (f.quay_far, f.quay_near)
                    } else {
                        (f.quay_near, f.quay_far)
                    };
                    let (m1, k1) = self.rule_leg((pa.lat, pa.lon), qa);
                    let (m2, k2) = self.rule_leg(qb, (pb.lat, pb.lon));
                    let m = m1 + f.crossing_min + wait + m2;
                    let k = a * self.n_fac + fi;
                    if self.source[k] == PairSource::GreatCircle || f64::from(self.minutes[k]) > m {
                        self.minutes[k] = m as f32;
                        self.km[k] = (k1 + cross_km + k2) as f32;
                        self.source[k] = PairSource::FerryEstimate;
                        self.ferry[k] = true;
                    }
                }
            }
        }
    }

    /// Override pairs from a travel CSV.
    fn read_csv(
        &mut self,
        path: &Path,
        label: &str,
        names: &HashMap<String, Vec<PlaceId>>,
        p: &mut Problems,
    ) {
        let Some(mut rdr) = crate::input::tables::open_csv(path, label, "travel.matrix_csv", p)
        else {
            return;
        };
        let (mut rows, mut skipped) = (0, 0);
        for (i, row) in rdr.deserialize::<CsvRow>().enumerate() {
            let line = i + 2;
            match row {
                Ok(row) => {
                    rows += 1;
                    if !self.csv_row(&row, &format!("{label}:{line}"), names, p) {
                        skipped += 1;
                    }
                }
                Err(e) => p.push(
                    format!("{label}:{line}"),
                    format!("{e} — each row needs from,to,minutes[,km][,ferry][,source] with numbers for minutes and km, true/false for ferry, and source routed or documented"),
                ),
            }
        }
        if rows > 0 && skipped == rows {
            p.push(
                "travel.matrix_csv",
                format!("no row of \"{label}\" names places of this scenario — use names from [[zones]] (or \"zone · place\" for one point) and the facilities"),
            );
        }
    }

    /// Names a travel table or ferry gave that the scenario lacks (their rows were skipped).
    pub fn unknown_names(&self) -> impl Iterator<Item = &str> {
        self.unknown.iter().map(String::as_str)
    }

    /// One row of a travel CSV; false when it names a place the scenario lacks (skipped).
    fn csv_row(
        &mut self,
        row: &CsvRow,
        at: &str,
        names: &HashMap<String, Vec<PlaceId>>,
        p: &mut Problems,
    ) -> bool {
        let max = super::scenario::limits::MAX_DURATION_MIN;
        if !(row.minutes.is_finite() && (0.0..=max).contains(&row.minutes)) {
            p.push(
                format!("{at}.minutes"),
                format!(
                    "{} is not a travel time — give minutes from 0 to {max}",
                    row.minutes
                ),
            );
            return true;
        }
        if let Some(k) = row.km
            && !(k.is_finite() && (0.0..=100_000.0).contains(&k))
        {
            p.push(
                format!("{at}.km"),
                format!("{k} is not a distance — give km from 0 to 100000"),
            );
            return true;
        }
        let source = match row.source {
            None | Some(PairSource::Documented) => PairSource::Documented,
            Some(PairSource::Routed) => PairSource::Routed,
            Some(other) => {
                p.push(
                    format!("{at}.source"),
                    format!(
                        "\"{}\" cannot come from a table — use routed or documented",
                        other.name()
                    ),
                );
                return true;
            }
        };
        let (a, b) = (names.get(&row.from), names.get(&row.to));
        let (Some(a), Some(b)) = (a, b) else {
            for (name, found) in [(&row.from, a.is_some()), (&row.to, b.is_some())] {
                if !found {
                    self.unknown.insert(name.clone());
                }
            }
            return false;
        };
        // A pair applies in both directions when both ends are facilities.
        let mut any = false;
        for &x in a {
            for &y in b {
                for (from, to) in [(x, y), (y, x)] {
                    if let Place::Facility(f) = self.place(to) {
                        let k = from.index() * self.n_fac + f.index();
                        self.minutes[k] = row.minutes as f32;
                        // No km given: the rule's speed turned into a distance for the time.
                        self.km[k] =
                            row.km.unwrap_or(row.minutes / 60.0 * self.rule.speed_kmh) as f32;
                        self.source[k] = source;
                        self.ferry[k] = row.ferry.unwrap_or(false);
                        any = true;
                    }
                }
            }
        }
        if !any {
            p.push(
                at,
                "both ends are zones — one end of a pair must be a facility",
            );
        }
        true
    }

    /// How many (place, facility) pairs come from each source, in [`PairSource::ALL`] order.
    pub fn pairs_by_source(&self) -> [(PairSource, usize); 4] {
        PairSource::ALL.map(|src| (src, self.source.iter().filter(|&&x| x == src).count()))
    }

    /// Does the trip between places `a` and `b` cross a ferry (as far as the tables know)?
    #[inline]
    pub fn uses_ferry(&self, a: PlaceId, b: PlaceId) -> bool {
        match (self.place(a), self.place(b)) {
            (_, Place::Facility(f)) => self.ferry[a.index() * self.n_fac + f.index()],
            (Place::Facility(f), _) => self.ferry[b.index() * self.n_fac + f.index()],
            _ => false,
        }
    }

    /// Where the time of place `p` to facility `f` comes from, and whether it uses a ferry.
    pub fn pair_source(&self, p: PlaceId, f: FacilityId) -> (PairSource, bool) {
        let k = p.index() * self.n_fac + f.index();
        (self.source[k], self.ferry[k])
    }

    /// Number of places (points and facilities).
    pub fn n_places(&self) -> usize {
        self.places.len()
    }

    /// The place of a population point.
    #[inline]
    pub fn point_place(&self, pt: PointId) -> PlaceId {
        PlaceId::new(pt.index())
    }

    /// The place of a facility.
    #[inline]
    pub fn facility_place(&self, f: FacilityId) -> PlaceId {
        PlaceId::new(self.n_points + f.index())
    }

    /// What a place is.
    #[inline]
    pub fn place(&self, p: PlaceId) -> Place {
        if p.index() < self.n_points {
            Place::Point(PointId::new(p.index()))
        } else {
            Place::Facility(FacilityId::new(p.index() - self.n_points))
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

    /// Dispatch skips vehicles on this bound, so it must never exceed a true time: checked over
    /// every pair of a grid of places along the coast, with the rule's times and after one
    /// pair is made much faster than the rule (as a routed table or a ferry may be).
    #[test]
    fn the_lower_bound_never_exceeds_a_road_time() {
        let pt = |i: usize, kind: &str| Point {
            name: format!("{kind}{i}"),
            lat: 58.0 + i as f64 * 0.73,
            lon: 5.0 + (i * 7 % 11) as f64 * 0.9,
        };
        let rule = RoadRule {
            detour: 1.3,
            speed_kmh: 65.0,
        };
        let build = || {
            Travel::build(
                (0..12).map(|i| pt(i, "z")).collect(),
                &[],
                (0..5).map(|i| pt(2 * i + 1, "f")).collect(),
                rule,
                &[],
                None,
                &mut Problems::default(),
            )
            .unwrap()
        };
        let check = |t: &Travel| {
            let n = t.places.len();
            for a in 0..n {
                for b in 0..n {
                    let (a, b) = (PlaceId::new(a), PlaceId::new(b));
                    let lb = t.road_min_lower_bound(t.lat(a), t.lat(b));
                    assert!(
                        lb <= t.road_min(a, b),
                        "{a:?} → {b:?}: {lb} > {}",
                        t.road_min(a, b)
                    );
                }
            }
        };
        let t = build();
        check(&t);
        let mut fast = build();
        fast.minutes[3 * fast.n_fac + 4] /= 5.0; // one pair five times faster than the rule
        fast.meridian_km_per_min = fast.fastest_meridian_speed();
        assert!(fast.meridian_km_per_min > t.meridian_km_per_min);
        check(&fast);
        // and the bound is useful: far apart in latitude, it is most of the time
        let (a, b) = (PlaceId::new(0), PlaceId::new(11));
        assert!(t.road_min_lower_bound(t.lat(a), t.lat(b)) > 0.5 * t.road_min(a, b));
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
        let t = Travel::build(z, &[], f, rule, &[], None, &mut Problems::default()).unwrap();
        let f0 = FacilityId::new(0);
        let m = t.minutes(t.point_place(PointId::new(0)), f0);
        assert!((m - 21.0).abs() < 0.5, "{m}");
        assert_eq!(t.minutes(t.facility_place(f0), f0), 0.0);
        assert_eq!(t.place(t.facility_place(f0)), Place::Facility(f0));
    }
}

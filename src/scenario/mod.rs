//! Scenarios: what a model file describes, validated.
//!
//! `models/*.toml` is read into the raw structs of [`raw`] (serde, unknown fields rejected), then
//! [`validate`] checks everything at once and builds an immutable [`Scenario`]. Code downstream of
//! this module never re-checks: a `Scenario` that exists is valid. Every problem found is reported
//! with the path of the field (`legevakt[2].doctors[0].from`), what is wrong and how to fix it.

pub mod raw;
pub mod validate;

use crate::dist::Dist;
use crate::geo::{Point, Travel};
use crate::schedule::Weekly;
use std::fmt;
use std::path::PathBuf;

pub use validate::{load, load_str};

/// Urgency level (hastegrad) used by AMK and LVS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Urgency {
    /// Rød: acute, life-threatening.
    Red = 0,
    /// Gul: urgent, "uten opphold, men vanligvis uten blålys".
    Yellow = 1,
    /// Grønn: ordinary.
    Green = 2,
}

/// All urgencies, most urgent first (queue priority order).
pub const URGENCIES: [Urgency; 3] = [Urgency::Red, Urgency::Yellow, Urgency::Green];

impl Urgency {
    /// Lower-case English name used in files and KPI names.
    pub fn name(self) -> &'static str {
        match self {
            Urgency::Red => "red",
            Urgency::Yellow => "yellow",
            Urgency::Green => "green",
        }
    }
    /// Index 0..3.
    pub fn idx(self) -> usize {
        self as usize
    }
    /// Parse `red` / `yellow` / `green` (Norwegian `rød` / `gul` / `grønn` also accepted).
    pub fn parse(s: &str) -> Option<Urgency> {
        match s.trim().to_lowercase().as_str() {
            "red" | "rød" | "rod" => Some(Urgency::Red),
            "yellow" | "gul" => Some(Urgency::Yellow),
            "green" | "grønn" | "gronn" => Some(Urgency::Green),
            _ => None,
        }
    }
}

/// Urban or rural, for the 12 / 25-minute response-time target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneClass {
    /// Town (tettsted) with ≥ 10,000 inhabitants: 90 % within 12 min.
    Urban,
    /// Elsewhere: 90 % within 25 min.
    Rural,
}

/// A population point.
#[derive(Debug, Clone)]
pub struct Zone {
    /// Name.
    pub name: String,
    /// Inhabitants [persons].
    pub population: f64,
    /// Latitude [degrees].
    pub lat: f64,
    /// Longitude [degrees].
    pub lon: f64,
    /// Urban or rural.
    pub class: ZoneClass,
    /// Preferred legevakt site (for the `zone_preferred` rule).
    pub preferred_site: Option<usize>,
}

/// Hour-of-week intensity shape, normalised to mean 1 over the week.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Relative intensity in each hour of the week (mean 1).
    pub weights: [f64; 168],
    /// cumulative[h] = Σ weights[..h] [hours at mean intensity]; cumulative[168] = 168.
    pub cumulative: [f64; 169],
    /// 1 / weights[h] (0 where the weight is 0), so arrival generation multiplies, not divides.
    pub inv_weights: [f64; 168],
}

impl Profile {
    /// Flat profile.
    pub fn flat() -> Profile {
        Profile::from_weights(&[1.0; 168])
    }
    /// Normalise 168 non-negative weights (not all zero).
    pub fn from_weights(w: &[f64; 168]) -> Profile {
        let sum: f64 = w.iter().sum();
        let mut weights = [0.0; 168];
        let mut cumulative = [0.0; 169];
        for h in 0..168 {
            weights[h] = w[h] * 168.0 / sum;
            cumulative[h + 1] = cumulative[h] + weights[h];
        }
        cumulative[168] = 168.0;
        let mut inv_weights = [0.0; 168];
        for h in 0..168 {
            if weights[h] > 0.0 {
                inv_weights[h] = 1.0 / weights[h];
            }
        }
        Profile {
            weights,
            cumulative,
            inv_weights,
        }
    }
}

/// Demand on one channel.
#[derive(Debug, Clone)]
pub struct ChannelDemand {
    /// Needs per inhabitant per hour at mean intensity, by urgency.
    pub rate_per_person_hour: [f64; 3],
    /// Time-of-week shape.
    pub profile: Profile,
    /// Distance decay constant k [1/km] by urgency.
    pub decay_per_km: [f64; 3],
    /// Share of contacts walking in without calling, by urgency.
    pub direct_share: [f64; 3],
    /// Suppressed red needs become 113 calls.
    pub suppressed_red_calls_113: bool,
}

/// Channel index: 116117.
pub const CH_116117: usize = 0;
/// Channel index: 113.
pub const CH_113: usize = 1;

/// What the legevaktsentral decides after a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Telephone advice only.
    Advice,
    /// Consultation at a legevakt station or satellite.
    Legevakt,
    /// Home visit.
    HomeVisit,
    /// Forward to 113 / AMK.
    Forward113,
}

/// Dispositions in the order their probabilities are stored.
pub const DISPOSITIONS: [Disposition; 4] = [
    Disposition::Advice,
    Disposition::Legevakt,
    Disposition::HomeVisit,
    Disposition::Forward113,
];

/// Legevaktsentral (out-of-hours call centre, 116117).
#[derive(Debug, Clone)]
pub struct Lvs {
    /// Name.
    pub name: String,
    /// Nurses answering, by time of week.
    pub nurses: Weekly,
    /// Handling time per call [min].
    pub handling_min: Dist,
    /// Disposition probabilities [urgency][disposition] (order of [`DISPOSITIONS`]).
    pub disposition: [[f64; 4]; 3],
    /// Home visits become ambulance assessment missions.
    pub home_visits_by_ambulance: bool,
}

/// AMK (emergency medical communication centre, 113).
#[derive(Debug, Clone)]
pub struct Amk {
    /// Name.
    pub name: String,
    /// Operators on duty.
    pub operators: Weekly,
    /// Answer → ambulance notified [min], by urgency.
    pub handling_min: [Dist; 3],
    /// Share of green calls forwarded to 116117 (rest: planned transport).
    pub green_to_116117: f64,
    /// Red events alert the legevakt.
    pub alert_red: bool,
    /// Share of alerts where the legevakt goes out.
    pub callout_share: f64,
    /// Legevakt time on scene at a red event [min].
    pub callout_on_scene_min: Dist,
    /// Moss model: yellow events get the doctor car first.
    pub doctor_car_first: bool,
    /// After a doctor-car assessment, share needing an ambulance.
    pub doctor_car_convey: f64,
    /// Doctor-car time on scene [min].
    pub doctor_car_on_scene_min: Dist,
}

/// Mission parameters of road and boat ambulances.
#[derive(Debug, Clone)]
pub struct AmbulanceParams {
    /// Activation at a staffed station [min], by urgency.
    pub activation_min: [Dist; 3],
    /// Extra activation on call [min].
    pub on_call_extra_min: Dist,
    /// On scene, conveyed [min].
    pub on_scene_conveyed_min: Dist,
    /// On scene, not conveyed [min].
    pub on_scene_not_conveyed_min: Dist,
    /// Conveyance share by urgency.
    pub conveyance: [f64; 3],
    /// Handover at hospital [min], by urgency.
    pub handover_min: [Dist; 3],
    /// Re-dispatch while returning.
    pub redispatch: bool,
}

/// Ambulance vehicle kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VehicleKind {
    /// Road ambulance (travel matrix).
    Road,
    /// Boat ambulance (own speed, great-circle × detour).
    Boat,
    /// Air ambulance (great-circle at its speed).
    Air,
}

/// One vehicle.
#[derive(Debug, Clone)]
pub struct Vehicle {
    /// Station index.
    pub station: usize,
    /// Kind.
    pub kind: VehicleKind,
    /// Staffed at the station.
    pub staffed: Weekly,
    /// On call from home.
    pub on_call: Weekly,
    /// Speed [km/h] (boat, air).
    pub speed_kmh: f64,
    /// Route ÷ great-circle (boat).
    pub detour: f64,
    /// Zones it can reach (None = all).
    pub zones: Option<Vec<bool>>,
    /// Urgencies it takes (air).
    pub urgencies: [bool; 3],
    /// Air: only when road response would exceed this [min].
    pub min_road_response_min: f64,
    /// Air: weather availability share.
    pub availability: f64,
    /// Own activation [min] (air).
    pub activation_min: Option<Dist>,
    /// Own on-scene time [min] (air).
    pub on_scene_min: Option<Dist>,
}

/// Ambulance station.
#[derive(Debug, Clone)]
pub struct AmbStation {
    /// Name.
    pub name: String,
    /// Facility index.
    pub facility: usize,
}

/// Hospital with an ED.
#[derive(Debug, Clone)]
pub struct Hospital {
    /// Name.
    pub name: String,
    /// Facility index.
    pub facility: usize,
    /// ED bays.
    pub bays: u32,
    /// ED time [min].
    pub ed_min: Dist,
    /// Admission share by urgency.
    pub admission: [f64; 3],
}

/// Legevakt referrals to hospital.
#[derive(Debug, Clone)]
pub struct Referral {
    /// Share referred, by urgency.
    pub share: [f64; 3],
    /// Of those, by ambulance, by urgency.
    pub by_ambulance: [f64; 3],
}

/// A scripted need.
#[derive(Debug, Clone)]
pub struct Incident {
    /// When.
    pub at: crate::time::SimTime,
    /// Zone index.
    pub zone: usize,
    /// Channel ([`CH_116117`] or [`CH_113`]).
    pub channel: usize,
    /// Urgency.
    pub urgency: Urgency,
}

/// Legevakt station (out-of-hours clinic with doctors).
#[derive(Debug, Clone)]
pub struct Station {
    /// Name.
    pub name: String,
    /// Facility index in [`Scenario::facilities`].
    pub facility: usize,
    /// Index of its legevaktsentral.
    pub lvs: Option<usize>,
    /// Opening hours (level > 0 = open).
    pub open: Weekly,
    /// Doctors on duty.
    pub doctors: Weekly,
    /// Triage nurses and triage time [min], if the station triages on arrival.
    pub triage: Option<(Weekly, Dist)>,
    /// Urgencies taken.
    pub accepts: [bool; 3],
    /// Doctor consultation time [min].
    pub consultation_min: Dist,
    /// Home-visit time on site [min].
    pub home_visit_min: Dist,
}

/// Satellite legevakt: nurse on site, host doctor by video.
#[derive(Debug, Clone)]
pub struct Satellite {
    /// Name.
    pub name: String,
    /// Facility index.
    pub facility: usize,
    /// Host station index.
    pub host: usize,
    /// Opening hours.
    pub open: Weekly,
    /// Nurses on site.
    pub nurses: Weekly,
    /// Urgencies taken.
    pub accepts: [bool; 3],
    /// Video consultation time [min] (holds nurse and host doctor).
    pub video_min: Dist,
    /// Nurses make home visits (doctor on video).
    pub home_visits: bool,
    /// Home-visit time on site [min].
    pub home_visit_min: Dist,
}

/// A place a patient can be sent to for a legevakt consultation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// A station.
    Station(usize),
    /// A satellite.
    Satellite(usize),
}

/// How patients choose a legevakt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceRule {
    /// Nearest open site (by travel time) that takes the urgency.
    NearestOpen,
    /// The zone's preferred site when it is open and takes the urgency, else nearest open.
    ZonePreferred,
}

/// A validated, immutable scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Files read (scenario and CSVs), for the manifest's hashes.
    pub inputs: Vec<PathBuf>,
    /// Zones.
    pub zones: Vec<Zone>,
    /// Demand per channel ([`CH_116117`], [`CH_113`]).
    pub demand: [Option<ChannelDemand>; 2],
    /// Legevaktsentraler.
    pub lvs: Vec<Lvs>,
    /// Stations.
    pub stations: Vec<Station>,
    /// Satellites.
    pub satellites: Vec<Satellite>,
    /// Sites: stations then satellites.
    pub sites: Vec<Site>,
    /// All facility points, indexed by the `facility` fields.
    pub facilities: Vec<Point>,
    /// Travel matrix.
    pub travel: Travel,
    /// For each zone, site indices sorted by travel time (ties by index).
    pub zone_sites: Vec<Vec<u16>>,
    /// For each zone, its legevaktsentral (that of its nearest station).
    pub zone_lvs: Vec<Option<usize>>,
    /// Legevakt choice rule.
    pub choice: ChoiceRule,
    /// AMK, if modelled.
    pub amk: Option<Amk>,
    /// Ambulance mission parameters (present when there are vehicles).
    pub ambulance: Option<AmbulanceParams>,
    /// Ambulance stations.
    pub amb_stations: Vec<AmbStation>,
    /// Vehicles (one entry per vehicle).
    pub vehicles: Vec<Vehicle>,
    /// Hospitals.
    pub hospitals: Vec<Hospital>,
    /// Legevakt referrals.
    pub referral: Option<Referral>,
    /// Scripted needs, sorted by time.
    pub incidents: Vec<Incident>,
    /// Coordinates of every place (zones, then facilities) [degrees].
    pub place_points: Vec<(f64, f64)>,
    /// Road detour factor (for zone-to-zone legs not in the matrix).
    pub road_detour: f64,
    /// Road speed [km/h] (for zone-to-zone legs not in the matrix).
    pub road_speed_kmh: f64,
    /// For each place (zones, then facilities): vehicle indices sorted by travel time from
    /// their station to the place (ties by index) — the dispatch search order.
    pub place_vehicles: Vec<Vec<u32>>,
    /// For each place: the nearest hospital by road (0 when there is none).
    pub place_hospital: Vec<u16>,
    /// Drive times to the legevakt each zone would use (structural, computed once at load).
    pub travel_figures: TravelFigures,
}

impl Scenario {
    /// Facility index of a site.
    pub fn site_facility(&self, s: usize) -> usize {
        match self.sites[s] {
            Site::Station(i) => self.stations[i].facility,
            Site::Satellite(i) => self.satellites[i].facility,
        }
    }
    /// Opening hours of a site.
    pub fn site_open(&self, s: usize) -> &Weekly {
        match self.sites[s] {
            Site::Station(i) => &self.stations[i].open,
            Site::Satellite(i) => &self.satellites[i].open,
        }
    }
    /// Does a site take an urgency?
    pub fn site_accepts(&self, s: usize, u: Urgency) -> bool {
        match self.sites[s] {
            Site::Station(i) => self.stations[i].accepts[u.idx()],
            Site::Satellite(i) => self.satellites[i].accepts[u.idx()],
        }
    }
    /// Road travel between two places [min]: the matrix when one end is a facility, else the
    /// great-circle rule of the scenario.
    #[inline]
    pub fn road_min(&self, a: u32, b: u32) -> f64 {
        let nz = self.zones.len() as u32;
        if b >= nz {
            self.travel.minutes(a as usize, (b - nz) as usize)
        } else if a >= nz {
            self.travel.minutes(b as usize, (a - nz) as usize)
        } else {
            let (p, q) = (self.place_points[a as usize], self.place_points[b as usize]);
            crate::geo::great_circle_km(p.0, p.1, q.0, q.1) * self.road_detour / self.road_speed_kmh
                * 60.0
        }
    }

    /// Travel time of vehicle `v` between two places [min]: road vehicles use the road rule or
    /// matrix, boats great-circle × their detour at their speed, air great-circle at its speed.
    #[inline]
    pub fn vehicle_travel_min(&self, v: usize, a: u32, b: u32) -> f64 {
        if a == b {
            return 0.0;
        }
        let veh = &self.vehicles[v];
        let gc = || {
            let (p, q) = (self.place_points[a as usize], self.place_points[b as usize]);
            crate::geo::great_circle_km(p.0, p.1, q.0, q.1)
        };
        match veh.kind {
            VehicleKind::Air => gc() / veh.speed_kmh * 60.0,
            VehicleKind::Boat => gc() * veh.detour / veh.speed_kmh * 60.0,
            VehicleKind::Road => self.road_min(a, b),
        }
    }

    /// Place index of an ambulance station's vehicle home.
    pub fn vehicle_home(&self, v: usize) -> u32 {
        (self.zones.len() + self.amb_stations[self.vehicles[v].station].facility) as u32
    }

    /// Precompute the dispatch order and nearest hospital of every place.
    pub(crate) fn build_dispatch_tables(&mut self) {
        let n = self.zones.len() + self.facilities.len();
        let mut pv = Vec::with_capacity(n);
        let mut ph = Vec::with_capacity(n);
        for place in 0..n as u32 {
            let mut order: Vec<(f64, u32)> = (0..self.vehicles.len())
                .map(|v| {
                    (
                        self.vehicle_travel_min(v, self.vehicle_home(v), place),
                        v as u32,
                    )
                })
                .collect();
            order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            pv.push(order.into_iter().map(|x| x.1).collect());
            let h = (0..self.hospitals.len())
                .map(|h| {
                    let hp = (self.zones.len() + self.hospitals[h].facility) as u32;
                    (self.road_min(place, hp), h)
                })
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                .map_or(0, |x| x.1 as u16);
            ph.push(h);
        }
        self.place_vehicles = pv;
        self.place_hospital = ph;
    }

    /// Total population [persons].
    pub fn population(&self) -> f64 {
        self.zones.iter().map(|z| z.population).sum()
    }
}

/// One problem found in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Path of the field, e.g. `satellites[0].host`.
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read at all.
    #[error("cannot read {file}: {source} — check the path")]
    Io {
        /// File.
        file: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The file was read but has problems (all of them listed).
    #[error("{file}: {} problem{} found:\n{}", problems.len(), if problems.len() == 1 { "" } else { "s" },
        problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// File.
        file: String,
        /// Every problem.
        problems: Vec<Problem>,
    },
}

/// Structural travel figures of a scenario: for each zone, the drive time to the legevakt it
/// would use (the nearest open site taking green patients), averaged over the week with the
/// 116117 demand profile as weight, over the times at which at least one site is open.
/// Deterministic: a property of the structure, not of the draws.
#[derive(Debug, Clone)]
pub struct TravelFigures {
    /// Population share within 40 min (zones with no open site count as beyond).
    pub within_40: Option<f64>,
    /// Population share within 60 min.
    pub within_60: Option<f64>,
    /// Per zone: demand-weighted mean drive time [min] over the times a site is open for it.
    pub zone_mean_min: Vec<Option<f64>>,
}

/// Compute [`TravelFigures`].
pub(crate) fn travel_figures(scn: &Scenario) -> TravelFigures {
    let nz = scn.zones.len();
    if scn.sites.is_empty() {
        return TravelFigures {
            within_40: None,
            within_60: None,
            zone_mean_min: vec![None; nz],
        };
    }
    let profile = scn.demand[CH_116117]
        .as_ref()
        .map(|d| d.profile.clone())
        .unwrap_or_else(Profile::flat);
    let mut cuts: Vec<u32> = vec![0, crate::time::MIN_PER_WEEK];
    for s in 0..scn.sites.len() {
        cuts.extend(scn.site_open(s).change_minutes());
    }
    cuts.sort_unstable();
    cuts.dedup();
    let cum = |m: u32| {
        let h = (m / 60) as usize;
        if h >= 168 {
            return 168.0;
        }
        profile.cumulative[h] + profile.weights[h] * (m % 60) as f64 / 60.0
    };
    let total_pop = scn.population();
    let (mut w_tot, mut w40, mut w60) = (0.0, 0.0, 0.0);
    let mut zsum = vec![0.0; nz];
    let mut zw = vec![0.0; nz];
    for win in cuts.windows(2) {
        let (a, b) = (win[0], win[1]);
        let w = cum(b) - cum(a);
        let t = crate::time::SimTime(a as i64 * crate::time::MS_PER_MIN);
        let any_open = (0..scn.sites.len()).any(|s| scn.site_open(s).level_at(t) > 0);
        if !any_open || w <= 0.0 {
            continue;
        }
        w_tot += w * total_pop;
        for (z, zone) in scn.zones.iter().enumerate() {
            let site = scn.zone_sites[z]
                .iter()
                .map(|&s| s as usize)
                .find(|&s| scn.site_accepts(s, Urgency::Green) && scn.site_open(s).level_at(t) > 0);
            if let Some(s) = site {
                let m = scn.travel.minutes(z, scn.site_facility(s));
                zsum[z] += w * m;
                zw[z] += w;
                if m <= 40.0 {
                    w40 += w * zone.population;
                }
                if m <= 60.0 {
                    w60 += w * zone.population;
                }
            }
        }
    }
    let zone_mean_min = zsum
        .iter()
        .zip(&zw)
        .map(|(s, w)| (*w > 0.0).then(|| s / w))
        .collect();
    if w_tot <= 0.0 {
        TravelFigures {
            within_40: None,
            within_60: None,
            zone_mean_min,
        }
    } else {
        TravelFigures {
            within_40: Some(w40 / w_tot),
            within_60: Some(w60 / w_tot),
            zone_mean_min,
        }
    }
}

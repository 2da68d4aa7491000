//! Scenarios: what a model file describes, validated.
//!
//! ```text
//!  file.toml ──de──▶ raw structs ──validate (one validator per section)──▶ parts
//!      └─ extends / overrides (overlay) ─┘                                   │
//!                                                        build (derived tables) ▼
//!                                                                  Scenario (immutable)
//! ```
//!
//! * [`de`] — the multi-error deserialiser (every type problem of every section at once);
//! * [`overlay`] — `extends` chains and experiment overlays, merged before validation;
//! * [`raw`] — exactly what a file may contain (`deny_unknown_fields`);
//! * [`validate`] — one validator per section, each returning structured problems;
//! * [`build`] — derived tables (site order per zone, dispatch order per place, nearest
//!   hospital, structural travel figures) built once, in one constructor;
//! * [`limits`] — the upper bound of every quantity.
//!
//! Code downstream never re-checks: a `Scenario` that exists is valid (it can only be built
//! here). Every problem is reported with the path of the field, what is wrong and how to fix it.

pub mod build;
pub mod de;
pub mod limits;
pub mod overlay;
pub mod raw;
pub mod validate;

use crate::base::dist::Dist;
use crate::base::ids::*;
use crate::base::schedule::Weekly;
use crate::base::time::SimTime;
use crate::base::urgency::{PerChannel, PerUrgency, Urgency};
use crate::input::problem::LoadError;
use crate::input::travel::Travel;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub use build::{Derived, TravelFigures};

/// Urban or rural, for the 12 / 25-minute response-time target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ZoneClass {
    /// Town (tettsted) with ≥ 10,000 inhabitants: 90 % within 12 min.
    Urban,
    /// Elsewhere: 90 % within 25 min.
    Rural,
}

/// A zone: the unit of population, demand and reporting (an SSB delområde, a kommune, or a
/// place of the user's). Its needs arise at its population points.
#[derive(Debug, Clone)]
pub struct Zone {
    /// Name (unique across zones and facilities).
    pub name: String,
    /// Inhabitants \[persons\].
    pub population: f64,
    /// Latitude of its main (heaviest) point \[degrees\].
    pub lat: f64,
    /// Longitude of its main point \[degrees\].
    pub lon: f64,
    /// Urban or rural.
    pub class: ZoneClass,
    /// Preferred legevakt site (for the `zone_preferred` rule).
    pub preferred_site: Option<SiteId>,
    /// Kommune number (4 digits), when known: the published response indicator classifies
    /// whole kommuner.
    pub kommune: Option<String>,
    /// Class under the published indicator: urban when the zone's kommune is tettbygd (when a
    /// tettbygd table and the kommune are known), else the zone's own class.
    pub indicator_class: ZoneClass,
    /// Its population points, in order.
    pub points: Vec<PointId>,
    /// Cumulative weights of `points` (the last is 1): a need's point is drawn by them.
    pub point_cum: Vec<f64>,
}

impl Zone {
    /// The point a uniform draw `x` ∈ [0, 1) falls on (the only point without a draw).
    #[inline]
    pub fn point_at(&self, x: f64) -> PointId {
        let i = self.point_cum.partition_point(|&c| c <= x);
        self.points[i.min(self.points.len() - 1)]
    }
}

/// Where a population point comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PointSource {
    /// Given in the model file.
    Given,
    /// A populated place inside the area (its name).
    Place(String),
    /// The centroid of the area, which may lie where nobody lives.
    AreaCentroid,
    /// Not stated.
    Unknown,
}

/// A population point of a zone: where its needs arise and its drive times start.
#[derive(Debug, Clone)]
pub struct ZonePoint {
    /// The zone.
    pub zone: ZoneId,
    /// Name in travel tables: the zone's name for a single point, else "zone · place" or
    /// "zone #k".
    pub name: String,
    /// Latitude \[degrees\].
    pub lat: f64,
    /// Longitude \[degrees\].
    pub lon: f64,
    /// Share of the zone's needs arising here.
    pub weight: f64,
    /// Where the point comes from.
    pub source: PointSource,
}

/// Hour-of-week intensity shape, normalised to mean 1 over the week.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Relative intensity in each hour of the week (mean 1).
    pub weights: [f64; 168],
    /// cumulative\[h\] = Σ weights\[..h\] \[hours at mean intensity\]; cumulative\[168\] = 168.
    pub cumulative: [f64; 169],
    /// 1 / weights\[h\] (0 where the weight is 0), so arrival generation multiplies, not divides.
    pub inv_weights: [f64; 168],
}

impl Profile {
    /// Flat profile.
    pub fn flat() -> Profile {
        Profile::from_weights(&[1.0; 168])
    }

    /// Normalise 168 non-negative weights, not all zero, each at most
    /// [`limits::MAX_PROFILE_WEIGHT`] (checked by the validator, so the sum is finite).
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

    /// Cumulative intensity at minute `m` of the week \[hours at mean intensity\].
    pub fn cumulative_at_minute(&self, m: u32) -> f64 {
        let h = (m / 60) as usize;
        if h >= 168 {
            return 168.0;
        }
        self.cumulative[h] + self.weights[h] * f64::from(m % 60) / 60.0
    }
}

/// Demand on one channel.
#[derive(Debug, Clone)]
pub struct ChannelDemand {
    /// Needs per inhabitant per hour at mean intensity.
    pub rate_per_person_hour: PerUrgency<f64>,
    /// Time-of-week shape.
    pub profile: Profile,
    /// Distance decay constant k \[1/km\].
    pub decay_per_km: PerUrgency<f64>,
    /// Share of contacts walking in without calling.
    pub direct_share: PerUrgency<f64>,
    /// What the decay distance is measured to.
    pub decay_to: DecayTarget,
    /// What a need suppressed by distance does instead.
    pub suppressed_fate: PerUrgency<Fate>,
}

/// What the distance-decay distance is measured to (a behaviour assumption that can decide a
/// structural comparison, so it is a switch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecayTarget {
    /// The site the patient would be sent to (station or satellite).
    AnySite,
    /// The nearest station with a doctor in person (open on arrival): a nurse-staffed satellite
    /// does not bring the doctor nearer.
    DoctorStation,
    /// No decay: distance does not change whether a need becomes a contact.
    None,
}

/// What a need suppressed by distance does instead (shares summing to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fate {
    /// Calls 113.
    pub call_113: f64,
    /// Calls 116117 and is helped by telephone.
    pub phone: f64,
    /// Waits for the GP the next weekday.
    pub gp_next_day: f64,
    /// Goes unmet.
    pub unmet: f64,
}

/// The fates a suppressed need can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FateKind {
    /// Calls 113.
    Call113,
    /// Telephone advice from 116117.
    Phone,
    /// The GP next weekday.
    GpNextDay,
    /// Unmet.
    Unmet,
}

impl Fate {
    /// The fate a uniform draw `x` ∈ [0, 1) falls on.
    pub fn pick(&self, x: f64) -> FateKind {
        let mut acc = 0.0;
        for (k, p) in [
            (FateKind::Call113, self.call_113),
            (FateKind::Phone, self.phone),
            (FateKind::GpNextDay, self.gp_next_day),
        ] {
            acc += p;
            if x < acc {
                return k;
            }
        }
        FateKind::Unmet
    }
}

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

/// Disposition probabilities for one urgency (they sum to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DispositionShares {
    /// Telephone advice.
    pub advice: f64,
    /// Legevakt consultation.
    pub legevakt: f64,
    /// Home visit.
    pub home_visit: f64,
    /// Forward to 113.
    pub forward_113: f64,
}

impl DispositionShares {
    /// The disposition a uniform draw `x` ∈ [0, 1) falls on (in the order advice, legevakt,
    /// home visit, forward to 113).
    pub fn pick(&self, x: f64) -> Disposition {
        let mut acc = 0.0;
        for (d, p) in [
            (Disposition::Advice, self.advice),
            (Disposition::Legevakt, self.legevakt),
            (Disposition::HomeVisit, self.home_visit),
        ] {
            acc += p;
            if x < acc {
                return d;
            }
        }
        Disposition::Forward113
    }
}

/// What happens to a decided home visit when no site is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoVisitSite {
    /// The patient waits for the GP the next weekday.
    Gp,
    /// An ambulance assessment mission goes instead.
    Ambulance,
}

/// When a decided home visit becomes an ambulance assessment mission.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HomeVisitPolicy {
    /// A visit not started within this wait becomes an assessment mission \[min\].
    pub max_wait_min: Option<f64>,
    /// A patient farther than this one-way drive gets an assessment mission \[min\].
    pub max_drive_min: Option<f64>,
    /// When no site is open.
    pub when_no_site_open: NoVisitSite,
}

/// Where an ambulance assessment mission ends (the rest stay home).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AssessmentOutcome {
    /// Conveyed to hospital.
    pub to_hospital: f64,
    /// Conveyed to the legevakt.
    pub to_legevakt: f64,
}

/// How patients sent to a legevakt get there.
#[derive(Debug, Clone)]
pub struct Transport {
    /// By ambulance at 0 km.
    pub ambulance: PerUrgency<f64>,
    /// Increase per km.
    pub ambulance_per_km: PerUrgency<f64>,
    /// By patient transport at 0 km.
    pub patient_transport: PerUrgency<f64>,
    /// Increase per km.
    pub patient_transport_per_km: PerUrgency<f64>,
    /// Cap on both together.
    pub max_share: f64,
    /// Wait for a patient transport \[min\].
    pub patient_transport_wait_min: Dist,
    /// Ambulance handover at the legevakt \[min\].
    pub ambulance_handover_min: Dist,
}

/// How a patient travels to the legevakt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TravelMode {
    /// Drives (or is driven) themselves.
    Own,
    /// Patient transport (taxi), which does not occupy an ambulance.
    PatientTransport,
    /// Ambulance.
    Ambulance,
}

impl Transport {
    /// The mode for urgency `u` at `km` from the site, from a uniform draw `x`.
    pub fn mode(&self, u: Urgency, km: f64, x: f64) -> TravelMode {
        let amb = (self.ambulance[u] + self.ambulance_per_km[u] * km).clamp(0.0, self.max_share);
        let pt = (self.patient_transport[u] + self.patient_transport_per_km[u] * km)
            .clamp(0.0, (self.max_share - amb).max(0.0));
        if x < amb {
            TravelMode::Ambulance
        } else if x < amb + pt {
            TravelMode::PatientTransport
        } else {
            TravelMode::Own
        }
    }
}

/// Parameters of the `logit` choice rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Logit {
    /// Minutes that change the odds by e.
    pub minutes_scale: f64,
    /// Extra minutes a patient accepts to see a doctor in person.
    pub doctor_in_person_min: f64,
}

/// A legevakt doctor car (legevaktbil, the Moss model).
#[derive(Debug, Clone)]
pub struct DoctorCar {
    /// Name.
    pub name: String,
    /// Its base station.
    pub station: StationId,
    /// Hours on duty.
    pub hours: Weekly,
    /// Own doctor (true) or the station's (false).
    pub own_doctor: bool,
    /// Declines missions farther than this \[min\].
    pub max_drive_min: f64,
    /// Share of offered yellow missions accepted when idle and in area.
    pub accept_share: f64,
    /// Offered yellow missions.
    pub yellow: bool,
    /// Goes to red events.
    pub red_callouts: bool,
    /// Time on scene \[min\].
    pub on_scene_min: Dist,
    /// Stays home / hospital / legevakt shares after a yellow assessment.
    pub outcome: (f64, f64, f64),
}

/// Unit costs \[NOK\].
#[derive(Debug, Clone, PartialEq)]
pub struct Costs {
    /// Doctor-hour rate by hour of the week (from the four time-of-week rates) \[NOK/h\].
    pub doctor_hour_by_how: Vec<f64>,
    /// Nurse-hour \[NOK/h\].
    pub nurse_hour: f64,
    /// Staffed ambulance per vehicle-hour \[NOK/h\].
    pub ambulance_staffed_hour: f64,
    /// On-call ambulance per vehicle-hour \[NOK/h\].
    pub ambulance_on_call_hour: f64,
    /// Per road or boat mission \[NOK\].
    pub ambulance_mission: f64,
    /// Per air mission \[NOK\].
    pub air_mission: f64,
    /// Satellite fixed cost per year \[NOK\].
    pub satellite_fixed_per_year: f64,
    /// Per patient-transport trip \[NOK\].
    pub patient_transport_trip: f64,
    /// Doctor car per hour on duty, besides its doctor \[NOK/h\].
    pub doctor_car_hour: f64,
}

/// Who makes the home visits a legevaktsentral decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HomeVisitsBy {
    /// Legevakt doctors (or satellite nurses with the doctor on video).
    Legevakt,
    /// Ambulance assessment missions ("vurderingsoppdrag").
    Ambulance,
}

/// Legevaktsentral (out-of-hours call centre, 116117).
#[derive(Debug, Clone)]
pub struct Lvs {
    /// Name.
    pub name: String,
    /// Nurses answering, by time of week.
    pub nurses: Weekly,
    /// Handling time per call \[min\].
    pub handling_min: Dist,
    /// Disposition probabilities by urgency.
    pub disposition: PerUrgency<DispositionShares>,
    /// Who makes home visits.
    pub home_visits_by: HomeVisitsBy,
    /// Callers hanging up and redialling (None: nobody hangs up).
    pub abandonment: Option<Abandonment>,
    /// Calls with no new need (administrative, repeat) per inhabitant per hour at mean profile
    /// intensity.
    pub other_calls_per_person_hour: f64,
}

/// Callers of a call centre who hang up before they are answered, and call again.
#[derive(Debug, Clone)]
pub struct Abandonment {
    /// Patience: time a caller waits before hanging up \[min\].
    pub patience_min: Dist,
    /// Share of those who hung up that call again.
    pub redial_share: f64,
    /// Hang-up → next call \[min\].
    pub redial_after_min: Dist,
}

/// AMK (emergency medical communication centre, 113).
#[derive(Debug, Clone)]
pub struct Amk {
    /// Name.
    pub name: String,
    /// Where the centre is (lat, lon) \[degrees\], for the maps.
    pub at: Option<(f64, f64)>,
    /// Operators on duty.
    pub operators: Weekly,
    /// Answer → ambulance notified \[min\].
    pub handling_min: PerUrgency<Dist>,
    /// Share of green calls forwarded to 116117 (rest: planned transport).
    pub green_to_116117: f64,
    /// Operator time on the line after dispatch \[min\].
    pub guidance_min: Option<PerUrgency<Dist>>,
    /// Hours planned transports are driven (None: any time).
    pub planned_hours: Option<Weekly>,
    /// Red events alert the legevakt.
    pub alert_red: bool,
    /// Share of alerts where the legevakt goes out.
    pub callout_share: f64,
    /// Legevakt time on scene at a red event \[min\].
    pub callout_on_scene_min: Dist,
    /// Callers hanging up and redialling (None: nobody hangs up).
    pub abandonment: Option<Abandonment>,
    /// Calls on the other lines \[per person per hour\].
    pub other_calls_per_person_hour: f64,
    /// Operator time per call on the other lines \[min\].
    pub other_call_min: Dist,
    /// Further centres; zones of other kommuner call the main one.
    pub centres: Vec<AmkCentre>,
}

/// One more AMK centre, answering for the zones of its kommuner.
#[derive(Debug, Clone)]
pub struct AmkCentre {
    /// Name.
    pub name: String,
    /// Operators on duty.
    pub operators: Weekly,
    /// The kommuner whose zones call it.
    pub kommuner: Vec<String>,
    /// Where it is (lat, lon) \[degrees\], for the maps.
    pub at: Option<(f64, f64)>,
}

/// Mission parameters of road and boat ambulances.
#[derive(Debug, Clone)]
pub struct AmbulanceParams {
    /// Activation at a staffed station \[min\].
    pub activation_min: PerUrgency<Dist>,
    /// Extra activation on call \[min\].
    pub on_call_extra_min: Dist,
    /// On scene, conveyed \[min\].
    pub on_scene_conveyed_min: Dist,
    /// On scene, not conveyed \[min\].
    pub on_scene_not_conveyed_min: Dist,
    /// Conveyance share.
    pub conveyance: PerUrgency<f64>,
    /// Handover at hospital \[min\].
    pub handover_min: PerUrgency<Dist>,
    /// Re-dispatch while returning.
    pub redispatch: bool,
    /// A red call with no vehicle free takes one on its way to a planned or green mission.
    pub divert_for_red: bool,
}

/// Ambulance vehicle kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
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
    /// Its station.
    pub station: AmbStationId,
    /// Kind.
    pub kind: VehicleKind,
    /// Staffed at the station.
    pub staffed: Weekly,
    /// On call from home.
    pub on_call: Weekly,
    /// Speed \[km/h\] (boat, air).
    pub speed_kmh: f64,
    /// Route ÷ great-circle (boat).
    pub detour: f64,
    /// Zones it can reach (None = all).
    pub zones: Option<IdVec<ZoneId, bool>>,
    /// Urgencies it takes.
    pub urgencies: PerUrgency<bool>,
    /// Air: only when road response would exceed this \[min\].
    pub min_road_response_min: f64,
    /// Air: weather availability share.
    pub availability: f64,
    /// Own activation \[min\] (air).
    pub activation_min: Option<Dist>,
    /// Own on-scene time \[min\] (air).
    pub on_scene_min: Option<Dist>,
}

/// Ambulance station.
#[derive(Debug, Clone)]
pub struct AmbStation {
    /// Name.
    pub name: String,
    /// Its point.
    pub facility: FacilityId,
    /// Its last available vehicle is kept for red calls.
    pub reserve_last_for_red: bool,
}

/// Hospital with an ED.
#[derive(Debug, Clone)]
pub struct Hospital {
    /// Name.
    pub name: String,
    /// Its point.
    pub facility: FacilityId,
    /// ED bays.
    pub bays: u32,
    /// ED time \[min\].
    pub ed_min: Dist,
    /// Admission share.
    pub admission: PerUrgency<f64>,
    /// Where its transfers go (`[demand.hospital_transfers]`), when given.
    pub transfers_to: Option<HospitalId>,
}

/// Ambulance transfers between hospitals (`[demand.hospital_transfers]`).
#[derive(Debug, Clone)]
pub struct Transfers {
    /// Transfers per inhabitant per hour at mean profile intensity.
    pub per_person_hour: f64,
    /// When they are ordered.
    pub profile: Profile,
}

/// Legevakt referrals to hospital.
#[derive(Debug, Clone)]
pub struct Referral {
    /// Share referred.
    pub share: PerUrgency<f64>,
    /// Of those, by ambulance.
    pub by_ambulance: PerUrgency<f64>,
}

/// A scripted need.
#[derive(Debug, Clone)]
pub struct Incident {
    /// When.
    pub at: SimTime,
    /// Where.
    pub zone: ZoneId,
    /// Which number is called.
    pub channel: crate::base::urgency::Channel,
    /// Urgency.
    pub urgency: Urgency,
}

/// Nurse triage on arrival at a station.
#[derive(Debug, Clone)]
pub struct Triage {
    /// Triage nurses on duty.
    pub nurses: Weekly,
    /// Triage time \[min\].
    pub time_min: Dist,
}

/// Legevakt station (out-of-hours clinic with doctors).
#[derive(Debug, Clone)]
pub struct Station {
    /// Name.
    pub name: String,
    /// Its point.
    pub facility: FacilityId,
    /// Its legevaktsentral.
    pub lvs: Option<LvsId>,
    /// Opening hours (level > 0 = open).
    pub open: Weekly,
    /// Doctors on duty.
    pub doctors: Weekly,
    /// Nurse triage on arrival, if the station triages.
    pub triage: Option<Triage>,
    /// Urgencies taken.
    pub accepts: PerUrgency<bool>,
    /// Doctor consultation time \[min\].
    pub consultation_min: Dist,
    /// Home-visit time on site \[min\].
    pub home_visit_min: Dist,
    /// Doctors sharing the on-call rota.
    pub rota_size: Option<u32>,
    /// Its legevakt district: the kommuner whose zones use only it and its satellites.
    pub district: Vec<String>,
}

/// Satellite legevakt: nurse on site, host doctor by video.
#[derive(Debug, Clone)]
pub struct Satellite {
    /// Name.
    pub name: String,
    /// Its point.
    pub facility: FacilityId,
    /// Host station.
    pub host: StationId,
    /// Opening hours.
    pub open: Weekly,
    /// Nurses on site.
    pub nurses: Weekly,
    /// Urgencies taken.
    pub accepts: PerUrgency<bool>,
    /// Video consultation time (holds nurse and host doctor).
    pub video: VideoTime,
    /// Nurses make home visits (doctor on video).
    pub home_visits: bool,
    /// Home-visit time on site \[min\].
    pub home_visit_min: Dist,
}

/// How long a satellite's video consultation takes.
#[derive(Debug, Clone)]
pub enum VideoTime {
    /// Its own distribution \[min\].
    Own(Dist),
    /// The host station's consultation time × this factor.
    HostFactor(f64),
}

/// A place a patient can be sent to for a legevakt consultation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// A station.
    Station(StationId),
    /// A satellite.
    Satellite(SatelliteId),
}

/// How patients choose a legevakt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChoiceRule {
    /// Nearest site (by travel time) open on arrival that takes the urgency.
    NearestOpen,
    /// The zone's preferred site when it is open on arrival and takes the urgency, else as
    /// `nearest_open`.
    ZonePreferred,
    /// Among the sites open on arrival, by a logit on drive time with a bonus for a doctor in
    /// person (`[routing.logit]`).
    Logit,
}

/// The legevakt site a patient is sent to (see [`Scenario::choose_site`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteChoice {
    /// The site, if one is open on arrival.
    pub site: Option<SiteId>,
    /// The rule's first choice among the sites open now closes before the patient arrives.
    pub closing_skipped: bool,
}

/// A validated, immutable scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// What `akuttsim region` generated the model from (facilities from the tables and placed
    /// by rule), when it did.
    pub generated: Option<raw::RawGenerated>,
    /// Files read (scenario, the files it extends and its CSV tables), for the manifest.
    pub inputs: Vec<PathBuf>,
    /// Zones.
    pub zones: IdVec<ZoneId, Zone>,
    /// Population points of the zones (zone by zone).
    pub points: IdVec<PointId, ZonePoint>,
    /// An ambulance's road travel time to the scene and to hospital as a multiple of the
    /// matrix time, by urgency.
    pub emergency_speed: PerUrgency<f64>,
    /// Things a user should know that do not stop the model (e.g. an urban zone placed at an
    /// area centroid); `check` and `run` print them.
    pub warnings: Vec<String>,
    /// Demand per channel.
    pub demand: PerChannel<Option<ChannelDemand>>,
    /// Legevaktsentraler.
    pub lvs: IdVec<LvsId, Lvs>,
    /// Stations.
    pub stations: IdVec<StationId, Station>,
    /// Satellites.
    pub satellites: IdVec<SatelliteId, Satellite>,
    /// Sites: stations then satellites.
    pub sites: IdVec<SiteId, Site>,
    /// Legevakt choice rule.
    pub choice: ChoiceRule,
    /// Parameters of the logit choice (when `choice` is `Logit`).
    pub logit: Option<Logit>,
    /// How patients get to the legevakt (None: all on their own).
    pub transport: Option<Transport>,
    /// When a home visit becomes an assessment mission.
    pub home_visits: HomeVisitPolicy,
    /// Where assessment missions end (None: by the ambulance conveyance share, to hospital).
    pub assessment: Option<AssessmentOutcome>,
    /// Doctor cars.
    pub doctor_cars: IdVec<DoctorCarId, DoctorCar>,
    /// Unit costs (None: no cost KPIs).
    pub costs: Option<Costs>,
    /// AMK, if modelled.
    pub amk: Option<Amk>,
    /// Ambulance mission parameters (present when there are vehicles).
    pub ambulance: Option<AmbulanceParams>,
    /// Ambulance stations.
    pub amb_stations: IdVec<AmbStationId, AmbStation>,
    /// Vehicles (one entry per vehicle).
    pub vehicles: IdVec<VehicleId, Vehicle>,
    /// Hospitals.
    pub hospitals: IdVec<HospitalId, Hospital>,
    /// Ambulance transfers between hospitals (None: none modelled).
    pub transfers: Option<Transfers>,
    /// Legevakt referrals.
    pub referral: Option<Referral>,
    /// Scripted needs, sorted by time.
    pub incidents: IdVec<IncidentId, Incident>,
    /// Places (zones, then facilities) and the travel matrix.
    pub travel: Travel,
    /// Tables derived from the above once, at load.
    pub derived: Derived,
}

impl Scenario {
    /// Facility of a site.
    pub fn site_facility(&self, s: SiteId) -> FacilityId {
        match self.sites[s] {
            Site::Station(i) => self.stations[i].facility,
            Site::Satellite(i) => self.satellites[i].facility,
        }
    }

    /// Name of a site.
    pub fn site_name(&self, s: SiteId) -> &str {
        match self.sites[s] {
            Site::Station(i) => &self.stations[i].name,
            Site::Satellite(i) => &self.satellites[i].name,
        }
    }

    /// Opening hours of a site.
    pub fn site_open(&self, s: SiteId) -> &Weekly {
        match self.sites[s] {
            Site::Station(i) => &self.stations[i].open,
            Site::Satellite(i) => &self.satellites[i].open,
        }
    }

    /// Does a site take an urgency?
    pub fn site_accepts(&self, s: SiteId, u: Urgency) -> bool {
        match self.sites[s] {
            Site::Station(i) => self.stations[i].accepts[u],
            Site::Satellite(i) => self.satellites[i].accepts[u],
        }
    }

    /// The site of a station.
    pub fn station_site(&self, st: StationId) -> SiteId {
        SiteId::new(st.index()) // stations come first among sites
    }

    /// Drive time from point `pt` to site `s` \[min\].
    #[inline]
    pub fn point_site_min(&self, pt: PointId, s: SiteId) -> f64 {
        self.travel
            .minutes(self.travel.point_place(pt), self.site_facility(s))
    }

    /// Which site a patient at point `pt` with urgency `u`, sent at `t`, goes to: under the
    /// scenario's choice rule, among the sites that take the urgency and **are open when the
    /// patient arrives** (the legevaktsentral does not send anyone to a clinic that closes
    /// before they get there). `x` is the patient's uniform draw for the choice (used by the
    /// `logit` rule only). `site` is `None` when no site is open on arrival (the need then goes
    /// to the GP); `closing_skipped` says that the site the rule would have picked among those
    /// open at `t` closes before the patient could arrive, so the patient was sent elsewhere.
    #[inline]
    pub fn choose_site(&self, pt: PointId, u: Urgency, t: SimTime, x: f64) -> SiteChoice {
        if self.choice == ChoiceRule::Logit {
            let site = self.logit_pick(pt, u, t, x, true);
            let now = self.logit_pick(pt, u, t, x, false);
            return SiteChoice {
                site,
                closing_skipped: now.is_some_and(|n| !self.open_on_arrival(pt, n, t)),
            };
        }
        // One pass over the candidates in the rule's order (the preferred site first, then by
        // drive time): the first open on arrival is the choice; the first open now is what the
        // rule would have picked ignoring the closing time. Usually both are the first site.
        let preferred = match self.choice {
            ChoiceRule::ZonePreferred => self.zones[self.points[pt].zone].preferred_site,
            ChoiceRule::NearestOpen | ChoiceRule::Logit => None,
        };
        let mut site = None;
        let mut first_now: Option<bool> = None; // is the first site open now open on arrival?
        for s in preferred
            .into_iter()
            .chain(self.derived.point_sites[pt].iter().copied())
        {
            if !self.site_accepts(s, u) {
                continue;
            }
            let now = self.site_open(s).level_at(t) > 0;
            // Open now and still open when the patient gets there: nobody is sent to a clinic
            // that is closed now (in the daytime the GP answers), nor to one that closes first.
            let arr = now && self.open_on_arrival(pt, s, t);
            if first_now.is_none() && now {
                first_now = Some(arr);
            }
            if site.is_none() && arr {
                site = Some(s);
            }
            if site.is_some() && first_now.is_some() {
                break;
            }
        }
        SiteChoice {
            site,
            closing_skipped: first_now == Some(false),
        }
    }

    /// Is site `s` open when a patient at point `pt` sent at `t` gets there? (Callers also ask
    /// that it is open at `t`.)
    #[inline]
    fn open_on_arrival(&self, pt: PointId, s: SiteId, t: SimTime) -> bool {
        let arrive = t + crate::base::time::Dur::from_minutes(self.point_site_min(pt, s));
        self.site_open(s).level_at(arrive) > 0
    }

    /// Is site `s` open at `t` and still open when a patient at point `pt` sent then arrives?
    #[inline]
    fn open_for(&self, pt: PointId, s: SiteId, t: SimTime) -> bool {
        self.site_open(s).level_at(t) > 0 && self.open_on_arrival(pt, s, t)
    }

    /// The logit weights of the sites at point `pt` that take `u` and are open (on arrival, or at
    /// `t`): exp(−(drive − bonus) ÷ scale), the bonus for a station (a doctor in person).
    fn logit_weights(
        &self,
        pt: PointId,
        u: Urgency,
        t: SimTime,
        on_arrival: bool,
    ) -> Vec<(SiteId, f64)> {
        let l = self
            .logit
            .expect("the logit rule has its parameters (checked at load)");
        let cands: Vec<(SiteId, f64)> = self.derived.point_sites[pt]
            .iter()
            .copied()
            .filter(|&s| {
                self.site_accepts(s, u)
                    && if on_arrival {
                        self.open_for(pt, s, t)
                    } else {
                        self.site_open(s).level_at(t) > 0
                    }
            })
            .map(|s| {
                let bonus = match self.sites[s] {
                    Site::Station(_) => l.doctor_in_person_min,
                    Site::Satellite(_) => 0.0,
                };
                (s, -(self.point_site_min(pt, s) - bonus) / l.minutes_scale)
            })
            .collect();
        let top = cands.iter().map(|c| c.1).fold(f64::NEG_INFINITY, f64::max);
        cands
            .into_iter()
            .map(|(s, v)| (s, (v - top).exp()))
            .collect()
    }

    fn logit_pick(
        &self,
        pt: PointId,
        u: Urgency,
        t: SimTime,
        x: f64,
        on_arrival: bool,
    ) -> Option<SiteId> {
        let w = self.logit_weights(pt, u, t, on_arrival);
        let total: f64 = w.iter().map(|c| c.1).sum();
        let mut acc = 0.0;
        for (s, wi) in &w {
            acc += wi / total;
            if x < acc {
                return Some(*s);
            }
        }
        w.last().map(|c| c.0)
    }

    /// The sites a green patient at point `pt` sent at `t` goes to, with their probabilities (one
    /// site with probability 1 except under the `logit` rule) — for the structural figures.
    pub fn site_probabilities(&self, pt: PointId, t: SimTime) -> Vec<(SiteId, f64)> {
        let u = Urgency::Green;
        if self.choice == ChoiceRule::Logit {
            let w = self.logit_weights(pt, u, t, true);
            let total: f64 = w.iter().map(|c| c.1).sum();
            return w.into_iter().map(|(s, wi)| (s, wi / total)).collect();
        }
        self.choose_site(pt, u, t, 0.0)
            .site
            .map(|s| vec![(s, 1.0)])
            .unwrap_or_default()
    }

    /// The nearest station (with a doctor in person) at point `pt` that takes `u` and is open
    /// when a patient sent at `t` arrives — what distance decay is measured to under
    /// `distance_decay_to = "doctor_station"`.
    pub fn nearest_doctor_station(&self, pt: PointId, u: Urgency, t: SimTime) -> Option<SiteId> {
        self.derived.point_sites[pt].iter().copied().find(|&s| {
            matches!(self.sites[s], Site::Station(_))
                && self.site_accepts(s, u)
                && self.open_for(pt, s, t)
        })
    }

    /// The site a home visit for point `pt` and urgency `u` is made from at `t`: the nearest site
    /// open now that takes the urgency, or the zone's preferred one under `zone_preferred` (the
    /// doctor or nurse leaves now).
    pub fn visit_site(&self, pt: PointId, u: Urgency, t: SimTime) -> Option<SiteId> {
        let ok = |s: SiteId| self.site_accepts(s, u) && self.site_open(s).level_at(t) > 0;
        if self.choice == ChoiceRule::ZonePreferred
            && let Some(s) = self.zones[self.points[pt].zone].preferred_site
            && ok(s)
        {
            return Some(s);
        }
        self.derived.point_sites[pt]
            .iter()
            .copied()
            .find(|&s| ok(s))
    }

    /// Travel time of vehicle `v` between two places \[min\]: road vehicles use the road rule or
    /// matrix, boats great-circle × their detour at their speed, air great-circle at its speed.
    #[inline]
    pub fn vehicle_travel_min(&self, v: VehicleId, a: PlaceId, b: PlaceId) -> f64 {
        if a == b {
            return 0.0;
        }
        let veh = &self.vehicles[v];
        match veh.kind {
            VehicleKind::Air => self.travel.great_circle_km(a, b) / veh.speed_kmh * 60.0,
            VehicleKind::Boat => {
                self.travel.great_circle_km(a, b) * veh.detour / veh.speed_kmh * 60.0
            }
            VehicleKind::Road => self.travel.road_min(a, b),
        }
    }

    /// Place of a vehicle's home station.
    pub fn vehicle_home(&self, v: VehicleId) -> PlaceId {
        self.travel
            .facility_place(self.amb_stations[self.vehicles[v].station].facility)
    }

    /// Place of a hospital.
    pub fn hospital_place(&self, h: HospitalId) -> PlaceId {
        self.travel.facility_place(self.hospitals[h].facility)
    }

    /// Place of a site.
    pub fn site_place(&self, s: SiteId) -> PlaceId {
        self.travel.facility_place(self.site_facility(s))
    }

    /// Total population \[persons\].
    pub fn population(&self) -> f64 {
        self.zones.iter().map(|z| z.population).sum()
    }

    /// Expected latent needs of one replication of `days_total` days (warm-up included).
    pub fn expected_needs(&self, days_total: f64) -> f64 {
        let per_hour: f64 = crate::base::urgency::Channel::ALL
            .iter()
            .filter_map(|&c| self.demand[c].as_ref())
            .map(|d| d.rate_per_person_hour.iter().map(|(_, r)| *r).sum::<f64>())
            .sum();
        per_hour * self.population() * days_total * 24.0 + self.incidents.len() as f64
    }

    /// Expected patients of one replication of `days_total` days (warm-up included): the needs,
    /// and the hospital transfers and calls without a need, which pass through the chain too.
    pub fn expected_patients(&self, days_total: f64) -> f64 {
        let transfers = self.transfers.as_ref().map_or(0.0, |t| {
            let pop: f64 = self
                .derived
                .transfer_origins
                .iter()
                .map(|o| o.population)
                .sum();
            pop * t.per_person_hour
        });
        let other_lvs: f64 = self
            .zones
            .iter_enumerated()
            .filter_map(|(z, zone)| {
                let l = self.derived.zone_lvs[z]?;
                Some(zone.population * self.lvs[l].other_calls_per_person_hour)
            })
            .sum();
        let other_amk = self
            .amk
            .as_ref()
            .map_or(0.0, |a| a.other_calls_per_person_hour * self.population());
        self.expected_needs(days_total) + (transfers + other_lvs + other_amk) * days_total * 24.0
    }

    /// Is one replication of `spec` too much work (see [`limits::MAX_EXPECTED_NEEDS`])? The
    /// message names the fix.
    pub fn work_problem(&self, spec: &crate::input::RunSpec) -> Option<String> {
        let n = self.expected_needs(spec.days + spec.warmup_days);
        (n > limits::MAX_EXPECTED_NEEDS).then(|| {
            format!(
                "one replication would simulate about {n:.3e} needs — at most {:.0e} are supported; shorten the run (days) or lower the demand",
                limits::MAX_EXPECTED_NEEDS
            )
        })
    }
}

/// Load and validate a scenario file.
pub fn load(path: &Path) -> Result<Scenario, LoadError> {
    let m = overlay::read_model(path)?;
    validate::scenario(m.table, &m.dir, &m.label, m.inputs)
}

/// Validate scenario text. `dir` resolves relative paths; `label` names the file in messages.
pub fn load_str(text: &str, dir: &Path, label: &str) -> Result<Scenario, LoadError> {
    let m = overlay::model_from_str(text, dir, label)?;
    validate::scenario(m.table, &m.dir, &m.label, m.inputs)
}

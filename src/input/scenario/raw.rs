//! Raw scenario structs: exactly what a TOML file may contain, read with serde and
//! `deny_unknown_fields`. Nothing here is checked beyond types; [`super::validate`] turns these into
//! the validated [`super::Scenario`]. Field names carry their unit (`_min`, `_km`, `_kmh`, `_s`).

//!
//! Closed sets (zone class, vehicle kind, urgencies, channels, choice rules) are serde enums, so a
//! misspelt value is reported by the deserialiser with the list of accepted values.

use super::{ChoiceRule, DecayTarget, HomeVisitsBy, NoVisitSite, VehicleKind, ZoneClass};
use crate::base::closed::Closed;
use crate::base::dist::DistSpec;
use crate::base::schedule::ShiftSpec;
use crate::base::urgency::{Channel, PerUrgency, Urgency};
use serde::{Deserialize, Serialize};

/// `[travel]`: how travel times are obtained.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawTravel {
    /// Road distance ÷ great-circle distance (default 1.3, derived from the documented
    /// Molde/Kristiansund → Hjelset trips; `models/SOURCES.md` `[HMR-SNR]`).
    pub detour_factor: Option<f64>,
    /// Average road speed \[km/h\] (default 65, derived as `detour_factor`).
    pub speed_kmh: Option<f64>,
    /// Optional travel CSV `from,to,minutes[,km][,ferry][,source]` (documented or routed
    /// times), relative to the scenario file.
    pub matrix_csv: Option<String>,
    /// Ferries for the ferry-aware estimate of pairs no table gives.
    pub ferries: Option<Vec<RawFerry>>,
    /// An ambulance's road travel time to the scene and to hospital as a multiple of the
    /// matrix time, by urgency (default 1: as fast as anyone).
    pub emergency_travel_factor: Option<PerUrgency<f64>>,
}

/// `[indicator]`: how the published response indicator classifies zones.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    /// Table of tettbygd kommuner (column `kommune_no`): a kommune is tettbygd when all or part
    /// of it belongs to a tettsted of more than 10,000 inhabitants; every zone of such a kommune
    /// is judged against 12 min, every other against 25. Without it, the zone's own class.
    pub tettbygd_kommuner_csv: Option<String>,
}

/// A point (quay).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLatLon {
    /// Latitude \[degrees north\].
    pub lat: f64,
    /// Longitude \[degrees east\].
    pub lon: f64,
}

/// `[[travel.ferries]]`: a ferry that the places on its far side use to reach the rest.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFerry {
    /// Name (e.g. the route).
    pub name: String,
    /// The quay on the far side.
    pub quay_far: RawLatLon,
    /// The quay on the near side.
    pub quay_near: RawLatLon,
    /// Crossing time \[min\].
    pub crossing_min: f64,
    /// Time between departures \[min\]; half of it is added as the mean wait.
    pub headway_min: f64,
    /// Zones (all their points), points or facilities on the far side.
    pub far_side: Vec<String>,
}

/// `[[zones]]`: a population point.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawZone {
    /// Unique name.
    pub name: String,
    /// Inhabitants \[persons\].
    pub population: f64,
    /// Latitude of the zone's point \[degrees north, WGS84\] (or give `points`).
    pub lat: Option<f64>,
    /// Longitude \[degrees east, WGS84\].
    pub lon: Option<f64>,
    /// Several weighted population points instead of `lat`/`lon`: needs are drawn among them by
    /// weight, and travel is measured from the point drawn.
    pub points: Option<Vec<RawPoint>>,
    /// `urban` (tettsted ≥ 10,000 inhabitants: 12-min target) or `rural` (25-min target).
    pub class: Closed<ZoneClass>,
    /// Preferred legevakt (station or satellite name) under the `zone_preferred` choice rule.
    pub legevakt: Option<String>,
    /// Kommune number (4 digits): the published response indicator classifies kommuner.
    pub kommune: Option<String>,
}

/// A weighted population point of a zone.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPoint {
    /// Latitude \[degrees north, WGS84\].
    pub lat: f64,
    /// Longitude \[degrees east, WGS84\].
    pub lon: f64,
    /// Relative weight (any scale; shares are weight ÷ the zone's total).
    pub weight: f64,
    /// Place name (for travel tables; default "#k").
    pub place: Option<String>,
}

/// An hour-of-week demand profile: either 24 weekday + 24 weekend-day weights with a weekend
/// factor, or 168 weights starting Monday 00:00.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawProfile {
    /// Relative intensity in each clock hour of a weekday (24 values, any scale).
    pub weekday_hour_weights: Option<Vec<f64>>,
    /// Relative intensity in each clock hour of a Saturday or Sunday (24 values; default = weekday).
    pub weekend_hour_weights: Option<Vec<f64>>,
    /// Volume of a weekend day ÷ volume of a weekday (default 1).
    pub weekend_day_factor: Option<f64>,
    /// Full week of 168 hourly weights from Monday 00:00 (instead of the three fields above).
    pub hour_of_week_weights: Option<Vec<f64>>,
}

/// Demand on one channel (116117 or 113).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawChannel {
    /// Latent needs per 1000 inhabitants per year, by urgency (at 0 km from the legevakt).
    pub per_1000_per_year: PerUrgency<f64>,
    /// Time-of-week shape (default flat).
    pub profile: Option<RawProfile>,
    /// Distance decay k \[1/km\] by urgency: a need becomes a contact with probability e^(−k·km).
    pub distance_decay_per_km: Option<PerUrgency<f64>>,
    /// Share of contacts that walk in without calling first (0..1, by urgency; default 0).
    pub direct_attendance_share: Option<PerUrgency<f64>>,
    /// What the distance in the decay is measured to: `any_site` (default: the station or
    /// satellite the patient would be sent to), `doctor_station` (the nearest station with a
    /// doctor open on arrival — a nurse-only satellite does not count), or `none` (no decay).
    pub distance_decay_to: Option<Closed<DecayTarget>>,
    /// What a need suppressed by distance does instead, by urgency (shares summing to 1).
    /// Default: red calls 113, yellow and green go unmet.
    pub suppressed_fate: Option<PerUrgency<RawFate>>,
}

/// The fate of a need that distance keeps from the legevakt: shares summing to 1.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFate {
    /// Calls 113 instead.
    pub call_113: Option<f64>,
    /// Calls 116117 and is helped by telephone (a nurse call that ends in advice).
    pub phone: Option<f64>,
    /// Waits for the GP on the next weekday.
    pub gp_next_day: Option<f64>,
    /// Goes unmet (self-care).
    pub unmet: Option<f64>,
}

/// `[demand]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDemand {
    /// Calls to the legevaktsentral (116117).
    pub calls_116117: Option<RawChannel>,
    /// Calls to AMK (113).
    pub calls_113: Option<RawChannel>,
    /// Scripted needs (replayed incidents), in addition to the random demand.
    pub incidents: Option<Vec<RawIncident>>,
    /// Ambulance transfers between hospitals, ordered by the hospitals.
    pub hospital_transfers: Option<RawTransfers>,
}

/// `[demand.hospital_transfers]`: ambulance transfers from one hospital to another.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransfers {
    /// Transfers per 1000 inhabitants of the model per year, shared among the hospitals by the
    /// population whose nearest hospital each is.
    pub per_1000_per_year: f64,
    /// When transfers are ordered (default: any time), uniform within these hours.
    pub hours: Option<Vec<ShiftSpec>>,
}

/// Disposition probabilities after a 116117 call, for one urgency. They must sum to 1.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDisposition {
    /// Advice by telephone only; the contact ends.
    pub advice: f64,
    /// Consultation at a legevakt station or satellite.
    pub legevakt: f64,
    /// Home visit (sykebesøk).
    pub home_visit: f64,
    /// Forwarded to 113 / AMK.
    pub forward_113: f64,
}

/// `[[legevaktsentral]]`: an out-of-hours call centre (LVS, 116117).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLvs {
    /// Unique name.
    pub name: String,
    /// Nurses answering calls, by shift.
    pub nurses: Vec<ShiftSpec>,
    /// Telephone handling time per call \[min\].
    pub handling_time_min: DistSpec,
    /// Disposition probabilities by urgency.
    pub disposition: PerUrgency<RawDisposition>,
    /// Who makes home visits: `legevakt` (default) or `ambulance` (assessment missions).
    pub home_visits_by: Option<Closed<HomeVisitsBy>>,
    /// Callers hang up after a patience time, and a share call again (default: nobody hangs up).
    pub abandonment: Option<RawAbandonment>,
    /// Calls that bring no new need (administrative calls, repeat calls about a need already
    /// handled), per 1000 inhabitants of the zones it answers for, per year (default 0). They
    /// arrive with the 116117 profile and take a nurse for the handling time.
    pub other_calls_per_1000_per_year: Option<f64>,
}

/// `abandonment = { patience_min, redial_share, redial_after_min }` of a call centre.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAbandonment {
    /// How long a caller waits for an answer before hanging up \[min\] (each attempt draws anew).
    pub patience_min: DistSpec,
    /// Share of the callers who hung up that call again (default 0).
    pub redial_share: Option<f64>,
    /// Time from hanging up to calling again \[min\] (required when `redial_share` > 0).
    pub redial_after_min: Option<DistSpec>,
}

/// `[[legevakt]]`: an out-of-hours clinic with doctors.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawStation {
    /// Unique name.
    pub name: String,
    /// Latitude \[degrees\].
    pub lat: f64,
    /// Longitude \[degrees\].
    pub lon: f64,
    /// Which legevaktsentral answers for this station's area (needed when there are several).
    pub legevaktsentral: Option<String>,
    /// Opening hours (when patients are sent here).
    pub open: Vec<ShiftSpec>,
    /// Doctors on duty, by shift.
    pub doctors: Vec<ShiftSpec>,
    /// Nurses on duty (triage on arrival), by shift; none means no triage step.
    pub nurses: Option<Vec<ShiftSpec>>,
    /// Urgencies this station takes (default all).
    pub urgencies: Option<Vec<Closed<Urgency>>>,
    /// Nurse triage time on arrival \[min\] (needs `nurses`).
    pub triage_time_min: Option<DistSpec>,
    /// Doctor consultation time \[min\].
    pub consultation_time_min: DistSpec,
    /// Time on site during a home visit \[min\] (travel is added from the travel matrix).
    pub home_visit_time_min: DistSpec,
    /// Doctors sharing this station's on-call rota (for the night hours each works per month).
    pub doctor_rota_size: Option<u32>,
    /// The legevakt district: the kommuner (4-digit numbers) it serves. Their zones use only
    /// this station and its satellites (default: no district; the zones use every site).
    pub kommuner: Option<Vec<String>>,
}

/// `[[satellites]]`: a nurse-staffed satellite legevakt; the doctor consults by video from the host.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSatellite {
    /// Unique name.
    pub name: String,
    /// Latitude \[degrees\].
    pub lat: f64,
    /// Longitude \[degrees\].
    pub lon: f64,
    /// Name of the host legevakt station whose doctors consult by video.
    pub host: String,
    /// Opening hours.
    pub open: Vec<ShiftSpec>,
    /// Nurses on site, by shift.
    pub nurses: Vec<ShiftSpec>,
    /// Urgencies the satellite takes (default yellow and green; red goes to the station or 113).
    pub urgencies: Option<Vec<Closed<Urgency>>>,
    /// Video consultation time \[min\]; holds the nurse and one host doctor throughout. Give this
    /// or `video_time_factor`.
    pub video_consultation_time_min: Option<DistSpec>,
    /// Video consultation time as a multiple of the host station's consultation time (instead
    /// of `video_consultation_time_min`).
    pub video_time_factor: Option<f64>,
    /// Do satellite nurses make home visits with the doctor on video? (default true)
    pub home_visits: Option<bool>,
    /// Time on site during a nurse home visit \[min\] (default: the host's `home_visit_time_min`).
    pub home_visit_time_min: Option<DistSpec>,
}

/// `[routing]`: how patients are sent to a legevakt.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawRouting {
    /// `nearest_open` (default): the open station or satellite with the shortest travel time that
    /// takes the urgency. `zone_preferred`: the zone's `legevakt` when open, else nearest open.
    pub legevakt_choice: Option<Closed<ChoiceRule>>,
    /// Parameters of the `logit` choice rule.
    pub logit: Option<RawLogit>,
}

/// The `logit` legevakt choice: a patient picks among the sites open on arrival with
/// probability ∝ exp(−(drive time − bonus) ÷ scale), the bonus applying to a station, where
/// the doctor is met in person.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLogit {
    /// Minutes of drive time that change the odds by a factor e \[min\].
    pub minutes_scale: f64,
    /// Minutes of extra drive a patient accepts to see a doctor in person \[min\].
    pub doctor_in_person_min: f64,
}

/// `[legevakt_transport]`: how patients sent to a legevakt get there. The rest drive (or are
/// driven) themselves. Shares rise linearly with the distance and are capped.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransport {
    /// Share taken by ambulance at 0 km, by urgency.
    pub ambulance_share: PerUrgency<f64>,
    /// Increase of the ambulance share per 10 km, by urgency (default 0).
    pub ambulance_share_per_10km: Option<PerUrgency<f64>>,
    /// Share taken by patient transport (rekvirert taxi; no ambulance) at 0 km, by urgency.
    pub patient_transport_share: PerUrgency<f64>,
    /// Increase of the patient-transport share per 10 km, by urgency (default 0).
    pub patient_transport_share_per_10km: Option<PerUrgency<f64>>,
    /// Cap on ambulance + patient transport (default 0.9).
    pub max_share: Option<f64>,
    /// Wait for a patient transport to come \[min\].
    pub patient_transport_wait_min: DistSpec,
    /// Ambulance handover at the legevakt \[min\] (no ED bay to wait for).
    pub ambulance_handover_min: DistSpec,
}

/// `[home_visits]`: when a decided home visit is made by an ambulance instead (an assessment
/// mission, "vurderingsoppdrag").
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawHomeVisits {
    /// A visit whose doctor (or nurse) has not left within this wait becomes an assessment
    /// mission \[min\] (default: no limit).
    pub max_wait_min: Option<f64>,
    /// A patient farther than this one-way drive from the site gets an assessment mission
    /// \[min\] (default: no limit).
    pub max_drive_min: Option<f64>,
    /// When no site is open: `gp` (default; the GP next weekday) or `ambulance` (an assessment
    /// mission).
    pub when_no_site_open: Option<Closed<NoVisitSite>>,
}

/// `[assessment]`: where an ambulance assessment mission ends.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAssessment {
    /// Share conveyed to hospital.
    pub to_hospital_share: f64,
    /// Share conveyed to the legevakt (the site open on arrival; hospital when none is).
    pub to_legevakt_share: f64,
}

/// `[[doctor_cars]]`: a legevakt doctor car (legevaktbil, the Moss model).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDoctorCar {
    /// Unique name.
    pub name: String,
    /// The legevakt station it is based at.
    pub station: String,
    /// Hours on duty.
    pub hours: Vec<ShiftSpec>,
    /// The car has its own doctor (with a driver); `false`: it takes a doctor of the station,
    /// who must be free (default true).
    pub own_doctor: Option<bool>,
    /// Service area: it declines missions farther than this one-way drive \[min\].
    pub max_drive_min: f64,
    /// Share of the yellow missions offered while idle and in area that the doctor accepts
    /// (default 1).
    pub accept_share: Option<f64>,
    /// AMK offers it yellow missions (default true).
    pub yellow: Option<bool>,
    /// It goes to red events alongside the ambulance when AMK alerts the legevakt (default true).
    pub red_callouts: Option<bool>,
    /// Time on scene \[min\].
    pub on_scene_min: DistSpec,
    /// Where a yellow patient seen by the car ends: shares summing to 1 (hospital by
    /// ambulance; legevakt on their own).
    pub outcome: RawCarOutcome,
}

/// Outcome shares after a doctor-car assessment.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCarOutcome {
    /// Stays home.
    pub home: f64,
    /// Conveyed to hospital by ambulance.
    pub hospital: f64,
    /// Goes to the legevakt.
    pub legevakt: f64,
}

/// `[costs]`: unit costs \[NOK, of the year each rate states\], for the cost KPIs.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCosts {
    /// Cost of a legevakt doctor-hour on duty, by time of week \[NOK/h\].
    pub doctor_hour_nok: RawDoctorRates,
    /// Cost of a nurse-hour on duty (legevaktsentral, triage, satellite) \[NOK/h\].
    pub nurse_hour_nok: f64,
    /// Cost of a road or boat ambulance for a year, by staffing \[NOK/year\]; a vehicle costs its
    /// share of the year in each.
    pub ambulance_car_year_nok: RawCarYear,
    /// Marginal cost of one road or boat ambulance mission \[NOK\].
    pub ambulance_mission_nok: f64,
    /// Cost of one air ambulance mission \[NOK\].
    pub air_mission_nok: f64,
    /// Fixed cost of a satellite per year, besides its nurses \[NOK/year\].
    pub satellite_fixed_nok_per_year: f64,
    /// Cost of one patient-transport trip \[NOK\].
    pub patient_transport_trip_nok: f64,
    /// Cost of a doctor car per year on duty around the clock, besides its doctor (vehicle and
    /// driver) \[NOK/year\].
    pub doctor_car_year_nok: f64,
}

/// Doctor-hour rates by time of week \[NOK/h\].
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDoctorRates {
    /// Monday–Friday 08–16.
    pub weekday_day: f64,
    /// Monday–Friday 16–23.
    pub weekday_evening: f64,
    /// Every night 23–08.
    pub night: f64,
    /// Saturday and Sunday 08–23.
    pub weekend: f64,
}

/// Ambulance cost per car-year by staffing \[NOK/year\].
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCarYear {
    /// Crew at the station around the clock.
    pub staffed: f64,
    /// Crew on call from home around the clock (hjemmevakt).
    pub on_call: f64,
}

/// `[amk]`: the emergency medical communication centre (AMK, 113).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAmk {
    /// Name.
    pub name: String,
    /// Where the centre is \[degrees north\] (for the maps only; optional, with `lon`).
    pub lat: Option<f64>,
    /// Where the centre is \[degrees east\].
    pub lon: Option<f64>,
    /// Operators answering 113, by shift.
    pub operators: Vec<ShiftSpec>,
    /// Answer → response decided and ambulance notified \[min\], by urgency.
    pub handling_time_min: PerUrgency<DistSpec>,
    /// Share of green 113 calls forwarded to the legevaktsentral; the rest get a planned
    /// ambulance transport (default 1).
    pub green_to_116117_share: Option<f64>,
    /// Operator time on the line after the ambulance is notified (guidance, e.g. CPR) \[min\],
    /// by urgency (default 0).
    pub guidance_after_dispatch_min: Option<PerUrgency<DistSpec>>,
    /// Hours in which planned transports are driven; a planned transport asked for outside them
    /// waits for the next (default: any time).
    pub planned_transport_hours: Option<Vec<ShiftSpec>>,
    /// Red events also alert the legevakt on duty ("trippelvarsling", default true).
    pub alert_legevakt_red: Option<bool>,
    /// Share of alerts where the legevakt doctor (or satellite nurse) goes out (default 0.42,
    /// Zakariassen & Hunskaar 2010).
    pub legevakt_callout_share: Option<f64>,
    /// Time the legevakt doctor or nurse stays on scene at a red event \[min\].
    pub callout_on_scene_min: Option<DistSpec>,
    /// Callers hang up after a patience time, and a share call again (default: nobody hangs up).
    pub abandonment: Option<RawAbandonment>,
    /// Calls on the centre's other lines (ambulance orders from hospitals and GPs, coordination,
    /// call-backs), per 1000 inhabitants per year (default 0). They take an operator and are
    /// answered after every waiting 113 call.
    pub other_calls_per_1000_per_year: Option<f64>,
    /// Operator time for one call on the other lines \[min\] (required with other calls).
    pub other_call_time_min: Option<DistSpec>,
    /// Further AMK centres with their own operators, each answering for the zones of its
    /// kommuner; zones of other kommuner call this `[amk]`'s operators. Every other AMK
    /// parameter is shared.
    pub centres: Option<Vec<RawAmkCentre>>,
}

/// One more AMK centre in `[amk] centres`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAmkCentre {
    /// Name.
    pub name: String,
    /// Where the centre is \[degrees north\] (for the maps only; optional, with `lon`).
    pub lat: Option<f64>,
    /// Where the centre is \[degrees east\].
    pub lon: Option<f64>,
    /// Operators, by shift.
    pub operators: Vec<ShiftSpec>,
    /// The kommuner (4-digit 2024 numbers) whose zones call this centre.
    pub kommuner: Vec<String>,
}

/// `[ambulance]`: mission parameters common to all road and boat ambulances.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAmbulance {
    /// Crew notified → vehicle leaves the station, staffed station \[min\], by urgency.
    pub activation_min: PerUrgency<DistSpec>,
    /// Extra activation when the crew is on call from home (hjemmevakt) \[min\].
    pub on_call_extra_activation_min: Option<DistSpec>,
    /// Time on scene when the patient is conveyed \[min\].
    pub on_scene_conveyed_min: DistSpec,
    /// Time on scene when the patient is not conveyed \[min\].
    pub on_scene_not_conveyed_min: DistSpec,
    /// Share of patients conveyed to hospital, by urgency.
    pub conveyance_share: PerUrgency<f64>,
    /// Arrival at hospital → ambulance free, once a bay is available \[min\], by urgency.
    pub handover_min: PerUrgency<DistSpec>,
    /// A returning ambulance can be re-dispatched on its way back (default true).
    pub redispatch_while_returning: Option<bool>,
    /// A red call with no vehicle free takes one on its way to a planned or green mission (that
    /// mission waits again) (default false).
    pub divert_for_red: Option<bool>,
}

/// A vehicle type at an ambulance station.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawVehicle {
    /// `road`, `boat` or `air`.
    pub kind: Closed<VehicleKind>,
    /// Identical vehicles of this type (default 1).
    pub count: Option<u32>,
    /// Shifts with a crew at the station.
    pub staffed: Option<Vec<ShiftSpec>>,
    /// Shifts with the crew on call from home (activation delayed).
    pub on_call: Option<Vec<ShiftSpec>>,
    /// Speed for boat and air \[km/h\] (road uses the travel matrix).
    pub speed_kmh: Option<f64>,
    /// Boat route ÷ great-circle distance (default 1.3).
    pub detour_factor: Option<f64>,
    /// Boat: zones it can reach (default all).
    pub zones: Option<Vec<String>>,
    /// Air: urgencies it is sent to (default red).
    pub urgencies: Option<Vec<Closed<Urgency>>>,
    /// Air: dispatched only when the best road/boat response would exceed this \[min\] (default 0).
    pub min_road_response_min: Option<f64>,
    /// Air: share of dispatch attempts the weather allows (default 1).
    pub availability_share: Option<f64>,
    /// Air: activation \[min\] (replaces the road activation).
    pub activation_min: Option<DistSpec>,
    /// Air: time on scene \[min\].
    pub on_scene_min: Option<DistSpec>,
}

/// `[[ambulance_stations]]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAmbStation {
    /// Unique name.
    pub name: String,
    /// Latitude \[degrees\].
    pub lat: f64,
    /// Longitude \[degrees\].
    pub lon: f64,
    /// Vehicles.
    pub vehicles: Vec<RawVehicle>,
    /// The station's last available vehicle is kept for red calls (default false).
    pub reserve_last_for_red: Option<bool>,
}

/// `[[hospitals]]`: a hospital with an emergency department (akuttmottak).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawHospital {
    /// Unique name.
    pub name: String,
    /// Latitude \[degrees\].
    pub lat: f64,
    /// Longitude \[degrees\].
    pub lon: f64,
    /// Treatment bays in the ED.
    pub ed_bays: u32,
    /// Time in the ED \[min\].
    pub ed_time_min: DistSpec,
    /// Share admitted after the ED, by urgency.
    pub admission_share: PerUrgency<f64>,
    /// Where this hospital's transfers go (default: the nearest other hospital).
    pub transfers_to: Option<String>,
}

/// `[legevakt_referral]`: consultations that end in a hospital referral.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawReferral {
    /// Share of legevakt consultations referred to hospital, by urgency.
    pub share: PerUrgency<f64>,
    /// Of those, share transported by ambulance (the rest travel on their own), by urgency.
    pub by_ambulance_share: PerUrgency<f64>,
}

/// A scripted need (replayed incident), in addition to the random demand.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawIncident {
    /// Time from the start of the run (Monday 00:00) \[min\].
    pub at_min: f64,
    /// Zone name.
    pub zone: String,
    /// `"113"` or `"116117"`.
    pub channel: Closed<Channel>,
    /// `red`, `yellow` or `green`.
    pub urgency: Closed<Urgency>,
}

/// `[generated]`: what `akuttsim region` wrote this model from — how many facilities come from
/// the facility tables and how many it placed by rule (`[assumption]`). Update or remove it when
/// you replace assumed facilities with real ones.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawGenerated {
    /// The command that wrote the model, e.g. "akuttsim region 0.6.0".
    pub by: String,
    /// Facilities in the model (legevakter, legevaktsentraler, AMK centres, ambulance and air
    /// bases, hospitals).
    pub facilities: u32,
    /// Of them, placed by a rule where the tables have no row (`[assumption]`).
    pub placed_by_rule: u32,
    /// Of those from the tables, how many have an assumed detail (hours, staffing, capacity).
    pub with_assumed_details: u32,
}

/// `[[zone_sources]]`: zones read from a CSV table (e.g. the national delområde or kommune table
/// in `models/data/norway/`), selected by kommune number and/or delområde number.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawZoneSource {
    /// CSV path, relative to the scenario file. Needs columns `zone_id`, `kommune_no`,
    /// `kommune_name`, `population_2025`, `lat`, `lon`; `delomraade_no` and `delomraade_name` when
    /// the table is at delområde level.
    pub csv: String,
    /// Every row of the table (the whole country with the national tables).
    pub all: Option<bool>,
    /// Every row of these kommuner (4-digit numbers, e.g. "1506").
    pub kommuner: Option<Vec<String>>,
    /// Single delområder (8-digit numbers, e.g. "46400600"), in addition.
    pub delomraader: Option<Vec<String>>,
    /// Rows to leave out (delområde numbers or zone names).
    pub exclude: Option<Vec<String>>,
    /// Zone names (as generated: "Kommune: Delområde", or "Kommune") to class as urban; the rest
    /// are rural.
    pub urban: Option<Vec<String>>,
    /// A table of weighted population points per zone (`zone_id, lat, lon, weight, place,
    /// point_source`), relative to the scenario file; zones without a row keep the table's
    /// point.
    pub points_csv: Option<String>,
}

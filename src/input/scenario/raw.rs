//! Raw scenario structs: exactly what a TOML file may contain, read with serde and
//! `deny_unknown_fields`. Nothing here is checked beyond types; [`super::validate`] turns these into
//! the validated [`super::Scenario`]. Field names carry their unit (`_min`, `_km`, `_kmh`, `_s`).

//!
//! Closed sets (zone class, vehicle kind, urgencies, channels, choice rules) are serde enums, so a
//! misspelt value is reported by the deserialiser with the list of accepted values.

use super::{ChoiceRule, HomeVisitsBy, VehicleKind, ZoneClass};
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
    /// Average road speed [km/h] (default 65, derived as `detour_factor`).
    pub speed_kmh: Option<f64>,
    /// Optional CSV of routed times `from,to,minutes[,km]`, relative to the scenario file.
    pub matrix_csv: Option<String>,
}

/// `[[zones]]`: a population point.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawZone {
    /// Unique name.
    pub name: String,
    /// Inhabitants \[persons\].
    pub population: f64,
    /// Latitude [degrees north, WGS84].
    pub lat: f64,
    /// Longitude [degrees east, WGS84].
    pub lon: f64,
    /// `urban` (tettsted ≥ 10,000 inhabitants: 12-min target) or `rural` (25-min target).
    pub class: Closed<ZoneClass>,
    /// Preferred legevakt (station or satellite name) under the `zone_preferred` choice rule.
    pub legevakt: Option<String>,
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
    /// Distance decay k [1/km] by urgency: a need becomes a contact with probability e^(−k·km).
    pub distance_decay_per_km: Option<PerUrgency<f64>>,
    /// Share of contacts that walk in without calling first (0..1, by urgency; default 0).
    pub direct_attendance_share: Option<PerUrgency<f64>>,
    /// Red needs suppressed by distance become 113 calls instead (default true; a modelling
    /// assumption, `models/SOURCES.md` `[assumption]`).
    pub suppressed_red_calls_113: Option<bool>,
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
    /// Video consultation time \[min\]; holds the nurse and one host doctor throughout.
    pub video_consultation_time_min: DistSpec,
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
}

/// `[amk]`: the emergency medical communication centre (AMK, 113).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAmk {
    /// Name.
    pub name: String,
    /// Operators answering 113, by shift.
    pub operators: Vec<ShiftSpec>,
    /// Answer → response decided and ambulance notified \[min\], by urgency.
    pub handling_time_min: PerUrgency<DistSpec>,
    /// Share of green 113 calls forwarded to the legevaktsentral; the rest get a planned
    /// ambulance transport (default 1).
    pub green_to_116117_share: Option<f64>,
    /// Red events also alert the legevakt on duty ("trippelvarsling", default true).
    pub alert_legevakt_red: Option<bool>,
    /// Share of alerts where the legevakt doctor (or satellite nurse) goes out (default 0.42,
    /// Zakariassen & Hunskaar 2010).
    pub legevakt_callout_share: Option<f64>,
    /// Time the legevakt doctor or nurse stays on scene at a red event \[min\].
    pub callout_on_scene_min: Option<DistSpec>,
    /// Moss model: yellow events get the legevakt doctor car first (default false).
    pub yellow_doctor_car_first: Option<bool>,
    /// After a doctor-car assessment, share that still needs an ambulance (default 0.5).
    pub doctor_car_convey_share: Option<f64>,
    /// Doctor-car assessment time on scene \[min\].
    pub doctor_car_on_scene_min: Option<DistSpec>,
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
    /// Speed for boat and air [km/h] (road uses the travel matrix).
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
}

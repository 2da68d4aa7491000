//! Raw scenario structs: exactly what a TOML file may contain, read with serde and
//! `deny_unknown_fields`. Nothing here is checked beyond types; [`super::validate`] turns these into
//! the validated [`super::Scenario`]. Field names carry their unit (`_min`, `_km`, `_kmh`, `_s`).

use crate::dist::DistSpec;
use crate::schedule::ShiftSpec;
use serde::{Deserialize, Serialize};

/// A value per urgency level.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PerUrgency<T> {
    /// Red: acute, life-threatening (rød).
    pub red: T,
    /// Yellow: urgent (gul).
    pub yellow: T,
    /// Green: ordinary (grønn).
    pub green: T,
}

/// `[travel]`: how travel times are obtained.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawTravel {
    /// Road distance ÷ great-circle distance (default 1.3, domain.md §4).
    pub detour_factor: Option<f64>,
    /// Average road speed [km/h] (default 65, domain.md §4).
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
    /// Inhabitants [persons].
    pub population: f64,
    /// Latitude [degrees north, WGS84].
    pub lat: f64,
    /// Longitude [degrees east, WGS84].
    pub lon: f64,
    /// `urban` (tettsted ≥ 10,000 inhabitants: 12-min target) or `rural` (25-min target).
    pub class: String,
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
    /// Red needs suppressed by distance become 113 calls instead (default true, domain.md §4).
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
    /// Telephone handling time per call [min].
    pub handling_time_min: DistSpec,
    /// Disposition probabilities by urgency.
    pub disposition: PerUrgency<RawDisposition>,
}

/// `[[legevakt]]`: an out-of-hours clinic with doctors.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawStation {
    /// Unique name.
    pub name: String,
    /// Latitude [degrees].
    pub lat: f64,
    /// Longitude [degrees].
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
    pub urgencies: Option<Vec<String>>,
    /// Nurse triage time on arrival [min] (needs `nurses`).
    pub triage_time_min: Option<DistSpec>,
    /// Doctor consultation time [min].
    pub consultation_time_min: DistSpec,
    /// Time on site during a home visit [min] (travel is added from the travel matrix).
    pub home_visit_time_min: DistSpec,
}

/// `[[satellites]]`: a nurse-staffed satellite legevakt; the doctor consults by video from the host.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSatellite {
    /// Unique name.
    pub name: String,
    /// Latitude [degrees].
    pub lat: f64,
    /// Longitude [degrees].
    pub lon: f64,
    /// Name of the host legevakt station whose doctors consult by video.
    pub host: String,
    /// Opening hours.
    pub open: Vec<ShiftSpec>,
    /// Nurses on site, by shift.
    pub nurses: Vec<ShiftSpec>,
    /// Urgencies the satellite takes (default yellow and green; red goes to the station or 113).
    pub urgencies: Option<Vec<String>>,
    /// Video consultation time [min]; holds the nurse and one host doctor throughout.
    pub video_consultation_time_min: DistSpec,
    /// Do satellite nurses make home visits with the doctor on video? (default true)
    pub home_visits: Option<bool>,
    /// Time on site during a nurse home visit [min] (default: the host's `home_visit_time_min`).
    pub home_visit_time_min: Option<DistSpec>,
}

/// `[routing]`: how patients are sent to a legevakt.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawRouting {
    /// `nearest_open` (default): the open station or satellite with the shortest travel time that
    /// takes the urgency. `zone_preferred`: the zone's `legevakt` when open, else nearest open.
    pub legevakt_choice: Option<String>,
}

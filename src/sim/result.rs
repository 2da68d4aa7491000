//! What one replication returns: plain data, no references into the engine.

use crate::base::ids::{AmbStationId, StationId, VehicleId};
use serde::{Deserialize, Serialize};

/// Where a patient's path through the chain ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[repr(usize)]
pub enum Outcome {
    /// Did not contact the service because of distance (decay), and the need went unmet.
    Suppressed = 0,
    /// No legevakt open: goes to the GP in office hours.
    OutsideHours,
    /// Telephone advice from the legevaktsentral.
    Advice,
    /// Consultation at a legevakt station.
    StationConsultation,
    /// Consultation at a satellite (video).
    SatelliteConsultation,
    /// Home visit.
    HomeVisit,
    /// Reached 113 (AMK not modelled in this scenario).
    ToAmk,
    /// Assessed on scene (ambulance or doctor car), not conveyed.
    TreatedOnScene,
    /// Discharged from the emergency department.
    EdDischarged,
    /// Admitted to hospital.
    Admitted,
    /// Distance kept the need from the legevakt; the patient waits for the GP next weekday.
    GpNextDay,
    /// Hung up on a call centre before an answer and did not call again.
    HungUp,
    /// Transferred by ambulance to another hospital.
    Transferred,
    /// A call to 116117 with no new need (administrative, repeat), answered.
    OtherCall,
    /// A call on one of the AMK's other lines (orders, coordination), answered.
    OtherAmkCall,
}

impl Outcome {
    /// Every outcome, in report order.
    pub const ALL: [Outcome; 15] = [
        Outcome::Suppressed,
        Outcome::OutsideHours,
        Outcome::Advice,
        Outcome::StationConsultation,
        Outcome::SatelliteConsultation,
        Outcome::HomeVisit,
        Outcome::ToAmk,
        Outcome::TreatedOnScene,
        Outcome::EdDischarged,
        Outcome::Admitted,
        Outcome::GpNextDay,
        Outcome::HungUp,
        Outcome::Transferred,
        Outcome::OtherCall,
        Outcome::OtherAmkCall,
    ];

    /// Stable name used in `summary.json`.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Suppressed => "suppressed_by_distance",
            Outcome::OutsideHours => "outside_legevakt_hours",
            Outcome::Advice => "telephone_advice",
            Outcome::StationConsultation => "station_consultation",
            Outcome::SatelliteConsultation => "satellite_consultation",
            Outcome::HomeVisit => "home_visit",
            Outcome::ToAmk => "to_113_not_modelled",
            Outcome::TreatedOnScene => "treated_on_scene",
            Outcome::EdDischarged => "ed_discharged",
            Outcome::Admitted => "admitted",
            Outcome::GpNextDay => "gp_next_day_after_distance",
            Outcome::HungUp => "hung_up_without_calling_again",
            Outcome::Transferred => "transferred_to_another_hospital",
            Outcome::OtherCall => "other_116117_call_answered",
            Outcome::OtherAmkCall => "other_amk_line_call_answered",
        }
    }
}

/// Number of outcomes.
pub const N_OUTCOMES: usize = Outcome::ALL.len();

/// The role of a pool of servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Legevaktsentral nurses (116117).
    LvsNurses,
    /// Legevakt doctors.
    Doctors,
    /// Triage nurses at a legevakt station.
    TriageNurses,
    /// Satellite nurses.
    SatelliteNurses,
    /// AMK operators (113).
    AmkOperators,
    /// Emergency department bays.
    EdBays,
    /// Legevakt doctor cars.
    DoctorCars,
    /// Ambulances (road, boat and air) of one station: vehicle-hours.
    Ambulances,
}

impl Role {
    /// Stable name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Role::LvsNurses => "lvs_nurses",
            Role::Doctors => "doctors",
            Role::TriageNurses => "triage_nurses",
            Role::SatelliteNurses => "satellite_nurses",
            Role::AmkOperators => "amk_operators",
            Role::EdBays => "ed_bays",
            Role::DoctorCars => "doctor_cars",
            Role::Ambulances => "ambulances",
        }
    }
}

/// Busy and available server-hours by hour of the week for one pool, over the measured period.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HourlyPool {
    /// Pool label, e.g. "Molde interkommunale legevakt doctors".
    pub pool: String,
    /// Role.
    pub role: Role,
    /// Busy server-hours in each hour of the week (summed over the weeks simulated).
    pub busy_h: Vec<f64>,
    /// Scheduled server-hours in each hour of the week.
    pub scheduled_h: Vec<f64>,
    /// Available server-hours in each hour of the week: the scheduled servers, plus a server
    /// staying on after its shift to finish the queue (overtime). Busy ≤ available always.
    pub available_h: Vec<f64>,
}

/// Figures of one ambulance station in one replication.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AmbStationResult {
    /// Station.
    pub station: AmbStationId,
    /// Station name.
    pub name: String,
    /// Vehicles.
    pub vehicles: u32,
    /// Missions started in the measured period.
    pub missions: u64,
    /// Vehicle-hours on missions.
    pub busy_h: f64,
    /// Vehicle-hours on duty.
    pub duty_h: f64,
}

/// Figures of one legevakt station in one replication (measured period). Hours are doctor-hours
/// summed over the station's doctors.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LegevaktStationResult {
    /// Station.
    pub station: StationId,
    /// Station name.
    pub name: String,
    /// Scheduled doctor-hours.
    pub scheduled_h: f64,
    /// Available doctor-hours: scheduled, plus overtime to clear the queue.
    pub available_h: f64,
    /// Busy doctor-hours (consultations, video, home visits, call-outs, doctor car).
    pub busy_h: f64,
    /// Hours in which the station was staffed but every doctor was out (home visit, call-out,
    /// doctor car).
    pub without_doctor_h: f64,
    /// Available doctor-hours at night (23–08, the SFS 2305 night block).
    pub night_available_h: f64,
    /// Doctors sharing the on-call rota, if stated.
    pub rota_size: Option<u32>,
    /// Consultations at the station.
    pub consultations: u64,
    /// Video consultations by its doctors (satellites and nurse home visits).
    pub video_consultations: u64,
    /// Home visits made from the station or its satellites.
    pub home_visits: u64,
    /// Red call-outs its doctors reached.
    pub callouts: u64,
    /// Doctor-car missions from the station.
    pub car_missions: u64,
}

/// Number of 1-min bins of a zone's red responses (the last holds 120 min and longer).
pub const ZONE_BINS: usize = 121;

/// Figures of one zone in one replication (measured period).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ZoneResult {
    /// Red events reached by a ground ambulance.
    pub responses: u64,
    /// Of these, within the zone's target (12 min urban, 25 rural).
    pub responses_ok: u64,
    /// Sum of the responses \[min\].
    pub response_sum_min: f64,
    /// Responses in 1-min bins.
    pub bins: Vec<u32>,
    /// Needs kept from the legevakt by distance.
    pub suppressed: u64,
    /// Assessment missions instead of home visits.
    pub assessments: u64,
}

/// One vehicle state change, for traces and tests.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transition {
    /// Vehicle.
    pub vehicle: VehicleId,
    /// Time \[min since start\].
    pub t_min: f64,
    /// From.
    pub from: crate::sim::VState,
    /// To.
    pub to: crate::sim::VState,
}

/// One ambulance response to a red event, for traces and tests.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResponseRecord {
    /// 113 call rang \[min since start\].
    pub t_ring_min: f64,
    /// Ambulance notified \[min\].
    pub t_notified_min: f64,
    /// Ambulance on scene \[min\].
    pub t_on_scene_min: f64,
    /// Response incl. AMK time \[min\].
    pub response_min: f64,
    /// Vehicle.
    pub vehicle: VehicleId,
}

/// A per-vehicle and per-response record of one replication (asked for with `RunSpec::trace`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Trace {
    /// Every vehicle state change.
    pub transitions: Vec<Transition>,
    /// Every red ambulance response.
    pub responses: Vec<ResponseRecord>,
}

/// Width of a response-time bin \[ms\] for CDF plots.
pub const RESPONSE_BIN_MS: i64 = 30_000;
/// Number of response-time bins (120 min; the last bin holds everything longer).
pub const RESPONSE_BINS: usize = 241;

/// Red responses of one class (urban or rural) counted in bins of [`RESPONSE_BIN_MS`].
pub type ResponseBins = Vec<u64>;

/// The result of one replication: plain data.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReplicationResult {
    /// Replication index.
    pub replication: u64,
    /// KPI values in [`crate::base::kpi::KPI_DEFS`] order (None where undefined, e.g. no red
    /// patients).
    pub kpis: Vec<Option<f64>>,
    /// Patients (latent needs) generated over the whole run, warm-up included.
    pub generated: u64,
    /// Patients whose path ended.
    pub completed: u64,
    /// Patients still in the chain when the run stopped.
    pub in_system_at_end: u64,
    /// Ended paths by outcome over the measured period, in [`Outcome::ALL`] order.
    pub outcomes: Vec<u64>,
    /// Events processed.
    pub events: u64,
    /// Utilisation by hour of week, per pool of servers.
    pub hourly: Vec<HourlyPool>,
    /// Ambulance stations.
    pub amb_stations: Vec<AmbStationResult>,
    /// Legevakt stations.
    pub legevakt_stations: Vec<LegevaktStationResult>,
    /// Trace, when asked for.
    pub trace: Option<Trace>,
    /// Red responses, urban then rural, in bins for CDFs.
    pub response_bins: [ResponseBins; 2],
    /// Per zone figures, measured period.
    pub zones: Vec<ZoneResult>,
    /// Fingerprint of the needs generated: equal for two runs iff they saw the same demand
    /// (common random numbers).
    pub demand_fingerprint: u64,
}

/// Why a replication could not be completed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SimError {
    /// Too many patients in the chain at once: a queue grows without bound.
    #[error(
        "replication {replication}: {patients} patients are in the chain at once at day {day:.1} — the model is overloaded ({busiest}); add capacity or lower the demand"
    )]
    Overloaded {
        /// Replication index.
        replication: u64,
        /// Patients in the chain.
        patients: usize,
        /// Simulated day.
        day: f64,
        /// Where most of them wait.
        busiest: String,
    },
}

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

/// A per-vehicle, per-response and per-patient record of one replication (asked for with
/// `RunSpec::trace`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Trace {
    /// Every vehicle state change.
    pub transitions: Vec<Transition>,
    /// Every red ambulance response.
    pub responses: Vec<ResponseRecord>,
    /// Every patient, in order of arising: patient number `n` is `patients[n - 1]`.
    #[serde(default)]
    pub patients: Vec<PatientInfo>,
    /// Every patient event, in the order they happened.
    #[serde(default)]
    pub patient_events: Vec<PatientRecord>,
    /// Patient number of each slot of the engine's patient slab (slots are reused).
    #[serde(skip)]
    pub(crate) slot: Vec<u32>,
    /// Patient number of each slot of the AMK's red-event slab.
    #[serde(skip)]
    pub(crate) red: Vec<u32>,
}

impl Trace {
    /// A caller with no patient record (a call on the AMK's other lines) arose: it gets the next
    /// patient number.
    #[inline]
    pub(crate) fn arise_unslotted(&mut self, info: PatientInfo) -> u32 {
        self.patients.push(info);
        u32::try_from(self.patients.len()).unwrap_or(u32::MAX)
    }

    /// A patient arose in slab slot `slot`: it gets the next patient number.
    #[inline]
    pub(crate) fn arise(&mut self, slot: usize, info: PatientInfo) -> u32 {
        let n = self.arise_unslotted(info);
        if self.slot.len() <= slot {
            self.slot.resize(slot + 1, 0);
        }
        self.slot[slot] = n;
        n
    }

    /// Record an event of patient number `patient` at `t`.
    #[inline]
    pub(crate) fn push(
        &mut self,
        t: crate::base::time::SimTime,
        patient: u32,
        event: PatientEvent,
        place: TracePlace,
        resource: TraceResource,
        detail: Detail,
    ) {
        self.patient_events.push(PatientRecord {
            t_ms: t.0,
            patient,
            event,
            detail,
            place,
            resource,
        });
    }

    /// The patient number in slab slot `slot`.
    #[inline]
    pub(crate) fn patient_in(&self, slot: usize) -> u32 {
        self.slot.get(slot).copied().unwrap_or(0)
    }

    /// Red event `slot` is followed for patient number `patient`.
    #[inline]
    pub(crate) fn red_event(&mut self, slot: usize, patient: u32) {
        if self.red.len() <= slot {
            self.red.resize(slot + 1, 0);
        }
        self.red[slot] = patient;
    }

    /// The patient number of red event `slot`.
    #[inline]
    pub(crate) fn patient_of_red(&self, slot: usize) -> u32 {
        self.red.get(slot).copied().unwrap_or(0)
    }
}

/// How a traced patient came into the chain (the `channel` column of `trace_patients.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TraceChannel {
    /// A need whose first call is to 116117 (or who walks in).
    Lvs,
    /// A need whose first call is to 113.
    Amk,
    /// A hospital transfer.
    Transfer,
    /// A 116117 call with no new need.
    OtherLvs,
    /// A call on the AMK's other lines.
    OtherAmk,
}

impl TraceChannel {
    /// Stable name used in files.
    pub fn name(self) -> &'static str {
        match self {
            TraceChannel::Lvs => "116117",
            TraceChannel::Amk => "113",
            TraceChannel::Transfer => "transfer",
            TraceChannel::OtherLvs => "other_116117_call",
            TraceChannel::OtherAmk => "other_113_line",
        }
    }
}

/// A traced patient.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct PatientInfo {
    /// Urgency.
    pub urgency: crate::base::urgency::Urgency,
    /// How the patient came in.
    pub channel: TraceChannel,
    /// Zone where the need arose (`place` "home" events are there).
    pub zone: crate::base::ids::ZoneId,
}

/// Where a patient event happened (turned into a name when the trace is written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TracePlace {
    /// Nowhere in particular.
    None,
    /// The patient's home zone.
    Home,
    /// A place of the travel matrix (a zone point is named by its zone).
    Place(crate::base::ids::PlaceId),
    /// A legevakt station or satellite.
    Site(crate::base::ids::SiteId),
    /// A hospital.
    Hospital(crate::base::ids::HospitalId),
    /// A legevaktsentral.
    Lvs(crate::base::ids::LvsId),
    /// The AMK centre that takes 113 calls from the patient's zone.
    Amk,
}

/// Who served a patient event (turned into a name when the trace is written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TraceResource {
    /// No one.
    None,
    /// An ambulance (road, boat or air), named by its station.
    Vehicle(VehicleId),
    /// A pool of servers (nurses, doctors, operators, ED bays, a doctor car), by its label.
    Pool(crate::base::ids::PoolId),
}

macro_rules! vocabulary {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $( $(#[$d:meta])* $v:ident = $s:literal ),* $(,)? }) => {
        $(#[$m])*
        $vis enum $name { $( $(#[$d])* $v ),* }
        impl $name {
            /// Every value, in documentation order.
            pub const ALL: &'static [$name] = &[$($name::$v),*];
            /// Stable name used in files.
            pub fn name(self) -> &'static str {
                match self { $($name::$v => $s),* }
            }
        }
    };
}

vocabulary! {
    /// What happened to a patient: the `event` column of `trace_patients.csv`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum PatientEvent {
        /// The need (or transfer, or call without a need) arises.
        NeedArises = "need_arises",
        /// Distance keeps the need from the legevakt (detail: its fate).
        KeptAwayByDistance = "kept_away_by_distance",
        /// A call to 116117 rings (joins the nurses' queue).
        Call116117Ring = "call_116117_ring",
        /// A 116117 nurse answers.
        Call116117Answered = "call_116117_answered",
        /// The 116117 call ends (detail: the nurse's disposition).
        Call116117End = "call_116117_end",
        /// A caller hangs up before an answer.
        HangUp = "hang_up",
        /// A caller who hung up calls again (a ring follows).
        Redial = "redial",
        /// A call to 113 rings.
        Call113Ring = "call_113_ring",
        /// An AMK operator answers.
        Call113Answered = "call_113_answered",
        /// The AMK operator has decided the response (ambulance notified).
        Call113End = "call_113_end",
        /// The patient sets off for a legevakt by their own means.
        TravelToLegevakt = "travel_to_legevakt",
        /// A patient transport (taxi) is ordered to take the patient to a legevakt.
        PatientTransport = "patient_transport",
        /// Arrival at a legevakt station or satellite.
        ArriveLegevakt = "arrive_legevakt",
        /// Nurse triage at the station begins.
        TriageStart = "triage_start",
        /// Nurse triage ends; the patient queues for a doctor.
        TriageEnd = "triage_end",
        /// The satellite nurse takes the patient; they queue for a host doctor on video.
        SatelliteNurseStart = "satellite_nurse_start",
        /// A consultation with a station doctor begins.
        ConsultStart = "consult_start",
        /// The consultation ends.
        ConsultEnd = "consult_end",
        /// A video consultation (satellite nurse with a host doctor) begins.
        VideoConsultStart = "video_consult_start",
        /// The video consultation ends.
        VideoConsultEnd = "video_consult_end",
        /// A home visit is asked for.
        HomeVisitRequested = "home_visit_requested",
        /// The doctor or nurse leaves for the patient's home.
        HomeVisitDeparts = "home_visit_departs",
        /// The doctor or nurse reaches the home.
        HomeVisitArrive = "home_visit_arrive",
        /// The visit begins (a satellite nurse's when the host doctor joins on video).
        HomeVisitStart = "home_visit_start",
        /// The visit ends.
        HomeVisitEnd = "home_visit_end",
        /// An ambulance assessment mission replaces the home visit (detail: why).
        AssessmentMission = "assessment_mission",
        /// A planned transport waits for the planned-transport hours.
        PlannedDeferred = "planned_deferred",
        /// An ambulance is asked for (detail: the mission); it queues if none is free.
        AmbulanceRequested = "ambulance_requested",
        /// A vehicle is sent to the patient.
        AmbulanceDispatched = "ambulance_dispatched",
        /// The vehicle on its way is taken for a red call; the patient waits again.
        AmbulanceDiverted = "ambulance_diverted",
        /// An air unit is sent in parallel to the ground ambulance (red).
        AirDispatched = "air_dispatched",
        /// The patient's vehicle reaches the scene.
        VehicleOnScene = "vehicle_on_scene",
        /// The air unit sent in parallel reaches the scene.
        AirOnScene = "air_on_scene",
        /// The vehicle leaves the scene with the patient (place: where to).
        Conveyed = "conveyed",
        /// The crew hands the patient over (at the ED when a bay is free, a legevakt, a ward).
        Handover = "handover",
        /// A doctor car offered the mission declines (detail: why).
        DoctorCarDeclined = "doctor_car_declined",
        /// A doctor car goes (detail: red or yellow).
        DoctorCarDispatched = "doctor_car_dispatched",
        /// The doctor car reaches the scene.
        DoctorCarOnScene = "doctor_car_on_scene",
        /// The doctor car leaves the scene.
        DoctorCarLeaves = "doctor_car_leaves",
        /// The legevakt on duty is alerted to go out to a red event (call-out).
        CalloutRequested = "callout_requested",
        /// The call-out is called off: the ambulance left before anyone was free.
        CalloutCancelled = "callout_cancelled",
        /// The legevakt doctor or nurse reaches the red event.
        CalloutOnScene = "callout_on_scene",
        /// The legevakt doctor or nurse leaves the scene.
        CalloutLeaves = "callout_leaves",
        /// Referred to hospital after a legevakt consultation (detail: how they go).
        Referred = "referred",
        /// Arrival at a hospital's emergency department (queues for a bay).
        ArriveEd = "arrive_ed",
        /// An ED bay takes the patient.
        EdStart = "ed_start",
        /// The patient leaves the ED.
        LeaveEd = "leave_ed",
        /// The patient's path ends (detail: the outcome, as in `summary.json`).
        Complete = "complete",
    }
}

vocabulary! {
    /// A qualifier of a patient event: the `detail` column of `trace_patients.csv`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Detail {
        /// Nothing to add.
        None = "",
        /// Mission: a 113 emergency (red or yellow).
        Emergency = "emergency",
        /// Mission: a planned transport (green 113 call).
        Planned = "planned",
        /// Mission: an assessment instead of a home visit.
        Assessment = "assessment",
        /// Mission: transport of a patient already seen (referral, doctor car).
        Transport = "transport",
        /// Mission: to a legevakt for a patient who cannot go on their own.
        ToLegevakt = "to_legevakt",
        /// Mission: a hospital transfer.
        Transfer = "transfer",
        /// Doctor car: busy (or the station doctor it needs is).
        Busy = "busy",
        /// Doctor car: the scene is beyond its service area.
        OutOfArea = "out_of_area",
        /// Doctor car: the doctor judged it not useful.
        Judgement = "judgement",
        /// Doctor car or call-out for a red event.
        Red = "red",
        /// Doctor car for a yellow patient.
        Yellow = "yellow",
        /// Fate of a need kept away by distance: calls 113.
        FateCall113 = "call_113",
        /// Fate: telephone advice from 116117.
        FatePhone = "telephone",
        /// Fate: the GP next weekday.
        FateGpNextDay = "gp_next_day",
        /// Fate: unmet.
        FateUnmet = "unmet",
        /// 116117 disposition: telephone advice.
        Advice = "advice",
        /// 116117 disposition: legevakt.
        Legevakt = "legevakt",
        /// 116117 disposition: home visit.
        HomeVisit = "home_visit",
        /// 116117 disposition: forward to 113.
        Forward113 = "forward_113",
        /// Assessment mission: the legevaktsentral's home visits are made by ambulance.
        Policy = "policy",
        /// Assessment mission: no legevakt site open.
        NoSiteOpen = "no_site_open",
        /// Assessment mission: beyond the maximum home-visit drive.
        TooFar = "too_far",
        /// Assessment mission: nobody free to leave within the wait limit.
        NoOneFree = "no_one_free",
        /// Referral by ambulance.
        ByAmbulance = "by_ambulance",
        /// Referral by their own means.
        OwnMeans = "own_means",
        /// Outcome `suppressed_by_distance`.
        Suppressed = "suppressed_by_distance",
        /// Outcome `outside_legevakt_hours`.
        OutsideHours = "outside_legevakt_hours",
        /// Outcome `telephone_advice`.
        TelephoneAdvice = "telephone_advice",
        /// Outcome `station_consultation`.
        StationConsultation = "station_consultation",
        /// Outcome `satellite_consultation`.
        SatelliteConsultation = "satellite_consultation",
        /// Outcome `home_visit`.
        HomeVisitDone = "home_visit",
        /// Outcome `to_113_not_modelled`.
        ToAmk = "to_113_not_modelled",
        /// Outcome `treated_on_scene`.
        TreatedOnScene = "treated_on_scene",
        /// Outcome `ed_discharged`.
        EdDischarged = "ed_discharged",
        /// Outcome `admitted`.
        Admitted = "admitted",
        /// Outcome `gp_next_day_after_distance`.
        GpNextDay = "gp_next_day_after_distance",
        /// Outcome `hung_up_without_calling_again`.
        HungUp = "hung_up_without_calling_again",
        /// Outcome `transferred_to_another_hospital`.
        Transferred = "transferred_to_another_hospital",
        /// Outcome `other_116117_call_answered`.
        OtherCall = "other_116117_call_answered",
        /// Outcome `other_amk_line_call_answered`.
        OtherAmkCall = "other_amk_line_call_answered",
    }
}

impl Detail {
    /// The detail of a `complete` row: the outcome.
    pub fn outcome(o: Outcome) -> Detail {
        match o {
            Outcome::Suppressed => Detail::Suppressed,
            Outcome::OutsideHours => Detail::OutsideHours,
            Outcome::Advice => Detail::TelephoneAdvice,
            Outcome::StationConsultation => Detail::StationConsultation,
            Outcome::SatelliteConsultation => Detail::SatelliteConsultation,
            Outcome::HomeVisit => Detail::HomeVisitDone,
            Outcome::ToAmk => Detail::ToAmk,
            Outcome::TreatedOnScene => Detail::TreatedOnScene,
            Outcome::EdDischarged => Detail::EdDischarged,
            Outcome::Admitted => Detail::Admitted,
            Outcome::GpNextDay => Detail::GpNextDay,
            Outcome::HungUp => Detail::HungUp,
            Outcome::Transferred => Detail::Transferred,
            Outcome::OtherCall => Detail::OtherCall,
            Outcome::OtherAmkCall => Detail::OtherAmkCall,
        }
    }
}

/// One patient event, compact: names are looked up when the trace is written.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct PatientRecord {
    /// Time \[ms since start\].
    pub t_ms: i64,
    /// Patient number (1, 2, … in order of arising within the replication).
    pub patient: u32,
    /// What happened.
    pub event: PatientEvent,
    /// Qualifier.
    pub detail: Detail,
    /// Where.
    pub place: TracePlace,
    /// Who.
    pub resource: TraceResource,
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
    /// Patients generated over the whole run, warm-up included: the needs, and the transfers and
    /// calls with no new need, each counted as a patient.
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

//! Patients: the record each need carries through the chain, and the slab that holds them.
//!
//! A patient is created when a need arises and removed when its path ends (its slot is reused).
//! Each stage of the chain reads and writes the fields it owns; `stage` says where the patient
//! is, and every handler checks it (`debug_assert`) before acting.

use super::ambulance::MissionKind;
use crate::base::ids::{
    HospitalId, LvsId, PatientId, PlaceId, PointId, PoolId, RedEventId, SiteId, VehicleId, ZoneId,
};
use crate::base::time::{Dur, SimTime};
use crate::base::urgency::Urgency;
use slab::Slab;

/// What a patient is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    LvsQueue,
    LvsCall,
    Travelling,
    TriageQueue,
    Triage,
    DoctorQueue,
    SatelliteNurseQueue,
    Consultation,
    HomeVisitQueue,
    HomeVisitTravel,
    HomeVisitVideoQueue,
    HomeVisit,
    /// Waiting for a patient transport (taxi) to the legevakt.
    PatientTransport,
    /// A planned transport waiting for the planned-transport hours.
    PlannedWait,
    AmkQueue,
    AmkCall,
    /// Hung up on the legevaktsentral before an answer; will call again.
    RedialLvs,
    /// Hung up on 113 before an answer; will call again.
    RedialAmk,
    Ambulance,
    DoctorCar,
    EdQueue,
    Ed,
}

/// A patient in the system.
#[derive(Debug, Clone)]
pub(crate) struct Patient {
    /// Seed of the patient's per-purpose random streams (common random numbers).
    pub seed: u64,
    pub zone: ZoneId,
    /// The population point of its zone where the need arose.
    pub point: PointId,
    pub urgency: Urgency,
    /// Start of the current wait (call, arrival at site, visit request).
    pub t_wait: SimTime,
    /// Sequence number fixed at arrival, for FIFO within urgency.
    pub seq: u64,
    /// Nurse triage time on arrival at a station (zero without triage): part of the time to the
    /// doctor, but not time spent queueing.
    pub triage: Dur,
    /// Legevakt site the patient was sent to (or the home visit is made from).
    pub site: Option<SiteId>,
    pub lvs: Option<LvsId>,
    /// Pool of the server that went out on a home visit.
    pub visit_pool: Option<PoolId>,
    pub stage: Stage,
    /// 113 call rang.
    pub t_ring: SimTime,
    /// 113 call answered (registered in AMK's system: the published indicator's clock).
    pub t_answer: SimTime,
    /// Ambulance notified (end of AMK handling).
    pub t_notified: SimTime,
    pub mission: MissionKind,
    /// Where the ambulance picks the patient up.
    pub scene: PlaceId,
    pub vehicle: Option<VehicleId>,
    pub hospital: Option<HospitalId>,
    /// Red event being followed for this patient.
    pub red: Option<RedEventId>,
    pub via_amk: bool,
    pub via_lvs: bool,
    pub conveyed: bool,
    /// Conveyed to this legevakt site instead of a hospital.
    pub to_site: Option<SiteId>,
    /// Arriving at the ED in an ambulance that waits for the handover.
    pub by_ambulance_now: bool,
    /// Calls 116117 only for telephone advice (distance keeps them from attending).
    pub phone_only: bool,
    /// A yellow 113 event whose first unit on scene has been scored.
    pub yellow_scored: bool,
    /// Position in the ambulance queue (kept when a diverted mission waits again).
    pub amb_seq: u64,
    /// Call attempts so far that ended with the caller hanging up.
    pub hang_ups: u32,
    /// A call with no new need (administrative, repeat): it ends when the nurse hangs up.
    pub other_call: bool,
}

/// The patients in the chain.
#[derive(Default)]
pub(crate) struct Patients(Slab<Patient>);

impl Patients {
    pub fn with_capacity(n: usize) -> Patients {
        Patients(Slab::with_capacity(n))
    }
    pub fn insert(&mut self, p: Patient) -> PatientId {
        PatientId::new(self.0.insert(p))
    }
    pub fn get(&self, p: PatientId) -> Option<&Patient> {
        self.0.get(p.index())
    }
    pub fn remove(&mut self, p: PatientId) -> Patient {
        self.0.remove(p.index())
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl std::ops::Index<PatientId> for Patients {
    type Output = Patient;
    #[inline]
    fn index(&self, p: PatientId) -> &Patient {
        &self.0[p.index()]
    }
}

impl std::ops::IndexMut<PatientId> for Patients {
    #[inline]
    fn index_mut(&mut self, p: PatientId) -> &mut Patient {
        &mut self.0[p.index()]
    }
}

//! Random-number streams and how they are seeded.
//!
//! Every random input has its own stream, derived from `(base seed, replication, stream id)`
//! through SplitMix64 into a Xoshiro256++ generator (portable and value-stable across platforms
//! and crate versions, unlike `StdRng`). Streams:
//!
//! * **demand** — one per channel, for the superposed needs of every zone and urgency (and one each
//!   for the transfers and the two kinds of call with no new need): arrival times, whose need each
//!   arrival is, and for each need a 64-bit *patient seed*;
//! * **patient purposes** — every structure-dependent decision about a patient (does the need
//!   become a contact, which legevakt, disposition, every service time) is drawn from a generator
//!   derived from the patient seed and a fixed [`Purpose`]. Two structures compared on the same seed
//!   therefore see the same patients *and* the same per-patient draws, however differently the
//!   patients are then routed (common random numbers);
//! * **system** — randomness that belongs to no patient (e.g. helicopter weather availability).

use rand::{Rng, SeedableRng};
use rand_xoshiro::{SplitMix64, Xoshiro256PlusPlus};

/// The generator used everywhere in the simulator.
pub type SimRng = Xoshiro256PlusPlus;

/// Mix two 64-bit values into one with SplitMix64 (a bijective, well-distributed finaliser).
#[inline]
pub fn mix(a: u64, b: u64) -> u64 {
    let mut sm = SplitMix64::seed_from_u64(a ^ b.rotate_left(32) ^ 0x9E37_79B9_7F4A_7C15);
    let x = sm.next_u64();
    let mut sm2 = SplitMix64::seed_from_u64(x ^ b);
    sm2.next_u64()
}

/// Kinds of stream, kept apart so that no two purposes can share a seed.
#[derive(Debug, Clone, Copy)]
pub enum StreamId {
    /// Latent needs of one channel, over every zone and urgency.
    Needs {
        /// 0 = 116117, 1 = 113
        channel: u8,
    },
    /// System randomness with no patient (weather, breakdowns).
    System(u32),
    /// Ambulance transfers, over the sending hospitals.
    Transfers,
    /// Calls to 116117 with no new need (administrative, repeat), over the zones.
    OtherCalls,
    /// Calls on the AMK's other lines, over the zones.
    OtherAmkCalls,
}

impl StreamId {
    fn code(self) -> u64 {
        match self {
            // Codes 1, 3, 4 and 5 were the per-zone and per-hospital demand streams of 0.7.0 and
            // earlier.
            StreamId::Needs { channel } => (6u64 << 56) | channel as u64,
            StreamId::System(k) => (2u64 << 56) | k as u64,
            StreamId::Transfers => 7u64 << 56,
            StreamId::OtherCalls => 8u64 << 56,
            StreamId::OtherAmkCalls => 9u64 << 56,
        }
    }
}

/// The generator of one stream of one replication.
pub fn stream_rng(base_seed: u64, replication: u64, stream: StreamId) -> SimRng {
    SimRng::seed_from_u64(mix(mix(base_seed, replication), stream.code()))
}

/// What a per-patient draw is for. Each purpose has its own generator, so adding a draw for one
/// purpose never shifts the draws of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Does the need become a contact (distance decay)?
    Decay = 1,
    /// Direct attendance or phone first?
    Channel = 2,
    /// Which legevakt (ties, preference rules).
    Choice = 3,
    /// Telephone handling time at the legevaktsentral.
    LvsHandling = 4,
    /// Disposition after the 116117 call.
    Disposition = 5,
    /// Nurse triage on arrival at a legevakt.
    Triage = 6,
    /// Consultation time (doctor or video).
    Consultation = 7,
    /// Home-visit time on site.
    HomeVisit = 8,
    /// 113 handling time.
    AmkHandling = 9,
    /// Ambulance activation, on-scene, handover times.
    Ambulance = 10,
    /// Conveyance, referral and admission decisions.
    Outcome = 11,
    /// Emergency department treatment time.
    Ed = 12,
    /// Legevakt doctor call-out to a red event.
    Callout = 13,
    /// Hospital referral after a legevakt consultation, and its mode.
    Referral = 14,
    /// Admission after the ED.
    Admission = 15,
    /// What AMK does with a green call.
    AmkGreen = 16,
    /// Ambulance conveyance decision.
    Conveyance = 17,
    /// Time on scene.
    OnScene = 18,
    /// Handover at the hospital.
    Handover = 19,
    /// What a need suppressed by distance does instead.
    Fate = 20,
    /// How a patient gets to the legevakt (own, patient transport, ambulance).
    Transport = 21,
    /// Doctor car: does the doctor accept the mission, and where the patient ends.
    DoctorCar = 22,
    /// Where an assessment mission ends.
    Assessment = 23,
    /// AMK operator's guidance time after dispatch.
    Guidance = 24,
    /// A vehicle dispatched in parallel (a helicopter alongside the ground unit).
    Support = 25,
    /// Which population point of its zone a need arises at.
    Point = 26,
    /// How long a caller waits before hanging up (one stream per call attempt).
    Patience = 27,
    /// Does a caller who hung up call again, and when?
    Redial = 28,
}

/// Generator of one purpose of one patient: SplitMix64 (Steele, Lea & Flood 2014), which needs no
/// seeding work and passes BigCrush; each purpose stream supplies only a few draws.
pub type PatientRng = SplitMix64;

/// The generator for one purpose of one patient. Patient seeds are already uniform 64-bit
/// values, so one SplitMix64 finalising round (a bijection with full avalanche) of the seed and
/// the purpose's odd multiple of the golden ratio suffices to separate the purposes.
#[inline]
pub fn patient_rng(patient_seed: u64, purpose: Purpose) -> PatientRng {
    let mut z = patient_seed ^ (purpose as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    SplitMix64::seed_from_u64(z ^ (z >> 31))
}

/// One uniform draw in [0, 1) for one purpose of one patient.
pub fn patient_uniform(patient_seed: u64, purpose: Purpose) -> f64 {
    use rand::RngExt;
    patient_rng(patient_seed, purpose).random::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// Value-stability: if seeding changes, every stored result changes. This test fails loudly so
    /// that such a change is deliberate (and the version number is bumped).
    #[test]
    fn streams_are_value_stable() {
        let mut r = stream_rng(42, 0, StreamId::Needs { channel: 0 });
        let first: u64 = r.next_u64();
        let mut r2 = stream_rng(42, 0, StreamId::Needs { channel: 0 });
        assert_eq!(first, r2.next_u64());
        assert_eq!(
            first, PINNED_FIRST_DRAW,
            "seeding changed: bump the version"
        );
        let u = patient_uniform(7, Purpose::Decay);
        assert!((0.0..1.0).contains(&u));
        let p = patient_rng(7, Purpose::Consultation).next_u64();
        assert_eq!(
            p, PINNED_PATIENT_DRAW,
            "patient stream seeding changed: bump the version"
        );
    }

    const PINNED_PATIENT_DRAW: u64 = 17_663_405_721_523_935_989;

    const PINNED_FIRST_DRAW: u64 = 12_966_574_788_047_685_291;

    #[test]
    fn streams_differ() {
        let a = stream_rng(1, 0, StreamId::System(0)).random::<u64>();
        let b = stream_rng(1, 1, StreamId::System(0)).random::<u64>();
        let c = stream_rng(1, 0, StreamId::System(1)).random::<u64>();
        let d = patient_rng(5, Purpose::Decay).random::<u64>();
        let e = patient_rng(5, Purpose::Channel).random::<u64>();
        assert!(a != b && a != c && b != c && d != e);
    }
}

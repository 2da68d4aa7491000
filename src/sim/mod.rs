//! The discrete-event engine: one replication, one thread, one event loop that owns all mutable
//! state. [`run`] takes an immutable [`Scenario`] and a replication index and returns a plain
//! [`ReplicationResult`].
//!
//! Events are a single `Copy` enum; the loop is one exhaustive `match` that hands each event to
//! the module owning it (`lvs`, `legevakt`). Entities (patients) live in a slab and are referred to
//! by `u32` slot; pools of servers are indexed by `usize`. Statistics are streaming, so memory
//! does not grow with the horizon.

pub mod pool;
pub mod queue;

pub mod ambulance;
pub mod amk;
mod demand;
mod hospital;
pub mod legevakt;
mod lvs;

use crate::kpi::{self, Kpi};
use crate::rng::{Purpose, SimRng, patient_uniform};
use crate::scenario::{Scenario, Site, Urgency};
use crate::stats::Hist;
use crate::time::{DAYS_PER_YEAR, Dur, SimTime};
use pool::{Job, JobKind, Pool};
use queue::EventQueue;
use serde::Serialize;
use slab::Slab;

/// How long and from which seed to run.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RunSpec {
    /// Base seed.
    pub seed: u64,
    /// Measured days (after warm-up).
    pub days: f64,
    /// Warm-up days (simulated first, not measured).
    pub warmup_days: f64,
    /// Keep a per-vehicle and per-response trace (memory grows with the horizon).
    pub trace: bool,
}

/// Everything that can happen. Small and `Copy`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    /// A pool's scheduled capacity changes.
    Capacity { pool: u32 },
    /// A 116117 call ends.
    LvsCallEnd { p: u32 },
    /// A patient arrives at a station or satellite.
    ArriveAtSite { p: u32 },
    /// Nurse triage at a station ends.
    TriageEnd { p: u32 },
    /// A consultation (doctor, or video at a satellite) ends.
    ConsultEnd { p: u32 },
    /// A doctor or nurse reaches a patient's home.
    HomeVisitArrive { p: u32 },
    /// A home visit ends.
    HomeVisitEnd { p: u32 },
    /// A server that went out comes back and is free again.
    ServerReturn { pool: u32 },
    /// A 113 call ends: the response is decided.
    AmkCallEnd { p: u32 },
    /// The current phase of a vehicle ends (ignored if `generation` is stale).
    Vehicle { v: u32, generation: u32 },
    /// A vehicle's duty schedule changes.
    VehicleShift { v: u32 },
    /// A patient leaves the emergency department.
    EdEnd { p: u32 },
    /// A referred patient arrives at hospital on their own.
    ArriveAtEd { p: u32 },
    /// A legevakt call-out reaches the scene.
    CalloutArrive { c: u32 },
    /// A legevakt call-out leaves the scene.
    CalloutEnd { c: u32 },
    /// A scripted incident.
    Incident { i: u32 },
}

/// Where a patient's path through the chain ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum Outcome {
    /// Did not contact the service because of distance (decay).
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
}

/// Number of outcomes.
pub const N_OUTCOMES: usize = 10;

/// Outcome names, in `Outcome` order, for reports.
pub const OUTCOME_NAMES: [&str; N_OUTCOMES] = [
    "suppressed_by_distance",
    "outside_legevakt_hours",
    "telephone_advice",
    "station_consultation",
    "satellite_consultation",
    "home_visit",
    "to_113_not_modelled",
    "treated_on_scene",
    "ed_discharged",
    "admitted",
];

/// What a patient is doing, for handlers to check their contract.
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
    AmkQueue,
    AmkCall,
    Ambulance,
    DoctorCar,
    EdQueue,
    Ed,
}

/// A patient in the system.
#[derive(Debug, Clone)]
pub(crate) struct Patient {
    pub seed: u64,
    pub zone: u32,
    pub urgency: Urgency,
    /// Start of the current wait (call, arrival at site, visit request).
    pub t_wait: SimTime,
    /// Sequence number fixed at arrival, for FIFO within urgency.
    pub seq: u64,
    pub site: u32,
    pub lvs: u32,
    /// Pool of the server that went out on a home visit.
    pub visit_pool: u32,
    pub stage: Stage,
    /// 113 call rang.
    pub t_ring: SimTime,
    /// Ambulance notified (end of AMK handling).
    pub t_notified: SimTime,
    pub mission: ambulance::MissionKind,
    /// Scene place (zone, or facility place for transports).
    pub scene: u32,
    pub vehicle: u32,
    pub hospital: u32,
    /// Red event id, or u32::MAX.
    pub red: u32,
    pub via_amk: bool,
    pub via_lvs: bool,
    pub conveyed: bool,
    /// Arriving at the ED in an ambulance that waits for the handover.
    pub by_ambulance_now: bool,
}

impl Patient {
    /// Red event being followed for this patient, if any.
    pub fn red_event(&self) -> Option<u32> {
        (self.red != u32::MAX).then_some(self.red)
    }
}

/// Pools of one scenario, by role.
#[derive(Debug, Clone)]
pub(crate) struct PoolMap {
    pub lvs: Vec<u32>,
    pub doctors: Vec<u32>,
    pub triage: Vec<Option<u32>>,
    pub sat_nurses: Vec<u32>,
    pub amk: Option<u32>,
    pub ed: Vec<u32>,
}

/// Streaming statistics of one replication.
#[derive(Default)]
pub(crate) struct Acc {
    pub lvs_answer: Hist,
    pub lvs_within_2min: u64,
    pub wait: [Hist; 3],
    pub waited: u64,
    pub waits_total: u64,
    pub travel_visits: Hist,
    pub outcomes: [u64; N_OUTCOMES],
    pub station_consults: u64,
    pub satellite_consults: u64,
    pub video_consults: u64,
    pub home_visits: u64,
    pub calls_113: u64,
    pub amk_answer: Hist,
    pub amk_within_10s: u64,
    /// Red responses incl. AMK time [urban, rural].
    pub response: [Hist; 2],
    pub response_n: [u64; 2],
    pub response_ok: [u64; 2],
    pub response_excl_amk_ok: u64,
    pub red_events: u64,
    pub red_with_legevakt: u64,
    pub red_first_ok: u64,
    pub missions: u64,
    pub handover_delay: Hist,
    pub admissions: u64,
    pub referrals: u64,
    pub doctor_car_assessments: u64,
    /// Red responses [urban, rural] in 30-s bins up to 120 min (last bin: longer).
    pub response_bins: [Vec<u64>; 2],
    /// Per zone: (sum of red responses [min], count).
    pub zone_response: Vec<(f64, u64)>,
    /// Fingerprint of every need generated (time, zone, channel, urgency, seed).
    pub demand_fingerprint: u64,
}

/// Width of a response-time bin [ms] for CDF plots.
pub const RESPONSE_BIN_MS: i64 = 30_000;
/// Number of response-time bins (120 min; the last bin holds everything longer).
pub const RESPONSE_BINS: usize = 241;

/// A per-patient and per-vehicle record of one replication (asked for with `RunSpec::trace`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Trace {
    /// Every vehicle state change.
    pub transitions: Vec<ambulance::Transition>,
    /// Every red ambulance response.
    pub responses: Vec<amk::ResponseRecord>,
}

/// Busy and scheduled server-hours by hour of the week for one pool, over the measured period.
#[derive(Debug, Clone, Serialize)]
pub struct HourlyPool {
    /// Pool label, e.g. "Molde interkommunale legevakt doctors".
    pub pool: String,
    /// Role: `lvs_nurses`, `doctors`, `triage_nurses`, `satellite_nurses`, `amk_operators`, `ed_bays`.
    pub role: &'static str,
    /// Busy server-hours in each hour of the week (summed over the weeks simulated).
    pub busy_h: Vec<f64>,
    /// Scheduled server-hours in each hour of the week.
    pub scheduled_h: Vec<f64>,
}

/// Figures of one ambulance station in one replication.
#[derive(Debug, Clone, Serialize)]
pub struct AmbStationResult {
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

/// The result of one replication: plain data.
#[derive(Debug, Clone, Serialize)]
pub struct ReplicationResult {
    /// Replication index.
    pub replication: u64,
    /// KPI values in [`kpi::KPI_DEFS`] order (None where undefined, e.g. no red patients).
    pub kpis: Vec<Option<f64>>,
    /// Patients (latent needs) generated over the whole run, warm-up included.
    pub generated: u64,
    /// Patients whose path ended.
    pub completed: u64,
    /// Patients still in the chain when the run stopped.
    pub in_system_at_end: u64,
    /// Ended paths by outcome over the measured period, in [`OUTCOME_NAMES`] order.
    pub outcomes: Vec<u64>,
    /// Events processed.
    pub events: u64,
    /// Utilisation by hour of week, per pool of servers.
    pub hourly: Vec<HourlyPool>,
    /// Ambulance stations.
    pub amb_stations: Vec<AmbStationResult>,
    /// Trace, when asked for.
    pub trace: Option<Trace>,
    /// Red responses [urban, rural] counted in bins of [`RESPONSE_BIN_MS`] (last bin: longer).
    pub response_bins: [Vec<u64>; 2],
    /// Per zone: (sum of red responses [min], count), measured period.
    pub zone_response: Vec<(f64, u64)>,
    /// Fingerprint of the needs generated: equal for two runs iff they saw the same demand
    /// (common random numbers).
    pub demand_fingerprint: u64,
}

/// The world of one replication.
pub(crate) struct World<'a> {
    pub scn: &'a Scenario,
    pub now: SimTime,
    pub warmup: SimTime,
    pub end: SimTime,
    pub q: EventQueue<Event>,
    pub patients: Slab<Patient>,
    pub pools: Vec<Pool>,
    pub pool_sched: Vec<crate::schedule::Weekly>,
    pub pool_label: Vec<(String, &'static str)>,
    pub map: PoolMap,
    pub streams: Vec<demand::Stream>,
    /// Next need of each stream: (time [ms], stream), earliest first.
    pub demand_q: dary_heap::QuaternaryHeap<std::cmp::Reverse<(i64, u32)>>,
    pub stream_rngs: Vec<SimRng>,
    pub seq: u64,
    pub acc: Acc,
    pub generated: u64,
    pub completed: u64,
    pub events: u64,
    pub veh: Vec<ambulance::VehicleState>,
    /// Calls waiting for an ambulance: (priority, sequence, patient), most urgent first.
    pub amb_queue: std::collections::BTreeSet<(u8, u64, u32)>,
    /// Vehicles now on their way back to their station (re-dispatchable, moving).
    pub returning: Vec<u32>,
    /// Does the scenario have an air unit?
    pub any_air: bool,
    pub red_events: Slab<amk::RedEvent>,
    pub callouts: Slab<amk::Callout>,
    pub system_rng: SimRng,
    pub trace: Option<Trace>,
    pub incident_seeds: Vec<u64>,
}

impl<'a> World<'a> {
    fn new(scn: &'a Scenario, spec: &RunSpec, replication: u64) -> World<'a> {
        let warmup = SimTime::from_days(spec.warmup_days);
        let end = SimTime::from_days(spec.warmup_days + spec.days);
        let mut pools = Vec::new();
        let mut pool_sched = Vec::new();
        let mut pool_label = Vec::new();
        let mut add = |w: &crate::schedule::Weekly, label: String, role: &'static str| {
            pools.push(Pool::new(w.level_at(SimTime::ZERO), warmup));
            pool_sched.push(w.clone());
            pool_label.push((label, role));
            (pools.len() - 1) as u32
        };
        let map = PoolMap {
            lvs: scn
                .lvs
                .iter()
                .map(|l| add(&l.nurses, format!("{} nurses", l.name), "lvs_nurses"))
                .collect(),
            doctors: scn
                .stations
                .iter()
                .map(|s| add(&s.doctors, format!("{} doctors", s.name), "doctors"))
                .collect(),
            triage: scn
                .stations
                .iter()
                .map(|s| {
                    s.triage
                        .as_ref()
                        .map(|(w, _)| add(w, format!("{} triage nurses", s.name), "triage_nurses"))
                })
                .collect(),
            sat_nurses: scn
                .satellites
                .iter()
                .map(|s| add(&s.nurses, format!("{} nurses", s.name), "satellite_nurses"))
                .collect(),
            amk: scn.amk.as_ref().map(|a| {
                add(
                    &a.operators,
                    format!("{} operators", a.name),
                    "amk_operators",
                )
            }),
            ed: scn
                .hospitals
                .iter()
                .map(|h| {
                    add(
                        &crate::schedule::Weekly::constant(h.bays),
                        format!("{} ED bays", h.name),
                        "ed_bays",
                    )
                })
                .collect(),
        };
        let mut inc_rng =
            crate::rng::stream_rng(spec.seed, replication, crate::rng::StreamId::System(1));
        let incident_seeds = scn
            .incidents
            .iter()
            .map(|_| rand::Rng::next_u64(&mut inc_rng))
            .collect();
        let (streams, stream_rngs) = demand::streams(scn, spec.seed, replication);
        World {
            scn,
            now: SimTime::ZERO,
            warmup,
            end,
            q: EventQueue::new(),
            patients: Slab::with_capacity(1024),
            pools,
            pool_sched,
            pool_label,
            map,
            demand_q: dary_heap::QuaternaryHeap::with_capacity(streams.len()),
            streams,
            stream_rngs,
            seq: 0,
            acc: Acc {
                response_bins: [vec![0; RESPONSE_BINS], vec![0; RESPONSE_BINS]],
                zone_response: vec![(0.0, 0); scn.zones.len()],
                ..Acc::default()
            },
            generated: 0,
            completed: 0,
            events: 0,
            veh: Vec::new(),
            amb_queue: std::collections::BTreeSet::new(),
            returning: Vec::new(),
            any_air: scn
                .vehicles
                .iter()
                .any(|v| v.kind == crate::scenario::VehicleKind::Air),
            red_events: Slab::new(),
            callouts: Slab::new(),
            system_rng: crate::rng::stream_rng(
                spec.seed,
                replication,
                crate::rng::StreamId::System(0),
            ),
            trace: spec.trace.then(Trace::default),
            incident_seeds,
        }
    }

    /// Is `now` inside the measured period?
    #[inline]
    pub fn measuring(&self) -> bool {
        self.now >= self.warmup
    }

    /// Next FIFO sequence number.
    #[inline]
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Schedule an event `d` from now.
    #[inline]
    pub fn after(&mut self, d: Dur, ev: Event) {
        self.q.push(self.now + d, ev);
    }

    /// A patient's path ends.
    pub fn complete(&mut self, p: u32, outcome: Outcome) {
        self.patients.remove(p as usize);
        self.completed += 1;
        if self.measuring() {
            self.acc.outcomes[outcome as usize] += 1;
        }
    }

    /// Ask pool `pool` for a server; start the job now if one is free.
    pub fn request(&mut self, pool: u32, prio: u8, seq: u64, job: Job) {
        if let Some(j) = self.pools[pool as usize].request(self.now, prio, seq, job) {
            self.start(pool, j);
        }
    }

    /// A server of `pool` is free: start whatever it takes next.
    pub fn release(&mut self, pool: u32) {
        if let Some(j) = self.pools[pool as usize].release(self.now) {
            self.start(pool, j);
        }
    }

    /// A job got its server.
    fn start(&mut self, pool: u32, job: Job) {
        match job.kind {
            JobKind::LvsCall => self.lvs_call_start(job.patient),
            JobKind::Triage => self.triage_start(job.patient),
            JobKind::Consult | JobKind::VideoConsult => self.consult_start(job.patient),
            JobKind::SatelliteNurse => self.satellite_nurse_start(job.patient),
            JobKind::DoctorHomeVisit | JobKind::NurseHomeVisit => {
                self.home_visit_start(pool, job.patient)
            }
            JobKind::HomeVisitVideo => self.home_visit_video_start(job.patient),
            JobKind::AmkCall => self.amk_call_start(job.patient),
            JobKind::RedCallout | JobKind::DoctorCar => self.callout_start(job.patient),
            JobKind::EdBay => self.ed_start(job.patient),
        }
    }

    /// Choose the legevakt site for a patient of zone `z` and urgency `u` at `now`.
    pub fn choose_site(&self, z: usize, u: Urgency) -> Option<usize> {
        let scn = self.scn;
        let open_ok = |s: usize| scn.site_accepts(s, u) && scn.site_open(s).level_at(self.now) > 0;
        if scn.choice == crate::scenario::ChoiceRule::ZonePreferred
            && let Some(s) = scn.zones[z].preferred_site
            && open_ok(s)
        {
            return Some(s);
        }
        scn.zone_sites[z]
            .iter()
            .map(|&s| s as usize)
            .find(|&s| open_ok(s))
    }

    fn run(mut self) -> ReplicationResult {
        for (i, w) in self.pool_sched.iter().enumerate() {
            if let Some(t) = w.next_change_after(SimTime::ZERO) {
                self.q.push(t, Event::Capacity { pool: i as u32 });
            }
        }
        self.start_demand();
        for (i, inc) in self.scn.incidents.iter().enumerate() {
            if inc.at <= self.end {
                self.q.push(inc.at, Event::Incident { i: i as u32 });
            }
        }
        self.init_vehicles();
        loop {
            // Needs come from their own queue; on a tie with another event the need goes first.
            let next_need = self.demand_q.peek().map(|r| r.0);
            let next_event = self.q.peek_time();
            let need_first = match (next_need, next_event) {
                (Some((tn, _)), Some(te)) => tn <= te.0,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            if let (true, Some((tn, s))) = (need_first, next_need) {
                if tn > self.end.0 {
                    break;
                }
                debug_assert!(tn >= self.now.0, "time ran backwards");
                self.now = SimTime(tn);
                self.q.advance(self.now);
                self.events += 1;
                self.need(s as usize);
                continue;
            }
            let (t, ev) = self.q.pop().expect("peeked an event");
            if t > self.end {
                break;
            }
            debug_assert!(t >= self.now, "time ran backwards");
            self.now = t;
            self.events += 1;
            match ev {
                Event::Capacity { pool } => self.capacity_change(pool),
                Event::LvsCallEnd { p } => self.lvs_call_end(p),
                Event::ArriveAtSite { p } => self.arrive_at_site(p),
                Event::TriageEnd { p } => self.triage_end(p),
                Event::ConsultEnd { p } => self.consult_end(p),
                Event::HomeVisitArrive { p } => self.home_visit_arrive(p),
                Event::HomeVisitEnd { p } => self.home_visit_end(p),
                Event::ServerReturn { pool } => self.release(pool),
                Event::AmkCallEnd { p } => self.amk_call_end(p),
                Event::Vehicle { v, generation } => self.vehicle_event(v, generation),
                Event::VehicleShift { v } => self.vehicle_shift(v),
                Event::EdEnd { p } => self.ed_end(p),
                Event::ArriveAtEd { p } => self.arrive_at_ed(p),
                Event::CalloutArrive { c } => self.callout_arrive(c),
                Event::CalloutEnd { c } => self.callout_end(c),
                Event::Incident { i } => {
                    let inc = &self.scn.incidents[i as usize];
                    let seed = self.incident_seeds[i as usize];
                    self.new_need(seed, inc.zone as u32, inc.channel, inc.urgency);
                }
            }
        }
        self.now = self.end;
        self.finish()
    }

    fn capacity_change(&mut self, pool: u32) {
        let w = &self.pool_sched[pool as usize];
        let c = w.level_at(self.now);
        let next = w.next_change_after(self.now);
        let started = self.pools[pool as usize].set_capacity(self.now, c);
        for j in started {
            self.start(pool, j);
        }
        if let Some(t) = next {
            self.q.push(t, Event::Capacity { pool });
        }
    }

    /// Patient-stream uniform for a purpose.
    #[inline]
    pub fn u(&self, p: u32, purpose: Purpose) -> f64 {
        patient_uniform(self.patients[p as usize].seed, purpose)
    }

    fn finish(mut self) -> ReplicationResult {
        for pool in &mut self.pools {
            pool.finish(self.end);
        }
        self.finish_vehicles();
        let scn = self.scn;
        let years =
            (self.end.0 - self.warmup.0) as f64 / (crate::time::MS_PER_DAY as f64 * DAYS_PER_YEAR);
        let pop_k = scn.population() / 1000.0;
        let per_1000 = |n: u64| Some(n as f64 / pop_k / years);
        let per_year = |n: u64| Some(n as f64 / years);
        let a = &self.acc;
        let mut k: Vec<Option<f64>> = vec![None; kpi::count()];
        let ms_to_min = |x: f64| x / 60_000.0;
        k[Kpi::LvsWithin2Min as usize] = if a.lvs_answer.is_empty() {
            None
        } else {
            Some(a.lvs_within_2min as f64 / a.lvs_answer.len() as f64)
        };
        k[Kpi::LvsP90 as usize] = a.lvs_answer.quantile_ms(0.9).map(|x| x / 1000.0);
        k[Kpi::LvsMean as usize] = a.lvs_answer.mean_ms().map(|x| x / 1000.0);
        let util = |ids: &[u32], pools: &[Pool]| {
            let (b, c) = ids.iter().fold((0.0, 0.0), |(b, c), &i| {
                (
                    b + pools[i as usize].busy_ms,
                    c + pools[i as usize].capacity_ms,
                )
            });
            if c > 0.0 { Some(b / c) } else { None }
        };
        k[Kpi::LvsUtil as usize] = util(&self.map.lvs, &self.pools);
        k[Kpi::LvsCallsPer1000 as usize] = per_1000(a.lvs_answer.len());
        for (u, (p90, mean)) in [
            (Kpi::WaitP90Red, Kpi::WaitMeanRed),
            (Kpi::WaitP90Yellow, Kpi::WaitMeanYellow),
            (Kpi::WaitP90Green, Kpi::WaitMeanGreen),
        ]
        .iter()
        .enumerate()
        {
            k[*p90 as usize] = a.wait[u].quantile_ms(0.9).map(ms_to_min);
            k[*mean as usize] = a.wait[u].mean_ms().map(ms_to_min);
        }
        k[Kpi::WaitedShare as usize] = if a.waits_total > 0 {
            Some(a.waited as f64 / a.waits_total as f64)
        } else {
            None
        };
        k[Kpi::Travel40 as usize] = scn.travel_figures.within_40;
        k[Kpi::Travel60 as usize] = scn.travel_figures.within_60;
        k[Kpi::TravelP90Visits as usize] = a.travel_visits.quantile_ms(0.9).map(ms_to_min);
        k[Kpi::DoctorUtil as usize] = util(&self.map.doctors, &self.pools);
        let consults = a.station_consults + a.satellite_consults;
        k[Kpi::ConsultPer1000 as usize] = per_1000(consults);
        k[Kpi::SatelliteConsults as usize] = per_year(a.satellite_consults);
        k[Kpi::VideoConsults as usize] = per_year(a.video_consults);
        k[Kpi::HomeVisits as usize] = per_year(a.home_visits);
        k[Kpi::HomeVisitsPer1000 as usize] = per_1000(a.home_visits);
        k[Kpi::SuppressedPer1000 as usize] = per_1000(a.outcomes[Outcome::Suppressed as usize]);
        k[Kpi::OutsideHoursPer1000 as usize] = per_1000(a.outcomes[Outcome::OutsideHours as usize]);
        k[Kpi::Calls113Per1000 as usize] = per_1000(a.calls_113);
        let amb_stations = self.amb_station_results();
        self.chain_kpis(&mut k, years, pop_k, &amb_stations);
        let hourly = self
            .pools
            .iter()
            .zip(&self.pool_label)
            .map(|(p, (l, role))| {
                let h = crate::time::MS_PER_HOUR as f64;
                HourlyPool {
                    pool: l.clone(),
                    role,
                    busy_h: p.busy_by_how.iter().map(|x| x / h).collect(),
                    scheduled_h: p.capacity_by_how.iter().map(|x| x / h).collect(),
                }
            })
            .collect();
        ReplicationResult {
            replication: 0,
            kpis: k,
            generated: self.generated,
            completed: self.completed,
            in_system_at_end: self.patients.len() as u64,
            outcomes: a.outcomes.to_vec(),
            events: self.events,
            hourly,
            amb_stations,
            trace: self.trace.take(),
            response_bins: std::mem::take(&mut self.acc.response_bins),
            zone_response: std::mem::take(&mut self.acc.zone_response),
            demand_fingerprint: self.acc.demand_fingerprint,
        }
    }
}

/// Run one replication.
pub fn run(scn: &Scenario, spec: &RunSpec, replication: u64) -> ReplicationResult {
    let mut r = World::new(scn, spec, replication).run();
    r.replication = replication;
    r
}

/// Helper for handlers: which site kind a patient is at.
pub(crate) fn site_kind(scn: &Scenario, site: u32) -> Site {
    scn.sites[site as usize]
}

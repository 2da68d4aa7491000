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

mod demand;
mod legevakt;
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
}

/// Everything that can happen. Small and `Copy`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    /// The next latent need of a demand stream.
    Need { stream: u32 },
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
}

/// Outcome names, in `Outcome` order, for reports.
pub const OUTCOME_NAMES: [&str; 7] = [
    "suppressed_by_distance",
    "outside_legevakt_hours",
    "telephone_advice",
    "station_consultation",
    "satellite_consultation",
    "home_visit",
    "to_113",
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
}

/// Pools of one scenario, by role.
#[derive(Debug, Clone)]
pub(crate) struct PoolMap {
    pub lvs: Vec<u32>,
    pub doctors: Vec<u32>,
    pub triage: Vec<Option<u32>>,
    pub sat_nurses: Vec<u32>,
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
    pub outcomes: [u64; 7],
    pub satellite_consults: u64,
    pub video_consults: u64,
    pub home_visits: u64,
    pub calls_113: u64,
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
    /// Utilisation by hour of week per pool: (pool label, busy server-hours, scheduled server-hours).
    pub hourly: Vec<(String, Vec<f64>, Vec<f64>)>,
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
    pub pool_label: Vec<String>,
    pub map: PoolMap,
    pub streams: Vec<demand::Stream>,
    pub stream_rngs: Vec<SimRng>,
    pub seq: u64,
    pub acc: Acc,
    pub generated: u64,
    pub completed: u64,
    pub events: u64,
}

impl<'a> World<'a> {
    fn new(scn: &'a Scenario, spec: &RunSpec, replication: u64) -> World<'a> {
        let warmup = SimTime::from_days(spec.warmup_days);
        let end = SimTime::from_days(spec.warmup_days + spec.days);
        let mut pools = Vec::new();
        let mut pool_sched = Vec::new();
        let mut pool_label = Vec::new();
        let mut add = |w: &crate::schedule::Weekly, label: String| {
            pools.push(Pool::new(w.level_at(SimTime::ZERO), warmup));
            pool_sched.push(w.clone());
            pool_label.push(label);
            (pools.len() - 1) as u32
        };
        let map = PoolMap {
            lvs: scn
                .lvs
                .iter()
                .map(|l| add(&l.nurses, format!("{} nurses", l.name)))
                .collect(),
            doctors: scn
                .stations
                .iter()
                .map(|s| add(&s.doctors, format!("{} doctors", s.name)))
                .collect(),
            triage: scn
                .stations
                .iter()
                .map(|s| {
                    s.triage
                        .as_ref()
                        .map(|(w, _)| add(w, format!("{} triage nurses", s.name)))
                })
                .collect(),
            sat_nurses: scn
                .satellites
                .iter()
                .map(|s| add(&s.nurses, format!("{} nurses", s.name)))
                .collect(),
        };
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
            streams,
            stream_rngs,
            seq: 0,
            acc: Acc::default(),
            generated: 0,
            completed: 0,
            events: 0,
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
            JobKind::AmkCall | JobKind::RedCallout | JobKind::EdBay => {
                unreachable!("{:?} is not used by this engine version", job.kind)
            }
        }
    }

    /// A patient reaches 113. AMK is not part of this engine version: counted, path ends.
    pub fn reach_amk(&mut self, p: u32) {
        if self.measuring() {
            self.acc.calls_113 += 1;
        }
        self.complete(p, Outcome::ToAmk);
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
        for s in 0..self.streams.len() {
            self.schedule_next_need(s);
        }
        while let Some((t, ev)) = self.q.pop() {
            if t > self.end {
                break;
            }
            debug_assert!(t >= self.now, "time ran backwards");
            self.now = t;
            self.events += 1;
            match ev {
                Event::Need { stream } => self.need(stream as usize),
                Event::Capacity { pool } => self.capacity_change(pool),
                Event::LvsCallEnd { p } => self.lvs_call_end(p),
                Event::ArriveAtSite { p } => self.arrive_at_site(p),
                Event::TriageEnd { p } => self.triage_end(p),
                Event::ConsultEnd { p } => self.consult_end(p),
                Event::HomeVisitArrive { p } => self.home_visit_arrive(p),
                Event::HomeVisitEnd { p } => self.home_visit_end(p),
                Event::ServerReturn { pool } => self.release(pool),
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
        let (s40, s60) = legevakt::travel_population_shares(scn);
        k[Kpi::Travel40 as usize] = s40;
        k[Kpi::Travel60 as usize] = s60;
        k[Kpi::TravelP90Visits as usize] = a.travel_visits.quantile_ms(0.9).map(ms_to_min);
        k[Kpi::DoctorUtil as usize] = util(&self.map.doctors, &self.pools);
        let consults = a.outcomes[Outcome::StationConsultation as usize]
            + a.outcomes[Outcome::SatelliteConsultation as usize];
        k[Kpi::ConsultPer1000 as usize] = per_1000(consults);
        k[Kpi::SatelliteConsults as usize] = per_year(a.satellite_consults);
        k[Kpi::VideoConsults as usize] = per_year(a.video_consults);
        k[Kpi::HomeVisits as usize] = per_year(a.home_visits);
        k[Kpi::HomeVisitsPer1000 as usize] = per_1000(a.home_visits);
        k[Kpi::SuppressedPer1000 as usize] = per_1000(a.outcomes[Outcome::Suppressed as usize]);
        k[Kpi::OutsideHoursPer1000 as usize] = per_1000(a.outcomes[Outcome::OutsideHours as usize]);
        k[Kpi::Calls113Per1000 as usize] = per_1000(a.calls_113);
        let hourly = self
            .pools
            .iter()
            .zip(&self.pool_label)
            .map(|(p, l)| {
                let h = crate::time::MS_PER_HOUR as f64;
                (
                    l.clone(),
                    p.busy_by_how.iter().map(|x| x / h).collect(),
                    p.capacity_by_how.iter().map(|x| x / h).collect(),
                )
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

//! The discrete-event engine: one replication, one thread, one event loop that owns all mutable
//! state. [`run`] takes an immutable [`Scenario`] and a replication index and returns a plain
//! [`ReplicationResult`].
//!
//! Events are a single `Copy` enum; the loop is one exhaustive `match` that hands each event to
//! the module owning it. Each actor's state belongs to its module, with private fields:
//!
//! | module | state | events |
//! |---|---|---|
//! | `demand` | the demand sources (superposed Poisson processes) and their next arrivals | (arrivals come from the sources, beside the event list) |
//! | `lvs` | legevaktsentral pools | `LvsCallEnd` |
//! | `legevakt` | doctor, triage and satellite-nurse pools | `ArriveAtSite`, `TriageEnd`, `ConsultEnd`, `HomeVisitArrive`, `HomeVisitEnd` |
//! | `amk` | the 113 pool, red events, call-outs, calls on the other lines | `AmkCallEnd`, `AmkLineEnd`, `PlannedStart`, `CalloutArrive`, `CalloutEnd` |
//! | `doctor_car` | doctor cars and their missions | `CarArrive`, `CarEnd`, `CarBack` |
//! | `ambulance` | vehicles, the waiting calls | `Vehicle`, `VehicleShift` |
//! | `hospital` | ED bays | `EdEnd`, `ArriveAtEd` |
//! | `score` | every accumulator; the only place KPIs are computed | |
//!
//! Entities are referred to by typed ids (`base::ids`); patients live in a slab. Statistics are
//! streaming, so memory does not grow with the horizon — unless `--trace` asks for the trace,
//! which `tracing` notes (patient events) beside `ambulance` (vehicle state changes) and `amk`
//! (red responses), behind one `Option` test each.

mod ambulance;
mod amk;
mod calls;
mod demand;
mod doctor_car;
mod hospital;
mod legevakt;
mod lvs;
mod patient;
mod pool;
mod queue;
pub mod result;
mod score;
mod tracing;

pub use ambulance::VState;

use crate::base::ids::{
    CalloutId, CarMissionId, IncidentId, LineCallId, PatientId, PoolId, VehicleId,
};
use crate::base::rng::{Purpose, SimRng, StreamId, patient_uniform, stream_rng};
use crate::base::time::{DAYS_PER_YEAR, Dur, MS_PER_DAY, MS_PER_HOUR, SimTime};
use crate::input::RunSpec;
use crate::input::scenario::Scenario;
use crate::input::scenario::limits::MAX_PATIENTS_IN_SYSTEM;
use patient::Patients;
use pool::{Job, Pools};
use queue::EventQueue;
pub use result::*;

/// Everything that can happen. Small and `Copy`.
#[derive(Debug, Clone, Copy)]
enum Event {
    /// A pool's scheduled capacity changes.
    Capacity { pool: PoolId },
    /// A 116117 call ends.
    LvsCallEnd { p: PatientId },
    /// A patient arrives at a station or satellite.
    ArriveAtSite { p: PatientId },
    /// Nurse triage at a station ends.
    TriageEnd { p: PatientId },
    /// A consultation (doctor, or video at a satellite) ends.
    ConsultEnd { p: PatientId },
    /// A doctor or nurse reaches a patient's home.
    HomeVisitArrive { p: PatientId },
    /// A home visit ends.
    HomeVisitEnd { p: PatientId },
    /// A server that went out (home visit, call-out, doctor car) is back and free again.
    ServerBack { pool: PoolId },
    /// A server is free again (an AMK operator after the guidance time).
    ServerFree { pool: PoolId },
    /// The wait limit of a home-visit request is reached (`seq` identifies the request).
    VisitTimeout { p: PatientId, seq: u64 },
    /// A caller's patience runs out (`seq` identifies the call attempt).
    HangUp { p: PatientId, seq: u64 },
    /// A caller who hung up calls again.
    Redial { p: PatientId },
    /// The planned-transport hours begin for a deferred planned transport.
    PlannedStart { p: PatientId },
    /// A doctor car reaches the scene.
    CarArrive { m: CarMissionId },
    /// A doctor car leaves the scene.
    CarEnd { m: CarMissionId },
    /// A doctor car is back at its station.
    CarBack { m: CarMissionId },
    /// A 113 call ends: the response is decided.
    AmkCallEnd { p: PatientId },
    /// A call on the AMK's other lines ends.
    AmkLineEnd { c: LineCallId },
    /// The current phase of a vehicle ends (ignored if `generation` is stale).
    Vehicle { v: VehicleId, generation: u32 },
    /// A vehicle's duty schedule changes.
    VehicleShift { v: VehicleId },
    /// A patient leaves the emergency department.
    EdEnd { p: PatientId },
    /// A referred patient arrives at hospital on their own.
    ArriveAtEd { p: PatientId },
    /// A legevakt call-out reaches the scene.
    CalloutArrive { c: CalloutId },
    /// A legevakt call-out leaves the scene.
    CalloutEnd { c: CalloutId },
    /// A scripted incident.
    Incident { i: IncidentId },
}

/// The world of one replication.
struct World<'a> {
    scn: &'a Scenario,
    replication: u64,
    now: SimTime,
    end: SimTime,
    q: EventQueue<Event>,
    patients: Patients,
    pools: Pools,
    demand: demand::Demand,
    lvs: lvs::Lvs,
    legevakt: legevakt::Legevakt,
    amk: amk::Amk,
    cars: doctor_car::Cars,
    fleet: ambulance::Fleet,
    ed: hospital::Ed,
    score: score::Score,
    /// FIFO sequence numbers for queues.
    seq: u64,
    generated: u64,
    completed: u64,
    events: u64,
    /// Randomness that belongs to no patient (helicopter weather).
    system_rng: SimRng,
    trace: Option<Trace>,
    incident_seeds: Vec<u64>,
}

impl<'a> World<'a> {
    fn new(scn: &'a Scenario, spec: &RunSpec, replication: u64) -> World<'a> {
        let warmup = SimTime::from_days(spec.warmup_days);
        let end = SimTime::from_days(spec.warmup_days + spec.days);
        let mut pools = Pools::new(warmup);
        // Pools are added role by role, in this order: their ids order the hourly tables.
        let lvs = lvs::Lvs::new(scn, &mut pools);
        let legevakt = legevakt::Legevakt::new(scn, &mut pools);
        let amk = amk::Amk::new(scn, &mut pools);
        let ed = hospital::Ed::new(scn, &mut pools);
        let cars = doctor_car::Cars::new(scn, &mut pools);
        let mut inc_rng = stream_rng(spec.seed, replication, StreamId::System(1));
        let incident_seeds = scn
            .incidents
            .iter()
            .map(|_| rand::Rng::next_u64(&mut inc_rng))
            .collect();
        World {
            scn,
            replication,
            now: SimTime::ZERO,
            end,
            q: EventQueue::new(),
            patients: Patients::with_capacity(1024),
            pools,
            demand: demand::Demand::new(scn, spec.seed, replication),
            lvs,
            legevakt,
            amk,
            cars,
            fleet: ambulance::Fleet::new(scn),
            ed,
            score: score::Score::new(warmup, scn),
            seq: 0,
            generated: 0,
            completed: 0,
            events: 0,
            system_rng: stream_rng(spec.seed, replication, StreamId::System(0)),
            trace: spec.trace.then(Trace::default),
            incident_seeds,
        }
    }

    /// Patients in the chain and calls on the AMK's other lines under way (each counts as one
    /// caller, as when they were patients).
    fn in_system(&self) -> usize {
        self.patients.len() + self.amk.lines_under_way()
    }

    /// Next FIFO sequence number.
    #[inline]
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Schedule an event `d` from now.
    #[inline]
    fn after(&mut self, d: Dur, ev: Event) {
        self.q.push(self.now + d, ev);
    }

    /// A patient's path ends.
    fn complete(&mut self, p: PatientId, outcome: Outcome) {
        self.note(
            p,
            PatientEvent::Complete,
            TracePlace::None,
            TraceResource::None,
            Detail::outcome(outcome),
        );
        self.patients.remove(p);
        self.path_ended(outcome);
    }

    /// A caller's path (a patient's, or a call's on the AMK's other lines) ended with `outcome`.
    fn path_ended(&mut self, outcome: Outcome) {
        self.completed += 1;
        self.score.outcome(self.now, outcome);
    }

    /// Ask pool `pool` for a server; start the job now if one is free.
    #[inline]
    fn request(&mut self, pool: PoolId, prio: u8, seq: u64, job: Job) {
        if let Some(j) = self.pools.get_mut(pool).request(self.now, prio, seq, job) {
            self.start(pool, j);
        }
    }

    /// Is `p` still waiting in `stage` on the request `seq` (a call attempt, a home visit)? A
    /// stale queue entry or timer of an earlier request says no.
    fn still_waiting(&self, p: PatientId, seq: u64, stage: patient::Stage) -> bool {
        self.patients
            .get(p)
            .is_some_and(|pat| pat.seq == seq && pat.stage == stage)
    }

    /// A server of `pool` is free: start whatever it takes next.
    #[inline]
    fn release(&mut self, pool: PoolId) {
        if let Some(j) = self.pools.get_mut(pool).release(self.now) {
            self.start(pool, j);
        }
    }

    /// A job got its server.
    #[inline]
    fn start(&mut self, pool: PoolId, job: Job) {
        match job {
            Job::LvsCall(p, seq) => self.lvs_call_start(pool, p, seq),
            Job::Triage(p) => self.triage_start(p),
            Job::Consult(p) | Job::VideoConsult(p) => self.consult_start(p),
            Job::SatelliteNurse(p) => self.satellite_nurse_start(p),
            Job::DoctorHomeVisit(p, seq) | Job::NurseHomeVisit(p, seq) => {
                self.home_visit_start(pool, p, seq)
            }
            Job::HomeVisitVideo(p) => self.home_visit_video_start(p),
            Job::AmkCall(p, seq) => self.amk_call_start(pool, p, seq),
            Job::AmkLine(c) => self.amk_line_start(pool, c),
            Job::RedCallout(c) => self.callout_start(c),
            Job::DoctorCar(m) => self.car_start(m),
            Job::CarDoctor(m) => self.car_doctor_start(m),
            Job::EdBay(p) => self.ed_start(p),
        }
    }

    /// Patient-stream uniform for a purpose.
    #[inline]
    fn u(&self, p: PatientId, purpose: Purpose) -> f64 {
        patient_uniform(self.patients[p].seed, purpose)
    }

    fn run(mut self) -> Result<ReplicationResult, SimError> {
        let first_changes: Vec<(SimTime, PoolId)> = self
            .pools
            .iter()
            .filter_map(|(i, _, _, _)| {
                let t = self.pools.schedule(i).next_change_after(SimTime::ZERO)?;
                Some((t, i))
            })
            .collect();
        for (t, pool) in first_changes {
            self.q.push(t, Event::Capacity { pool });
        }
        self.start_demand();
        for (i, inc) in self.scn.incidents.iter_enumerated() {
            if inc.at <= self.end {
                self.q.push(inc.at, Event::Incident { i });
            }
        }
        self.init_vehicles();
        loop {
            // Arrivals come from the demand sources; on a tie with another event the arrival
            // goes first. A source past the end of the run has no next arrival.
            let next_need = self.demand.peek();
            let next_event = self.q.peek_time();
            let need_first = match (next_need, next_event) {
                (Some((tn, _)), Some(te)) => tn <= te.0,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            if let (true, Some((tn, s))) = (need_first, next_need) {
                debug_assert!(tn <= self.end.0, "an arrival past the end");
                debug_assert!(tn >= self.now.0, "time ran backwards");
                self.now = SimTime(tn);
                self.q.advance(self.now);
                self.events += 1;
                self.need(s);
                if self.in_system() > MAX_PATIENTS_IN_SYSTEM {
                    return Err(self.overloaded());
                }
                continue;
            }
            let (t, ev) = self.q.pop().expect("peeked an event");
            if t > self.end {
                break;
            }
            debug_assert!(t >= self.now, "time ran backwards");
            self.now = t;
            self.events += 1;
            self.dispatch_event(ev);
        }
        self.now = self.end;
        Ok(self.finish())
    }

    /// Hand an event to the module that owns it.
    #[inline(always)]
    fn dispatch_event(&mut self, ev: Event) {
        match ev {
            Event::Capacity { pool } => self.capacity_change(pool),
            Event::LvsCallEnd { p } => self.lvs_call_end(p),
            Event::ArriveAtSite { p } => self.arrive_at_site(p),
            Event::TriageEnd { p } => self.triage_end(p),
            Event::ConsultEnd { p } => self.consult_end(p),
            Event::HomeVisitArrive { p } => self.home_visit_arrive(p),
            Event::HomeVisitEnd { p } => self.home_visit_end(p),
            Event::ServerBack { pool } => {
                self.pools.get_mut(pool).back(self.now);
                self.release(pool);
            }
            Event::ServerFree { pool } => self.release(pool),
            Event::VisitTimeout { p, seq } => self.visit_timeout(p, seq),
            Event::HangUp { p, seq } => self.hang_up(p, seq),
            Event::Redial { p } => self.redial(p),
            Event::PlannedStart { p } => self.planned_start(p),
            Event::CarArrive { m } => self.car_arrive(m),
            Event::CarEnd { m } => self.car_end(m),
            Event::CarBack { m } => self.car_back(m),
            Event::AmkCallEnd { p } => self.amk_call_end(p),
            Event::AmkLineEnd { c } => self.amk_line_end(c),
            Event::Vehicle { v, generation } => self.vehicle_event(v, generation),
            Event::VehicleShift { v } => self.vehicle_shift(v),
            Event::EdEnd { p } => self.ed_end(p),
            Event::ArriveAtEd { p } => self.arrive_at_ed(p),
            Event::CalloutArrive { c } => self.callout_arrive(c),
            Event::CalloutEnd { c } => self.callout_end(c),
            Event::Incident { i } => {
                let inc = &self.scn.incidents[i];
                let seed = self.incident_seeds[i.index()];
                self.new_need(seed, inc.zone, inc.channel, inc.urgency);
            }
        }
    }

    fn capacity_change(&mut self, pool: PoolId) {
        let w = self.pools.schedule(pool);
        let c = w.level_at(self.now);
        let next = w.next_change_after(self.now);
        let started = self.pools.get_mut(pool).set_capacity(self.now, c);
        for j in started {
            self.start(pool, j);
        }
        if let Some(t) = next {
            self.q.push(t, Event::Capacity { pool });
        }
    }

    /// The error of an overloaded replication: where most patients wait.
    fn overloaded(&self) -> SimError {
        let (mut label, mut most) = (String::from("—"), 0);
        for (_, pool, l, _) in self.pools.iter() {
            if pool.queue_len() > most {
                most = pool.queue_len();
                label = format!("{most} waiting for {l}");
            }
        }
        let waiting_amb = self.fleet.waiting();
        if waiting_amb > most {
            label = format!("{waiting_amb} waiting for an ambulance");
        }
        SimError::Overloaded {
            replication: self.replication,
            patients: self.in_system(),
            day: self.now.days(),
            busiest: label,
        }
    }

    fn finish(mut self) -> ReplicationResult {
        self.pools.finish(self.end);
        self.finish_vehicles();
        let scn = self.scn;
        let years =
            (self.end.0 - self.score_warmup().0) as f64 / (MS_PER_DAY as f64 * DAYS_PER_YEAR);
        // (busy, available) server time of a role: available counts a server on overtime, so
        // utilisation never exceeds 1.
        let time_of = |role: Role| {
            self.pools
                .iter()
                .filter(|(_, _, _, r)| *r == role)
                .fold((0.0, 0.0), |(b, c), (_, p, _, _)| {
                    (b + p.books().busy_ms, c + p.books().available_ms)
                })
        };
        let amb_stations = self.amb_station_results();
        let station_hours: Vec<(f64, f64)> =
            amb_stations.iter().map(|s| (s.busy_h, s.duty_h)).collect();
        let mut legevakt_stations = self.legevakt_station_results();
        self.score.station_counts(&mut legevakt_stations);
        let hours = self.hours(years);
        let cx = score::Context {
            years,
            pop_k: scn.population() / 1000.0,
            lvs_time: time_of(Role::LvsNurses),
            doctor_time: time_of(Role::Doctors),
            travel: (
                scn.derived.travel_figures.within_40,
                scn.derived.travel_figures.within_60,
            ),
            has_amk: scn.amk.is_some(),
            vehicle_time: (!scn.vehicles.is_empty()).then(|| self.vehicle_time()),
            stations: &station_hours,
            legevakt: &legevakt_stations,
            has_hospitals: !scn.hospitals.is_empty(),
            has_doctor_cars: !scn.doctor_cars.is_empty(),
            satellites: scn.satellites.len(),
            hours: &hours,
            costs: scn.costs.as_ref(),
        };
        let kpis = self.score.kpis(&cx);
        let h = MS_PER_HOUR as f64;
        let mut hourly: Vec<HourlyPool> = self
            .pools
            .iter()
            .map(|(_, p, l, role)| HourlyPool {
                pool: l.to_string(),
                role,
                busy_h: p.books().busy_by_how.iter().map(|x| x / h).collect(),
                scheduled_h: p.books().capacity_by_how.iter().map(|x| x / h).collect(),
                available_h: p.books().available_by_how.iter().map(|x| x / h).collect(),
            })
            .collect();
        hourly.extend(self.amb_hourly());
        let response_bins = self.score.take_response_bins();
        let zones = self.score.zone_results();
        ReplicationResult {
            replication: self.replication,
            kpis,
            generated: self.generated,
            completed: self.completed,
            in_system_at_end: self.in_system() as u64,
            outcomes: self.score.outcomes().to_vec(),
            events: self.events,
            hourly,
            amb_stations,
            legevakt_stations,
            trace: self.trace.take(),
            response_bins,
            zones,
            demand_fingerprint: self.score.fingerprint(),
        }
    }

    /// Start of the measured period.
    fn score_warmup(&self) -> SimTime {
        self.pools.warmup()
    }

    /// Hours of the measured period for the workload and cost KPIs (`years` measured).
    fn hours(&self, years: f64) -> score::Hours {
        let h = MS_PER_HOUR as f64;
        let mut out = score::Hours {
            doctor_by_how: vec![0.0; 168],
            ..Default::default()
        };
        let own_doctor_cars: Vec<PoolId> = self
            .scn
            .doctor_cars
            .iter_enumerated()
            .filter(|(_, c)| c.own_doctor)
            .map(|(i, _)| self.cars.pools()[i])
            .collect();
        for (id, pool, _, role) in self.pools.iter() {
            let b = pool.books();
            match role {
                Role::Doctors => {
                    for (acc, x) in out.doctor_by_how.iter_mut().zip(b.available_by_how.iter()) {
                        *acc += x / h;
                    }
                }
                Role::DoctorCars => {
                    out.doctor_car += b.capacity_ms / h;
                    out.doctor_car_time.0 += b.busy_ms / h;
                    out.doctor_car_time.1 += b.available_ms / h;
                    if own_doctor_cars.contains(&id) {
                        for (acc, x) in out.doctor_by_how.iter_mut().zip(b.capacity_by_how.iter()) {
                            *acc += x / h;
                        }
                    }
                }
                Role::LvsNurses | Role::TriageNurses | Role::SatelliteNurses => {
                    out.nurse += b.available_ms / h;
                }
                Role::AmkOperators | Role::EdBays | Role::Ambulances => {}
            }
        }
        let weeks = years * DAYS_PER_YEAR / 7.0;
        for veh in self.scn.vehicles.iter() {
            if veh.kind == crate::input::scenario::VehicleKind::Air {
                continue; // air units are costed per mission
            }
            let (staffed, on_call) = staffed_and_on_call_minutes(&veh.staffed, &veh.on_call);
            out.ambulance_staffed += staffed / 60.0 * weeks;
            out.ambulance_on_call += on_call / 60.0 * weeks;
        }
        out
    }
}

/// Minutes per week a vehicle is staffed at the station, and on call from home while not
/// staffed.
fn staffed_and_on_call_minutes(
    staffed: &crate::base::schedule::Weekly,
    on_call: &crate::base::schedule::Weekly,
) -> (f64, f64) {
    let mut cuts: Vec<u32> = vec![0, crate::base::time::MIN_PER_WEEK];
    cuts.extend(staffed.change_minutes());
    cuts.extend(on_call.change_minutes());
    cuts.sort_unstable();
    cuts.dedup();
    let (mut s, mut c) = (0.0, 0.0);
    for w in cuts.windows(2) {
        let len = f64::from(w[1] - w[0]);
        if staffed.level_at_minute(w[0]) > 0 {
            s += len;
        } else if on_call.level_at_minute(w[0]) > 0 {
            c += len;
        }
    }
    (s, c)
}

/// Run one replication.
pub fn run(
    scn: &Scenario,
    spec: &RunSpec,
    replication: u64,
) -> Result<ReplicationResult, SimError> {
    World::new(scn, spec, replication).run()
}

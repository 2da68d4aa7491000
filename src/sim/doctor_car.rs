//! Legevakt doctor cars (legevaktbil, the Moss model): a car with a doctor and a driver on a
//! schedule, based at a legevakt station. AMK offers it yellow missions (and, when the legevakt
//! is alerted, red events) in its legevaktsentral's district; it **declines** when it is busy
//! (or, without its own doctor, the station's doctor is busy), when the scene is beyond its
//! service area (maximum one-way drive), or — yellow missions only — by the doctor's judgement
//! (`accept_share`); the ambulance then goes alone (Meld. St. 23 (2024–2025) box 4.10).
//!
//! A car without its own doctor takes one of the station's doctors for the whole mission: the
//! station has one doctor fewer meanwhile, and while every doctor is out the station counts
//! hours without a doctor. After a yellow assessment the patient stays home, goes to hospital
//! by ambulance, or goes to the legevakt, by the car's outcome shares.

use super::Event;
use super::World;
use super::ambulance::MissionKind;
use super::patient::Stage;
use super::pool::{Job, Pools};
use super::result::{Detail, Outcome, PatientEvent, Role, TraceResource};
use crate::base::ids::{CarMissionId, DoctorCarId, IdVec, PatientId, PointId, PoolId, RedEventId};
use crate::base::rng::{Purpose, patient_rng, patient_uniform};
use crate::base::time::Dur;
use crate::input::scenario::Scenario;
use slab::Slab;

/// Whom a doctor-car mission is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CarFor {
    /// A yellow patient the car sees instead of an ambulance.
    Yellow(PatientId),
    /// A red event, alongside the ambulance.
    Red(RedEventId),
}

/// How an offer to a doctor car ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Offer {
    /// The car goes.
    Accepted,
    /// The car (or the station doctor it needs) is busy.
    Busy,
    /// The scene is beyond the car's service area.
    OutOfArea,
    /// The doctor judged it not useful (yellow only).
    Judgement,
}

/// A mission under way.
#[derive(Debug, Clone)]
struct CarMission {
    car: DoctorCarId,
    target: CarFor,
    point: PointId,
    seed: u64,
}

/// Each car's pool (capacity 1 in its hours), the station doctor pool it may take, and the
/// missions under way.
pub(crate) struct Cars {
    pools: IdVec<DoctorCarId, PoolId>,
    missions: Slab<CarMission>,
}

impl Cars {
    pub fn new(scn: &Scenario, pools: &mut Pools) -> Cars {
        Cars {
            pools: scn
                .doctor_cars
                .iter()
                .map(|c| pools.add(&c.hours, format!("{} doctor car", c.name), Role::DoctorCars))
                .collect(),
            missions: Slab::new(),
        }
    }

    /// The pool of each car.
    pub fn pools(&self) -> &IdVec<DoctorCarId, PoolId> {
        &self.pools
    }
}

impl World<'_> {
    /// Offer a mission at point `pt` to the doctor car of its zone's legevaktsentral district (the
    /// nearest on duty that takes this kind of mission). Returns whether a car goes; with no car
    /// on duty there is no offer.
    pub(super) fn offer_doctor_car(&mut self, target: CarFor, pt: PointId, seed: u64) -> bool {
        let scn = self.scn;
        if scn.doctor_cars.is_empty() {
            return false;
        }
        let lvs = scn.derived.zone_lvs[scn.points[pt].zone];
        let red = matches!(target, CarFor::Red(_));
        let mut best: Option<(f64, DoctorCarId)> = None;
        for (i, car) in scn.doctor_cars.iter_enumerated() {
            let st = &scn.stations[car.station];
            let on_duty = car.hours.level_at(self.now) > 0;
            let takes = if red { car.red_callouts } else { car.yellow };
            if !on_duty || !takes || st.lvs != lvs {
                continue;
            }
            let m = scn.point_site_min(pt, scn.station_site(car.station));
            if best.is_none_or(|(bm, bi)| m < bm || (m == bm && i < bi)) {
                best = Some((m, i));
            }
        }
        let Some((drive, i)) = best else { return false };
        let car = &scn.doctor_cars[i];
        let doctors = self.legevakt.doctor_pool(car.station);
        let offer = if drive > car.max_drive_min {
            Offer::OutOfArea
        } else if !self.pools.get(self.cars.pools[i]).free_now()
            || (!car.own_doctor && !self.pools.get(doctors).free_now())
        {
            Offer::Busy
        } else if !red && patient_uniform(seed, Purpose::DoctorCar) >= car.accept_share {
            Offer::Judgement
        } else {
            Offer::Accepted
        };
        self.score.car_offer(self.now, offer, car.station);
        if self.trace.is_some() {
            let res = TraceResource::Pool(self.cars.pools[i]);
            let (event, detail) = match offer {
                Offer::Accepted if red => (PatientEvent::DoctorCarDispatched, Detail::Red),
                Offer::Accepted => (PatientEvent::DoctorCarDispatched, Detail::Yellow),
                Offer::Busy => (PatientEvent::DoctorCarDeclined, Detail::Busy),
                Offer::OutOfArea => (PatientEvent::DoctorCarDeclined, Detail::OutOfArea),
                Offer::Judgement => (PatientEvent::DoctorCarDeclined, Detail::Judgement),
            };
            self.note_car(target, event, res, detail);
        }
        if offer != Offer::Accepted {
            return false;
        }
        let m = CarMissionId::new(self.cars.missions.insert(CarMission {
            car: i,
            target,
            point: pt,
            seed,
        }));
        if let CarFor::Red(r) = target {
            self.red_unit_sent(r);
        }
        let seq = self.next_seq();
        let prio = if red { 0 } else { 1 };
        if !car.own_doctor {
            self.request(doctors, prio, seq, Job::CarDoctor(m));
        }
        self.request(self.cars.pools[i], prio, seq, Job::DoctorCar(m));
        true
    }

    /// The station doctor joins the car (the offer checked that one is free): out of the station.
    pub(super) fn car_doctor_start(&mut self, m: CarMissionId) {
        let car = self.cars.missions[m.index()].car;
        let doctors = self.legevakt.doctor_pool(self.scn.doctor_cars[car].station);
        self.pools.get_mut(doctors).leave(self.now);
    }

    /// The car leaves for the scene.
    pub(super) fn car_start(&mut self, m: CarMissionId) {
        let cm = &self.cars.missions[m.index()];
        let st = self.scn.doctor_cars[cm.car].station;
        let d = self.scn.point_site_min(cm.point, self.scn.station_site(st));
        self.after(Dur::from_minutes(d), Event::CarArrive { m });
    }

    pub(super) fn car_arrive(&mut self, m: CarMissionId) {
        let cm = self.cars.missions[m.index()].clone();
        if self.trace.is_some() {
            let res = TraceResource::Pool(self.cars.pools[cm.car]);
            self.note_car(cm.target, PatientEvent::DoctorCarOnScene, res, Detail::None);
        }
        let car = &self.scn.doctor_cars[cm.car];
        let open = match cm.target {
            CarFor::Yellow(p) => {
                self.yellow_first_unit(p);
                true
            }
            CarFor::Red(r) => self.red_unit_arrived(r, true),
        };
        let minutes = if open {
            car.on_scene_min
                .sample(&mut patient_rng(cm.seed, Purpose::DoctorCar))
        } else {
            0.0
        };
        self.after(Dur::from_minutes(minutes), Event::CarEnd { m });
    }

    /// The car leaves the scene: the patient's outcome (yellow), and the drive back.
    pub(super) fn car_end(&mut self, m: CarMissionId) {
        let cm = self.cars.missions[m.index()].clone();
        let car = &self.scn.doctor_cars[cm.car];
        let back = self
            .scn
            .point_site_min(cm.point, self.scn.station_site(car.station));
        self.after(Dur::from_minutes(back), Event::CarBack { m });
        if self.trace.is_some() {
            let res = TraceResource::Pool(self.cars.pools[cm.car]);
            self.note_car(cm.target, PatientEvent::DoctorCarLeaves, res, Detail::None);
        }
        match cm.target {
            CarFor::Red(r) => self.red_unit_closed(r),
            CarFor::Yellow(p) => {
                self.score.car_assessment(self.now);
                let (home, hospital, _) = car.outcome;
                let x = self.u(p, Purpose::Assessment);
                if x < home {
                    self.complete(p, Outcome::TreatedOnScene);
                } else if x < home + hospital {
                    self.patients[p].stage = Stage::Ambulance;
                    let scene = self.scn.travel.point_place(cm.point);
                    self.request_ambulance(p, MissionKind::Transport, scene);
                } else {
                    let u = self.patients[p].urgency;
                    let c = self
                        .scn
                        .choose_site(cm.point, u, self.now, self.u(p, Purpose::Choice));
                    match c.site {
                        Some(s) => self.send_to_site(p, s),
                        // No legevakt open: the doctor has seen the patient; they stay home.
                        None => self.complete(p, Outcome::TreatedOnScene),
                    }
                }
            }
        }
    }

    /// The car is back at its station: free again (and so is the station doctor it took).
    pub(super) fn car_back(&mut self, m: CarMissionId) {
        let cm = self.cars.missions.remove(m.index());
        let car = &self.scn.doctor_cars[cm.car];
        self.release(self.cars.pools[cm.car]);
        if !car.own_doctor {
            let doctors = self.legevakt.doctor_pool(car.station);
            self.pools.get_mut(doctors).back(self.now);
            self.release(doctors);
        }
    }
}

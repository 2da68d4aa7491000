//! Ambulances: road, boat and air vehicles with shift schedules, dispatch and the mission state
//! machine.
//!
//! ```text
//!   Off ⇄ Available ─dispatch→ Activating → ToScene → OnScene ─conveyed→ ToHospital → AtHospital
//!                ▲                            ▲          │                              │ bay free
//!                │                            │          └─not conveyed─┐               ▼
//!                └──────── back at station ── Returning ◀──────────────┴────────── Handover
//!                              (re-dispatch from Returning goes straight to ToScene)
//! ```
//!
//! Every state change goes through [`VState::allowed`]; an illegal transition is a bug and
//! panics. Each phase ends with one `Vehicle` event carrying the vehicle's generation counter, so
//! a phase cut short (a returning ambulance re-dispatched) leaves a stale event that is ignored.
//!
//! Dispatch: the available vehicle (staffed or on call, at its station or returning) with the
//! shortest travel time to the scene; an air unit only for its urgencies, when the best ground
//! response (activation mean + travel) exceeds its threshold and the weather allows. Calls with no
//! vehicle wait in a queue by urgency, then arrival, and take the first eligible vehicle freed.

use super::Event;
use super::World;
use super::result::{AmbStationResult, Outcome, Transition};
use crate::base::ids::{HospitalId, IdVec, PatientId, PlaceId, VehicleId};
use crate::base::rng::{Purpose, patient_rng};
use crate::base::time::{Dur, MS_PER_HOUR, SimTime};
use crate::base::urgency::Urgency;
use crate::input::scenario::{Scenario, VehicleKind};
use crate::input::travel::Place;
use rand::RngExt;
use serde::Serialize;
use std::collections::BTreeSet;

/// Vehicle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum VState {
    /// Not on duty.
    Off,
    /// On duty at its station.
    Available,
    /// Crew notified, getting ready.
    Activating,
    /// Driving (or flying, sailing) to the scene.
    ToScene,
    /// At the scene.
    OnScene,
    /// Conveying the patient.
    ToHospital,
    /// At the hospital, waiting for an ED bay.
    AtHospital,
    /// Handing over the patient.
    Handover,
    /// On the way back to the station.
    Returning,
}

impl VState {
    /// The mission state machine: is `self → to` a legal transition?
    pub fn allowed(self, to: VState) -> bool {
        use VState::*;
        matches!(
            (self, to),
            (Off, Available)
                | (Available, Off)
                | (Available, Activating)
                | (Activating, ToScene)
                | (ToScene, OnScene)
                | (OnScene, ToHospital)
                | (OnScene, Returning)
                | (ToHospital, AtHospital)
                | (AtHospital, Handover)
                | (Handover, Returning)
                | (Returning, Available)
                | (Returning, Off)
                | (Returning, ToScene)
        )
    }

    /// Busy on a mission (not Off or Available).
    pub fn busy(self) -> bool {
        !matches!(self, VState::Off | VState::Available)
    }
}

/// What an ambulance mission is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MissionKind {
    /// 113 red or yellow: response time counts.
    Emergency,
    /// Green 113 call given a planned transport.
    Planned,
    /// Assessment at home instead of a legevakt home visit.
    Assessment,
    /// Transport of a patient already seen (legevakt referral, doctor car): always conveyed.
    Transport,
}

/// A movement: from place, to place, start, end (positions of returning vehicles are
/// interpolated along it).
#[derive(Debug, Clone, Copy)]
struct Move {
    from: PlaceId,
    to: PlaceId,
    t0: SimTime,
    t1: SimTime,
}

/// Mutable state of one vehicle.
#[derive(Debug, Clone)]
struct VehicleState {
    state: VState,
    generation: u32,
    patient: Option<PatientId>,
    on_duty: bool,
    on_call_now: bool,
    mv: Move,
    hospital: Option<HospitalId>,
    last: SimTime,
    busy_ms: f64,
    duty_ms: f64,
    missions: u64,
}

/// The fleet: every vehicle's state, the calls waiting for one, and the vehicles now driving
/// back to their station.
pub(crate) struct Fleet {
    veh: IdVec<VehicleId, VehicleState>,
    /// Calls waiting for an ambulance: (priority, sequence, patient), most urgent first.
    queue: BTreeSet<(u8, u64, PatientId)>,
    /// Vehicles now on their way back to their station (re-dispatchable, moving).
    returning: Vec<VehicleId>,
    any_air: bool,
    warmup: SimTime,
}

impl Fleet {
    pub fn new(scn: &Scenario) -> Fleet {
        Fleet {
            veh: IdVec::new(),
            queue: BTreeSet::new(),
            returning: Vec::new(),
            any_air: scn.vehicles.iter().any(|v| v.kind == VehicleKind::Air),
            warmup: SimTime::ZERO,
        }
    }

    /// Calls waiting for an ambulance now.
    pub fn waiting(&self) -> usize {
        self.queue.len()
    }
}

impl World<'_> {
    pub(super) fn init_vehicles(&mut self) {
        self.fleet.warmup = self.pools.warmup();
        for v in self.scn.vehicles.keys() {
            let h = self.scn.vehicle_home(v);
            let veh = &self.scn.vehicles[v];
            let on =
                veh.staffed.level_at(SimTime::ZERO) > 0 || veh.on_call.level_at(SimTime::ZERO) > 0;
            self.fleet.veh.push(VehicleState {
                state: if on { VState::Available } else { VState::Off },
                generation: 0,
                patient: None,
                on_duty: on,
                on_call_now: veh.staffed.level_at(SimTime::ZERO) == 0,
                mv: Move {
                    from: h,
                    to: h,
                    t0: SimTime::ZERO,
                    t1: SimTime::ZERO,
                },
                hospital: None,
                last: SimTime::ZERO,
                busy_ms: 0.0,
                duty_ms: 0.0,
                missions: 0,
            });
            self.schedule_vehicle_shift(v);
        }
    }

    fn schedule_vehicle_shift(&mut self, v: VehicleId) {
        let veh = &self.scn.vehicles[v];
        let next = [
            veh.staffed.next_change_after(self.now),
            veh.on_call.next_change_after(self.now),
        ]
        .into_iter()
        .flatten()
        .min();
        if let Some(t) = next {
            self.q.push(t, Event::VehicleShift { v });
        }
    }

    /// Integrate busy and duty time of a vehicle up to now (after warm-up).
    fn veh_observe(&mut self, v: VehicleId) {
        let from = self.fleet.veh[v].last.max(self.fleet.warmup);
        let now = self.now;
        let vs = &mut self.fleet.veh[v];
        vs.last = now;
        if now > from {
            let dt = (now.0 - from.0) as f64;
            // A crew finishing a mission after its shift has ended is still working: duty
            // time covers it, so busy ≤ duty always.
            if vs.on_duty || vs.state.busy() {
                vs.duty_ms += dt;
            }
            if vs.state.busy() {
                vs.busy_ms += dt;
            }
        }
    }

    /// Change a vehicle's state, enforcing the mission state machine.
    fn set_state(&mut self, v: VehicleId, to: VState) {
        let from = self.fleet.veh[v].state;
        assert!(
            from.allowed(to),
            "vehicle {v}: illegal transition {from:?} → {to:?} at {} min",
            self.now.minutes()
        );
        self.veh_observe(v);
        if from == VState::Returning
            && let Some(i) = self.fleet.returning.iter().position(|&x| x == v)
        {
            self.fleet.returning.swap_remove(i);
        }
        if to == VState::Returning {
            self.fleet.returning.push(v);
        }
        let vs = &mut self.fleet.veh[v];
        vs.state = to;
        vs.generation = vs.generation.wrapping_add(1);
        if let Some(tr) = &mut self.trace {
            tr.transitions.push(Transition {
                vehicle: v,
                t_min: self.now.minutes(),
                from,
                to,
            });
        }
    }

    /// Schedule the end of the current phase.
    fn phase_end(&mut self, v: VehicleId, d: Dur) {
        let generation = self.fleet.veh[v].generation;
        self.after(d, Event::Vehicle { v, generation });
    }

    /// Start a movement of `minutes` and schedule its end.
    fn move_to(&mut self, v: VehicleId, state: VState, from: PlaceId, to: PlaceId, minutes: f64) {
        self.set_state(v, state);
        let d = Dur::from_minutes(minutes);
        self.fleet.veh[v].mv = Move {
            from,
            to,
            t0: self.now,
            t1: self.now + d,
        };
        self.phase_end(v, d);
    }

    pub(super) fn vehicle_shift(&mut self, v: VehicleId) {
        let veh = &self.scn.vehicles[v];
        let on = veh.staffed.level_at(self.now) > 0 || veh.on_call.level_at(self.now) > 0;
        let on_call = veh.staffed.level_at(self.now) == 0;
        self.veh_observe(v);
        self.fleet.veh[v].on_duty = on;
        self.fleet.veh[v].on_call_now = on_call;
        match (self.fleet.veh[v].state, on) {
            (VState::Off, true) => {
                self.set_state(v, VState::Available);
                self.serve_queue(v);
            }
            (VState::Available, false) => self.set_state(v, VState::Off),
            _ => {} // busy vehicles finish their mission; going off happens back at the station
        }
        self.schedule_vehicle_shift(v);
    }

    /// Travel time from where vehicle `v` is now to `scene` [min] (interpolated while returning).
    fn time_to(&self, v: VehicleId, scene: PlaceId) -> f64 {
        let vs = &self.fleet.veh[v];
        match vs.state {
            VState::Returning => {
                let Move { from, to, t0, t1 } = vs.mv;
                let span = (t1.0 - t0.0).max(1) as f64;
                let f = ((self.now.0 - t0.0) as f64 / span).clamp(0.0, 1.0);
                (1.0 - f) * self.scn.vehicle_travel_min(v, from, scene)
                    + f * self.scn.vehicle_travel_min(v, to, scene)
            }
            _ => self
                .scn
                .vehicle_travel_min(v, self.scn.vehicle_home(v), scene),
        }
    }

    fn dispatchable(&self, v: VehicleId) -> bool {
        let vs = &self.fleet.veh[v];
        vs.on_duty
            && (vs.state == VState::Available
                || (vs.state == VState::Returning
                    && self.scn.ambulance.as_ref().is_some_and(|a| a.redispatch)))
    }

    fn can_reach(&self, v: VehicleId, scene: PlaceId, u: Urgency) -> bool {
        let veh = &self.scn.vehicles[v];
        if !veh.urgencies[u] {
            return false;
        }
        match (&veh.zones, self.scn.travel.place(scene)) {
            (None, _) => true,
            (Some(mask), Place::Zone(z)) => mask[z],
            (Some(_), Place::Facility(_)) => false,
        }
    }

    /// Mean activation of a vehicle for an urgency [min] (for the air rule).
    fn activation_mean(&self, v: VehicleId, u: Urgency) -> f64 {
        let veh = &self.scn.vehicles[v];
        match (&veh.activation_min, &self.scn.ambulance) {
            (Some(d), _) => d.mean(),
            (None, Some(a)) => a.activation_min[u].mean(),
            (None, None) => 0.0,
        }
    }

    /// Ask for an ambulance for patient `p` at place `scene`.
    pub(super) fn request_ambulance(&mut self, p: PatientId, kind: MissionKind, scene: PlaceId) {
        let now = self.now;
        let u = {
            let pat = &mut self.patients[p];
            pat.mission = kind;
            pat.scene = scene;
            pat.t_wait = now;
            pat.urgency
        };
        if let Some(v) = self.pick_vehicle(scene, u) {
            self.dispatch(v, p);
        } else {
            let seq = self.next_seq();
            self.fleet.queue.insert((u.priority(), seq, p));
        }
    }

    /// The best vehicle for a scene now, if any. Vehicles at their station are searched in the
    /// scene's precomputed order of drive time from their stations (the first dispatchable one
    /// is the nearest of them); vehicles on their way back, whose position moves, are few and
    /// are checked one by one.
    fn pick_vehicle(&mut self, scene: PlaceId, u: Urgency) -> Option<VehicleId> {
        // best[0]: nearest ground (road or boat) vehicle, best[1]: nearest air unit.
        let mut best: [Option<(f64, VehicleId)>; 2] = [None, None];
        let scn = self.scn;
        let is_air = |v: VehicleId| usize::from(scn.vehicles[v].kind == VehicleKind::Air);
        let mut consider = |v: VehicleId, t: f64| {
            let slot = &mut best[is_air(v)];
            if slot.is_none_or(|(bt, bv)| t < bt || (t == bt && v < bv)) {
                *slot = Some((t, v));
            }
        };
        let mut found = [false, false];
        for &v in &scn.derived.place_vehicles[scene] {
            if self.fleet.veh[v].state == VState::Available
                && self.dispatchable(v)
                && self.can_reach(v, scene, u)
            {
                consider(v, scn.vehicle_travel_min(v, scn.vehicle_home(v), scene));
                found[is_air(v)] = true;
                // The list is sorted by this time: nothing later in it can beat a found one of
                // the same kind; stop once both kinds are found (or there is no air unit).
                if found[0] && (found[1] || !self.fleet.any_air) {
                    break;
                }
            }
        }
        for i in 0..self.fleet.returning.len() {
            let v = self.fleet.returning[i];
            if self.dispatchable(v) && self.can_reach(v, scene, u) {
                consider(v, self.time_to(v, scene));
            }
        }
        let [best_ground, best_air] = best;
        let ground_response = best_ground
            .map(|(t, v)| {
                let act = if self.fleet.veh[v].state == VState::Returning {
                    0.0
                } else {
                    self.activation_mean(v, u)
                };
                t + act
            })
            .unwrap_or(f64::INFINITY);
        if let Some((_, a)) = best_air {
            let veh = &self.scn.vehicles[a];
            if ground_response > veh.min_road_response_min
                && (veh.availability >= 1.0 || self.system_rng.random::<f64>() < veh.availability)
            {
                let air_resp = self.activation_mean(a, u) + self.time_to(a, scene);
                if air_resp < ground_response {
                    return Some(a);
                }
            }
        }
        best_ground.map(|(_, v)| v)
    }

    /// A vehicle became free (at its station or on its way back): take the most urgent waiting
    /// call it can serve.
    fn serve_queue(&mut self, v: VehicleId) {
        if !self.dispatchable(v) {
            return;
        }
        // Most urgent first, then longest waiting: the first the vehicle can serve.
        let found = self
            .fleet
            .queue
            .iter()
            .find(|&&(_, _, p)| {
                let pat = &self.patients[p];
                self.can_reach(v, pat.scene, pat.urgency)
            })
            .copied();
        if let Some(key) = found {
            self.fleet.queue.remove(&key);
            self.dispatch(v, key.2);
        }
    }

    fn dispatch(&mut self, v: VehicleId, p: PatientId) {
        let u = self.patients[p].urgency;
        self.patients[p].vehicle = Some(v);
        self.fleet.veh[v].patient = Some(p);
        if self.now >= self.fleet.warmup {
            self.fleet.veh[v].missions += 1;
        }
        self.score.mission(self.now);
        if self.fleet.veh[v].state == VState::Returning {
            // Crew already active: straight to the scene from where it is.
            let t = self.time_to(v, self.patients[p].scene);
            let from = self.fleet.veh[v].mv.from; // approximate position: the leg being driven
            let scene = self.patients[p].scene;
            self.move_to(v, VState::ToScene, from, scene, t);
        } else {
            let seed = self.patients[p].seed;
            let mut rng = patient_rng(seed, Purpose::Ambulance);
            let veh = &self.scn.vehicles[v];
            let amb = self
                .scn
                .ambulance
                .as_ref()
                .expect("vehicles imply [ambulance]");
            let mut act = match &veh.activation_min {
                Some(d) => d.sample(&mut rng),
                None => amb.activation_min[u].sample(&mut rng),
            };
            if self.fleet.veh[v].on_call_now {
                act += amb.on_call_extra_min.sample(&mut rng);
            }
            self.set_state(v, VState::Activating);
            self.phase_end(v, Dur::from_minutes(act));
        }
    }

    /// The current phase of vehicle `v` ends.
    pub(super) fn vehicle_event(&mut self, v: VehicleId, generation: u32) {
        if self.fleet.veh[v].generation != generation {
            return; // stale: the phase was cut short by a re-dispatch
        }
        let p = self.fleet.veh[v].patient;
        match self.fleet.veh[v].state {
            VState::Activating => {
                let p = p.expect("an activating vehicle has a patient");
                let scene = self.patients[p].scene;
                let home = self.scn.vehicle_home(v);
                let t = self.scn.vehicle_travel_min(v, home, scene);
                self.move_to(v, VState::ToScene, home, scene, t);
            }
            VState::ToScene => self.arrive_on_scene(v, p.expect("driving to a patient")),
            VState::OnScene => self.leave_scene(v, p.expect("on scene with a patient")),
            VState::ToHospital => {
                let p = p.expect("conveying a patient");
                self.set_state(v, VState::AtHospital);
                let h = self.fleet.veh[v].hospital.expect("conveying to a hospital");
                self.patients[p].t_wait = self.now;
                self.patients[p].by_ambulance_now = true;
                self.request_ed(p, h);
            }
            VState::Handover => {
                let h = self.fleet.veh[v]
                    .hospital
                    .expect("handing over at a hospital");
                self.start_return(v, self.scn.hospital_place(h));
            }
            VState::Returning => {
                if self.fleet.veh[v].on_duty {
                    self.set_state(v, VState::Available);
                    self.serve_queue(v);
                } else {
                    self.set_state(v, VState::Off);
                }
            }
            s @ (VState::Off | VState::Available | VState::AtHospital) => {
                panic!("vehicle {v}: no phase ends in state {s:?}")
            }
        }
    }

    fn arrive_on_scene(&mut self, v: VehicleId, p: PatientId) {
        self.set_state(v, VState::OnScene);
        let (kind, u, seed) = {
            let pat = &self.patients[p];
            (pat.mission, pat.urgency, pat.seed)
        };
        if kind == MissionKind::Emergency && u == Urgency::Red {
            self.record_red_response(p);
        }
        let amb = self
            .scn
            .ambulance
            .as_ref()
            .expect("vehicles imply [ambulance]");
        let conveyed = match kind {
            MissionKind::Transport => true,
            _ => patient_rng(seed, Purpose::Conveyance).random::<f64>() < amb.conveyance[u],
        };
        self.patients[p].conveyed = conveyed;
        let mut rng = patient_rng(seed, Purpose::OnScene);
        let m = match (&self.scn.vehicles[v].on_scene_min, conveyed) {
            (Some(d), _) => d.sample(&mut rng),
            (None, true) => amb.on_scene_conveyed_min.sample(&mut rng),
            (None, false) => amb.on_scene_not_conveyed_min.sample(&mut rng),
        };
        self.phase_end(v, Dur::from_minutes(m));
    }

    fn leave_scene(&mut self, v: VehicleId, p: PatientId) {
        let scene = self.patients[p].scene;
        if let Some(r) = self.patients[p].red {
            self.red_scene_cleared(r);
        }
        if self.patients[p].conveyed {
            // Nearest hospital from the scene for this vehicle (precomputed for road vehicles).
            let best = if self.scn.vehicles[v].kind == VehicleKind::Road {
                let h = self.scn.derived.place_hospital[scene].expect("vehicles imply a hospital");
                (
                    self.scn
                        .vehicle_travel_min(v, scene, self.scn.hospital_place(h)),
                    h,
                )
            } else {
                let mut best: Option<(f64, HospitalId)> = None;
                for h in self.scn.hospitals.keys() {
                    let t = self
                        .scn
                        .vehicle_travel_min(v, scene, self.scn.hospital_place(h));
                    if best.is_none_or(|b| t < b.0) {
                        best = Some((t, h));
                    }
                }
                best.expect("vehicles imply a hospital")
            };
            self.fleet.veh[v].hospital = Some(best.1);
            self.patients[p].hospital = Some(best.1);
            self.move_to(
                v,
                VState::ToHospital,
                scene,
                self.scn.hospital_place(best.1),
                best.0,
            );
        } else {
            self.fleet.veh[v].patient = None;
            self.start_return(v, scene);
            self.complete(p, Outcome::TreatedOnScene);
        }
    }

    /// The ED has taken over a patient brought by vehicle `v`: handover, then return.
    pub(super) fn ambulance_handover(&mut self, v: VehicleId, p: PatientId) {
        let now = self.now;
        let arrived = self.patients[p].t_wait;
        self.score.handover_delay(now, now - arrived);
        let (u, seed) = {
            let pat = &self.patients[p];
            (pat.urgency, pat.seed)
        };
        let amb = self
            .scn
            .ambulance
            .as_ref()
            .expect("vehicles imply [ambulance]");
        let m = amb.handover_min[u].sample(&mut patient_rng(seed, Purpose::Handover));
        self.fleet.veh[v].patient = None;
        self.set_state(v, VState::Handover);
        self.phase_end(v, Dur::from_minutes(m));
    }

    fn start_return(&mut self, v: VehicleId, from: PlaceId) {
        let home = self.scn.vehicle_home(v);
        let t = self.scn.vehicle_travel_min(v, from, home);
        self.move_to(v, VState::Returning, from, home, t);
        self.serve_queue(v);
    }

    /// Close the vehicles' books at the end of the run.
    pub(super) fn finish_vehicles(&mut self) {
        for v in self.scn.vehicles.keys() {
            self.veh_observe(v);
        }
    }

    /// (busy, duty) vehicle time of the whole fleet [ms].
    pub(super) fn vehicle_time(&self) -> (f64, f64) {
        self.fleet
            .veh
            .iter()
            .fold((0.0, 0.0), |(b, d), v| (b + v.busy_ms, d + v.duty_ms))
    }

    /// Per-station ambulance figures.
    pub(super) fn amb_station_results(&self) -> Vec<AmbStationResult> {
        let h = MS_PER_HOUR as f64;
        let mut out: Vec<AmbStationResult> = self
            .scn
            .amb_stations
            .iter_enumerated()
            .map(|(i, st)| AmbStationResult {
                station: i,
                name: st.name.clone(),
                vehicles: 0,
                missions: 0,
                busy_h: 0.0,
                duty_h: 0.0,
            })
            .collect();
        for (v, veh) in self.scn.vehicles.iter_enumerated() {
            let r = &mut out[veh.station.index()];
            r.vehicles += 1;
            r.missions += self.fleet.veh[v].missions;
            r.busy_h += self.fleet.veh[v].busy_ms / h;
            r.duty_h += self.fleet.veh[v].duty_ms / h;
        }
        out
    }
}

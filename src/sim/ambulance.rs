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

use super::{Event, Outcome, World};
use crate::rng::{Purpose, patient_rng};
use crate::scenario::{Urgency, VehicleKind};
use crate::time::{Dur, SimTime};
use rand::RngExt;
use serde::Serialize;

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

/// Mutable state of one vehicle.
#[derive(Debug, Clone)]
pub(crate) struct VehicleState {
    pub state: VState,
    pub generation: u32,
    pub patient: u32,
    pub on_duty: bool,
    pub on_call_now: bool,
    /// Current or last movement, for positions while returning: (from place, to place, start, end).
    pub mv: (u32, u32, SimTime, SimTime),
    pub hospital: u32,
    pub last: SimTime,
    pub busy_ms: f64,
    pub duty_ms: f64,
    pub missions: u64,
}

/// One vehicle state change, for traces and tests.
#[derive(Debug, Clone, Serialize)]
pub struct Transition {
    /// Vehicle index.
    pub vehicle: u32,
    /// Time [min since start].
    pub t_min: f64,
    /// From.
    pub from: VState,
    /// To.
    pub to: VState,
}

impl World<'_> {
    pub(crate) fn init_vehicles(&mut self) {
        let home = |w: &World, v: usize| {
            let st = w.scn.vehicles[v].station;
            w.scn.zones.len() as u32 + w.scn.amb_stations[st].facility as u32
        };
        for v in 0..self.scn.vehicles.len() {
            let h = home(self, v);
            let veh = &self.scn.vehicles[v];
            let on =
                veh.staffed.level_at(SimTime::ZERO) > 0 || veh.on_call.level_at(SimTime::ZERO) > 0;
            self.veh.push(VehicleState {
                state: if on { VState::Available } else { VState::Off },
                generation: 0,
                patient: u32::MAX,
                on_duty: on,
                on_call_now: veh.staffed.level_at(SimTime::ZERO) == 0,
                mv: (h, h, SimTime::ZERO, SimTime::ZERO),
                hospital: 0,
                last: SimTime::ZERO,
                busy_ms: 0.0,
                duty_ms: 0.0,
                missions: 0,
            });
            self.schedule_vehicle_shift(v as u32);
        }
    }

    fn schedule_vehicle_shift(&mut self, v: u32) {
        let veh = &self.scn.vehicles[v as usize];
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
    fn veh_observe(&mut self, v: usize) {
        let from = self.veh[v].last.max(self.warmup);
        let now = self.now;
        let vs = &mut self.veh[v];
        vs.last = now;
        if now > from {
            let dt = (now.0 - from.0) as f64;
            if vs.on_duty {
                vs.duty_ms += dt;
            }
            if vs.state.busy() {
                vs.busy_ms += dt;
            }
        }
    }

    /// Change a vehicle's state, enforcing the mission state machine.
    fn set_state(&mut self, v: usize, to: VState) {
        let from = self.veh[v].state;
        assert!(
            from.allowed(to),
            "vehicle {v}: illegal transition {from:?} → {to:?} at {} min",
            self.now.minutes()
        );
        self.veh_observe(v);
        if from == VState::Returning
            && let Some(i) = self.returning.iter().position(|&x| x == v as u32)
        {
            self.returning.swap_remove(i);
        }
        if to == VState::Returning {
            self.returning.push(v as u32);
        }
        self.veh[v].state = to;
        self.veh[v].generation = self.veh[v].generation.wrapping_add(1);
        if let Some(tr) = &mut self.trace {
            tr.transitions.push(Transition {
                vehicle: v as u32,
                t_min: self.now.minutes(),
                from,
                to,
            });
        }
    }

    /// Schedule the end of the current phase.
    fn phase_end(&mut self, v: usize, d: Dur) {
        let generation = self.veh[v].generation;
        self.after(
            d,
            Event::Vehicle {
                v: v as u32,
                generation,
            },
        );
    }

    pub(crate) fn vehicle_shift(&mut self, v: u32) {
        let vi = v as usize;
        let veh = &self.scn.vehicles[vi];
        let on = veh.staffed.level_at(self.now) > 0 || veh.on_call.level_at(self.now) > 0;
        let on_call = veh.staffed.level_at(self.now) == 0;
        self.veh_observe(vi);
        self.veh[vi].on_duty = on;
        self.veh[vi].on_call_now = on_call;
        match (self.veh[vi].state, on) {
            (VState::Off, true) => {
                self.set_state(vi, VState::Available);
                self.serve_queue(vi);
            }
            (VState::Available, false) => self.set_state(vi, VState::Off),
            _ => {} // busy vehicles finish their mission; going off happens back at the station
        }
        self.schedule_vehicle_shift(v);
    }

    fn home_place(&self, v: usize) -> u32 {
        let st = self.scn.vehicles[v].station;
        (self.scn.zones.len() + self.scn.amb_stations[st].facility) as u32
    }

    /// Travel time of vehicle `v` between two places [min].
    #[inline]
    pub(crate) fn veh_travel_min(&self, v: usize, a: u32, b: u32) -> f64 {
        self.scn.vehicle_travel_min(v, a, b)
    }

    /// Road travel between two places [min].
    #[inline]
    pub(crate) fn road_min(&self, a: u32, b: u32) -> f64 {
        self.scn.road_min(a, b)
    }

    /// Travel time from where vehicle `v` is now to `scene` [min] (interpolated while returning).
    fn time_to(&self, v: usize, scene: u32) -> f64 {
        let vs = &self.veh[v];
        match vs.state {
            VState::Returning => {
                let (from, to, t0, t1) = vs.mv;
                let span = (t1.0 - t0.0).max(1) as f64;
                let f = ((self.now.0 - t0.0) as f64 / span).clamp(0.0, 1.0);
                (1.0 - f) * self.veh_travel_min(v, from, scene)
                    + f * self.veh_travel_min(v, to, scene)
            }
            _ => self.veh_travel_min(v, self.home_place(v), scene),
        }
    }

    fn dispatchable(&self, v: usize) -> bool {
        let vs = &self.veh[v];
        vs.on_duty
            && (vs.state == VState::Available
                || (vs.state == VState::Returning
                    && self.scn.ambulance.as_ref().is_some_and(|a| a.redispatch)))
    }

    fn can_reach(&self, v: usize, scene: u32, u: Urgency) -> bool {
        let veh = &self.scn.vehicles[v];
        if !veh.urgencies[u.idx()] {
            return false;
        }
        match &veh.zones {
            None => true,
            Some(mask) => (scene as usize) < mask.len() && mask[scene as usize],
        }
    }

    /// Mean activation of a vehicle for an urgency [min] (for the air rule).
    fn activation_mean(&self, v: usize, u: Urgency) -> f64 {
        let veh = &self.scn.vehicles[v];
        match (&veh.activation_min, &self.scn.ambulance) {
            (Some(d), _) => d.mean(),
            (None, Some(a)) => a.activation_min[u.idx()].mean(),
            (None, None) => 0.0,
        }
    }

    /// Ask for an ambulance for patient `p` at place `scene`.
    pub(crate) fn request_ambulance(&mut self, p: u32, kind: MissionKind, scene: u32) {
        let now = self.now;
        let u = {
            let pat = &mut self.patients[p as usize];
            pat.mission = kind;
            pat.scene = scene;
            pat.t_wait = now;
            pat.urgency
        };
        if let Some(v) = self.pick_vehicle(scene, u) {
            self.dispatch(v, p);
        } else {
            let seq = self.next_seq();
            self.amb_queue.insert((u as u8, seq, p));
        }
    }

    /// The best vehicle for a scene now, if any. Vehicles at their station are searched in the
    /// scene's precomputed order of drive time from their stations (the first dispatchable one
    /// is the nearest of them); vehicles on their way back, whose position moves, are few and
    /// are checked one by one.
    fn pick_vehicle(&mut self, scene: u32, u: Urgency) -> Option<usize> {
        // best[0]: nearest ground (road or boat) vehicle, best[1]: nearest air unit.
        let mut best: [Option<(f64, usize)>; 2] = [None, None];
        let scn = self.scn;
        let mut consider = |v: usize, t: f64| {
            let slot = &mut best[usize::from(scn.vehicles[v].kind == VehicleKind::Air)];
            if slot.is_none_or(|(bt, bv)| t < bt || (t == bt && v < bv)) {
                *slot = Some((t, v));
            }
        };
        let mut found = [false, false];
        for &v in &scn.place_vehicles[scene as usize] {
            let v = v as usize;
            if self.veh[v].state == VState::Available
                && self.dispatchable(v)
                && self.can_reach(v, scene, u)
            {
                consider(v, self.veh_travel_min(v, self.home_place(v), scene));
                found[usize::from(scn.vehicles[v].kind == VehicleKind::Air)] = true;
                // The list is sorted by this time: nothing later in it can beat a found one of
                // the same kind; stop once both kinds are found (or there is no air unit).
                if found[0] && (found[1] || !self.any_air) {
                    break;
                }
            }
        }
        for i in 0..self.returning.len() {
            let v = self.returning[i] as usize;
            if self.dispatchable(v) && self.can_reach(v, scene, u) {
                consider(v, self.time_to(v, scene));
            }
        }
        let [best_ground, best_air] = best;
        let ground_response = best_ground
            .map(|(t, v)| {
                let act = if self.veh[v].state == VState::Returning {
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
    fn serve_queue(&mut self, v: usize) {
        if !self.dispatchable(v) {
            return;
        }
        // Most urgent first, then longest waiting: the first the vehicle can serve.
        let found = self
            .amb_queue
            .iter()
            .find(|&&(_, _, p)| {
                let pat = &self.patients[p as usize];
                self.can_reach(v, pat.scene, pat.urgency)
            })
            .copied();
        if let Some(key) = found {
            self.amb_queue.remove(&key);
            self.dispatch(v, key.2);
        }
    }

    fn dispatch(&mut self, v: usize, p: u32) {
        let measuring = self.measuring();
        let u = self.patients[p as usize].urgency;
        self.patients[p as usize].vehicle = v as u32;
        self.veh[v].patient = p;
        if measuring {
            self.veh[v].missions += 1;
            self.acc.missions += 1;
        }
        if self.veh[v].state == VState::Returning {
            // Crew already active: straight to the scene from where it is.
            let t = self.time_to(v, self.patients[p as usize].scene);
            let from = self.veh[v].mv.0; // approximate position: the leg being driven
            self.set_state(v, VState::ToScene);
            let scene = self.patients[p as usize].scene;
            self.veh[v].mv = (from, scene, self.now, self.now + Dur::from_minutes(t));
            self.phase_end(v, Dur::from_minutes(t));
        } else {
            let seed = self.patients[p as usize].seed;
            let mut rng = patient_rng(seed, Purpose::Ambulance);
            let veh = &self.scn.vehicles[v];
            let amb = self
                .scn
                .ambulance
                .as_ref()
                .expect("vehicles imply [ambulance]");
            let mut act = match &veh.activation_min {
                Some(d) => d.sample(&mut rng),
                None => amb.activation_min[u.idx()].sample(&mut rng),
            };
            if self.veh[v].on_call_now {
                act += amb.on_call_extra_min.sample(&mut rng);
            }
            self.set_state(v, VState::Activating);
            self.phase_end(v, Dur::from_minutes(act));
        }
    }

    /// The current phase of vehicle `v` ends.
    pub(crate) fn vehicle_event(&mut self, v: u32, generation: u32) {
        let vi = v as usize;
        if self.veh[vi].generation != generation {
            return; // stale: the phase was cut short by a re-dispatch
        }
        let p = self.veh[vi].patient;
        match self.veh[vi].state {
            VState::Activating => {
                let scene = self.patients[p as usize].scene;
                let t = self.veh_travel_min(vi, self.home_place(vi), scene);
                self.set_state(vi, VState::ToScene);
                self.veh[vi].mv = (
                    self.home_place(vi),
                    scene,
                    self.now,
                    self.now + Dur::from_minutes(t),
                );
                self.phase_end(vi, Dur::from_minutes(t));
            }
            VState::ToScene => self.arrive_on_scene(vi, p),
            VState::OnScene => self.leave_scene(vi, p),
            VState::ToHospital => {
                self.set_state(vi, VState::AtHospital);
                let h = self.veh[vi].hospital;
                self.patients[p as usize].t_wait = self.now;
                self.patients[p as usize].by_ambulance_now = true;
                self.request_ed(p, h);
            }
            VState::Handover => {
                let h = self.veh[vi].hospital;
                let from = (self.scn.zones.len() + self.scn.hospitals[h as usize].facility) as u32;
                self.start_return(vi, from);
            }
            VState::Returning => {
                if self.veh[vi].on_duty {
                    self.set_state(vi, VState::Available);
                    self.serve_queue(vi);
                } else {
                    self.set_state(vi, VState::Off);
                }
            }
            s @ (VState::Off | VState::Available | VState::AtHospital) => {
                panic!("vehicle {v}: no phase ends in state {s:?}")
            }
        }
    }

    fn arrive_on_scene(&mut self, v: usize, p: u32) {
        self.set_state(v, VState::OnScene);
        let now = self.now;
        let measuring = self.measuring();
        let (kind, u, seed) = {
            let pat = &self.patients[p as usize];
            (pat.mission, pat.urgency, pat.seed)
        };
        if kind == MissionKind::Emergency && u == Urgency::Red {
            self.record_red_response(p, now, measuring);
        }
        let conveyed = match kind {
            MissionKind::Transport => true,
            _ => {
                let amb = self
                    .scn
                    .ambulance
                    .as_ref()
                    .expect("vehicles imply [ambulance]");
                patient_rng(seed, Purpose::Conveyance).random::<f64>() < amb.conveyance[u.idx()]
            }
        };
        self.patients[p as usize].conveyed = conveyed;
        let amb = self
            .scn
            .ambulance
            .as_ref()
            .expect("vehicles imply [ambulance]");
        let mut rng = patient_rng(seed, Purpose::OnScene);
        let m = match (&self.scn.vehicles[v].on_scene_min, conveyed) {
            (Some(d), _) => d.sample(&mut rng),
            (None, true) => amb.on_scene_conveyed_min.sample(&mut rng),
            (None, false) => amb.on_scene_not_conveyed_min.sample(&mut rng),
        };
        self.phase_end(v, Dur::from_minutes(m));
    }

    fn leave_scene(&mut self, v: usize, p: u32) {
        let scene = self.patients[p as usize].scene;
        if let Some(r) = self.patients[p as usize].red_event() {
            self.red_scene_cleared(r);
        }
        if self.patients[p as usize].conveyed {
            // Nearest hospital from the scene for this vehicle (precomputed for road vehicles).
            let mut best = (f64::INFINITY, 0usize);
            if self.scn.vehicles[v].kind == VehicleKind::Road {
                let h = self.scn.place_hospital[scene as usize] as usize;
                let place = (self.scn.zones.len() + self.scn.hospitals[h].facility) as u32;
                best = (self.veh_travel_min(v, scene, place), h);
            } else {
                for (h, hosp) in self.scn.hospitals.iter().enumerate() {
                    let place = (self.scn.zones.len() + hosp.facility) as u32;
                    let t = self.veh_travel_min(v, scene, place);
                    if t < best.0 {
                        best = (t, h);
                    }
                }
            }
            let place = (self.scn.zones.len() + self.scn.hospitals[best.1].facility) as u32;
            self.veh[v].hospital = best.1 as u32;
            self.patients[p as usize].hospital = best.1 as u32;
            self.set_state(v, VState::ToHospital);
            self.veh[v].mv = (scene, place, self.now, self.now + Dur::from_minutes(best.0));
            self.phase_end(v, Dur::from_minutes(best.0));
        } else {
            self.veh[v].patient = u32::MAX;
            self.start_return(v, scene);
            self.complete(p, Outcome::TreatedOnScene);
        }
    }

    /// The ED has taken over a patient brought by vehicle `v`: handover, then return.
    pub(crate) fn ambulance_handover(&mut self, v: usize, p: u32) {
        let now = self.now;
        let arrived = self.patients[p as usize].t_wait;
        if self.measuring() {
            self.acc.handover_delay.record((now - arrived).0);
        }
        let (u, seed) = {
            let pat = &self.patients[p as usize];
            (pat.urgency, pat.seed)
        };
        let amb = self
            .scn
            .ambulance
            .as_ref()
            .expect("vehicles imply [ambulance]");
        let mut rng = patient_rng(seed, Purpose::Handover);
        let m = amb.handover_min[u.idx()].sample(&mut rng);
        self.veh[v].patient = u32::MAX;
        self.set_state(v, VState::Handover);
        self.phase_end(v, Dur::from_minutes(m));
    }

    fn start_return(&mut self, v: usize, from: u32) {
        let home = self.home_place(v);
        let t = self.veh_travel_min(v, from, home);
        self.set_state(v, VState::Returning);
        self.veh[v].mv = (from, home, self.now, self.now + Dur::from_minutes(t));
        self.phase_end(v, Dur::from_minutes(t));
        self.serve_queue(v);
    }

    /// Close the vehicles' books at the end of the run.
    pub(crate) fn finish_vehicles(&mut self) {
        for v in 0..self.veh.len() {
            self.veh_observe(v);
        }
    }
}

//! Ambulances: road, boat and air vehicles with shift schedules, dispatch and the mission state
//! machine.
//!
//! ```text
//!   Off ⇄ Available ─dispatch→ Activating → ToScene → OnScene ─conveyed→ Conveying ─hospital→ AtEdDoor
//!                ▲                            ▲  ⟲       │                   │ legevakt        │ bay free
//!                │                            │ diverted └─not conveyed─┐    ▼                 ▼
//!                └──────── back at station ── Returning ◀──────────────┴─ Handover ◀───────────┘
//!                              (re-dispatch from Returning goes straight to ToScene)
//! ```
//!
//! Every state change goes through [`VState::allowed`]; an illegal transition is a bug and
//! panics. Each phase ends with one `Vehicle` event carrying the vehicle's generation counter, so
//! a phase cut short (a returning ambulance re-dispatched, a car diverted) leaves a stale event
//! that is ignored.
//!
//! Dispatch: the available vehicle (staffed or on call, at its station or returning) with the
//! shortest travel time to the scene. Calls with no vehicle wait in a queue by urgency, then
//! arrival, and take the first eligible vehicle freed. Options (each a switch, off by default):
//!
//! * **Air in parallel** — for a red 113 call the nearest ground unit (road or boat) always goes;
//!   an air unit that takes red calls goes *as well* when the best ground response (activation
//!   mean + travel) exceeds its threshold, the weather allows and it would be there first. It
//!   assists on scene and flies back; the ground unit conveys. Only when no ground unit could
//!   ever reach the scene does the air unit take the mission itself. For other urgencies an air
//!   unit that takes them replaces the ground unit when it is faster.
//! * **Reserve** (`reserve_last_for_red` per station) — a station's last vehicle at the station
//!   takes red calls only.
//! * **Divert for red** (`divert_for_red`) — a red call with no vehicle free takes one that is
//!   activating for, or driving to, a planned or green mission; that mission waits again in its
//!   old place in the queue.
//!
//! `red_response_*` KPIs count road and boat ambulances only; the first unit of any kind is
//! scored by AMK's red-event record.

use super::Event;
use super::World;
use super::result::{
    AmbStationResult, Detail, Outcome, PatientEvent, TracePlace, TraceResource, Transition,
};
use crate::base::ids::{
    AmbStationId, HospitalId, IdVec, PatientId, PlaceId, RedEventId, SiteId, VehicleId,
};
use crate::base::rng::{Purpose, patient_rng};
use crate::base::time::{Dur, MS_PER_HOUR, SimTime};
use crate::base::urgency::{PerUrgency, Urgency};
use crate::input::scenario::{Scenario, VehicleKind};
use crate::input::travel::{Place, meridian_km, time_lower_bound};
use rand::RngExt;
use serde::Serialize;
use std::collections::BTreeSet;

/// Vehicle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
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
    /// Conveying the patient (to a hospital or a legevakt).
    Conveying,
    /// At the hospital, waiting for an ED bay.
    AtEdDoor,
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
                | (ToScene, ToScene)
                | (OnScene, Conveying)
                | (OnScene, Returning)
                | (Conveying, AtEdDoor)
                | (Conveying, Handover)
                | (AtEdDoor, Handover)
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
    /// Assessment at home instead of a legevakt home visit ("vurderingsoppdrag").
    Assessment,
    /// Transport of a patient already seen (legevakt referral, doctor car): always conveyed.
    Transport,
    /// A patient the legevaktsentral sent to a legevakt who cannot go on their own: always
    /// conveyed, to that site.
    ToLegevakt(SiteId),
    /// A transfer from the hospital where the vehicle picks the patient up to this one: always
    /// conveyed, handed over to the ward (no ED bay).
    Transfer(HospitalId),
}

/// What a vehicle is doing a mission for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Task {
    /// The patient it picks up (and conveys, if so decided).
    Patient(PatientId),
    /// Assisting at a red event, alongside the ground unit (air in parallel).
    Support(RedEventId),
}

/// Where a conveyed patient is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dest {
    Hospital(HospitalId),
    Site(SiteId),
}

/// A movement: from place, to place, start, end (positions of moving vehicles are interpolated
/// along it).
#[derive(Debug, Clone, Copy)]
struct Move {
    from: PlaceId,
    to: PlaceId,
    t0: SimTime,
    t1: SimTime,
    /// Latitudes of `from` and `to` \[°\] (for the lower bound on a moving vehicle's time).
    lat: (f64, f64),
}

impl Move {
    /// Share of the movement done at `now` (0 before it starts, 1 after it ends).
    fn progress(&self, now: SimTime) -> f64 {
        let span = (self.t1.0 - self.t0.0).max(1) as f64;
        ((now.0 - self.t0.0) as f64 / span).clamp(0.0, 1.0)
    }
}

/// Mutable state of one vehicle.
#[derive(Debug, Clone)]
struct VehicleState {
    state: VState,
    generation: u32,
    task: Option<Task>,
    /// Where the current mission's scene is.
    scene: PlaceId,
    on_duty: bool,
    on_call_now: bool,
    mv: Move,
    dest: Option<Dest>,
    /// Seed of the mission's patient (draws of a vehicle sent in parallel).
    seed: u64,
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
    /// For each of `returning`, in the same order: the latitudes its trip spans \[°\] (low,
    /// high) and whether it is an air unit — what the dispatch's quick lower bound reads, side by
    /// side, without touching the vehicle's state.
    returning_span: Vec<(f64, f64, bool)>,
    /// Each vehicle's fastest north–south speed \[km/min\]: its travel time between two places
    /// is at least their north–south distance at this speed (road: the model's fastest trip,
    /// [`Travel::road_min_lower_bound`](crate::input::travel::Travel::road_min_lower_bound)).
    lb_speed: IdVec<VehicleId, f64>,
    /// Vehicles available at each station now (for the reserve rule).
    available_at: IdVec<AmbStationId, u32>,
    any_air: bool,
    /// The lowest air threshold (`min_road_response_min`) of the air units that take each
    /// urgency (infinite where none does): a ground response at or below it never calls air.
    air_threshold: PerUrgency<f64>,
    any_reserve: bool,
    warmup: SimTime,
    /// Vehicle time by station and hour of the week \[ms\], after warm-up: on missions,
    /// scheduled on duty, and available (on duty, or finishing a mission after the shift).
    by_hour: IdVec<AmbStationId, HourBooks>,
}

/// Busy, scheduled and available time in each hour of the week \[ms\].
#[derive(Debug, Clone)]
struct HourBooks {
    busy: Box<[f64; 168]>,
    scheduled: Box<[f64; 168]>,
    available: Box<[f64; 168]>,
}

impl HourBooks {
    fn new() -> HourBooks {
        HourBooks {
            busy: Box::new([0.0; 168]),
            scheduled: Box::new([0.0; 168]),
            available: Box::new([0.0; 168]),
        }
    }

    /// Book the interval `[from, to)` of one vehicle, split at the hours of the week.
    fn book(&mut self, from: SimTime, to: SimTime, busy: bool, scheduled: bool) {
        if from >= to {
            return;
        }
        // The hour of the week and its end are found once, then stepped (no division per hour).
        let mut t = from.0;
        let mut h = from.hour_of_week();
        let mut hour_end = (t.div_euclid(MS_PER_HOUR) + 1) * MS_PER_HOUR;
        loop {
            let e = hour_end.min(to.0);
            let d = (e - t) as f64;
            self.available[h] += d;
            if busy {
                self.busy[h] += d;
            }
            if scheduled {
                self.scheduled[h] += d;
            }
            if e >= to.0 {
                return;
            }
            t = e;
            hour_end += MS_PER_HOUR;
            h = if h == 167 { 0 } else { h + 1 };
        }
    }
}

impl Fleet {
    pub fn new(scn: &Scenario) -> Fleet {
        Fleet {
            veh: IdVec::new(),
            queue: BTreeSet::new(),
            returning: Vec::new(),
            returning_span: Vec::new(),
            lb_speed: scn
                .vehicles
                .iter()
                .map(|v| match v.kind {
                    VehicleKind::Road => scn.travel.meridian_km_per_min(),
                    VehicleKind::Boat => v.speed_kmh / 60.0 / v.detour.max(1e-9),
                    VehicleKind::Air => v.speed_kmh / 60.0,
                })
                .collect(),
            available_at: IdVec::from(vec![0; scn.amb_stations.len()]),
            any_air: scn.vehicles.iter().any(|v| v.kind == VehicleKind::Air),
            air_threshold: PerUrgency::from_fn(|u| {
                scn.vehicles
                    .iter()
                    .filter(|v| v.kind == VehicleKind::Air && v.urgencies[u])
                    .map(|v| v.min_road_response_min)
                    .fold(f64::INFINITY, f64::min)
            }),
            any_reserve: scn.amb_stations.iter().any(|s| s.reserve_last_for_red),
            warmup: SimTime::ZERO,
            by_hour: IdVec::from(vec![HourBooks::new(); scn.amb_stations.len()]),
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
            if on {
                self.fleet.available_at[veh.station] += 1;
            }
            self.fleet.veh.push(VehicleState {
                state: if on { VState::Available } else { VState::Off },
                generation: 0,
                task: None,
                scene: h,
                on_duty: on,
                on_call_now: veh.staffed.level_at(SimTime::ZERO) == 0,
                mv: Move {
                    from: h,
                    to: h,
                    t0: SimTime::ZERO,
                    t1: SimTime::ZERO,
                    lat: (self.scn.travel.lat(h), self.scn.travel.lat(h)),
                },
                dest: None,
                seed: 0,
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
            let (busy, on_duty) = (vs.state.busy(), vs.on_duty);
            if busy || on_duty {
                let st = self.scn.vehicles[v].station;
                self.fleet.by_hour[st].book(from, now, busy, on_duty);
            }
        }
    }

    /// Vehicle-hours by station and hour of the week, as the pools' (role "ambulances").
    pub(super) fn amb_hourly(&self) -> Vec<super::result::HourlyPool> {
        let h = MS_PER_HOUR as f64;
        let hours = |x: &[f64; 168]| x.iter().map(|v| v / h).collect();
        self.scn
            .amb_stations
            .iter_enumerated()
            .filter(|(i, _)| self.scn.vehicles.iter().any(|v| v.station == *i))
            .map(|(i, st)| {
                let b = &self.fleet.by_hour[i];
                super::result::HourlyPool {
                    pool: format!("{} ambulances", st.name),
                    role: super::result::Role::Ambulances,
                    busy_h: hours(&b.busy),
                    scheduled_h: hours(&b.scheduled),
                    available_h: hours(&b.available),
                }
            })
            .collect()
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
            self.fleet.returning_span.swap_remove(i);
        }
        // A vehicle that starts back joins `returning` in `move_to`, once its trip is known.
        let station = self.scn.vehicles[v].station;
        if from == VState::Available {
            self.fleet.available_at[station] -= 1;
        }
        if to == VState::Available {
            self.fleet.available_at[station] += 1;
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
        let lat = (self.scn.travel.lat(from), self.scn.travel.lat(to));
        self.fleet.veh[v].mv = Move {
            from,
            to,
            t0: self.now,
            t1: self.now + d,
            lat,
        };
        if state == VState::Returning {
            let air = self.scn.vehicles[v].kind == VehicleKind::Air;
            self.fleet.returning.push(v);
            self.fleet
                .returning_span
                .push((lat.0.min(lat.1), lat.0.max(lat.1), air));
        }
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

    /// Travel time from where vehicle `v` is now to `scene` \[min\] (interpolated along the leg
    /// while it is moving back or to another scene).
    fn time_to(&self, v: VehicleId, scene: PlaceId) -> f64 {
        let vs = &self.fleet.veh[v];
        match vs.state {
            VState::Returning | VState::ToScene => {
                let Move { from, to, .. } = vs.mv;
                let f = vs.mv.progress(self.now);
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
            (Some(mask), Place::Point(pt)) => mask[self.scn.points[pt].zone],
            (Some(_), Place::Facility(_)) => false,
        }
    }

    /// The urgency of vehicle `v`'s mission (red for a vehicle sent in parallel).
    fn task_urgency(&self, v: VehicleId) -> Urgency {
        match self.fleet.veh[v].task {
            Some(Task::Patient(p)) => self.patients[p].urgency,
            _ => Urgency::Red,
        }
    }

    /// A road vehicle's drive of `minutes` from `a` to `b` on a mission of urgency `u`, with the
    /// scenario's emergency travel factor (not over a ferry, which no siren hurries).
    fn emergency(&self, v: VehicleId, u: Urgency, a: PlaceId, b: PlaceId, minutes: f64) -> f64 {
        let f = self.scn.emergency_speed[u];
        if f == 1.0
            || self.scn.vehicles[v].kind != VehicleKind::Road
            || self.scn.travel.uses_ferry(a, b)
        {
            minutes
        } else {
            minutes * f
        }
    }

    /// Is `v` its station's last vehicle there, kept for red calls?
    fn reserved(&self, v: VehicleId) -> bool {
        if !self.fleet.any_reserve || self.fleet.veh[v].state != VState::Available {
            return false;
        }
        let st = self.scn.vehicles[v].station;
        self.scn.amb_stations[st].reserve_last_for_red && self.fleet.available_at[st] <= 1
    }

    /// Can `v` be sent now to a call of urgency `u` at `scene`?
    fn eligible(&self, v: VehicleId, scene: PlaceId, u: Urgency) -> bool {
        self.dispatchable(v)
            && self.can_reach(v, scene, u)
            && (u == Urgency::Red || !self.reserved(v))
    }

    /// Mean activation of a vehicle for an urgency \[min\] (for the air rule).
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
        let seq = self.next_seq();
        let (u, seed, red) = {
            let pat = &mut self.patients[p];
            pat.mission = kind;
            pat.scene = scene;
            pat.t_wait = now;
            pat.amb_seq = seq;
            (pat.urgency, pat.seed, pat.red)
        };
        let detail = match kind {
            MissionKind::Emergency => Detail::Emergency,
            MissionKind::Planned => Detail::Planned,
            MissionKind::Assessment => Detail::Assessment,
            MissionKind::Transport => Detail::Transport,
            MissionKind::ToLegevakt(_) => Detail::ToLegevakt,
            MissionKind::Transfer(_) => Detail::Transfer,
        };
        let (ev, at, none) = (
            PatientEvent::AmbulanceRequested,
            TracePlace::Place(scene),
            TraceResource::None,
        );
        self.note(p, ev, at, none, detail);
        let best = self.best_vehicles(scene, u);
        let air = self.air_rule(&best, u, scene);
        if kind == MissionKind::Emergency && u == Urgency::Red {
            // The ground unit always goes (it is what red_response counts); air in parallel.
            match best[0] {
                Some((_, g)) => self.dispatch(g, p),
                None if self.divert_for_red(p, scene) => {}
                None => match air {
                    Some(a) if !self.ground_can_reach(scene, u) => {
                        self.dispatch(a, p);
                        return;
                    }
                    _ => {
                        self.fleet.queue.insert((u.priority(), seq, p));
                    }
                },
            }
            if let (Some(a), Some(r)) = (air, red) {
                let (at, air) = (TracePlace::Place(scene), TraceResource::Vehicle(a));
                self.note(p, PatientEvent::AirDispatched, at, air, Detail::None);
                self.launch(a, Task::Support(r), scene, seed, u, Purpose::Support);
            }
            return;
        }
        match air.or(best[0].map(|x| x.1)) {
            Some(v) => self.dispatch(v, p),
            None => {
                self.fleet.queue.insert((u.priority(), seq, p));
            }
        }
    }

    /// The nearest eligible ground (road or boat) vehicle and air unit for a scene now, with
    /// their travel times. Vehicles at their station are searched in the scene's precomputed
    /// order of drive time from their stations (the first eligible one of a kind is the nearest
    /// of them); vehicles on their way back, whose position moves, are few and are checked one
    /// by one.
    fn best_vehicles(&self, scene: PlaceId, u: Urgency) -> [Option<(f64, VehicleId)>; 2] {
        let mut best: [Option<(f64, VehicleId)>; 2] = [None, None];
        let scn = self.scn;
        let is_air = |v: VehicleId| usize::from(scn.vehicles[v].kind == VehicleKind::Air);
        // The nearest of its kind so far; ties go to the lower vehicle number.
        let consider = |best: &mut [Option<(f64, VehicleId)>; 2], v: VehicleId, t: f64| {
            let slot = &mut best[is_air(v)];
            if slot.is_none_or(|(bt, bv)| t < bt || (t == bt && v < bv)) {
                *slot = Some((t, v));
            }
        };
        let mut found = [false, false];
        // Air is looked for only while it could be sent: [`Self::air_rule`] calls it only
        // when the ground response (travel + mean activation) exceeds the unit's threshold,
        // so a ground unit at or below the lowest threshold ends the search for air too.
        let threshold = self.fleet.air_threshold[u];
        let mut need_air = self.fleet.any_air && threshold.is_finite();
        for &v in &scn.derived.place_vehicles[scene] {
            if self.fleet.veh[v].state == VState::Available && self.eligible(v, scene, u) {
                let t = scn.vehicle_travel_min(v, scn.vehicle_home(v), scene);
                let air = is_air(v);
                if air == 0 && !found[0] && t + self.activation_mean(v, u) <= threshold {
                    need_air = false;
                }
                consider(&mut best, v, t);
                found[air] = true;
                // The list is sorted by this time: nothing later in it can beat a found one of
                // the same kind; stop once both kinds are found (or air is not needed).
                if found[0] && (found[1] || !need_air) {
                    break;
                }
            }
        }
        // A returning vehicle whose lower bound (north–south distance at the model's fastest
        // speed) already exceeds the best of its kind cannot win: its time is not looked up.
        // First a quicker, weaker bound — the distance to the band of latitudes its trip spans,
        // weakened by 10⁻⁹ so that rounding never lifts it above the bound below — then that
        // bound; the quick one skips only vehicles the other would skip too.
        let lat = scn.travel.lat(scene);
        for (&v, &(lo, hi, air)) in self.fleet.returning.iter().zip(&self.fleet.returning_span) {
            let bound = best[usize::from(air)].map_or(f64::INFINITY, |(t, _)| t);
            if bound.is_finite() {
                let off = if lat < lo {
                    lo - lat
                } else if lat > hi {
                    lat - hi
                } else {
                    0.0
                };
                let quick = time_lower_bound(meridian_km(off, 0.0), self.fleet.lb_speed[v]);
                if quick * (1.0 - 1e-9) > bound {
                    continue;
                }
                let vs = &self.fleet.veh[v];
                let f = vs.mv.progress(self.now);
                let (la, lb) = vs.mv.lat;
                let km = (1.0 - f) * meridian_km(la, lat) + f * meridian_km(lb, lat);
                if time_lower_bound(km, self.fleet.lb_speed[v]) > bound {
                    continue;
                }
            }
            if self.eligible(v, scene, u) {
                consider(&mut best, v, self.time_to(v, scene));
            }
        }
        best
    }

    /// The air unit to send, if the air rule says so: the best ground response (mean
    /// activation plus travel; infinite with no ground unit free) exceeds the unit's threshold,
    /// the weather allows, and the air unit would be there first.
    fn air_rule(
        &mut self,
        best: &[Option<(f64, VehicleId)>; 2],
        u: Urgency,
        scene: PlaceId,
    ) -> Option<VehicleId> {
        let (_, a) = best[1]?;
        let ground_response = best[0]
            .map(|(t, v)| {
                let act = if self.fleet.veh[v].state == VState::Returning {
                    0.0
                } else {
                    self.activation_mean(v, u)
                };
                t + act
            })
            .unwrap_or(f64::INFINITY);
        let veh = &self.scn.vehicles[a];
        if ground_response > veh.min_road_response_min
            && (veh.availability >= 1.0 || self.system_rng.random::<f64>() < veh.availability)
        {
            let air_resp = self.activation_mean(a, u) + self.time_to(a, scene);
            if air_resp < ground_response {
                return Some(a);
            }
        }
        None
    }

    /// Could any ground vehicle ever serve urgency `u` at `scene` (on duty or not)?
    fn ground_can_reach(&self, scene: PlaceId, u: Urgency) -> bool {
        self.scn
            .vehicles
            .iter_enumerated()
            .any(|(v, veh)| veh.kind != VehicleKind::Air && self.can_reach(v, scene, u))
    }

    /// `divert_for_red`: take the nearest ground vehicle activating for, or driving to, a planned
    /// or green mission; that patient waits again in their old place in the queue. Returns
    /// whether a vehicle was diverted.
    fn divert_for_red(&mut self, p: PatientId, scene: PlaceId) -> bool {
        if !self
            .scn
            .ambulance
            .as_ref()
            .is_some_and(|a| a.divert_for_red)
        {
            return false;
        }
        let mut best: Option<(f64, VehicleId)> = None;
        for (v, vs) in self.fleet.veh.iter_enumerated() {
            let Some(Task::Patient(q)) = vs.task else {
                continue;
            };
            if !matches!(vs.state, VState::Activating | VState::ToScene)
                || self.scn.vehicles[v].kind == VehicleKind::Air
                || !self.can_reach(v, scene, Urgency::Red)
            {
                continue;
            }
            let other = &self.patients[q];
            if other.mission != MissionKind::Planned && other.urgency != Urgency::Green {
                continue;
            }
            let t = self.time_to(v, scene);
            if best.is_none_or(|(bt, bv)| t < bt || (t == bt && v < bv)) {
                best = Some((t, v));
            }
        }
        let Some((t, v)) = best else { return false };
        let Some(Task::Patient(q)) = self.fleet.veh[v].task else {
            unreachable!("chosen for its patient")
        };
        let (prio, seq) = (
            self.patients[q].urgency.priority(),
            self.patients[q].amb_seq,
        );
        self.patients[q].vehicle = None;
        self.fleet.queue.insert((prio, seq, q));
        self.score.red_diversion(self.now);
        let (at_q, vehicle) = (
            TracePlace::Place(self.patients[q].scene),
            TraceResource::Vehicle(v),
        );
        self.note(
            q,
            PatientEvent::AmbulanceDiverted,
            at_q,
            vehicle,
            Detail::None,
        );
        let at = TracePlace::Place(scene);
        self.note(
            p,
            PatientEvent::AmbulanceDispatched,
            at,
            vehicle,
            Detail::None,
        );
        self.patients[p].vehicle = Some(v);
        let vs = &mut self.fleet.veh[v];
        vs.task = Some(Task::Patient(p));
        vs.scene = scene;
        if self.now >= self.fleet.warmup {
            vs.missions += 1;
        }
        self.score.mission(self.now, false);
        if vs.state == VState::ToScene {
            // Turn round from where it is (the leg's start stands in for its position).
            let from = vs.mv.from;
            let t = self.emergency(v, Urgency::Red, from, scene, t);
            self.move_to(v, VState::ToScene, from, scene, t);
        }
        // Activating: the crew gets ready as planned, then drives to the red scene.
        true
    }

    /// A vehicle became free (at its station or on its way back): take the most urgent waiting
    /// call it can serve.
    fn serve_queue(&mut self, v: VehicleId) {
        if !self.dispatchable(v) {
            return;
        }
        let reserved = self.reserved(v);
        // Most urgent first, then longest waiting: the first the vehicle can serve.
        let found = self
            .fleet
            .queue
            .iter()
            .find(|&&(_, _, p)| {
                let pat = &self.patients[p];
                self.can_reach(v, pat.scene, pat.urgency)
                    && (!reserved || pat.urgency == Urgency::Red)
            })
            .copied();
        if let Some(key) = found {
            self.fleet.queue.remove(&key);
            self.dispatch(v, key.2);
        }
    }

    fn dispatch(&mut self, v: VehicleId, p: PatientId) {
        let (u, seed, scene) = {
            let pat = &mut self.patients[p];
            pat.vehicle = Some(v);
            (pat.urgency, pat.seed, pat.scene)
        };
        let (at, vehicle) = (TracePlace::Place(scene), TraceResource::Vehicle(v));
        self.note(
            p,
            PatientEvent::AmbulanceDispatched,
            at,
            vehicle,
            Detail::None,
        );
        self.launch(v, Task::Patient(p), scene, seed, u, Purpose::Ambulance);
    }

    /// Send vehicle `v` on a mission: activation (plus the on-call delay) from its station, or
    /// straight to the scene when it is on its way back.
    fn launch(
        &mut self,
        v: VehicleId,
        task: Task,
        scene: PlaceId,
        seed: u64,
        u: Urgency,
        purpose: Purpose,
    ) {
        let air = self.scn.vehicles[v].kind == VehicleKind::Air;
        let vs = &mut self.fleet.veh[v];
        vs.task = Some(task);
        vs.scene = scene;
        vs.seed = seed;
        if self.now >= self.fleet.warmup {
            vs.missions += 1;
        }
        self.score.mission(self.now, air);
        if let Task::Support(r) = task {
            self.red_unit_sent(r);
        }
        if self.fleet.veh[v].state == VState::Returning {
            // Crew already active: straight to the scene from where it is.
            let from = self.fleet.veh[v].mv.from; // approximate position: the leg being driven
            let t = self.emergency(v, u, from, scene, self.time_to(v, scene));
            self.move_to(v, VState::ToScene, from, scene, t);
        } else {
            let mut rng = patient_rng(seed, purpose);
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

    /// The patient of vehicle `v`'s mission.
    fn patient_of(&self, v: VehicleId) -> PatientId {
        match self.fleet.veh[v].task {
            Some(Task::Patient(p)) => p,
            t => panic!("vehicle {v} has no patient ({t:?})"),
        }
    }

    /// The current phase of vehicle `v` ends.
    pub(super) fn vehicle_event(&mut self, v: VehicleId, generation: u32) {
        if self.fleet.veh[v].generation != generation {
            return; // stale: the phase was cut short by a re-dispatch or a diversion
        }
        let task = self.fleet.veh[v].task;
        match self.fleet.veh[v].state {
            VState::Activating => {
                let scene = self.fleet.veh[v].scene;
                let home = self.scn.vehicle_home(v);
                let t = self.scn.vehicle_travel_min(v, home, scene);
                let t = self.emergency(v, self.task_urgency(v), home, scene, t);
                self.move_to(v, VState::ToScene, home, scene, t);
            }
            VState::ToScene => match task {
                Some(Task::Patient(p)) => self.arrive_on_scene(v, p),
                Some(Task::Support(r)) => self.support_arrive(v, r),
                None => panic!("vehicle {v}: driving to no one"),
            },
            VState::OnScene => match task {
                Some(Task::Patient(p)) => self.leave_scene(v, p),
                Some(Task::Support(r)) => {
                    self.fleet.veh[v].task = None;
                    let scene = self.fleet.veh[v].scene;
                    self.start_return(v, scene);
                    self.red_unit_closed(r);
                }
                None => panic!("vehicle {v}: on scene for no one"),
            },
            VState::Conveying => {
                let p = self.patient_of(v);
                match self.fleet.veh[v].dest.expect("conveying somewhere") {
                    Dest::Hospital(_)
                        if matches!(self.patients[p].mission, MissionKind::Transfer(_)) =>
                    {
                        self.transfer_handover(v, p)
                    }
                    Dest::Hospital(h) => {
                        self.set_state(v, VState::AtEdDoor);
                        self.patients[p].t_wait = self.now;
                        self.patients[p].by_ambulance_now = true;
                        self.request_ed(p, h);
                    }
                    Dest::Site(s) => self.legevakt_handover(v, p, s),
                }
            }
            VState::Handover => {
                let from = match self.fleet.veh[v].dest.expect("handing over somewhere") {
                    Dest::Hospital(h) => self.scn.hospital_place(h),
                    Dest::Site(s) => self.scn.site_place(s),
                };
                self.start_return(v, from);
            }
            VState::Returning => {
                if self.fleet.veh[v].on_duty {
                    self.set_state(v, VState::Available);
                    self.serve_queue(v);
                } else {
                    self.set_state(v, VState::Off);
                }
            }
            s @ (VState::Off | VState::Available | VState::AtEdDoor) => {
                panic!("vehicle {v}: no phase ends in state {s:?}")
            }
        }
    }

    fn arrive_on_scene(&mut self, v: VehicleId, p: PatientId) {
        self.set_state(v, VState::OnScene);
        self.note_with(p, PatientEvent::VehicleOnScene, |w| {
            let at = TracePlace::Place(w.patients[p].scene);
            (at, TraceResource::Vehicle(v), Detail::None)
        });
        let (kind, u, seed, red) = {
            let pat = &self.patients[p];
            (pat.mission, pat.urgency, pat.seed, pat.red)
        };
        let air = self.scn.vehicles[v].kind == VehicleKind::Air;
        if kind == MissionKind::Emergency {
            match (u, red) {
                (Urgency::Red, Some(r)) if air => {
                    self.red_unit_arrived(r, false);
                }
                (Urgency::Red, _) => self.record_red_response(p),
                (Urgency::Yellow, _) => self.yellow_first_unit(p),
                _ => {}
            }
        }
        let amb = self
            .scn
            .ambulance
            .as_ref()
            .expect("vehicles imply [ambulance]");
        let (conveyed, to_site) = match kind {
            MissionKind::Transport | MissionKind::Transfer(_) => (true, None),
            MissionKind::ToLegevakt(s) => (true, Some(s)),
            MissionKind::Assessment if self.scn.assessment.is_some() => {
                let a = self.scn.assessment.expect("checked");
                let x = self.u(p, Purpose::Assessment);
                if x < a.to_hospital {
                    (true, None)
                } else if x < a.to_hospital + a.to_legevakt {
                    // The legevakt open when they get there; hospital when none is.
                    let c = self.scn.choose_site(
                        self.patients[p].point,
                        u,
                        self.now,
                        self.u(p, Purpose::Choice),
                    );
                    (true, c.site)
                } else {
                    (false, None)
                }
            }
            _ => (
                patient_rng(seed, Purpose::Conveyance).random::<f64>() < amb.conveyance[u],
                None,
            ),
        };
        if kind == MissionKind::Assessment {
            self.score
                .assessment_outcome(self.now, conveyed, to_site.is_some());
        }
        let pat = &mut self.patients[p];
        pat.conveyed = conveyed;
        pat.to_site = to_site;
        let mut rng = patient_rng(seed, Purpose::OnScene);
        let m = match (&self.scn.vehicles[v].on_scene_min, conveyed) {
            (Some(d), _) => d.sample(&mut rng),
            (None, true) => amb.on_scene_conveyed_min.sample(&mut rng),
            (None, false) => amb.on_scene_not_conveyed_min.sample(&mut rng),
        };
        self.phase_end(v, Dur::from_minutes(m));
    }

    /// A vehicle sent in parallel reaches a red event: it counts as a unit on scene while the
    /// event is open, assists for its time on scene, and leaves (at once if the ground unit has
    /// already gone).
    fn support_arrive(&mut self, v: VehicleId, r: RedEventId) {
        self.set_state(v, VState::OnScene);
        let (home, air) = (TracePlace::Home, TraceResource::Vehicle(v));
        self.note_red(r, PatientEvent::AirOnScene, home, air, Detail::None);
        let open = self.red_unit_arrived(r, false);
        let m = if open {
            let mut rng = patient_rng(self.fleet.veh[v].seed, Purpose::Support);
            let amb = self
                .scn
                .ambulance
                .as_ref()
                .expect("vehicles imply [ambulance]");
            match &self.scn.vehicles[v].on_scene_min {
                Some(d) => d.sample(&mut rng),
                None => amb.on_scene_conveyed_min.sample(&mut rng),
            }
        } else {
            0.0
        };
        self.phase_end(v, Dur::from_minutes(m));
    }

    fn leave_scene(&mut self, v: VehicleId, p: PatientId) {
        let scene = self.patients[p].scene;
        if let Some(r) = self.patients[p].red.take() {
            self.red_scene_cleared(r);
        }
        if !self.patients[p].conveyed {
            self.fleet.veh[v].task = None;
            self.start_return(v, scene);
            self.complete(p, Outcome::TreatedOnScene);
            return;
        }
        let u = self.patients[p].urgency;
        if let Some(s) = self.patients[p].to_site {
            let t = self
                .scn
                .vehicle_travel_min(v, scene, self.scn.site_place(s));
            let t = self.emergency(v, u, scene, self.scn.site_place(s), t);
            self.fleet.veh[v].dest = Some(Dest::Site(s));
            let (to, vehicle) = (TracePlace::Site(s), TraceResource::Vehicle(v));
            self.note(p, PatientEvent::Conveyed, to, vehicle, Detail::None);
            self.move_to(v, VState::Conveying, scene, self.scn.site_place(s), t);
            return;
        }
        // A transfer goes to its hospital; anyone else to the nearest hospital from the scene
        // for this vehicle (precomputed for road vehicles).
        let best = if let MissionKind::Transfer(h) = self.patients[p].mission {
            (
                self.scn
                    .vehicle_travel_min(v, scene, self.scn.hospital_place(h)),
                h,
            )
        } else if self.scn.vehicles[v].kind == VehicleKind::Road {
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
        self.fleet.veh[v].dest = Some(Dest::Hospital(best.1));
        self.patients[p].hospital = Some(best.1);
        let (at, vehicle) = (TracePlace::Hospital(best.1), TraceResource::Vehicle(v));
        self.note(p, PatientEvent::Conveyed, at, vehicle, Detail::None);
        let to = self.scn.hospital_place(best.1);
        let t = self.emergency(v, u, scene, to, best.0);
        self.move_to(v, VState::Conveying, scene, to, t);
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
        self.note_handover(p, v);
        self.hand_over(v, m);
    }

    /// A transfer reaches the receiving hospital: the crew hands the patient over to the ward
    /// (the handover time of a green patient; no ED bay to wait for) and returns.
    fn transfer_handover(&mut self, v: VehicleId, p: PatientId) {
        let seed = self.patients[p].seed;
        let amb = self
            .scn
            .ambulance
            .as_ref()
            .expect("vehicles imply [ambulance]");
        let m = amb.handover_min[Urgency::Green].sample(&mut patient_rng(seed, Purpose::Handover));
        self.note_handover(p, v);
        self.hand_over(v, m);
        self.complete(p, Outcome::Transferred);
    }

    /// An ambulance brings patient `p` to legevakt site `s`: the patient joins the site's
    /// queue at once, the crew hands over (no ED bay to wait for) and returns.
    fn legevakt_handover(&mut self, v: VehicleId, p: PatientId, s: SiteId) {
        let (u, seed) = {
            let pat = &mut self.patients[p];
            pat.site = Some(s);
            (pat.urgency, pat.seed)
        };
        let mut rng = patient_rng(seed, Purpose::Handover);
        let m = match &self.scn.transport {
            Some(t) => t.ambulance_handover_min.sample(&mut rng),
            None => self
                .scn
                .ambulance
                .as_ref()
                .expect("vehicles imply [ambulance]")
                .handover_min[u]
                .sample(&mut rng),
        };
        let (at, vehicle) = (TracePlace::Site(s), TraceResource::Vehicle(v));
        self.note(p, PatientEvent::Handover, at, vehicle, Detail::None);
        self.hand_over(v, m);
        self.arrive_at_site(p);
    }

    /// Note vehicle `v`'s handover of patient `p` at its hospital.
    #[inline(always)]
    fn note_handover(&mut self, p: PatientId, v: VehicleId) {
        self.note_with(p, PatientEvent::Handover, |w| {
            let at = w.patients[p]
                .hospital
                .map_or(TracePlace::None, TracePlace::Hospital);
            (at, TraceResource::Vehicle(v), Detail::None)
        });
    }

    /// The crew hands its patient over for `minutes`; the vehicle is then free to return.
    fn hand_over(&mut self, v: VehicleId, minutes: f64) {
        self.fleet.veh[v].task = None;
        self.set_state(v, VState::Handover);
        self.phase_end(v, Dur::from_minutes(minutes));
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

    /// (busy, duty) vehicle time of the whole fleet \[ms\].
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hour_books_split_an_interval_at_the_hours_and_across_the_week_end() {
        let h = MS_PER_HOUR;
        let mut b = HourBooks::new();
        // Busy and on duty from 20 min before the week's end to 70 min after it.
        let end = 168 * h;
        b.book(SimTime(end - h / 3), SimTime(end + h + h / 6), true, true);
        assert_eq!(b.busy[167], (h / 3) as f64);
        assert_eq!(b.busy[0], h as f64);
        assert_eq!(b.busy[1], (h / 6) as f64);
        assert_eq!(b.available, b.busy);
        assert_eq!(b.scheduled, b.busy);
        // Within one hour, and an empty interval.
        b.book(SimTime(5 * h + 10), SimTime(5 * h + 70), false, true);
        b.book(SimTime(9 * h), SimTime(9 * h), true, true);
        assert_eq!(
            (b.busy[5], b.scheduled[5], b.available[5]),
            (0.0, 60.0, 60.0)
        );
        assert_eq!(b.available.iter().sum::<f64>(), (h + h / 2 + 60) as f64);
    }
}

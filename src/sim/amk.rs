//! AMK (113): calls queue first-come-first-served for operators on a schedule; the answer time is
//! recorded against 90 % within 10 s; the operator's handling time (answer → response decided,
//! ambulance notified) depends on the urgency. Then:
//!
//! * red → the nearest available ambulance, and an alert to the legevakt on duty
//!   ("trippelvarsling"): with the scenario's call-out share the nearest open station's doctor —
//!   or the satellite nurse where a satellite is nearer and open — goes out when free;
//! * yellow → an ambulance, or the legevakt doctor car first (Moss model) when the scenario says so;
//! * green → forwarded to the legevaktsentral, or a planned ambulance transport.
//!
//! Red events are followed until both the ambulance has left the scene and any call-out has
//! ended, then scored: ambulance response (with and without AMK time), first on scene (ambulance
//! or legevakt), legevakt present.

use super::ambulance::MissionKind;
use super::pool::{Job, JobKind};
use super::{Event, Outcome, Stage, World};
use crate::rng::{Purpose, patient_rng};
use crate::scenario::{Site, Urgency, ZoneClass};
use crate::time::{Dur, MS_PER_MIN, MS_PER_S, SimTime};
use rand::RngExt;
use serde::Serialize;

/// A red event being followed.
#[derive(Debug, Clone)]
pub(crate) struct RedEvent {
    pub t_ring: SimTime,
    pub urban: bool,
    pub amb_arrival: Option<SimTime>,
    pub lv_arrival: Option<SimTime>,
    pub cleared: Option<SimTime>,
    pub callout_open: bool,
}

/// Who goes out from the legevakt, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CalloutKind {
    /// To a red event alongside the ambulance.
    Red,
    /// Doctor car first to a yellow event (Moss model).
    DoctorCar,
}

/// A legevakt call-out (doctor or satellite nurse).
#[derive(Debug, Clone)]
pub(crate) struct Callout {
    pub kind: CalloutKind,
    /// Red event (Red) or patient slot (DoctorCar).
    pub target: u32,
    pub zone: u32,
    pub pool: u32,
    pub site: u32,
    /// Seed of the patient concerned (per-patient draws, common random numbers).
    pub seed: u64,
}

/// One ambulance response, for traces and tests.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseRecord {
    /// 113 call rang [min since start].
    pub t_ring_min: f64,
    /// Ambulance notified [min].
    pub t_notified_min: f64,
    /// Ambulance on scene [min].
    pub t_on_scene_min: f64,
    /// Response incl. AMK time [min].
    pub response_min: f64,
    /// Vehicle index.
    pub vehicle: u32,
}

impl World<'_> {
    /// A patient reaches 113.
    pub(crate) fn reach_amk(&mut self, p: u32) {
        if self.measuring() {
            self.acc.calls_113 += 1;
        }
        let Some(pool) = self.map.amk else {
            self.complete(p, Outcome::ToAmk);
            return;
        };
        let seq = self.next_seq();
        let now = self.now;
        let pat = &mut self.patients[p as usize];
        pat.t_ring = now;
        pat.t_wait = now;
        pat.via_amk = true;
        pat.stage = Stage::AmkQueue;
        self.request(
            pool,
            0,
            seq,
            Job {
                patient: p,
                kind: JobKind::AmkCall,
            },
        );
    }

    pub(crate) fn amk_call_start(&mut self, p: u32) {
        let now = self.now;
        let measuring = self.measuring();
        let amk = self.scn.amk.as_ref().expect("AMK pool implies AMK");
        let pat = &mut self.patients[p as usize];
        debug_assert_eq!(pat.stage, Stage::AmkQueue);
        pat.stage = Stage::AmkCall;
        let answer = now - pat.t_ring;
        let m = amk.handling_min[pat.urgency.idx()]
            .sample(&mut patient_rng(pat.seed, Purpose::AmkHandling));
        if measuring {
            self.acc.amk_answer.record(answer.0);
            if answer.0 <= 10 * MS_PER_S {
                self.acc.amk_within_10s += 1;
            }
        }
        self.after(Dur::from_minutes(m), Event::AmkCallEnd { p });
    }

    pub(crate) fn amk_call_end(&mut self, p: u32) {
        let amk = self.scn.amk.as_ref().expect("AMK pool implies AMK");
        self.release(self.map.amk.expect("AMK pool"));
        let now = self.now;
        let (u, z, via_lvs) = {
            let pat = &mut self.patients[p as usize];
            debug_assert_eq!(pat.stage, Stage::AmkCall);
            pat.t_notified = now;
            pat.stage = Stage::Ambulance;
            (pat.urgency, pat.zone, pat.via_lvs)
        };
        match u {
            Urgency::Red => {
                let urban = self.scn.zones[z as usize].class == ZoneClass::Urban;
                let r = self.red_events.insert(RedEvent {
                    t_ring: self.patients[p as usize].t_ring,
                    urban,
                    amb_arrival: None,
                    lv_arrival: None,
                    cleared: None,
                    callout_open: false,
                }) as u32;
                self.patients[p as usize].red = r;
                self.request_ambulance(p, MissionKind::Emergency, z);
                if amk.alert_red && self.u(p, Purpose::Callout) < amk.callout_share {
                    self.start_callout(CalloutKind::Red, r, p, Urgency::Red);
                }
            }
            Urgency::Yellow => {
                if amk.doctor_car_first && self.start_callout(CalloutKind::DoctorCar, p, p, u) {
                    self.patients[p as usize].stage = Stage::DoctorCar;
                } else {
                    self.request_ambulance(p, MissionKind::Emergency, z);
                }
            }
            Urgency::Green => {
                let lvs = self.scn.zone_lvs[z as usize];
                let to_lvs = self.u(p, Purpose::AmkGreen) < amk.green_to_116117;
                match lvs {
                    Some(l) if to_lvs && !via_lvs => self.lvs_call(p, l as u32),
                    _ => self.request_ambulance(p, MissionKind::Planned, z),
                }
            }
        }
    }

    /// Send the legevakt out: the nearest open site (satellite nurse or station doctor car for
    /// red; a station doctor for the Moss doctor car). Returns false if none is open.
    fn start_callout(&mut self, kind: CalloutKind, target: u32, p: u32, u: Urgency) -> bool {
        let zone = self.patients[p as usize].zone;
        let seed = self.patients[p as usize].seed;
        let scn = self.scn;
        let site = scn.zone_sites[zone as usize]
            .iter()
            .map(|&s| s as usize)
            .find(|&s| {
                scn.site_open(s).level_at(self.now) > 0
                    && (kind == CalloutKind::Red || matches!(scn.sites[s], Site::Station(_)))
            });
        let Some(s) = site else { return false };
        let pool = match scn.sites[s] {
            Site::Station(i) => self.map.doctors[i],
            Site::Satellite(i) => self.map.sat_nurses[i],
        };
        let c = self.callouts.insert(Callout {
            kind,
            target,
            zone,
            pool,
            site: s as u32,
            seed,
        }) as u32;
        if kind == CalloutKind::Red {
            self.red_events[target as usize].callout_open = true;
        }
        let seq = self.next_seq();
        let jk = if kind == CalloutKind::Red {
            JobKind::RedCallout
        } else {
            JobKind::DoctorCar
        };
        self.request(
            pool,
            u as u8,
            seq,
            Job {
                patient: c,
                kind: jk,
            },
        );
        true
    }

    /// A doctor or nurse is free to go out.
    pub(crate) fn callout_start(&mut self, c: u32) {
        let co = self.callouts[c as usize].clone();
        if co.kind == CalloutKind::Red && self.red_events[co.target as usize].cleared.is_some() {
            // The ambulance has already left the scene: no point going out.
            self.callouts.remove(c as usize);
            self.release(co.pool);
            self.red_callout_closed(co.target);
            return;
        }
        let m = self
            .scn
            .travel
            .minutes(co.zone as usize, self.scn.site_facility(co.site as usize));
        self.after(Dur::from_minutes(m), Event::CalloutArrive { c });
    }

    pub(crate) fn callout_arrive(&mut self, c: u32) {
        let co = self.callouts[c as usize].clone();
        let amk = self.scn.amk.as_ref().expect("call-outs imply AMK");
        let dist = match co.kind {
            CalloutKind::Red => {
                let ev = &mut self.red_events[co.target as usize];
                if ev.cleared.is_none() {
                    ev.lv_arrival = Some(self.now);
                }
                &amk.callout_on_scene_min
            }
            CalloutKind::DoctorCar => &amk.doctor_car_on_scene_min,
        };
        let m = dist.sample(&mut patient_rng(co.seed, Purpose::Callout));
        self.after(Dur::from_minutes(m), Event::CalloutEnd { c });
    }

    pub(crate) fn callout_end(&mut self, c: u32) {
        let co = self.callouts.remove(c as usize);
        let back = self
            .scn
            .travel
            .minutes(co.zone as usize, self.scn.site_facility(co.site as usize));
        self.after(
            Dur::from_minutes(back),
            Event::ServerReturn { pool: co.pool },
        );
        match co.kind {
            CalloutKind::Red => self.red_callout_closed(co.target),
            CalloutKind::DoctorCar => {
                let p = co.target;
                let amk = self.scn.amk.as_ref().expect("AMK");
                if self.measuring() {
                    self.acc.doctor_car_assessments += 1;
                }
                let seed = self.patients[p as usize].seed;
                if patient_rng(seed, Purpose::Conveyance).random::<f64>() < amk.doctor_car_convey {
                    self.patients[p as usize].stage = Stage::Ambulance;
                    self.request_ambulance(p, MissionKind::Transport, co.zone);
                } else {
                    self.complete(p, Outcome::TreatedOnScene);
                }
            }
        }
    }

    pub(crate) fn record_red_response(&mut self, p: u32, now: SimTime, measuring: bool) {
        let (r, t_ring, t_notified, zone, v) = {
            let pat = &self.patients[p as usize];
            (pat.red, pat.t_ring, pat.t_notified, pat.zone, pat.vehicle)
        };
        if let Some(ev) = self.red_events.get_mut(r as usize) {
            ev.amb_arrival = Some(now);
        }
        let urban = self.scn.zones[zone as usize].class == ZoneClass::Urban;
        let resp = now - t_ring;
        if measuring && t_ring >= self.warmup {
            let target = if urban { 12 } else { 25 } * MS_PER_MIN;
            let k = usize::from(!urban);
            self.acc.response[k].record(resp.0);
            let bin = ((resp.0 / super::RESPONSE_BIN_MS) as usize).min(super::RESPONSE_BINS - 1);
            self.acc.response_bins[k][bin] += 1;
            let zr = &mut self.acc.zone_response[zone as usize];
            zr.0 += resp.minutes();
            zr.1 += 1;
            self.acc.response_n[k] += 1;
            if resp.0 <= target {
                self.acc.response_ok[k] += 1;
            }
            if (now - t_notified).0 <= target {
                self.acc.response_excl_amk_ok += 1;
            }
        }
        if let Some(tr) = &mut self.trace {
            tr.responses.push(ResponseRecord {
                t_ring_min: t_ring.minutes(),
                t_notified_min: t_notified.minutes(),
                t_on_scene_min: now.minutes(),
                response_min: resp.minutes(),
                vehicle: v,
            });
        }
    }

    pub(crate) fn red_scene_cleared(&mut self, r: u32) {
        self.red_events[r as usize].cleared = Some(self.now);
        if !self.red_events[r as usize].callout_open {
            self.finish_red(r);
        }
    }

    fn red_callout_closed(&mut self, r: u32) {
        self.red_events[r as usize].callout_open = false;
        if self.red_events[r as usize].cleared.is_some() {
            self.finish_red(r);
        }
    }

    /// Score a red event once the ambulance has left and any call-out has ended.
    fn finish_red(&mut self, r: u32) {
        let ev = self.red_events.remove(r as usize);
        if ev.t_ring < self.warmup {
            return;
        }
        let cleared = ev.cleared.expect("finished events are cleared");
        let lv = ev.lv_arrival.filter(|&t| t <= cleared);
        let target = if ev.urban { 12 } else { 25 } * MS_PER_MIN;
        let first = match (ev.amb_arrival, lv) {
            (Some(a), Some(l)) => Some(a.min(l)),
            (a, l) => a.or(l),
        };
        self.acc.red_events += 1;
        if lv.is_some() {
            self.acc.red_with_legevakt += 1;
        }
        if first.is_some_and(|f| (f - ev.t_ring).0 <= target) {
            self.acc.red_first_ok += 1;
        }
    }
}

impl World<'_> {
    /// KPIs of AMK, ambulances and hospitals.
    pub(crate) fn chain_kpis(
        &self,
        k: &mut [Option<f64>],
        years: f64,
        pop_k: f64,
        stations: &[super::AmbStationResult],
    ) {
        use crate::kpi::Kpi;
        let a = &self.acc;
        let ratio = |n: u64, d: u64| (d > 0).then(|| n as f64 / d as f64);
        let min = |x: f64| x / MS_PER_MIN as f64;
        if self.scn.amk.is_some() {
            k[Kpi::AmkWithin10s as usize] = ratio(a.amk_within_10s, a.amk_answer.len());
            k[Kpi::AmkP90 as usize] = a.amk_answer.quantile_ms(0.9).map(|x| x / 1000.0);
        }
        k[Kpi::RedUrban12 as usize] = ratio(a.response_ok[0], a.response_n[0]);
        k[Kpi::RedRural25 as usize] = ratio(a.response_ok[1], a.response_n[1]);
        k[Kpi::RedP50Urban as usize] = a.response[0].quantile_ms(0.5).map(min);
        k[Kpi::RedP90Urban as usize] = a.response[0].quantile_ms(0.9).map(min);
        k[Kpi::RedP50Rural as usize] = a.response[1].quantile_ms(0.5).map(min);
        k[Kpi::RedP90Rural as usize] = a.response[1].quantile_ms(0.9).map(min);
        k[Kpi::RedExclAmk as usize] =
            ratio(a.response_excl_amk_ok, a.response_n[0] + a.response_n[1]);
        k[Kpi::RedFirstOnScene as usize] = ratio(a.red_first_ok, a.red_events);
        k[Kpi::RedWithDoctor as usize] = ratio(a.red_with_legevakt, a.red_events);
        if !self.scn.vehicles.is_empty() {
            k[Kpi::MissionsPer1000 as usize] = Some(a.missions as f64 / pop_k / years);
            let (b, d) = self
                .veh
                .iter()
                .fold((0.0, 0.0), |(b, d), v| (b + v.busy_ms, d + v.duty_ms));
            k[Kpi::AmbUtil as usize] = (d > 0.0).then(|| b / d);
            k[Kpi::AmbStandbyMin as usize] = stations
                .iter()
                .filter(|s| s.duty_h > 0.0)
                .map(|s| 1.0 - s.busy_h / s.duty_h)
                .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
        }
        k[Kpi::EdHandoverP90 as usize] = a.handover_delay.quantile_ms(0.9).map(min);
        if !self.scn.hospitals.is_empty() {
            k[Kpi::AdmissionsPer1000 as usize] = Some(a.admissions as f64 / pop_k / years);
        }
    }

    /// Per-station ambulance figures.
    pub(crate) fn amb_station_results(&self) -> Vec<super::AmbStationResult> {
        let h = crate::time::MS_PER_HOUR as f64;
        self.scn
            .amb_stations
            .iter()
            .enumerate()
            .map(|(i, st)| {
                let mut r = super::AmbStationResult {
                    name: st.name.clone(),
                    vehicles: 0,
                    missions: 0,
                    busy_h: 0.0,
                    duty_h: 0.0,
                };
                for (v, veh) in self.scn.vehicles.iter().enumerate() {
                    if veh.station == i {
                        r.vehicles += 1;
                        r.missions += self.veh[v].missions;
                        r.busy_h += self.veh[v].busy_ms / h;
                        r.duty_h += self.veh[v].duty_ms / h;
                    }
                }
                r
            })
            .collect()
    }
}

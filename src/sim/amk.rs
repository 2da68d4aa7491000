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

use super::Event;
use super::World;
use super::ambulance::MissionKind;
use super::patient::Stage;
use super::pool::{Job, Pools};
use super::result::{Outcome, ResponseRecord, Role};
use super::score::{self, RURAL, URBAN};
use crate::base::ids::{CalloutId, PatientId, PoolId, RedEventId, SiteId, ZoneId};
use crate::base::rng::{Purpose, patient_rng};
use crate::base::time::{Dur, SimTime};
use crate::base::urgency::Urgency;
use crate::input::scenario::{Scenario, Site, ZoneClass};
use rand::RngExt;
use slab::Slab;

/// A red event being followed.
#[derive(Debug, Clone)]
struct RedEvent {
    t_ring: SimTime,
    class: score::Class,
    amb_arrival: Option<SimTime>,
    lv_arrival: Option<SimTime>,
    cleared: Option<SimTime>,
    callout_open: bool,
}

/// Whom a legevakt call-out is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A red event, alongside the ambulance.
    Red(RedEventId),
    /// A yellow patient the doctor car sees first (Moss model).
    DoctorCar(PatientId),
}

/// A legevakt call-out (doctor or satellite nurse).
#[derive(Debug, Clone)]
struct Callout {
    target: Target,
    zone: ZoneId,
    pool: PoolId,
    site: SiteId,
    /// Seed of the patient concerned (per-patient draws, common random numbers).
    seed: u64,
}

/// The AMK's operator pool, the red events being followed and the call-outs under way.
pub(crate) struct Amk {
    operators: Option<PoolId>,
    red_events: Slab<RedEvent>,
    callouts: Slab<Callout>,
}

impl Amk {
    pub fn new(scn: &Scenario, pools: &mut Pools) -> Amk {
        Amk {
            operators: scn.amk.as_ref().map(|a| {
                pools.add(
                    &a.operators,
                    format!("{} operators", a.name),
                    Role::AmkOperators,
                )
            }),
            red_events: Slab::new(),
            callouts: Slab::new(),
        }
    }
}

impl World<'_> {
    /// A patient reaches 113.
    pub(super) fn reach_amk(&mut self, p: PatientId) {
        self.score.call_113(self.now);
        let Some(pool) = self.amk.operators else {
            self.complete(p, Outcome::ToAmk);
            return;
        };
        let seq = self.next_seq();
        let now = self.now;
        let pat = &mut self.patients[p];
        pat.t_ring = now;
        pat.t_wait = now;
        pat.via_amk = true;
        pat.stage = Stage::AmkQueue;
        self.request(pool, 0, seq, Job::AmkCall(p));
    }

    pub(super) fn amk_call_start(&mut self, p: PatientId) {
        let now = self.now;
        let amk = self.scn.amk.as_ref().expect("AMK pool implies AMK");
        let pat = &mut self.patients[p];
        debug_assert_eq!(pat.stage, Stage::AmkQueue);
        pat.stage = Stage::AmkCall;
        let answer = now - pat.t_ring;
        let m =
            amk.handling_min[pat.urgency].sample(&mut patient_rng(pat.seed, Purpose::AmkHandling));
        self.score.amk_answered(now, answer);
        self.after(Dur::from_minutes(m), Event::AmkCallEnd { p });
    }

    pub(super) fn amk_call_end(&mut self, p: PatientId) {
        let amk = self.scn.amk.as_ref().expect("AMK pool implies AMK");
        self.release(self.amk.operators.expect("AMK pool"));
        let now = self.now;
        let (u, z, via_lvs) = {
            let pat = &mut self.patients[p];
            debug_assert_eq!(pat.stage, Stage::AmkCall);
            pat.t_notified = now;
            pat.stage = Stage::Ambulance;
            (pat.urgency, pat.zone, pat.via_lvs)
        };
        let scene = self.scn.travel.zone_place(z);
        match u {
            Urgency::Red => {
                let class = if self.scn.zones[z].class == ZoneClass::Urban {
                    URBAN
                } else {
                    RURAL
                };
                let r = RedEventId::new(self.amk.red_events.insert(RedEvent {
                    t_ring: self.patients[p].t_ring,
                    class,
                    amb_arrival: None,
                    lv_arrival: None,
                    cleared: None,
                    callout_open: false,
                }));
                self.patients[p].red = Some(r);
                self.request_ambulance(p, MissionKind::Emergency, scene);
                if amk.alert_red && self.u(p, Purpose::Callout) < amk.callout_share {
                    self.start_callout(Target::Red(r), p);
                }
            }
            Urgency::Yellow => {
                if amk.doctor_car_first && self.start_callout(Target::DoctorCar(p), p) {
                    self.patients[p].stage = Stage::DoctorCar;
                } else {
                    self.request_ambulance(p, MissionKind::Emergency, scene);
                }
            }
            Urgency::Green => {
                let lvs = self.scn.derived.zone_lvs[z];
                let to_lvs = self.u(p, Purpose::AmkGreen) < amk.green_to_116117;
                match lvs {
                    Some(l) if to_lvs && !via_lvs => self.lvs_call(p, l),
                    _ => self.request_ambulance(p, MissionKind::Planned, scene),
                }
            }
        }
    }

    /// Send the legevakt out: the nearest open site (satellite nurse or station doctor for red;
    /// a station doctor for the Moss doctor car). Returns false if none is open.
    fn start_callout(&mut self, target: Target, p: PatientId) -> bool {
        let zone = self.patients[p].zone;
        let seed = self.patients[p].seed;
        let scn = self.scn;
        let red = matches!(target, Target::Red(_));
        let site = scn.derived.zone_sites[zone].iter().copied().find(|&s| {
            scn.site_open(s).level_at(self.now) > 0
                && (red || matches!(scn.sites[s], Site::Station(_)))
        });
        let Some(s) = site else { return false };
        let pool = self.legevakt.outgoing_pool(scn.sites[s]);
        let c = CalloutId::new(self.amk.callouts.insert(Callout {
            target,
            zone,
            pool,
            site: s,
            seed,
        }));
        if let Target::Red(r) = target {
            self.amk.red_events[r.index()].callout_open = true;
        }
        let seq = self.next_seq();
        let (prio, job) = match target {
            Target::Red(_) => (Urgency::Red.priority(), Job::RedCallout(c)),
            Target::DoctorCar(_) => (Urgency::Yellow.priority(), Job::DoctorCar(c)),
        };
        self.request(pool, prio, seq, job);
        true
    }

    /// A doctor or nurse is free to go out.
    pub(super) fn callout_start(&mut self, c: CalloutId) {
        let co = self.amk.callouts[c.index()].clone();
        if let Target::Red(r) = co.target
            && self.amk.red_events[r.index()].cleared.is_some()
        {
            // The ambulance has already left the scene: no point going out.
            self.amk.callouts.remove(c.index());
            self.release(co.pool);
            self.red_callout_closed(r);
            return;
        }
        let m = self.scn.zone_site_min(co.zone, co.site);
        self.after(Dur::from_minutes(m), Event::CalloutArrive { c });
    }

    pub(super) fn callout_arrive(&mut self, c: CalloutId) {
        let co = self.amk.callouts[c.index()].clone();
        let amk = self.scn.amk.as_ref().expect("call-outs imply AMK");
        let dist = match co.target {
            Target::Red(r) => {
                let ev = &mut self.amk.red_events[r.index()];
                if ev.cleared.is_none() {
                    ev.lv_arrival = Some(self.now);
                }
                &amk.callout_on_scene_min
            }
            Target::DoctorCar(_) => &amk.doctor_car_on_scene_min,
        };
        let m = dist.sample(&mut patient_rng(co.seed, Purpose::Callout));
        self.after(Dur::from_minutes(m), Event::CalloutEnd { c });
    }

    pub(super) fn callout_end(&mut self, c: CalloutId) {
        let co = self.amk.callouts.remove(c.index());
        let back = self.scn.zone_site_min(co.zone, co.site);
        self.after(
            Dur::from_minutes(back),
            Event::ServerReturn { pool: co.pool },
        );
        match co.target {
            Target::Red(r) => self.red_callout_closed(r),
            Target::DoctorCar(p) => {
                let amk = self.scn.amk.as_ref().expect("AMK");
                self.score.doctor_car_assessment(self.now);
                let seed = self.patients[p].seed;
                if patient_rng(seed, Purpose::Conveyance).random::<f64>() < amk.doctor_car_convey {
                    self.patients[p].stage = Stage::Ambulance;
                    let scene = self.scn.travel.zone_place(co.zone);
                    self.request_ambulance(p, MissionKind::Transport, scene);
                } else {
                    self.complete(p, Outcome::TreatedOnScene);
                }
            }
        }
    }

    /// An ambulance reached patient `p`'s red event.
    pub(super) fn record_red_response(&mut self, p: PatientId) {
        let now = self.now;
        let (r, t_ring, t_notified, zone, v) = {
            let pat = &self.patients[p];
            (pat.red, pat.t_ring, pat.t_notified, pat.zone, pat.vehicle)
        };
        if let Some(r) = r
            && let Some(ev) = self.amk.red_events.get_mut(r.index())
        {
            ev.amb_arrival = Some(now);
        }
        let class = if self.scn.zones[zone].class == ZoneClass::Urban {
            URBAN
        } else {
            RURAL
        };
        let resp = now - t_ring;
        self.score
            .red_response(t_ring, class, zone, resp, now - t_notified);
        if let Some(tr) = &mut self.trace {
            tr.responses.push(ResponseRecord {
                t_ring_min: t_ring.minutes(),
                t_notified_min: t_notified.minutes(),
                t_on_scene_min: now.minutes(),
                response_min: resp.minutes(),
                vehicle: v.expect("an ambulance is on scene"),
            });
        }
    }

    /// The ambulance left the scene of red event `r`.
    pub(super) fn red_scene_cleared(&mut self, r: RedEventId) {
        self.amk.red_events[r.index()].cleared = Some(self.now);
        if !self.amk.red_events[r.index()].callout_open {
            self.finish_red(r);
        }
    }

    fn red_callout_closed(&mut self, r: RedEventId) {
        self.amk.red_events[r.index()].callout_open = false;
        if self.amk.red_events[r.index()].cleared.is_some() {
            self.finish_red(r);
        }
    }

    /// Score a red event once the ambulance has left and any call-out has ended.
    fn finish_red(&mut self, r: RedEventId) {
        let ev = self.amk.red_events.remove(r.index());
        let cleared = ev.cleared.expect("finished events are cleared");
        let lv = ev.lv_arrival.filter(|&t| t <= cleared);
        let first = match (ev.amb_arrival, lv) {
            (Some(a), Some(l)) => Some(a.min(l)),
            (a, l) => a.or(l),
        };
        let first_ok = first.is_some_and(|f| (f - ev.t_ring).0 <= score::target_ms(ev.class));
        self.score.red_event(ev.t_ring, lv.is_some(), first_ok);
    }
}

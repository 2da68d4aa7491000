//! AMK (113): calls queue first-come-first-served for operators on a schedule; the answer time is
//! recorded against 90 % within 10 s; the operator's handling time (answer → response decided,
//! ambulance notified) depends on the urgency, and the operator may stay on the line for a
//! guidance time after dispatch (`guidance_after_dispatch_min`). Then:
//!
//! * red → the nearest ground ambulance (and an air unit in parallel when the air rule says so),
//!   and an alert to the legevakt on duty ("trippelvarsling"): with the scenario's call-out
//!   share the legevakt goes out — its doctor car if one is on duty, free and in area, else the
//!   nearest open station's doctor or the satellite nurse where a satellite is nearer and open;
//! * yellow → the legevakt doctor car is offered the mission where there is one (Moss model):
//!   it declines when busy, out of its area or by the doctor's judgement, and the ambulance then
//!   goes alone;
//! * green → forwarded to the legevaktsentral, or a planned ambulance transport (driven in the
//!   planned-transport hours, deferred otherwise).
//!
//! Red events are followed until the ground ambulance has left the scene and every other unit
//! (call-out, doctor car, air unit) has closed, then scored: first unit of any kind on scene
//! within the target, legevakt present.

use super::Event;
use super::World;
use super::ambulance::MissionKind;
use super::doctor_car::CarFor;
use super::patient::Stage;
use super::pool::{Job, Pools};
use super::result::{
    Detail, Outcome, PatientEvent, ResponseRecord, Role, TracePlace, TraceResource,
};
use super::score::{self, RURAL, URBAN};
use crate::base::ids::{
    CalloutId, LineCallId, PatientId, PlaceId, PointId, PoolId, RedEventId, SiteId, ZoneId,
};
use crate::base::rng::{Purpose, patient_rng};
use crate::base::time::{Dur, SimTime};
use crate::base::urgency::Urgency;
use crate::input::scenario::{Scenario, Site, ZoneClass};
use slab::Slab;

/// A red event being followed.
#[derive(Debug, Clone)]
struct RedEvent {
    t_ring: SimTime,
    class: score::Class,
    /// First unit of any kind on scene.
    first_any: Option<SimTime>,
    /// A legevakt unit (doctor, satellite nurse, doctor car) reached the scene while it was
    /// open.
    legevakt_there: bool,
    /// The ground ambulance left the scene.
    cleared: bool,
    /// Units other than the ground ambulance still out (call-outs, doctor car, air unit).
    units_out: u32,
}

/// A legevakt call-out (station doctor or satellite nurse) to a red event.
#[derive(Debug, Clone)]
struct Callout {
    red: RedEventId,
    point: PointId,
    pool: PoolId,
    site: SiteId,
    /// Seed of the patient concerned (per-patient draws, common random numbers).
    seed: u64,
}

/// A call on the AMK's other lines: it only takes an operator for a while, so it carries no
/// patient record — what it needs fits here (most calls to an AMK are of this kind).
#[derive(Debug, Clone, Copy)]
struct LineCall {
    /// Seed of the caller (the handling time is drawn from it).
    seed: u64,
    /// The operators of the caller's AMK centre.
    pool: PoolId,
    /// Patient number in the trace (0 when not tracing).
    traced: u32,
}

/// The AMK's operator pool, the red events being followed, the call-outs and the calls on the
/// other lines under way.
pub(crate) struct Amk {
    /// Operator pools: `[amk]`'s, then one per further centre (empty without an AMK).
    operators: Vec<PoolId>,
    red_events: Slab<RedEvent>,
    callouts: Slab<Callout>,
    lines: Slab<LineCall>,
}

impl Amk {
    pub fn new(scn: &Scenario, pools: &mut Pools) -> Amk {
        let mut operators = Vec::new();
        if let Some(a) = &scn.amk {
            operators.push(pools.add(
                &a.operators,
                format!("{} operators", a.name),
                Role::AmkOperators,
            ));
            for c in &a.centres {
                let name = format!("{} operators", c.name);
                operators.push(pools.add(&c.operators, name, Role::AmkOperators));
            }
        }
        Amk {
            operators,
            red_events: Slab::new(),
            callouts: Slab::new(),
            lines: Slab::new(),
        }
    }

    /// Calls on the other lines waiting or being handled.
    pub fn lines_under_way(&self) -> usize {
        self.lines.len()
    }
}

/// Queue priority of calls on the AMK's other lines: after every 113 call (priority 0).
const OTHER_LINE_PRIORITY: u8 = 1;

impl World<'_> {
    /// The operators of the AMK centre patient `p`'s zone calls.
    fn amk_pool(&self, p: PatientId) -> Option<PoolId> {
        self.zone_amk_pool(self.patients[p].zone)
    }

    /// The operator pool of the AMK centre that zone `z` calls, if the model has an AMK.
    fn zone_amk_pool(&self, z: ZoneId) -> Option<PoolId> {
        self.amk
            .operators
            .get(self.scn.derived.zone_amk[z])
            .copied()
    }

    /// A patient reaches 113.
    pub(super) fn reach_amk(&mut self, p: PatientId) {
        self.score.call_113(self.now);
        self.note_amk(p, PatientEvent::Call113Ring, TraceResource::None);
        let Some(pool) = self.amk_pool(p) else {
            self.complete(p, Outcome::ToAmk);
            return;
        };
        let seq = self.next_seq();
        let now = self.now;
        let pat = &mut self.patients[p];
        if pat.stage != Stage::RedialAmk {
            // The response clock starts at the first call, not at a redial.
            pat.t_ring = now;
        }
        pat.t_wait = now;
        pat.via_amk = true;
        pat.stage = Stage::AmkQueue;
        pat.seq = seq;
        self.request(pool, 0, seq, Job::AmkCall(p, seq));
        if self.patients[p].stage == Stage::AmkQueue
            && let Some(a) = &self
                .scn
                .amk
                .as_ref()
                .expect("AMK pool implies AMK")
                .abandonment
        {
            self.await_patience(p, seq, a);
        }
    }

    /// A call on the AMK's other lines joins the operators' queue behind every 113 call.
    pub(super) fn amk_other_line(&mut self, seed: u64, zone: ZoneId) {
        self.generated += 1;
        let traced = self.note_line_arises(zone);
        let rings = PatientEvent::Call113Ring;
        self.note_line(
            traced,
            rings,
            TracePlace::Amk,
            TraceResource::None,
            Detail::None,
        );
        let Some(pool) = self.zone_amk_pool(zone) else {
            self.line_complete(traced);
            return;
        };
        let seq = self.next_seq();
        let c = LineCallId::new(self.amk.lines.insert(LineCall { seed, pool, traced }));
        self.request(pool, OTHER_LINE_PRIORITY, seq, Job::AmkLine(c));
    }

    /// An operator answers a call on the other lines.
    pub(super) fn amk_line_start(&mut self, pool: PoolId, c: LineCallId) {
        let call = self.amk.lines[c.index()];
        let (answered, r) = (PatientEvent::Call113Answered, TraceResource::Pool(pool));
        self.note_line(call.traced, answered, TracePlace::Amk, r, Detail::None);
        let amk = self.scn.amk.as_ref().expect("AMK pool implies AMK");
        let m = amk
            .other_call_min
            .sample(&mut patient_rng(call.seed, Purpose::AmkHandling));
        self.after(Dur::from_minutes(m), Event::AmkLineEnd { c });
    }

    /// A call on the other lines ends: the operator takes the next call.
    pub(super) fn amk_line_end(&mut self, c: LineCallId) {
        let call = self.amk.lines.remove(c.index());
        let (ends, r) = (PatientEvent::Call113End, TraceResource::Pool(call.pool));
        self.note_line(call.traced, ends, TracePlace::Amk, r, Detail::None);
        self.release(call.pool);
        self.line_complete(call.traced);
    }

    /// A call on the other lines is over.
    fn line_complete(&mut self, traced: u32) {
        let outcome = Outcome::OtherAmkCall;
        let (complete, place, r) = (
            PatientEvent::Complete,
            TracePlace::None,
            TraceResource::None,
        );
        self.note_line(traced, complete, place, r, Detail::outcome(outcome));
        self.path_ended(outcome);
    }

    pub(super) fn amk_call_start(&mut self, pool: PoolId, p: PatientId, seq: u64) {
        if !self.still_waiting(p, seq, Stage::AmkQueue) {
            self.release(pool);
            return;
        }
        let now = self.now;
        self.note_amk(p, PatientEvent::Call113Answered, TraceResource::Pool(pool));
        let amk = self.scn.amk.as_ref().expect("AMK pool implies AMK");
        let pat = &mut self.patients[p];
        pat.stage = Stage::AmkCall;
        let answer = now - pat.t_wait;
        pat.t_answer = now;
        let m =
            amk.handling_min[pat.urgency].sample(&mut patient_rng(pat.seed, Purpose::AmkHandling));
        self.score.amk_answered(now, answer);
        self.after(Dur::from_minutes(m), Event::AmkCallEnd { p });
    }

    /// The response is decided and the ambulance notified.
    pub(super) fn amk_call_end(&mut self, p: PatientId) {
        let amk = self.scn.amk.as_ref().expect("AMK pool implies AMK");
        let operators = self.amk_pool(p).expect("AMK pool");
        self.note_amk(p, PatientEvent::Call113End, TraceResource::Pool(operators));
        let now = self.now;
        let (u, z, via_lvs, seed) = {
            let pat = &mut self.patients[p];
            debug_assert_eq!(pat.stage, Stage::AmkCall);
            pat.t_notified = now;
            pat.stage = Stage::Ambulance;
            (pat.urgency, pat.zone, pat.via_lvs, pat.seed)
        };
        let point = self.patients[p].point;
        // The operator stays on the line for the guidance time, then takes the next call.
        match &amk.guidance_min {
            Some(g) => {
                let m = g[u].sample(&mut patient_rng(seed, Purpose::Guidance));
                self.after(Dur::from_minutes(m), Event::ServerFree { pool: operators });
            }
            None => self.release(operators),
        }
        let scene = self.scn.travel.point_place(point);
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
                    first_any: None,
                    legevakt_there: false,
                    cleared: false,
                    units_out: 0,
                }));
                self.patients[p].red = Some(r);
                self.note_red_event(r, p);
                self.request_ambulance(p, MissionKind::Emergency, scene);
                if amk.alert_red
                    && self.u(p, Purpose::Callout) < amk.callout_share
                    && !self.offer_doctor_car(CarFor::Red(r), point, seed)
                {
                    self.start_callout(r, p);
                }
            }
            Urgency::Yellow => {
                if self.offer_doctor_car(CarFor::Yellow(p), point, seed) {
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
                    _ => self.request_planned(p, scene),
                }
            }
        }
    }

    /// A planned transport: now, or at the start of the next planned-transport hours.
    fn request_planned(&mut self, p: PatientId, scene: PlaceId) {
        let amk = self.scn.amk.as_ref().expect("AMK");
        let start = amk
            .planned_hours
            .as_ref()
            .and_then(|h| h.next_open_at_or_after(self.now))
            .unwrap_or(self.now);
        if start <= self.now {
            self.request_ambulance(p, MissionKind::Planned, scene);
        } else {
            self.patients[p].stage = Stage::PlannedWait;
            self.score.planned_deferred(self.now);
            let (pl, r, d) = (TracePlace::Home, TraceResource::None, Detail::Planned);
            self.note(p, PatientEvent::PlannedDeferred, pl, r, d);
            self.q.push(start, Event::PlannedStart { p });
        }
    }

    /// The planned-transport hours have begun for a deferred transport.
    pub(super) fn planned_start(&mut self, p: PatientId) {
        debug_assert_eq!(self.patients[p].stage, Stage::PlannedWait);
        self.patients[p].stage = Stage::Ambulance;
        let scene = self.patients[p].scene;
        self.request_ambulance(p, MissionKind::Planned, scene);
    }

    /// Send the legevakt out to red event `r`: from the nearest site open now, the station's
    /// doctor or the satellite's nurse, who goes when free (unless the ambulance has left by
    /// then).
    fn start_callout(&mut self, r: RedEventId, p: PatientId) {
        let point = self.patients[p].point;
        let seed = self.patients[p].seed;
        let scn = self.scn;
        let site = scn.derived.point_sites[point]
            .iter()
            .copied()
            .find(|&s| scn.site_open(s).level_at(self.now) > 0);
        let Some(s) = site else { return };
        let pool = self.legevakt.outgoing_pool(scn.sites[s]);
        let c = CalloutId::new(self.amk.callouts.insert(Callout {
            red: r,
            point,
            pool,
            site: s,
            seed,
        }));
        self.red_unit_sent(r);
        let (pl, res) = (TracePlace::Site(s), TraceResource::Pool(pool));
        self.note_red(r, PatientEvent::CalloutRequested, pl, res, Detail::Red);
        let seq = self.next_seq();
        self.request(pool, Urgency::Red.priority(), seq, Job::RedCallout(c));
    }

    /// A doctor or nurse is free to go out.
    pub(super) fn callout_start(&mut self, c: CalloutId) {
        let co = self.amk.callouts[c.index()].clone();
        if self.amk.red_events[co.red.index()].cleared {
            // The ambulance has already left the scene: no point going out.
            self.amk.callouts.remove(c.index());
            let (pl, res) = (TracePlace::Site(co.site), TraceResource::Pool(co.pool));
            self.note_red(co.red, PatientEvent::CalloutCancelled, pl, res, Detail::Red);
            self.release(co.pool);
            self.red_unit_closed(co.red);
            return;
        }
        self.pools.get_mut(co.pool).leave(self.now);
        let m = self.scn.point_site_min(co.point, co.site);
        self.after(Dur::from_minutes(m), Event::CalloutArrive { c });
    }

    pub(super) fn callout_arrive(&mut self, c: CalloutId) {
        let co = self.amk.callouts[c.index()].clone();
        let amk = self.scn.amk.as_ref().expect("call-outs imply AMK");
        let (pl, res) = (TracePlace::Home, TraceResource::Pool(co.pool));
        self.note_red(co.red, PatientEvent::CalloutOnScene, pl, res, Detail::Red);
        self.red_unit_arrived(co.red, true);
        let m = amk
            .callout_on_scene_min
            .sample(&mut patient_rng(co.seed, Purpose::Callout));
        let station = match self.scn.sites[co.site] {
            Site::Station(i) => Some(i),
            Site::Satellite(_) => None,
        };
        self.score.callout(self.now, station);
        self.after(Dur::from_minutes(m), Event::CalloutEnd { c });
    }

    pub(super) fn callout_end(&mut self, c: CalloutId) {
        let co = self.amk.callouts.remove(c.index());
        let back = self.scn.point_site_min(co.point, co.site);
        let (pl, res) = (TracePlace::Home, TraceResource::Pool(co.pool));
        self.note_red(co.red, PatientEvent::CalloutLeaves, pl, res, Detail::Red);
        self.after(Dur::from_minutes(back), Event::ServerBack { pool: co.pool });
        self.red_unit_closed(co.red);
    }

    /// A ground ambulance reached patient `p`'s red event: the response KPIs.
    pub(super) fn record_red_response(&mut self, p: PatientId) {
        let now = self.now;
        let (r, t_ring, t_answer, t_notified, zone, v) = {
            let pat = &self.patients[p];
            (
                pat.red,
                pat.t_ring,
                pat.t_answer,
                pat.t_notified,
                pat.zone,
                pat.vehicle,
            )
        };
        if let Some(r) = r {
            self.red_unit_arrived(r, false);
        }
        let class = if self.scn.zones[zone].class == ZoneClass::Urban {
            URBAN
        } else {
            RURAL
        };
        let resp = now - t_ring;
        self.score
            .red_response(t_ring, class, zone, resp, now - t_notified);
        let ind = if self.scn.zones[zone].indicator_class == ZoneClass::Urban {
            URBAN
        } else {
            RURAL
        };
        self.score.indicator_response(t_ring, ind, now - t_answer);
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

    /// Note a 113 event of patient `p` at its AMK centre.
    #[inline(always)]
    fn note_amk(&mut self, p: PatientId, event: PatientEvent, resource: TraceResource) {
        self.note(p, event, TracePlace::Amk, resource, Detail::None);
    }

    /// The first unit of any kind reached yellow patient `p` (an ambulance or the doctor car).
    pub(super) fn yellow_first_unit(&mut self, p: PatientId) {
        let pat = &mut self.patients[p];
        if !pat.yellow_scored {
            pat.yellow_scored = true;
            let (t_ring, now) = (pat.t_ring, self.now);
            self.score.yellow_response(t_ring, now - t_ring);
        }
    }

    /// A unit other than the ground ambulance is sent to red event `r`.
    pub(super) fn red_unit_sent(&mut self, r: RedEventId) {
        self.amk.red_events[r.index()].units_out += 1;
    }

    /// A unit reached red event `r` (`legevakt`: a doctor, satellite nurse or doctor car).
    /// Returns whether the event was still open (the ground ambulance still there or coming).
    pub(super) fn red_unit_arrived(&mut self, r: RedEventId, legevakt: bool) -> bool {
        let now = self.now;
        let ev = &mut self.amk.red_events[r.index()];
        if ev.cleared {
            return false;
        }
        ev.first_any = Some(ev.first_any.map_or(now, |t| t.min(now)));
        ev.legevakt_there |= legevakt;
        true
    }

    /// A unit other than the ground ambulance has finished at red event `r`.
    pub(super) fn red_unit_closed(&mut self, r: RedEventId) {
        let ev = &mut self.amk.red_events[r.index()];
        ev.units_out = ev.units_out.checked_sub(1).expect("a unit was out");
        if ev.cleared && ev.units_out == 0 {
            self.finish_red(r);
        }
    }

    /// The ground ambulance left the scene of red event `r`.
    pub(super) fn red_scene_cleared(&mut self, r: RedEventId) {
        let ev = &mut self.amk.red_events[r.index()];
        ev.cleared = true;
        if ev.units_out == 0 {
            self.finish_red(r);
        }
    }

    /// Score a red event once the ambulance has left and every other unit has closed.
    fn finish_red(&mut self, r: RedEventId) {
        let ev = self.amk.red_events.remove(r.index());
        let first_ok = ev
            .first_any
            .is_some_and(|f| (f - ev.t_ring).0 <= score::target_ms(ev.class));
        self.score.red_event(ev.t_ring, ev.legevakt_there, first_ok);
    }
}

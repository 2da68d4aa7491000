//! Legevakt stations and satellites.
//!
//! * Station: arrival → (nurse triage, if the station has triage nurses) → queue for a doctor by
//!   urgency, then arrival order → consultation → done.
//! * Satellite: arrival → queue for the satellite nurse → the nurse, with the patient, queues for a
//!   **host doctor** in the host station's doctor queue (same priority rules as the host's own
//!   patients) → video consultation holding nurse and doctor → done.
//! * Home visit: a station doctor leaves the station (travel + visit + return) — the station has
//!   one doctor fewer meanwhile; a satellite nurse does the same with the host doctor on video for
//!   the visit itself.
//!
//! The waiting-time KPIs run from arrival at the site to the start of the consultation (doctor
//! or video), triage included: the time a patient waits to see a doctor. The share that waited
//! counts patients who queued at all (for the triage nurse or for the doctor); the triage
//! itself is not queueing.

use super::Event;
use super::World;
use super::ambulance::MissionKind;
use super::patient::Stage;
use super::pool::{Job, Pools};
use super::result::{
    Detail, LegevaktStationResult, Outcome, PatientEvent, Role, TracePlace, TraceResource,
};
use super::score::AssessmentReason;
use crate::base::ids::{IdVec, PatientId, PoolId, SatelliteId, SiteId, StationId};
use crate::base::rng::{Purpose, patient_rng};
use crate::base::time::{Dur, MS_PER_HOUR};
use crate::input::scenario::{NoVisitSite, Scenario, Site, TravelMode, VideoTime};

/// The pools of the legevakt: doctors and triage nurses of each station, nurses of each
/// satellite.
pub(crate) struct Legevakt {
    doctors: IdVec<StationId, PoolId>,
    triage: IdVec<StationId, Option<PoolId>>,
    sat_nurses: IdVec<SatelliteId, PoolId>,
}

impl Legevakt {
    pub fn new(scn: &Scenario, pools: &mut Pools) -> Legevakt {
        let doctors = scn
            .stations
            .iter()
            .map(|s| pools.add(&s.doctors, format!("{} doctors", s.name), Role::Doctors))
            .collect();
        let triage = scn
            .stations
            .iter()
            .map(|s| {
                s.triage.as_ref().map(|t| {
                    pools.add(
                        &t.nurses,
                        format!("{} triage nurses", s.name),
                        Role::TriageNurses,
                    )
                })
            })
            .collect();
        let sat_nurses = scn
            .satellites
            .iter()
            .map(|s| {
                pools.add(
                    &s.nurses,
                    format!("{} nurses", s.name),
                    Role::SatelliteNurses,
                )
            })
            .collect();
        Legevakt {
            doctors,
            triage,
            sat_nurses,
        }
    }

    /// The doctors of a station.
    pub fn doctor_pool(&self, st: StationId) -> PoolId {
        self.doctors[st]
    }

    /// The pool of a site's people who go out: the station's doctors or the satellite's nurses.
    pub fn outgoing_pool(&self, site: Site) -> PoolId {
        match site {
            Site::Station(i) => self.doctors[i],
            Site::Satellite(i) => self.sat_nurses[i],
        }
    }
}

impl World<'_> {
    /// The site a patient is at.
    fn site_of(&self, p: PatientId) -> (SiteId, Site) {
        let s = self.patients[p].site.expect("the patient has a site");
        (s, self.scn.sites[s])
    }

    /// The legevaktsentral sends patient `p` to site `s`: they drive (or are driven) there, go
    /// by patient transport, or are taken by ambulance (`[legevakt_transport]`; the shares rise
    /// with the distance).
    pub(super) fn send_to_site(&mut self, p: PatientId, s: SiteId) {
        let Some(t) = &self.scn.transport else {
            return self.travel_to_site(p, s);
        };
        let (pt, u) = (self.patients[p].point, self.patients[p].urgency);
        let place = self.scn.travel.point_place(pt);
        let km = self.scn.travel.km(place, self.scn.site_facility(s));
        match t.mode(u, km, self.u(p, Purpose::Transport)) {
            TravelMode::Own => self.travel_to_site(p, s),
            TravelMode::PatientTransport => {
                self.score.patient_transport(self.now);
                self.note_site(p, PatientEvent::PatientTransport, s, TraceResource::None);
                let pat = &mut self.patients[p];
                pat.site = Some(s);
                pat.stage = Stage::PatientTransport;
                let wait = t
                    .patient_transport_wait_min
                    .sample(&mut patient_rng(pat.seed, Purpose::Transport));
                let drive = Dur::from_minutes(self.scn.point_site_min(pt, s));
                self.score.travel_to_legevakt(self.now, drive);
                self.after(Dur::from_minutes(wait) + drive, Event::ArriveAtSite { p });
            }
            TravelMode::Ambulance => {
                self.score.ambulance_to_legevakt(self.now);
                let pat = &mut self.patients[p];
                pat.site = Some(s);
                pat.stage = Stage::Ambulance;
                self.request_ambulance(p, MissionKind::ToLegevakt(s), place);
            }
        }
    }

    /// The patient drives to site `s`.
    pub(super) fn travel_to_site(&mut self, p: PatientId, s: SiteId) {
        self.note_site(p, PatientEvent::TravelToLegevakt, s, TraceResource::None);
        let pat = &mut self.patients[p];
        pat.site = Some(s);
        pat.stage = Stage::Travelling;
        let d = Dur::from_minutes(self.scn.point_site_min(pat.point, s));
        self.score.travel_to_legevakt(self.now, d);
        self.after(d, Event::ArriveAtSite { p });
    }

    /// Arrival at a station or satellite.
    pub(super) fn arrive_at_site(&mut self, p: PatientId) {
        let seq = self.next_seq();
        let now = self.now;
        let (s, site) = self.site_of(p);
        self.note_site(p, PatientEvent::ArriveLegevakt, s, TraceResource::None);
        let pat = &mut self.patients[p];
        debug_assert!(
            matches!(
                pat.stage,
                Stage::Travelling | Stage::PatientTransport | Stage::Ambulance
            ),
            "arriving at a legevakt from {:?}",
            pat.stage
        );
        pat.t_wait = now;
        pat.seq = seq;
        pat.triage = Dur::ZERO;
        let prio = pat.urgency.priority();
        match site {
            Site::Station(i) => {
                if let Some(tp) = self.legevakt.triage[i] {
                    pat.stage = Stage::TriageQueue;
                    self.request(tp, prio, seq, Job::Triage(p));
                } else {
                    pat.stage = Stage::DoctorQueue;
                    self.request(self.legevakt.doctors[i], prio, seq, Job::Consult(p));
                }
            }
            Site::Satellite(i) => {
                pat.stage = Stage::SatelliteNurseQueue;
                self.request(
                    self.legevakt.sat_nurses[i],
                    prio,
                    seq,
                    Job::SatelliteNurse(p),
                );
            }
        }
    }

    pub(super) fn triage_start(&mut self, p: PatientId) {
        let (s, site) = self.site_of(p);
        let Site::Station(i) = site else {
            panic!("triage outside a station")
        };
        self.note_with(p, PatientEvent::TriageStart, |w| {
            w.at_pool(s, w.legevakt.triage[i])
        });
        let pat = &mut self.patients[p];
        debug_assert_eq!(pat.stage, Stage::TriageQueue);
        pat.stage = Stage::Triage;
        let t = self.scn.stations[i]
            .triage
            .as_ref()
            .expect("triage pool exists");
        let d = Dur::from_minutes(
            t.time_min
                .sample(&mut patient_rng(pat.seed, Purpose::Triage)),
        );
        pat.triage = d;
        self.after(d, Event::TriageEnd { p });
    }

    pub(super) fn triage_end(&mut self, p: PatientId) {
        let (s, site) = self.site_of(p);
        let Site::Station(i) = site else {
            panic!("triage outside a station")
        };
        self.note_with(p, PatientEvent::TriageEnd, |w| {
            w.at_pool(s, w.legevakt.triage[i])
        });
        let pat = &mut self.patients[p];
        debug_assert_eq!(pat.stage, Stage::Triage);
        pat.stage = Stage::DoctorQueue;
        let (prio, seq) = (pat.urgency.priority(), pat.seq);
        self.release(self.legevakt.triage[i].expect("triage pool exists"));
        self.request(self.legevakt.doctors[i], prio, seq, Job::Consult(p));
    }

    /// The satellite nurse takes the patient; together they wait for a host doctor on video.
    pub(super) fn satellite_nurse_start(&mut self, p: PatientId) {
        let (s, site) = self.site_of(p);
        let Site::Satellite(i) = site else {
            panic!("satellite nurse at a station")
        };
        self.note_with(p, PatientEvent::SatelliteNurseStart, |w| {
            w.at_pool(s, Some(w.legevakt.sat_nurses[i]))
        });
        let pat = &mut self.patients[p];
        debug_assert_eq!(pat.stage, Stage::SatelliteNurseQueue);
        pat.stage = Stage::DoctorQueue;
        let (prio, seq) = (pat.urgency.priority(), pat.seq);
        let host = self.scn.satellites[i].host;
        self.request(self.legevakt.doctors[host], prio, seq, Job::VideoConsult(p));
    }

    /// A doctor starts a consultation (in person at a station, or by video with a satellite).
    pub(super) fn consult_start(&mut self, p: PatientId) {
        let now = self.now;
        let (s, site) = self.site_of(p);
        self.note_consultation(p, s, site, true);
        let pat = &mut self.patients[p];
        debug_assert_eq!(pat.stage, Stage::DoctorQueue);
        pat.stage = Stage::Consultation;
        let wait = now - pat.t_wait;
        let mut rng = patient_rng(pat.seed, Purpose::Consultation);
        let m = match site {
            Site::Station(i) => self.scn.stations[i].consultation_min.sample(&mut rng),
            Site::Satellite(i) => match &self.scn.satellites[i].video {
                VideoTime::Own(d) => d.sample(&mut rng),
                VideoTime::HostFactor(f) => {
                    let host = self.scn.satellites[i].host;
                    f * self.scn.stations[host].consultation_min.sample(&mut rng)
                }
            },
        };
        let (u, queued) = (pat.urgency, wait.0 > pat.triage.0);
        self.score.legevakt_wait(now, u, wait, queued);
        self.after(Dur::from_minutes(m), Event::ConsultEnd { p });
    }

    pub(super) fn consult_end(&mut self, p: PatientId) {
        debug_assert_eq!(self.patients[p].stage, Stage::Consultation);
        let (s, site) = self.site_of(p);
        self.note_consultation(p, s, site, false);
        match site {
            Site::Station(i) => {
                self.release(self.legevakt.doctors[i]);
                self.score.station_consultation(self.now, i);
                if !self.maybe_refer(p) {
                    self.complete(p, Outcome::StationConsultation);
                }
            }
            Site::Satellite(i) => {
                let host = self.scn.satellites[i].host;
                self.release(self.legevakt.doctors[host]);
                self.release(self.legevakt.sat_nurses[i]);
                self.score.satellite_consultation(self.now, host);
                if !self.maybe_refer(p) {
                    self.complete(p, Outcome::SatelliteConsultation);
                }
            }
        }
    }

    /// The legevaktsentral decided on a home visit. It is made from the nearest site open now
    /// (a satellite whose nurses make no home visits hands it to its host station) — unless
    /// `[home_visits]` turns it into an ambulance assessment mission: no site open, the patient
    /// too far, or (later, in [`Self::visit_timeout`]) nobody free to leave within the wait limit.
    pub(super) fn home_visit_request(&mut self, p: PatientId) {
        let (pt, u) = {
            let pat = &self.patients[p];
            (pat.point, pat.urgency)
        };
        let policy = self.scn.home_visits;
        let Some(mut s) = self.scn.visit_site(pt, u, self.now) else {
            match policy.when_no_site_open {
                NoVisitSite::Gp => self.complete(p, Outcome::OutsideHours),
                NoVisitSite::Ambulance => self.assessment_mission(p, AssessmentReason::NoSiteOpen),
            }
            return;
        };
        if let Site::Satellite(i) = self.scn.sites[s]
            && !self.scn.satellites[i].home_visits
        {
            s = self.scn.station_site(self.scn.satellites[i].host);
        }
        if policy
            .max_drive_min
            .is_some_and(|max| self.scn.point_site_min(pt, s) > max)
        {
            self.assessment_mission(p, AssessmentReason::TooFar);
            return;
        }
        let seq = self.next_seq();
        let now = self.now;
        let site = self.scn.sites[s];
        let pool = self.legevakt.outgoing_pool(site);
        let job = match site {
            Site::Station(_) => Job::DoctorHomeVisit(p, seq),
            Site::Satellite(_) => Job::NurseHomeVisit(p, seq),
        };
        let pat = &mut self.patients[p];
        pat.site = Some(s);
        pat.stage = Stage::HomeVisitQueue;
        pat.t_wait = now;
        pat.seq = seq;
        pat.visit_pool = Some(pool);
        self.note_pool(p, PatientEvent::HomeVisitRequested, s, Some(pool));
        if let Some(w) = policy.max_wait_min {
            self.after(Dur::from_minutes(w), Event::VisitTimeout { p, seq });
        }
        self.request(pool, u.priority(), seq, job);
    }

    /// The wait limit of a home-visit request is reached: if nobody has left yet, an ambulance
    /// goes instead. (The slot may hold another patient by now: the sequence number tells.)
    pub(super) fn visit_timeout(&mut self, p: PatientId, seq: u64) {
        if self.still_waiting(p, seq, Stage::HomeVisitQueue) {
            self.assessment_mission(p, AssessmentReason::NoOneFree);
        }
    }

    /// An ambulance assessment mission ("vurderingsoppdrag") instead of a home visit.
    pub(super) fn assessment_mission(&mut self, p: PatientId, why: AssessmentReason) {
        let (z, pt) = (self.patients[p].zone, self.patients[p].point);
        self.score.assessment_mission(self.now, z, why);
        let detail = match why {
            AssessmentReason::Policy => Detail::Policy,
            AssessmentReason::NoSiteOpen => Detail::NoSiteOpen,
            AssessmentReason::TooFar => Detail::TooFar,
            AssessmentReason::NoOneFree => Detail::NoOneFree,
        };
        let (ev, home, none) = (
            PatientEvent::AssessmentMission,
            TracePlace::Home,
            TraceResource::None,
        );
        self.note(p, ev, home, none, detail);
        self.patients[p].stage = Stage::Ambulance;
        self.request_ambulance(p, MissionKind::Assessment, self.scn.travel.point_place(pt));
    }

    /// The doctor or nurse leaves for the patient's home (or, when the request was withdrawn
    /// for an ambulance, is free again at once).
    pub(super) fn home_visit_start(&mut self, pool: PoolId, p: PatientId, seq: u64) {
        if !self.still_waiting(p, seq, Stage::HomeVisitQueue) {
            self.release(pool);
            return;
        }
        self.pools.get_mut(pool).leave(self.now);
        let (s, _) = self.site_of(p);
        self.note_pool(p, PatientEvent::HomeVisitDeparts, s, Some(pool));
        let pat = &mut self.patients[p];
        pat.stage = Stage::HomeVisitTravel;
        let m = self.scn.point_site_min(pat.point, s);
        self.after(Dur::from_minutes(m), Event::HomeVisitArrive { p });
    }

    pub(super) fn home_visit_arrive(&mut self, p: PatientId) {
        let (_, site) = self.site_of(p);
        if self.trace.is_some() {
            let pool = self.patients[p].visit_pool;
            self.note_home(p, PatientEvent::HomeVisitArrive, pool);
            if let Site::Station(_) = site {
                self.note_home(p, PatientEvent::HomeVisitStart, pool);
            }
        }
        let pat = &mut self.patients[p];
        debug_assert_eq!(pat.stage, Stage::HomeVisitTravel);
        match site {
            Site::Station(i) => {
                pat.stage = Stage::HomeVisit;
                let m = self.scn.stations[i]
                    .home_visit_min
                    .sample(&mut patient_rng(pat.seed, Purpose::HomeVisit));
                self.after(Dur::from_minutes(m), Event::HomeVisitEnd { p });
            }
            Site::Satellite(i) => {
                pat.stage = Stage::HomeVisitVideoQueue;
                let (prio, seq) = (pat.urgency.priority(), pat.seq);
                let host = self.scn.satellites[i].host;
                self.request(
                    self.legevakt.doctors[host],
                    prio,
                    seq,
                    Job::HomeVisitVideo(p),
                );
            }
        }
    }

    /// The host doctor joins a satellite nurse's home visit by video.
    pub(super) fn home_visit_video_start(&mut self, p: PatientId) {
        let (_, site) = self.site_of(p);
        let Site::Satellite(i) = site else {
            panic!("video home visit from a station")
        };
        self.note_with(p, PatientEvent::HomeVisitStart, |w| {
            let host = w.legevakt.doctors[w.scn.satellites[i].host];
            (TracePlace::Home, TraceResource::Pool(host), Detail::None)
        });
        let pat = &mut self.patients[p];
        debug_assert_eq!(pat.stage, Stage::HomeVisitVideoQueue);
        pat.stage = Stage::HomeVisit;
        let m = self.scn.satellites[i]
            .home_visit_min
            .sample(&mut patient_rng(pat.seed, Purpose::HomeVisit));
        self.after(Dur::from_minutes(m), Event::HomeVisitEnd { p });
    }

    pub(super) fn home_visit_end(&mut self, p: PatientId) {
        let (s, site) = self.site_of(p);
        let (point, pool) = {
            let pat = &self.patients[p];
            debug_assert_eq!(pat.stage, Stage::HomeVisit);
            (
                pat.point,
                pat.visit_pool.expect("a home visit has its server"),
            )
        };
        self.note_home(p, PatientEvent::HomeVisitEnd, Some(pool));
        let (video, station) = match site {
            Site::Satellite(i) => {
                let host = self.scn.satellites[i].host;
                self.release(self.legevakt.doctors[host]);
                (true, host)
            }
            Site::Station(i) => (false, i),
        };
        self.score.home_visit(self.now, video, station);
        let back = Dur::from_minutes(self.scn.point_site_min(point, s));
        self.after(back, Event::ServerBack { pool });
        self.complete(p, Outcome::HomeVisit);
    }
}

impl World<'_> {
    /// Note a patient event at site `s` (served by `resource`).
    #[inline(always)]
    fn note_site(&mut self, p: PatientId, event: PatientEvent, s: SiteId, resource: TraceResource) {
        self.note(p, event, TracePlace::Site(s), resource, Detail::None);
    }

    /// Note a patient event at site `s` served by `pool` (if any).
    #[inline(always)]
    fn note_pool(&mut self, p: PatientId, event: PatientEvent, s: SiteId, pool: Option<PoolId>) {
        let res = pool.map_or(TraceResource::None, TraceResource::Pool);
        self.note_site(p, event, s, res);
    }

    /// Place and resource of an event at site `s` served by `pool` (if any).
    fn at_pool(&self, s: SiteId, pool: Option<PoolId>) -> (TracePlace, TraceResource, Detail) {
        let res = pool.map_or(TraceResource::None, TraceResource::Pool);
        (TracePlace::Site(s), res, Detail::None)
    }

    /// Note a home-visit event at the patient's home, served by `pool`.
    #[inline(always)]
    fn note_home(&mut self, p: PatientId, event: PatientEvent, pool: Option<PoolId>) {
        let res = pool.map_or(TraceResource::None, TraceResource::Pool);
        self.note(p, event, TracePlace::Home, res, Detail::None);
    }

    /// Note the start (`start`) or end of patient `p`'s consultation at site `s`: with the
    /// station's doctors, or by video with the satellite's host doctors.
    #[inline(always)]
    fn note_consultation(&mut self, p: PatientId, s: SiteId, site: Site, start: bool) {
        if self.trace.is_none() {
            return;
        }
        let (event, doctors) = match (site, start) {
            (Site::Station(i), true) => (PatientEvent::ConsultStart, self.legevakt.doctors[i]),
            (Site::Station(i), false) => (PatientEvent::ConsultEnd, self.legevakt.doctors[i]),
            (Site::Satellite(i), true) => (
                PatientEvent::VideoConsultStart,
                self.legevakt.doctors[self.scn.satellites[i].host],
            ),
            (Site::Satellite(i), false) => (
                PatientEvent::VideoConsultEnd,
                self.legevakt.doctors[self.scn.satellites[i].host],
            ),
        };
        self.note_pool(p, event, s, Some(doctors));
    }

    /// Per-station doctor hours of the measured period (counts are filled in by the score).
    pub(super) fn legevakt_station_results(&self) -> Vec<LegevaktStationResult> {
        let h = MS_PER_HOUR as f64;
        self.scn
            .stations
            .iter_enumerated()
            .map(|(i, st)| {
                let b = self.pools.get(self.legevakt.doctors[i]).books();
                let night: f64 = (0..168)
                    .filter(|how| !(8..23).contains(&(how % 24)))
                    .map(|how| b.available_by_how[how])
                    .sum();
                LegevaktStationResult {
                    station: i,
                    name: st.name.clone(),
                    scheduled_h: b.capacity_ms / h,
                    available_h: b.available_ms / h,
                    busy_h: b.busy_ms / h,
                    without_doctor_h: b.absent_ms / h,
                    night_available_h: night / h,
                    rota_size: st.rota_size,
                    consultations: 0,
                    video_consultations: 0,
                    home_visits: 0,
                    callouts: 0,
                    car_missions: 0,
                }
            })
            .collect()
    }
}

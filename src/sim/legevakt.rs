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
use super::patient::Stage;
use super::pool::{Job, Pools};
use super::result::{Outcome, Role};
use crate::base::ids::{IdVec, PatientId, PoolId, SatelliteId, SiteId, StationId};
use crate::base::rng::{Purpose, patient_rng};
use crate::base::time::Dur;
use crate::input::scenario::{Scenario, Site};

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

    /// The patient drives to site `s`.
    pub(super) fn travel_to_site(&mut self, p: PatientId, s: SiteId) {
        let pat = &mut self.patients[p];
        pat.site = Some(s);
        pat.stage = Stage::Travelling;
        let d = Dur::from_minutes(self.scn.zone_site_min(pat.zone, s));
        self.score.travel_to_legevakt(self.now, d);
        self.after(d, Event::ArriveAtSite { p });
    }

    /// Arrival at a station or satellite.
    pub(super) fn arrive_at_site(&mut self, p: PatientId) {
        let seq = self.next_seq();
        let now = self.now;
        let (_, site) = self.site_of(p);
        let pat = &mut self.patients[p];
        debug_assert_eq!(pat.stage, Stage::Travelling);
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
        let (_, site) = self.site_of(p);
        let Site::Station(i) = site else {
            panic!("triage outside a station")
        };
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
        let (_, site) = self.site_of(p);
        let Site::Station(i) = site else {
            panic!("triage outside a station")
        };
        let pat = &mut self.patients[p];
        debug_assert_eq!(pat.stage, Stage::Triage);
        pat.stage = Stage::DoctorQueue;
        let (prio, seq) = (pat.urgency.priority(), pat.seq);
        self.release(self.legevakt.triage[i].expect("triage pool exists"));
        self.request(self.legevakt.doctors[i], prio, seq, Job::Consult(p));
    }

    /// The satellite nurse takes the patient; together they wait for a host doctor on video.
    pub(super) fn satellite_nurse_start(&mut self, p: PatientId) {
        let (_, site) = self.site_of(p);
        let Site::Satellite(i) = site else {
            panic!("satellite nurse at a station")
        };
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
        let (_, site) = self.site_of(p);
        let pat = &mut self.patients[p];
        debug_assert_eq!(pat.stage, Stage::DoctorQueue);
        pat.stage = Stage::Consultation;
        let wait = now - pat.t_wait;
        let mut rng = patient_rng(pat.seed, Purpose::Consultation);
        let m = match site {
            Site::Station(i) => self.scn.stations[i].consultation_min.sample(&mut rng),
            Site::Satellite(i) => self.scn.satellites[i].video_min.sample(&mut rng),
        };
        let (u, queued) = (pat.urgency, wait.0 > pat.triage.0);
        self.score.legevakt_wait(now, u, wait, queued);
        self.after(Dur::from_minutes(m), Event::ConsultEnd { p });
    }

    pub(super) fn consult_end(&mut self, p: PatientId) {
        debug_assert_eq!(self.patients[p].stage, Stage::Consultation);
        match self.site_of(p).1 {
            Site::Station(i) => {
                self.release(self.legevakt.doctors[i]);
                self.score.station_consultation(self.now);
                if !self.maybe_refer(p) {
                    self.complete(p, Outcome::StationConsultation);
                }
            }
            Site::Satellite(i) => {
                let host = self.scn.satellites[i].host;
                self.release(self.legevakt.doctors[host]);
                self.release(self.legevakt.sat_nurses[i]);
                self.score.satellite_consultation(self.now);
                if !self.maybe_refer(p) {
                    self.complete(p, Outcome::SatelliteConsultation);
                }
            }
        }
    }

    /// The legevaktsentral decided on a home visit.
    pub(super) fn home_visit_request(&mut self, p: PatientId) {
        let (z, u) = {
            let pat = &self.patients[p];
            (pat.zone, pat.urgency)
        };
        // A home visit is made from the nearest open site for this urgency; a satellite whose
        // nurses make no home visits hands it to its host station.
        let Some(mut s) = self.scn.visit_site(z, u, self.now) else {
            self.complete(p, Outcome::OutsideHours);
            return;
        };
        if let Site::Satellite(i) = self.scn.sites[s]
            && !self.scn.satellites[i].home_visits
        {
            s = self.scn.station_site(self.scn.satellites[i].host);
        }
        let seq = self.next_seq();
        let now = self.now;
        let site = self.scn.sites[s];
        let pool = self.legevakt.outgoing_pool(site);
        let job = match site {
            Site::Station(_) => Job::DoctorHomeVisit(p),
            Site::Satellite(_) => Job::NurseHomeVisit(p),
        };
        let pat = &mut self.patients[p];
        pat.site = Some(s);
        pat.stage = Stage::HomeVisitQueue;
        pat.t_wait = now;
        pat.seq = seq;
        pat.visit_pool = Some(pool);
        self.request(pool, u.priority(), seq, job);
    }

    /// The doctor or nurse leaves for the patient's home.
    pub(super) fn home_visit_start(&mut self, _pool: PoolId, p: PatientId) {
        let (s, _) = self.site_of(p);
        let pat = &mut self.patients[p];
        debug_assert_eq!(pat.stage, Stage::HomeVisitQueue);
        pat.stage = Stage::HomeVisitTravel;
        let m = self.scn.zone_site_min(pat.zone, s);
        self.after(Dur::from_minutes(m), Event::HomeVisitArrive { p });
    }

    pub(super) fn home_visit_arrive(&mut self, p: PatientId) {
        let (_, site) = self.site_of(p);
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
        let (zone, pool) = {
            let pat = &self.patients[p];
            debug_assert_eq!(pat.stage, Stage::HomeVisit);
            (
                pat.zone,
                pat.visit_pool.expect("a home visit has its server"),
            )
        };
        let video = if let Site::Satellite(i) = site {
            self.release(self.legevakt.doctors[self.scn.satellites[i].host]);
            true
        } else {
            false
        };
        self.score.home_visit(self.now, video);
        let back = Dur::from_minutes(self.scn.zone_site_min(zone, s));
        self.after(back, Event::ServerReturn { pool });
        self.complete(p, Outcome::HomeVisit);
    }
}

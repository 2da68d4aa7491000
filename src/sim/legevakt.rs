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
//! The waiting-time KPI runs from arrival at the site to the start of the consultation (doctor or
//! video), triage included.

use super::pool::{Job, JobKind};
use super::{Event, Outcome, Stage, World, site_kind};
use crate::rng::{Purpose, patient_rng};
use crate::scenario::Site;
use crate::time::Dur;

impl World<'_> {
    /// The patient drives to site `s`.
    pub(crate) fn travel_to_site(&mut self, p: u32, s: usize) {
        let scn = self.scn;
        let pat = &mut self.patients[p as usize];
        pat.site = s as u32;
        pat.stage = Stage::Travelling;
        let minutes = scn.travel.minutes(pat.zone as usize, scn.site_facility(s));
        let d = Dur::from_minutes(minutes);
        if self.measuring() {
            self.acc.travel_visits.record(d.0);
        }
        self.after(d, Event::ArriveAtSite { p });
    }

    /// Arrival at a station or satellite.
    pub(crate) fn arrive_at_site(&mut self, p: u32) {
        let seq = self.next_seq();
        let now = self.now;
        let pat = &mut self.patients[p as usize];
        debug_assert_eq!(pat.stage, Stage::Travelling);
        pat.t_wait = now;
        pat.seq = seq;
        let prio = pat.urgency as u8;
        match site_kind(self.scn, pat.site) {
            Site::Station(i) => {
                if let Some(tp) = self.map.triage[i] {
                    pat.stage = Stage::TriageQueue;
                    self.request(tp, prio, seq, job(p, JobKind::Triage));
                } else {
                    pat.stage = Stage::DoctorQueue;
                    self.request(self.map.doctors[i], prio, seq, job(p, JobKind::Consult));
                }
            }
            Site::Satellite(i) => {
                pat.stage = Stage::SatelliteNurseQueue;
                self.request(
                    self.map.sat_nurses[i],
                    prio,
                    seq,
                    job(p, JobKind::SatelliteNurse),
                );
            }
        }
    }

    pub(crate) fn triage_start(&mut self, p: u32) {
        let pat = &mut self.patients[p as usize];
        debug_assert_eq!(pat.stage, Stage::TriageQueue);
        pat.stage = Stage::Triage;
        let Site::Station(i) = site_kind(self.scn, pat.site) else {
            panic!("triage outside a station")
        };
        let (_, dist) = self.scn.stations[i]
            .triage
            .as_ref()
            .expect("triage pool exists");
        let m = dist.sample(&mut patient_rng(pat.seed, Purpose::Triage));
        self.after(Dur::from_minutes(m), Event::TriageEnd { p });
    }

    pub(crate) fn triage_end(&mut self, p: u32) {
        let pat = &mut self.patients[p as usize];
        debug_assert_eq!(pat.stage, Stage::Triage);
        pat.stage = Stage::DoctorQueue;
        let (prio, seq) = (pat.urgency as u8, pat.seq);
        let Site::Station(i) = site_kind(self.scn, pat.site) else {
            panic!("triage outside a station")
        };
        let tp = self.map.triage[i].expect("triage pool exists");
        self.release(tp);
        self.request(self.map.doctors[i], prio, seq, job(p, JobKind::Consult));
    }

    /// The satellite nurse takes the patient; together they wait for a host doctor on video.
    pub(crate) fn satellite_nurse_start(&mut self, p: u32) {
        let pat = &mut self.patients[p as usize];
        debug_assert_eq!(pat.stage, Stage::SatelliteNurseQueue);
        pat.stage = Stage::DoctorQueue;
        let (prio, seq) = (pat.urgency as u8, pat.seq);
        let Site::Satellite(i) = site_kind(self.scn, pat.site) else {
            panic!("satellite nurse at a station")
        };
        let host = self.scn.satellites[i].host;
        self.request(
            self.map.doctors[host],
            prio,
            seq,
            job(p, JobKind::VideoConsult),
        );
    }

    /// A doctor starts a consultation (in person at a station, or by video with a satellite).
    pub(crate) fn consult_start(&mut self, p: u32) {
        let now = self.now;
        let measuring = self.measuring();
        let pat = &mut self.patients[p as usize];
        debug_assert_eq!(pat.stage, Stage::DoctorQueue);
        pat.stage = Stage::Consultation;
        let wait = now - pat.t_wait;
        let mut rng = patient_rng(pat.seed, Purpose::Consultation);
        let m = match site_kind(self.scn, pat.site) {
            Site::Station(i) => self.scn.stations[i].consultation_min.sample(&mut rng),
            Site::Satellite(i) => self.scn.satellites[i].video_min.sample(&mut rng),
        };
        if measuring {
            self.acc.wait[pat.urgency.idx()].record(wait.0);
            self.acc.waits_total += 1;
            if wait.0 > 0 {
                self.acc.waited += 1;
            }
        }
        self.after(Dur::from_minutes(m), Event::ConsultEnd { p });
    }

    pub(crate) fn consult_end(&mut self, p: u32) {
        let pat = &self.patients[p as usize];
        debug_assert_eq!(pat.stage, Stage::Consultation);
        match site_kind(self.scn, pat.site) {
            Site::Station(i) => {
                self.release(self.map.doctors[i]);
                if self.measuring() {
                    self.acc.station_consults += 1;
                }
                if !self.maybe_refer(p) {
                    self.complete(p, Outcome::StationConsultation);
                }
            }
            Site::Satellite(i) => {
                let host = self.scn.satellites[i].host;
                self.release(self.map.doctors[host]);
                self.release(self.map.sat_nurses[i]);
                if self.measuring() {
                    self.acc.satellite_consults += 1;
                    self.acc.video_consults += 1;
                }
                if !self.maybe_refer(p) {
                    self.complete(p, Outcome::SatelliteConsultation);
                }
            }
        }
    }

    /// The legevaktsentral decided on a home visit.
    pub(crate) fn home_visit_request(&mut self, p: u32) {
        let (z, u) = {
            let pat = &self.patients[p as usize];
            (pat.zone as usize, pat.urgency)
        };
        // A home visit is made from the nearest open site for this urgency; a satellite whose
        // nurses make no home visits hands it to its host station.
        let Some(mut s) = self.choose_site(z, u) else {
            self.complete(p, Outcome::OutsideHours);
            return;
        };
        if let Site::Satellite(i) = self.scn.sites[s]
            && !self.scn.satellites[i].home_visits
        {
            s = self.scn.satellites[i].host; // stations come first among sites
        }
        let seq = self.next_seq();
        let now = self.now;
        let (pool, kind) = match self.scn.sites[s] {
            Site::Station(i) => (self.map.doctors[i], JobKind::DoctorHomeVisit),
            Site::Satellite(i) => (self.map.sat_nurses[i], JobKind::NurseHomeVisit),
        };
        let pat = &mut self.patients[p as usize];
        pat.site = s as u32;
        pat.stage = Stage::HomeVisitQueue;
        pat.t_wait = now;
        pat.seq = seq;
        pat.visit_pool = pool;
        self.request(pool, u as u8, seq, job(p, kind));
    }

    /// The doctor or nurse leaves for the patient's home.
    pub(crate) fn home_visit_start(&mut self, _pool: u32, p: u32) {
        let scn = self.scn;
        let pat = &mut self.patients[p as usize];
        debug_assert_eq!(pat.stage, Stage::HomeVisitQueue);
        pat.stage = Stage::HomeVisitTravel;
        let m = scn
            .travel
            .minutes(pat.zone as usize, scn.site_facility(pat.site as usize));
        self.after(Dur::from_minutes(m), Event::HomeVisitArrive { p });
    }

    pub(crate) fn home_visit_arrive(&mut self, p: u32) {
        let pat = &mut self.patients[p as usize];
        debug_assert_eq!(pat.stage, Stage::HomeVisitTravel);
        match site_kind(self.scn, pat.site) {
            Site::Station(i) => {
                pat.stage = Stage::HomeVisit;
                let m = self.scn.stations[i]
                    .home_visit_min
                    .sample(&mut patient_rng(pat.seed, Purpose::HomeVisit));
                self.after(Dur::from_minutes(m), Event::HomeVisitEnd { p });
            }
            Site::Satellite(i) => {
                pat.stage = Stage::HomeVisitVideoQueue;
                let (prio, seq) = (pat.urgency as u8, pat.seq);
                let host = self.scn.satellites[i].host;
                self.request(
                    self.map.doctors[host],
                    prio,
                    seq,
                    job(p, JobKind::HomeVisitVideo),
                );
            }
        }
    }

    /// The host doctor joins a satellite nurse's home visit by video.
    pub(crate) fn home_visit_video_start(&mut self, p: u32) {
        let pat = &mut self.patients[p as usize];
        debug_assert_eq!(pat.stage, Stage::HomeVisitVideoQueue);
        pat.stage = Stage::HomeVisit;
        let Site::Satellite(i) = site_kind(self.scn, pat.site) else {
            panic!("video home visit from a station")
        };
        let m = self.scn.satellites[i]
            .home_visit_min
            .sample(&mut patient_rng(pat.seed, Purpose::HomeVisit));
        self.after(Dur::from_minutes(m), Event::HomeVisitEnd { p });
    }

    pub(crate) fn home_visit_end(&mut self, p: u32) {
        let scn = self.scn;
        let (site, zone, pool) = {
            let pat = &self.patients[p as usize];
            debug_assert_eq!(pat.stage, Stage::HomeVisit);
            (pat.site as usize, pat.zone as usize, pat.visit_pool)
        };
        let measuring = self.measuring();
        if let Site::Satellite(i) = scn.sites[site] {
            self.release(self.map.doctors[scn.satellites[i].host]);
            if measuring {
                self.acc.video_consults += 1;
            }
        }
        if measuring {
            self.acc.home_visits += 1;
        }
        let back = Dur::from_minutes(scn.travel.minutes(zone, scn.site_facility(site)));
        self.after(back, Event::ServerReturn { pool });
        self.complete(p, Outcome::HomeVisit);
    }
}

fn job(patient: u32, kind: JobKind) -> Job {
    Job { patient, kind }
}

//! Hospital emergency departments (akuttmottak): bays taken by urgency then arrival; a patient
//! brought by ambulance keeps the ambulance at the door until a bay is free (the handover delay,
//! recorded), then the crew hands over and leaves. ED time from the scenario; admission by
//! urgency. Legevakt referrals arrive by ambulance or on their own.

use super::ambulance::MissionKind;
use super::pool::{Job, JobKind};
use super::{Event, Outcome, Stage, World};
use crate::rng::{Purpose, patient_rng};
use crate::time::Dur;

impl World<'_> {
    /// Patient `p` asks for a bay at hospital `h` (arrival time in `t_wait`).
    pub(crate) fn request_ed(&mut self, p: u32, h: u32) {
        let seq = self.next_seq();
        let pat = &mut self.patients[p as usize];
        pat.hospital = h;
        pat.stage = Stage::EdQueue;
        let prio = pat.urgency as u8;
        self.request(
            self.map.ed[h as usize],
            prio,
            seq,
            Job {
                patient: p,
                kind: JobKind::EdBay,
            },
        );
    }

    /// A bay is free for patient `p`.
    pub(crate) fn ed_start(&mut self, p: u32) {
        let (v, by_ambulance, h, seed) = {
            let pat = &mut self.patients[p as usize];
            debug_assert_eq!(pat.stage, Stage::EdQueue);
            pat.stage = Stage::Ed;
            (pat.vehicle, pat.by_ambulance_now, pat.hospital, pat.seed)
        };
        if by_ambulance {
            self.patients[p as usize].by_ambulance_now = false;
            self.ambulance_handover(v as usize, p);
        }
        let m = self.scn.hospitals[h as usize]
            .ed_min
            .sample(&mut patient_rng(seed, Purpose::Ed));
        self.after(Dur::from_minutes(m), Event::EdEnd { p });
    }

    pub(crate) fn ed_end(&mut self, p: u32) {
        let (h, u) = {
            let pat = &self.patients[p as usize];
            debug_assert_eq!(pat.stage, Stage::Ed);
            (pat.hospital as usize, pat.urgency)
        };
        self.release(self.map.ed[h]);
        let admitted = self.u(p, Purpose::Admission) < self.scn.hospitals[h].admission[u.idx()];
        if admitted {
            if self.measuring() {
                self.acc.admissions += 1;
            }
            self.complete(p, Outcome::Admitted);
        } else {
            self.complete(p, Outcome::EdDischarged);
        }
    }

    /// After a legevakt consultation: referral to hospital? Returns true if the patient was
    /// referred (and so continues), false if the path ends here.
    pub(crate) fn maybe_refer(&mut self, p: u32) -> bool {
        let Some(r) = &self.scn.referral else {
            return false;
        };
        let (u, seed, site) = {
            let pat = &self.patients[p as usize];
            (pat.urgency, pat.seed, pat.site as usize)
        };
        let mut rng = patient_rng(seed, Purpose::Referral);
        use rand::RngExt;
        if rng.random::<f64>() >= r.share[u.idx()] {
            return false;
        }
        if self.measuring() {
            self.acc.referrals += 1;
        }
        let fac = self.scn.site_facility(site);
        let place = (self.scn.zones.len() + fac) as u32;
        if rng.random::<f64>() < r.by_ambulance[u.idx()] && !self.scn.vehicles.is_empty() {
            self.patients[p as usize].stage = Stage::Ambulance;
            self.request_ambulance(p, MissionKind::Transport, place);
        } else {
            // On their own: nearest hospital by road from the legevakt.
            let bh = self.scn.place_hospital[place as usize] as usize;
            let best = self.road_min(
                place,
                (self.scn.zones.len() + self.scn.hospitals[bh].facility) as u32,
            );
            let pat = &mut self.patients[p as usize];
            pat.hospital = bh as u32;
            pat.stage = Stage::Travelling;
            self.after(Dur::from_minutes(best), Event::ArriveAtEd { p });
        }
        true
    }

    pub(crate) fn arrive_at_ed(&mut self, p: u32) {
        let now = self.now;
        let h = self.patients[p as usize].hospital;
        self.patients[p as usize].t_wait = now;
        self.request_ed(p, h);
    }
}

//! Hospital emergency departments (akuttmottak): bays taken by urgency then arrival; a patient
//! brought by ambulance keeps the ambulance at the door until a bay is free (the handover delay,
//! recorded), then the crew hands over and leaves. ED time from the scenario; admission by
//! urgency. Legevakt referrals arrive by ambulance or on their own.

use super::Event;
use super::World;
use super::ambulance::MissionKind;
use super::patient::Stage;
use super::pool::{Job, Pools};
use super::result::{Detail, Outcome, PatientEvent, Role, TracePlace, TraceResource};
use crate::base::ids::{HospitalId, IdVec, PatientId, PoolId};
use crate::base::rng::{Purpose, patient_rng};
use crate::base::schedule::Weekly;
use crate::base::time::Dur;
use crate::input::scenario::Scenario;
use rand::RngExt;

/// The bays of each emergency department.
pub(crate) struct Ed {
    bays: IdVec<HospitalId, PoolId>,
}

impl Ed {
    pub fn new(scn: &Scenario, pools: &mut Pools) -> Ed {
        Ed {
            bays: scn
                .hospitals
                .iter()
                .map(|h| {
                    pools.add(
                        &Weekly::constant(h.bays),
                        format!("{} ED bays", h.name),
                        Role::EdBays,
                    )
                })
                .collect(),
        }
    }
}

impl World<'_> {
    /// Patient `p` asks for a bay at hospital `h` (arrival time in `t_wait`).
    pub(super) fn request_ed(&mut self, p: PatientId, h: HospitalId) {
        let seq = self.next_seq();
        let pat = &mut self.patients[p];
        pat.hospital = Some(h);
        pat.stage = Stage::EdQueue;
        let prio = pat.urgency.priority();
        self.note_with(p, PatientEvent::ArriveEd, |w| {
            let pat = &w.patients[p];
            let res = match (pat.by_ambulance_now, pat.vehicle) {
                (true, Some(v)) => TraceResource::Vehicle(v),
                _ => TraceResource::None,
            };
            (TracePlace::Hospital(h), res, Detail::None)
        });
        self.request(self.ed.bays[h], prio, seq, Job::EdBay(p));
    }

    /// A bay is free for patient `p`.
    pub(super) fn ed_start(&mut self, p: PatientId) {
        let (v, by_ambulance, h, seed) = {
            let pat = &mut self.patients[p];
            debug_assert_eq!(pat.stage, Stage::EdQueue);
            pat.stage = Stage::Ed;
            (
                pat.vehicle,
                pat.by_ambulance_now,
                pat.hospital.expect("at a hospital"),
                pat.seed,
            )
        };
        self.note_with(p, PatientEvent::EdStart, |w| w.at_bays(h));
        if by_ambulance {
            self.patients[p].by_ambulance_now = false;
            self.ambulance_handover(v.expect("brought by ambulance"), p);
        }
        let m = self.scn.hospitals[h]
            .ed_min
            .sample(&mut patient_rng(seed, Purpose::Ed));
        self.after(Dur::from_minutes(m), Event::EdEnd { p });
    }

    pub(super) fn ed_end(&mut self, p: PatientId) {
        let (h, u) = {
            let pat = &self.patients[p];
            debug_assert_eq!(pat.stage, Stage::Ed);
            (pat.hospital.expect("at a hospital"), pat.urgency)
        };
        self.note_with(p, PatientEvent::LeaveEd, |w| w.at_bays(h));
        self.release(self.ed.bays[h]);
        let admitted = self.u(p, Purpose::Admission) < self.scn.hospitals[h].admission[u];
        if admitted {
            self.score.admission(self.now);
            self.complete(p, Outcome::Admitted);
        } else {
            self.complete(p, Outcome::EdDischarged);
        }
    }

    /// After a legevakt consultation: referral to hospital? Returns true if the patient was
    /// referred (and so continues), false if the path ends here.
    pub(super) fn maybe_refer(&mut self, p: PatientId) -> bool {
        let Some(r) = &self.scn.referral else {
            return false;
        };
        let (u, seed, site) = {
            let pat = &self.patients[p];
            (pat.urgency, pat.seed, pat.site.expect("seen at a site"))
        };
        let mut rng = patient_rng(seed, Purpose::Referral);
        if rng.random::<f64>() >= r.share[u] {
            return false;
        }
        self.score.referral(self.now);
        let place = self.scn.site_place(site);
        let (ev, at, none) = (
            PatientEvent::Referred,
            TracePlace::Site(site),
            TraceResource::None,
        );
        if rng.random::<f64>() < r.by_ambulance[u] && !self.scn.vehicles.is_empty() {
            self.note(p, ev, at, none, Detail::ByAmbulance);
            self.patients[p].stage = Stage::Ambulance;
            self.request_ambulance(p, MissionKind::Transport, place);
        } else {
            // On their own: nearest hospital by road from the legevakt.
            self.note(p, ev, at, none, Detail::OwnMeans);
            let bh = self.scn.derived.place_hospital[place].expect("referrals imply a hospital");
            let best = self.scn.travel.road_min(place, self.scn.hospital_place(bh));
            let pat = &mut self.patients[p];
            pat.hospital = Some(bh);
            pat.stage = Stage::Travelling;
            self.after(Dur::from_minutes(best), Event::ArriveAtEd { p });
        }
        true
    }

    /// Place and resource of an event in hospital `h`'s ED bays.
    fn at_bays(&self, h: HospitalId) -> (TracePlace, TraceResource, Detail) {
        let bays = TraceResource::Pool(self.ed.bays[h]);
        (TracePlace::Hospital(h), bays, Detail::None)
    }

    pub(super) fn arrive_at_ed(&mut self, p: PatientId) {
        let now = self.now;
        let h = self.patients[p].hospital.expect("on the way to a hospital");
        self.patients[p].t_wait = now;
        self.request_ed(p, h);
    }
}

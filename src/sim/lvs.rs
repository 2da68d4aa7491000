//! Legevaktsentral (116117): calls queue first-come-first-served for a free nurse (the urgency is
//! unknown until the call is answered), the answer time is recorded, the nurse handles the call
//! and decides the disposition from the scenario's probabilities for the patient's urgency.

use super::pool::{Job, JobKind};
use super::{Event, Outcome, Stage, World};
use crate::rng::{Purpose, patient_rng};
use crate::scenario::{DISPOSITIONS, Disposition};
use crate::time::{Dur, MS_PER_MIN};

impl World<'_> {
    /// Patient `p` calls legevaktsentral `l`.
    pub(crate) fn lvs_call(&mut self, p: u32, l: u32) {
        let seq = self.next_seq();
        let pat = &mut self.patients[p as usize];
        pat.lvs = l;
        pat.via_lvs = true;
        pat.stage = Stage::LvsQueue;
        pat.t_wait = self.now;
        let pool = self.map.lvs[l as usize];
        self.request(
            pool,
            0,
            seq,
            Job {
                patient: p,
                kind: JobKind::LvsCall,
            },
        );
    }

    /// A nurse answers.
    pub(crate) fn lvs_call_start(&mut self, p: u32) {
        let now = self.now;
        let measuring = self.measuring();
        let pat = &mut self.patients[p as usize];
        debug_assert_eq!(pat.stage, Stage::LvsQueue);
        let answer = now - pat.t_wait;
        pat.stage = Stage::LvsCall;
        let lvs = &self.scn.lvs[pat.lvs as usize];
        let minutes = lvs
            .handling_min
            .sample(&mut patient_rng(pat.seed, Purpose::LvsHandling));
        if measuring {
            self.acc.lvs_answer.record(answer.0);
            if answer.0 <= 2 * MS_PER_MIN {
                self.acc.lvs_within_2min += 1;
            }
        }
        self.after(Dur::from_minutes(minutes), Event::LvsCallEnd { p });
    }

    /// The call ends with a disposition.
    pub(crate) fn lvs_call_end(&mut self, p: u32) {
        let (l, u, z, via_amk) = {
            let pat = &self.patients[p as usize];
            debug_assert_eq!(pat.stage, Stage::LvsCall);
            (
                pat.lvs as usize,
                pat.urgency,
                pat.zone as usize,
                pat.via_amk,
            )
        };
        self.release(self.map.lvs[l]);
        let probs = self.scn.lvs[l].disposition[u.idx()];
        let x = self.u(p, Purpose::Disposition);
        let mut acc = 0.0;
        let mut disp = Disposition::Advice;
        for (d, pr) in DISPOSITIONS.iter().zip(probs) {
            acc += pr;
            disp = *d;
            if x < acc {
                break;
            }
        }
        // A caller AMK already forwarded here is not sent back to 113: seen at the legevakt.
        if disp == Disposition::Forward113 && via_amk {
            disp = Disposition::Legevakt;
        }
        match disp {
            Disposition::Advice => self.complete(p, Outcome::Advice),
            Disposition::Legevakt => match self.choose_site(z, u) {
                Some(s) => self.travel_to_site(p, s),
                None => self.complete(p, Outcome::OutsideHours),
            },
            Disposition::HomeVisit if self.scn.lvs[l].home_visits_by_ambulance => {
                self.patients[p as usize].stage = Stage::Ambulance;
                self.request_ambulance(p, super::ambulance::MissionKind::Assessment, z as u32);
            }
            Disposition::HomeVisit => self.home_visit_request(p),
            Disposition::Forward113 => self.reach_amk(p),
        }
    }
}

//! Legevaktsentral (116117): calls queue first-come-first-served for a free nurse (the urgency is
//! unknown until the call is answered), the answer time is recorded, the nurse handles the call
//! and decides the disposition from the scenario's probabilities for the patient's urgency.

use super::Event;
use super::World;
use super::patient::Stage;
use super::pool::{Job, Pools};
use super::result::{Detail, Outcome, PatientEvent, Role, TracePlace, TraceResource};
use super::score::AssessmentReason;
use crate::base::ids::{IdVec, LvsId, PatientId, PoolId};
use crate::base::rng::{Purpose, patient_rng};
use crate::base::time::Dur;
use crate::base::urgency::Urgency;
use crate::input::scenario::{Disposition, HomeVisitsBy, Scenario};

/// The nurse pool of each legevaktsentral.
pub(crate) struct Lvs {
    nurses: IdVec<LvsId, PoolId>,
}

impl Lvs {
    pub fn new(scn: &Scenario, pools: &mut Pools) -> Lvs {
        Lvs {
            nurses: scn
                .lvs
                .iter()
                .map(|l| pools.add(&l.nurses, format!("{} nurses", l.name), Role::LvsNurses))
                .collect(),
        }
    }
}

impl World<'_> {
    /// Patient `p` calls legevaktsentral `l`.
    pub(super) fn lvs_call(&mut self, p: PatientId, l: LvsId) {
        let seq = self.next_seq();
        let pat = &mut self.patients[p];
        pat.lvs = Some(l);
        pat.via_lvs = true;
        pat.stage = Stage::LvsQueue;
        pat.t_wait = self.now;
        pat.seq = seq;
        self.note(
            p,
            PatientEvent::Call116117Ring,
            TracePlace::Lvs(l),
            TraceResource::None,
            Detail::None,
        );
        self.request(self.lvs.nurses[l], 0, seq, Job::LvsCall(p, seq));
        if self.patients[p].stage == Stage::LvsQueue
            && let Some(a) = &self.scn.lvs[l].abandonment
        {
            self.await_patience(p, seq, a);
        }
    }

    /// A nurse answers (or, for a caller who has hung up, takes the next call).
    pub(super) fn lvs_call_start(&mut self, pool: PoolId, p: PatientId, seq: u64) {
        if !self.still_waiting(p, seq, Stage::LvsQueue) {
            self.release(pool);
            return;
        }
        let now = self.now;
        let pat = &mut self.patients[p];
        let answer = now - pat.t_wait;
        pat.stage = Stage::LvsCall;
        let l = pat.lvs.expect("calling an LVS");
        let lvs = &self.scn.lvs[l];
        let minutes = lvs
            .handling_min
            .sample(&mut patient_rng(pat.seed, Purpose::LvsHandling));
        self.score.lvs_answered(now, answer);
        self.note(
            p,
            PatientEvent::Call116117Answered,
            TracePlace::Lvs(l),
            TraceResource::Pool(pool),
            Detail::None,
        );
        self.after(Dur::from_minutes(minutes), Event::LvsCallEnd { p });
    }

    /// The call ends with a disposition.
    pub(super) fn lvs_call_end(&mut self, p: PatientId) {
        if self.patients[p].other_call {
            let l = self.patients[p].lvs.expect("calling an LVS");
            self.note_lvs_end(p, l, Detail::None);
            self.release(self.lvs.nurses[l]);
            self.complete(p, Outcome::OtherCall);
            return;
        }
        let (l, u, z, via_amk, phone_only) = {
            let pat = &self.patients[p];
            debug_assert_eq!(pat.stage, Stage::LvsCall);
            (
                pat.lvs.expect("calling an LVS"),
                pat.urgency,
                pat.point,
                pat.via_amk,
                pat.phone_only,
            )
        };
        self.release(self.lvs.nurses[l]);
        if phone_only {
            // Distance keeps this caller from attending: the call itself is the help.
            self.note_lvs_end(p, l, Detail::Advice);
            self.complete(p, Outcome::Advice);
            return;
        }
        let x = self.u(p, Purpose::Disposition);
        let mut disp = self.scn.lvs[l].disposition[u].pick(x);
        // A caller AMK already forwarded here is not sent back to 113: seen at the legevakt.
        if disp == Disposition::Forward113 && via_amk {
            disp = Disposition::Legevakt;
        }
        let detail = match disp {
            Disposition::Advice => Detail::Advice,
            Disposition::Legevakt => Detail::Legevakt,
            Disposition::HomeVisit => Detail::HomeVisit,
            Disposition::Forward113 => Detail::Forward113,
        };
        self.note_lvs_end(p, l, detail);
        match disp {
            Disposition::Advice => self.complete(p, Outcome::Advice),
            Disposition::Legevakt => {
                let x = self.u(p, Purpose::Choice);
                let choice = self.scn.choose_site(z, u, self.now, x);
                if choice.closing_skipped {
                    self.score.closing_redirect(self.now);
                }
                match choice.site {
                    Some(s) => self.send_to_site(p, s),
                    None if u == Urgency::Red && !via_amk => {
                        // No legevakt open for a red caller: forwarded to 113, not lost.
                        self.score.red_to_113_outside_hours(self.now);
                        self.reach_amk(p);
                    }
                    None => self.complete(p, Outcome::OutsideHours),
                }
            }
            Disposition::HomeVisit if self.scn.lvs[l].home_visits_by == HomeVisitsBy::Ambulance => {
                self.assessment_mission(p, AssessmentReason::Policy);
            }
            Disposition::HomeVisit => self.home_visit_request(p),
            Disposition::Forward113 => self.reach_amk(p),
        }
    }

    /// Note the end of patient `p`'s call to legevaktsentral `l`.
    #[inline(always)]
    fn note_lvs_end(&mut self, p: PatientId, l: LvsId, detail: Detail) {
        self.note_with(p, PatientEvent::Call116117End, |w| {
            let nurses = TraceResource::Pool(w.lvs.nurses[l]);
            (TracePlace::Lvs(l), nurses, detail)
        });
    }
}

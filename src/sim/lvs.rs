//! Legevaktsentral (116117): calls queue first-come-first-served for a free nurse (the urgency is
//! unknown until the call is answered), the answer time is recorded, the nurse handles the call
//! and decides the disposition from the scenario's probabilities for the patient's urgency.

use super::Event;
use super::World;
use super::ambulance::MissionKind;
use super::patient::Stage;
use super::pool::{Job, Pools};
use super::result::{Outcome, Role};
use crate::base::ids::{IdVec, LvsId, PatientId, PoolId};
use crate::base::rng::{Purpose, patient_rng};
use crate::base::time::Dur;
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
        self.request(self.lvs.nurses[l], 0, seq, Job::LvsCall(p));
    }

    /// A nurse answers.
    pub(super) fn lvs_call_start(&mut self, p: PatientId) {
        let now = self.now;
        let pat = &mut self.patients[p];
        debug_assert_eq!(pat.stage, Stage::LvsQueue);
        let answer = now - pat.t_wait;
        pat.stage = Stage::LvsCall;
        let lvs = &self.scn.lvs[pat.lvs.expect("calling an LVS")];
        let minutes = lvs
            .handling_min
            .sample(&mut patient_rng(pat.seed, Purpose::LvsHandling));
        self.score.lvs_answered(now, answer);
        self.after(Dur::from_minutes(minutes), Event::LvsCallEnd { p });
    }

    /// The call ends with a disposition.
    pub(super) fn lvs_call_end(&mut self, p: PatientId) {
        let (l, u, z, via_amk) = {
            let pat = &self.patients[p];
            debug_assert_eq!(pat.stage, Stage::LvsCall);
            (
                pat.lvs.expect("calling an LVS"),
                pat.urgency,
                pat.zone,
                pat.via_amk,
            )
        };
        self.release(self.lvs.nurses[l]);
        let x = self.u(p, Purpose::Disposition);
        let mut disp = self.scn.lvs[l].disposition[u].pick(x);
        // A caller AMK already forwarded here is not sent back to 113: seen at the legevakt.
        if disp == Disposition::Forward113 && via_amk {
            disp = Disposition::Legevakt;
        }
        match disp {
            Disposition::Advice => self.complete(p, Outcome::Advice),
            Disposition::Legevakt => {
                let choice = self.scn.choose_site(z, u, self.now);
                if choice.closing_skipped {
                    self.score.closing_redirect(self.now);
                }
                match choice.site {
                    Some(s) => self.travel_to_site(p, s),
                    None => self.complete(p, Outcome::OutsideHours),
                }
            }
            Disposition::HomeVisit if self.scn.lvs[l].home_visits_by == HomeVisitsBy::Ambulance => {
                self.patients[p].stage = Stage::Ambulance;
                let scene = self.scn.travel.zone_place(z);
                self.request_ambulance(p, MissionKind::Assessment, scene);
            }
            Disposition::HomeVisit => self.home_visit_request(p),
            Disposition::Forward113 => self.reach_amk(p),
        }
    }
}

//! Callers who hang up: a caller waiting for a call centre (116117 or 113) hangs up when their
//! patience runs out, and a share of them call again after a while — the M/M/c+M ("Erlang A")
//! model of a call centre with abandonment, with redials. An answered caller's hang-up event is
//! void; a caller who hung up leaves a stale entry in the operators' queue, which is skipped
//! when it comes up (`seq` tells a stale entry from the current call).

use super::Event;
use super::World;
use super::patient::Stage;
use super::result::{Detail, Outcome, PatientEvent, TracePlace, TraceResource};
use crate::base::ids::PatientId;
use crate::base::rng::{PatientRng, Purpose, patient_rng};
use crate::base::time::Dur;
use crate::input::scenario::Abandonment;
use rand::RngExt;

/// The random stream of one call attempt (the first, the second, …) for a purpose.
fn attempt_rng(seed: u64, attempt: u32, purpose: Purpose) -> PatientRng {
    patient_rng(
        seed ^ u64::from(attempt).wrapping_mul(0xD6E8_FEB8_6659_FD93),
        purpose,
    )
}

impl World<'_> {
    /// The caller now queueing on attempt `seq` hangs up after their patience.
    pub(super) fn await_patience(&mut self, p: PatientId, seq: u64, a: &Abandonment) {
        let pat = &self.patients[p];
        let m = a
            .patience_min
            .sample(&mut attempt_rng(pat.seed, pat.hang_ups, Purpose::Patience));
        self.after(Dur::from_minutes(m), Event::HangUp { p, seq });
    }

    /// Patience ran out: if still unanswered, the caller hangs up and calls again or gives up.
    pub(super) fn hang_up(&mut self, p: PatientId, seq: u64) {
        let (amk, params, place) = if self.still_waiting(p, seq, Stage::LvsQueue) {
            let l = self.patients[p].lvs.expect("calling an LVS");
            (
                false,
                self.scn.lvs[l].abandonment.as_ref(),
                TracePlace::Lvs(l),
            )
        } else if self.still_waiting(p, seq, Stage::AmkQueue) {
            (
                true,
                self.scn.amk.as_ref().and_then(|a| a.abandonment.as_ref()),
                TracePlace::Amk,
            )
        } else {
            return; // answered in time
        };
        self.note(
            p,
            PatientEvent::HangUp,
            place,
            TraceResource::None,
            Detail::None,
        );
        let a = params.expect("a hang-up implies abandonment parameters");
        self.score.hung_up(self.now, amk);
        let pat = &mut self.patients[p];
        let mut rng = attempt_rng(pat.seed, pat.hang_ups, Purpose::Redial);
        pat.hang_ups += 1;
        if rng.random::<f64>() < a.redial_share {
            pat.stage = if amk {
                Stage::RedialAmk
            } else {
                Stage::RedialLvs
            };
            let m = a.redial_after_min.sample(&mut rng);
            self.after(Dur::from_minutes(m), Event::Redial { p });
        } else {
            self.complete(p, Outcome::HungUp);
        }
    }

    /// A caller who hung up calls the same centre again.
    pub(super) fn redial(&mut self, p: PatientId) {
        match self.patients[p].stage {
            Stage::RedialLvs => {
                let l = self.patients[p].lvs.expect("called an LVS");
                let (r, n, d) = (TraceResource::None, PatientEvent::Redial, Detail::None);
                self.note(p, n, TracePlace::Lvs(l), r, d);
                self.lvs_call(p, l);
            }
            Stage::RedialAmk => {
                let (r, n, d) = (TraceResource::None, PatientEvent::Redial, Detail::None);
                self.note(p, n, TracePlace::Amk, r, d);
                self.reach_amk(p)
            }
            s => unreachable!("redial in stage {s:?}"),
        }
    }
}

//! The per-patient trace (`--trace`): every handler that moves a patient on notes the event
//! here. Each note is one test of `World::trace` when tracing is off — no allocation, no
//! formatting; with tracing on it stores compact ids ([`PatientRecord`]), turned into names
//! only when the trace is written. Nothing here draws a random number or schedules an event, so
//! a traced run computes exactly what an untraced one does.

use super::World;
use super::doctor_car::CarFor;
use super::result::{Detail, PatientEvent, PatientInfo, TraceChannel, TracePlace, TraceResource};
use crate::base::ids::{PatientId, RedEventId, ZoneId};
use crate::base::urgency::Urgency;

impl World<'_> {
    /// Patient `p` has just been inserted: it gets the next patient number, and its
    /// `need_arises` row is noted at `place`.
    #[inline(always)]
    pub(super) fn note_arise(&mut self, p: PatientId, channel: TraceChannel, place: TracePlace) {
        if self.trace.is_some() {
            self.record_arise(p, channel, place);
        }
    }

    #[cold]
    #[inline(never)]
    fn record_arise(&mut self, p: PatientId, channel: TraceChannel, place: TracePlace) {
        let pat = &self.patients[p];
        let info = PatientInfo {
            urgency: pat.urgency,
            channel,
            zone: pat.zone,
        };
        self.record_arisen(Some(p.index()), info, place);
    }

    /// The next patient number (for the slot of the patient slab, if the caller has one) and
    /// its `need_arises` row at `place`.
    fn record_arisen(&mut self, slot: Option<usize>, info: PatientInfo, place: TracePlace) -> u32 {
        let Some(tr) = &mut self.trace else { return 0 };
        let n = match slot {
            Some(slot) => tr.arise(slot, info),
            None => tr.arise_unslotted(info),
        };
        let (r, d) = (TraceResource::None, Detail::None);
        self.record_line(n, PatientEvent::NeedArises, place, r, d);
        n
    }

    /// A call on the AMK's other lines from `zone` arises: its patient number in the trace (0
    /// when not tracing), with its `need_arises` row noted.
    #[inline(always)]
    pub(super) fn note_line_arises(&mut self, zone: ZoneId) -> u32 {
        if self.trace.is_some() {
            self.record_line_arises(zone)
        } else {
            0
        }
    }

    #[cold]
    #[inline(never)]
    fn record_line_arises(&mut self, zone: ZoneId) -> u32 {
        let info = PatientInfo {
            urgency: Urgency::Green,
            channel: TraceChannel::OtherAmk,
            zone,
        };
        self.record_arisen(None, info, TracePlace::Home)
    }

    /// Note an event of patient number `traced` (a call on the other lines, which has no slot in
    /// the patient slab; `note` finds the number of a patient that has one).
    #[inline(always)]
    pub(super) fn note_line(
        &mut self,
        traced: u32,
        event: PatientEvent,
        place: TracePlace,
        resource: TraceResource,
        detail: Detail,
    ) {
        if self.trace.is_some() {
            self.record_line(traced, event, place, resource, detail);
        }
    }

    /// The row of an event of patient number `traced`: the one place a patient event is
    /// stored.
    #[cold]
    #[inline(never)]
    fn record_line(
        &mut self,
        traced: u32,
        event: PatientEvent,
        place: TracePlace,
        resource: TraceResource,
        detail: Detail,
    ) {
        if let Some(tr) = &mut self.trace {
            tr.push(self.now, traced, event, place, resource, detail);
        }
    }

    /// Note an event of patient `p` (still in the chain).
    #[inline(always)]
    pub(super) fn note(
        &mut self,
        p: PatientId,
        event: PatientEvent,
        place: TracePlace,
        resource: TraceResource,
        detail: Detail,
    ) {
        if self.trace.is_some() {
            self.record(p, event, place, resource, detail);
        }
    }

    #[cold]
    #[inline(never)]
    fn record(
        &mut self,
        p: PatientId,
        event: PatientEvent,
        place: TracePlace,
        resource: TraceResource,
        detail: Detail,
    ) {
        let n = self.trace.as_ref().map_or(0, |tr| tr.patient_in(p.index()));
        self.record_line(n, event, place, resource, detail);
    }

    /// Note an event of patient `p` whose place, resource and detail `f` looks up — only when
    /// tracing.
    #[inline(always)]
    pub(super) fn note_with(
        &mut self,
        p: PatientId,
        event: PatientEvent,
        f: impl FnOnce(&Self) -> (TracePlace, TraceResource, Detail),
    ) {
        if self.trace.is_some() {
            let (place, resource, detail) = f(self);
            self.record(p, event, place, resource, detail);
        }
    }

    /// Red event `r` is followed for patient `p`: units attending it are noted as `p`'s events
    /// (also after `p`'s path has ended).
    #[inline(always)]
    pub(super) fn note_red_event(&mut self, r: RedEventId, p: PatientId) {
        if self.trace.is_some() {
            self.record_red_event(r, p);
        }
    }

    #[cold]
    #[inline(never)]
    fn record_red_event(&mut self, r: RedEventId, p: PatientId) {
        if let Some(tr) = &mut self.trace {
            let n = tr.patient_in(p.index());
            tr.red_event(r.index(), n);
        }
    }

    /// Note an event of the patient of red event `r`.
    #[inline(always)]
    pub(super) fn note_red(
        &mut self,
        r: RedEventId,
        event: PatientEvent,
        place: TracePlace,
        resource: TraceResource,
        detail: Detail,
    ) {
        if self.trace.is_some() {
            self.record_red(r, event, place, resource, detail);
        }
    }

    #[cold]
    #[inline(never)]
    fn record_red(
        &mut self,
        r: RedEventId,
        event: PatientEvent,
        place: TracePlace,
        resource: TraceResource,
        detail: Detail,
    ) {
        let n = self
            .trace
            .as_ref()
            .map_or(0, |tr| tr.patient_of_red(r.index()));
        self.record_line(n, event, place, resource, detail);
    }

    /// Note an event of the patient a doctor-car mission is for.
    #[inline(always)]
    pub(super) fn note_car(
        &mut self,
        target: CarFor,
        event: PatientEvent,
        resource: TraceResource,
        detail: Detail,
    ) {
        match target {
            CarFor::Yellow(p) => self.note(p, event, TracePlace::Home, resource, detail),
            CarFor::Red(r) => self.note_red(r, event, TracePlace::Home, resource, detail),
        }
    }
}

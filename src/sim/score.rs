//! Scoring: the streaming accumulators of a replication and the one place where KPIs are
//! computed from them.
//!
//! Handlers report what happened (`answered`, `red_response`, …) with the time it happened;
//! the score decides whether it falls in the measured period (after warm-up) and keeps only
//! counts and histograms, so memory does not grow with the horizon. [`Score::kpis`] turns them
//! into the values of [`crate::base::kpi::KPI_DEFS`]; shares are ratios of integer counts,
//! so they can never leave 0..1.

use super::result::{N_OUTCOMES, Outcome, RESPONSE_BIN_MS, RESPONSE_BINS, ResponseBins};
use crate::base::ids::ZoneId;
use crate::base::kpi::{self, Kpi, KpiValues};
use crate::base::stats::Hist;
use crate::base::time::{Dur, MS_PER_MIN, MS_PER_S, SimTime};
use crate::base::urgency::{PerUrgency, Urgency};

/// Urban (0) or rural (1) response class.
pub(crate) type Class = usize;
/// Urban.
pub(crate) const URBAN: Class = 0;
/// Rural.
pub(crate) const RURAL: Class = 1;

/// Response-time target of a class [ms]: 12 min urban, 25 min rural (NOU 1998:9).
pub(crate) fn target_ms(class: Class) -> i64 {
    (if class == URBAN { 12 } else { 25 }) * MS_PER_MIN
}

/// Streaming statistics of one replication.
pub(crate) struct Score {
    warmup: SimTime,
    lvs_answer: Hist,
    lvs_within_2min: u64,
    wait: PerUrgency<Hist>,
    waited: u64,
    waits_total: u64,
    travel_visits: Hist,
    outcomes: [u64; N_OUTCOMES],
    station_consults: u64,
    satellite_consults: u64,
    video_consults: u64,
    home_visits: u64,
    calls_113: u64,
    amk_answer: Hist,
    amk_within_10s: u64,
    response: [Hist; 2],
    response_n: [u64; 2],
    response_ok: [u64; 2],
    response_excl_amk_ok: u64,
    red_events: u64,
    red_with_legevakt: u64,
    red_first_ok: u64,
    missions: u64,
    handover_delay: Hist,
    admissions: u64,
    referrals: u64,
    doctor_car_assessments: u64,
    closing_redirects: u64,
    response_bins: [ResponseBins; 2],
    zone_response: Vec<(f64, u64)>,
    demand_fingerprint: u64,
}

/// What [`Score::kpis`] needs besides the accumulators.
pub(crate) struct Context<'a> {
    /// Measured years.
    pub years: f64,
    /// Population [thousands].
    pub pop_k: f64,
    /// (busy, available) server time of the legevaktsentral nurses, all pools [ms].
    pub lvs_time: (f64, f64),
    /// (busy, available) doctor time, all stations [ms].
    pub doctor_time: (f64, f64),
    /// Structural travel figures (within 40 and 60 min).
    pub travel: (Option<f64>, Option<f64>),
    /// Is AMK modelled?
    pub has_amk: bool,
    /// (busy, duty) vehicle time [ms], when there are vehicles.
    pub vehicle_time: Option<(f64, f64)>,
    /// Stations' (busy, duty) hours.
    pub stations: &'a [(f64, f64)],
    /// Are there hospitals?
    pub has_hospitals: bool,
}

impl Score {
    pub fn new(warmup: SimTime, n_zones: usize) -> Score {
        Score {
            warmup,
            lvs_answer: Hist::default(),
            lvs_within_2min: 0,
            wait: PerUrgency::default(),
            waited: 0,
            waits_total: 0,
            travel_visits: Hist::default(),
            outcomes: [0; N_OUTCOMES],
            station_consults: 0,
            satellite_consults: 0,
            video_consults: 0,
            home_visits: 0,
            calls_113: 0,
            amk_answer: Hist::default(),
            amk_within_10s: 0,
            response: Default::default(),
            response_n: [0; 2],
            response_ok: [0; 2],
            response_excl_amk_ok: 0,
            red_events: 0,
            red_with_legevakt: 0,
            red_first_ok: 0,
            missions: 0,
            handover_delay: Hist::default(),
            admissions: 0,
            referrals: 0,
            doctor_car_assessments: 0,
            closing_redirects: 0,
            response_bins: [vec![0; RESPONSE_BINS], vec![0; RESPONSE_BINS]],
            zone_response: vec![(0.0, 0); n_zones],
            demand_fingerprint: 0,
        }
    }

    #[inline]
    fn measuring(&self, t: SimTime) -> bool {
        t >= self.warmup
    }

    /// A need was generated (every need, warm-up included: the fingerprint identifies the
    /// demand of the whole run).
    pub fn need(&mut self, seed: u64, key: u64) {
        self.demand_fingerprint = crate::base::rng::mix(self.demand_fingerprint ^ seed, key);
    }

    /// A patient's path ended.
    pub fn outcome(&mut self, now: SimTime, o: Outcome) {
        if self.measuring(now) {
            self.outcomes[o as usize] += 1;
        }
    }

    /// A 116117 call was answered after `wait`.
    pub fn lvs_answered(&mut self, now: SimTime, wait: Dur) {
        if self.measuring(now) {
            self.lvs_answer.record(wait.0);
            if wait.0 <= 2 * MS_PER_MIN {
                self.lvs_within_2min += 1;
            }
        }
    }

    /// A consultation (doctor or video) started `wait` after arrival; `queued`: the patient
    /// queued at all (for triage or the doctor), beyond the triage itself.
    pub fn legevakt_wait(&mut self, now: SimTime, u: Urgency, wait: Dur, queued: bool) {
        if self.measuring(now) {
            self.wait[u].record(wait.0);
            self.waits_total += 1;
            if queued {
                self.waited += 1;
            }
        }
    }

    /// A patient was sent to another site (or to the GP) because the first choice closes
    /// before they could arrive.
    pub fn closing_redirect(&mut self, now: SimTime) {
        if self.measuring(now) {
            self.closing_redirects += 1;
        }
    }

    /// A patient set off to a legevakt, `d` away.
    pub fn travel_to_legevakt(&mut self, now: SimTime, d: Dur) {
        if self.measuring(now) {
            self.travel_visits.record(d.0);
        }
    }

    /// A consultation ended at a station.
    pub fn station_consultation(&mut self, now: SimTime) {
        if self.measuring(now) {
            self.station_consults += 1;
        }
    }

    /// A video consultation at a satellite ended.
    pub fn satellite_consultation(&mut self, now: SimTime) {
        if self.measuring(now) {
            self.satellite_consults += 1;
            self.video_consults += 1;
        }
    }

    /// A home visit ended (`video`: a satellite nurse's, with the doctor on video).
    pub fn home_visit(&mut self, now: SimTime, video: bool) {
        if self.measuring(now) {
            self.home_visits += 1;
            if video {
                self.video_consults += 1;
            }
        }
    }

    /// A need reached 113.
    pub fn call_113(&mut self, now: SimTime) {
        if self.measuring(now) {
            self.calls_113 += 1;
        }
    }

    /// A 113 call was answered after `wait`.
    pub fn amk_answered(&mut self, now: SimTime, wait: Dur) {
        if self.measuring(now) {
            self.amk_answer.record(wait.0);
            if wait.0 <= 10 * MS_PER_S {
                self.amk_within_10s += 1;
            }
        }
    }

    /// An ambulance reached a red event: `response` from the 113 call, `from_notified` from the
    /// ambulance's notification. Counted when the call rang in the measured period.
    pub fn red_response(
        &mut self,
        t_ring: SimTime,
        class: Class,
        zone: ZoneId,
        response: Dur,
        from_notified: Dur,
    ) {
        if !self.measuring(t_ring) {
            return;
        }
        let target = target_ms(class);
        self.response[class].record(response.0);
        let bin = usize::try_from(response.0 / RESPONSE_BIN_MS)
            .unwrap_or(0)
            .min(RESPONSE_BINS - 1);
        self.response_bins[class][bin] += 1;
        let zr = &mut self.zone_response[zone.index()];
        zr.0 += response.minutes();
        zr.1 += 1;
        self.response_n[class] += 1;
        if response.0 <= target {
            self.response_ok[class] += 1;
        }
        if from_notified.0 <= target {
            self.response_excl_amk_ok += 1;
        }
    }

    /// A red event was closed: whether the legevakt was on scene before the ambulance left,
    /// and whether the first unit on scene met the target.
    pub fn red_event(&mut self, t_ring: SimTime, with_legevakt: bool, first_ok: bool) {
        if !self.measuring(t_ring) {
            return;
        }
        self.red_events += 1;
        if with_legevakt {
            self.red_with_legevakt += 1;
        }
        if first_ok {
            self.red_first_ok += 1;
        }
    }

    /// An ambulance mission started.
    pub fn mission(&mut self, now: SimTime) {
        if self.measuring(now) {
            self.missions += 1;
        }
    }

    /// An ambulance waited `d` at the ED door.
    pub fn handover_delay(&mut self, now: SimTime, d: Dur) {
        if self.measuring(now) {
            self.handover_delay.record(d.0);
        }
    }

    /// A patient was admitted after the ED.
    pub fn admission(&mut self, now: SimTime) {
        if self.measuring(now) {
            self.admissions += 1;
        }
    }

    /// A legevakt patient was referred to hospital.
    pub fn referral(&mut self, now: SimTime) {
        if self.measuring(now) {
            self.referrals += 1;
        }
    }

    /// A doctor car finished an assessment.
    pub fn doctor_car_assessment(&mut self, now: SimTime) {
        if self.measuring(now) {
            self.doctor_car_assessments += 1;
        }
    }

    /// Outcome counts of the measured period.
    pub fn outcomes(&self) -> &[u64; N_OUTCOMES] {
        &self.outcomes
    }

    /// The demand fingerprint.
    pub fn fingerprint(&self) -> u64 {
        self.demand_fingerprint
    }

    /// Hand over the binned responses and per-zone sums.
    pub fn take_tables(&mut self) -> ([ResponseBins; 2], Vec<(f64, u64)>) {
        (
            std::mem::take(&mut self.response_bins),
            std::mem::take(&mut self.zone_response),
        )
    }

    /// Every KPI, in registry order (None where undefined).
    pub fn kpis(&self, cx: &Context) -> Vec<Option<f64>> {
        let mut k: KpiValues = vec![None; kpi::count()];
        let ratio = |n: u64, d: u64| (d > 0).then(|| n as f64 / d as f64);
        let time_ratio = |(b, a): (f64, f64)| (a > 0.0).then(|| (b / a).min(1.0));
        let per_1000 = |n: u64| Some(n as f64 / cx.pop_k / cx.years);
        let per_year = |n: u64| Some(n as f64 / cx.years);
        let min = |x: f64| x / MS_PER_MIN as f64;
        let s = |x: f64| x / MS_PER_S as f64;
        k[Kpi::LvsWithin2Min] = ratio(self.lvs_within_2min, self.lvs_answer.len());
        k[Kpi::LvsP90] = self.lvs_answer.quantile_ms(0.9).map(s);
        k[Kpi::LvsMean] = self.lvs_answer.mean_ms().map(s);
        k[Kpi::LvsUtil] = time_ratio(cx.lvs_time);
        k[Kpi::LvsCallsPer1000] = per_1000(self.lvs_answer.len());
        for (u, p90, mean) in [
            (Urgency::Red, Kpi::WaitP90Red, Kpi::WaitMeanRed),
            (Urgency::Yellow, Kpi::WaitP90Yellow, Kpi::WaitMeanYellow),
            (Urgency::Green, Kpi::WaitP90Green, Kpi::WaitMeanGreen),
        ] {
            k[p90] = self.wait[u].quantile_ms(0.9).map(min);
            k[mean] = self.wait[u].mean_ms().map(min);
        }
        k[Kpi::WaitedShare] = ratio(self.waited, self.waits_total);
        k[Kpi::Travel40] = cx.travel.0;
        k[Kpi::Travel60] = cx.travel.1;
        k[Kpi::TravelP90Visits] = self.travel_visits.quantile_ms(0.9).map(min);
        k[Kpi::DoctorUtil] = time_ratio(cx.doctor_time);
        k[Kpi::ConsultPer1000] = per_1000(self.station_consults + self.satellite_consults);
        k[Kpi::SatelliteConsults] = per_year(self.satellite_consults);
        k[Kpi::VideoConsults] = per_year(self.video_consults);
        k[Kpi::HomeVisits] = per_year(self.home_visits);
        k[Kpi::HomeVisitsPer1000] = per_1000(self.home_visits);
        k[Kpi::SuppressedPer1000] = per_1000(self.outcomes[Outcome::Suppressed as usize]);
        k[Kpi::OutsideHoursPer1000] = per_1000(self.outcomes[Outcome::OutsideHours as usize]);
        k[Kpi::ClosingRedirectsPer1000] = per_1000(self.closing_redirects);
        k[Kpi::Calls113Per1000] = per_1000(self.calls_113);
        if cx.has_amk {
            k[Kpi::AmkWithin10s] = ratio(self.amk_within_10s, self.amk_answer.len());
            k[Kpi::AmkP90] = self.amk_answer.quantile_ms(0.9).map(s);
        }
        k[Kpi::RedUrban12] = ratio(self.response_ok[URBAN], self.response_n[URBAN]);
        k[Kpi::RedRural25] = ratio(self.response_ok[RURAL], self.response_n[RURAL]);
        k[Kpi::RedP50Urban] = self.response[URBAN].quantile_ms(0.5).map(min);
        k[Kpi::RedP90Urban] = self.response[URBAN].quantile_ms(0.9).map(min);
        k[Kpi::RedP50Rural] = self.response[RURAL].quantile_ms(0.5).map(min);
        k[Kpi::RedP90Rural] = self.response[RURAL].quantile_ms(0.9).map(min);
        k[Kpi::RedExclAmk] = ratio(
            self.response_excl_amk_ok,
            self.response_n[URBAN] + self.response_n[RURAL],
        );
        k[Kpi::RedFirstOnScene] = ratio(self.red_first_ok, self.red_events);
        k[Kpi::RedWithDoctor] = ratio(self.red_with_legevakt, self.red_events);
        if let Some(vt) = cx.vehicle_time {
            k[Kpi::MissionsPer1000] = per_1000(self.missions);
            k[Kpi::AmbUtil] = time_ratio(vt);
            k[Kpi::AmbStandbyMin] = cx
                .stations
                .iter()
                .filter(|(_, d)| *d > 0.0)
                .map(|(b, d)| (1.0 - b / d).clamp(0.0, 1.0))
                .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
        }
        k[Kpi::EdHandoverP90] = self.handover_delay.quantile_ms(0.9).map(min);
        if cx.has_hospitals {
            k[Kpi::AdmissionsPer1000] = per_1000(self.admissions);
        }
        k
    }
}

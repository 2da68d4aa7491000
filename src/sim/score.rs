//! Scoring: the streaming accumulators of a replication and the one place where KPIs are
//! computed from them.
//!
//! Handlers report what happened (`answered`, `red_response`, …) with the time it happened;
//! the score decides whether it falls in the measured period (after warm-up) and keeps only
//! counts and histograms, so memory does not grow with the horizon. [`Score::kpis`] turns them
//! into the values of [`crate::base::kpi::KPI_DEFS`]; shares are ratios of integer counts,
//! so they can never leave 0..1.

use super::doctor_car::Offer;
use super::result::{
    LegevaktStationResult, N_OUTCOMES, Outcome, RESPONSE_BIN_MS, RESPONSE_BINS, ResponseBins,
    ZONE_BINS, ZoneResult,
};
use crate::base::ids::{IdVec, StationId, ZoneId};
use crate::base::kpi::{self, Kpi, KpiValues};
use crate::base::stats::Hist;
use crate::base::time::{Dur, MS_PER_MIN, MS_PER_S, SimTime};
use crate::base::urgency::{PerUrgency, Urgency};
use crate::input::scenario::{Costs, FateKind, Scenario};

/// Urban (0) or rural (1) response class.
pub(crate) type Class = usize;
/// Urban.
pub(crate) const URBAN: Class = 0;
/// Rural.
pub(crate) const RURAL: Class = 1;

/// Response-time target of a class \[ms\]: 12 min urban, 25 min rural (NOU 1998:9).
pub(crate) fn target_ms(class: Class) -> i64 {
    (if class == URBAN { 12 } else { 25 }) * MS_PER_MIN
}

/// Why a decided home visit became an ambulance assessment mission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AssessmentReason {
    /// The legevaktsentral's home visits are made by ambulances (`home_visits_by = "ambulance"`).
    Policy = 0,
    /// No legevakt site was open.
    NoSiteOpen = 1,
    /// The patient was beyond the maximum home-visit drive.
    TooFar = 2,
    /// Nobody could leave within the wait limit.
    NoOneFree = 3,
}

/// Counts per legevakt station, measured period.
#[derive(Debug, Clone, Copy, Default)]
struct StationCounts {
    consultations: u64,
    video_consultations: u64,
    home_visits: u64,
    callouts: u64,
    car_missions: u64,
}

/// Counts per zone, measured period.
#[derive(Debug, Clone, Copy, Default)]
struct ZoneCounts {
    responses: u64,
    responses_ok: u64,
    response_sum_min: f64,
    suppressed: u64,
    assessments: u64,
}

/// Streaming statistics of one replication.
pub(crate) struct Score {
    warmup: SimTime,
    lvs_answer: Hist,
    lvs_within_2min: u64,
    /// Call attempts that hung up before an answer: [116117, 113].
    hung_up: [u64; 2],
    /// Hospital transfers ordered.
    transfers: u64,
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
    yellow_response: Hist,
    indicator: [Hist; 2],
    indicator_ok: [u64; 2],
    red_events: u64,
    red_with_legevakt: u64,
    red_first_ok: u64,
    ground_missions: u64,
    air_missions: u64,
    red_diversions: u64,
    planned_deferred: u64,
    handover_delay: Hist,
    admissions: u64,
    referrals: u64,
    closing_redirects: u64,
    suppressed_by_fate: [u64; 4],
    red_to_113: u64,
    by_patient_transport: u64,
    by_ambulance: u64,
    assessments: [u64; 4],
    assessment_conveyed: [u64; 3],
    car_offers: [u64; 4],
    car_assessments: u64,
    stations: IdVec<StationId, StationCounts>,
    zones: IdVec<ZoneId, ZoneCounts>,
    /// Per zone, red responses in 1-min bins (flat: zone × [`ZONE_BINS`]).
    zone_bins: Vec<u32>,
    response_bins: [ResponseBins; 2],
    demand_fingerprint: u64,
}

/// Hours of the measured period, for workload and cost KPIs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hours {
    /// Doctor-hours available (scheduled plus overtime) by hour of the week, every station and
    /// every doctor car with its own doctor.
    pub doctor_by_how: Vec<f64>,
    /// Nurse-hours available: legevaktsentral, triage and satellite nurses.
    pub nurse: f64,
    /// Doctor-car hours on duty.
    pub doctor_car: f64,
    /// Doctor-car pools' (busy, available) hours.
    pub doctor_car_time: (f64, f64),
    /// Ground ambulance hours staffed at the station.
    pub ambulance_staffed: f64,
    /// Ground ambulance hours on call from home.
    pub ambulance_on_call: f64,
}

/// What [`Score::kpis`] needs besides the accumulators.
pub(crate) struct Context<'a> {
    /// Measured years.
    pub years: f64,
    /// Population \[thousands\].
    pub pop_k: f64,
    /// (busy, available) server time of the legevaktsentral nurses, all pools \[ms\].
    pub lvs_time: (f64, f64),
    /// (busy, available) doctor time, all stations \[ms\].
    pub doctor_time: (f64, f64),
    /// Structural travel figures (within 40 and 60 min).
    pub travel: (Option<f64>, Option<f64>),
    /// Is AMK modelled?
    pub has_amk: bool,
    /// (busy, duty) vehicle time \[ms\], when there are vehicles.
    pub vehicle_time: Option<(f64, f64)>,
    /// Ambulance stations' (busy, duty) hours.
    pub stations: &'a [(f64, f64)],
    /// Legevakt stations.
    pub legevakt: &'a [LegevaktStationResult],
    /// Are there hospitals?
    pub has_hospitals: bool,
    /// Are there doctor cars?
    pub has_doctor_cars: bool,
    /// Satellites.
    pub satellites: usize,
    /// Hours for workload and cost.
    pub hours: &'a Hours,
    /// Unit costs.
    pub costs: Option<&'a Costs>,
}

impl Score {
    pub fn new(warmup: SimTime, scn: &Scenario) -> Score {
        let nz = scn.zones.len();
        Score {
            warmup,
            lvs_answer: Hist::default(),
            lvs_within_2min: 0,
            hung_up: [0; 2],
            transfers: 0,
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
            yellow_response: Hist::default(),
            indicator: Default::default(),
            indicator_ok: [0; 2],
            red_events: 0,
            red_with_legevakt: 0,
            red_first_ok: 0,
            ground_missions: 0,
            air_missions: 0,
            red_diversions: 0,
            planned_deferred: 0,
            handover_delay: Hist::default(),
            admissions: 0,
            referrals: 0,
            closing_redirects: 0,
            suppressed_by_fate: [0; 4],
            red_to_113: 0,
            by_patient_transport: 0,
            by_ambulance: 0,
            assessments: [0; 4],
            assessment_conveyed: [0; 3],
            car_offers: [0; 4],
            car_assessments: 0,
            stations: IdVec::from(vec![StationCounts::default(); scn.stations.len()]),
            zones: IdVec::from(vec![ZoneCounts::default(); nz]),
            zone_bins: vec![0; nz * ZONE_BINS],
            response_bins: [vec![0; RESPONSE_BINS], vec![0; RESPONSE_BINS]],
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

    /// A consultation ended at station `st`.
    pub fn station_consultation(&mut self, now: SimTime, st: StationId) {
        if self.measuring(now) {
            self.station_consults += 1;
            self.stations[st].consultations += 1;
        }
    }

    /// A video consultation at a satellite hosted by station `host` ended.
    pub fn satellite_consultation(&mut self, now: SimTime, host: StationId) {
        if self.measuring(now) {
            self.satellite_consults += 1;
            self.video_consults += 1;
            self.stations[host].video_consultations += 1;
        }
    }

    /// A home visit ended (`video`: a satellite nurse's, with the doctor of `st` on video).
    pub fn home_visit(&mut self, now: SimTime, video: bool, st: StationId) {
        if self.measuring(now) {
            self.home_visits += 1;
            self.stations[st].home_visits += 1;
            if video {
                self.video_consults += 1;
                self.stations[st].video_consultations += 1;
            }
        }
    }

    /// A legevakt doctor (station `st`) or satellite nurse (`None`) reached a red event.
    pub fn callout(&mut self, now: SimTime, st: Option<StationId>) {
        if self.measuring(now)
            && let Some(st) = st
        {
            self.stations[st].callouts += 1;
        }
    }

    /// A need reached 113.
    pub fn call_113(&mut self, now: SimTime) {
        if self.measuring(now) {
            self.calls_113 += 1;
        }
    }

    /// A 113 call was answered after `wait`.
    /// A hospital ordered a transfer.
    pub fn transfer(&mut self, now: SimTime) {
        if self.measuring(now) {
            self.transfers += 1;
        }
    }

    /// A caller hung up before an answer (`amk`: on 113, else on 116117).
    pub fn hung_up(&mut self, now: SimTime, amk: bool) {
        if self.measuring(now) {
            self.hung_up[usize::from(amk)] += 1;
        }
    }

    pub fn amk_answered(&mut self, now: SimTime, wait: Dur) {
        if self.measuring(now) {
            self.amk_answer.record(wait.0);
            if wait.0 <= 10 * MS_PER_S {
                self.amk_within_10s += 1;
            }
        }
    }

    /// A ground ambulance reached a red event: `response` from the 113 call, `from_notified`
    /// from the ambulance's notification. Counted when the call rang in the measured period.
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
        let zb = usize::try_from(response.0 / MS_PER_MIN)
            .unwrap_or(0)
            .min(ZONE_BINS - 1);
        self.zone_bins[zone.index() * ZONE_BINS + zb] += 1;
        let zc = &mut self.zones[zone];
        zc.response_sum_min += response.minutes();
        zc.responses += 1;
        self.response_n[class] += 1;
        if response.0 <= target {
            self.response_ok[class] += 1;
            zc.responses_ok += 1;
        }
        if from_notified.0 <= target {
            self.response_excl_amk_ok += 1;
        }
    }

    /// A ground ambulance reached a red event, `response` after AMK answered (registered) the
    /// call; `class` is the zone's class under the indicator (its kommune tettbygd or not).
    pub fn indicator_response(&mut self, t_ring: SimTime, class: Class, response: Dur) {
        if self.measuring(t_ring) {
            self.indicator[class].record(response.0);
            if response.0 <= target_ms(class) {
                self.indicator_ok[class] += 1;
            }
        }
    }

    /// The first unit of any kind reached a yellow 113 patient, `response` after the call.
    pub fn yellow_response(&mut self, t_ring: SimTime, response: Dur) {
        if self.measuring(t_ring) {
            self.yellow_response.record(response.0);
        }
    }

    /// A red event was closed: whether a legevakt unit was on scene before the ambulance left,
    /// and whether the first unit of any kind on scene met the target.
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

    /// An ambulance mission started (`air`: by an air unit).
    pub fn mission(&mut self, now: SimTime, air: bool) {
        if self.measuring(now) {
            if air {
                self.air_missions += 1;
            } else {
                self.ground_missions += 1;
            }
        }
    }

    /// A vehicle on its way to a planned or green mission was diverted to a red call.
    pub fn red_diversion(&mut self, now: SimTime) {
        if self.measuring(now) {
            self.red_diversions += 1;
        }
    }

    /// A planned transport was deferred to the planned-transport hours.
    pub fn planned_deferred(&mut self, now: SimTime) {
        if self.measuring(now) {
            self.planned_deferred += 1;
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

    /// A need in `zone` was kept from the legevakt by distance and took `fate`.
    pub fn suppressed(&mut self, now: SimTime, zone: ZoneId, fate: FateKind) {
        if self.measuring(now) {
            self.suppressed_by_fate[fate as usize] += 1;
            self.zones[zone].suppressed += 1;
        }
    }

    /// A red 116117 need found no legevakt open and was sent to 113.
    pub fn red_to_113_outside_hours(&mut self, now: SimTime) {
        if self.measuring(now) {
            self.red_to_113 += 1;
        }
    }

    /// A patient went to the legevakt by patient transport.
    pub fn patient_transport(&mut self, now: SimTime) {
        if self.measuring(now) {
            self.by_patient_transport += 1;
        }
    }

    /// A patient went to the legevakt by ambulance.
    pub fn ambulance_to_legevakt(&mut self, now: SimTime) {
        if self.measuring(now) {
            self.by_ambulance += 1;
        }
    }

    /// A decided home visit became an ambulance assessment mission.
    pub fn assessment_mission(&mut self, now: SimTime, zone: ZoneId, why: AssessmentReason) {
        if self.measuring(now) {
            self.assessments[why as usize] += 1;
            self.zones[zone].assessments += 1;
        }
    }

    /// Where an assessment mission ended: home, hospital or legevakt.
    pub fn assessment_outcome(&mut self, now: SimTime, conveyed: bool, to_legevakt: bool) {
        if self.measuring(now) {
            let i = match (conveyed, to_legevakt) {
                (false, _) => 0,
                (true, false) => 1,
                (true, true) => 2,
            };
            self.assessment_conveyed[i] += 1;
        }
    }

    /// A doctor car of station `st` was offered a mission.
    pub fn car_offer(&mut self, now: SimTime, o: Offer, st: StationId) {
        if self.measuring(now) {
            self.car_offers[o as usize] += 1;
            if o == Offer::Accepted {
                self.stations[st].car_missions += 1;
            }
        }
    }

    /// A doctor car finished a yellow assessment.
    pub fn car_assessment(&mut self, now: SimTime) {
        if self.measuring(now) {
            self.car_assessments += 1;
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

    /// Hand over the binned responses.
    pub fn take_response_bins(&mut self) -> [ResponseBins; 2] {
        std::mem::take(&mut self.response_bins)
    }

    /// The per-zone results.
    pub fn zone_results(&self) -> Vec<ZoneResult> {
        self.zones
            .iter_enumerated()
            .map(|(z, c)| ZoneResult {
                responses: c.responses,
                responses_ok: c.responses_ok,
                response_sum_min: c.response_sum_min,
                bins: self.zone_bins[z.index() * ZONE_BINS..(z.index() + 1) * ZONE_BINS].to_vec(),
                suppressed: c.suppressed,
                assessments: c.assessments,
            })
            .collect()
    }

    /// Fill in the counts of the legevakt station results.
    pub fn station_counts(&self, out: &mut [LegevaktStationResult]) {
        for (r, c) in out.iter_mut().zip(self.stations.iter()) {
            r.consultations = c.consultations;
            r.video_consultations = c.video_consultations;
            r.home_visits = c.home_visits;
            r.callouts = c.callouts;
            r.car_missions = c.car_missions;
        }
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
        // Attempts = answered + hung up, as Helsedirektoratet counts "anrop" (answered and
        // unanswered) and includes the unanswered in the answer-time shares.
        let lvs_attempts = self.lvs_answer.len() + self.hung_up[0];
        k[Kpi::LvsWithin2Min] = ratio(self.lvs_within_2min, lvs_attempts);
        k[Kpi::LvsAbandoned] = ratio(self.hung_up[0], self.hung_up[0] + self.lvs_answer.len());
        k[Kpi::LvsP90] = self.lvs_answer.quantile_ms(0.9).map(s);
        k[Kpi::LvsMean] = self.lvs_answer.mean_ms().map(s);
        k[Kpi::LvsUtil] = time_ratio(cx.lvs_time);
        k[Kpi::LvsCallsPer1000] = per_1000(lvs_attempts);
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
        let f = &self.suppressed_by_fate;
        k[Kpi::SuppressedPer1000] = per_1000(f.iter().sum());
        k[Kpi::SuppressedTo113Per1000] = per_1000(f[FateKind::Call113 as usize]);
        k[Kpi::SuppressedToPhonePer1000] = per_1000(f[FateKind::Phone as usize]);
        k[Kpi::SuppressedToGpPer1000] = per_1000(f[FateKind::GpNextDay as usize]);
        k[Kpi::UnmetPer1000] = per_1000(f[FateKind::Unmet as usize]);
        k[Kpi::OutsideHoursPer1000] = per_1000(self.outcomes[Outcome::OutsideHours as usize]);
        k[Kpi::RedTo113Per1000] = per_1000(self.red_to_113);
        k[Kpi::ClosingRedirectsPer1000] = per_1000(self.closing_redirects);
        k[Kpi::ByAmbulancePer1000] = per_1000(self.by_ambulance);
        k[Kpi::ByPatientTransportPer1000] = per_1000(self.by_patient_transport);
        let a = &self.assessments;
        k[Kpi::AssessmentsPer1000] = per_1000(a.iter().sum());
        k[Kpi::AssessmentsNoSitePer1000] = per_1000(a[AssessmentReason::NoSiteOpen as usize]);
        k[Kpi::AssessmentsTooFarPer1000] = per_1000(a[AssessmentReason::TooFar as usize]);
        k[Kpi::AssessmentsNoOneFreePer1000] = per_1000(a[AssessmentReason::NoOneFree as usize]);
        let ac = &self.assessment_conveyed;
        k[Kpi::AssessmentsHomeShare] = ratio(ac[0], ac.iter().sum());
        k[Kpi::Calls113Per1000] = per_1000(self.calls_113);
        k[Kpi::TransfersPer1000] = per_1000(self.transfers);
        if cx.has_amk {
            k[Kpi::AmkWithin10s] =
                ratio(self.amk_within_10s, self.amk_answer.len() + self.hung_up[1]);
            k[Kpi::AmkAbandoned] = ratio(self.hung_up[1], self.hung_up[1] + self.amk_answer.len());
            k[Kpi::AmkP90] = self.amk_answer.quantile_ms(0.9).map(s);
            k[Kpi::AmkOtherLinesPer1000] = per_1000(self.outcomes[Outcome::OtherAmkCall as usize]);
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
        k[Kpi::RedFirstUnit] = ratio(self.red_first_ok, self.red_events);
        k[Kpi::IndicatorUrban12] = ratio(self.indicator_ok[URBAN], self.indicator[URBAN].len());
        k[Kpi::IndicatorRural25] = ratio(self.indicator_ok[RURAL], self.indicator[RURAL].len());
        k[Kpi::IndicatorMedianUrban] = self.indicator[URBAN].quantile_ms(0.5).map(min);
        k[Kpi::IndicatorMedianRural] = self.indicator[RURAL].quantile_ms(0.5).map(min);
        k[Kpi::RedWithDoctor] = ratio(self.red_with_legevakt, self.red_events);
        k[Kpi::YellowP90] = self.yellow_response.quantile_ms(0.9).map(min);
        if cx.has_doctor_cars {
            let o = &self.car_offers;
            let offered: u64 = o.iter().sum();
            k[Kpi::CarMissionsPer1000] = per_1000(o[Offer::Accepted as usize]);
            k[Kpi::CarDeclinedShare] = ratio(offered - o[Offer::Accepted as usize], offered);
            k[Kpi::CarUtil] = time_ratio(cx.hours.doctor_car_time);
        }
        if let Some(vt) = cx.vehicle_time {
            k[Kpi::MissionsPer1000] = per_1000(self.ground_missions + self.air_missions);
            k[Kpi::AirMissionsPer1000] = per_1000(self.air_missions);
            k[Kpi::RedDiversionsPer1000] = per_1000(self.red_diversions);
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
        self.workload_kpis(cx, &mut k);
        if let Some(c) = cx.costs {
            self.cost_kpis(cx, c, &mut k);
        }
        k
    }

    /// Doctor workload: scheduled hours, overtime, hours with every doctor out, the busiest
    /// station's utilisation, night hours per doctor on the rota.
    fn workload_kpis(&self, cx: &Context, k: &mut KpiValues) {
        let st = cx.legevakt;
        if st.is_empty() {
            return;
        }
        let weeks = cx.years * crate::base::time::DAYS_PER_YEAR / 7.0;
        let sum = |f: &dyn Fn(&LegevaktStationResult) -> f64| st.iter().map(f).sum::<f64>();
        k[Kpi::DoctorHoursPerWeek] = Some(sum(&|s| s.scheduled_h) / weeks);
        k[Kpi::DoctorOvertimePerWeek] =
            Some(sum(&|s| (s.available_h - s.scheduled_h).max(0.0)) / weeks);
        k[Kpi::HoursWithoutDoctorPerWeek] = Some(sum(&|s| s.without_doctor_h) / weeks);
        k[Kpi::DoctorUtilMaxStation] = st
            .iter()
            .filter(|s| s.available_h > 0.0)
            .map(|s| (s.busy_h / s.available_h).min(1.0))
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
        let (night, rota) = st.iter().fold((0.0, 0u32), |(n, r), s| match s.rota_size {
            Some(size) => (n + s.night_available_h, r + size),
            None => (n, r),
        });
        if rota > 0 {
            k[Kpi::NightHoursPerDoctorMonth] = Some(night / f64::from(rota) / (cx.years * 12.0));
        }
    }

    /// Cost per year \[MNOK\] by part and in total, from the `[costs]` rates.
    fn cost_kpis(&self, cx: &Context, c: &Costs, k: &mut KpiValues) {
        let h = cx.hours;
        let mnok = |nok: f64| Some(nok / 1e6 / cx.years);
        let doctors: f64 = h
            .doctor_by_how
            .iter()
            .zip(&c.doctor_hour_by_how)
            .map(|(hours, rate)| hours * rate)
            .sum();
        let parts = [
            (Kpi::CostDoctors, doctors),
            (Kpi::CostNurses, h.nurse * c.nurse_hour),
            (
                Kpi::CostSatellitesFixed,
                cx.satellites as f64 * c.satellite_fixed_per_year * cx.years,
            ),
            (Kpi::CostDoctorCars, h.doctor_car * c.doctor_car_hour),
            (
                Kpi::CostAmbulanceStandby,
                h.ambulance_staffed * c.ambulance_staffed_hour
                    + h.ambulance_on_call * c.ambulance_on_call_hour,
            ),
            (
                Kpi::CostAmbulanceMissions,
                self.ground_missions as f64 * c.ambulance_mission,
            ),
            (
                Kpi::CostAirMissions,
                self.air_missions as f64 * c.air_mission,
            ),
            (
                Kpi::CostPatientTransport,
                self.by_patient_transport as f64 * c.patient_transport_trip,
            ),
        ];
        let mut total = 0.0;
        for (kpi, nok) in parts {
            k[kpi] = mnok(nok);
            total += nok;
        }
        k[Kpi::CostTotal] = mnok(total);
    }
}

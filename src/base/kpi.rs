//! The KPI registry: every figure the simulator reports, with its unit, target and source.
//! Names are stable — users script against them in `summary.json` and `kpi.csv`.

/// A national target a KPI is compared with.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Threshold value (in the KPI's unit).
    pub value: f64,
    /// `true`: the KPI should be at least `value`; `false`: at most.
    pub at_least: bool,
}

/// Definition of one KPI.
#[derive(Debug, Clone, Copy)]
pub struct KpiDef {
    /// Stable name.
    pub name: &'static str,
    /// Plain-language name for tables and reports (at most 38 characters).
    pub label: &'static str,
    /// The part of the chain it belongs to (tables are grouped by it).
    pub part: Part,
    /// Unit.
    pub unit: &'static str,
    /// National target, if any.
    pub target: Option<Target>,
    /// Published national figure to compare with (text, with year).
    pub reference: &'static str,
    /// What it measures.
    pub description: &'static str,
    /// Where the target or reference comes from.
    pub source: &'static str,
}

/// The part of the chain a KPI belongs to; tables and reports group KPIs by it, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// The legevaktsentral (116117).
    Lvs,
    /// The AMK (113).
    Amk,
    /// The legevakt and its satellites.
    Legevakt,
    /// Where needs go between legevakt, ambulance and GP.
    Routes,
    /// Response to red and yellow events.
    Response,
    /// Ambulances: missions and use.
    Ambulance,
    /// Doctor cars.
    DoctorCar,
    /// The hospitals' emergency departments.
    Hospital,
    /// Legevakt doctors' workload.
    Workload,
    /// Cost.
    Cost,
}

impl Part {
    /// Every part, in report order.
    pub const ALL: [Part; 10] = [
        Part::Lvs,
        Part::Amk,
        Part::Legevakt,
        Part::Routes,
        Part::Response,
        Part::Ambulance,
        Part::DoctorCar,
        Part::Hospital,
        Part::Workload,
        Part::Cost,
    ];

    /// Heading in tables and reports.
    pub fn title(self) -> &'static str {
        match self {
            Part::Lvs => "Legevaktsentral (116117)",
            Part::Amk => "AMK (113)",
            Part::Legevakt => "Legevakt",
            Part::Routes => "Where needs go",
            Part::Response => "Ambulance response",
            Part::Ambulance => "Ambulances",
            Part::DoctorCar => "Doctor car",
            Part::Hospital => "Hospital",
            Part::Workload => "Doctors' workload",
            Part::Cost => "Cost",
        }
    }
}

/// Whether an estimate meets its target, judged on its 95 % CI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The whole CI is on the target's side.
    Met,
    /// The whole CI is on the wrong side.
    NotMet,
    /// The CI contains the target value: more replications may tell.
    Borderline,
}

impl Verdict {
    /// As printed: "met", "not met", "borderline".
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::NotMet => "not met",
            Verdict::Borderline => "borderline",
        }
    }
}

impl Target {
    /// The verdict on a mean and its 95 % CI (the mean alone where there is no CI, e.g. with
    /// one replication or a CI collapsed to a point).
    pub fn verdict(&self, mean: f64, ci: Option<(f64, f64)>) -> Verdict {
        let good = |x: f64| {
            if self.at_least {
                x >= self.value
            } else {
                x <= self.value
            }
        };
        let (lo, hi) = ci.unwrap_or((mean, mean));
        match (good(lo), good(hi)) {
            (true, true) => Verdict::Met,
            (false, false) => Verdict::NotMet,
            _ => Verdict::Borderline,
        }
    }
}

const fn at_least(v: f64) -> Option<Target> {
    Some(Target {
        value: v,
        at_least: true,
    })
}

macro_rules! kpis {
    ($( $id:ident => $name:literal, $label:literal, $part:expr, $unit:literal, $target:expr, $reference:literal, $desc:literal, $src:literal; )*) => {
        /// Index of each KPI in [`KPI_DEFS`] and in per-replication value vectors.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(usize)]
        #[allow(missing_docs)]
        pub enum Kpi { $($id),* }
        /// All KPIs, in report order.
        pub const KPI_DEFS: &[KpiDef] = &[ $( KpiDef { name: $name, label: $label, part: $part, unit: $unit, target: $target,
            reference: $reference, description: $desc, source: $src } ),* ];
    };
}

kpis! {
    LvsWithin2Min => "lvs_answered_within_2min_share", "116117 answered within 2 min", Part::Lvs, "share", at_least(0.80), "0.63 (2023)",
        "116117 call attempts answered within 2 min of ringing (an attempt whose caller hung up counts as not answered in time, as in Helsedirektoratet's indicator)", "akuttmedisinforskriften; Helsedirektoratet, Svartid legevakt 116 117 (63 % nationally 2023) [Hdir-Svartid116117-2023]";
    LvsP90 => "lvs_answer_time_p90_s", "116117 answer time, p90", Part::Lvs, "s", None, "",
        "90th percentile of 116117 answer time", "simulated";
    LvsMean => "lvs_answer_time_mean_s", "116117 answer time, mean", Part::Lvs, "s", None, "",
        "mean 116117 answer time", "simulated";
    LvsUtil => "lvs_nurse_utilisation", "Nurses busy (utilisation)", Part::Lvs, "share", None, "",
        "busy nurse time ÷ available nurse time (scheduled, plus overtime to clear the queue) at the legevaktsentral", "simulated";
    LvsAbandoned => "lvs_abandoned_share", "Callers who hung up", Part::Lvs, "share", None, "",
        "116117 call attempts whose caller hung up before a nurse answered (a caller who calls again makes a new attempt)", "simulated ([[legevaktsentral]] abandonment)";
    LvsCallsPer1000 => "lvs_calls_per_1000", "116117 calls, /1,000", Part::Lvs, "calls/1000 inhabitants/year", None, "≈570 (2023)",
        "116117 call attempts offered: answered plus hung up (a redial is a new attempt), as Helsedirektoratet counts anrop", "Meld. St. 23 (2024–2025) tab. 4.2 (3,159,073 calls 2023) [MeldSt23-2025]";
    WaitP90Red => "legevakt_wait_p90_min_red", "Wait for doctor, red, p90", Part::Legevakt, "min", None, "target 0 (SATS)",
        "90th percentile of wait from arrival to doctor (or video), red", "simulated; SATS Norge triage targets [SATS-Norge]";
    WaitP90Yellow => "legevakt_wait_p90_min_yellow", "Wait for doctor, yellow, p90", Part::Legevakt, "min", None, "max 60 (SATS)",
        "90th percentile of wait from arrival to doctor (or video), yellow", "simulated; SATS Norge triage targets [SATS-Norge]";
    WaitP90Green => "legevakt_wait_p90_min_green", "Wait for doctor, green, p90", Part::Legevakt, "min", None, "max 120 (SATS)",
        "90th percentile of wait from arrival to doctor (or video), green", "simulated; SATS Norge triage targets [SATS-Norge]";
    WaitMeanRed => "legevakt_wait_mean_min_red", "Wait for doctor, red, mean", Part::Legevakt, "min", None, "",
        "mean wait from arrival to doctor (or video), red", "simulated";
    WaitMeanYellow => "legevakt_wait_mean_min_yellow", "Wait for doctor, yellow, mean", Part::Legevakt, "min", None, "",
        "mean wait from arrival to doctor (or video), yellow", "simulated";
    WaitMeanGreen => "legevakt_wait_mean_min_green", "Wait for doctor, green, mean", Part::Legevakt, "min", None, "",
        "mean wait from arrival to doctor (or video), green", "simulated";
    WaitedShare => "legevakt_waited_share", "Patients who queued at all", Part::Legevakt, "share", None, "",
        "share of consultations whose patient queued at all, for the triage nurse or the doctor (Erlang C's P(wait)); the triage itself is not queueing", "simulated";
    Travel40 => "legevakt_travel_within_40min_population_share", "Inhabitants ≤ 40 min to legevakt", Part::Legevakt, "share", at_least(0.90), "0.948 (2022)",
        "population share within 40 min drive of the legevakt its patients are sent to (choice rule, open on arrival), weighted by 116117 demand over opening hours",
        "NOU 2015:17 proposal; 5.2 % beyond 40 min in 2022 (Meld. St. 23 (2024–2025) kap. 4.3.2) [MeldSt23-2025]";
    Travel60 => "legevakt_travel_within_60min_population_share", "Inhabitants ≤ 60 min to legevakt", Part::Legevakt, "share", at_least(0.95), "0.985 (2022)",
        "population share within 60 min drive of the legevakt its patients are sent to (choice rule, open on arrival), weighted by 116117 demand over opening hours",
        "NOU 2015:17 proposal; 1.5 % beyond 60 min in 2022 (Meld. St. 23 (2024–2025) kap. 4.3.2) [MeldSt23-2025]";
    TravelP90Visits => "legevakt_travel_p90_min_visits", "Drive to legevakt, p90", Part::Legevakt, "min", None, "",
        "90th percentile of drive time over actual legevakt visits", "simulated";
    DoctorUtil => "legevakt_doctor_utilisation", "Doctors busy (utilisation)", Part::Legevakt, "share", None, "",
        "busy doctor time (consultations, video, home visits, call-outs) ÷ available doctor time (scheduled, plus overtime to clear the queue)", "simulated";
    ConsultPer1000 => "legevakt_consultations_per_1000", "Consultations, /1,000", Part::Legevakt, "consultations/1000 inhabitants/year", None, "≈231 (2023)",
        "face-to-face consultations at stations and satellites", "Helsedirektoratet, Allmennlegetjenesten årsrapport 2023, tab. 9.3 (1,292,635 in 2023, 23 per 100) [Hdir-Allmennlege-2023]";
    SatelliteConsults => "satellite_consultations", "Consultations at satellites", Part::Legevakt, "consultations/year", None, "",
        "consultations at satellites (nurse on site, doctor on video)", "simulated";
    VideoConsults => "video_consultations", "Video consultations", Part::Legevakt, "consultations/year", None, "",
        "video consultations with a host doctor (satellite and nurse home visits)", "simulated";
    HomeVisits => "home_visits", "Home visits", Part::Legevakt, "visits/year", None, "",
        "home visits by legevakt doctors or satellite nurses", "simulated";
    HomeVisitsPer1000 => "home_visits_per_1000", "Home visits, /1,000", Part::Legevakt, "visits/1000 inhabitants/year", None, "≈17 (2023)",
        "home visits", "Helsedirektoratet, Allmennlegetjenesten årsrapport 2023, tab. 9.3 (95,139 in 2023) [Hdir-Allmennlege-2023]";
    SuppressedPer1000 => "needs_suppressed_by_distance_per_1000", "Needs given up (distance), /1,000", Part::Routes, "needs/1000 inhabitants/year", None, "",
        "latent 116117 needs kept from the legevakt by distance (decay), whatever they did instead", "Raknes et al. 2013 [Raknes2013]";
    SuppressedTo113Per1000 => "needs_suppressed_then_113_per_1000", "… then called 113, /1,000", Part::Routes, "needs/1000 inhabitants/year", None, "",
        "needs kept from the legevakt by distance that called 113 instead", "simulated (fate shares: scenario, [assumption] A4)";
    SuppressedToPhonePer1000 => "needs_suppressed_then_phone_per_1000", "… then phone advice, /1,000", Part::Routes, "needs/1000 inhabitants/year", None, "",
        "needs kept from the legevakt by distance that were helped by telephone (a 116117 call ending in advice)", "simulated; telephone contacts do not fall with distance (Raknes et al. 2013 [Raknes2013])";
    SuppressedToGpPer1000 => "needs_suppressed_then_gp_next_day_per_1000", "… then GP next day, /1,000", Part::Routes, "needs/1000 inhabitants/year", None, "",
        "needs kept from the legevakt by distance that waited for the GP the next weekday", "simulated (fate shares: scenario, [assumption] A4)";
    UnmetPer1000 => "needs_unmet_by_distance_per_1000", "… left unmet, /1,000", Part::Routes, "needs/1000 inhabitants/year", None, "",
        "needs kept from the legevakt by distance that went unmet", "simulated (fate shares: scenario, [assumption] A4)";
    OutsideHoursPer1000 => "needs_outside_legevakt_hours_per_1000", "Needs, legevakt closed, /1,000", Part::Routes, "needs/1000 inhabitants/year", None, "",
        "116117 needs arising when no legevakt is open for them (they go to the GP)", "simulated";
    RedTo113Per1000 => "red_116117_to_113_outside_hours_per_1000", "Red to 113 when closed, /1,000", Part::Routes, "needs/1000 inhabitants/year", None, "",
        "red 116117 needs with no legevakt open (e.g. weekday daytime) sent on to 113 instead of to the GP", "simulated";
    ByAmbulancePer1000 => "legevakt_arrivals_by_ambulance_per_1000", "Arrivals by ambulance, /1,000", Part::Routes, "patients/1000 inhabitants/year", None, "",
        "patients sent to a legevakt by the legevaktsentral who go there by ambulance (rising with distance)", "simulated ([legevakt_transport]; shares [assumption] A1)";
    ByPatientTransportPer1000 => "legevakt_arrivals_by_patient_transport_per_1000", "Arrivals by transport, /1,000", Part::Routes, "patients/1000 inhabitants/year", None, "",
        "patients sent to a legevakt who go by patient transport (taxi; no ambulance)", "simulated ([legevakt_transport]; shares [assumption] A1)";
    AssessmentsPer1000 => "assessment_missions_per_1000", "Ambulance assessments, /1,000", Part::Routes, "missions/1000 inhabitants/year", None, "",
        "decided home visits made as ambulance assessment missions (vurderingsoppdrag), every reason", "Meld. St. 23 (2024–2025) kap. 4 [MeldSt23-2025]; simulated";
    AssessmentsNoSitePer1000 => "assessment_missions_no_site_open_per_1000", "… no legevakt open, /1,000", Part::Routes, "missions/1000 inhabitants/year", None, "",
        "assessment missions because no legevakt site was open", "simulated ([home_visits] when_no_site_open)";
    AssessmentsTooFarPer1000 => "assessment_missions_too_far_per_1000", "… legevakt too far, /1,000", Part::Routes, "missions/1000 inhabitants/year", None, "",
        "assessment missions because the patient was beyond the maximum home-visit drive", "simulated ([home_visits] max_drive_min)";
    AssessmentsNoOneFreePer1000 => "assessment_missions_no_one_free_per_1000", "… no doctor free, /1,000", Part::Routes, "missions/1000 inhabitants/year", None, "",
        "assessment missions because no doctor (or satellite nurse) could leave within the wait limit", "simulated ([home_visits] max_wait_min)";
    AssessmentsHomeShare => "assessment_missions_left_home_share", "Assessed patients left at home", Part::Routes, "share", None, "0.15 (≈2011)",
        "assessment missions after which the patient stayed home", "Momyr & Kindt 2011, Sør-Trøndelag (15 % of acute missions left at the pick-up site) [Momyr2011]";
    ClosingRedirectsPer1000 => "legevakt_closing_redirects_per_1000", "Sent on at closing, /1,000", Part::Routes, "needs/1000 inhabitants/year", None, "",
        "patients sent to another site (or to the GP) because the nearest open one closes before they could arrive", "simulated (sending rule: open on arrival)";
    Calls113Per1000 => "amk_calls_per_1000", "113 calls, /1,000", Part::Amk, "calls/1000 inhabitants/year", None, "≈140 (2023)",
        "needs reaching 113 (direct calls, forwards from 116117, suppressed red needs)", "Meld. St. 23 (2024–2025) tab. 4.1 (775,509 calls 2023) [MeldSt23-2025]";
    TransfersPer1000 => "hospital_transfers_per_1000", "Hospital transfers, /1,000", Part::Ambulance, "missions/1000 inhabitants/year", None, "",
        "ambulance transfers between hospitals ordered in the measured period (they count in ambulance_missions_per_1000 too)", "simulated ([demand.hospital_transfers])";
    AmkWithin10s => "amk_answered_within_10s_share", "113 answered within 10 s", Part::Amk, "share", at_least(0.90), "0.728 (2013)",
        "113 call attempts answered within 10 s of ringing (an attempt whose caller hung up counts as not answered in time)", "akuttmedisinforskriften; Helsedirektoratet, AMK-statistikk 2013 (72.8 % Apr–Dec 2013) [Hdir-AMK-2013]";
    AmkAbandoned => "amk_abandoned_share", "113 callers who hung up", Part::Amk, "share", None, "",
        "113 call attempts whose caller hung up before an operator answered (a caller who calls again makes a new attempt)", "simulated ([amk] abandonment)";
    AmkP90 => "amk_answer_time_p90_s", "113 answer time, p90", Part::Amk, "s", None, "",
        "90th percentile of 113 answer time", "simulated";
    AmkOtherLinesPer1000 => "amk_other_line_calls_per_1000", "Other-line calls, /1,000", Part::Amk, "calls/1000 inhabitants/year", None, "",
        "calls answered on the AMK's other lines (ambulance orders, coordination, call-backs); they take an operator after every waiting 113 call", "simulated ([amk] other_calls_per_1000_per_year)";
    RedUrban12 => "red_response_within_12min_urban_share", "Red on scene ≤ 12 min, urban", Part::Response, "share", at_least(0.90), "0.711 (2020)",
        "red events in urban zones reached by an ambulance within 12 min of the 113 call", "guideline (NOU 1998:9) [NOU1998-9]; Helsedirektoratet quality indicator, 2020 (published figure: Helse Midt-Norge) [Hdir-Responstid-2020]";
    RedRural25 => "red_response_within_25min_rural_share", "Red on scene ≤ 25 min, rural", Part::Response, "share", at_least(0.90), "0.824 (2020)",
        "red events in rural zones reached by an ambulance within 25 min of the 113 call", "guideline (NOU 1998:9) [NOU1998-9]; Helsedirektoratet quality indicator, 2020 (published figure: Helse Midt-Norge) [Hdir-Responstid-2020]";
    RedP50Urban => "red_response_p50_min_urban", "Red response, urban, median", Part::Response, "min", None, "9.7 (2020)",
        "median red response, urban (113 call → ambulance on scene)", "Helsedirektoratet 2020 data, nationen.no 2021-12 [Hdir-Median-2020]";
    RedP90Urban => "red_response_p90_min_urban", "Red response, urban, p90", Part::Response, "min", None, "18.7 (2013)",
        "90th percentile red response, urban", "Helsedirektoratet, AMK-statistikk 2013 [Hdir-AMK-2013]";
    RedP50Rural => "red_response_p50_min_rural", "Red response, rural, median", Part::Response, "min", None, "15.1 (2020)",
        "median red response, rural", "Helsedirektoratet 2020 data, nationen.no 2021-12 [Hdir-Median-2020]";
    RedP90Rural => "red_response_p90_min_rural", "Red response, rural, p90", Part::Response, "min", None, "31.1 (2013)",
        "90th percentile red response, rural", "Helsedirektoratet, AMK-statistikk 2013 [Hdir-AMK-2013]";
    IndicatorUrban12 => "indicator_red_urban_within_12min_share", "Indicator: urban ≤ 12 min", Part::Response, "share", at_least(0.90), "0.711 (2020)",
        "the published indicator: red events in tettbygd kommuner (all or part in a tettsted of > 10,000) reached by a road or boat ambulance within 12 min of AMK registering (answering) the call", "Helsedirektoratet, kvalitetsindikator «Responstid fra AMK varsles til ambulanse er på hendelsessted» (2020 results; published figure: Helse Midt-Norge) [Hdir-Responstid-2020]";
    IndicatorRural25 => "indicator_red_rural_within_25min_share", "Indicator: rural ≤ 25 min", Part::Response, "share", at_least(0.90), "0.824 (2020)",
        "the published indicator: red events in the other (grisgrendte) kommuner reached by a road or boat ambulance within 25 min of AMK registering the call", "Helsedirektoratet, kvalitetsindikator (2020 results; published figure: Helse Midt-Norge) [Hdir-Responstid-2020]";
    IndicatorMedianUrban => "indicator_red_median_min_urban", "Indicator: urban median", Part::Response, "min", None, "9.7 (2020)",
        "median red response in tettbygd kommuner, from AMK registering the call to the road or boat ambulance on scene", "Helsedirektoratet 2020 kommune data, nationen.no 2021-12 [Hdir-Median-2020]";
    IndicatorMedianRural => "indicator_red_median_min_rural", "Indicator: rural median", Part::Response, "min", None, "15.1 (2020)",
        "median red response in grisgrendte kommuner (as above)", "Helsedirektoratet 2020 kommune data, nationen.no 2021-12 [Hdir-Median-2020]";
    RedExclAmk => "red_response_within_target_excl_amk_share", "Red within target, AMK time excl.", Part::Response, "share", at_least(0.90), "",
        "red events reached within the 12/25-min target counted from ambulance notification (AMK time excluded)", "Meld. St. 23 (2024–2025) kap. 4.3.2 (alternative definition) [MeldSt23-2025]";
    RedFirstUnit => "red_first_unit_within_target_share", "Red, first unit of any kind", Part::Response, "share", at_least(0.90), "",
        "red events where the first unit of any kind on scene (road or boat ambulance, helicopter, doctor car, legevakt doctor, satellite nurse) met the 12/25-min target", "Meld. St. 23 (2024–2025) kap. 4.3.2 (alternative definition) [MeldSt23-2025]";
    YellowP90 => "yellow_response_p90_min", "Yellow response, p90", Part::Response, "min", None, "",
        "90th percentile of yellow 113 response: call → first unit of any kind on scene (ambulance or doctor car)", "simulated";
    CarMissionsPer1000 => "doctor_car_missions_per_1000", "Doctor car missions, /1,000", Part::DoctorCar, "missions/1000 inhabitants/year", None, "",
        "missions accepted by legevakt doctor cars (yellow assessments and red call-outs)", "simulated (Moss model, Meld. St. 23 (2024–2025) box 4.10 [MeldSt23-2025])";
    CarDeclinedShare => "doctor_car_declined_share", "Doctor car requests declined", Part::DoctorCar, "share", None, "",
        "missions offered to a doctor car on duty that it declined (busy, out of its area, or by the doctor's judgement); the ambulance then went alone", "simulated (Meld. St. 23 (2024–2025) box 4.10 [MeldSt23-2025])";
    CarUtil => "doctor_car_utilisation", "Doctor car busy (utilisation)", Part::DoctorCar, "share", None, "",
        "doctor-car time on missions ÷ time on duty", "simulated";
    MissionsPer1000 => "ambulance_missions_per_1000", "Ambulance missions, /1,000", Part::Ambulance, "missions/1000 inhabitants/year", None, "≈138 (2023)",
        "ambulance missions started (all kinds, road, boat and air)", "Meld. St. 23 (2024–2025) kap. 4.5.1 (764,153 road missions 2023) [MeldSt23-2025]";
    AirMissionsPer1000 => "air_ambulance_missions_per_1000", "Air missions, /1,000", Part::Ambulance, "missions/1000 inhabitants/year", None, "≈1.4 (2022)",
        "air ambulance missions started (helicopters dispatched in parallel included)", "Luftambulansetjenesten HF, Aktivitetsrapport 2022 (7,543 helicopter missions) [LAT-2022]";
    RedDiversionsPer1000 => "red_diversions_per_1000", "Red diversions, /1,000", Part::Ambulance, "missions/1000 inhabitants/year", None, "",
        "vehicles diverted from a planned or green mission to a red call (divert_for_red)", "simulated";
    AmbUtil => "ambulance_utilisation", "Ambulances busy (utilisation)", Part::Ambulance, "share", None, "",
        "vehicle time on missions ÷ vehicle time on duty (a mission running past the end of a shift counts as duty), all vehicles", "simulated";
    AmbStandbyMin => "ambulance_standby_share_min", "Lowest station standby share", Part::Ambulance, "share", None, "≈0.93 (rural)",
        "standby share (idle ÷ on duty) of the lowest-loaded station, i.e. the highest standby share among stations", "Meld. St. 23 (2024–2025) kap. 4.3.2 (up to 93 % standby time) [MeldSt23-2025]";
    RedWithDoctor => "red_events_with_doctor_share", "Red events with a doctor on scene", Part::Ambulance, "share", None, "0.20 (2007)",
        "red AMK events where a legevakt doctor (or satellite nurse) reached the scene before the ambulance left", "derived: alerted at 47 % of red AMK events, out at 42 % of those (Zakariassen & Hunskaar 2010 [Zakariassen2010]); the 0.48 of Zakariassen et al. 2009 is red legevakt contacts with a call-out, another denominator";
    DoctorHoursPerWeek => "legevakt_doctor_hours_per_week", "Legevakt doctor-hours a week", Part::Workload, "doctor-hours/week", None, "",
        "scheduled legevakt doctor-hours, all stations", "scenario schedules";
    DoctorOvertimePerWeek => "legevakt_doctor_overtime_hours_per_week", "Doctor overtime hours a week", Part::Workload, "doctor-hours/week", None, "",
        "doctor-hours worked past the end of a shift to clear the queue, all stations", "simulated";
    HoursWithoutDoctorPerWeek => "legevakt_hours_without_doctor_per_week", "Station-hours without doctor/week", Part::Workload, "station-hours/week", None, "",
        "hours a station was open but every doctor on duty was out (home visit, call-out, doctor car), summed over stations", "simulated";
    DoctorUtilMaxStation => "legevakt_doctor_utilisation_max_station", "Doctors busy, busiest station", Part::Workload, "share", None, "",
        "doctor utilisation of the busiest station (busy ÷ available doctor time; per station in legevakt_stations.csv)", "simulated";
    NightHoursPerDoctorMonth => "legevakt_night_hours_per_doctor_per_month", "Night hours per doctor a month", Part::Workload, "h/doctor/month", None, "",
        "doctor-hours at night (23–08, the SFS 2305 night block) per doctor on the rota per month, stations with a stated doctor_rota_size", "simulated; night block from SFS 2305 §9.1 [SFS2305-2021]";
    CostTotal => "cost_total_mnok_per_year", "Total cost", Part::Cost, "MNOK/year", None, "",
        "cost of the modelled chain: legevakt doctors, nurses, satellites, doctor cars, ambulance standby and missions, air missions, patient transport (AMK and ED not included)", "[costs] rates (models/SOURCES.md)";
    CostDoctors => "cost_legevakt_doctors_mnok_per_year", "Legevakt doctors", Part::Cost, "MNOK/year", None, "",
        "legevakt doctor-hours (scheduled and overtime; doctor-car doctors) × the rate by time of week", "SFS 2305 [SFS2305-2021]; [costs]";
    CostNurses => "cost_nurses_mnok_per_year", "Nurses", Part::Cost, "MNOK/year", None, "",
        "nurse-hours (legevaktsentral, triage, satellite) × the nurse-hour rate", "SSB [SSB-Nurse-2022]; [costs]";
    CostSatellitesFixed => "cost_satellites_fixed_mnok_per_year", "Satellites, fixed", Part::Cost, "MNOK/year", None, "",
        "fixed cost of the satellites besides their nurses", "[assumption] A9; [costs]";
    CostDoctorCars => "cost_doctor_cars_mnok_per_year", "Doctor cars", Part::Cost, "MNOK/year", None, "",
        "doctor cars' vehicle and driver per hour on duty (their doctors are in the doctor cost)", "[assumption]; [costs]";
    CostAmbulanceStandby => "cost_ambulance_standby_mnok_per_year", "Ambulance standby", Part::Cost, "MNOK/year", None, "",
        "road and boat ambulances' hours staffed and on call × their car-year rate", "[derived] from Meld. St. 23 (2024–2025) [MeldSt23-2025]; [costs]";
    CostAmbulanceMissions => "cost_ambulance_missions_mnok_per_year", "Ambulance missions", Part::Cost, "MNOK/year", None, "",
        "road and boat missions × the cost per mission", "Ambulanseforum 2018 [Ambulanseforum-2018]; [costs]";
    CostAirMissions => "cost_air_missions_mnok_per_year", "Air missions", Part::Cost, "MNOK/year", None, "",
        "air missions × the cost per air mission", "Ambulanseforum 2018 [Ambulanseforum-2018]; [costs]";
    CostPatientTransport => "cost_patient_transport_mnok_per_year", "Patient transport", Part::Cost, "MNOK/year", None, "",
        "patient-transport trips to the legevakt × the cost per trip", "[assumption]; [costs]";
    EdHandoverP90 => "ed_handover_delay_p90_min", "ED handover delay, p90", Part::Hospital, "min", None, "",
        "90th percentile of the wait for an ED bay after an ambulance arrives", "simulated";
    AdmissionsPer1000 => "hospital_admissions_per_1000", "Admissions, /1,000", Part::Hospital, "admissions/1000 inhabitants/year", None, "",
        "admissions after the ED", "simulated";
}

impl Kpi {
    /// Definition.
    pub fn def(self) -> &'static KpiDef {
        &KPI_DEFS[self as usize]
    }
}

/// KPI values in registry order, indexed by [`Kpi`] (None where undefined).
pub type KpiValues = Vec<Option<f64>>;

impl std::ops::Index<Kpi> for KpiValues {
    type Output = Option<f64>;
    fn index(&self, k: Kpi) -> &Option<f64> {
        &self[k as usize]
    }
}

impl std::ops::IndexMut<Kpi> for KpiValues {
    fn index_mut(&mut self, k: Kpi) -> &mut Option<f64> {
        &mut self[k as usize]
    }
}

/// Number of KPIs.
pub fn count() -> usize {
    KPI_DEFS.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_units_present() {
        let mut names: Vec<&str> = KPI_DEFS.iter().map(|k| k.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), KPI_DEFS.len());
        assert!(
            KPI_DEFS
                .iter()
                .all(|k| !k.unit.is_empty() && !k.source.is_empty())
        );
        assert_eq!(Kpi::Calls113Per1000.def().name, "amk_calls_per_1000");
    }
}
